package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// failFast is the lock timeout used for Options.LockTimeout 0. bbolt reads
// a zero Timeout as "wait forever"; mkbulk's -lock-timeout=0s means "do not
// wait", so one non-blocking attempt is made (bbolt retries every 50 ms, and
// any timeout under that gives up after the first try).
const failFast = time.Millisecond

// Options configure Open.
type Options struct {
	// LockTimeout is how long to wait for another process to release the
	// state's file lock; 0 fails at once with ErrLocked.
	LockTimeout time.Duration
	// Operation ("plan", "apply", "state rm") and Version (the mkbulk
	// version) go into the lock record, so a blocked process can say who
	// holds the lock; Version is also stored as the last writer's version.
	Operation, Version string
	// ReadOnly opens with a shared lock (several readers, no writer), never
	// creates the file, and makes writes fail with ErrReadOnly. A missing
	// or empty file is ErrNoState.
	ReadOnly bool
	// MustExist makes a read-write Open return ErrNoState instead of
	// creating a missing state, for commands that edit existing state
	// (`state rm`, `force-unlock`).
	MustExist bool
}

// State is an open state file. It holds bbolt's file lock until Close: an
// exclusive lock when read-write, a shared one when ReadOnly. Its methods
// are safe for concurrent use; each write is its own bbolt transaction,
// durable (fsynced) when the method returns.
type State struct {
	path string
	opts Options
	db   *bolt.DB

	mu       sync.Mutex // guards everything below and orders writes
	closed   bool
	lineage  string
	serial   uint64
	lock     *LockInfo // this process's lock record; nil when ReadOnly
	stale    *LockInfo // a record left by a process that died holding the lock
	backedUp bool      // the backup of the state before our first write exists
}

// Open opens the state file at path, creating it (and its parent
// directory, mode 0700) with mode 0600 unless opts.ReadOnly or
// opts.MustExist. It takes bbolt's file lock, waiting up to
// opts.LockTimeout; when another process holds it, the error is a
// *LockedError naming the holder. A read-write Open writes a lock record
// (a sidecar file path+".lock.json" and the lock bucket) that Close removes.
func Open(path string, opts Options) (*State, error) {
	if path == "" {
		return nil, errors.New("statefile: open: empty path")
	}
	exists, err := nonEmptyFile(path)
	if err != nil {
		return nil, fmt.Errorf("statefile: open %s: %w", path, err)
	}
	if !exists && (opts.ReadOnly || opts.MustExist) {
		return nil, fmt.Errorf("statefile: open %s: %w", path, ErrNoState)
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("statefile: open %s: %w", path, err)
		}
	}
	db, err := openBolt(path, opts.LockTimeout, opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	s := &State{path: path, opts: opts, db: db}
	// The previous holder's sidecar, if any, is stale: we hold the lock.
	s.stale = readSidecar(path)
	if !opts.ReadOnly {
		s.lock = newLockInfo(path, opts)
		// Written first, so a process blocked from now on can name us.
		if err := writeSidecar(path, s.lock); err != nil {
			db.Close()
			return nil, fmt.Errorf("statefile: open %s: lock record: %w", path, err)
		}
		tightenMode(path)
	}
	if err := s.load(); err != nil {
		if s.lock != nil {
			removeSidecar(path, s.lock.ID)
		}
		db.Close()
		return nil, err
	}
	return s, nil
}

// openBolt opens the bbolt file, mapping bbolt's errors onto ours.
func openBolt(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	if timeout <= 0 {
		timeout = failFast
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &LockedError{Path: path, Info: readSidecar(path)}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return nil, &UnusableStateError{Path: path, Err: fmt.Errorf("not a readable bbolt file: %w", err)}
	}
	return nil, fmt.Errorf("statefile: open %s: %w", path, err)
}

// load checks the format, initialises a new state and (read-write) swaps
// in this process's lock record, in one transaction.
func (s *State) load() error {
	if s.opts.ReadOnly {
		return s.db.View(func(tx *bolt.Tx) error {
			if tx.Bucket([]byte(bucketMeta)) == nil {
				if isEmpty(tx) {
					return fmt.Errorf("statefile: open %s: %w", s.path, ErrNoState)
				}
				return &UnusableStateError{Path: s.path, Err: errors.New(`no "meta" bucket: not an mkbulk state file`)}
			}
			if err := s.readMeta(tx); err != nil {
				return err
			}
			if info := readLockBucket(tx); info != nil {
				s.stale = info
			}
			return nil
		})
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		if meta == nil {
			if !isEmpty(tx) {
				return &UnusableStateError{Path: s.path, Err: errors.New(`no "meta" bucket: not an mkbulk state file`)}
			}
			if s.opts.MustExist {
				return fmt.Errorf("statefile: open %s: %w", s.path, ErrNoState)
			}
			if err := s.initMeta(tx); err != nil {
				return err
			}
		} else if err := s.readMeta(tx); err != nil {
			return err
		}
		for _, name := range []string{bucketResources, bucketLedger, bucketLock} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		lock := tx.Bucket([]byte(bucketLock))
		if info := readLockBucket(tx); info != nil {
			s.stale = info
		}
		return lock.Put([]byte(keyLock), s.lock.encode())
	})
}

