package executor

import (
	"errors"
	"fmt"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// importRunner applies one import step from its own goroutine: it uploads
// the chunks in order, each while Marketo's import queue has a place (at
// most MaxQueuedImports batches of ours queued or running; Marketo itself
// runs 2 at a time and answers 1016 when its queue is full of other
// integrations' batches), polls each batch, and writes the reports once
// every batch has ended.
type importRunner struct {
	r       *runner
	st      *plan.Step
	job     *plan.ImportJob
	obj     marketo.Object
	rec     statefile.Record
	chunks  []*chunkRun
	started time.Time

	// waitUntil delays the next upload after Marketo said its queue is full.
	waitUntil time.Time
	// refused is set when no more chunk may be uploaded (source changed,
	// upload refused); batches already uploaded are still followed.
	refused *Failure
}

// chunkRun is one chunk of the import in this run.
type chunkRun struct {
	plan      plan.Chunk
	idx       int // in rec.Import.Chunks
	holdsSlot bool
	statusDue time.Time
	attempts  int
	skip      bool // done in an earlier run
}

func (ir *importRunner) chunkRec(c *chunkRun) *statefile.ChunkRecord {
	return &ir.rec.Import.Chunks[c.idx]
}

func newImportRunner(r *runner, st *plan.Step) *importRunner {
	ir := &importRunner{r: r, st: st, job: st.Import, obj: objectOf(st.Import.Object, st.Import.APIName), started: r.clock.Now()}
	j := st.Import
	prev := map[int]statefile.ChunkRecord{}
	completeBySHA := map[string]statefile.ChunkRecord{}
	if rec, ok := r.record(st.Address); ok && rec.Import != nil {
		for _, c := range rec.Import.Chunks {
			prev[c.Index] = c
			if c.Status == marketo.ImportComplete {
				completeBySHA[c.SHA256] = c
			}
		}
	}
	ir.rec = statefile.Record{
		Address: st.Address, Resource: st.Resource, Kind: statefile.KindImport,
		Import: &statefile.ImportRecord{
			SpecDigest:   j.SpecDigest,
			Object:       j.Object,
			Source:       j.Source,
			SourceSHA256: j.SourceSHA256,
			Reports:      j.Reports,
		},
	}
	resumeAt := ir.started.Add(r.opts.pollSpacing())
	for i, pc := range j.Chunks {
		cr := statefile.ChunkRecord{Index: pc.Index, SHA256: pc.SHA256}
		if p, ok := completeBySHA[pc.SHA256]; ok && pc.Done {
			// The planner matches done chunks by content: the same bytes
			// may sit at another index after the source grew.
			cr = p
			cr.Index = pc.Index
		} else if p, ok := prev[pc.Index]; ok && p.SHA256 == pc.SHA256 {
			switch {
			case st.Action == plan.Resume && p.Status != marketo.ImportFailed:
				cr = p
			case p.Uploading && p.BatchID == 0:
				cr.Uploading = true // keep the crash trace: the report says so
			}
		}
		ir.rec.Import.Chunks = append(ir.rec.Import.Chunks, cr)
		c := &chunkRun{plan: pc, idx: i, skip: pc.Done, statusDue: resumeAt}
		ir.chunks = append(ir.chunks, c)
	}
	return ir
}

func (ir *importRunner) run() {
	r := ir.r
	r.obs.Observe(StepStarted{Address: ir.st.Address, Kind: ir.st.Kind, Action: ir.st.Action, Total: len(ir.chunks)})
	if err := ir.checkSource(); err != nil {
		r.res.failed(ir.st, failureOf(err))
		return
	}
	if r.put(ir.rec) != nil {
		r.res.pending(ir.st, r.stopReason())
		return
	}
	// Batches an earlier run left running still hold places in the queue.
	for _, c := range ir.chunks {
		if ir.inFlight(c) {
			select {
			case r.importSlots <- struct{}{}:
				c.holdsSlot = true
			default:
			}
		}
	}
	defer ir.releaseAll()
	for !r.stopped() {
		ir.pollDue()
		next := ir.nextUpload()
		if next == nil && !ir.anyInFlight() {
			break
		}
		if next != nil && !r.clock.Now().Before(ir.waitUntil) {
			select {
			case r.importSlots <- struct{}{}:
				next.holdsSlot = true
				ir.upload(next)
				continue
			default:
			}
		}
		ir.wait(next)
	}
	if r.stopped() {
		r.res.pending(ir.st, r.stopReason())
		return
	}
	ir.finish()
}

// wait blocks until a batch is due for polling, the queue-full wait ends,
// a place in the queue frees (when a chunk waits for one), or the run stops.
func (ir *importRunner) wait(next *chunkRun) {
	r := ir.r
	now := r.clock.Now()
	var due time.Time
	for _, c := range ir.chunks {
		if ir.inFlight(c) && (due.IsZero() || c.statusDue.Before(due)) {
			due = c.statusDue
		}
	}
	var slot chan struct{}
	if next != nil {
		if now.Before(ir.waitUntil) {
			if due.IsZero() || ir.waitUntil.Before(due) {
				due = ir.waitUntil
			}
		} else {
			slot = r.importSlots
		}
	}
	var timer <-chan time.Time
	if !due.IsZero() {
		timer = r.clock.After(max(due.Sub(now), 0))
	}
	select {
	case slot <- struct{}{}:
		next.holdsSlot = true
		ir.upload(next)
	case <-timer:
	case <-r.ctx.Done():
	}
}

func (ir *importRunner) inFlight(c *chunkRun) bool {
	cr := ir.chunkRec(c)
	return !c.skip && cr.BatchID != 0 && cr.Status != marketo.ImportComplete && cr.Status != marketo.ImportFailed
}

func (ir *importRunner) anyInFlight() bool {
	for _, c := range ir.chunks {
		if ir.inFlight(c) {
			return true
		}
	}
	return false
}

// nextUpload is the first chunk still to upload, in order; nil when none
// is left or uploads are refused.
func (ir *importRunner) nextUpload() *chunkRun {
	if ir.refused != nil {
		return nil
	}
	for _, c := range ir.chunks {
		if !c.skip && ir.chunkRec(c).BatchID == 0 {
			return c
		}
	}
	return nil
}

func (ir *importRunner) release(c *chunkRun) {
	if c.holdsSlot {
		c.holdsSlot = false
		<-ir.r.importSlots
	}
}

func (ir *importRunner) releaseAll() {
	for _, c := range ir.chunks {
		ir.release(c)
	}
}

// pollDue reads the status of every batch due for it.
func (ir *importRunner) pollDue() {
	r := ir.r
	for _, c := range ir.chunks {
		if r.stopped() {
			return
		}
		if !ir.inFlight(c) || r.clock.Now().Before(c.statusDue) {
			continue
		}
		cr := ir.chunkRec(c)
		b, err := r.api.ImportStatus(r.ctx, ir.obj, cr.BatchID)
		c.statusDue = r.clock.Now().Add(r.opts.pollSpacing())
		if err != nil {
			if r.stopped() {
				return
			}
			c.attempts++
			if c.attempts >= maxStatusErrors || marketo.IsNotFound(err) {
				// A batch Marketo no longer knows (ids last 7 days) or
				// cannot report on is uploaded again: imports upsert.
				r.obs.Observe(Retry{Address: ir.st.Address, Reason: fmt.Sprintf("batch %d status unavailable (%v); uploading chunk %d again", cr.BatchID, err, c.plan.Index)})
				ir.release(c)
				*cr = statefile.ChunkRecord{Index: cr.Index, SHA256: cr.SHA256}
				c.attempts = 0
				_ = r.put(ir.rec)
				continue
			}
			r.obs.Observe(Retry{Address: ir.st.Address, Reason: "reading import status: " + err.Error(), After: r.opts.pollSpacing()})
			continue
		}
		c.attempts = 0
		changed := cr.Status != b.Status
		cr.Status = b.Status
		cr.Processed = b.Processed()
		cr.Failed = b.NumOfRowsFailed
		cr.Warnings = b.NumOfRowsWithWarning
		cr.Message = b.Message
		if changed {
			if r.put(ir.rec) != nil {
				return
			}
		}
		r.obs.Observe(JobPolled{Address: ir.st.Address, ID: fmt.Sprint(cr.BatchID), Status: b.Status, Changed: changed, Elapsed: r.clock.Now().Sub(ir.started)})
		if b.Status == marketo.ImportComplete || b.Status == marketo.ImportFailed {
			ir.release(c)
		}
	}
}

// uploadRetries bounds uploads of one chunk that got no answer.
const uploadRetries = 3

// upload sends one chunk. The chunk's sha256 and Uploading are recorded
// first and the batch id right after Marketo answers, so a crash in between
// is visible: the next run uploads again (Marketo upserts) and says so.
func (ir *importRunner) upload(c *chunkRun) {
	r := ir.r
	cr := ir.chunkRec(c)
	reupload := cr.Uploading && cr.BatchID == 0
	if reupload && c.attempts == 0 {
		r.res.note("%s chunk %d: an earlier apply stopped while uploading it; it was uploaded again (Marketo upserts, so rows are not duplicated, but they were processed twice)", ir.st.Address, c.plan.Index)
	}
	if !r.acquireLocal() {
		ir.release(c)
		return
	}
	batch, err := ir.send(c)
	r.releaseLocal()
	if err != nil {
		ir.uploadFailed(c, err)
		return
	}
	cr.Uploading = false
	cr.BatchID = batch.BatchID
	cr.Status = batch.Status
	c.statusDue = r.clock.Now().Add(r.opts.pollSpacing())
	c.attempts = 0
	if r.put(ir.rec) != nil {
		return
	}
	r.obs.Observe(ChunkUploaded{Address: ir.st.Address, Chunk: c.plan.Index, BatchID: batch.BatchID, Rows: c.plan.Rows, Reupload: reupload})
	if batch.Status == marketo.ImportFailed {
		ir.release(c)
	}
}

func (ir *importRunner) uploadFailed(c *chunkRun, err error) {
	r := ir.r
	cr := ir.chunkRec(c)
	ir.release(c)
	var changed *sourceChangedError
	switch {
	case r.stopped():
		// Uploading stays recorded: the next run says it re-uploads.
	case errors.As(err, &changed):
		cr.Uploading = false
		_ = r.put(ir.rec)
		f := failureOf(err)
		ir.refused = &f
	case marketo.IsQueueFull(err):
		// Marketo's import queue is full (1016), or the list is being
		// imported into (1019): nothing was accepted; wait a poll.
		cr.Uploading = false
		_ = r.put(ir.rec)
		ir.waitUntil = r.clock.Now().Add(r.opts.pollSpacing())
		r.obs.Observe(Retry{Address: ir.st.Address, Reason: "Marketo's import queue is busy: " + err.Error(), After: r.opts.pollSpacing()})
	case !marketo.IsTransient(err):
		// Marketo refused the chunk (or the file could not be read).
		cr.Uploading = false
		_ = r.put(ir.rec)
		f := failureOf(fmt.Errorf("uploading chunk %d: %w", c.plan.Index, err))
		ir.refused = &f
	default:
		// No answer: Marketo may or may not have the chunk. Upserting it
		// again is safe.
		c.attempts++
		if c.attempts >= uploadRetries {
			f := failureOf(fmt.Errorf("uploading chunk %d: %w", c.plan.Index, err))
			ir.refused = &f
			return
		}
		ir.waitUntil = r.clock.Now().Add(r.opts.pollSpacing())
		r.obs.Observe(Retry{Address: ir.st.Address, Reason: fmt.Sprintf("uploading chunk %d got no answer (%v); uploading it again", c.plan.Index, err), After: r.opts.pollSpacing()})
	}
}

// checkSource refuses a source that changed since the plan, before any
// chunk reaches Marketo: half an import of a different file is worse than
// none. (Each chunk is checked again as it is sent.)
func (ir *importRunner) checkSource() error {
	if ir.job.SourceSHA256 == "" {
		return nil
	}
	got, err := FileSHA256(ir.r.abs(ir.job.Source))
	if err != nil {
		return fmt.Errorf("reading import source: %w", err)
	}
	if got != ir.job.SourceSHA256 {
		return fmt.Errorf("%s changed since the plan was made (sha256 %s, plan has %s); run mkbulk plan again", ir.job.Source, got[:12], ir.job.SourceSHA256[:min(12, len(ir.job.SourceSHA256))])
	}
	return nil
}
