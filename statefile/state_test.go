package statefile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

var (
	jan1  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jan31 = time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC)
	when  = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
)

func exportRecord(address string) Record {
	return Record{
		Address:   address,
		Resource:  "export.webinar",
		Kind:      KindExport,
		UpdatedAt: when,
		Export: &ExportRecord{
			SpecDigest: "sha256:abc", Object: "leads", WindowStart: &jan1, WindowEnd: &jan31,
			Fields: []string{"email", "score"}, Format: "CSV",
			Filter:   json.RawMessage(`{"createdAt":{"startAt":"2026-01-01T00:00:00Z"}}`),
			ExportID: "3f2a", Status: "Completed", Output: "out/w.csv", FileSize: 42,
			SHA256: "deadbeef", Enqueued: true,
		},
	}
}

func TestOpenCreatesPrivateStateWithLineage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".mkbulk", "state.db")
	s := mustOpen(t, path)

	if _, err := uuid.Parse(s.Lineage()); err != nil {
		t.Errorf("lineage %q is not a UUID: %v", s.Lineage(), err)
	}
	if s.Serial() != 0 {
		t.Errorf("new state serial = %d, want 0", s.Serial())
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("state dir mode %o, want 700", got)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	want := &Snapshot{Lineage: s.Lineage(), MkbulkVersion: "v0.0.0-test", Resources: map[string]Record{}, Ledger: map[string]int64{}}
	if d := cmp.Diff(want, snap); d != "" {
		t.Errorf("new state snapshot (-want +got):\n%s", d)
	}
}

func TestPutSnapshotRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path)
	win := exportRecord(`export.webinar["2026-01-01T00:00:00Z/2026-01-31T23:59:59Z"]`)
	imp := Record{Address: "import.leads", Resource: "import.leads", Kind: KindImport, UpdatedAt: when,
		Import: &ImportRecord{SpecDigest: "d", Object: "leads", Source: "in.csv", SourceSHA256: "s",
			Chunks: []ChunkRecord{{Index: 0, SHA256: "c0", BatchID: 7, Status: "Complete", Processed: 3}}}}
	merge := Record{Address: "export.webinar", Resource: "export.webinar", Kind: KindMerge, UpdatedAt: when,
		Merge: &MergeRecord{Output: "out/all.csv", Parts: []string{win.Address}, SHA256: "m", Size: 42}}
	for _, r := range []Record{win, imp, merge} {
		if err := s.Put(r); err != nil {
			t.Fatalf("Put(%s): %v", r.Address, err)
		}
	}
	if err := s.AddLedger("2026-02-01", 40); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLedger("2026-02-01", 2); err != nil {
		t.Fatal(err)
	}
	if got := s.Serial(); got != 5 {
		t.Errorf("serial after 5 writes = %d", got)
	}

	want := map[string]Record{win.Address: win, imp.Address: imp, merge.Address: merge}
	for k, r := range want {
		r.Version = RecordVersion
		want[k] = r
	}
	check := func(s *State) {
		t.Helper()
		snap, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, snap.Resources); d != "" {
			t.Errorf("resources (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string]int64{"2026-02-01": 42}, snap.Ledger); d != "" {
			t.Errorf("ledger (-want +got):\n%s", d)
		}
		if snap.Serial != 5 {
			t.Errorf("snapshot serial %d, want 5", snap.Serial)
		}
	}
	check(s)
	lineage := s.Lineage()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	check(r)
	if r.Lineage() != lineage {
		t.Errorf("lineage changed across re-open")
	}
	got, ok, err := r.Get(imp.Address)
	if err != nil || !ok {
		t.Fatalf("Get(%s) = %v, %v", imp.Address, ok, err)
	}
	if d := cmp.Diff(want[imp.Address], got); d != "" {
		t.Errorf("Get (-want +got):\n%s", d)
	}
	addrs, err := r.Addresses()
	if d := cmp.Diff([]string{merge.Address, win.Address, imp.Address}, addrs); err != nil || d != "" {
		t.Errorf("Addresses (-want +got): %v\n%s", err, d)
	}
	if _, ok, err := r.Get("import.nope"); ok || err != nil {
		t.Errorf("Get(missing) = %v, %v; want false, nil", ok, err)
	}
}

