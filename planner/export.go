package planner

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// PartsDir holds the per-window files of exports whose output has no
// {window}; they are merged into the output with one header.
const PartsDir = ".mkbulk/parts"

// WindowAddress is the address of one export window.
func WindowAddress(resource string, w plan.Window) string {
	return fmt.Sprintf("%s[%q]", resource, w.Label())
}

// planExport plans every window of one export, and its merge.
func (pl *planning) planExport(ex *manifest.Export) {
	res := ex.Address()
	records := pl.byResource[res]
	key, dr := ex.Filter.DateFilter()

	var windows []plan.Window
	switch {
	case dr == nil:
		job := pl.resolveExport(ex, "", nil, false)
		pl.addExportStep(res, res, job, records[res])
		return
	case dr.EndAt != nil:
		windows = SplitWindows(dr.StartAt, *dr.EndAt, ex.Window)
	default:
		windows = OpenWindows(dr.StartAt, recordedWindows(records), pl.now, ex.Window)
	}

	// Without {window} the windows are merged into the output — unless
	// there is only one, which is downloaded straight to the output rather
	// than to a part file copied again by a merge.
	merged := !strings.Contains(ex.Output, manifest.WindowPlaceholder) && len(windows) > 1
	if !merged {
		for i := range windows {
			job := pl.resolveExport(ex, key, &windows[i], false)
			addr := WindowAddress(res, windows[i])
			pl.addExportStep(addr, res, job, records[addr])
		}
		return
	}
	pl.planMergedExport(ex, key, windows, records)
}

// recordedWindows lists the windows state holds for an export.
func recordedWindows(records map[string]statefile.Record) []plan.Window {
	var ws []plan.Window
	for _, rec := range records {
		if e := rec.Export; rec.Kind == statefile.KindExport && e != nil && e.WindowStart != nil && e.WindowEnd != nil {
			ws = append(ws, plan.Window{StartAt: e.WindowStart.UTC(), EndAt: e.WindowEnd.UTC()})
		}
	}
	sortWindows(ws)
	return ws
}

// addExportStep diffs one planned job against its state record and adds
// the step.
func (pl *planning) addExportStep(addr, res string, job *plan.ExportJob, rec statefile.Record) {
	var r *statefile.ExportRecord
	if rec.Kind == statefile.KindExport {
		r = rec.Export
	}
	action, reasons := pl.diffExport(job, r)
	action, reasons = pl.applyReplace(addr, res, action, reasons)
	if action == plan.Resume {
		job.ExportID = r.ExportID
	}
	if action == plan.Update && r.Output != job.Output {
		job.PreviousOutput = r.Output
	}
	pl.addStep(plan.Step{Address: addr, Resource: res, Kind: plan.KindExport, Action: action, Reasons: reasons, Export: job})
}

// applyReplace turns a step -replace names into a replacement.
func (pl *planning) applyReplace(addr, res string, action plan.Action, reasons []plan.Reason) (plan.Action, []plan.Reason) {
	if !pl.forcedReplace(addr, res) {
		return action, reasons
	}
	switch action {
	case plan.NoOp, plan.Update, plan.Resume:
		return plan.Replace, []plan.Reason{replacedByRequest}
	}
	return action, reasons
}

// resolveExport builds the fully resolved job of one window (w nil: the
// export has no date filter).
func (pl *planning) resolveExport(ex *manifest.Export, dateKey string, w *plan.Window, merged bool) *plan.ExportJob {
	filter := ex.Filter
	if w != nil {
		start, end := w.StartAt, w.EndAt
		r := &manifest.DateRange{StartAt: start, EndAt: &end}
		switch dateKey {
		case "createdAt":
			filter.CreatedAt = r
		case "updatedAt":
			filter.UpdatedAt = r
		}
	}
	filterJSON, err := json.Marshal(filter)
	if err != nil {
		panic("planner: encode filter: " + err.Error())
	}
	job := &plan.ExportJob{
		Object:            ex.Object,
		APIName:           ex.APIName,
		Fields:            ex.Fields,
		ColumnHeaderNames: ex.ColumnHeaderNames,
		Format:            ex.Format,
		Filter:            filterJSON,
		Window:            w,
	}
	if job.Format == "" {
		job.Format = manifest.FormatCSV
	}
	switch {
	case w == nil:
		job.Output = strings.ReplaceAll(ex.Output, manifest.WindowPlaceholder, "all")
	case merged:
		job.Output = path.Join(PartsDir, ex.Metadata.Name, w.FileLabel()+"."+strings.ToLower(job.Format))
	default:
		job.Output = strings.ReplaceAll(ex.Output, manifest.WindowPlaceholder, w.FileLabel())
	}
	job.SpecDigest = sha256JSON(exportDigestInput{
		Object:            job.Object,
		APIName:           job.APIName,
		Fields:            job.Fields,
		ColumnHeaderNames: job.ColumnHeaderNames,
		Format:            job.Format,
		Filter:            job.Filter,
	})
	return job
}
