package main

import "context"

// cmdForceUnlock is not built yet; it arrives with its issue.
func cmdForceUnlock(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk force-unlock: not implemented yet")
}
