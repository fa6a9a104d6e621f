package executor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

const testPoll = time.Minute

// exportPlan is a plan of n daily windows of export.NAME, one file each.
func exportPlan(name string, n int) *plan.Plan {
	p := &plan.Plan{}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		w := plan.Window{StartAt: start.AddDate(0, 0, i), EndAt: start.AddDate(0, 0, i+1).Add(-time.Second)}
		addr := fmt.Sprintf("export.%s[%q]", name, w.Label())
		p.Steps = append(p.Steps, plan.Step{
			Address: addr, Resource: "export." + name, Kind: plan.KindExport, Action: plan.Create,
			Export: &plan.ExportJob{
				Object: marketo.ObjectLeads, Fields: []string{"id", "email"}, Format: "CSV",
				Filter:     fmt.Appendf(nil, `{"createdAt":{"startAt":%q,"endAt":%q}}`, w.StartAt.Format(time.RFC3339), w.EndAt.Format(time.RFC3339)),
				Window:     &w,
				Output:     fmt.Sprintf("out/%s-%s.csv", name, w.FileLabel()),
				SpecDigest: "spec-" + name,
			},
		})
	}
	return p
}

// replan does what the planner does for export windows after a run:
// verified windows are no-ops, windows with a job resume, others are created.
func replan(p *plan.Plan, snap *statefile.Snapshot) *plan.Plan {
	next := &plan.Plan{Merges: p.Merges}
	for _, st := range p.Steps {
		e := *st.Export
		st.Export = &e
		rec, ok := snap.Resources[st.Address]
		switch {
		case ok && rec.Export.Done():
			st.Action = plan.NoOp
		case ok && rec.Export.ExportID != "":
			st.Action = plan.Resume
			st.Export.ExportID = rec.Export.ExportID
		default:
			st.Action = plan.Create
		}
		next.Steps = append(next.Steps, st)
	}
	return next
}

type harness struct {
	t    *testing.T
	dir  string
	f    *fakeMarketo
	rec  *memRecorder
	obs  *recordingObserver
	opts Options
}

func newHarness(t *testing.T) *harness {
	return &harness{
		t: t, dir: t.TempDir(), f: newFakeMarketo(t), rec: newMemRecorder(), obs: &recordingObserver{},
		opts: Options{PollInterval: testPoll, Parallelism: 2},
	}
}

func (h *harness) run(ctx context.Context, p *plan.Plan) *Result {
	h.t.Helper()
	opts := h.opts
	opts.ProjectDir = h.dir
	res, err := Run(ctx, p, Deps{API: h.f, Recorder: h.rec, State: h.rec.snapshot(), Observer: h.obs}, opts)
	if err != nil {
		h.t.Fatalf("Run: %v", err)
	}
	return res
}

func addresses(rs []StepResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Address)
	}
	return out
}

func stepAddresses(p *plan.Plan, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, p.Steps[i].Address)
	}
	slices.Sort(out)
	return out
}

func allSteps(p *plan.Plan) []int {
	var idx []int
	for i := range p.Steps {
		idx = append(idx, i)
	}
	return idx
}

