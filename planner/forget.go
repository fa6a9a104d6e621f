package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// planForgets adds a forget step for every state record no manifest
// accounts for any more: a removed manifest (every address of it), a
// window outside the planned range, a merge record of an export that no
// longer merges. Local files are kept; Marketo is not called.
func (pl *planning) planForgets() {
	manifested := map[string]bool{}
	if set := pl.in.Manifests; set != nil {
		for _, ex := range set.Exports {
			manifested[ex.Address()] = true
		}
		for _, im := range set.Imports {
			manifested[im.Address()] = true
		}
	}
	addrs := make([]string, 0, len(pl.snap.Resources))
	for addr := range pl.snap.Resources {
		addrs = append(addrs, addr)
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		if pl.planned[addr] {
			continue
		}
		rec := pl.snap.Resources[addr]
		res := rec.Resource
		if res == "" {
			res = addr
		}
		kind := plan.KindExport
		if rec.Kind == statefile.KindImport || strings.HasPrefix(res, "import.") {
			kind = plan.KindImport
		}
		var reasons []plan.Reason
		switch {
		case !manifested[res]:
			reasons = append(reasons, plan.Reason{Message: res + " is no longer in the manifests; its state entry is dropped"})
		case rec.Kind == statefile.KindMerge:
			reasons = append(reasons, plan.Reason{Message: "the export no longer merges its windows into one file"})
		default:
			reasons = append(reasons, plan.Reason{Message: "this window is no longer planned (the date range or window size changed)"})
		}
		switch {
		case kind == plan.KindImport:
			reasons = append(reasons, plan.Reason{Message: importsCannotBeUndone})
		default:
			if out := recordOutput(rec); out != "" {
				reasons = append(reasons, plan.Reason{Message: fmt.Sprintf("local file %s is kept", out)})
			}
			if e := rec.Export; e != nil && e.ExportID != "" && !e.Done() {
				reasons = append(reasons, plan.Reason{Message: fmt.Sprintf("job %s is left to Marketo; it is not cancelled", e.ExportID)})
			}
		}
		pl.steps = append(pl.steps, plan.Step{Address: addr, Resource: res, Kind: kind, Action: plan.Forget, Reasons: reasons})
	}
}

func recordOutput(rec statefile.Record) string {
	switch {
	case rec.Export != nil:
		return rec.Export.Output
	case rec.Merge != nil:
		return rec.Merge.Output
	}
	return ""
}

// checkReplaceMatched reports -replace addresses that named nothing.
func (pl *planning) checkReplaceMatched() {
	for _, a := range sortedKeys(pl.replace) {
		if !pl.replace[a] {
			pl.diags.Errorf(noPos, manifest.DidYouMean(a, pl.addresses()), "-replace=%s matches no export, window or import of the manifests", a)
		}
	}
}

// applyTargets narrows the plan to the -target addresses: a resource
// address keeps all its steps and its merge; a window address keeps that
// window only. It reports whether any target was given.
func (pl *planning) applyTargets(targets []string) bool {
	if len(targets) == 0 {
		return false
	}
	want := map[string]bool{}
	for _, t := range targets {
		want[t] = true
	}
	matched := map[string]bool{}
	kept := pl.steps[:0]
	for _, st := range pl.steps {
		switch {
		case want[st.Address]:
			matched[st.Address] = true
		case want[st.Resource]:
			matched[st.Resource] = true
		default:
			continue
		}
		kept = append(kept, st)
	}
	pl.steps = kept
	var merges []plan.Merge
	for _, m := range pl.merges {
		if want[m.Resource] {
			merges = append(merges, m)
		}
	}
	pl.merges = merges
	for _, t := range targets {
		if !matched[t] {
			pl.diags.Warnf(noPos, manifest.DidYouMean(t, pl.addresses()), "-target=%s matches nothing in the plan", t)
		}
	}
	return true
}

// addresses lists every step and resource address, for did-you-mean.
func (pl *planning) addresses() []string {
	seen := map[string]bool{}
	for _, st := range pl.steps {
		seen[st.Address] = true
		seen[st.Resource] = true
	}
	return sortedKeys(seen)
}
