package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/mkbulk/mkbulk/statefile"
)

// forceUnlockIsTerminal reports whether the confirmation prompt can be
// shown; a variable so tests can answer the prompt without a terminal.
var forceUnlockIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// cmdForceUnlock removes a lock record by ID (Terraform's force-unlock).
//
// mkbulk's lock is the kernel's file lock on the state, which dies with its
// process, so a killed apply never blocks the next command; what it leaves
// is a stale lock record, reported as a warning, that this removes. A lock
// held by a live process cannot be removed from outside: the command says
// which process to stop instead.
func cmdForceUnlock(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "force-unlock", "LOCK_ID")
	force := fs.Bool("force", false, "do not ask for confirmation")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError
	}
	id := fs.Arg(0)
	path, err := e.statePath()
	if err != nil {
		return e.errorf("%s", err)
	}
	if !*force {
		if !e.globals.input || !forceUnlockIsTerminal(e.stdin) {
			return e.errorf("force-unlock needs confirmation and there is no terminal to ask on\n" +
				"(or -input=false was given). If you are sure no mkbulk is using the state, re-run with -force.")
		}
		info, _ := statefile.ReadLock(path)
		if !confirmForceUnlock(e, id, info) {
			return e.errorf("Force-unlock cancelled. The lock record was kept.")
		}
	}
	err = statefile.ForceUnlock(path, id)
	var locked *statefile.LockedError
	switch {
	case err == nil:
		fmt.Fprint(e.stdout, "mkbulk state has been successfully unlocked!\n\n"+
			"The lock record was removed, and mkbulk commands will no longer report it.\n")
		return exitOK
	case errors.As(err, &locked):
		return e.errorf("%s", liveLockMessage(locked.Info))
	case errors.Is(err, statefile.ErrLockMismatch):
		cur, _ := statefile.ReadLock(path)
		msg := fmt.Sprintf("Failed to unlock state: lock ID %q does not match the state's lock record", id)
		if cur != nil {
			msg += fmt.Sprintf(" (ID %s: %s by %s, PID %d)", cur.ID, cur.Operation, cur.Who, cur.PID)
		}
		return e.errorf("%s.\nNothing was changed.", msg)
	case errors.Is(err, statefile.ErrNotLocked):
		return e.errorf("Failed to unlock state: %s is not locked (there is no lock record to remove).", path)
	}
	return e.errorf("Failed to unlock state: %s", explainStateError(path, err))
}

// confirmForceUnlock asks, Terraform-style, and accepts only "yes".
func confirmForceUnlock(e *env, id string, info *statefile.LockInfo) bool {
	fmt.Fprintf(e.stdout, "Do you really want to force-unlock?\n")
	fmt.Fprintf(e.stdout, "  mkbulk will remove the lock record %s", id)
	if info != nil && info.ID == id {
		fmt.Fprintf(e.stdout, "\n  (%s by %s, PID %d, started %s)", info.Operation, info.Who, info.PID,
			info.Created.UTC().Format(time.RFC3339))
	}
	fmt.Fprint(e.stdout, ".\n  Do this only if that mkbulk process is no longer running.\n"+
		"  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ")
	answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
	fmt.Fprintln(e.stdout)
	return strings.TrimSpace(answer) == "yes"
}

// liveLockMessage explains why a lock held by a running process stays.
func liveLockMessage(l *statefile.LockInfo) string {
	if l == nil {
		return "Failed to unlock state: a running process holds the state's file lock and has\n" +
			"written no lock record (a read-only command such as mkbulk show, or one just\n" +
			"starting). The lock is released when that process exits; try again in a moment."
	}
	return fmt.Sprintf("Failed to unlock state: lock %s is held by a running process\n"+
		"  Operation: %s\n  Who: %s\n  PID: %d\n  Created: %s\n"+
		"The kernel releases this lock when that process exits; removing its record would only\n"+
		"hide who holds it. Stop that process (for example: kill %d, on %s), and the state is\n"+
		"unlocked; there is nothing to force.",
		l.ID, l.Operation, l.Who, l.PID, l.Created.UTC().Format(time.RFC3339), l.PID, hostOf(l.Who))
}

func hostOf(who string) string {
	if i := strings.LastIndexByte(who, '@'); i >= 0 {
		return who[i+1:]
	}
	return "its host"
}
