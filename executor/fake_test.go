package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/statefile"
)

// fakeMarketo is a small model of Marketo's bulk queues for executor tests,
// run inside a testing/synctest bubble so its clock is the bubble's: at most
// 2 export jobs processing, at most 10 queued+processing (foreign jobs
// included), jobs taking jobTime each; import batches likewise. It embeds
// BulkAPI so a test that calls something unmodelled panics loudly.
type fakeMarketo struct {
	BulkAPI
	t *testing.T

	mu       sync.Mutex
	interval time.Duration // Marketo's status refresh interval, for pollsBeforeRefresh
	jobTime  time.Duration
	// failJob makes the job created for a request whose filter contains the
	// key fail with that errorMsg.
	failJob map[string]string
	// quota in bytes; 0 = unlimited.
	quota, quotaUsed int64
	// expired export ids answer 404 on download.
	expired map[string]bool
	// fails: method → call number (1-based) → error returned instead.
	fails map[string]map[int]error
	// failAlways: method → error returned by every call.
	failAlways map[string]error
	calls      map[string]int
	// hooks run after a successful call of the method (crash simulation).
	after map[string]func(id string)

	jobs    map[string]*fakeJob
	order   []string // job ids in creation order
	queue   []string // queued ids, FIFO
	nextID  int
	history []queueEvent

	// measurements
	maxOccupied, maxProcessing int
	queueFullAnswers           int
	pollsBeforeRefresh         int
	statusBeforeEnqueueSpacing int
	enqueues                   map[string]int
	completions                []time.Time

	batches     map[int]*fakeBatch
	nextBatch   int
	maxImports  int
	importTime  time.Duration
	uploads     []string // uploaded bodies, in order
	uploadCount int
}

type queueEvent struct {
	at   time.Time
	what string // "enqueue", "complete"
	id   string
}

type fakeJob struct {
	id         string
	obj        marketo.Object
	req        marketo.ExportRequest
	foreign    bool
	status     string
	dur        time.Duration
	failMsg    string
	createdAt  time.Time
	startedAt  time.Time
	finishedAt time.Time
	content    []byte
	lastStatus time.Time
	enqueuedAt time.Time
}

type fakeBatch struct {
	id       int
	body     []byte
	status   string
	created  time.Time
	started  time.Time
	rows     [][]string
	header   []string
	failures [][]string
	warnings [][]string
}

func newFakeMarketo(t *testing.T) *fakeMarketo {
	return &fakeMarketo{
		t: t, interval: time.Minute, jobTime: 5 * time.Minute, importTime: 2 * time.Minute,
		failJob: map[string]string{}, failAlways: map[string]error{}, expired: map[string]bool{}, fails: map[string]map[int]error{},
		calls: map[string]int{}, after: map[string]func(string){}, jobs: map[string]*fakeJob{},
		enqueues: map[string]int{}, batches: map[int]*fakeBatch{},
	}
}

// failOn makes the n-th call (1-based) of method return err.
func (f *fakeMarketo) failOn(method string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails[method] == nil {
		f.fails[method] = map[int]error{}
	}
	f.fails[method][n] = err
}

func (f *fakeMarketo) call(ctx context.Context, method string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.calls[method]++
	if err := f.fails[method][f.calls[method]]; err != nil {
		return err
	}
	if err := f.failAlways[method]; err != nil {
		return err
	}
	return nil
}

// addForeign puts a job of another integration in the queue.
func (f *fakeMarketo) addForeign(dur time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("foreign-%d", f.nextID)
	j := &fakeJob{id: id, obj: marketo.Object{Kind: marketo.ObjectActivities}, foreign: true, status: marketo.StatusQueued, dur: dur, createdAt: time.Now()}
	f.jobs[id] = j
	f.queue = append(f.queue, id)
	f.startQueued(time.Now())
	f.measure()
}

func (f *fakeMarketo) occupied() (queued, processing int) {
	for _, j := range f.jobs {
		switch j.status {
		case marketo.StatusQueued:
			queued++
		case marketo.StatusProcessing:
			processing++
		}
	}
	return
}

func (f *fakeMarketo) measure() {
	q, p := f.occupied()
	f.maxOccupied = max(f.maxOccupied, q+p)
	f.maxProcessing = max(f.maxProcessing, p)
}

func (f *fakeMarketo) startQueued(at time.Time) {
	for len(f.queue) > 0 {
		if _, p := f.occupied(); p >= 2 {
			return
		}
		j := f.jobs[f.queue[0]]
		f.queue = f.queue[1:]
		j.status = marketo.StatusProcessing
		j.startedAt = at
	}
}

