package statefile

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// backup copies the state as it is now to path+".backup", once per State,
// just before its first write: the backup is the state as it was before
// this mkbulk process changed anything, as Terraform's local backend keeps
// terraform.tfstate.backup (statemgr.Filesystem writes its backup only on
// the first write of a process).
//
// Why a file, once per process, and why bbolt:
//   - A separate file survives damage to the state file itself, which a
//     backup bucket inside it would not.
//   - Copying once per process keeps Put to a single bbolt transaction (one
//     fsync); copying on every write would make each executor status update
//     cost O(state size).
//   - The copy is itself a state file (meta, resources and ledger; no lock
//     record), so it can be inspected with
//     `mkbulk -state=.mkbulk/state.db.backup state list` and restored by
//     moving it over state.db while no mkbulk runs.
//
// The copy is written to a temporary file, committed (fsynced) by bbolt, and
// renamed into place, so a crash leaves the old backup or the new one.
func (s *State) backup() error {
	dst := s.path + backupSuffix
	tmp := dst + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	out, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: failFast})
	if err != nil {
		return err
	}
	err = s.db.View(func(src *bolt.Tx) error {
		return out.Update(func(dstTx *bolt.Tx) error {
			for _, name := range []string{bucketMeta, bucketResources, bucketLedger} {
				if err := copyBucket(src, dstTx, name); err != nil {
					return fmt.Errorf("bucket %s: %w", name, err)
				}
			}
			return nil
		})
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// copyBucket copies a flat bucket (mkbulk's buckets have no sub-buckets).
// Values from src stay valid while dst commits, inside src's View.
func copyBucket(src, dst *bolt.Tx, name string) error {
	from := src.Bucket([]byte(name))
	if from == nil {
		return nil
	}
	to, err := dst.CreateBucket([]byte(name))
	if err != nil {
		return err
	}
	to.FillPercent = 1 // keys arrive in order: pack pages full
	return from.ForEach(func(k, v []byte) error {
		return to.Put(k, v)
	})
}
