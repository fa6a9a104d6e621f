package planner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mkbulk/mkbulk/manifest"
)

// writeManyManifests writes n export manifests of mixed objects, several
// per file, each with a date range of a few windows.
func writeManyManifests(tb testing.TB, dir string, n int) {
	tb.Helper()
	const perFile = 10
	for f := 0; f*perFile < n; f++ {
		var b strings.Builder
		for i := f * perFile; i < min(n, (f+1)*perFile); i++ {
			if b.Len() > 0 {
				b.WriteString("---\n")
			}
			switch i % 4 {
			case 0:
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: leads-%d\nspec:\n  object: leads\n  fields: [email, firstName, lastName, leadScore]\n  filter:\n    createdAt:\n      startAt: 2026-01-01T00:00:00Z\n      endAt: 2026-02-28T23:59:59Z\n  output: out/leads-%d-{window}.csv\n", i, i)
			case 1:
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: members-%d\nspec:\n  object: programMembers\n  fields: [email, statusName, registrationCode]\n  filter:\n    programId: %d\n  output: out/members-%d.csv\n", i, 1000+i, i)
			case 2:
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: activity-%d\nspec:\n  object: activities\n  filter:\n    createdAt:\n      startAt: 2026-03-01T00:00:00Z\n      endAt: 2026-03-14T23:59:59Z\n    activityTypeIds: [1, 2]\n  window: 7d\n  output: out/activity-%d.csv\n", i, i)
			case 3:
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: cars-%d\nspec:\n  object: customObject\n  apiName: car_c\n  fields: [vin, make, model]\n  filter:\n    staticListId: %d\n  output: out/cars-%d.csv\n", i, i, i)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%03d.yaml", f)), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkPlan1000 loads and plans 1,000 manifests against prefetched
// describe output (what `mkbulk plan` does after its describe calls),
// and reports how many describe calls the set needs: one per object type.
func BenchmarkPlan1000(b *testing.B) {
	dir := b.TempDir()
	writeManyManifests(b, dir, 1000)
	var describe Describe
	readJSON(b, filepath.Join("testdata", "_shared", "describe.json"), &describe, false)
	now := ts(goldenNow)
	var calls int
	for b.Loop() {
		set, diags := manifest.Load(dir)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		needs := NeededDescribes(set)
		calls = needs.Calls()
		p, pdiags := Plan(Input{Manifests: set, Describe: &describe, Now: now})
		if pdiags.HasErrors() || p == nil {
			b.Fatal(pdiags.Error())
		}
		if len(p.Steps) != 1500 {
			b.Fatalf("%d steps, want 1500", len(p.Steps))
		}
	}
	b.ReportMetric(float64(calls), "describe-calls")
}

func TestNeededDescribesOnePerObjectType(t *testing.T) {
	dir := t.TempDir()
	writeManyManifests(t, dir, 1000)
	set, diags := manifest.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	n := NeededDescribes(set)
	want := DescribeNeeds{Lead: true, ProgramMember: true, ActivityTypes: true, CustomObjects: []string{"car_c"}}
	if fmt.Sprint(n) != fmt.Sprint(want) || n.Calls() != 4 {
		t.Errorf("NeededDescribes = %+v (%d calls), want %+v (4 calls)", n, n.Calls(), want)
	}
}
