package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mkbulk/mkbulk/statefile"
)

// staleLockProject makes a project whose state has a lock record left by a
// process that is gone, and returns its directory and the record's ID.
func staleLockProject(t *testing.T) (dir, id string) {
	t.Helper()
	dir = t.TempDir()
	path := filepath.Join(dir, ".mkbulk", "state.db")
	s, err := statefile.Open(path, statefile.Options{Operation: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	id = "0d9e3c1a-0000-4000-8000-00000000dead"
	stale := `{"id":"` + id + `","operation":"apply","who":"ops@ci","pid":99,"created":"2026-11-20T08:00:00Z"}`
	if err := os.WriteFile(path+".lock.json", []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, id
}

func runInDir(t *testing.T, dir, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = run(context.Background(), append([]string{"-chdir=" + dir}, args...), e)
	return code, out.String(), errb.String()
}

func TestForceUnlockPrompt(t *testing.T) {
	saved := forceUnlockIsTerminal
	forceUnlockIsTerminal = func(io.Reader) bool { return true }
	t.Cleanup(func() { forceUnlockIsTerminal = saved })

	for _, tc := range []struct {
		answer   string
		wantCode int
		wantOut  string
		wantErr  string
		unlocked bool
	}{
		{answer: "no\n", wantCode: exitError, wantErr: "Force-unlock cancelled"},
		{answer: "y\n", wantCode: exitError, wantErr: "Force-unlock cancelled"},
		{answer: "", wantCode: exitError, wantErr: "Force-unlock cancelled"},
		{answer: "yes\n", wantCode: exitOK, wantOut: "successfully unlocked", unlocked: true},
	} {
		t.Run(strings.TrimSpace(tc.answer), func(t *testing.T) {
			dir, id := staleLockProject(t)
			code, out, errOut := runInDir(t, dir, tc.answer, "force-unlock", id)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, %q, %q", code, out, errOut, tc.wantCode, tc.wantOut, tc.wantErr)
			}
			for _, want := range []string{"Do you really want to force-unlock?", "apply by ops@ci, PID 99", "Enter a value:"} {
				if !strings.Contains(out, want) {
					t.Errorf("prompt lacks %q:\n%s", want, out)
				}
			}
			info, err := statefile.ReadLock(filepath.Join(dir, ".mkbulk", "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			if (info == nil) != tc.unlocked {
				t.Errorf("after answering %q the lock record is %+v", tc.answer, info)
			}
		})
	}

	// -input=false never prompts, terminal or not.
	dir, id := staleLockProject(t)
	code, out, errOut := runInDir(t, dir, "yes\n", "-input=false", "force-unlock", id)
	if code != exitError || strings.Contains(out, "Enter a value") || !strings.Contains(errOut, "-force") {
		t.Errorf("-input=false: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestOpenStateWarnsOnceForWriters(t *testing.T) {
	dir, id := staleLockProject(t)
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, getenv: func(string) string { return "" }}
	e.globals.chdir = dir
	var warn bytes.Buffer
	e.stderr = &warn
	s, err := openState(e, "plan", false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), id) || strings.Contains(warn.String(), "force-unlock") {
		t.Errorf("writer's warning:\n%s", warn.String())
	}
	if s.Lock() == nil || s.Lock().Operation != "plan" || s.Lock().Version != mkbulkVersion() {
		t.Errorf("lock record %+v", s.Lock())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	warn.Reset()
	s, err = openState(e, "show", true)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if warn.Len() != 0 {
		t.Errorf("warned again after a writer replaced the record:\n%s", warn.String())
	}
}
