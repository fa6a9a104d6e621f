package statefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// LockInfo says who holds (or held) the state's lock.
//
// Locking has two parts. The lock that counts is bbolt's flock on the state
// file: the kernel gives it to one read-write process (or several
// read-only ones) and releases it when that process exits, however it
// exits, so a crashed apply never blocks the next one. The lock record is
// information about the holder, written by a read-write Open to two
// places: the sidecar file path+".lock.json", which a blocked process can
// read although it cannot open the flocked database, and the database's
// lock bucket, which survives with the state. Close removes both; records
// found by a later Open are stale (State.StaleLock).
type LockInfo struct {
	ID        string    `json:"id"`
	Path      string    `json:"path"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"` // user@host
	Version   string    `json:"version"`
	Created   time.Time `json:"created"`
	PID       int       `json:"pid"`
}

func newLockInfo(path string, opts Options) *LockInfo {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return &LockInfo{
		ID:        uuid.NewString(),
		Path:      abs,
		Operation: opts.Operation,
		Who:       whoAmI(),
		Version:   opts.Version,
		Created:   time.Now().UTC().Truncate(time.Second),
		PID:       os.Getpid(),
	}
}

// whoAmI is "user@host", with "unknown" for either part that cannot be found.
func whoAmI() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return name + "@" + host
}

func (l *LockInfo) encode() []byte {
	b, _ := json.Marshal(l) // a struct of strings, ints and a time: cannot fail
	return b
}

func decodeLockInfo(b []byte) *LockInfo {
	var l LockInfo
	if json.Unmarshal(b, &l) != nil || l.ID == "" {
		return nil
	}
	return &l
}

func sidecarPath(path string) string { return path + lockSidecarSuffix }

// readSidecar returns the sidecar's record, or nil when there is none or it
// cannot be read (a holder killed while writing it).
func readSidecar(path string) *LockInfo {
	b, err := os.ReadFile(sidecarPath(path))
	if err != nil {
		return nil
	}
	return decodeLockInfo(b)
}

// writeSidecar replaces the sidecar atomically (temp file + rename), so a
// reader sees the old record or the new one, never half of one. It is not
// fsynced: it is information, and a torn one after a power loss reads as
// no record.
func writeSidecar(path string, l *LockInfo) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(sidecarPath(path))+".tmp*")
	if err != nil {
		return err
	}
	_, werr := f.Write(append(l.encode(), '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), sidecarPath(path)); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// removeSidecar removes the sidecar if it is the record with the given ID.
func removeSidecar(path, id string) {
	if cur := readSidecar(path); cur != nil && cur.ID == id {
		_ = os.Remove(sidecarPath(path))
	}
}

// readLockBucket returns the record in the lock bucket, or nil.
func readLockBucket(tx *bolt.Tx) *LockInfo {
	b := tx.Bucket([]byte(bucketLock))
	if b == nil {
		return nil
	}
	v := b.Get([]byte(keyLock))
	if v == nil {
		return nil
	}
	if l := decodeLockInfo(v); l != nil {
		return l
	}
	return &LockInfo{ID: "(unreadable)"}
}

// ReadLock returns the lock record of the state at path: the sidecar of a
// live or dead holder, else a stale record in the lock bucket. It returns
// nil, nil when there is no record. It never waits and never writes.
func ReadLock(path string) (*LockInfo, error) {
	if l := readSidecar(path); l != nil {
		return l, nil
	}
	exists, err := nonEmptyFile(path)
	if err != nil || !exists {
		return nil, err
	}
	db, err := openBolt(path, failFast, true)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, nil // held, but the holder has written no record yet
		}
		return nil, err
	}
	defer db.Close()
	var l *LockInfo
	err = db.View(func(tx *bolt.Tx) error {
		l = readLockBucket(tx)
		return nil
	})
	return l, err
}

// ForceUnlock removes the lock record with the given ID from the state at
// path (its sidecar and lock bucket). It refuses with ErrLockMismatch when
// the record has another ID, ErrNotLocked when there is none, and a
// *LockedError when a live process still holds the file lock: the kernel
// releases that lock only when the process exits, so removing its record
// would only hide who holds it.
func ForceUnlock(path, id string) error {
	side := readSidecar(path)
	exists, err := nonEmptyFile(path)
	if err != nil {
		return fmt.Errorf("statefile: force-unlock %s: %w", path, err)
	}
	if !exists {
		if side == nil {
			return fmt.Errorf("statefile: force-unlock %s: %w", path, ErrNotLocked)
		}
		if side.ID != id {
			return mismatch(path, id, side)
		}
		return os.Remove(sidecarPath(path))
	}
	db, err := openBolt(path, failFast, false)
	var locked *LockedError
	if errors.As(err, &locked) {
		if locked.Info != nil && locked.Info.ID != id {
			return mismatch(path, id, locked.Info)
		}
		return locked
	}
	if err != nil {
		return err
	}
	defer db.Close()
	var inDB *LockInfo
	err = db.Update(func(tx *bolt.Tx) error {
		if meta := tx.Bucket([]byte(bucketMeta)); meta != nil {
			s := &State{path: path}
			if err := s.readMeta(tx); err != nil {
				return err
			}
		}
		inDB = readLockBucket(tx)
		if inDB != nil && (inDB.ID == id || side != nil && side.ID == id) {
			return tx.Bucket([]byte(bucketLock)).Delete([]byte(keyLock))
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case side == nil && inDB == nil:
		return fmt.Errorf("statefile: force-unlock %s: %w", path, ErrNotLocked)
	case side != nil && side.ID == id, inDB != nil && inDB.ID == id:
		if side != nil {
			if err := os.Remove(sidecarPath(path)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	case side != nil:
		return mismatch(path, id, side)
	default:
		return mismatch(path, id, inDB)
	}
}

func mismatch(path, id string, cur *LockInfo) error {
	return fmt.Errorf("statefile: force-unlock %s: %w: the lock record's ID is %s, not %s", path, ErrLockMismatch, cur.ID, id)
}
