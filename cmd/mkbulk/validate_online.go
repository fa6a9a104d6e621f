package main

import (
	"context"

	"github.com/mkbulk/mkbulk/manifest"
)

// validateOnline checks manifests against live describe output. It is a
// placeholder until the planner lands (owned by the plan work).
func validateOnline(ctx context.Context, e *env, set *manifest.Set) (manifest.Diagnostics, error) {
	return nil, nil
}
