package executor

import (
	"errors"
	"os"

	"github.com/mkbulk/mkbulk/marketo"
)

// This file is the export queue's admission side: how full Marketo's queue
// is (our jobs and other integrations'), and creating and enqueuing the
// next windows while there is a place — persisting before each call so a
// killed apply never enqueues the same window twice.

// occupancy counts jobs in Marketo's export queue: the latest list, plus
// ours enqueued since, minus ours seen finished since.
func (x *exportRunner) occupancy() int {
	occupied := make(map[string]bool, len(x.listed))
	for id := range x.listed {
		occupied[id] = true
	}
	for _, w := range x.windows {
		id := w.exp().ExportID
		if id == "" {
			continue
		}
		if w.occupiesQueue() {
			occupied[id] = true
		} else {
			delete(occupied, id)
		}
	}
	return len(occupied)
}

// fillQueue creates and enqueues waiting windows, in plan order, while the
// queue has places.
func (x *exportRunner) fillQueue() {
	r := x.r
	if x.quotaStop || !x.listedAll {
		return // count places only from a list of every object's queue
	}
	free := r.opts.MaxQueuedExports - x.occupancy()
	for _, w := range x.windows {
		if free <= 0 || x.quotaStop || r.stopped() {
			return
		}
		if !w.wantsQueue() {
			continue
		}
		if w.phase == phaseCreate && !x.create(w) {
			continue
		}
		if w.phase == phaseEnqueue {
			switch x.enqueue(w) {
			case enqueued:
				free--
			case queueFull:
				return
			}
		}
	}
}

// create makes the window's Marketo job and records its id before anything
// else happens to it.
func (x *exportRunner) create(w *window) bool {
	r := x.r
	j := w.step.Export
	// A new job's file must not resume into bytes of an older job.
	_ = os.Remove(r.abs(j.Output) + ".partial")
	job, err := r.api.CreateExport(r.ctx, w.obj, &marketo.ExportRequest{
		Fields:            j.Fields,
		ColumnHeaderNames: j.ColumnHeaderNames,
		Format:            j.Format,
		Filter:            j.Filter,
	})
	if err != nil {
		switch {
		case r.stopped():
		case marketo.IsDailyQuota(err):
			x.stopForQuota()
		case marketo.IsTransient(err) && w.createErrors < maxStatusErrors:
			// No answer (or Marketo busy): at worst an orphan job stays
			// Created, which holds no place in the queue. Try again later.
			w.createErrors++
			r.obs.Observe(Retry{Address: w.step.Address, Reason: "creating the export job: " + err.Error(), After: r.opts.pollSpacing()})
		default:
			x.fail(w, err)
		}
		return false
	}
	w.createErrors = 0
	w.rec = freshRecord(w.step)
	absorb(w.exp(), job)
	w.exp().ExportID = job.ExportID
	if w.exp().Status == "" {
		w.exp().Status = marketo.StatusCreated
	}
	if r.put(w.rec) != nil {
		return false
	}
	r.obs.Observe(JobCreated{Address: w.step.Address, ExportID: job.ExportID})
	w.phase = phaseEnqueue
	return true
}

type enqueueOutcome int

const (
	enqueued enqueueOutcome = iota
	notEnqueued
	queueFull
)

// enqueue records Enqueued, then enqueues: a crash between the two leaves a
// record that makes the next run read status instead of enqueuing again.
func (x *exportRunner) enqueue(w *window) enqueueOutcome {
	r := x.r
	w.exp().Enqueued = true
	if r.put(w.rec) != nil {
		return notEnqueued
	}
	job, err := r.api.EnqueueExport(r.ctx, w.obj, w.exp().ExportID)
	now := r.clock.Now()
	w.statusDue = now.Add(r.opts.pollSpacing())
	if err != nil {
		var me *marketo.Error
		switch {
		case r.stopped():
			// Unknown whether Marketo got it: the next run reads status.
			w.phase = phaseCheck
			return notEnqueued
		case marketo.IsAlreadyQueued(err):
			// A retried enqueue whose first attempt went through.
			job = &marketo.ExportJob{ExportID: w.exp().ExportID, Status: marketo.StatusQueued}
		case marketo.IsDailyQuota(err):
			x.unmarkEnqueued(w)
			x.stopForQuota()
			return notEnqueued
		case marketo.IsQueueFull(err):
			x.unmarkEnqueued(w)
			r.obs.Observe(Retry{Address: w.step.Address, Reason: "Marketo's export queue is full (jobs of other integrations count)", After: r.opts.pollSpacing()})
			return queueFull
		case errors.As(err, &me) && me.Code != "":
			// Marketo answered and refused: nothing was enqueued.
			x.unmarkEnqueued(w)
			x.fail(w, err)
			return notEnqueued
		default:
			// No answer: Marketo may have enqueued it. Read status later.
			w.phase = phaseCheck
			r.obs.Observe(Retry{Address: w.step.Address, Reason: "enqueue got no answer (" + err.Error() + "); reading status before anything else", After: r.opts.pollSpacing()})
			return enqueued
		}
	}
	w.phase = phaseInFlight
	if job.Status == "" || job.Status == marketo.StatusCreated {
		job.Status = marketo.StatusQueued
	}
	absorb(w.exp(), job)
	if r.put(w.rec) != nil {
		return enqueued
	}
	r.obs.Observe(JobEnqueued{Address: w.step.Address, ExportID: w.exp().ExportID})
	return enqueued
}

func (x *exportRunner) unmarkEnqueued(w *window) {
	w.exp().Enqueued = false
	_ = x.r.put(w.rec)
}

// stopForQuota stops creating and enqueuing; running jobs still finish and
// download.
func (x *exportRunner) stopForQuota() {
	if x.quotaStop {
		return
	}
	x.quotaStop = true
	reset := QuotaResetAfter(x.r.clock.Now())
	x.r.res.update(func(res *Result) {
		res.QuotaStopped = true
		res.QuotaResetsAt = reset
	})
	x.r.obs.Observe(QuotaStopped{ResetsAt: reset})
}
