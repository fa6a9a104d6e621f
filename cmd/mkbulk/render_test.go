package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/plan"
)

// The render goldens share the conventional -update flag; it is defined
// here only if no other test file of the package defined it first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestRenderGolden renders every planner golden plan
// (planner/testdata/<case>/want.plan.json) as text, Terraform-shaped JSON
// and Markdown, and compares with testdata/render/<case>.{txt,json,md}.
func TestRenderGolden(t *testing.T) {
	plans, err := filepath.Glob("../../planner/testdata/*/want.plan.json")
	if err != nil || len(plans) == 0 {
		t.Fatalf("no planner goldens: %v", err)
	}
	for _, path := range plans {
		name := filepath.Base(filepath.Dir(path))
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var p *plan.Plan
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if p == nil {
			continue // a case whose diagnostics stop the plan
		}
		t.Run(name, func(t *testing.T) {
			var text, js, md bytes.Buffer
			renderPlanText(&text, p, false)
			if err := renderPlanJSON(&js, p); err != nil {
				t.Fatal(err)
			}
			renderPlanMarkdown(&md, p)
			base := filepath.Join("testdata", "render", name)
			compareRenderGolden(t, base+".txt", text.Bytes())
			compareRenderGolden(t, base+".json", js.Bytes())
			compareRenderGolden(t, base+".md", md.Bytes())
		})
	}
}

func compareRenderGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updateGoldens() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/mkbulk -run TestRenderGolden -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestRenderSummaryAndNoChanges pins the two grep-stable lines.
func TestRenderSummaryAndNoChanges(t *testing.T) {
	p := &plan.Plan{Steps: []plan.Step{
		{Address: `export.a["w1"]`, Resource: "export.a", Kind: plan.KindExport, Action: plan.Create},
		{Address: `export.a["w2"]`, Resource: "export.a", Kind: plan.KindExport, Action: plan.Create},
		{Address: `export.b["w1"]`, Resource: "export.b", Kind: plan.KindExport, Action: plan.Create},
		{Address: `export.b["w2"]`, Resource: "export.b", Kind: plan.KindExport, Action: plan.Create},
		{Address: `export.c`, Resource: "export.c", Kind: plan.KindExport, Action: plan.Create},
		{Address: `export.c2`, Resource: "export.c2", Kind: plan.KindExport, Action: plan.Create},
		{Address: `export.d["w1"]`, Resource: "export.d", Kind: plan.KindExport, Action: plan.Replace},
		{Address: `export.e["w1"]`, Resource: "export.e", Kind: plan.KindExport, Action: plan.Resume},
		{Address: `import.f`, Resource: "import.f", Kind: plan.KindImport, Action: plan.Create},
	}}
	// 3 resources of exports… plus the import: count resources, windows apart.
	p.Steps = append(p.Steps[:5], p.Steps[6:]...) // drop export.c2: 3 exports + 1 import created
	if got, want := summaryLine(p), "Plan: 4 to create (5 windows), 1 to replace, 0 to update, 1 to resume, 0 to forget."; got != want {
		t.Errorf("summary line\n got %q\nwant %q", got, want)
	}
	var out bytes.Buffer
	renderPlanText(&out, &plan.Plan{Steps: []plan.Step{{Address: "export.a", Action: plan.NoOp}}}, false)
	if !strings.HasPrefix(out.String(), "No changes. Marketo jobs and local files match the manifests.\n") {
		t.Errorf("no-op plan renders %q", out.String())
	}
	if strings.Contains(out.String(), "create:") {
		t.Errorf("a no-op plan shows a legend: %q", out.String())
	}
}
