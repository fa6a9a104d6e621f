package sandbox

import (
	"context"
	"os"
	"time"
)

type objectKind int

const (
	objLeads objectKind = iota
	objActivities
	objProgramMembers
	objCustomObject
)

var objectNames = [...]string{"leads", "activities", "program members", "custom objects"}

// Export job statuses as Marketo spells them in responses.
const (
	statusCreated    = "Created"
	statusQueued     = "Queued"
	statusProcessing = "Processing"
	statusCancelled  = "Cancelled"
	statusCompleted  = "Completed"
	statusFailed     = "Failed"
)

// Retention (MARKETO_API.md §3.6, §3.8, §3.10).
const (
	maxProcessing   = 2
	maxQueued       = 10 // queued plus processing
	fileRetention   = 7 * 24 * time.Hour
	statusRetention = 30 * 24 * time.Hour
	listWindow      = 7 * 24 * time.Hour
)

// exportJob is one bulk export job.
type exportJob struct {
	id        string
	seq       int64
	obj       objectKind
	apiName   string
	spec      *exportSpec
	key       string // object+fields+format+filter, for duplicate enqueues
	status    string
	createdAt time.Time
	queuedAt  time.Time
	startedAt time.Time
	finished  time.Time
	lastPoll  time.Time

	records  int64
	fileSize int64
	checksum string
	errorMsg string
	path     string

	failPlanned bool
	genDone     bool
	genErr      error
	cancelGen   context.CancelFunc
}

// exportStatus is the job's wire shape (MARKETO_API.md §3.6): unset fields
// are omitted, as in recorded responses.
type exportStatus struct {
	ExportID        string `json:"exportId"`
	Format          string `json:"format"`
	Status          string `json:"status"`
	CreatedAt       string `json:"createdAt"`
	QueuedAt        string `json:"queuedAt,omitempty"`
	StartedAt       string `json:"startedAt,omitempty"`
	FinishedAt      string `json:"finishedAt,omitempty"`
	NumberOfRecords *int64 `json:"numberOfRecords,omitempty"`
	FileSize        *int64 `json:"fileSize,omitempty"`
	FileChecksum    string `json:"fileChecksum,omitempty"`
	ErrorMsg        string `json:"errorMsg,omitempty"`
}

func (j *exportJob) wire() exportStatus {
	st := exportStatus{
		ExportID: j.id, Format: j.spec.format.Name, Status: j.status,
		CreatedAt: jsonTime(j.createdAt), QueuedAt: jsonTime(j.queuedAt),
		StartedAt: jsonTime(j.startedAt), FinishedAt: jsonTime(j.finished),
		ErrorMsg: j.errorMsg,
	}
	if j.status == statusCompleted {
		n, size := j.records, j.fileSize
		st.NumberOfRecords, st.FileSize = &n, &size
		st.FileChecksum = "sha256:" + j.checksum
	}
	return st
}

// exportTable holds every export job; guarded by Server.mu.
type exportTable struct {
	byID       map[string]*exportJob
	all        []*exportJob // creation order
	queue      []*exportJob // Queued, FIFO across the four objects
	processing []*exportJob
	enqueued   map[string]bool // keys of jobs enqueued so far
	lastTick   int64
	seq        int64
}

func (t *exportTable) init() {
	t.byID = map[string]*exportJob{}
	t.enqueued = map[string]bool{}
}

func (t *exportTable) inQueue() int { return len(t.queue) + len(t.processing) }

// cancelAll stops running generators (on Close).
func (t *exportTable) cancelAll() {
	for _, j := range t.processing {
		if j.cancelGen != nil {
			j.cancelGen()
		}
	}
}

// lookup finds a job of the given object that is still visible.
func (s *Server) lookupExport(obj objectKind, apiName, id string, now time.Time) *exportJob {
	j := s.exports.byID[id]
	if j == nil || j.obj != obj || j.apiName != apiName {
		return nil
	}
	if !j.finished.IsZero() && now.Sub(j.finished) > statusRetention {
		return nil
	}
	return j
}

// fileAvailable reports whether a completed job's file is still kept.
func (j *exportJob) fileAvailable(now time.Time) bool {
	return j.status == statusCompleted && now.Sub(j.finished) <= fileRetention && j.path != ""
}

// expireFiles deletes files past retention.
func (s *Server) expireFilesLocked(now time.Time) {
	for _, j := range s.exports.all {
		if j.status == statusCompleted && j.path != "" && now.Sub(j.finished) > fileRetention {
			os.Remove(j.path)
			j.path = ""
		}
	}
}
