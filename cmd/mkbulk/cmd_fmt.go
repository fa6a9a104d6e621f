package main

import "context"

// cmdFmt is not built yet; it arrives with its issue.
func cmdFmt(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk fmt: not implemented yet")
}
