package main

import "context"

// cmdDestroy is not built yet; it arrives with its issue.
func cmdDestroy(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk destroy: not implemented yet")
}
