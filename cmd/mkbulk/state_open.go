package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/statefile"
)

// openState opens the project's state (-state, else .mkbulk/state.db) for
// the named operation ("plan", "apply", "state list"), waiting for the lock
// up to -lock-timeout. readOnly is for commands that only look: they share
// the lock with each other and never create the file (a missing state is
// then statefile.ErrNoState, still testable with errors.Is). Errors read
// well after "Error: "; a lock held by another process names it.
func openState(e *env, op string, readOnly bool) (*statefile.State, error) {
	return openStateWith(e, statefile.Options{Operation: op, ReadOnly: readOnly})
}

// openStateWith is openState with the other statefile options (MustExist).
func openStateWith(e *env, opts statefile.Options) (*statefile.State, error) {
	path, err := e.statePath()
	if err != nil {
		return nil, err
	}
	opts.LockTimeout = e.globals.lockTimeout
	opts.Version = mkbulkVersion()
	s, err := statefile.Open(path, opts)
	if err != nil {
		return nil, explainStateError(path, err)
	}
	if l := s.StaleLock(); l != nil {
		warnStaleLock(e, l, opts.ReadOnly)
	}
	return s, nil
}

// stateError is a statefile error reworded for the terminal; errors.Is and
// errors.As still see the statefile error.
type stateError struct {
	msg string
	err error
}

func (e *stateError) Error() string { return e.msg }
func (e *stateError) Unwrap() error { return e.err }

// explainStateError turns what statefile.Open (and reads of records)
// return into what a user can act on.
func explainStateError(path string, err error) error {
	var (
		locked   *statefile.LockedError
		unusable *statefile.UnusableStateError
	)
	switch {
	case errors.As(err, &locked):
		return &stateError{msg: lockedMessage(locked.Info), err: err}
	case errors.Is(err, statefile.ErrNoState):
		return &stateError{msg: fmt.Sprintf("No state file was found at %s.\n\n"+
			"State commands need an existing state: run them in a project where mkbulk apply\n"+
			"has run, or point -state=PATH at one.", path), err: err}
	case errors.As(err, &unusable):
		msg := err.Error()
		if unusable.Address != "" {
			msg += fmt.Sprintf("\nTo drop that record and keep the rest of the state: mkbulk state rm '%s'", unusable.Address)
		} else if _, serr := os.Stat(path + ".backup"); serr == nil {
			msg += fmt.Sprintf("\nThe state as it was before the last mkbulk run that changed it is in %s.backup;\n"+
				"inspect it with mkbulk -state=%s.backup state list, and restore it by moving it over %s.", path, path, path)
		}
		return &stateError{msg: msg, err: err}
	}
	return err
}

// lockedMessage is the refusal of a command that found the state locked.
func lockedMessage(l *statefile.LockInfo) string {
	var b strings.Builder
	b.WriteString("state file is locked by another mkbulk process\n")
	if l == nil {
		b.WriteString("  (no lock record: the holder is a read-only command such as mkbulk show,\n" +
			"  or is just starting)\n")
		b.WriteString("Try again in a moment, or wait for the lock with -lock-timeout=DURATION.")
		return b.String()
	}
	fmt.Fprintf(&b, "  ID: %s\n", l.ID)
	fmt.Fprintf(&b, "  Path: %s\n", l.Path)
	fmt.Fprintf(&b, "  Operation: %s\n", l.Operation)
	fmt.Fprintf(&b, "  Who: %s\n", l.Who)
	fmt.Fprintf(&b, "  PID: %d\n", l.PID)
	fmt.Fprintf(&b, "  Created: %s\n", l.Created.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "  Version: %s\n", l.Version)
	b.WriteString("Wait for it to finish (or wait for the lock with -lock-timeout=DURATION).\n")
	fmt.Fprintf(&b, "If you are sure no mkbulk is running, use: mkbulk force-unlock %s", l.ID)
	return b.String()
}

// warnStaleLock reports a lock record left by a process that died holding
// the lock. It blocked nothing (the kernel released that process's lock);
// it is worth knowing because that run stopped part way.
func warnStaleLock(e *env, l *statefile.LockInfo, readOnly bool) {
	fmt.Fprintf(e.stderr, "Warning: a previous mkbulk %s ended without releasing the state lock;\n"+
		"it was probably killed or crashed. What it recorded is kept: mkbulk apply resumes\n"+
		"where it stopped.\n  ID: %s\n  Who: %s\n  PID: %d\n  Created: %s\n",
		l.Operation, l.ID, l.Who, l.PID, l.Created.UTC().Format(time.RFC3339))
	if readOnly {
		fmt.Fprintf(e.stderr, "To clear this warning: mkbulk force-unlock %s\n", l.ID)
	}
	fmt.Fprintln(e.stderr)
}
