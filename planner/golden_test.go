package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// goldenNow is the planning time of every golden case unless args.json
// says otherwise.
const goldenNow = "2026-03-15T12:00:00Z"

// goldenArgs are a case's optional flags (args.json).
type goldenArgs struct {
	Now        string   `json:"now"`
	Targets    []string `json:"targets"`
	Replace    []string `json:"replace"`
	ChunkBytes int64    `json:"chunkBytes"`
	// SkipFileChecks plans as -refresh=false does.
	SkipFileChecks bool `json:"skipFileChecks"`
}

// TestGolden plans each case under testdata/<case>/ and compares the plan
// (want.plan.json) and a readable digest of steps and diagnostics
// (want.txt). A case holds manifests (*.yaml) and optionally state.json,
// describe.json (default testdata/_shared/describe.json), jobs.json,
// files.json, args.json and import sources.
//
// State records may say "@current" for a specDigest, sourceSha256 or chunk
// sha256: the harness first plans the case without state and substitutes
// the value planned at the same address, so cases describe "state matches
// the manifest" without hard-coding digests. An import's specDigest may say
// "@params": the current parameters with state's recorded source.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/*/*.yaml")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		dir := filepath.Dir(c)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p, diags := planCase(t, dir)
			gotPlan := encodePlan(t, p)
			gotText := digestText(p, diags)
			compareGolden(t, filepath.Join(dir, "want.plan.json"), gotPlan)
			compareGolden(t, filepath.Join(dir, "want.txt"), []byte(gotText))
		})
	}
}

// planCase loads a case and plans it.
func planCase(t testing.TB, dir string) (*plan.Plan, manifest.Diagnostics) {
	set, diags := manifest.Load(dir)
	if diags.HasErrors() {
		t.Fatalf("manifests do not load:\n%s", diags.Error())
	}
	var args goldenArgs
	readJSON(t, filepath.Join(dir, "args.json"), &args, true)
	now := ts(goldenNow)
	if args.Now != "" {
		now = ts(args.Now)
	}
	var describe Describe
	if !readJSON(t, filepath.Join(dir, "describe.json"), &describe, true) {
		readJSON(t, filepath.Join("testdata", "_shared", "describe.json"), &describe, false)
	}
	jobs := map[string]*marketo.ExportJob{}
	readJSON(t, filepath.Join(dir, "jobs.json"), &jobs, true)
	files := MapFiles{}
	readJSON(t, filepath.Join(dir, "files.json"), &files, true)

	in := Input{
		Manifests:  set,
		Describe:   &describe,
		Jobs:       jobs,
		Files:      files,
		OpenSource: func(p string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(p))) },
		Now:        now,
		Targets:    args.Targets,
		Replace:    args.Replace,
		ChunkBytes: args.ChunkBytes,

		SkipFileChecks: args.SkipFileChecks,
	}
	var snap statefile.Snapshot
	if readJSON(t, filepath.Join(dir, "state.json"), &snap, true) {
		dry := in
		dry.Targets, dry.Replace = nil, nil
		fresh, _ := Plan(dry)
		resolveCurrent(t, &snap, fresh)
		in.State = &snap
	}
	p, pdiags := Plan(in)
	return p, append(diags, pdiags...)
}

// resolveCurrent replaces "@current" placeholders in state with what a
// plan without state planned at the same address.
func resolveCurrent(t testing.TB, snap *statefile.Snapshot, fresh *plan.Plan) {
	planned := map[string]plan.Step{}
	if fresh != nil {
		for _, st := range fresh.Steps {
			planned[st.Address] = st
		}
	}
	const cur = "@current"
	for addr, rec := range snap.Resources {
		st, ok := planned[addr]
		switch {
		case rec.Export != nil && rec.Export.SpecDigest == cur:
			if !ok || st.Export == nil {
				t.Fatalf("state.json: %s says @current but no export is planned there", addr)
			}
			rec.Export.SpecDigest = st.Export.SpecDigest
		case rec.Import != nil:
			if !ok || st.Import == nil {
				if rec.Import.SpecDigest == cur {
					t.Fatalf("state.json: %s says @current but no import is planned there", addr)
				}
				break
			}
			if rec.Import.SourceSHA256 == cur {
				rec.Import.SourceSHA256 = st.Import.SourceSHA256
			}
			switch rec.Import.SpecDigest {
			case cur:
				rec.Import.SpecDigest = st.Import.SpecDigest
			case "@params":
				// Same parameters, the source as state recorded it.
				rec.Import.SpecDigest = importDigest(st.Import, rec.Import.SourceSHA256)
			}
			for i := range rec.Import.Chunks {
				c := &rec.Import.Chunks[i]
				if c.SHA256 == cur && c.Index < len(st.Import.Chunks) {
					c.SHA256 = st.Import.Chunks[c.Index].SHA256
				}
			}
		}
		snap.Resources[addr] = rec
	}
}

// readJSON decodes path into v; a missing optional file is fine.
func readJSON(t testing.TB, path string, v any, optional bool) bool {
	b, err := os.ReadFile(path)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return true
}

func encodePlan(t testing.TB, p *plan.Plan) []byte {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// digestText is a reviewer's view of a plan: diagnostics, then each step's
// symbol, address and reasons, merges and the summary counts. (The real
// renderers live in cmd/mkbulk; the planner never prints.)
func digestText(p *plan.Plan, diags manifest.Diagnostics) string {
	var b strings.Builder
	if len(diags) > 0 {
		b.WriteString("diagnostics:\n")
		for _, d := range diags {
			fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(d.String(), "\n", "\n  "))
		}
	}
	if p == nil {
		b.WriteString("no plan\n")
		return b.String()
	}
	b.WriteString("steps:\n")
	for _, st := range p.Steps {
		fmt.Fprintf(&b, "  %3s %s\n", st.Action.Symbol(), st.Address)
		for _, r := range st.Reasons {
			forced := ""
			if r.ForcesReplacement {
				forced = fmt.Sprintf("  # forces replacement (%s)", r.Attribute)
			}
			fmt.Fprintf(&b, "        %s%s\n", r.Message, forced)
		}
		if st.Export != nil && st.Export.Output != "" {
			fmt.Fprintf(&b, "        output: %s\n", st.Export.Output)
		}
		if im := st.Import; im != nil {
			for _, c := range im.Chunks {
				fmt.Fprintf(&b, "        chunk %d: line %d, %d rows, bytes %d+%d, done=%v\n", c.Index, c.FirstLine, c.Rows, c.Offset, c.Length, c.Done)
			}
		}
	}
	for _, m := range p.Merges {
		fmt.Fprintf(&b, "merge %s -> %s (%d parts)\n", m.Resource, m.Output, len(m.Parts))
	}
	s := p.Summarize()
	fmt.Fprintf(&b, "summary: create=%d windows=%d replace=%d update=%d resume=%d forget=%d changes=%v\n",
		s.Create, s.Windows, s.Replace, s.Update, s.Resume, s.Forget, p.HasChanges())
	if p.Quota != nil {
		fmt.Fprintf(&b, "quota: %d of %d bytes, resets %s\n", p.Quota.UsedBytes, p.Quota.LimitBytes, p.Quota.ResetsAt.Format(time.RFC3339))
	}
	return b.String()
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./planner -run TestGolden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
