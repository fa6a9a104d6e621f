package statefile

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Test for them with errors.Is; the typed errors below
// wrap them and carry the details.
var (
	// ErrNoState is returned by Open when the file is missing or empty and
	// the caller asked not to create it (ReadOnly or MustExist). It is not
	// a failure for `plan` (nothing applied yet), only for commands that
	// inspect existing state.
	ErrNoState = errors.New("no state file")

	// ErrLocked is returned by Open when another process holds the state's
	// file lock for longer than Options.LockTimeout, and by ForceUnlock
	// when the lock is held by a live process. The error is a *LockedError
	// naming the holder when its lock record could be read.
	ErrLocked = errors.New("state file is locked by another mkbulk process")

	// ErrVersion is returned when the file or one record was written in a
	// newer format than this build understands. The error is a
	// *VersionError; the fix is to upgrade mkbulk.
	ErrVersion = errors.New("state format is newer than this mkbulk")

	// ErrReadOnly is returned by writes to a State opened with ReadOnly.
	ErrReadOnly = errors.New("state is open read-only")

	// ErrClosed is returned by any method called after Close.
	ErrClosed = errors.New("state is closed")

	// ErrNotLocked is returned by ForceUnlock when there is no lock record
	// to remove.
	ErrNotLocked = errors.New("state is not locked")

	// ErrLockMismatch is returned by ForceUnlock when the ID given is not
	// the ID of the current lock record, so a lock taken since the user
	// looked is never removed by mistake.
	ErrLockMismatch = errors.New("lock ID does not match")
)

// LockedError is the error of an Open that could not take the lock. Info is
// the holder's lock record, nil when there is none to read (a read-only
// command such as `mkbulk show` holds a shared lock without a record, or
// the holder is between taking the lock and writing its record).
type LockedError struct {
	Path string
	Info *LockInfo
}

func (e *LockedError) Error() string {
	var b strings.Builder
	b.WriteString(ErrLocked.Error())
	if e.Info != nil {
		fmt.Fprintf(&b, " (ID %s: %s by %s, PID %d, since %s)", e.Info.ID, e.Info.Operation,
			e.Info.Who, e.Info.PID, e.Info.Created.Format("2006-01-02 15:04:05 MST"))
	}
	fmt.Fprintf(&b, ": %s", e.Path)
	return b.String()
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// UnusableStateError is a state file that exists but cannot be read: not a
// bbolt file, missing buckets, a corrupt meta value, or (with Address set)
// one record whose JSON does not decode. Err is the cause.
type UnusableStateError struct {
	Path    string
	Address string
	Err     error
}

func (e *UnusableStateError) Error() string {
	if e.Address != "" {
		return fmt.Sprintf("state %s is unusable: record %s: %v", e.Path, e.Address, e.Err)
	}
	return fmt.Sprintf("state %s is unusable: %v", e.Path, e.Err)
}

func (e *UnusableStateError) Unwrap() error { return e.Err }

// VersionError is a state file (Address empty) or one record (Address set)
// written in a newer format than this build reads.
type VersionError struct {
	Path      string
	Address   string
	Found     int
	Supported int
	// WrittenBy is the mkbulk version recorded in the file, when known.
	WrittenBy string
}

func (e *VersionError) Error() string {
	what := "state"
	if e.Address != "" {
		what = "state record " + e.Address
	}
	by := ""
	if e.WrittenBy != "" {
		by = ", mkbulk " + e.WrittenBy
	}
	return fmt.Sprintf("%s was written by a newer mkbulk (format %d%s; this build reads format %d); upgrade mkbulk: %s",
		what, e.Found, by, e.Supported, e.Path)
}

// Unwrap makes errors.Is(err, ErrVersion) true.
func (e *VersionError) Unwrap() error { return ErrVersion }