// checkOutputs asserts every applied export window has its verified file
// in place and in state.
func (h *harness) checkOutputs(p *plan.Plan) {
	h.t.Helper()
	snap := h.rec.snapshot()
	for _, st := range p.Steps {
		rec := snap.Resources[st.Address]
		if rec.Export == nil || !rec.Export.Done() {
			h.t.Errorf("%s: not done in state: %+v", st.Address, rec.Export)
			continue
		}
		data, err := os.ReadFile(filepath.Join(h.dir, st.Export.Output))
		if err != nil {
			h.t.Errorf("%s: %v", st.Address, err)
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != rec.Export.SHA256 || "sha256:"+got != rec.Export.FileChecksum {
			h.t.Errorf("%s: file sha256 %s, state %s, Marketo %s", st.Address, got, rec.Export.SHA256, rec.Export.FileChecksum)
		}
		if _, err := os.Stat(filepath.Join(h.dir, st.Export.Output+".partial")); err == nil {
			h.t.Errorf("%s: partial file left behind", st.Address)
		}
	}
}

func (h *harness) checkPolite() {
	h.t.Helper()
	f := h.f
	if f.maxOccupied > 10 || f.maxProcessing > 2 {
		h.t.Errorf("queue overfilled: max occupied %d, max processing %d", f.maxOccupied, f.maxProcessing)
	}
	if f.pollsBeforeRefresh != 0 || f.statusBeforeEnqueueSpacing != 0 {
		h.t.Errorf("polled too fast: %d status reads within an interval of the previous, %d within an interval of enqueue", f.pollsBeforeRefresh, f.statusBeforeEnqueueSpacing)
	}
	for id, n := range f.enqueues {
		if n > 1 {
			h.t.Errorf("job %s enqueued %d times", id, n)
		}
	}
}

func TestExportsKeepQueueFullWithinLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		// Three jobs of another integration hold places: two process for
		// 20 minutes, one waits.
		for range 3 {
			h.f.addForeign(20 * time.Minute)
		}
		p := exportPlan("leads", 14)
		res := h.run(t.Context(), p)

		if diff := cmp.Diff(stepAddresses(p, allSteps(p)...), addresses(res.Applied)); diff != "" {
			t.Errorf("applied (-want +got):\n%s", diff)
		}
		if len(res.Failed)+len(res.Pending) != 0 || !res.OK() {
			t.Errorf("failed %v, pending %v", res.Failed, res.Pending)
		}
		h.checkOutputs(p)
		h.checkPolite()
		if h.f.maxOccupied != 10 {
			t.Errorf("queue never filled: max occupied %d, want 10", h.f.maxOccupied)
		}
		if h.f.queueFullAnswers != 0 {
			t.Errorf("enqueued into a full queue %d times: foreign jobs were not counted", h.f.queueFullAnswers)
		}

		// Windows are enqueued in plan order, and each place that frees
		// while windows wait is taken within one poll spacing.
		var enq []string
		for _, ev := range h.f.history {
			if ev.what == "enqueue" {
				enq = append(enq, ev.id)
			}
		}
		if !slices.IsSorted(enq) || len(enq) != 14 {
			t.Errorf("enqueue order %v, want 14 in creation (plan) order", enq)
		}
		spacing := h.opts.withDefaults().pollSpacing()
		enqueued := 0
		for i, ev := range h.f.history {
			if ev.what == "enqueue" {
				enqueued++
				continue
			}
			if enqueued == 14 {
				continue
			}
			next := slices.IndexFunc(h.f.history[i:], func(e queueEvent) bool { return e.what == "enqueue" })
			if next < 0 {
				t.Fatalf("no enqueue after the completion at %v with %d windows waiting", ev.at, 14-enqueued)
			}
			if lag := h.f.history[i+next].at.Sub(ev.at); lag > spacing {
				t.Errorf("a place freed at %v was taken %v later (more than one poll spacing %v)", ev.at, lag, spacing)
			}
		}
		// The job events come in the order a job lives.
		first := p.Steps[0].Address
		var kinds []string
		for _, ev := range h.obs.events {
			if ev.At() != first {
				continue
			}
			switch e := ev.(type) {
			case JobPolled:
				if e.Changed {
					kinds = append(kinds, "polled "+e.Status)
				}
			default:
				kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", ev), "executor."))
			}
		}
		want := []string{"StepStarted", "JobCreated", "JobEnqueued", "polled Processing", "polled Completed", "DownloadProgress", "FileDownloaded", "StepCompleted"}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Errorf("events of %s (-want +got):\n%s", first, diff)
		}
	})
}

func TestQueueFullAnswerWaitsAndRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		// Another integration filled the queue between our list and enqueue.
		h.f.failOn("EnqueueExport", 1, queueFullError())
		p := exportPlan("leads", 2)
		start := time.Now()
		res := h.run(t.Context(), p)
		if !res.OK() || len(res.Applied) != 2 {
			t.Fatalf("result: %+v", res)
		}
		h.checkOutputs(p)
		h.checkPolite()
		retries := eventsOf[Retry](h.obs)
		if len(retries) != 1 || !strings.Contains(retries[0].Reason, "queue is full") {
			t.Errorf("retries: %+v", retries)
		}
		if first := h.f.jobs["job-01"].enqueuedAt; first.Sub(start) < testPoll {
			t.Errorf("re-enqueued %v after the queue-full answer, want at least a poll interval", first.Sub(start))
		}
	})
}

func TestOneStepFailsOthersFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 5)
		h.f.failJob["2026-01-02"] = "Query failed: internal error"
		h.f.failOn("CreateExport", 4, &marketo.Error{Code: "1003", Message: "Invalid fields [emial]", RequestID: "e42a#17"})
		res := h.run(t.Context(), p)

		got := map[string]Failure{}
		for _, f := range res.Failed {
			got[f.Address] = *f.Failure
		}
		// Creates go in plan order: the 4th create is window 3 (0-based).
		want := map[string]Failure{
			p.Steps[1].Address: {Message: "Marketo export job job-02 failed: Query failed: internal error"},
			p.Steps[3].Address: {Code: "1003", RequestID: "e42a#17", Message: "Invalid fields [emial]"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("failed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(stepAddresses(p, 0, 2, 4), addresses(res.Applied)); diff != "" {
			t.Errorf("applied (-want +got):\n%s", diff)
		}
		if res.OK() {
			t.Error("result OK despite failures")
		}
		snap := h.rec.snapshot()
		if e := snap.Resources[p.Steps[1].Address].Export; e.Status != marketo.StatusFailed || e.ErrorMsg == "" {
			t.Errorf("failed job not recorded as failed: %+v", e)
		}
		h.checkPolite()
	})
}

func TestQuotaStopFinishesRunningAndResumesNextRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 6)
		// Jobs 1-3 are created; enqueueing the third meets the quota.
		h.f.failOn("EnqueueExport", 3, quotaError())
		res := h.run(t.Context(), p)

		if !res.QuotaStopped || res.OK() {
			t.Fatalf("want a quota stop, got %+v", res)
		}
		if reset := QuotaResetAfter(time.Now()); !res.QuotaResetsAt.Equal(reset) || reset.In(chicago).Hour() != 0 {
			t.Errorf("quota resets at %v, want %v (midnight Chicago)", res.QuotaResetsAt, reset)
		}
		if diff := cmp.Diff(stepAddresses(p, 0, 1), addresses(res.Applied)); diff != "" {
			t.Errorf("applied (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(stepAddresses(p, 2, 3, 4, 5), addresses(res.Pending)); diff != "" {
			t.Errorf("pending (-want +got):\n%s", diff)
		}
		if len(res.Failed) != 0 {
			t.Errorf("failed: %+v", res.Failed)
		}
		snap := h.rec.snapshot()
		if e := snap.Resources[p.Steps[2].Address].Export; e.ExportID != "job-03" || e.Enqueued {
			t.Errorf("window 3 should be created, not enqueued: %+v", e)
		}
		if len(eventsOf[QuotaStopped](h.obs)) != 1 {
			t.Error("no QuotaStopped event")
		}
		if h.rec.ledger[LedgerDay(time.Now())] == 0 {
			t.Error("completed exports not in the ledger")
		}

		// After the reset, the next apply finishes the rest without
		// exporting windows 1-2 again or creating window 3 again.
		time.Sleep(24 * time.Hour)
		res2 := h.run(t.Context(), replan(p, snap))
		if !res2.OK() {
			t.Fatalf("second run: %+v", res2)
		}
		if diff := cmp.Diff(stepAddresses(p, 2, 3, 4, 5), addresses(res2.Applied)); diff != "" {
			t.Errorf("second run applied (-want +got):\n%s", diff)
		}
		if n := h.f.calls["CreateExport"]; n != 6 {
			t.Errorf("%d jobs created over both runs, want 6", n)
		}
		h.checkOutputs(p)
		h.checkPolite()
	})
}

func TestCrashAfterRecordingEnqueuedBeforeTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 3)
		ctx, kill := context.WithCancel(t.Context())
		target := p.Steps[1].Address
		h.rec.onPut = func(rec statefile.Record) {
			if rec.Address == target && rec.Export.Enqueued && rec.Export.Status == marketo.StatusCreated {
				kill() // the process dies before the enqueue call is made
			}
		}
		res := h.run(ctx, p)
		if !res.Interrupted {
			t.Fatalf("want interrupted, got %+v", res)
		}
		h.rec.onPut = nil
		snap := h.rec.snapshot()
		if e := snap.Resources[target].Export; !e.Enqueued || e.ExportID != "job-02" || h.f.jobs["job-02"].status != marketo.StatusCreated {
			t.Fatalf("setup: record %+v, Marketo status %s", e, h.f.jobs["job-02"].status)
		}
		statusBefore := h.f.calls["ExportStatus"]

		res2 := h.run(t.Context(), replan(p, snap))
		if !res2.OK() {
			t.Fatalf("second run: %+v", res2)
		}
		if h.f.enqueues["job-02"] != 1 {
			t.Errorf("job-02 enqueued %d times, want 1", h.f.enqueues["job-02"])
		}
		if h.f.calls["ExportStatus"] == statusBefore {
			t.Error("the resumed run enqueued without reading the job's status first")
		}
		if n := h.f.calls["CreateExport"]; n != 3 {
			t.Errorf("%d jobs created, want 3 (the crashed window's job is re-attached)", n)
		}
		h.checkOutputs(p)
		h.checkPolite()
	})
}

