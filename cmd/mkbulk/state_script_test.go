package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mkbulk/mkbulk/statefile"
)

// Script commands for state scripts (state*.txtar):
//
//	mkstate [-state PATH] FILE   write FILE's records into the state
//	holdlock [-state PATH] [OP]  hold the state's lock in the test process
//	                             (a process other than `exec mkbulk`), and
//	                             set $LOCK_ID; held until releaselock or
//	                             the end of the script
//	releaselock                  release the lock holdlock took
//
// FILE is JSON: {"records": [statefile.Record...], "ledger": {"DAY": bytes}}.
func init() {
	scriptCmds["mkstate"] = scriptMkstate
	scriptCmds["holdlock"] = scriptHoldlock
	scriptCmds["releaselock"] = scriptReleaselock
}

func scriptStatePath(ts *testscript.TestScript, name string, args []string) (path string, rest []string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	state := fs.String("state", ".mkbulk/state.db", "state file")
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("%s: %v", name, err)
	}
	return ts.MkAbs(*state), fs.Args()
}

func scriptMkstate(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! mkstate")
	}
	path, rest := scriptStatePath(ts, "mkstate", args)
	if len(rest) != 1 {
		ts.Fatalf("usage: mkstate [-state PATH] FILE")
	}
	var in struct {
		Records []statefile.Record `json:"records"`
		Ledger  map[string]int64   `json:"ledger"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(rest[0])), &in))
	s, err := statefile.Open(path, statefile.Options{Operation: "mkstate", Version: "test"})
	ts.Check(err)
	defer s.Close()
	for _, r := range in.Records {
		ts.Check(s.Put(r))
	}
	for day, n := range in.Ledger {
		ts.Check(s.AddLedger(day, n))
	}
}

// heldLocks maps a script to the state its holdlock keeps open.
var heldLocks sync.Map // *testscript.TestScript → *statefile.State

func scriptHoldlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! holdlock")
	}
	path, rest := scriptStatePath(ts, "holdlock", args)
	op := "apply"
	if len(rest) > 0 {
		op = rest[0]
	}
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o700))
	s, err := statefile.Open(path, statefile.Options{Operation: op, Version: "test"})
	ts.Check(err)
	heldLocks.Store(ts, s)
	ts.Setenv("LOCK_ID", s.Lock().ID)
	ts.Defer(func() { s.Close() })
}

func scriptReleaselock(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := heldLocks.LoadAndDelete(ts)
	if !ok {
		ts.Fatalf("releaselock: no lock held")
	}
	ts.Check(v.(*statefile.State).Close())
}
