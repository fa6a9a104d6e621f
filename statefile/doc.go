// Package statefile is mkbulk's state: a bbolt file (default
// .mkbulk/state.db, mode 0600) and the only importer of bbolt.
//
// Buckets (names in layout.go): meta (format_version, lineage, serial,
// mkbulk version), resources (address → JSON Record), ledger (export bytes
// per America/Chicago day), lock (the holder's LockInfo). Every committed
// write (Put, Delete, AddLedger) bumps serial in the same transaction;
// lock bookkeeping does not, so opening the state never makes a saved plan
// stale. No *bolt.Tx or transaction byte slice escapes: reads copy plain
// values out into a Snapshot. No secret or token is ever written.
//
// Locking: bbolt's flock (exclusive for read-write, shared for ReadOnly) is
// the lock; the kernel drops it when its process dies. Because a blocked
// process cannot open the flocked file, the holder also writes its LockInfo
// to a sidecar, state.db.lock.json, so the refusal can name it (see
// LockInfo). Records left by a dead process are reported by StaleLock and
// removed by ForceUnlock or the next read-write Open.
//
// Files read defensively: format_version is checked before anything else,
// each record's version before it is decoded; newer formats are a
// *VersionError (ErrVersion), damage an *UnusableStateError, and a missing
// or empty file ErrNoState (see errors.go).
//
// Backup: before its first write, a State copies the state as it was to
// state.db.backup (see backup.go).
package statefile
