package planner

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
)

// TestValidateHandBuilt covers checks the manifest loader also makes
// offline (so golden cases, which load YAML, never reach them here): the
// planner must still hold for a Set built by hand.
func TestValidateHandBuilt(t *testing.T) {
	var describe Describe
	readJSON(t, filepath.Join("testdata", "_shared", "describe.json"), &describe, false)
	at := func(line int) manifest.Pos { return manifest.Pos{File: "m.yaml", Line: line, Col: 3} }
	export := func(mutate func(*manifest.Export)) *manifest.Export {
		ex := &manifest.Export{
			Metadata: manifest.Metadata{Name: "x"},
			Object:   manifest.ObjectLeads,
			Fields:   []string{"email"},
			Format:   manifest.FormatCSV,
			Output:   "out/x.csv",
		}
		ex.Source = manifest.Source{File: "m.yaml", Pos: at(1)}
		ex.SetPos("spec.columnHeaderNames.emial", at(5))
		ex.SetPos("spec.filter.nurtureCadence", at(6))
		ex.SetPos("spec.filter.primaryAttributeValues", at(7))
		ex.SetPos("spec.filter.activityTypeIds[0]", at(8))
		mutate(ex)
		return ex
	}
	one, seven := 1001, 7
	tests := map[string]struct {
		ex   *manifest.Export
		want []string
	}{
		"header name for a field not exported": {
			ex: export(func(ex *manifest.Export) {
				ex.Filter.StaticListID = &seven
				ex.ColumnHeaderNames = map[string]string{"emial": "Email"}
			}),
			want: []string{`m.yaml:5:3: columnHeaderNames key "emial" is not one of the export's fields` + "\n\thint: did you mean \"email\"?"},
		},
		"nurture cadence spelled as the docs do": {
			ex: export(func(ex *manifest.Export) {
				ex.Object = manifest.ObjectProgramMembers
				ex.Filter.ProgramID = &one
				ex.Filter.NurtureCadence = "pause"
			}),
			want: []string{`m.yaml:6:3: nurtureCadence "pause" is not one of paus, norm` + "\n\thint: did you mean \"paus\"?"},
		},
		"primary attribute values without activity types": {
			ex: export(func(ex *manifest.Export) {
				ex.Object = manifest.ObjectActivities
				ex.Fields = nil
				ex.Filter.PrimaryAttributeValues = []string{"Contact Us"}
			}),
			want: []string{`m.yaml:7:3: primaryAttributeValues needs activityTypeIds naming the activity types whose primary attribute it filters`},
		},
		"activity type without a filterable primary attribute": {
			ex: export(func(ex *manifest.Export) {
				ex.Object = manifest.ObjectActivities
				ex.Fields = nil
				ex.Filter.ActivityTypeIDs = []int{12}
				ex.Filter.PrimaryAttributeValues = []string{"x"}
			}),
			want: []string{`m.yaml:8:3: activity type 12 (New Lead) does not support primaryAttributeValues filtering`},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			set := &manifest.Set{Exports: []*manifest.Export{tt.ex}}
			p, diags := Plan(Input{Manifests: set, Describe: &describe, Now: ts(goldenNow)})
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if p != nil {
				t.Errorf("a plan was made despite errors: %d steps", len(p.Steps))
			}
		})
	}
}

// TestCheckStale names each reason a saved plan is refused.
func TestCheckStale(t *testing.T) {
	base := func() StaleInputs {
		return StaleInputs{
			Lineage: "L", Serial: 4,
			ManifestDigests:     map[string]string{"a.yaml": "1", "b.yaml": "2"},
			SourceDigests:       map[string]string{"data/x.csv": "3"},
			DescribeFingerprint: "D",
		}
	}
	b := base()
	p := planFrom(b)
	tests := map[string]struct {
		change func(*StaleInputs)
		want   string
	}{
		"same":             {func(*StaleInputs) {}, ""},
		"serial moved":     {func(s *StaleInputs) { s.Serial = 5 }, "state changed since the plan was made (serial 4, now 5)"},
		"other lineage":    {func(s *StaleInputs) { s.Lineage = "M" }, "state lineage differs"},
		"manifest edited":  {func(s *StaleInputs) { s.ManifestDigests["b.yaml"] = "9" }, "manifests changed since the plan was made: b.yaml"},
		"manifest added":   {func(s *StaleInputs) { s.ManifestDigests["c.yaml"] = "9" }, "manifests changed since the plan was made: c.yaml"},
		"manifest removed": {func(s *StaleInputs) { delete(s.ManifestDigests, "a.yaml") }, "manifests changed since the plan was made: a.yaml"},
		"source edited":    {func(s *StaleInputs) { s.SourceDigests["data/x.csv"] = "9" }, "import source changed since the plan was made: data/x.csv"},
		"source gone":      {func(s *StaleInputs) { delete(s.SourceDigests, "data/x.csv") }, "import source changed"},
		"schema changed":   {func(s *StaleInputs) { s.DescribeFingerprint = "E" }, "Marketo schema changed since the plan was made"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cur := base()
			tt.change(&cur)
			err := CheckStale(p, cur)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckStale = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("CheckStale = %v, want it to say %q", err, tt.want)
			case err != nil && !strings.HasPrefix(err.Error(), "saved plan is stale: "):
				t.Fatalf("CheckStale = %v, want the stale prefix", err)
			}
		})
	}

	// A plan made before any state existed stays valid when apply creates
	// the state (new lineage, nothing written yet), not once it is written.
	fresh := planFrom(StaleInputs{ManifestDigests: b.ManifestDigests, SourceDigests: b.SourceDigests, DescribeFingerprint: "D"})
	cur := base()
	cur.Serial = 0
	if err := CheckStale(fresh, cur); err != nil {
		t.Errorf("plan without state, state just created: %v", err)
	}
	cur.Serial = 1
	if err := CheckStale(fresh, cur); err == nil {
		t.Errorf("plan without state, state written since: not stale")
	}
}

func planFrom(s StaleInputs) *plan.Plan {
	return &plan.Plan{
		StateLineage:        s.Lineage,
		StateSerial:         s.Serial,
		ManifestDigests:     copyMap(s.ManifestDigests),
		SourceDigests:       copyMap(s.SourceDigests),
		DescribeFingerprint: s.DescribeFingerprint,
	}
}