// advance runs the model up to now, completing jobs in time order.
func (f *fakeMarketo) advance(now time.Time) {
	for {
		var next *fakeJob
		for _, j := range f.jobs {
			if j.status == marketo.StatusProcessing && !j.startedAt.Add(j.dur).After(now) &&
				(next == nil || j.startedAt.Add(j.dur).Before(next.startedAt.Add(next.dur))) {
				next = j
			}
		}
		if next == nil {
			break
		}
		at := next.startedAt.Add(next.dur)
		next.finishedAt = at
		if next.failMsg != "" {
			next.status = marketo.StatusFailed
		} else {
			next.status = marketo.StatusCompleted
			f.quotaUsed += int64(len(next.content))
		}
		f.completions = append(f.completions, at)
		f.history = append(f.history, queueEvent{at: at, what: "complete", id: next.id})
		f.startQueued(at)
	}
	f.startQueued(now)
	f.measure()
}

func (f *fakeMarketo) status(j *fakeJob) *marketo.ExportJob {
	out := &marketo.ExportJob{ExportID: j.id, Format: "CSV", Status: j.status, CreatedAt: j.createdAt.UTC().Format(time.RFC3339)}
	if !j.startedAt.IsZero() {
		out.StartedAt = j.startedAt.UTC().Format(time.RFC3339)
	}
	switch j.status {
	case marketo.StatusCompleted:
		out.FinishedAt = j.finishedAt.UTC().Format(time.RFC3339)
		out.FileSize = int64(len(j.content))
		sum := sha256.Sum256(j.content)
		out.FileChecksum = "sha256:" + hex.EncodeToString(sum[:])
		out.NumberOfRecords = int64(bytes.Count(j.content, []byte("\n")) - 1)
	case marketo.StatusFailed:
		out.FinishedAt = j.finishedAt.UTC().Format(time.RFC3339)
		out.ErrorMsg = j.failMsg
	}
	return out
}

func quotaError() error {
	return &marketo.Error{Code: "1029", Message: "Export daily quota 500MB exceeded.", RequestID: "q1#1"}
}

func queueFullError() error {
	return &marketo.Error{Code: "1029", Message: "Too many jobs in queue", RequestID: "qf#1"}
}

func (f *fakeMarketo) CreateExport(ctx context.Context, obj marketo.Object, req *marketo.ExportRequest) (*marketo.ExportJob, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CreateExport"); err != nil {
		return nil, err
	}
	now := time.Now()
	f.advance(now)
	if f.quota > 0 && f.quotaUsed >= f.quota {
		return nil, quotaError()
	}
	f.nextID++
	id := fmt.Sprintf("job-%02d", f.nextID)
	j := &fakeJob{id: id, obj: obj, req: *req, status: marketo.StatusCreated, dur: f.jobTime, createdAt: now}
	for key, msg := range f.failJob {
		if strings.Contains(string(req.Filter), key) {
			j.failMsg = msg
		}
	}
	header := strings.Join(req.Fields, ",")
	j.content = fmt.Appendf(nil, "%s\n%s,1\n%s,2\n", header, id, id)
	f.jobs[id] = j
	f.order = append(f.order, id)
	return f.status(j), nil
}

func (f *fakeMarketo) EnqueueExport(ctx context.Context, obj marketo.Object, id string) (*marketo.ExportJob, error) {
	f.mu.Lock()
	if err := f.call(ctx, "EnqueueExport"); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	now := time.Now()
	f.advance(now)
	j := f.jobs[id]
	if j == nil {
		f.mu.Unlock()
		return nil, &marketo.Error{Code: "1013", Message: "Object not found"}
	}
	f.enqueues[id]++
	if j.status != marketo.StatusCreated {
		f.mu.Unlock()
		return nil, &marketo.Error{Code: "1029", Message: "Job already queued"}
	}
	if f.quota > 0 && f.quotaUsed >= f.quota {
		f.mu.Unlock()
		return nil, quotaError()
	}
	if q, p := f.occupied(); q+p >= 10 {
		f.queueFullAnswers++
		f.enqueues[id]--
		f.mu.Unlock()
		return nil, queueFullError()
	}
	j.status = marketo.StatusQueued
	j.enqueuedAt = now
	f.queue = append(f.queue, id)
	f.history = append(f.history, queueEvent{at: now, what: "enqueue", id: id})
	f.startQueued(now)
	f.measure()
	st := f.status(j)
	st.Status = marketo.StatusQueued // Marketo answers Queued even if it starts at once
	hook := f.after["EnqueueExport"]
	f.mu.Unlock()
	if hook != nil {
		hook(id)
		if ctx.Err() != nil {
			return nil, ctx.Err() // the answer is lost
		}
	}
	return st, nil
}

