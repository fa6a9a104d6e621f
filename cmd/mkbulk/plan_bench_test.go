package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mkbulk/mkbulk/sandbox"
)

// writeBenchManifests writes n export manifests of four object types, ten
// documents per file; leads and activities span several windows.
func writeBenchManifests(tb testing.TB, dir string, n int) {
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
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: members-%d\nspec:\n  object: programMembers\n  fields: [email, statusName]\n  filter:\n    programId: 1001\n  output: out/members-%d.csv\n", i, i)
			case 2:
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: activity-%d\nspec:\n  object: activities\n  filter:\n    createdAt:\n      startAt: 2026-03-01T00:00:00Z\n      endAt: 2026-03-14T23:59:59Z\n    activityTypeIds: [1, 2]\n  window: 7d\n  output: out/activity-%d.csv\n", i, i)
			case 3:
				fmt.Fprintf(&b, "apiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: cars-%d\nspec:\n  object: customObject\n  apiName: car_c\n  fields: [vin, make, model]\n  filter:\n    staticListId: 1\n  output: out/cars-%d.csv\n", i, i)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%03d.yaml", f)), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkPlan1000Sandbox is `mkbulk plan` of 1,000 manifests against the
// in-process sandbox, end to end: load, a fresh client (token), the
// describe calls, planning. Target (DESIGN.md §10): < 2 s and one describe
// call per object type. It reports describe calls per plan.
func BenchmarkPlan1000Sandbox(b *testing.B) {
	dir := b.TempDir()
	writeBenchManifests(b, dir, 1000)
	e, srv := startBenchSandbox(b, dir)
	ctx := context.Background()
	describeCalls := func() int64 {
		var n int64
		for op, c := range srv.Stats().CallsByOperation {
			if strings.Contains(op, "describe") || strings.Contains(op, "activities/types") {
				n += c
			}
		}
		return n
	}
	before := describeCalls()
	plans := 0
	for b.Loop() {
		p, diags, err := buildPlan(ctx, e, nil, planOptions{})
		if err != nil || diags.HasErrors() {
			b.Fatalf("%v %v", err, diags)
		}
		if len(p.Steps) != 1500 {
			b.Fatalf("%d steps, want 1500", len(p.Steps))
		}
		plans++
	}
	b.ReportMetric(float64(describeCalls()-before)/float64(plans), "describe-calls/plan")
}

func startBenchSandbox(tb testing.TB, dir string) (*env, *sandbox.Server) {
	s, err := sandbox.New(sandbox.Config{Seed: 1, Leads: 500, TimeScale: 60})
	if err != nil {
		tb.Fatal(err)
	}
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	vars := map[string]string{"MARKETO_ENDPOINT": url, "MARKETO_CLIENT_ID": "sandbox", "MARKETO_CLIENT_SECRET": "sandbox-secret"}
	return &env{getenv: func(k string) string { return vars[k] }, globals: globals{chdir: dir}}, s
}

// TestPlanOneDescribePerObjectType plans 1,000 manifests against the
// sandbox and checks the describe calls made: exactly one per object type.
func TestPlanOneDescribePerObjectType(t *testing.T) {
	if testing.Short() {
		t.Skip("plans 1,000 manifests")
	}
	dir := t.TempDir()
	writeBenchManifests(t, dir, 1000)
	e, srv := startBenchSandbox(t, dir)
	if _, diags, err := buildPlan(context.Background(), e, nil, planOptions{}); err != nil || diags.HasErrors() {
		t.Fatalf("%v %v", err, diags)
	}
	got := map[string]int64{}
	for op, c := range srv.Stats().CallsByOperation {
		if strings.Contains(op, "describe") || strings.Contains(op, "activities/types") {
			got[op] = c
		}
	}
	want := map[string]int64{
		"GET /rest/v1/leads/describe2.json":                  1,
		"GET /rest/v1/programs/members/describe.json":        1,
		"GET /rest/v1/customobjects/{apiName}/describe.json": 1,
		"GET /rest/v1/activities/types.json":                 1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("describe calls = %v, want %v", got, want)
	}
}
