package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// tamper edits the closed state file's bucket directly, as a newer mkbulk
// or a disk fault would.
func tamper(t *testing.T, path, bucket, key string, value []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucket)).Put([]byte(key), value)
	}); err != nil {
		t.Fatal(err)
	}
}

func closedState(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{Version: "v1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(exportRecord("export.good")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewerFormatIsRefused(t *testing.T) {
	path := closedState(t)
	tamper(t, path, bucketMeta, keyFormatVersion, []byte("2"))
	tamper(t, path, bucketMeta, keyMkbulkVersion, []byte("v9.0.0"))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{}, {ReadOnly: true}} {
		_, err := Open(path, opts)
		var verr *VersionError
		if !errors.Is(err, ErrVersion) || !errors.As(err, &verr) {
			t.Fatalf("Open(%+v) = %v, want a *VersionError", opts, err)
		}
		if want := "state was written by a newer mkbulk (format 2, mkbulk v9.0.0"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
		if !strings.Contains(err.Error(), "upgrade mkbulk") {
			t.Errorf("error %q does not say to upgrade", err)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("refusing a newer state still changed the file")
	}
	if _, err := os.Stat(sidecarPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Error("refused open left a lock sidecar")
	}
}

func TestBadMetaIsUnusable(t *testing.T) {
	for name, kv := range map[string][2]string{
		"format": {"format_version", "one"},
		"serial": {"serial", "-3"},
	} {
		t.Run(name, func(t *testing.T) {
			path := closedState(t)
			tamper(t, path, bucketMeta, kv[0], []byte(kv[1]))
			_, err := Open(path, Options{})
			var unusable *UnusableStateError
			if !errors.As(err, &unusable) {
				t.Fatalf("Open = %v, want *UnusableStateError", err)
			}
		})
	}
}

func TestRecordFromNewerMkbulkIsRefusedByAddress(t *testing.T) {
	path := closedState(t)
	tamper(t, path, bucketResources, "export.future", []byte(`{"version":2,"address":"export.future","shape":"new"}`))
	tamper(t, path, bucketResources, "export.future2", []byte(`{"version":2,"address":"export.future2","export":"now a string"}`))
	s := mustOpen(t, path)
	_, err := s.Snapshot()
	var verr *VersionError
	if !errors.As(err, &verr) || verr.Address != "export.future" || verr.Found != 2 {
		t.Fatalf("Snapshot = %v, want *VersionError for export.future", err)
	}
	if !strings.Contains(err.Error(), "state record export.future was written by a newer mkbulk (format 2") {
		t.Errorf("message: %v", err)
	}
	// The rest of the state is still usable record by record.
	if _, ok, err := s.Get("export.good"); !ok || err != nil {
		t.Errorf("Get(export.good) = %v, %v", ok, err)
	}
	// A newer record whose shape no longer fits is still a version error.
	if _, _, err := s.Get("export.future2"); !errors.As(err, &verr) {
		t.Errorf("Get(export.future2) = %v, want *VersionError", err)
	}
	// Removing the unreadable records makes the state whole again.
	for _, a := range []string{"export.future", "export.future2"} {
		if err := s.Delete(a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Snapshot(); err != nil {
		t.Errorf("Snapshot after removing the record: %v", err)
	}
}

func TestCorruptRecordIsUnusableByAddress(t *testing.T) {
	for name, raw := range map[string]string{
		"truncated":     `{"version":1,"address":"export.bad","kind":"exp`,
		"wrong type":    `{"version":1,"address":"export.bad","export":{"fileSize":"big"}}`,
		"wrong address": `{"version":1,"address":"export.other"}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := closedState(t)
			tamper(t, path, bucketResources, "export.bad", []byte(raw))
			s := mustOpen(t, path)
			_, err := s.Snapshot()
			var unusable *UnusableStateError
			if !errors.As(err, &unusable) || unusable.Address != "export.bad" {
				t.Fatalf("Snapshot = %v, want *UnusableStateError for export.bad", err)
			}
			if unusable.Unwrap() == nil {
				t.Error("UnusableStateError wraps no cause")
			}
			if _, _, err := s.Get("export.bad"); !errors.As(err, &unusable) {
				t.Errorf("Get = %v, want *UnusableStateError", err)
			}
			if addrs, err := s.Addresses(); err != nil || len(addrs) != 2 {
				t.Errorf("Addresses with a bad record = %v, %v", addrs, err)
			}
			// `mkbulk state rm` of the bad record makes the state whole again.
			if err := s.Delete("export.bad"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNotAStateFile(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not bbolt at all\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{}, {ReadOnly: true}} {
		_, err := Open(garbage, opts)
		var unusable *UnusableStateError
		if !errors.As(err, &unusable) {
			t.Errorf("Open(garbage, %+v) = %v, want *UnusableStateError", opts, err)
		}
	}

	// A bbolt file of some other program.
	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(other, Options{})
	var unusable *UnusableStateError
	if !errors.As(err, &unusable) || !strings.Contains(err.Error(), "not an mkbulk state file") {
		t.Errorf("Open(other bbolt) = %v, want *UnusableStateError", err)
	}
}
