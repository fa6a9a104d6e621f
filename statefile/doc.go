// Package statefile is mkbulk's state: a bbolt file (default
// .mkbulk/state.db, mode 0600) and the only importer of bbolt.
//
// Buckets: meta (format_version, lineage, serial, mkbulk version),
// resources (address → JSON Record), ledger (export bytes per
// America/Chicago day), lock (who/operation/when/version). Every committed
// write bumps serial. No *bolt.Tx or transaction byte slice escapes: reads
// copy plain values out into a Snapshot. No secret or token is ever written.
package statefile
