package stress

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// crashSandbox is a realistic but fast sandbox: 600 simulated seconds per
// real second (a status refresh every 100 ms), two million leads so a
// month of full-width leads is a ~20 MB file whose download takes long
// enough to be killed in the middle of.
var crashSandbox = []string{"-time-scale=600", "-leads=2000000"}

// crashImportRows makes data/new-leads.csv about 24 MB: three chunks.
const crashImportRows = 280_000

// mixedMerged is the merged output of the Mixed project.
var mixedMerged = map[string]string{"export.leads-q1": "out/leads-q1.csv"}

// killPhase is a moment to SIGKILL apply at: a trigger (an event, or a
// file appearing) and a random delay after it.
type killPhase struct {
	name string
	make func(rng *rand.Rand, dir string, poll time.Duration) *Killer
}

// killPhases are in the order an apply reaches them, after the two that
// can land at any moment (first, so they meet an apply with work left).
var killPhases = []killPhase{
	{"random", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		return &Killer{After: randDur(rng, 20*time.Millisecond, 400*time.Millisecond)}
	}},
	{"state-write", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// Every progress event follows a state write and most precede
		// another; kill within half a millisecond of the n-th.
		n, seen := 1+rng.IntN(8), 0
		return &Killer{Event: func(ev Event) bool {
			if ev.Type == "apply_progress" {
				seen++
			}
			return seen >= n
		}, Delay: randDur(rng, 0, 500*time.Microsecond)}
	}},
	{"create", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// apply_start of an export: its create call is about to go out.
		return &Killer{Event: func(ev Event) bool {
			return ev.Type == "apply_start" && strings.HasPrefix(ev.Resource(), "export.")
		}, Delay: randDur(rng, 0, 5*time.Millisecond)}
	}},
	{"enqueue", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// job_created: Enqueued is being written, then enqueue is called.
		return &Killer{Event: func(ev Event) bool { return ev.Kind() == "job_created" },
			Delay: randDur(rng, 0, 2*time.Millisecond)}
	}},
	{"poll", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// Within a few refreshes of an enqueue: status polls and writes.
		return &Killer{Event: func(ev Event) bool { return ev.Kind() == "job_enqueued" },
			Delay: randDur(rng, poll/2, 3*poll)}
	}},
	{"upload", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// The import starts, or a chunk was accepted: a chunk is in flight.
		return &Killer{Event: func(ev Event) bool {
			return (ev.Type == "apply_start" && strings.HasPrefix(ev.Resource(), "import.")) || ev.Kind() == "chunk_uploaded"
		}, Delay: randDur(rng, 0, 40*time.Millisecond)}
	}},
	{"download", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// A window's OUTPUT.partial has bytes in it.
		return &Killer{Poll: func() bool { return downloadPartial(dir) }, Delay: randDur(rng, 0, 4*time.Millisecond)}
	}},
	{"merge", func(rng *rand.Rand, dir string, poll time.Duration) *Killer {
		// The merged output's .partial exists: the merge is writing it.
		return &Killer{Poll: func() bool { return exists(filepath.Join(dir, "out", "leads-q1.csv.partial")) },
			Delay: randDur(rng, 0, 3*time.Millisecond)}
	}},
}

