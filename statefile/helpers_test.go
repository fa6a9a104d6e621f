package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// mustOpen opens (creating) a read-write state under t.TempDir() and, when
// the test ends, closes it and re-opens the file to check the invariants
// every state must keep: the lineage never changes, the serial never goes
// back, the file is mode 0600, and Close left no lock record behind.
func mustOpen(t *testing.T, path string) *State {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), ".mkbulk", "state.db")
	}
	s, err := Open(path, Options{Operation: "test", Version: "v0.0.0-test"})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	lineage, serial := s.Lineage(), s.Serial()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		checkInvariants(t, path, lineage, serial)
	})
	return s
}

func checkInvariants(t *testing.T, path, lineage string, minSerial uint64) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("invariant: stat state: %v", err)
		return
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("invariant: state file mode %o, want 600", got)
	}
	if _, err := os.Stat(sidecarPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("invariant: lock sidecar left after Close (stat err %v)", err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Errorf("invariant: re-open read-only: %v", err)
		return
	}
	defer r.Close()
	if r.Lineage() != lineage {
		t.Errorf("invariant: lineage changed from %s to %s", lineage, r.Lineage())
	}
	if r.Serial() < minSerial {
		t.Errorf("invariant: serial went back from %d to %d", minSerial, r.Serial())
	}
	if l := r.StaleLock(); l != nil {
		t.Errorf("invariant: lock record %+v left after Close", *l)
	}
	if _, err := r.Snapshot(); err != nil {
		t.Errorf("invariant: snapshot after re-open: %v", err)
	}
}

// crash releases the file lock the way a killed process does: without
// Close, so the lock records stay behind.
func crash(t *testing.T, s *State) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
}