func (f *fakeMarketo) ExportStatus(ctx context.Context, obj marketo.Object, id string) (*marketo.ExportJob, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ExportStatus"); err != nil {
		return nil, err
	}
	now := time.Now()
	f.advance(now)
	j := f.jobs[id]
	if j == nil {
		return nil, &marketo.Error{Code: "1013", Message: "Object not found"}
	}
	if !j.lastStatus.IsZero() && now.Sub(j.lastStatus) < f.interval {
		f.pollsBeforeRefresh++
	}
	if !j.enqueuedAt.IsZero() && now.Sub(j.enqueuedAt) < f.interval {
		f.statusBeforeEnqueueSpacing++
	}
	j.lastStatus = now
	return f.status(j), nil
}

func (f *fakeMarketo) CancelExport(ctx context.Context, obj marketo.Object, id string) (*marketo.ExportJob, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CancelExport"); err != nil {
		return nil, err
	}
	f.advance(time.Now())
	j := f.jobs[id]
	if j == nil {
		return nil, &marketo.Error{Code: "1013", Message: "Object not found"}
	}
	if !isTerminal(j.status) {
		j.status = marketo.StatusCancelled
		f.queue = slices.DeleteFunc(f.queue, func(q string) bool { return q == id })
		f.startQueued(time.Now())
	}
	return f.status(j), nil
}

func (f *fakeMarketo) ListExports(ctx context.Context, obj marketo.Object, statuses []string) ([]marketo.ExportJob, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ListExports"); err != nil {
		return nil, err
	}
	f.advance(time.Now())
	var out []marketo.ExportJob
	for _, id := range slices.Sorted(maps.Keys(f.jobs)) {
		j := f.jobs[id]
		if j.obj == obj && slices.Contains(statuses, j.status) {
			out = append(out, *f.status(j))
		}
	}
	return out, nil
}

func (f *fakeMarketo) DownloadExport(ctx context.Context, obj marketo.Object, id, partial string, opts *marketo.DownloadOptions) (*marketo.DownloadResult, error) {
	f.mu.Lock()
	if err := f.call(ctx, "DownloadExport"); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	f.advance(time.Now())
	j := f.jobs[id]
	if j == nil || j.status != marketo.StatusCompleted || f.expired[id] {
		f.mu.Unlock()
		return nil, &marketo.Error{Code: "404", Message: "Not Found", HTTPStatus: 404}
	}
	content := j.content
	f.mu.Unlock()

	have, _ := os.ReadFile(partial)
	resumed := len(have) > 0 && len(have) <= len(content)
	if len(have) > len(content) {
		have = nil
	}
	if err := os.WriteFile(partial, append(have, content[len(have):]...), 0o600); err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		opts.Progress(int64(len(content)))
	}
	got, _ := os.ReadFile(partial)
	sum := sha256.Sum256(got)
	hexSum := hex.EncodeToString(sum[:])
	if opts.ExpectedChecksum != "" && opts.ExpectedChecksum != "sha256:"+hexSum {
		_ = os.Truncate(partial, 0)
		return nil, fmt.Errorf("%w: sha256 mismatch", marketo.ErrIntegrity)
	}
	return &marketo.DownloadResult{Size: int64(len(got)), SHA256: hexSum, Resumed: resumed}, nil
}

// Imports: a row whose any field is "BAD" fails, "WARN" warns.

func (f *fakeMarketo) batchOccupied() (queued, importing int) {
	for _, b := range f.batches {
		switch b.status {
		case marketo.ImportQueued:
			queued++
		case marketo.ImportImporting:
			importing++
		}
	}
	return
}

func (f *fakeMarketo) startBatches(at time.Time) {
	for _, id := range slices.Sorted(maps.Keys(f.batches)) {
		if _, i := f.batchOccupied(); i >= 2 {
			return
		}
		if b := f.batches[id]; b.status == marketo.ImportQueued {
			b.status = marketo.ImportImporting
			b.started = at
		}
	}
}

// advanceImports runs batches FIFO, 2 at a time, importTime each.
func (f *fakeMarketo) advanceImports(now time.Time) {
	for {
		var next *fakeBatch
		for _, b := range f.batches {
			if b.status == marketo.ImportImporting && !b.started.Add(f.importTime).After(now) &&
				(next == nil || b.started.Before(next.started)) {
				next = b
			}
		}
		if next == nil {
			break
		}
		next.status = marketo.ImportComplete
		f.startBatches(next.started.Add(f.importTime))
	}
	f.startBatches(now)
	_, i := f.batchOccupied()
	f.maxImports = max(f.maxImports, i)
}

