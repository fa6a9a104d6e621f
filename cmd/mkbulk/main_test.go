package main

import (
	"io/fs"
	"os"
	"path/filepath"
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
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"cpexamples": scriptCopyExamples,
}

// scriptCopyExamples is `cpexamples DIR`: copy the repository's examples/
// into DIR, so scripts validate, plan and apply what a newcomer reads.
func scriptCopyExamples(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cpexamples DIR")
	}
	src, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	ts.Check(err)
	dst := ts.MkAbs(args[0])
	ts.Check(filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	}))
}
