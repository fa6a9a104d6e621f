package sandbox

import (
	"strconv"
	"time"
)

type importObject int

const (
	impLeads importObject = iota
	impCustomObject
	impProgramMembers
)

// Import batch statuses: note "Complete", not "Completed".
const (
	importQueued    = "Queued"
	importImporting = "Importing"
	importComplete  = "Complete"
	importFailed    = "Failed"
)

// Bulk import limits (MARKETO_API.md §4.1), one queue for the three objects.
const (
	maxImportsRunning = 2
	maxImportsQueued  = 10 // queued plus importing
	maxImportBytes    = 10 << 20
	firstBatchID      = 1001
)

// importDuration is the simulated time a batch spends Importing.
func importDuration(rows int64) time.Duration {
	return 2*time.Second + time.Duration(rows)*2*time.Millisecond
}

type importBatch struct {
	id        int
	obj       importObject
	programID int
	pmStatus  string
	lookup    int // lead field used to find existing leads
	listID    int
	format    fileFormat

	status                     string
	created, started, finished time.Time
	upload                     string
	rows                       int64
	processed, failed, warned  int64
	failures, warnings         string // report paths, "" when none
	failMsg                    string
	workDone                   bool
}

type importTable struct {
	byID    map[int]*importBatch
	queue   []*importBatch
	running []*importBatch
	nextID  int
}

func (t *importTable) init() {
	t.byID = map[int]*importBatch{}
	t.nextID = firstBatchID
}

func (t *importTable) inQueue() int { return len(t.queue) + len(t.running) }

// advanceImportsLocked runs imports in continuous simulated time: a batch
// starts when one of the two slots is free and completes once its rows are
// applied and its simulated duration has passed.
func (s *Server) advanceImportsLocked(now time.Time) {
	t := &s.imports
	keep := t.running[:0]
	for _, b := range t.running {
		if b.workDone && !now.Before(b.started.Add(importDuration(b.rows))) {
			b.finished = now
			b.status = importComplete
			if b.failMsg != "" {
				b.status = importFailed
			}
			s.counters.imports.RowsProcessed += b.processed
			s.counters.imports.RowsFailed += b.failed
			removeQuietly(b.upload)
			continue
		}
		keep = append(keep, b)
	}
	t.running = keep
	for len(t.running) < maxImportsRunning && len(t.queue) > 0 && !s.closed {
		b := t.queue[0]
		t.queue = t.queue[1:]
		b.status = importImporting
		b.started = now
		t.running = append(t.running, b)
		s.workers.Add(1)
		go func() {
			defer s.workers.Done()
			s.runImport(b)
		}()
	}
	s.counters.imports.MaxRunning = max(s.counters.imports.MaxRunning, int64(len(t.running)))
}

// Wire shapes (MARKETO_API.md §4.3–4.5).
type leadImportStatus struct {
	BatchID              int    `json:"batchId"`
	ImportID             string `json:"importId"`
	Status               string `json:"status"`
	NumOfLeadsProcessed  *int64 `json:"numOfLeadsProcessed,omitempty"`
	NumOfRowsFailed      *int64 `json:"numOfRowsFailed,omitempty"`
	NumOfRowsWithWarning *int64 `json:"numOfRowsWithWarning,omitempty"`
	Message              string `json:"message,omitempty"`
}

type coImportStatus struct {
	BatchID               int    `json:"batchId"`
	Operation             string `json:"operation,omitempty"`
	Status                string `json:"status"`
	ObjectAPIName         string `json:"objectApiName"`
	NumOfObjectsProcessed *int64 `json:"numOfObjectsProcessed,omitempty"`
	NumOfRowsFailed       *int64 `json:"numOfRowsFailed,omitempty"`
	NumOfRowsWithWarning  *int64 `json:"numOfRowsWithWarning,omitempty"`
	ImportTime            string `json:"importTime,omitempty"`
	Message               string `json:"message,omitempty"`
}

// createResponse is the create response: counts appear only in status.
func (b *importBatch) createResponse() any {
	if b.obj == impCustomObject {
		return coImportStatus{BatchID: b.id, Status: b.status, ObjectAPIName: carAPIName}
	}
	return leadImportStatus{BatchID: b.id, ImportID: strconv.Itoa(b.id), Status: b.status}
}

func (b *importBatch) wire() any {
	var p, f, w *int64
	msg := ""
	switch b.status {
	case importImporting:
		zero := int64(0)
		p, f, w = &zero, &zero, &zero
		msg = "Import in progress"
	case importComplete, importFailed:
		p, f, w = &b.processed, &b.failed, &b.warned
		msg = b.message()
	}
	if b.obj == impCustomObject {
		st := coImportStatus{BatchID: b.id, Operation: "import", Status: b.status, ObjectAPIName: carAPIName,
			NumOfObjectsProcessed: p, NumOfRowsFailed: f, NumOfRowsWithWarning: w, Message: msg}
		if !b.finished.IsZero() {
			secs := int64(b.finished.Sub(b.started).Round(time.Second) / time.Second)
			st.ImportTime = strconv.FormatInt(max(secs, 1), 10) + " second(s)"
		}
		return st
	}
	return leadImportStatus{BatchID: b.id, ImportID: strconv.Itoa(b.id), Status: b.status,
		NumOfLeadsProcessed: p, NumOfRowsFailed: f, NumOfRowsWithWarning: w, Message: msg}
}

// message follows the recorded texts: "Import succeeded, 3 records
// imported (3 members)", "Import completed with errors, 2 records imported
// (2 members), 1 failed", "…, 1 warning.".
func (b *importBatch) message() string {
	if b.status == importFailed {
		return "Import failed: " + b.failMsg
	}
	n := strconv.FormatInt(b.processed, 10)
	msg := "Import succeeded, "
	if b.failed > 0 {
		msg = "Import completed with errors, "
	}
	msg += n + " records imported (" + n + " members)"
	if b.failed > 0 {
		msg += ", " + strconv.FormatInt(b.failed, 10) + " failed"
	}
	if b.warned > 0 {
		msg += ", " + strconv.FormatInt(b.warned, 10) + " warning"
		if b.warned > 1 {
			msg += "s"
		}
		msg += "."
	}
	return msg
}
