//go:build !mkbulkwip

package main

import "context"

// cmdApply waits for the plan files (tag mkbulkwip) to build by default.
func cmdApply(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk apply: not implemented yet")
}
