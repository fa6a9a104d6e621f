package statefile

// FormatVersion is the layout of the bbolt file written by this build
// (buckets and keys below). A file with a larger format_version was written
// by a newer mkbulk and is refused with a *VersionError rather than
// misread; a smaller one would be migrated on open (none exists yet).
const FormatVersion = 1

// Bucket names and keys of the bbolt file: every name the file uses is here,
// so the layout can be read in one place (DESIGN.md §3).
const (
	// bucketMeta holds one value per key below, each as decimal or plain
	// ASCII so `bbolt get` shows something readable.
	bucketMeta = "meta"
	// keyFormatVersion is FormatVersion as decimal ASCII.
	keyFormatVersion = "format_version"
	// keyLineage is a random UUID chosen when the state is created; it never
	// changes, so a plan made against another state file is recognised.
	keyLineage = "lineage"
	// keySerial counts committed changes to resources and ledger, as
	// decimal ASCII. Lock bookkeeping does not count: opening the state
	// for `plan` must not make the plan it saves stale.
	keySerial = "serial"
	// keyMkbulkVersion is the mkbulk version that last changed the state.
	keyMkbulkVersion = "mkbulk_version"

	// bucketResources maps an address (export.NAME["start/end"],
	// import.NAME, ...) to the JSON of its Record.
	bucketResources = "resources"

	// bucketLedger maps an America/Chicago day ("2026-11-25") to the bytes
	// of exports completed that day, as decimal ASCII.
	bucketLedger = "ledger"

	// bucketLock holds keyLock while a read-write State is open: the JSON
	// LockInfo of the holder. A record found there by the next Open was
	// left by a process that died without Close (see State.StaleLock).
	bucketLock = "lock"
	keyLock    = "current"
)

// Files next to the state file.
const (
	// lockSidecarSuffix names the JSON LockInfo of the current holder,
	// written at Open and removed at Close. It exists because the holder
	// keeps bbolt's exclusive file lock, so a blocked process cannot open
	// the database to read the lock bucket; it can read this small file.
	lockSidecarSuffix = ".lock.json"
	// backupSuffix names the copy of the state as it was before the
	// current process first changed it (see State.Put).
	backupSuffix = ".backup"
)

// dayLayout is the ledger's key format.
const dayLayout = "2006-01-02"
