package planner

import (
	"io"
	"sort"
	"time"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// planning is the working state of one Plan call.
type planning struct {
	in       *Input
	now      time.Time
	describe *Describe
	catalogs catalogs
	snap     *statefile.Snapshot
	files    FileFacts
	diags    manifest.Diagnostics

	// byResource indexes state records by their resource address.
	byResource map[string]map[string]statefile.Record
	// planned holds every address a manifest still accounts for; state
	// records outside it are forgotten.
	planned map[string]bool
	// replace holds the -replace addresses and whether each matched.
	replace map[string]bool

	steps         []plan.Step
	merges        []plan.Merge
	sourceDigests map[string]string
	fileCache     map[string]fileCheck
}

// Plan computes what apply would do to make Marketo jobs and local files
// match the manifests. It validates every manifest against in.Describe and
// pre-flights import sources; when any diagnostic is an error it returns a
// nil plan. Warnings come back with the plan (and in Plan.Warnings).
func Plan(in Input) (*plan.Plan, manifest.Diagnostics) {
	pl := newPlanning(&in)
	set := in.Manifests
	if set == nil {
		set = &manifest.Set{}
	}
	for _, ex := range set.Exports {
		pl.validateExport(ex)
		pl.planExport(ex)
	}
	for _, im := range set.Imports {
		pl.planImport(im)
	}
	pl.planForgets()
	pl.checkReplaceMatched()
	targeted := pl.applyTargets(in.Targets)

	pl.diags.Sort()
	if pl.diags.HasErrors() {
		return nil, pl.diags
	}
	sort.SliceStable(pl.steps, func(i, j int) bool { return pl.steps[i].Address < pl.steps[j].Address })
	sort.Slice(pl.merges, func(i, j int) bool { return pl.merges[i].Resource < pl.merges[j].Resource })

	p := &plan.Plan{
		FormatVersion:       plan.FormatVersion,
		CreatedAt:           pl.now,
		StateLineage:        pl.snap.Lineage,
		StateSerial:         pl.snap.Serial,
		ManifestDigests:     copyMap(set.Files),
		SourceDigests:       pl.sourceDigests,
		DescribeFingerprint: DescribeFingerprint(in.Describe),
		Steps:               pl.steps,
		Merges:              pl.merges,
		Quota:               quota(pl.snap, pl.now, in.QuotaBytes),
		Targeted:            targeted,
	}
	if p.Steps == nil {
		p.Steps = []plan.Step{}
	}
	for _, d := range pl.diags {
		p.Warnings = append(p.Warnings, WarningText(d))
	}
	return p, pl.diags
}

func newPlanning(in *Input) *planning {
	snap := in.State
	if snap == nil {
		snap = &statefile.Snapshot{}
	}
	files := in.Files
	if files == nil {
		files = MapFiles{}
	}
	pl := &planning{
		in:            in,
		now:           in.Now.UTC().Truncate(time.Second),
		describe:      in.Describe,
		catalogs:      catalogs{describe: in.Describe, cache: map[string]*catalog{}},
		snap:          snap,
		files:         files,
		byResource:    map[string]map[string]statefile.Record{},
		planned:       map[string]bool{},
		replace:       map[string]bool{},
		sourceDigests: map[string]string{},
		fileCache:     map[string]fileCheck{},
	}
	for addr, rec := range snap.Resources {
		res := rec.Resource
		if res == "" {
			res = addr
		}
		if pl.byResource[res] == nil {
			pl.byResource[res] = map[string]statefile.Record{}
		}
		pl.byResource[res][addr] = rec
	}
	for _, a := range in.Replace {
		pl.replace[a] = false
	}
	return pl
}

// forcedReplace reports whether -replace names the step or its resource,
// and marks the flag as used.
func (pl *planning) forcedReplace(addr, resource string) bool {
	hit := false
	for _, a := range []string{addr, resource} {
		if _, ok := pl.replace[a]; ok {
			pl.replace[a] = true
			hit = true
		}
	}
	return hit
}

// replacedByRequest is the reason a -replace adds.
var replacedByRequest = plan.Reason{Message: "replacement requested with -replace"}

// addStep records a step and its address as planned.
func (pl *planning) addStep(st plan.Step) {
	pl.planned[st.Address] = true
	pl.steps = append(pl.steps, st)
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Validate checks manifests against describe output and pre-flights import
// sources, without state: what `mkbulk validate -online` reports. It is
// Plan's validation with nothing to diff against.
func Validate(set *manifest.Set, describe *Describe, openSource func(path string) (io.ReadCloser, error), now time.Time) manifest.Diagnostics {
	_, diags := Plan(Input{Manifests: set, Describe: describe, OpenSource: openSource, Now: now})
	return diags
}

// WarningText renders a warning for Plan.Warnings: "path:line:col: message"
// with any hint on the next line (the severity goes without saying).
func WarningText(d manifest.Diagnostic) string {
	s := d.Message
	if pos := d.Pos.String(); pos != "" {
		s = pos + ": " + s
	}
	if d.Hint != "" {
		s += "\n\thint: " + d.Hint
	}
	return s
}
