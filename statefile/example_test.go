package statefile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mkbulk/mkbulk/statefile"
)

// Open takes the lock, writes are each durable, and Snapshot copies the
// state out for the planner.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "mkbulk-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, ".mkbulk", "state.db")

	s, err := statefile.Open(path, statefile.Options{Operation: "apply", Version: "v1.0.0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	_ = s.Put(statefile.Record{
		Address: "import.leads", Resource: "import.leads", Kind: statefile.KindImport,
		Import: &statefile.ImportRecord{Object: "leads", Source: "leads.csv"},
	})
	_ = s.AddLedger("2026-11-25", 1<<20)

	snap, _ := s.Snapshot()
	fmt.Println(snap.Serial, len(snap.Resources), snap.Ledger["2026-11-25"])

	// A second process (or Open) is refused at once, naming the holder.
	_, err = statefile.Open(path, statefile.Options{Operation: "plan"})
	var locked *statefile.LockedError
	if errors.As(err, &locked) {
		fmt.Println("locked by", locked.Info.Operation)
	}
	// Output:
	// 2 1 1048576
	// locked by apply
}
