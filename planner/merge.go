package planner

import (
	"fmt"
	"slices"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// planMergedExport plans an export whose output has no {window}: each
// window downloads to a part file under PartsDir, and a Merge joins the
// parts into the output with one header. State holds a merge record at the
// resource address with the merged file's sha256.
//
// Parts are kept after merging, so one changed window does not mean
// exporting every window again. A merged output that is intact covers its
// windows even when their parts are gone, until some window changes and
// the merge has to be rebuilt from every part.
func (pl *planning) planMergedExport(ex *manifest.Export, dateKey string, windows []plan.Window, records map[string]statefile.Record) {
	res := ex.Address()
	parts := make([]string, len(windows))
	for i, w := range windows {
		parts[i] = WindowAddress(res, w)
	}

	mergeOK, mergeWhy := pl.mergeIntact(ex, records[res], parts)
	first := len(pl.steps)
	coveredNoOp := map[int]bool{} // step index → no-op only because the merged output covers it
	for i := range windows {
		job := pl.resolveExport(ex, dateKey, &windows[i], true)
		rec := records[parts[i]]
		var r *statefile.ExportRecord
		if rec.Kind == statefile.KindExport {
			r = rec.Export
		}
		action, reasons := pl.diffExport(job, r)
		if mergeOK && action == plan.Replace && r != nil && r.Done() && r.SpecDigest == job.SpecDigest && r.Output == job.Output {
			action, reasons = plan.NoOp, nil
			coveredNoOp[first+i] = true
		}
		action, reasons = pl.applyReplace(parts[i], res, action, reasons)
		if action == plan.Resume {
			job.ExportID = r.ExportID
		}
		if action == plan.Update && r.Output != job.Output {
			job.PreviousOutput = r.Output
		}
		pl.addStep(plan.Step{Address: parts[i], Resource: res, Kind: plan.KindExport, Action: action, Reasons: reasons, Export: job})
	}
	steps := pl.steps[first:]
	changed := slices.ContainsFunc(steps, func(s plan.Step) bool { return s.Action != plan.NoOp })

	switch {
	case mergeOK && !changed:
		pl.planned[res] = true
		return
	case mergeOK:
		// Rebuilding the merge needs every part; windows whose part is gone
		// must be exported again.
		for i := range steps {
			if coveredNoOp[first+i] && steps[i].Action == plan.NoOp {
				steps[i].Action = plan.Replace
				steps[i].Reasons = []plan.Reason{{
					Message:           fmt.Sprintf("part %s is missing and %s must be merged again", steps[i].Export.Output, ex.Output),
					Attribute:         "output",
					ForcesReplacement: true,
				}}
			}
		}
	case !changed:
		// Every window is downloaded but the merged output is not right:
		// rebuild it from the parts, no Marketo call.
		for i := range steps {
			steps[i].Action = plan.Update
			steps[i].Reasons = []plan.Reason{{Message: mergeWhy + "; rebuilt from the verified part", Attribute: "output"}}
		}
	}
	pl.planned[res] = true
	pl.merges = append(pl.merges, plan.Merge{Resource: res, Output: ex.Output, Parts: parts})
}

// mergeIntact reports whether state's merge record matches the planned
// parts and its output file is intact; otherwise why says what is wrong.
func (pl *planning) mergeIntact(ex *manifest.Export, rec statefile.Record, parts []string) (bool, string) {
	m := rec.Merge
	if rec.Kind != statefile.KindMerge || m == nil || m.SHA256 == "" {
		return false, fmt.Sprintf("windows are not merged into %s yet", ex.Output)
	}
	if m.Output != ex.Output {
		return false, fmt.Sprintf("merged output moved: %s → %s", m.Output, ex.Output)
	}
	if !slices.Equal(m.Parts, parts) {
		return false, fmt.Sprintf("the windows of %s changed", ex.Output)
	}
	if ok, why := pl.intact(m.Output, m.SHA256, m.Size); !ok {
		return false, fmt.Sprintf("merged output %s %s", m.Output, why)
	}
	return true, ""
}