// initMeta creates the meta bucket of a new state with a fresh lineage.
func (s *State) initMeta(tx *bolt.Tx) error {
	meta, err := tx.CreateBucket([]byte(bucketMeta))
	if err != nil {
		return err
	}
	s.lineage = uuid.NewString()
	s.serial = 0
	for k, v := range map[string]string{
		keyFormatVersion: strconv.Itoa(FormatVersion),
		keyLineage:       s.lineage,
		keySerial:        "0",
		keyMkbulkVersion: s.opts.Version,
	} {
		if err := meta.Put([]byte(k), []byte(v)); err != nil {
			return err
		}
	}
	return nil
}

// readMeta checks format_version before anything else is read, then
// caches lineage and serial.
func (s *State) readMeta(tx *bolt.Tx) error {
	meta := tx.Bucket([]byte(bucketMeta))
	raw := meta.Get([]byte(keyFormatVersion))
	format, err := strconv.Atoi(string(raw))
	if err != nil || format < 1 {
		return &UnusableStateError{Path: s.path, Err: fmt.Errorf("bad format_version %q", raw)}
	}
	if format > FormatVersion {
		return &VersionError{Path: s.path, Found: format, Supported: FormatVersion,
			WrittenBy: string(meta.Get([]byte(keyMkbulkVersion)))}
	}
	lineage := string(meta.Get([]byte(keyLineage)))
	if lineage == "" {
		return &UnusableStateError{Path: s.path, Err: errors.New("no lineage")}
	}
	serial, err := readSerial(meta)
	if err != nil {
		return &UnusableStateError{Path: s.path, Err: err}
	}
	s.lineage, s.serial = lineage, serial
	return nil
}

func readSerial(meta *bolt.Bucket) (uint64, error) {
	raw := meta.Get([]byte(keySerial))
	n, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad serial %q", raw)
	}
	return n, nil
}

// isEmpty reports whether the file has no buckets at all: a bbolt file
// created by an Open that died before its first transaction.
func isEmpty(tx *bolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

// nonEmptyFile reports whether path exists with content. A zero-length
// file counts as no state, as Terraform treats an empty state file.
func nonEmptyFile(path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.IsDir() {
		return false, fmt.Errorf("is a directory")
	}
	return fi.Size() > 0, nil
}

// tightenMode makes an existing state file 0600 if it was created looser
// (by hand or an older tool); state names files and job ids of the
// instance and is nobody else's business. Best effort.
func tightenMode(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(path, 0o600)
	}
}

// Close removes this process's lock record and releases the file lock.
// Calling it again does nothing.
func (s *State) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.lock != nil {
		errs = append(errs, s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte(bucketLock))
			if b == nil {
				return nil
			}
			if cur := readLockBucket(tx); cur != nil && cur.ID != s.lock.ID {
				return nil // someone force-unlocked and relocked; not ours
			}
			return b.Delete([]byte(keyLock))
		}))
		// Removed while we still hold the file lock, so the next holder's
		// sidecar is never the one deleted.
		removeSidecar(s.path, s.lock.ID)
	}
	errs = append(errs, s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("statefile: close %s: %w", s.path, err)
	}
	return nil
}

// Path is the state file's path as given to Open.
func (s *State) Path() string { return s.path }

// Lineage is the state's UUID, fixed when it was created.
func (s *State) Lineage() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lineage
}

// Serial counts committed writes (Put, Delete, AddLedger) over the state's
// life; a saved plan records it and goes stale when it moves.
func (s *State) Serial() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serial
}

// Lock is this process's lock record; nil when ReadOnly.
func (s *State) Lock() *LockInfo {
	if s.lock == nil {
		return nil
	}
	c := *s.lock
	return &c
}

// StaleLock is the lock record a previous process left behind when it died
// without Close (killed, crashed, power lost), or nil. It never blocks
// Open: the OS released that process's file lock, which is the lock that
// counts. Commands print it as a warning; a read-write Open replaces it
// and `mkbulk force-unlock` removes it.
func (s *State) StaleLock() *LockInfo {
	if s.stale == nil {
		return nil
	}
	c := *s.stale
	return &c
}
