package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

func TestMergedExportHasOneHeader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("all", 3)
		m := plan.Merge{Resource: "export.all", Output: "out/all.csv"}
		for i := range p.Steps {
			st := &p.Steps[i]
			st.Export.Output = ".mkbulk/parts/all/" + st.Export.Window.FileLabel() + ".csv"
			m.Parts = append(m.Parts, st.Address)
		}
		p.Merges = []plan.Merge{m}
		res := h.run(t.Context(), p)
		if !res.OK() || res.Exports.Merged != 1 {
			t.Fatalf("result: %+v", res)
		}
		got := readFile(t, filepath.Join(h.dir, "out/all.csv"))
		want := "id,email\njob-01,1\njob-01,2\njob-02,1\njob-02,2\njob-03,1\njob-03,2\n"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("merged (-want +got):\n%s", diff)
		}
		if fi, err := os.Stat(filepath.Join(h.dir, "out/all.csv")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("merged output mode %v (%v), want 0600 like the downloaded parts", fi.Mode().Perm(), err)
		}
		rec := h.rec.snapshot().Resources["export.all"]
		sum := sha256.Sum256([]byte(got))
		if rec.Kind != statefile.KindMerge || rec.Merge.SHA256 != hex.EncodeToString(sum[:]) || rec.Merge.Size != int64(len(got)) {
			t.Errorf("merge record: %+v", rec.Merge)
		}
		if !slicesEqual(rec.Merge.Parts, m.Parts) {
			t.Errorf("merge parts %v", rec.Merge.Parts)
		}
		if len(eventsOf[FileMerged](h.obs)) != 1 {
			t.Error("no FileMerged event")
		}
	})
}

func TestMergeWaitsForEveryPart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("all", 2)
		h.f.failJob["2026-01-02"] = "boom"
		p.Merges = []plan.Merge{{Resource: "export.all", Output: "out/all.csv", Parts: []string{p.Steps[0].Address, p.Steps[1].Address}}}
		res := h.run(t.Context(), p)
		if len(res.Failed) != 1 || res.Exports.Merged != 0 {
			t.Fatalf("result: %+v", res)
		}
		if _, err := os.Stat(filepath.Join(h.dir, "out/all.csv")); err == nil {
			t.Error("merged output written although a part failed")
		}
		if len(res.Pending) != 1 || res.Pending[0].Address != "export.all" {
			t.Errorf("pending: %+v", res.Pending)
		}
	})
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestConcatWithOneHeader(t *testing.T) {
	for name, tc := range map[string]struct {
		parts   []string
		want    string
		wantErr string
	}{
		"plain":               {parts: []string{"h\na\n", "h\nb\n"}, want: "h\na\nb\n"},
		"no trailing newline": {parts: []string{"h\na", "h\nb"}, want: "h\na\nb"},
		"header-only part":    {parts: []string{"h\na\n", "h\n", "h\nc\n"}, want: "h\na\nc\n"},
		"empty part":          {parts: []string{"", "h\nb\n"}, want: "h\nb\n"},
		"crlf":                {parts: []string{"h\r\na\r\n", "h\r\nb\r\n"}, want: "h\r\na\r\nb\r\n"},
		"header only, no nl":  {parts: []string{"h", "h\nb\n"}, want: "h\nb\n"},
		"different headers":   {parts: []string{"h\na\n", "x\nb\n"}, wantErr: "different header"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var names []string
			for i, p := range tc.parts {
				n := filepath.Join(dir, string(rune('a'+i)))
				if err := os.WriteFile(n, []byte(p), 0o644); err != nil {
					t.Fatal(err)
				}
				names = append(names, n)
			}
			var out strings.Builder
			err := concatWithOneHeader(&countingWriter{w: &out}, names, func(s string) string { return s })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
}

func TestUpdateMovesTheVerifiedFileWithoutCallingMarketo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 1)
		if res := h.run(t.Context(), p); !res.OK() {
			t.Fatalf("first run: %+v", res)
		}
		calls := h.f.calls["CreateExport"] + h.f.calls["DownloadExport"]
		p2 := replan(p, h.rec.snapshot())
		st := &p2.Steps[0]
		st.Action = plan.Update
		st.Export.PreviousOutput = st.Export.Output
		st.Export.Output = "moved/here.csv"
		res := h.run(t.Context(), p2)
		if !res.OK() || len(res.Applied) != 1 || !strings.Contains(res.Applied[0].Summary, "moved") {
			t.Fatalf("result: %+v", res)
		}
		if n := h.f.calls["CreateExport"] + h.f.calls["DownloadExport"]; n != calls {
			t.Error("an update called Marketo")
		}
		h.checkOutputs(p2)
		if _, err := os.Stat(filepath.Join(h.dir, st.Export.PreviousOutput)); err == nil {
			t.Error("old file still there")
		}
	})
}

func TestForgetDropsStateKeepsFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := exportPlan("leads", 1)
		if res := h.run(t.Context(), p); !res.OK() {
			t.Fatalf("first run: %+v", res)
		}
		out := p.Steps[0].Export.Output
		p2 := &plan.Plan{Steps: []plan.Step{{Address: p.Steps[0].Address, Resource: "export.leads", Kind: plan.KindExport, Action: plan.Forget}}}
		res := h.run(t.Context(), p2)
		if !res.OK() || len(res.Applied) != 1 {
			t.Fatalf("result: %+v", res)
		}
		if len(h.rec.snapshot().Resources) != 0 {
			t.Error("state still has the record")
		}
		if _, err := os.Stat(filepath.Join(h.dir, out)); err != nil {
			t.Errorf("file removed: %v", err)
		}
	})
}
