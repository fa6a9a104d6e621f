package main

import (
	"context"
	"time"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/planner"
)

// validateOnline checks manifests against live describe output — fields,
// header names, filter values, activity types, custom objects, import
// columns and lookup fields — and pre-flights every import source row by
// row. It makes one describe call per object type and nothing else.
func validateOnline(ctx context.Context, e *env, set *manifest.Set) (manifest.Diagnostics, error) {
	client, err := newClient(e)
	if err != nil {
		return nil, err
	}
	describe, err := fetchDescribes(ctx, client, planner.NeededDescribes(set))
	if err != nil {
		return nil, err
	}
	return planner.Validate(set, describe, sourceOpener(set.Dir), time.Now()), nil
}