func (f *fakeMarketo) CreateImport(ctx context.Context, obj marketo.Object, req *marketo.ImportRequest, body io.Reader) (*marketo.ImportBatch, error) {
	f.mu.Lock()
	if err := f.call(ctx, "CreateImport"); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	f.mu.Unlock()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.advanceImports(time.Now())
	if q, i := f.batchOccupied(); q+i >= 10 {
		return nil, &marketo.Error{Code: "1016", Message: "Too many imports"}
	}
	f.nextBatch++
	b := &fakeBatch{id: 100 + f.nextBatch, body: data, status: marketo.ImportQueued, created: time.Now()}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		f.t.Errorf("fake: uploaded chunk is not CSV: %v", err)
	}
	b.header, b.rows = recs[0], recs[1:]
	for _, row := range b.rows {
		if slices.Contains(row, "BAD") {
			b.failures = append(b.failures, append(slices.Clone(row), "Invalid data type in field Lead Score"))
		} else if slices.Contains(row, "WARN") {
			b.warnings = append(b.warnings, append(slices.Clone(row), "Invalid email address"))
		}
	}
	f.batches[b.id] = b
	f.uploads = append(f.uploads, string(data))
	f.advanceImports(time.Now())
	return &marketo.ImportBatch{BatchID: b.id, ImportID: fmt.Sprint(b.id), Status: marketo.ImportQueued}, nil
}

func (f *fakeMarketo) ImportStatus(ctx context.Context, obj marketo.Object, id int) (*marketo.ImportBatch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ImportStatus"); err != nil {
		return nil, err
	}
	f.advanceImports(time.Now())
	b := f.batches[id]
	if b == nil {
		return nil, &marketo.Error{Code: "1013", Message: "Object not found"}
	}
	out := &marketo.ImportBatch{BatchID: id, Status: b.status}
	if b.status == marketo.ImportComplete {
		out.NumOfLeadsProcessed = int64(len(b.rows) - len(b.failures))
		out.NumOfRowsFailed = int64(len(b.failures))
		out.NumOfRowsWithWarning = int64(len(b.warnings))
	}
	return out, nil
}

func (f *fakeMarketo) report(id int, rows [][]string, reason string, w io.Writer) (bool, error) {
	b := f.batches[id]
	if b == nil || len(rows) == 0 {
		return false, nil
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(append(slices.Clone(b.header), reason))
	_ = cw.WriteAll(rows)
	return true, cw.Error()
}

func (f *fakeMarketo) ImportFailures(ctx context.Context, obj marketo.Object, id int, w io.Writer) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ImportFailures"); err != nil {
		return false, err
	}
	b := f.batches[id]
	if b == nil {
		return false, nil
	}
	return f.report(id, b.failures, "Import Failure Reason", w)
}

func (f *fakeMarketo) ImportWarnings(ctx context.Context, obj marketo.Object, id int, w io.Writer) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ImportWarnings"); err != nil {
		return false, err
	}
	b := f.batches[id]
	if b == nil {
		return false, nil
	}
	return f.report(id, b.warnings, "Import Warning Reason", w)
}

// memRecorder is an in-memory Recorder; onPut may simulate a crash.
type memRecorder struct {
	mu      sync.Mutex
	records map[string]statefile.Record
	ledger  map[string]int64
	puts    []statefile.Record
	onPut   func(rec statefile.Record)
}

func newMemRecorder() *memRecorder {
	return &memRecorder{records: map[string]statefile.Record{}, ledger: map[string]int64{}}
}

func (m *memRecorder) Put(rec statefile.Record) error {
	m.mu.Lock()
	m.records[rec.Address] = deepCopy(rec)
	m.puts = append(m.puts, deepCopy(rec))
	hook := m.onPut
	m.mu.Unlock()
	if hook != nil {
		hook(rec)
	}
	return nil
}

func (m *memRecorder) Delete(address string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.records, address)
	return nil
}

func (m *memRecorder) AddLedger(day string, n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ledger[day] += n
	return nil
}

// snapshot is what statefile would give the next run.
func (m *memRecorder) snapshot() *statefile.Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &statefile.Snapshot{Resources: map[string]statefile.Record{}, Ledger: maps.Clone(m.ledger)}
	for k, v := range m.records {
		s.Resources[k] = deepCopy(v)
	}
	return s
}

func deepCopy(rec statefile.Record) statefile.Record {
	if rec.Export != nil {
		e := *rec.Export
		rec.Export = &e
	}
	if rec.Import != nil {
		i := *rec.Import
		i.Chunks = slices.Clone(i.Chunks)
		rec.Import = &i
	}
	if rec.Merge != nil {
		m := *rec.Merge
		rec.Merge = &m
	}
	return rec
}

// recordingObserver keeps every event.
type recordingObserver struct {
	mu     sync.Mutex
	events []Event
}

func (o *recordingObserver) Observe(ev Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, ev)
}

func eventsOf[T Event](o *recordingObserver) []T {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []T
	for _, ev := range o.events {
		if e, ok := ev.(T); ok {
			out = append(out, e)
		}
	}
	return out
}
