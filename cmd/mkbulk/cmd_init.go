package main

import "context"

// cmdInit is not built yet; it arrives with its issue.
func cmdInit(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk init: not implemented yet")
}
