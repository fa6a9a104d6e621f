package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCallHistory: recorded calls come back to the next process, stale and
// torn lines are dropped and the file is rewritten without them.
func TestCallHistory(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	h := &callHistory{path: filepath.Join(t.TempDir(), callHistoryName)}
	if got := h.load(now); got != nil {
		t.Fatalf("no file: loaded %v", got)
	}
	recent := []time.Time{now.Add(-15 * time.Second), now.Add(-2 * time.Second)}
	h.record(now.Add(-time.Hour))
	for _, c := range recent {
		h.record(c)
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("1790000") // a line torn by a kill mid-write
	f.Close()

	got := h.load(now)
	if diff := cmp.Diff(recent, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("loaded (-want +got):\n%s", diff)
	}
	data, _ := os.ReadFile(h.path)
	want := strconv.FormatInt(recent[0].UnixNano(), 10) + "\n" + strconv.FormatInt(recent[1].UnixNano(), 10) + "\n"
	if string(data) != want {
		t.Errorf("rewritten file %q, want %q", data, want)
	}
	if fi, err := os.Stat(h.path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode: %v %v", fi.Mode(), err)
	}
}

// TestCallHistoryOnlyInProjects: no state directory, no history file.
func TestCallHistoryOnlyInProjects(t *testing.T) {
	dir := t.TempDir()
	e := &env{getenv: func(string) string { return "" }}
	e.globals.chdir = dir
	if callHistoryOption(e) != nil {
		t.Error("a call history outside a project")
	}
	if err := os.Mkdir(filepath.Join(dir, ".mkbulk"), 0o700); err != nil {
		t.Fatal(err)
	}
	if callHistoryOption(e) == nil {
		t.Error("no call history beside the state file")
	}
}
