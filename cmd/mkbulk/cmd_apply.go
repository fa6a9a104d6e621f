package main

import "context"

// cmdApply is not built yet; it arrives with its issue.
func cmdApply(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk apply: not implemented yet")
}
