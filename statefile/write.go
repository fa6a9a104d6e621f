package statefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// errNoChange rolls back an update that found nothing to change, so the
// serial does not move.
var errNoChange = errors.New("no change")

// Put writes rec at rec.Address in one transaction that also bumps the
// serial; the write is on disk when Put returns, so the executor can call
// it before acting ("persist before acting"). Put stamps rec.Version with
// RecordVersion, and rec.UpdatedAt with the current time when it is zero.
func (s *State) Put(rec Record) error {
	if rec.Address == "" {
		return errors.New("statefile: put: record has no address")
	}
	rec.Version = RecordVersion
	if rec.UpdatedAt.IsZero() {
		rec.UpdatedAt = time.Now().UTC()
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("statefile: put %s: %w", rec.Address, err)
	}
	return s.update("put "+rec.Address, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketResources)).Put([]byte(rec.Address), data)
	})
}

// Delete forgets the record at address. Deleting an address that is not in
// state does nothing (and does not bump the serial), so forgetting is
// idempotent.
func (s *State) Delete(address string) error {
	return s.update("delete "+address, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketResources))
		if b.Get([]byte(address)) == nil {
			return errNoChange
		}
		return b.Delete([]byte(address))
	})
}

// AddLedger adds bytes to the export ledger of day, an America/Chicago date
// "2006-01-02" (Marketo's daily export quota resets at midnight there).
func (s *State) AddLedger(day string, bytes int64) error {
	if _, err := time.Parse(dayLayout, day); err != nil {
		return fmt.Errorf("statefile: add ledger: day %q is not YYYY-MM-DD", day)
	}
	if bytes < 0 {
		return fmt.Errorf("statefile: add ledger %s: negative bytes %d", day, bytes)
	}
	return s.update("add ledger "+day, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLedger))
		cur, err := parseLedger(b.Get([]byte(day)))
		if err != nil {
			return &UnusableStateError{Path: s.path, Err: fmt.Errorf("ledger %s: %w", day, err)}
		}
		return b.Put([]byte(day), strconv.AppendInt(nil, cur+bytes, 10))
	})
}

func parseLedger(v []byte) (int64, error) {
	if v == nil {
		return 0, nil
	}
	return strconv.ParseInt(string(v), 10, 64)
}

// update runs fn and bumps the serial in one read-write transaction. Before
// the first write of this process it saves the backup (see backup).
func (s *State) update(what string, fn func(tx *bolt.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("statefile: %s: %w", what, ErrClosed)
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("statefile: %s: %w", what, ErrReadOnly)
	}
	if !s.backedUp {
		if err := s.backup(); err != nil {
			return fmt.Errorf("statefile: %s: backup before first write: %w", what, err)
		}
		s.backedUp = true
	}
	var serial uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		meta := tx.Bucket([]byte(bucketMeta))
		cur, err := readSerial(meta)
		if err != nil {
			return &UnusableStateError{Path: s.path, Err: err}
		}
		serial = cur + 1
		if err := meta.Put([]byte(keySerial), strconv.AppendUint(nil, serial, 10)); err != nil {
			return err
		}
		if v := []byte(s.opts.Version); len(v) > 0 && !bytes.Equal(meta.Get([]byte(keyMkbulkVersion)), v) {
			return meta.Put([]byte(keyMkbulkVersion), v)
		}
		return nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		var unusable *UnusableStateError
		if errors.As(err, &unusable) {
			return err
		}
		return fmt.Errorf("statefile: %s: %w", what, err)
	}
	s.serial = serial
	return nil
}
