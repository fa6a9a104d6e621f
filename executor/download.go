package executor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/statefile"
)

// Download progress is recorded every progressBytes or progressEvery,
// whichever comes first: often enough to show where a killed apply stopped,
// rarely enough not to turn a download into a stream of state writes.
const (
	progressBytes = 8 << 20
	progressEvery = time.Second
)

// startDownloads hands every completed job to a download goroutine. The
// goroutine owns the window's record until it reports back.
func (x *exportRunner) startDownloads() {
	for _, w := range x.windows {
		if w.phase != phaseDownloadReady || x.r.stopped() {
			continue
		}
		w.phase = phaseDownloading
		rec := cloneExportRecord(w.rec)
		x.running++
		go func() {
			out := x.download(w, rec)
			x.done <- func() { x.running--; x.downloaded(w, out) }
		}()
	}
}

type downloadOutcome struct {
	rec     statefile.Record
	result  *marketo.DownloadResult
	err     error
	retried bool
}

// download streams the job's file to OUTPUT.partial (resuming from what is
// there), has the client verify size and sha256, then renames it into
// place. A file that fails verification is fetched once more from scratch,
// in case the partial file was damaged.
func (x *exportRunner) download(w *window, rec statefile.Record) downloadOutcome {
	r := x.r
	if !r.acquireLocal() {
		return downloadOutcome{rec: rec, err: r.ctx.Err()}
	}
	defer r.releaseLocal()
	e := rec.Export
	path := r.abs(e.Output)
	partial := path + ".partial"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return downloadOutcome{rec: rec, err: err}
	}
	out := downloadOutcome{rec: rec}
	for attempt := 0; attempt < 2; attempt++ {
		res, err := r.api.DownloadExport(r.ctx, w.obj, e.ExportID, partial, &marketo.DownloadOptions{
			ExpectedSize:     e.FileSize,
			ExpectedChecksum: e.FileChecksum,
			Progress:         x.progress(w, &out.rec),
		})
		if err == nil {
			out.result = res
			break
		}
		out.err = err
		integrity := errors.Is(err, marketo.ErrIntegrity)
		if r.stopped() || attempt == 1 || !(integrity || marketo.IsTransient(err)) {
			return out
		}
		// The client truncated a file that failed verification, so this
		// attempt starts from the first byte; after a network failure it
		// resumes from what is there.
		out.retried = true
		r.obs.Observe(Retry{Address: w.step.Address, Reason: "download failed (" + err.Error() + "); trying again"})
	}
	out.err = nil
	if err := os.Rename(partial, path); err != nil {
		out.err = err
		return out
	}
	syncDir(filepath.Dir(path))
	return out
}

// progress returns the client's progress callback for w: events at most
// every progressEvery, and a state write every progressBytes or progressEvery.
func (x *exportRunner) progress(w *window, rec *statefile.Record) func(int64) {
	r := x.r
	var lastEvent, lastPut time.Time
	var lastPutBytes int64
	return func(written int64) {
		now := r.clock.Now()
		total := rec.Export.FileSize
		done := total > 0 && written >= total
		if done || now.Sub(lastEvent) >= progressEvery {
			lastEvent = now
			r.obs.Observe(DownloadProgress{Address: w.step.Address, Written: written, Total: total})
		}
		if written-lastPutBytes >= progressBytes || (now.Sub(lastPut) >= progressEvery && written != lastPutBytes) {
			lastPut, lastPutBytes = now, written
			rec.Export.DownloadedBytes = written
			_ = r.put(*rec)
		}
	}
}

// downloaded takes a download goroutine's outcome back into the loop.
func (x *exportRunner) downloaded(w *window, out downloadOutcome) {
	r := x.r
	w.rec = out.rec
	e := w.exp()
	switch {
	case out.err != nil && r.stopped():
		w.phase = phaseDownloadReady // pending; the partial file stays for Range
		return
	case out.err != nil && marketo.IsNotFound(out.err):
		// Completed, yet the file is gone: Marketo keeps files about a
		// week. The window is exported again.
		x.rerun(w, "the file of export job "+e.ExportID+" has expired on Marketo")
		return
	case out.err != nil:
		x.fail(w, fmt.Errorf("downloading export %s: %w", e.ExportID, out.err))
		return
	}
	e.SHA256 = out.result.SHA256
	e.FileSize = out.result.Size
	e.DownloadedBytes = 0
	e.Status = marketo.StatusCompleted
	if r.put(w.rec) != nil {
		return
	}
	w.phase = phaseDone
	r.obs.Observe(FileDownloaded{Address: w.step.Address, Path: e.Output, Size: e.FileSize, Records: e.NumberOfRecords, SHA256: e.SHA256, Resumed: out.result.Resumed, Retries: out.result.Retries})
	r.res.update(func(res *Result) {
		res.Exports.Windows++
		res.Exports.Bytes += e.FileSize
	})
	r.res.applied(w.step, fmt.Sprintf("%s, %d records, sha256 verified → %s", FormatBytes(e.FileSize), e.NumberOfRecords, e.Output))
}

// cancelReplaced cancels the job of a replaced window that may still hold
// a place in Marketo's queue, unless the window re-downloads that job's file.
func (x *exportRunner) cancelReplaced(w *window, prev *statefile.Record) {
	r := x.r
	pe := prev.Export
	if pe == nil || pe.ExportID == "" || isTerminal(pe.Status) || w.exp().ExportID == pe.ExportID {
		return
	}
	if pe.Status == marketo.StatusCreated && !pe.Enqueued {
		return // never queued: it holds nothing
	}
	if _, err := r.api.CancelExport(r.ctx, w.obj, pe.ExportID); err != nil && !r.stopped() {
		r.obs.Observe(Retry{Address: w.step.Address, Reason: "could not cancel replaced job " + pe.ExportID + ": " + err.Error()})
	}
}

func cloneExportRecord(rec statefile.Record) statefile.Record {
	if rec.Export != nil {
		e := *rec.Export
		rec.Export = &e
	}
	return rec
}

// syncDir makes a rename durable. Errors are ignored: not every platform
// can fsync a directory, and the file itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// FormatBytes renders n in decimal units ("12.3 MB"), as summaries show sizes.
func FormatBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
