package statefile

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBackupHoldsStateBeforeThisProcessWrote(t *testing.T) {
	path := closedState(t) // export.good, serial 1
	s := mustOpen(t, path)
	if _, err := os.Stat(path + backupSuffix); err != nil {
		t.Fatalf("backup missing after the first process wrote: %v", err)
	}
	for _, a := range []string{"export.b", "export.c"} {
		if err := s.Put(exportRecord(a)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete("export.good"); err != nil {
		t.Fatal(err)
	}

	b, err := Open(path+backupSuffix, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("backup is not an openable state: %v", err)
	}
	defer b.Close()
	snap, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if b.Lineage() != s.Lineage() || snap.Serial != 1 {
		t.Errorf("backup lineage %s serial %d; want %s and 1", b.Lineage(), snap.Serial, s.Lineage())
	}
	var got []string
	for a := range snap.Resources {
		got = append(got, a)
	}
	if d := cmp.Diff([]string{"export.good"}, got); d != "" {
		t.Errorf("backup resources (-want +got):\n%s", d)
	}
	if b.StaleLock() != nil {
		t.Errorf("backup carries a lock record: %+v", b.StaleLock())
	}
	fi, err := os.Stat(path + backupSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %o, want 600", fi.Mode().Perm())
	}
}

func TestNoBackupWithoutWrites(t *testing.T) {
	path := closedState(t)
	if err := os.Remove(path + backupSuffix); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path)
	if _, err := s.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + backupSuffix); !os.IsNotExist(err) {
		t.Errorf("a process that only read wrote a backup (stat: %v)", err)
	}
}
