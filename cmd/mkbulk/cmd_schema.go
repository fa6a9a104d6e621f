package main

import "context"

// cmdSchema is not built yet; it arrives with its issue.
func cmdSchema(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk schema: not implemented yet")
}
