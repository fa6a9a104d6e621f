package main

import "context"

// cmdSandbox is not built yet; it arrives with its issue.
func cmdSandbox(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk sandbox: not implemented yet")
}
