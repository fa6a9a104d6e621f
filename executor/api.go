package executor

import (
	"context"
	"io"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/statefile"
)

// BulkAPI is the part of Marketo's bulk APIs the executor uses. Methods
// mirror marketo.BulkExportService and marketo.BulkImportService without the
// *marketo.Response; errors are the client's, so marketo.IsDailyQuota,
// IsQueueFull and IsNotFound classify them. cmd/mkbulk adapts *marketo.Client.
type BulkAPI interface {
	CreateExport(ctx context.Context, obj marketo.Object, req *marketo.ExportRequest) (*marketo.ExportJob, error)
	EnqueueExport(ctx context.Context, obj marketo.Object, exportID string) (*marketo.ExportJob, error)
	ExportStatus(ctx context.Context, obj marketo.Object, exportID string) (*marketo.ExportJob, error)
	CancelExport(ctx context.Context, obj marketo.Object, exportID string) (*marketo.ExportJob, error)
	// ListExports returns every job of obj in one of statuses, following
	// Marketo's paging to the end.
	ListExports(ctx context.Context, obj marketo.Object, statuses []string) ([]marketo.ExportJob, error)
	// DownloadExport streams the job's file into partialPath, resuming from
	// its current length, verifies size and sha256 and fsyncs; it does not
	// rename.
	DownloadExport(ctx context.Context, obj marketo.Object, exportID, partialPath string, opts *marketo.DownloadOptions) (*marketo.DownloadResult, error)

	CreateImport(ctx context.Context, obj marketo.Object, req *marketo.ImportRequest, body io.Reader) (*marketo.ImportBatch, error)
	ImportStatus(ctx context.Context, obj marketo.Object, batchID int) (*marketo.ImportBatch, error)
	// ImportFailures and ImportWarnings write the batch's file to w; found
	// is false when Marketo has no such file (HTTP 404).
	ImportFailures(ctx context.Context, obj marketo.Object, batchID int, w io.Writer) (found bool, err error)
	ImportWarnings(ctx context.Context, obj marketo.Object, batchID int, w io.Writer) (found bool, err error)
}

// Recorder persists what the executor learns, one write per call, so an
// apply killed at any instant resumes where it stopped. *statefile.State
// implements it.
type Recorder interface {
	Put(rec statefile.Record) error
	Delete(address string) error
	// AddLedger adds exported bytes to an America/Chicago day ("2006-01-02").
	AddLedger(day string, bytes int64) error
}

// Clock is the executor's only source of time, so tests control it
// (testing/synctest or a fake).
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Deps are the executor's collaborators.
type Deps struct {
	API      BulkAPI
	Recorder Recorder
	// State is the state snapshot the plan was made (or checked) against;
	// resumed steps continue from its records.
	State    *statefile.Snapshot
	Observer Observer // nil: NopObserver
	Clock    Clock    // nil: RealClock
}

// Options tune a run.
type Options struct {
	// ProjectDir is the absolute directory plan paths are relative to.
	ProjectDir string
	// Parallelism bounds local work: downloads, uploads and merges at once.
	// Default 4.
	Parallelism int
	// PollInterval is the shortest time between two status reads of one
	// job (Marketo refreshes status once a minute). Default 60s.
	PollInterval time.Duration
	// MaxQueuedExports and MaxQueuedImports are Marketo's queue sizes
	// (queued + running, every integration). Defaults 10.
	MaxQueuedExports int
	MaxQueuedImports int
}

// Defaults for Options.
const (
	DefaultParallelism  = 4
	DefaultPollInterval = 60 * time.Second
	DefaultMaxQueued    = 10
)

func (o Options) withDefaults() Options {
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxQueuedExports <= 0 {
		o.MaxQueuedExports = DefaultMaxQueued
	}
	if o.MaxQueuedImports <= 0 {
		o.MaxQueuedImports = DefaultMaxQueued
	}
	return o
}

// pollSpacing is the poll interval plus 5%, so timer jitter and the time
// spent in other calls never bring two status reads of a job closer than
// Marketo's refresh interval.
func (o Options) pollSpacing() time.Duration {
	return o.PollInterval + o.PollInterval/20
}
