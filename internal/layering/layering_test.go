package layering

import (
	"encoding/json"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/mkbulk/mkbulk"

// allowed lists, for each package, the module packages it may import
// (directly or not). Anything else is a layering violation.
var allowed = map[string][]string{
	"manifest":  {"schema"},
	"schema":    {},
	"plan":      {},
	"statefile": {},
	"marketo":   {},
	"sandbox":   {},
	// The planner reads manifests, state and describe results and builds a plan.
	"planner": {"manifest", "schema", "plan", "statefile", "marketo"},
	// The executor runs a plan; it never reads manifests or plans anew.
	"executor": {"plan", "statefile", "marketo"},
}

func TestImportEdges(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := map[string]bool{}
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
			Deps       []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module+"/")
		seen[name] = true
		// bbolt stays behind statefile: no other package imports it
		// directly (importing statefile's record types is fine).
		if name != "statefile" && slices.Contains(p.Imports, "go.etcd.io/bbolt") {
			t.Errorf("%s imports bbolt; only statefile may", name)
		}
		rules, ok := allowed[name]
		if !ok {
			continue // cmd/mkbulk and internal packages may import anything
		}
		ok2 := map[string]bool{}
		for _, r := range rules {
			ok2[r] = true
		}
		var bad []string
		for _, d := range p.Deps {
			if !strings.HasPrefix(d, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(d, module+"/")
			if !ok2[dep] {
				bad = append(bad, dep)
			}
		}
		sort.Strings(bad)
		if len(bad) > 0 {
			t.Errorf("%s imports %v; DESIGN.md §1 allows only %v", name, bad, rules)
		}
	}
	for name := range allowed {
		if !seen[name] {
			t.Errorf("package %s is missing from the module", name)
		}
	}
}
