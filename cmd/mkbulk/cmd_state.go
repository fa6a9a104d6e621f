package main

import "context"

// cmdState is not built yet; it arrives with its issue.
func cmdState(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk state: not implemented yet")
}