// TestCrashKillResume SIGKILLs `mkbulk apply` at seeded moments (create,
// enqueue, poll, upload, download, merge, state write, any time), applies
// again each time, then lets an apply finish and checks that nothing was
// lost, duplicated or left half-written. The short form (5 kills) runs in
// make test; -stress.long runs 50 (-stress.kills=N for any other number).
func TestCrashKillResume(t *testing.T) {
	t.Parallel()
	kills := *flagKill
	if kills <= 0 {
		kills = 5
		if *flagLong {
			kills = 50
		}
	}
	rng := rand.New(rand.NewPCG(uint64(*flagSeed), 0xc4a5))
	t.Logf("seed %d, %d kills", *flagSeed, kills)
	landed := map[string]int{}
	total := 0
	for round := 1; total < kills && round <= 2*kills; round++ {
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			n := crashRound(t, rng, round, min(kills-total, len(killPhases)), landed)
			total += n
		})
		if t.Failed() {
			break
		}
	}
	var names []string
	for k, n := range landed {
		names = append(names, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(names)
	t.Logf("kills landed: %d (%s)", total, strings.Join(names, ", "))
	if !t.Failed() && total < kills {
		t.Errorf("only %d of %d kills landed: the applies finished before their kill moments", total, kills)
	}
}

// crashRound runs one project on a fresh sandbox through up to budget
// kills and a final apply, verifies it, and returns the kills that landed.
func crashRound(t *testing.T, rng *rand.Rand, round, budget int, landed map[string]int) int {
	args := append(crashSandbox, fmt.Sprintf("-seed=%d", *flagSeed+int64(round)))
	if *flagFlt {
		args = append(args, "-faults="+faultSpec)
	}
	e := newEnv(t, args...)
	if err := (Mixed{ImportRows: crashImportRows, Tag: fmt.Sprintf("r%d", round)}).Write(e.p.Dir); err != nil {
		t.Fatal(err)
	}
	phases := pickPhases(rng, budget)
	var runs []*ApplyRun
	kills := 0
	partialsLeft := false // a kill left part of a window's file behind
	for _, ph := range phases {
		k := ph.make(rng, e.p.Dir, e.sb.PollInterval)
		k.Name = ph.name
		r := e.p.Apply(e.ctx, k)
		e.requireApply(r)
		runs = append(runs, r)
		t.Logf("apply (kill at %s): %s", ph.name, describeRun(r))
		if r.Killed {
			kills++
			landed[ph.name]++
			problems, err := CheckAtRest(e.p.Dir, e.statePath(), mixedMerged)
			if err != nil {
				t.Fatalf("after the kill at %s: %v", ph.name, err)
			}
			for _, p := range problems {
				t.Errorf("after the kill at %s: %s", ph.name, p)
			}
			if windowPartials(e.p.Dir) > 0 {
				partialsLeft = true
			}
			continue
		}
		if r.Code != 0 {
			if *flagFlt {
				// Under faults a step may give up (the next apply resumes it).
				t.Logf("apply exited %d under faults before its kill at %s:\n%s", r.Code, ph.name, failures(r))
				continue
			}
			t.Fatalf("apply exited %d by itself before its kill at %s:\n%s%s", r.Code, ph.name, failures(r), tail(r.Stderr, 5))
		}
		break // finished before the kill moment: nothing left to interrupt
	}
	finals := 1
	if *flagFlt {
		finals = maxFaultApplies
	}
	var final *ApplyRun
	for i := 0; i < finals; i++ {
		final = e.p.Apply(e.ctx, nil)
		runs = append(runs, final)
		t.Logf("final apply: %s", describeRun(final))
		if final.Code == 0 {
			break
		}
		t.Logf("final apply exited %d:\n%s", final.Code, failures(final))
	}
	if final.Code != 0 {
		t.Fatalf("final apply exited %d:\n%s%s", final.Code, failures(final), tail(final.Stderr, 5))
	}
	v := e.verify()
	t.Logf("verified %d window files, %d merged files, %d imports (%d chunks), %.1f MB", v.Windows, v.Merges, v.Imports, v.Chunks, float64(v.Bytes)/1e6)
	if v.Windows != 7 || v.Merges != 1 || v.Imports != 1 || v.Chunks < 3 {
		t.Errorf("verified %d windows, %d merges, %d imports with %d chunks; want 7, 1, 1 with at least 3", v.Windows, v.Merges, v.Imports, v.Chunks)
	}
	checkCrashStats(t, e, runs, v)
	resumed := 0
	for _, r := range runs {
		for _, ev := range r.Events {
			if ev.Kind() == "file_downloaded" && ev.Bool("resumed") {
				resumed++
			}
		}
	}
	t.Logf("downloads resumed with Range after a kill: %d", resumed)
	if partialsLeft && resumed == 0 {
		t.Errorf("kills left partly downloaded window files, yet no later download resumed from them (file_downloaded resumed=true)")
	}
	return kills
}

// windowPartials counts the bytes in the .partial files of windows (not
// of merged outputs, which are rewritten from the start).
func windowPartials(dir string) int64 {
	var n int64
	for _, p := range PartialFiles(dir) {
		if filepath.ToSlash(p) == "out/leads-q1.csv.partial" {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, p)); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// checkCrashStats holds the sandbox's account of the round to the rules:
// no duplicate enqueue, and a chunk uploaded twice only when an apply said
// it was re-uploading.
func checkCrashStats(t *testing.T, e *env, runs []*ApplyRun, v *Verified) {
	t.Helper()
	st := e.stats()
	t.Logf("sandbox: %d calls (max %d in 20s, %d concurrent), exports created %d enqueued %d completed %d, duplicate enqueues %d, imports created %d, polls before refresh %d",
		st.Calls, st.MaxCallsIn20s, st.MaxConcurrentCalls, st.Exports.Created, st.Exports.Enqueued, st.Exports.Completed,
		st.Exports.DuplicateEnqueues, st.Imports.Created, st.PollsBeforeRefresh)
	t.Logf("calls by operation: %s", formatOps(st.CallsByOperation))
	if st.Exports.DuplicateEnqueues != 0 {
		t.Errorf("sandbox counted %d duplicate enqueues, want 0", st.Exports.DuplicateEnqueues)
	}
	if st.MaxConcurrentCalls > 10 {
		t.Errorf("max concurrent calls %d > 10", st.MaxConcurrentCalls)
	}
	reuploads, killsInImport := 0, 0
	for _, r := range runs {
		for _, ev := range r.Events {
			if ev.Kind() == "chunk_uploaded" && ev.Bool("reupload") {
				reuploads++
			}
		}
		if r.Killed && importInFlight(r) {
			killsInImport++
		}
	}
	extra := int(st.Imports.Created) - v.Chunks
	switch {
	case extra < 0:
		t.Errorf("sandbox created %d import batches for %d chunks", st.Imports.Created, v.Chunks)
	case extra > 0 && reuploads == 0:
		t.Errorf("%d chunk(s) ran twice on Marketo (%d batches for %d chunks) but no apply reported a re-upload", extra, st.Imports.Created, v.Chunks)
	case extra > killsInImport:
		t.Errorf("%d extra import batches, but only %d kills fell while the import was uploading", extra, killsInImport)
	case extra > 0:
		t.Logf("%d chunk(s) uploaded again after a kill between upload and recording the batch id; %d re-upload event(s) reported it", extra, reuploads)
	}
}

// importInFlight reports whether a killed run had started the import and
// not yet seen it complete.
func importInFlight(r *ApplyRun) bool {
	started := false
	for _, ev := range r.Events {
		if strings.HasPrefix(ev.Resource(), "import.") {
			switch {
			case ev.Type == "apply_start":
				started = true
			case ev.Kind() == "import_reported", ev.Type == "apply_complete":
				return false
			}
		}
	}
	return started
}

// pickPhases chooses n distinct phases at random, in apply order.
func pickPhases(rng *rand.Rand, n int) []killPhase {
	idx := rng.Perm(len(killPhases))[:n]
	sort.Ints(idx)
	out := make([]killPhase, n)
	for i, j := range idx {
		out[i] = killPhases[j]
	}
	return out
}

func randDur(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// downloadPartial reports a non-empty download in progress: a .partial
// file of a window (a merged export's parts, or a {window} output), not
// the merged file's own.
func downloadPartial(dir string) bool {
	for _, pattern := range []string{".mkbulk/parts/*/*.partial", "out/form-fills/*.partial", "out/members.csv.partial", "out/cars.tsv.partial"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
				return true
			}
		}
	}
	return false
}

// formatOps renders callsByOperation compactly, biggest first.
func formatOps(ops map[string]int64) string {
	type kv struct {
		k string
		v int64
	}
	var all []kv
	for k, v := range ops {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	var parts []string
	for _, x := range all {
		parts = append(parts, fmt.Sprintf("%s=%d", x.k, x.v))
	}
	return strings.Join(parts, ", ")
}
