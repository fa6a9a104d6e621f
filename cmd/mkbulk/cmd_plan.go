package main

import "context"

// cmdPlan is not built yet; it arrives with its issue.
func cmdPlan(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk plan: not implemented yet")
}
