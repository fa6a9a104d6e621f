package main

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/plan"
)

// plainView writes one line per thing that happened, and every `every` a
// "Still processing... [03m10s elapsed]" line for each step still running,
// so a CI log shows progress without terminal control codes.
type plainView struct {
	w   io.Writer
	now func() time.Time

	mu     sync.Mutex
	active map[string]*plainStep
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

type plainStep struct {
	kind    string
	started time.Time
	status  string
	written int64
	total   int64
	// finished is set once a completion line was printed for the step.
	finished bool
}

func newPlainView(w io.Writer, every time.Duration) *plainView {
	v := &plainView{w: w, now: time.Now, active: map[string]*plainStep{}, stop: make(chan struct{}), done: make(chan struct{})}
	go v.tick(every)
	return v
}

func (v *plainView) tick(every time.Duration) {
	defer close(v.done)
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			v.still()
		case <-v.stop:
			return
		}
	}
}

// Close stops the ticker.
func (v *plainView) Close() {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	v.closed = true
	v.mu.Unlock()
	close(v.stop)
	<-v.done
}

// still prints a line for every step still running, in address order.
func (v *plainView) still() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	addrs := make([]string, 0, len(v.active))
	for a := range v.active {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	now := v.now()
	for _, a := range addrs {
		s := v.active[a]
		elapsed := formatElapsed(now.Sub(s.started))
		switch {
		case s.total > 0 && s.written > 0:
			fmt.Fprintf(v.w, "%s: Still downloading... %d%% (%s of %s) [%s elapsed]\n", a, percent(s.written, s.total),
				executor.FormatBytes(s.written), executor.FormatBytes(s.total), elapsed)
		case s.kind == plan.KindImport:
			fmt.Fprintf(v.w, "%s: Still importing... [%s elapsed]%s\n", a, elapsed, statusNote(s.status))
		default:
			fmt.Fprintf(v.w, "%s: Still processing... [%s elapsed]%s\n", a, elapsed, statusNote(s.status))
		}
	}
}

func statusNote(status string) string {
	if status == "" {
		return ""
	}
	return " (" + status + ")"
}

// Observe prints the event's line.
func (v *plainView) Observe(ev executor.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	now := v.now()
	s := v.active[ev.At()]
	elapsed := func() string {
		if s == nil {
			return ""
		}
		return " after " + formatElapsed(now.Sub(s.started))
	}
	switch e := ev.(type) {
	case executor.StepStarted:
		v.active[e.Address] = &plainStep{kind: e.Kind, started: now}
		fmt.Fprintf(v.w, "%s: %s\n", e.Address, startVerb(e.Kind, e.Action))
	case executor.JobCreated:
		fmt.Fprintf(v.w, "%s: Export job created [exportId=%s]\n", e.Address, e.ExportID)
	case executor.JobEnqueued:
		if s != nil {
			s.status = "Queued"
		}
		fmt.Fprintf(v.w, "%s: Enqueued [exportId=%s]\n", e.Address, e.ExportID)
	case executor.JobPolled:
		if s == nil || !e.Changed {
			return
		}
		prev := s.status
		s.status = e.Status
		if prev != "" {
			fmt.Fprintf(v.w, "%s: %s → %s [%s elapsed]\n", e.Address, prev, e.Status, formatElapsed(now.Sub(s.started)))
		} else {
			fmt.Fprintf(v.w, "%s: %s [%s elapsed]\n", e.Address, e.Status, formatElapsed(now.Sub(s.started)))
		}
	case executor.DownloadProgress:
		if s != nil {
			s.written, s.total, s.status = e.Written, e.Total, "downloading"
		}
	case executor.FileDownloaded:
		if s != nil {
			s.finished = true
		}
		resumed := ""
		if e.Resumed {
			resumed = ", resumed"
		}
		if e.Retries > 0 {
			resumed += fmt.Sprintf(", %d retries", e.Retries)
		}
		fmt.Fprintf(v.w, "%s: Export complete%s [%s, %d records, sha256 ok%s] → %s\n", e.Address, elapsed(), executor.FormatBytes(e.Size), e.Records, resumed, e.Path)
	case executor.FileMerged:
		fmt.Fprintf(v.w, "%s: Merged into %s [%s, sha256 %s]\n", e.Resource, e.Path, executor.FormatBytes(e.Size), shortID(e.SHA256))
	case executor.ChunkUploaded:
		note := ""
		if e.Reupload {
			note = " (sent again: an earlier apply stopped while uploading it)"
		}
		fmt.Fprintf(v.w, "%s: Chunk %d uploaded [batchId=%d, %d rows]%s\n", e.Address, e.Chunk, e.BatchID, e.Rows, note)
	case executor.ImportReported:
		if s != nil {
			s.finished = true
		}
		fmt.Fprintf(v.w, "%s: Import complete%s [%d rows processed, %d failed, %d warnings]\n", e.Address, elapsed(), e.Processed, e.Failed, e.Warnings)
		if e.Failed > 0 {
			fmt.Fprintf(v.w, "%s: Failed rows: %s\n", e.Address, e.FailuresFile)
		}
		if e.Warnings > 0 {
			fmt.Fprintf(v.w, "%s: Rows with warnings: %s\n", e.Address, e.WarningsFile)
		}
	case executor.Retry:
		who := e.Address
		if who == "" {
			who = "mkbulk"
		}
		fmt.Fprintf(v.w, "%s: Waiting: %s\n", who, e.Reason)
	case executor.APIRetry:
		writeAPIRetry(v.w, e)
	case executor.StepCompleted:
		if s != nil && !s.finished {
			fmt.Fprintf(v.w, "%s: %s\n", e.Address, e.Summary)
		}
		delete(v.active, e.Address)
	case executor.StepFailed:
		fmt.Fprintf(v.w, "%s: Failed%s: %s\n", e.Address, elapsed(), e.Failure)
		delete(v.active, e.Address)
	case executor.QuotaStopped:
		fmt.Fprintf(v.w, "Marketo's daily export quota is spent: no new export jobs until %s; running jobs finish and download.\n",
			e.ResetsAt.Format("15:04 MST"))
	case executor.Done:
		v.active = map[string]*plainStep{}
	}
}
