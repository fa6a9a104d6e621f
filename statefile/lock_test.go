package statefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSecondOpenInProcessIsLockedAndNamesHolder(t *testing.T) {
	// bbolt's flock belongs to the open file description, so two Opens in
	// one process exclude each other just as two processes do.
	path := filepath.Join(t.TempDir(), "state.db")
	holder := mustOpen(t, path)

	start := time.Now()
	_, err := Open(path, Options{Operation: "plan"})
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("LockTimeout 0 waited %v; want fail fast", elapsed)
	}
	var locked *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &locked) {
		t.Fatalf("second Open = %v, want *LockedError", err)
	}
	if d := cmp.Diff(holder.Lock(), locked.Info); d != "" {
		t.Errorf("lock info seen by the blocked Open (-holder +seen):\n%s", d)
	}
	if locked.Info.Operation != "test" || locked.Info.PID != os.Getpid() || !strings.Contains(locked.Info.Who, "@") {
		t.Errorf("lock info %+v", *locked.Info)
	}
	if !strings.Contains(err.Error(), holder.Lock().ID) {
		t.Errorf("error %q does not name the lock ID", err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Errorf("reader while a writer holds the state: %v, want ErrLocked", err)
	}
	if got, err := ReadLock(path); err != nil || got == nil || got.ID != holder.Lock().ID {
		t.Errorf("ReadLock = %+v, %v; want the holder's record", got, err)
	}
}

func TestLockTimeoutWaitsForRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	holder, err := Open(path, Options{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	// A short timeout waits about that long, then reports the holder.
	start := time.Now()
	if _, err := Open(path, Options{LockTimeout: 300 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open with a timeout while locked = %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("LockTimeout 300ms gave up after %v", waited)
	}

	type result struct {
		s   *State
		err error
	}
	done := make(chan result)
	go func() {
		s, err := Open(path, Options{Operation: "plan", LockTimeout: 30 * time.Second})
		done <- result{s, err}
	}()
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("waiting Open: %v", r.err)
	}
	if r.s.StaleLock() != nil {
		t.Errorf("a clean Close left a stale lock: %+v", r.s.StaleLock())
	}
	r.s.Close()
}

func TestStaleLockAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	dead, err := Open(path, Options{Operation: "apply", Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	deadLock := dead.Lock()
	crash(t, dead)

	// A reader does not take over the record; it only reports it.
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	if d := cmp.Diff(deadLock, r.StaleLock()); d != "" {
		t.Errorf("reader's stale lock (-dead +seen):\n%s", d)
	}
	r.Close()
	if got, err := ReadLock(path); err != nil || got == nil || got.ID != deadLock.ID {
		t.Errorf("ReadLock after crash = %+v, %v", got, err)
	}

	if err := ForceUnlock(path, "not-the-id"); !errors.Is(err, ErrLockMismatch) || !strings.Contains(err.Error(), deadLock.ID) {
		t.Errorf("ForceUnlock(wrong id) = %v, want ErrLockMismatch naming %s", err, deadLock.ID)
	}
	if err := ForceUnlock(path, deadLock.ID); err != nil {
		t.Fatalf("ForceUnlock: %v", err)
	}
	if got, err := ReadLock(path); got != nil || err != nil {
		t.Errorf("ReadLock after force-unlock = %+v, %v", got, err)
	}
	if err := ForceUnlock(path, deadLock.ID); !errors.Is(err, ErrNotLocked) {
		t.Errorf("second ForceUnlock = %v, want ErrNotLocked", err)
	}
	s := mustOpen(t, path)
	if s.StaleLock() != nil {
		t.Errorf("stale lock survived force-unlock: %+v", s.StaleLock())
	}
}

func TestWriterReplacesStaleLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	dead, err := Open(path, Options{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	deadID := dead.Lock().ID
	crash(t, dead)
	s := mustOpen(t, path) // its invariants check no record is left after Close
	if s.StaleLock() == nil || s.StaleLock().ID != deadID {
		t.Errorf("StaleLock = %+v, want the dead holder's %s", s.StaleLock(), deadID)
	}
	if got, _ := ReadLock(path); got == nil || got.ID != s.Lock().ID {
		t.Errorf("sidecar after takeover = %+v, want ours", got)
	}
}

func TestForceUnlockRefusesLiveHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	holder := mustOpen(t, path)
	err := ForceUnlock(path, holder.Lock().ID)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Info == nil || locked.Info.ID != holder.Lock().ID {
		t.Fatalf("ForceUnlock(live holder) = %v, want *LockedError naming it", err)
	}
	if err := ForceUnlock(path, "other"); !errors.Is(err, ErrLockMismatch) {
		t.Errorf("ForceUnlock(live, wrong id) = %v, want ErrLockMismatch", err)
	}
	if got, _ := ReadLock(path); got == nil {
		t.Error("refused force-unlock removed the live holder's record")
	}
}

func TestForceUnlockWithoutState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := ForceUnlock(path, "x"); !errors.Is(err, ErrNotLocked) {
		t.Errorf("ForceUnlock(no state) = %v, want ErrNotLocked", err)
	}
	if got, err := ReadLock(path); got != nil || err != nil {
		t.Errorf("ReadLock(no state) = %+v, %v", got, err)
	}
}

// TestHelperHoldLock is not a test: TestLockAcrossProcesses runs the test
// binary again with STATEFILE_HOLD set, and this opens that state, says
// "locked ID", and holds the lock until killed (or its stdin closes, so
// it never outlives the test).
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv("STATEFILE_HOLD")
	if path == "" {
		t.Skip("helper process for TestLockAcrossProcesses")
	}
	s, err := Open(path, Options{Operation: "apply", Version: "v-helper"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if err := s.Put(exportRecord("export.from-helper")); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("locked", s.Lock().ID)
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

func TestLockAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "STATEFILE_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "locked ") {
		t.Fatalf("helper said %q, %v", line, err)
	}
	id := strings.TrimSpace(strings.TrimPrefix(line, "locked "))

	_, err = Open(path, Options{Operation: "plan"})
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Info == nil {
		t.Fatalf("Open while another process holds the lock = %v, want *LockedError with info", err)
	}
	if locked.Info.ID != id || locked.Info.PID != cmd.Process.Pid || locked.Info.Operation != "apply" || locked.Info.Version != "v-helper" {
		t.Errorf("holder info %+v; want ID %s, PID %d", *locked.Info, id, cmd.Process.Pid)
	}
	if err := ForceUnlock(path, id); !errors.Is(err, ErrLocked) {
		t.Errorf("ForceUnlock of a live process's lock = %v, want ErrLocked", err)
	}

	// SIGKILL: the kernel releases the flock; the record stays, stale.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	s := mustOpen(t, path)
	if s.StaleLock() == nil || s.StaleLock().ID != id {
		t.Errorf("StaleLock after the holder was killed = %+v, want %s", s.StaleLock(), id)
	}
	if _, ok, err := s.Get("export.from-helper"); !ok || err != nil {
		t.Errorf("the killed process's committed write is missing: %v, %v", ok, err)
	}
}
