package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
