package stress

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mkbulk/mkbulk/statefile"
)

// The verifier is what the crash and fault suites trust; these tests show
// it fails on every kind of damage it claims to catch.

func sum(b string) string {
	h := sha256.Sum256([]byte(b))
	return hex.EncodeToString(h[:])
}

// fixture is a finished project: two windows merged into out/all.csv, a
// {window} file, and a done import, all recorded in state.
type fixture struct {
	dir, state string
	files      map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), files: map[string]string{
		".mkbulk/parts/all/1.csv": "id,email\n1,a@x\n",
		".mkbulk/parts/all/2.csv": "id,email\n2,b@x\n3,c@x\n",
		"out/w/1.csv":             "id\n9\n",
	}}
	f.files["out/all.csv"] = "id,email\n1,a@x\n2,b@x\n3,c@x\n"
	for p, body := range f.files {
		f.write(t, p, body)
	}
	f.state = filepath.Join(f.dir, ".mkbulk", "state.db")
	st, err := statefile.Open(f.state, statefile.Options{Operation: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t1 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.AddDate(0, 1, 0)
	window := func(addr, res, out string, start time.Time) statefile.Record {
		s := sum(f.files[out])
		return statefile.Record{Address: addr, Resource: res, Kind: statefile.KindExport, Export: &statefile.ExportRecord{
			Object: "leads", ExportID: "id-" + addr, Status: "Completed", WindowStart: &start,
			FileSize: int64(len(f.files[out])), FileChecksum: "sha256:" + s, SHA256: s, Output: out, Enqueued: true}}
	}
	recs := []statefile.Record{
		window(`export.all["1"]`, "export.all", ".mkbulk/parts/all/1.csv", t1),
		window(`export.all["2"]`, "export.all", ".mkbulk/parts/all/2.csv", t2),
		window(`export.w["1"]`, "export.w", "out/w/1.csv", t1),
		{Address: "export.all", Resource: "export.all", Kind: statefile.KindMerge, Merge: &statefile.MergeRecord{
			Output: "out/all.csv", Parts: []string{`export.all["1"]`, `export.all["2"]`},
			SHA256: sum(f.files["out/all.csv"]), Size: int64(len(f.files["out/all.csv"]))}},
		{Address: "import.in", Resource: "import.in", Kind: statefile.KindImport, Import: &statefile.ImportRecord{
			Object: "leads", Source: "in.csv", Done: true, Chunks: []statefile.ChunkRecord{
				{Index: 0, BatchID: 1001, Status: "Complete"}, {Index: 1, BatchID: 1002, Status: "Complete"}}}},
	}
	for _, r := range recs {
		if err := st.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) write(t *testing.T, rel, body string) {
	t.Helper()
	p := filepath.Join(f.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) put(t *testing.T, rec statefile.Record) {
	t.Helper()
	st, err := statefile.Open(f.state, statefile.Options{Operation: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Put(rec); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyPassesAWholeProject(t *testing.T) {
	f := newFixture(t)
	v, err := Verify(f.dir, f.state, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) > 0 || v.Windows != 3 || v.Merges != 1 || v.Imports != 1 || v.Chunks != 2 {
		t.Errorf("Verify = %+v, want 3 windows, 1 merge, 1 import of 2 chunks, no problems", v)
	}
	if p, err := CheckAtRest(f.dir, f.state, map[string]string{"export.all": "out/all.csv"}); err != nil || len(p) > 0 {
		t.Errorf("CheckAtRest = %v, %v; want nothing", p, err)
	}
}

func TestVerifyCatchesDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, f *fixture)
		want   string
	}{
		{"window file changed", func(t *testing.T, f *fixture) { f.write(t, "out/w/1.csv", "id\n8\n") }, `export.w["1"]: out/w/1.csv has sha256`},
		{"window file missing", func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.dir, "out/w/1.csv")) }, "no such file"},
		{"merged file changed", func(t *testing.T, f *fixture) { f.write(t, "out/all.csv", "id,email\n1,a@x\n") }, "merge record says"},
		{"merged file keeps a repeated header", func(t *testing.T, f *fixture) {
			bad := "id,email\n1,a@x\nid,email\n2,b@x\n3,c@x\n"
			f.write(t, "out/all.csv", bad)
			f.put(t, statefile.Record{Address: "export.all", Resource: "export.all", Kind: statefile.KindMerge, Merge: &statefile.MergeRecord{
				Output: "out/all.csv", Parts: []string{`export.all["1"]`, `export.all["2"]`}, SHA256: sum(bad), Size: int64(len(bad))}})
		}, "is not its 2 parts joined"},
		{"partial file left", func(t *testing.T, f *fixture) { f.write(t, "out/w/2.csv.partial", "id\n") }, "partial file left behind: out/w/2.csv.partial"},
		{"window not done", func(t *testing.T, f *fixture) {
			f.put(t, statefile.Record{Address: `export.w["2"]`, Resource: "export.w", Kind: statefile.KindExport,
				Export: &statefile.ExportRecord{ExportID: "x", Status: "Processing"}})
		}, `export.w["2"]: not done`},
		{"chunk without batch", func(t *testing.T, f *fixture) {
			f.put(t, statefile.Record{Address: "import.in", Resource: "import.in", Kind: statefile.KindImport, Import: &statefile.ImportRecord{
				Done: true, Chunks: []statefile.ChunkRecord{{Index: 0, Status: "Complete", Uploading: true}}}})
		}, "import.in[0]: no batch id"},
		{"two chunks, one batch", func(t *testing.T, f *fixture) {
			f.put(t, statefile.Record{Address: "import.in", Resource: "import.in", Kind: statefile.KindImport, Import: &statefile.ImportRecord{
				Done: true, Chunks: []statefile.ChunkRecord{{Index: 0, BatchID: 5, Status: "Complete"}, {Index: 1, BatchID: 5, Status: "Complete"}}}})
		}, "batch 5 is also chunk 0's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.damage(t, f)
			v, err := Verify(f.dir, f.state, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(v.Problems, "\n"), tc.want) {
				t.Errorf("problems %q do not mention %q", v.Problems, tc.want)
			}
		})
	}
}

