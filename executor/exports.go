package executor

import (
	"errors"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// exportRunner drives every export window of a run from one goroutine, so
// queue accounting needs no locks. Only downloads and merges run elsewhere;
// they report back on done.
//
// Marketo runs at most 2 export jobs and queues at most 10 (queued plus
// processing, every integration of the instance). The runner keeps that
// queue full: each refresh lists the Queued and Processing jobs of every
// export object, counts them with ours, and enqueues the next windows the
// moment places free, so both processing slots never idle while windows
// wait. The list doubles as the poll: a job still listed needs no status
// read; a job gone from the list is read once to learn how it ended.
type exportRunner struct {
	r       *runner
	windows []*window
	byAddr  map[string]*window
	merges  []*mergeState

	// listed is the latest list refresh: job id → status, every integration.
	listed   map[string]string
	listedAt time.Time
	// listedAll is set when the latest list covered every export object,
	// as counting free places needs (foreign jobs on any object count).
	listedAll bool
	// quotaStop is set once Marketo said the daily export quota is spent.
	quotaStop bool

	running int // download and merge goroutines
	done    chan func()
}

func newExportRunner(r *runner, steps []*plan.Step, merges []plan.Merge) *exportRunner {
	x := &exportRunner{r: r, byAddr: map[string]*window{}, done: make(chan func())}
	now := r.clock.Now()
	for _, st := range steps {
		var prev *statefile.Record
		if rec, ok := r.record(st.Address); ok {
			prev = &rec
		}
		rec, ph := initialPhase(st, prev)
		w := &window{step: st, obj: objectOf(st.Export.Object, st.Export.APIName), rec: rec, phase: ph, started: now}
		if ph == phaseCheck {
			// An earlier run may have read this job's status moments ago.
			w.statusDue = now.Add(r.opts.pollSpacing())
		}
		if st.Action == plan.Replace && prev != nil {
			x.cancelReplaced(w, prev)
		}
		x.windows = append(x.windows, w)
		x.byAddr[st.Address] = w
		r.obs.Observe(StepStarted{Address: st.Address, Kind: st.Kind, Action: st.Action})
	}
	for _, m := range merges {
		x.merges = append(x.merges, &mergeState{merge: m})
	}
	return x
}

// run is the scheduling loop.
func (x *exportRunner) run() {
	r := x.r
	for {
		if r.stopped() || x.settled() {
			break
		}
		now := r.clock.Now()
		if x.refreshDue(now) {
			x.refresh()
		}
		x.readStatuses()
		x.fillQueue()
		x.startDownloads()
		x.startMerges()
		if r.stopped() || x.settled() {
			break
		}
		x.wait()
	}
	// Let downloads and merges record where they stopped.
	for x.running > 0 {
		(<-x.done)()
	}
	x.report()
}

// wait blocks until a goroutine reports, the next timed action is due, or
// the run stops.
func (x *exportRunner) wait() {
	var timer <-chan time.Time
	if d, ok := x.nextWake(); ok {
		timer = x.r.clock.After(d)
	}
	select {
	case f := <-x.done:
		f()
	case <-timer:
	case <-x.r.ctx.Done():
	}
}

// nextWake is how long until the next refresh or status read is due.
func (x *exportRunner) nextWake() (time.Duration, bool) {
	now := x.r.clock.Now()
	var next time.Time
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if x.needsList() {
		consider(x.listedAt.Add(x.r.opts.pollSpacing()))
	}
	for _, w := range x.windows {
		if w.occupiesQueue() && !w.listed {
			consider(w.statusDue)
		}
	}
	if next.IsZero() {
		return 0, false
	}
	return max(next.Sub(now), 0), true
}

// settled reports whether nothing more can happen in this run.
func (x *exportRunner) settled() bool {
	if x.running > 0 {
		return false
	}
	for _, w := range x.windows {
		switch {
		case w.phase == phaseDone || w.phase == phaseFailed:
		case w.wantsQueue() && x.quotaStop:
		default:
			return false
		}
	}
	for _, m := range x.merges {
		if !m.finished && x.mergeReady(m) {
			return false
		}
	}
	return true
}

// needsList reports whether the list of queued jobs is worth reading: for
// our jobs' progress, or to count free places before enqueuing.
func (x *exportRunner) needsList() bool {
	for _, w := range x.windows {
		if w.occupiesQueue() || (w.wantsQueue() && !x.quotaStop) {
			return true
		}
	}
	return false
}

func (x *exportRunner) refreshDue(now time.Time) bool {
	return x.needsList() && (x.listedAt.IsZero() || !now.Before(x.listedAt.Add(x.r.opts.pollSpacing())))
}

// listObjects are the objects whose queues a refresh reads: every standard
// export object plus the custom objects of this plan when we may enqueue
// (foreign jobs count), else only the objects of our jobs in the queue.
func (x *exportRunner) listObjects() (objs []marketo.Object, all bool) {
	seen := map[marketo.Object]bool{}
	add := func(o marketo.Object) {
		if !seen[o] {
			seen[o] = true
			objs = append(objs, o)
		}
	}
	enqueuing := false
	for _, w := range x.windows {
		if w.wantsQueue() && !x.quotaStop {
			enqueuing = true
		}
	}
	if enqueuing {
		for _, k := range []string{marketo.ObjectLeads, marketo.ObjectActivities, marketo.ObjectProgramMembers} {
			add(marketo.Object{Kind: k})
		}
		for _, w := range x.windows {
			add(w.obj)
		}
		return objs, true
	}
	for _, w := range x.windows {
		if w.occupiesQueue() {
			add(w.obj)
		}
	}
	return objs, false
}

// refresh reads the Queued and Processing jobs of each object. A failed
// read keeps the previous picture; the client has already retried it.
func (x *exportRunner) refresh() {
	r := x.r
	listed := map[string]string{}
	ok := true
	objs, all := x.listObjects()
	for _, obj := range objs {
		jobs, err := r.api.ListExports(r.ctx, obj, []string{marketo.StatusQueued, marketo.StatusProcessing})
		if err != nil {
			if r.stopped() {
				return
			}
			if marketo.IsNotFound(err) {
				continue // e.g. a custom object without bulk export
			}
			ok = false
			r.obs.Observe(Retry{Reason: "listing export jobs: " + err.Error(), After: r.opts.pollSpacing()})
			break
		}
		for _, j := range jobs {
			listed[j.ExportID] = j.Status
		}
	}
	x.listedAt = r.clock.Now()
	if !ok {
		// Without a list, count on what we know of our own jobs: if other
		// integrations fill the queue, Marketo answers 1029 and we wait.
		for _, w := range x.windows {
			w.listed = false
		}
		x.listedAll = true
		return
	}
	x.listed, x.listedAll = listed, all
	for _, w := range x.windows {
		w.listed = false
		if !w.occupiesQueue() {
			continue
		}
		status, in := listed[w.exp().ExportID]
		if !in {
			continue
		}
		w.listed = true
		if w.phase == phaseCheck {
			w.phase = phaseInFlight
		}
		x.observeStatus(w, &marketo.ExportJob{ExportID: w.exp().ExportID, Status: status})
	}
}

// observeStatus records a status seen for w's job and reports it.
func (x *exportRunner) observeStatus(w *window, j *marketo.ExportJob) {
	r := x.r
	changed := absorb(w.exp(), j)
	if changed {
		if r.put(w.rec) != nil {
			return
		}
		if j.Status == marketo.StatusCompleted {
			// Marketo charges the daily quota when a job completes.
			r.addLedger(ledgerDayOf(j.FinishedAt, r.clock.Now()), j.FileSize)
		}
	}
	r.obs.Observe(JobPolled{Address: w.step.Address, ID: w.exp().ExportID, Status: j.Status, Changed: changed, Elapsed: r.clock.Now().Sub(w.started)})
}

// readStatuses reads the status of each job of ours that the list did not
// account for, no sooner than one spacing after its last read.
func (x *exportRunner) readStatuses() {
	r := x.r
	for _, w := range x.windows {
		if r.stopped() {
			return
		}
		if !w.occupiesQueue() || w.listed || r.clock.Now().Before(w.statusDue) {
			continue
		}
		j, err := r.api.ExportStatus(r.ctx, w.obj, w.exp().ExportID)
		w.statusDue = r.clock.Now().Add(r.opts.pollSpacing())
		if err != nil {
			x.statusFailed(w, err)
			continue
		}
		w.statusErrors = 0
		x.handleStatus(w, j)
	}
}

func (x *exportRunner) statusFailed(w *window, err error) {
	r := x.r
	if r.stopped() {
		return
	}
	if marketo.IsNotFound(err) {
		// Marketo keeps job status 30 days; a job it no longer knows is
		// exported again.
		x.rerun(w, "export job "+w.exp().ExportID+" is unknown to Marketo")
		return
	}
	w.statusErrors++
	if w.statusErrors >= maxStatusErrors {
		x.fail(w, err)
		return
	}
	r.obs.Observe(Retry{Address: w.step.Address, Reason: "reading job status: " + err.Error(), After: r.opts.pollSpacing()})
}

// maxStatusErrors is how many status reads in a row may fail (after the
// client's own retries) before the window is reported failed.
const maxStatusErrors = 5

func (x *exportRunner) handleStatus(w *window, j *marketo.ExportJob) {
	r := x.r
	prevPhase := w.phase
	x.observeStatus(w, j)
	switch {
	case j.Status == marketo.StatusCreated:
		if prevPhase == phaseCheck {
			// An earlier run recorded Enqueued but died before the call
			// reached Marketo: enqueuing now is the first enqueue.
			w.phase = phaseEnqueue
		}
		// In flight and Created: status not refreshed yet; wait.
	case j.Status == marketo.StatusQueued || j.Status == marketo.StatusProcessing:
		w.phase = phaseInFlight
	case j.Status == marketo.StatusCompleted:
		w.phase = phaseDownloadReady
	case j.Status == marketo.StatusFailed:
		msg := j.ErrorMsg
		if msg == "" {
			msg = "export job failed"
		}
		x.fail(w, errors.New("Marketo export job "+j.ExportID+" failed: "+msg))
	case isCancelled(j.Status):
		x.fail(w, errors.New("Marketo export job "+j.ExportID+" was cancelled outside this apply"))
	default:
		r.obs.Observe(Retry{Address: w.step.Address, Reason: "unknown job status " + j.Status, After: r.opts.pollSpacing()})
	}
}

// rerun sends a window back to be exported again (its file or job expired).
func (x *exportRunner) rerun(w *window, why string) {
	w.reruns++
	if w.reruns > maxReruns {
		x.fail(w, errors.New(why+"; gave up after re-exporting it"))
		return
	}
	x.r.obs.Observe(Retry{Address: w.step.Address, Reason: why + "; exporting the window again"})
	w.rec = freshRecord(w.step)
	w.phase = phaseCreate
	w.listed = false
	_ = x.r.put(w.rec)
}

// maxReruns bounds re-exports of one window in one run.
const maxReruns = 1

func (x *exportRunner) fail(w *window, err error) {
	w.phase = phaseFailed
	x.r.res.failed(w.step, failureOf(err))
}

// report files every window that did not finish as pending.
func (x *exportRunner) report() {
	r := x.r
	for _, w := range x.windows {
		switch w.phase {
		case phaseDone, phaseFailed:
		default:
			why := r.stopReason()
			if x.quotaStop && w.wantsQueue() {
				why = "waiting for Marketo's daily export quota to reset"
			}
			r.res.pending(w.step, why)
		}
	}
	for _, m := range x.merges {
		if !m.finished {
			r.res.pending(&plan.Step{Address: m.merge.Resource, Kind: plan.KindExport}, "merge waits for every window of "+m.merge.Resource)
		}
	}
}
