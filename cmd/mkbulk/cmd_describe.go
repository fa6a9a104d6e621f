package main

import "context"

// cmdDescribe is not built yet; it arrives with its issue.
func cmdDescribe(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk describe: not implemented yet")
}
