package main

import "context"

// cmdValidate is not built yet; it arrives with its issue.
func cmdValidate(ctx context.Context, e *env, args []string) int {
	return e.errorf("mkbulk validate: not implemented yet")
}
