package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/executor"
)

// jsonView writes one JSON object per line in Terraform's machine-readable
// UI envelope (@level, @message, @module, @timestamp, type), so tools that
// read `terraform apply -json` can read mkbulk's. Types: apply_start,
// apply_progress, apply_complete, apply_errored, diagnostic, change_summary.
type jsonView struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

func newJSONView(w io.Writer) *jsonView {
	return &jsonView{enc: json.NewEncoder(w), now: time.Now}
}

// Close does nothing: every line is written as it happens.
func (v *jsonView) Close() {}

// jsonLine is the envelope; Hook carries the event's fields.
type jsonLine struct {
	Level     string         `json:"@level"`
	Message   string         `json:"@message"`
	Module    string         `json:"@module"`
	Timestamp string         `json:"@timestamp"`
	Type      string         `json:"type"`
	Hook      map[string]any `json:"hook,omitempty"`
	Changes   map[string]any `json:"changes,omitempty"`
	Change    map[string]any `json:"change,omitempty"`
	// Diagnostic follows Terraform's diagnostic object (severity, summary, detail).
	Diagnostic map[string]any `json:"diagnostic,omitempty"`
}

// emit writes one line.
func (v *jsonView) emit(level, typ, msg string, hook map[string]any) {
	v.write(jsonLine{Level: level, Message: msg, Type: typ, Hook: hook})
}

func (v *jsonView) write(l jsonLine) {
	l.Module = "mkbulk.ui"
	l.Timestamp = v.now().Format("2006-01-02T15:04:05.000000Z07:00")
	v.mu.Lock()
	defer v.mu.Unlock()
	_ = v.enc.Encode(l)
}

func resource(addr string) map[string]any { return map[string]any{"addr": addr} }

// Observe writes the event's line.
func (v *jsonView) Observe(ev executor.Event) {
	switch e := ev.(type) {
	case executor.StepStarted:
		v.emit("info", "apply_start", fmt.Sprintf("%s: %s", e.Address, startVerb(e.Kind, e.Action)),
			map[string]any{"resource": resource(e.Address), "action": string(e.Action), "kind": e.Kind})
	case executor.JobCreated:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Export job created [exportId=%s]", e.Address, e.ExportID),
			map[string]any{"resource": resource(e.Address), "event": "job_created", "export_id": e.ExportID})
	case executor.JobEnqueued:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Enqueued [exportId=%s]", e.Address, e.ExportID),
			map[string]any{"resource": resource(e.Address), "event": "job_enqueued", "export_id": e.ExportID})
	case executor.JobPolled:
		if !e.Changed {
			return
		}
		v.emit("info", "apply_progress", fmt.Sprintf("%s: %s [%s elapsed]", e.Address, e.Status, formatElapsed(e.Elapsed)),
			map[string]any{"resource": resource(e.Address), "event": "status", "id": e.ID, "status": e.Status, "elapsed_seconds": int(e.Elapsed.Seconds())})
	case executor.DownloadProgress:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Downloading %d%% (%s of %s)", e.Address, percent(e.Written, e.Total), executor.FormatBytes(e.Written), executor.FormatBytes(e.Total)),
			map[string]any{"resource": resource(e.Address), "event": "download", "bytes": e.Written, "total_bytes": e.Total})
	case executor.FileDownloaded:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Export complete [%s, sha256 ok] → %s", e.Address, executor.FormatBytes(e.Size), e.Path),
			map[string]any{"resource": resource(e.Address), "event": "file_downloaded", "path": e.Path, "bytes": e.Size, "records": e.Records, "sha256": e.SHA256, "resumed": e.Resumed, "retries": e.Retries})
	case executor.FileMerged:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Merged into %s", e.Resource, e.Path),
			map[string]any{"resource": resource(e.Resource), "event": "file_merged", "path": e.Path, "bytes": e.Size, "sha256": e.SHA256})
	case executor.ChunkUploaded:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Chunk %d uploaded [batchId=%d]", e.Address, e.Chunk, e.BatchID),
			map[string]any{"resource": resource(e.Address), "event": "chunk_uploaded", "chunk": e.Chunk, "batch_id": e.BatchID, "rows": e.Rows, "reupload": e.Reupload})
	case executor.ImportReported:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Import complete [%d processed, %d failed, %d warnings]", e.Address, e.Processed, e.Failed, e.Warnings),
			map[string]any{"resource": resource(e.Address), "event": "import_reported", "processed": e.Processed, "failed": e.Failed, "warnings": e.Warnings,
				"failures_file": e.FailuresFile, "warnings_file": e.WarningsFile})
	case executor.Retry:
		v.emit("info", "apply_progress", fmt.Sprintf("%s: Waiting: %s", e.Address, e.Reason),
			map[string]any{"resource": resource(e.Address), "event": "waiting", "reason": e.Reason, "after_seconds": int(e.After.Seconds())})
	case executor.APIRetry:
		v.emit("warn", "apply_progress", fmt.Sprintf("Marketo call retried: %s (attempt %d): %s", e.Op, e.Attempt, e.Reason),
			map[string]any{"event": "retry", "operation": e.Op, "attempt": e.Attempt, "reason": e.Reason})
	case executor.StepCompleted:
		v.emit("info", "apply_complete", fmt.Sprintf("%s: %s", e.Address, e.Summary),
			map[string]any{"resource": resource(e.Address), "summary": e.Summary})
	case executor.StepFailed:
		v.emit("error", "apply_errored", fmt.Sprintf("%s: %s", e.Address, e.Failure),
			map[string]any{"resource": resource(e.Address), "error": e.Failure.Message, "code": e.Failure.Code, "request_id": e.Failure.RequestID})
	case executor.QuotaStopped:
		v.write(jsonLine{Level: "warn", Type: "diagnostic", Message: "Marketo's daily export quota is spent",
			Diagnostic: map[string]any{"severity": "warning", "summary": "Marketo's daily export quota is spent",
				"detail": "No new export jobs are created; running jobs finish and download. The quota resets at " + e.ResetsAt.Format(time.RFC3339) + "."}})
	case executor.Done:
		// The summary line is written by the command with the totals.
	}
}

// summary writes the final change_summary line.
func (v *jsonView) summary(res *executor.Result, msg string) {
	v.write(jsonLine{Level: "info", Type: "change_summary", Message: msg, Changes: map[string]any{
		"applied": len(res.Applied), "pending": len(res.Pending), "failed": len(res.Failed),
		"operation": "apply", "export_windows": res.Exports.Windows, "export_bytes": res.Exports.Bytes,
		"imports": res.Imports.Imports, "import_rows": res.Imports.Rows + res.Imports.Failed,
		"import_failed_rows": res.Imports.Failed, "import_warnings": res.Imports.Warnings,
		"quota_stopped": res.QuotaStopped, "interrupted": res.Interrupted,
		"failures": jsonFailures(res.Failed), "notes": nonNil(res.Notes),
	}})
}

// jsonFailures lists failed steps with what Marketo said, so a pipeline can
// report the code and request id without parsing text.
func jsonFailures(failed []executor.StepResult) []map[string]any {
	out := []map[string]any{}
	for _, f := range failed {
		m := map[string]any{"address": f.Address, "summary": f.Summary}
		if f.Failure != nil {
			m["code"], m["request_id"], m["message"] = f.Failure.Code, f.Failure.RequestID, f.Failure.Message
		}
		out = append(out, m)
	}
	return out
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