func TestPutStampsUpdatedAt(t *testing.T) {
	s := mustOpen(t, "")
	before := time.Now().UTC()
	if err := s.Put(Record{Address: "import.x", Kind: KindImport}); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Get("import.x")
	if err != nil {
		t.Fatal(err)
	}
	if got.UpdatedAt.Before(before.Add(-time.Second)) || got.Version != RecordVersion {
		t.Errorf("UpdatedAt %v (before %v), Version %d", got.UpdatedAt, before, got.Version)
	}
	if err := s.Put(Record{Kind: KindImport}); err == nil {
		t.Error("Put without address succeeded")
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	s := mustOpen(t, "")
	rec := exportRecord("export.a")
	if err := s.Put(rec); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := snap.Resources["export.a"]
	r.Export.Fields[0] = "mutated"
	r.Export.Filter[0] = 'X'
	delete(snap.Resources, "export.a")
	again, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Resources["export.a"].Export; got.Fields[0] != "email" || got.Filter[0] != '{' {
		t.Errorf("state changed through a snapshot: %+v", got)
	}
}

func TestDeleteIsIdempotent(t *testing.T) {
	s := mustOpen(t, "")
	if err := s.Put(exportRecord("export.a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("export.a"); err != nil {
		t.Fatal(err)
	}
	if s.Serial() != 2 {
		t.Errorf("serial %d after put+delete, want 2", s.Serial())
	}
	if err := s.Delete("export.a"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if s.Serial() != 2 {
		t.Errorf("deleting a missing address bumped serial to %d", s.Serial())
	}
}

func TestAddLedgerRejectsBadInput(t *testing.T) {
	s := mustOpen(t, "")
	for _, tc := range []struct {
		day   string
		bytes int64
	}{{"2026-13-01", 1}, {"11/25/2026", 1}, {"2026-11-25", -1}} {
		if err := s.AddLedger(tc.day, tc.bytes); err == nil {
			t.Errorf("AddLedger(%q, %d) succeeded", tc.day, tc.bytes)
		}
	}
	if s.Serial() != 0 {
		t.Errorf("rejected writes bumped serial to %d", s.Serial())
	}
}

func TestConcurrentWritesEachBumpSerial(t *testing.T) {
	s := mustOpen(t, "")
	const workers, each = 4, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				rec := exportRecord("export.a")
				rec.Address = "export.w" + string(rune('a'+w)) + string(rune('a'+i))
				if err := s.Put(rec); err != nil {
					t.Error(err)
				}
				if _, err := s.Snapshot(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Serial != workers*each || len(snap.Resources) != workers*each {
		t.Errorf("serial %d, %d records; want %d of each", snap.Serial, len(snap.Resources), workers*each)
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := Open(missing, Options{ReadOnly: true}); !errors.Is(err, ErrNoState) {
		t.Errorf("read-only open of missing file: %v, want ErrNoState", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created the file")
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty, Options{ReadOnly: true}); !errors.Is(err, ErrNoState) {
		t.Errorf("read-only open of empty file: %v, want ErrNoState", err)
	}
	if _, err := Open(missing, Options{MustExist: true}); !errors.Is(err, ErrNoState) {
		t.Errorf("MustExist open of missing file: %v, want ErrNoState", err)
	}

	path := filepath.Join(dir, "state.db")
	w := mustOpen(t, path)
	if err := w.Put(exportRecord("export.a")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	defer r2.Close()
	if err := r1.Put(exportRecord("export.b")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Put on read-only state: %v, want ErrReadOnly", err)
	}
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("writer while readers hold the state: %v, want ErrLocked", err)
	}
	if r1.Lock() != nil {
		t.Errorf("read-only state has a lock record")
	}
}

func TestClosedStateRefusesUse(t *testing.T) {
	s := mustOpen(t, "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Put(exportRecord("export.a")); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	if _, err := s.Snapshot(); !errors.Is(err, ErrClosed) {
		t.Errorf("Snapshot after Close: %v", err)
	}
}

func TestTightensLooseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, path) // invariants check the mode
}

func TestErrorMessagesNameThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	_, err := Open(path, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name %s", err, path)
	}
}