func TestCrashAfterEnqueueNeverEnqueuesAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 3)
		ctx, kill := context.WithCancel(t.Context())
		h.f.after["EnqueueExport"] = func(id string) {
			if id == "job-02" {
				kill() // Marketo queued it; the answer never arrived
			}
		}
		res := h.run(ctx, p)
		if !res.Interrupted {
			t.Fatalf("want interrupted, got %+v", res)
		}
		delete(h.f.after, "EnqueueExport")
		snap := h.rec.snapshot()
		if e := snap.Resources[p.Steps[1].Address].Export; !e.Enqueued || e.Status != marketo.StatusCreated {
			t.Fatalf("setup: record %+v", e)
		}
		res2 := h.run(t.Context(), replan(p, snap))
		if !res2.OK() || len(res2.Applied) != 3 {
			t.Fatalf("second run: %+v", res2)
		}
		for _, id := range []string{"job-01", "job-02", "job-03"} {
			if h.f.enqueues[id] != 1 {
				t.Errorf("%s enqueued %d times, want 1", id, h.f.enqueues[id])
			}
		}
		h.checkOutputs(p)
		h.checkPolite()
	})
}

func TestExpiredFileAfterCompletedReexportsTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 2)
		h.f.expired["job-01"] = true
		res := h.run(t.Context(), p)
		if !res.OK() || len(res.Applied) != 2 {
			t.Fatalf("result: %+v", res)
		}
		snap := h.rec.snapshot()
		if id := snap.Resources[p.Steps[0].Address].Export.ExportID; id != "job-03" {
			t.Errorf("window 1 downloaded from %s, want a new job job-03", id)
		}
		var reasons []string
		for _, r := range eventsOf[Retry](h.obs) {
			reasons = append(reasons, r.Reason)
		}
		if !slices.ContainsFunc(reasons, func(s string) bool { return strings.Contains(s, "expired") }) {
			t.Errorf("no retry saying the file expired: %q", reasons)
		}
		h.checkOutputs(p)
		h.checkPolite()
	})
}

func TestReplaceWithSameSpecRedownloadsInsteadOfExporting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 1)
		if res := h.run(t.Context(), p); !res.OK() {
			t.Fatalf("first run: %+v", res)
		}
		out := filepath.Join(h.dir, p.Steps[0].Export.Output)
		if err := os.Remove(out); err != nil {
			t.Fatal(err)
		}
		p2 := replan(p, h.rec.snapshot())
		p2.Steps[0].Action = plan.Replace // the planner: "output missing"
		res := h.run(t.Context(), p2)
		if !res.OK() {
			t.Fatalf("second run: %+v", res)
		}
		if h.f.calls["CreateExport"] != 1 || h.f.calls["DownloadExport"] != 2 {
			t.Errorf("creates %d, downloads %d; want the same job downloaded again", h.f.calls["CreateExport"], h.f.calls["DownloadExport"])
		}
		h.checkOutputs(p)
	})
}

func TestCancelledContextStopsAndRecordsPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 3)
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(2 * time.Minute) // jobs are processing
			cancel()
		}()
		res := h.run(ctx, p)
		if !res.Interrupted || len(res.Pending) != 3 {
			t.Fatalf("result: %+v", res)
		}
		for _, st := range p.Steps {
			if e := h.rec.snapshot().Resources[st.Address].Export; e == nil || e.ExportID == "" || !e.Enqueued {
				t.Errorf("%s: not recorded before the interrupt: %+v", st.Address, e)
			}
		}
		res2 := h.run(t.Context(), replan(p, h.rec.snapshot()))
		if !res2.OK() || h.f.calls["CreateExport"] != 3 {
			t.Fatalf("resume: %+v, creates %d", res2, h.f.calls["CreateExport"])
		}
		h.checkOutputs(p)
		h.checkPolite()
	})
}

func TestListFailureFallsBackToStatusPolls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.f.failAlways["ListExports"] = &marketo.Error{Code: "611", Message: "System error"}
		p := exportPlan("leads", 4)
		res := h.run(t.Context(), p)
		if !res.OK() || len(res.Applied) != 4 {
			t.Fatalf("result: %+v", res)
		}
		// 4 jobs of 5 minutes, 2 at a time: every job is read several times.
		if n := h.f.calls["ExportStatus"]; n < 4*4 {
			t.Errorf("%d status reads; want each job polled while it runs", n)
		}
		h.checkOutputs(p)
		h.checkPolite()
	})
}
