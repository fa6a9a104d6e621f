package statefile

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkPut is the cost of one executor status update: one bbolt
// transaction with fsync, in a state already holding 1,000 records.
func BenchmarkPut(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.db")
	s, err := Open(path, Options{Operation: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 1000 {
		if err := s.Put(exportRecord(fmt.Sprintf("export.w%04d", i))); err != nil {
			b.Fatal(err)
		}
	}
	rec := exportRecord("export.w0500")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		rec.Export.DownloadedBytes = int64(i)
		if err := s.Put(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot is the cost of planning's read of a 1,000-record state.
func BenchmarkSnapshot(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.db")
	s, err := Open(path, Options{Operation: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 1000 {
		if err := s.Put(exportRecord(fmt.Sprintf("export.w%04d", i))); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := s.Snapshot(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenClose is the fixed cost a command pays for the lock.
func BenchmarkOpenClose(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.db")
	for b.Loop() {
		s, err := Open(path, Options{Operation: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
