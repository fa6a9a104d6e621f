package main

import "context"

// cmdShow is not built yet; it arrives with its issue.
func cmdShow(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk show: not implemented yet")
}
