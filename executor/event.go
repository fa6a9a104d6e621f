package executor

import (
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/plan"
)

// Event is something that happened during a run, reported to an Observer.
// The set is closed: only this package defines events.
type Event interface {
	isEvent()
	// At is the address the event concerns ("" for run-wide events).
	At() string
}

// Observer receives events. The executor serialises calls, so an Observer
// need not be safe for concurrent use; it must not block for long.
type Observer interface {
	Observe(Event)
}

// NopObserver ignores every event.
type NopObserver struct{}

// Observe does nothing.
func (NopObserver) Observe(Event) {}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f(ev).
func (f ObserverFunc) Observe(ev Event) { f(ev) }

// StepStarted: the executor began working on a step.
type StepStarted struct {
	Address string
	Kind    string // plan.KindExport | plan.KindImport
	Action  plan.Action
	// Total is the step's known size: chunks for imports, 0 for exports.
	Total int
}

// JobCreated: an export job was created on Marketo (its id is recorded).
type JobCreated struct {
	Address  string
	ExportID string
}

// JobEnqueued: an export job was enqueued.
type JobEnqueued struct {
	Address  string
	ExportID string
}

// JobPolled: a job's or batch's status was read. Changed is true when it
// differs from the last status seen.
type JobPolled struct {
	Address string
	ID      string // export id, or batch id for imports
	Status  string
	Changed bool
	Elapsed time.Duration // since the step started in this run
}

// DownloadProgress: bytes of an export file written so far (throttled).
type DownloadProgress struct {
	Address string
	Written int64
	Total   int64
}

// FileDownloaded: an export file is verified and in place.
type FileDownloaded struct {
	Address string
	Path    string // relative to the project directory
	Size    int64
	Records int64
	SHA256  string
	Resumed bool
	// Retries counts the client's extra requests for this file (resumes
	// after a dropped connection, retried requests).
	Retries int
}

// FileMerged: a merged export output is written and verified.
type FileMerged struct {
	Resource string
	Path     string
	Size     int64
	SHA256   string
}

// ChunkUploaded: an import chunk was accepted by Marketo.
type ChunkUploaded struct {
	Address string
	Chunk   int
	BatchID int
	Rows    int
	// Reupload is true when an earlier apply may already have uploaded this
	// chunk without recording its batch id.
	Reupload bool
}

// ImportReported: an import finished; its reports are written.
type ImportReported struct {
	Address      string
	Processed    int64
	Failed       int64
	Warnings     int64
	FailuresFile string // relative to the project directory; "" when none
	WarningsFile string
}

// Retry: the executor is waiting before trying again. Waiting is not an
// error (a full queue, an expired file being re-exported).
type Retry struct {
	Address string
	Reason  string
	After   time.Duration
}

// APIRetry: the Marketo client retried a failed call (a 606, a 5xx, a
// dropped connection). The executor never sees these; cmd/mkbulk reports
// them from the client's retry hook so a flaky Marketo is visible.
type APIRetry struct {
	Op      string // "POST /bulk/v1/leads/export/create.json"
	Attempt int    // the attempt that failed, 1 for the first
	Reason  string
}

// StepCompleted: a step is fully applied.
type StepCompleted struct {
	Address string
	Summary string
}

// StepFailed: a step failed; other steps go on.
type StepFailed struct {
	Address string
	Failure Failure
}

// QuotaStopped: Marketo's daily export quota is spent; no new export job
// is created or enqueued in this run.
type QuotaStopped struct {
	ResetsAt time.Time
}

// Done: the run is over.
type Done struct {
	Result *Result
}

func (StepStarted) isEvent()      {}
func (JobCreated) isEvent()       {}
func (JobEnqueued) isEvent()      {}
func (JobPolled) isEvent()        {}
func (DownloadProgress) isEvent() {}
func (FileDownloaded) isEvent()   {}
func (FileMerged) isEvent()       {}
func (ChunkUploaded) isEvent()    {}
func (ImportReported) isEvent()   {}
func (Retry) isEvent()            {}
func (APIRetry) isEvent()         {}
func (StepCompleted) isEvent()    {}
func (StepFailed) isEvent()       {}
func (QuotaStopped) isEvent()     {}
func (Done) isEvent()             {}

func (e StepStarted) At() string      { return e.Address }
func (e JobCreated) At() string       { return e.Address }
func (e JobEnqueued) At() string      { return e.Address }
func (e JobPolled) At() string        { return e.Address }
func (e DownloadProgress) At() string { return e.Address }
func (e FileDownloaded) At() string   { return e.Address }
func (e FileMerged) At() string       { return e.Resource }
func (e ChunkUploaded) At() string    { return e.Address }
func (e ImportReported) At() string   { return e.Address }
func (e Retry) At() string            { return e.Address }
func (APIRetry) At() string           { return "" }
func (e StepCompleted) At() string    { return e.Address }
func (e StepFailed) At() string       { return e.Address }
func (QuotaStopped) At() string       { return "" }
func (Done) At() string               { return "" }

// serialObserver makes one Observer safe for the executor's goroutines.
type serialObserver struct {
	mu sync.Mutex
	o  Observer
}

func (s *serialObserver) Observe(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.o.Observe(ev)
}
