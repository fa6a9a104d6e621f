package executor

import (
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// phase is where one export window is in its life.
type phase int

const (
	phaseCreate        phase = iota // needs a Marketo job
	phaseEnqueue                    // created, never enqueued
	phaseCheck                      // maybe enqueued by an earlier run: read status before anything
	phaseInFlight                   // enqueued: Queued or Processing
	phaseDownloadReady              // Completed: waiting for a local slot
	phaseDownloading                // a download goroutine owns the record
	phaseDone                       // verified file in place
	phaseFailed                     // reported failed
)

// window is one export window of the plan and the executor's view of it.
type window struct {
	step    *plan.Step
	obj     marketo.Object
	rec     statefile.Record // as last recorded
	phase   phase
	started time.Time

	// statusDue is the earliest time a status read of this job may be
	// made: one spacing after the last status read, enqueue or (for jobs
	// from an earlier run) the start of this run.
	statusDue time.Time
	// listed is true when the latest list refresh showed the job Queued
	// or Processing, so no status read is needed yet.
	listed bool
	// statusErrors counts consecutive failed status reads.
	statusErrors int
	// reruns counts re-exports after the file expired (404) in this run.
	reruns int
	// createErrors counts consecutive create calls that got no answer.
	createErrors int
}

func (w *window) exp() *statefile.ExportRecord { return w.rec.Export }

// occupiesQueue reports whether the job may hold a place in Marketo's
// export queue (Queued or Processing, or unknown after a crash).
func (w *window) occupiesQueue() bool {
	return w.phase == phaseInFlight || w.phase == phaseCheck
}

// wantsQueue reports whether the window waits to be created or enqueued.
func (w *window) wantsQueue() bool {
	return w.phase == phaseCreate || w.phase == phaseEnqueue
}

// freshRecord is the record of a window about to get a new Marketo job.
func freshRecord(st *plan.Step) statefile.Record {
	j := st.Export
	er := &statefile.ExportRecord{
		SpecDigest:        j.SpecDigest,
		Object:            j.Object,
		APIName:           j.APIName,
		Fields:            j.Fields,
		ColumnHeaderNames: j.ColumnHeaderNames,
		Format:            j.Format,
		Filter:            j.Filter,
		Output:            j.Output,
	}
	if j.Window != nil {
		s, e := j.Window.StartAt, j.Window.EndAt
		er.WindowStart, er.WindowEnd = &s, &e
	}
	return statefile.Record{Address: st.Address, Resource: st.Resource, Kind: statefile.KindExport, Export: er}
}

// initialPhase decides where a window starts from the plan step and the
// record an earlier run left. Resumed jobs are re-attached, never created
// again; a replaced window whose job still holds the same spec re-downloads
// the file Marketo kept instead of exporting (and spending quota) again.
func initialPhase(st *plan.Step, prev *statefile.Record) (statefile.Record, phase) {
	var pe *statefile.ExportRecord
	if prev != nil && prev.Kind == statefile.KindExport {
		pe = prev.Export
	}
	switch st.Action {
	case plan.Resume:
		if pe == nil || pe.ExportID == "" {
			if st.Export.ExportID == "" {
				return freshRecord(st), phaseCreate
			}
			rec := freshRecord(st)
			rec.Export.ExportID = st.Export.ExportID
			rec.Export.Enqueued = true // unknown: treat as maybe enqueued
			return rec, phaseCheck
		}
		rec := *prev
		e := *pe
		rec.Export = &e
		rec.Resource = st.Resource
		e.Output = st.Export.Output
		switch {
		case e.Status == marketo.StatusFailed || isCancelled(e.Status):
			return freshRecord(st), phaseCreate
		case e.Status == marketo.StatusCompleted && e.FileChecksum != "":
			e.SHA256 = ""
			return rec, phaseDownloadReady
		case e.Enqueued:
			return rec, phaseCheck
		default:
			return rec, phaseEnqueue
		}
	case plan.Replace:
		if pe != nil && pe.ExportID != "" && pe.SpecDigest == st.Export.SpecDigest &&
			pe.Status == marketo.StatusCompleted && pe.FileChecksum != "" {
			rec := *prev
			e := *pe
			rec.Export = &e
			rec.Resource = st.Resource
			e.Output = st.Export.Output
			e.SHA256 = ""
			return rec, phaseDownloadReady
		}
	}
	return freshRecord(st), phaseCreate
}

func isCancelled(status string) bool {
	return status == marketo.StatusCancelled || status == "Canceled"
}

func isTerminal(status string) bool {
	return status == marketo.StatusCompleted || status == marketo.StatusFailed || isCancelled(status)
}

// absorb copies a Marketo status object into the record and reports
// whether the status changed.
func absorb(e *statefile.ExportRecord, j *marketo.ExportJob) bool {
	changed := e.Status != j.Status
	e.Status = j.Status
	if j.CreatedAt != "" {
		e.CreatedAt = j.CreatedAt
	}
	if j.QueuedAt != "" {
		e.QueuedAt = j.QueuedAt
	}
	if j.StartedAt != "" {
		e.StartedAt = j.StartedAt
	}
	if j.FinishedAt != "" {
		e.FinishedAt = j.FinishedAt
	}
	if j.Status == marketo.StatusCompleted {
		e.NumberOfRecords = j.NumberOfRecords
		e.FileSize = j.FileSize
		e.FileChecksum = j.FileChecksum
	}
	if j.ErrorMsg != "" {
		e.ErrorMsg = j.ErrorMsg
	}
	return changed
}
