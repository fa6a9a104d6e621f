package statefile

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Snapshot copies the whole state out in one read transaction. The result
// shares no memory with bbolt, so it stays valid after Close and may be
// changed freely. A record that does not decode makes the whole snapshot
// fail with an *UnusableStateError naming its address; a record in a newer
// format, with a *VersionError.
func (s *State) Snapshot() (*Snapshot, error) {
	if err := s.checkOpen("snapshot"); err != nil {
		return nil, err
	}
	snap := &Snapshot{Resources: map[string]Record{}, Ledger: map[string]int64{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		serial, err := readSerial(meta)
		if err != nil {
			return &UnusableStateError{Path: s.path, Err: err}
		}
		snap.Lineage = string(meta.Get([]byte(keyLineage)))
		snap.Serial = serial
		snap.MkbulkVersion = string(meta.Get([]byte(keyMkbulkVersion)))
		if b := tx.Bucket([]byte(bucketResources)); b != nil {
			if err := b.ForEach(func(k, v []byte) error {
				rec, err := decodeRecord(s.path, string(k), v)
				if err != nil {
					return err
				}
				snap.Resources[rec.Address] = rec
				return nil
			}); err != nil {
				return err
			}
		}
		if b := tx.Bucket([]byte(bucketLedger)); b != nil {
			return b.ForEach(func(k, v []byte) error {
				n, err := parseLedger(v)
				if err != nil {
					return &UnusableStateError{Path: s.path, Err: fmt.Errorf("ledger %s: %w", k, err)}
				}
				snap.Ledger[string(k)] = n
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// Get returns the record at address, and false when there is none.
func (s *State) Get(address string) (Record, bool, error) {
	if err := s.checkOpen("get " + address); err != nil {
		return Record{}, false, err
	}
	var (
		rec   Record
		found bool
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketResources))
		if b == nil {
			return nil
		}
		v := b.Get([]byte(address))
		if v == nil {
			return nil
		}
		var err error
		rec, err = decodeRecord(s.path, address, v)
		found = err == nil
		return err
	})
	return rec, found, err
}

func (s *State) checkOpen(what string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("statefile: %s: %w", what, ErrClosed)
	}
	return nil
}

// decodeRecord reads one record defensively: a record from a newer mkbulk
// is refused by name (VersionError) instead of half-read, even when its
// JSON happens to fit this build's Record, and a record that does not
// decode is reported as unusable only when its version is one we read.
func decodeRecord(path, address string, data []byte) (Record, error) {
	var rec Record
	err := json.Unmarshal(data, &rec)
	if err != nil {
		// The full decode failed: is it damage, or a newer shape?
		var head struct {
			Version int `json:"version"`
		}
		if json.Unmarshal(data, &head) == nil && head.Version > RecordVersion {
			rec.Version = head.Version
		} else {
			return Record{}, &UnusableStateError{Path: path, Address: address, Err: err}
		}
	}
	if rec.Version > RecordVersion {
		return Record{}, &VersionError{Path: path, Address: address, Found: rec.Version, Supported: RecordVersion}
	}
	if rec.Address == "" {
		rec.Address = address
	}
	if rec.Address != address {
		return Record{}, &UnusableStateError{Path: path, Address: address,
			Err: fmt.Errorf("record names address %s", rec.Address)}
	}
	return rec, nil
}

// Addresses lists the addresses in state, sorted, without decoding their
// records, so a state with one unreadable record can still be listed and
// that record removed.
func (s *State) Addresses() ([]string, error) {
	if err := s.checkOpen("addresses"); err != nil {
		return nil, err
	}
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketResources))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	return out, err // bbolt keeps keys in byte order: already sorted
}
