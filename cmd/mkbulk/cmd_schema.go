package main

import (
	"context"
	"fmt"

	"github.com/mkbulk/mkbulk/schema"
)

// cmdSchema prints the manifest JSON Schema, for editors: save it and point
// yaml-language-server at it with
//
//	# yaml-language-server: $schema=./mkbulk.schema.json
func cmdSchema(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "schema", "")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "mkbulk schema takes no arguments; redirect its output to a file: mkbulk schema > mkbulk.schema.json")
		return exitError
	}
	if _, err := e.stdout.Write(schema.JSON()); err != nil {
		return e.errorf("%v", err)
	}
	return exitOK
}
