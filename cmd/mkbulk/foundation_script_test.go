package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands for validate, fmt, schema and init scripts:
//
//	cpexamples DIR   copy the repository's examples/ to DIR (shared with the
//	                 apply scripts; registered here too so these scripts do
//	                 not depend on them)
func init() {
	if _, ok := scriptCmds["cpexamples"]; !ok {
		scriptCmds["cpexamples"] = scriptCopyExamples
	}
}

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

// runMkbulk runs the CLI in-process in dir and returns its exit code and
// output. Scripts cannot tell exit codes apart, so the codes that matter
// to CI (fmt -check's 3) are tested here.
func runMkbulk(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = run(context.Background(), append([]string{"-chdir=" + dir}, args...), e)
	return code, out.String(), errb.String()
}

func TestFmtExitCodes(t *testing.T) {
	dir := t.TempDir()
	messy := "kind: Export\napiVersion: mkbulk/v1\n"
	os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(messy), 0o644)

	if code, out, _ := runMkbulk(t, dir, "fmt", "-check"); code != exitFmtDiff || out != "m.yaml\n" {
		t.Errorf("fmt -check on a messy file = %d, %q; want %d, \"m.yaml\\n\"", code, out, exitFmtDiff)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "m.yaml")); string(b) != messy {
		t.Errorf("fmt -check wrote the file")
	}
	if code, _, _ := runMkbulk(t, dir, "fmt"); code != exitOK {
		t.Errorf("fmt = %d, want 0", code)
	}
	if code, out, _ := runMkbulk(t, dir, "fmt", "-check"); code != exitOK || out != "" {
		t.Errorf("fmt -check after fmt = %d, %q; want 0 and no output", code, out)
	}
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("a:\n  b: 1\n c: 2\n"), 0o644)
	if code, _, errOut := runMkbulk(t, dir, "fmt", "-check"); code != exitError || !strings.Contains(errOut, "bad.yaml:3:2: invalid YAML") {
		t.Errorf("fmt -check with a broken file = %d, %q; want 1 and a positioned error", code, errOut)
	}
}

func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runMkbulk(t, dir, "validate"); code != exitError || !strings.Contains(errOut, "no manifests") {
		t.Errorf("validate in an empty dir = %d, %q", code, errOut)
	}
	if code, _, _ := runMkbulk(t, dir, "init"); code != exitOK {
		t.Fatalf("init = %d", code)
	}
	if code, out, _ := runMkbulk(t, dir, "validate"); code != exitOK || !strings.HasPrefix(out, "Success! 2 manifests are valid") {
		t.Errorf("validate after init = %d, %q", code, out)
	}
}
