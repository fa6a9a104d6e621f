package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real mkbulk binary: the test binary
// re-executes itself as "mkbulk" inside scripts.
func TestMain(m *testing.M) {
	// main itself, signal handling included, so scripts can interrupt it.
	testscript.Main(m, map[string]func(){"mkbulk": main})
}

// TestScripts runs cmd/mkbulk/testdata/script/*.txtar end to end.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

// scriptParams is shared by every script suite: the project's examples are
// reachable as $EXAMPLES, and extra commands (such as an in-process sandbox)
// are registered in scriptCmds.
func scriptParams(t *testing.T, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: false,
		Setup: func(env *testscript.Env) error {
			env.Setenv("MKBULK_LOG", "")
			return nil
		},
		Cmds: scriptCmds,
	}
}

// scriptCmds are custom testscript commands; features register theirs in
// init functions of their own _test.go files.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}
