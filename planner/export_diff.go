package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// FileRetention is how long Marketo keeps a completed export's file.
const FileRetention = 7 * 24 * time.Hour

// diffExport decides what one export window needs, given its state record
// (nil when state has none).
func (pl *planning) diffExport(job *plan.ExportJob, r *statefile.ExportRecord) (plan.Action, []plan.Reason) {
	switch {
	case r == nil:
		return plan.Create, []plan.Reason{{Message: "not in state"}}
	case r.SpecDigest != job.SpecDigest:
		reasons := specChanges(r, job)
		if r.ExportID != "" && !r.Done() {
			reasons = append(reasons, plan.Reason{Message: fmt.Sprintf("job %s, made from the old spec, is not downloaded", r.ExportID)})
		}
		return plan.Replace, reasons
	case r.Done():
		return pl.diffOutput(job, r)
	case r.ExportID == "":
		return plan.Create, []plan.Reason{{Message: "an earlier apply stopped before Marketo created the job"}}
	}
	return pl.diffInFlight(r)
}

// diffOutput checks a downloaded window's local file.
func (pl *planning) diffOutput(job *plan.ExportJob, r *statefile.ExportRecord) (plan.Action, []plan.Reason) {
	ok, why := pl.intact(r.Output, r.SHA256, r.FileSize)
	switch {
	case ok && r.Output == job.Output:
		return plan.NoOp, nil
	case ok:
		return plan.Update, []plan.Reason{{
			Message:   fmt.Sprintf("output moved: %s → %s (the verified file is moved; no Marketo call)", r.Output, job.Output),
			Attribute: "output",
		}}
	case r.Output != job.Output:
		// The user may have moved the file themselves.
		if ok2, _ := pl.intact(job.Output, r.SHA256, r.FileSize); ok2 {
			return plan.Update, []plan.Reason{{
				Message:   fmt.Sprintf("output moved: %s → %s (already in place; state follows it)", r.Output, job.Output),
				Attribute: "output",
			}}
		}
	}
	return plan.Replace, []plan.Reason{{
		Message:           fmt.Sprintf("output %s %s", r.Output, why),
		Attribute:         "output",
		ForcesReplacement: true,
	}}
}

// diffInFlight decides between resuming a job created by an earlier apply
// and replacing it, from its refreshed status (or state's last seen one).
func (pl *planning) diffInFlight(r *statefile.ExportRecord) (plan.Action, []plan.Reason) {
	status, finishedAt, errMsg := r.Status, r.FinishedAt, r.ErrorMsg
	if j, refreshed := pl.in.Jobs[r.ExportID]; refreshed {
		if j == nil {
			return plan.Replace, []plan.Reason{{Message: fmt.Sprintf("job %s no longer exists on Marketo", r.ExportID)}}
		}
		status, finishedAt, errMsg = j.Status, j.FinishedAt, j.ErrorMsg
	}
	switch {
	case strings.EqualFold(status, marketo.StatusFailed):
		msg := fmt.Sprintf("job %s failed on Marketo", r.ExportID)
		if errMsg != "" {
			msg += ": " + errMsg
		}
		return plan.Replace, []plan.Reason{{Message: msg}}
	case strings.EqualFold(status, marketo.StatusCancelled) || strings.EqualFold(status, "Canceled"):
		return plan.Replace, []plan.Reason{{Message: fmt.Sprintf("job %s was cancelled outside mkbulk", r.ExportID)}}
	case strings.EqualFold(status, marketo.StatusCompleted):
		if t, err := time.Parse(time.RFC3339, finishedAt); err == nil && pl.now.Sub(t) > FileRetention {
			return plan.Replace, []plan.Reason{{Message: fmt.Sprintf(
				"remote file expired: job %s finished %s and Marketo keeps files 7 days", r.ExportID, t.UTC().Format(time.RFC3339))}}
		}
		msg := fmt.Sprintf("job %s completed; file not downloaded yet", r.ExportID)
		if r.DownloadedBytes > 0 {
			msg = fmt.Sprintf("job %s completed; download resumes at byte %d", r.ExportID, r.DownloadedBytes)
		}
		return plan.Resume, []plan.Reason{{Message: msg}}
	case strings.EqualFold(status, marketo.StatusCreated):
		if r.Enqueued {
			return plan.Resume, []plan.Reason{{Message: fmt.Sprintf("job %s was being enqueued when an apply stopped; apply checks its status before enqueueing", r.ExportID)}}
		}
		return plan.Resume, []plan.Reason{{Message: fmt.Sprintf("job %s is created on Marketo but not enqueued", r.ExportID)}}
	case status != "":
		return plan.Resume, []plan.Reason{{Message: fmt.Sprintf("job %s is %s on Marketo", r.ExportID, status)}}
	}
	return plan.Resume, []plan.Reason{{Message: fmt.Sprintf("job %s from an interrupted apply", r.ExportID)}}
}

// specChanges names what changed between the spec a job was made from and
// the planned one. Marketo jobs cannot be edited, so each forces
// replacement.
func specChanges(r *statefile.ExportRecord, job *plan.ExportJob) []plan.Reason {
	var rs []plan.Reason
	add := func(attr, format string, args ...any) {
		rs = append(rs, plan.Reason{Message: fmt.Sprintf(format, args...), Attribute: attr, ForcesReplacement: true})
	}
	if r.Object != "" && (r.Object != job.Object || r.APIName != job.APIName) {
		add("object", "object changed: %s → %s", objectName(r.Object, r.APIName), objectName(job.Object, job.APIName))
	}
	if r.Fields != nil || r.Format != "" || r.Filter != nil {
		added, removed := diffLists(r.Fields, job.Fields)
		if len(added) > 0 {
			add("fields", "fields added: %s", strings.Join(added, ", "))
		}
		if len(removed) > 0 {
			add("fields", "fields removed: %s", strings.Join(removed, ", "))
		}
		if len(added) == 0 && len(removed) == 0 && strings.Join(r.Fields, "\x00") != strings.Join(job.Fields, "\x00") {
			add("fields", "fields reordered")
		}
		if !equalStringMaps(r.ColumnHeaderNames, job.ColumnHeaderNames) {
			add("columnHeaderNames", "column header names changed")
		}
		if r.Format != "" && r.Format != job.Format {
			add("format", "format changed: %s → %s", r.Format, job.Format)
		}
		for _, key := range diffFilterKeys(r.Filter, job.Filter) {
			add("filter."+key, "filter.%s changed", key)
		}
	}
	if len(rs) == 0 {
		add("", "spec changed since the job was made")
	}
	return rs
}

func objectName(object, apiName string) string {
	if apiName != "" {
		return object + " " + apiName
	}
	return object
}

// diffLists returns the names in b not in a (added) and in a not in b (removed).
func diffLists(a, b []string) (added, removed []string) {
	inA := make(map[string]bool, len(a))
	for _, x := range a {
		inA[x] = true
	}
	inB := make(map[string]bool, len(b))
	for _, x := range b {
		inB[x] = true
		if !inA[x] {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !inB[x] {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func equalStringMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// diffFilterKeys lists the top-level filter keys whose values differ.
func diffFilterKeys(a, b json.RawMessage) []string {
	var ma, mb map[string]json.RawMessage
	_ = json.Unmarshal(a, &ma)
	_ = json.Unmarshal(b, &mb)
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	var diff []string
	for _, k := range sortedKeys(keys) {
		if !equalJSON(ma[k], mb[k]) {
			diff = append(diff, k)
		}
	}
	return diff
}

func equalJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