func TestCheckAtRestCatchesTornFiles(t *testing.T) {
	merged := map[string]string{"export.all": "out/all.csv"}
	t.Run("half a window at its final path", func(t *testing.T) {
		f := newFixture(t)
		// The record has Marketo's checksum but not yet ours: the apply
		// died after the rename; the file must still be whole.
		f.put(t, statefile.Record{Address: `export.w["1"]`, Resource: "export.w", Kind: statefile.KindExport, Export: &statefile.ExportRecord{
			ExportID: "id", Status: "Completed", FileChecksum: "sha256:" + sum(f.files["out/w/1.csv"]), Output: "out/w/1.csv"}})
		f.write(t, "out/w/1.csv", "id\n")
		p, err := CheckAtRest(f.dir, f.state, merged)
		if err != nil || !strings.Contains(strings.Join(p, "\n"), "at its final path has sha256") {
			t.Errorf("CheckAtRest = %q, %v; want the torn window reported", p, err)
		}
	})
	t.Run("merged file without a record is half written", func(t *testing.T) {
		f := newFixture(t)
		st, err := statefile.Open(f.state, statefile.Options{Operation: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Delete("export.all"); err != nil {
			t.Fatal(err)
		}
		st.Close()
		f.write(t, "out/all.csv", "id,email\n1,a@x\n2,b")
		p, err := CheckAtRest(f.dir, f.state, merged)
		if err != nil || !strings.Contains(strings.Join(p, "\n"), "is not its 2 windows joined") {
			t.Errorf("CheckAtRest = %q, %v; want the torn merge reported", p, err)
		}
	})
}

func TestConcatSHA256(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a", "h1,h2\r\n1,2\r\n")
	b := write("b", "h1,h2\r\n3,4") // no final newline
	c := write("c", "h1,h2\r\n")    // header only
	d := write("d", "")             // empty
	e := write("e", "h1,h2\r\n5,6\r\n")
	got, n, err := ConcatSHA256([]string{a, b, c, d, e})
	if err != nil {
		t.Fatal(err)
	}
	want := "h1,h2\r\n1,2\r\n3,4\n5,6\r\n"
	if got != sum(want) || n != int64(len(want)) {
		t.Errorf("ConcatSHA256 = %s (%d bytes), want the sha256 of %q (%d bytes)", got, n, want, len(want))
	}
	if _, _, err := ConcatSHA256([]string{a, write("f", "other\n7\n")}); err == nil {
		t.Error("ConcatSHA256 joined parts with different headers")
	}
}
