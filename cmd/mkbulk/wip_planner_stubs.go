//go:build !mkbulkwip

package main

// Temporary: the plan/show commands are built (tag mkbulkwip) but wait for
// newClient (cmd/mkbulk/client.go) to land; until then these stubs keep
// the package building for everyone sharing the checkout.

import (
	"context"

	"github.com/mkbulk/mkbulk/manifest"
)

func cmdPlan(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk plan: not implemented yet")
}

func cmdShow(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk show: not implemented yet")
}

func validateOnline(ctx context.Context, e *env, set *manifest.Set) (manifest.Diagnostics, error) {
	return nil, nil
}
