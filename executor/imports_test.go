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

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// importPlan writes a source (header line, then rows, each ending in a
// newline; a row may span lines) under dir and plans it the way the planner
// does: chunks of perChunk rows, header repeated.
func importPlan(t *testing.T, dir, name, header string, rows []string, perChunk, maxFailed int) *plan.Plan {
	t.Helper()
	src := "in/" + name + ".csv"
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	data := b.String()
	if err := os.MkdirAll(filepath.Join(dir, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, src), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(data))
	job := &plan.ImportJob{
		Object: marketo.ObjectLeads, Source: src, SourceSHA256: hex.EncodeToString(sum[:]), Format: "CSV",
		LookupField: "email", MaxFailedRows: maxFailed, Reports: ".mkbulk/reports/" + name,
		HeaderLength: int64(len(header) + 1), SpecDigest: "import-" + name,
	}
	off, line := int64(len(header)+1), 2
	for i := 0; i < len(rows); i += perChunk {
		c := plan.Chunk{Index: len(job.Chunks) + 1, Offset: off, FirstLine: line}
		for _, r := range rows[i:min(i+perChunk, len(rows))] {
			c.Length += int64(len(r) + 1)
			c.Rows++
			line += strings.Count(r, "\n") + 1
		}
		h := sha256.New()
		h.Write([]byte(data[:job.HeaderLength]))
		h.Write([]byte(data[c.Offset : c.Offset+c.Length]))
		c.SHA256 = hex.EncodeToString(h.Sum(nil))
		off += c.Length
		job.Chunks = append(job.Chunks, c)
	}
	return &plan.Plan{Steps: []plan.Step{{
		Address: "import." + name, Resource: "import." + name, Kind: plan.KindImport, Action: plan.Create, Import: job,
	}}}
}

var reportRows = []string{
	`a@x.com,Ann,10`,        // line 2
	"b@x.com,\"Bo\nb\",BAD", // lines 3-4
	`c@x.com,Cy,WARN`,       // line 5
	`d@x.com,Di,BAD`,        // line 6
	`d@x.com,Di,BAD`,        // line 7: same row again
	`"e@x.com","Ed",BAD`,    // line 8: quoted in the source, not by Marketo
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestImportReportsMapSourceRows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := importPlan(t, h.dir, "people", "email,name,score", reportRows, 3, 10)
		res := h.run(t.Context(), p)
		if !res.OK() || len(res.Applied) != 1 {
			t.Fatalf("result: %+v", res)
		}
		if diff := cmp.Diff(ImportTotals{Imports: 1, Rows: 2, Failed: 4, Warnings: 1}, res.Imports); diff != "" {
			t.Errorf("totals (-want +got):\n%s", diff)
		}
		wantFailures := "sourceRow,email,name,score,Import Failure Reason\n" +
			"3,b@x.com,\"Bo\nb\",BAD,Invalid data type in field Lead Score\n" +
			"6,d@x.com,Di,BAD,Invalid data type in field Lead Score\n" +
			"7,d@x.com,Di,BAD,Invalid data type in field Lead Score\n" +
			"8,e@x.com,Ed,BAD,Invalid data type in field Lead Score\n"
		if diff := cmp.Diff(wantFailures, readFile(t, filepath.Join(h.dir, ".mkbulk/reports/people/failures.csv"))); diff != "" {
			t.Errorf("failures.csv (-want +got):\n%s", diff)
		}
		wantWarnings := "sourceRow,email,name,score,Import Warning Reason\n5,c@x.com,Cy,WARN,Invalid email address\n"
		if diff := cmp.Diff(wantWarnings, readFile(t, filepath.Join(h.dir, ".mkbulk/reports/people/warnings.csv"))); diff != "" {
			t.Errorf("warnings.csv (-want +got):\n%s", diff)
		}
		// Each chunk went up as header + its rows, in order.
		if len(h.f.uploads) != 2 || !strings.HasPrefix(h.f.uploads[1], "email,name,score\nd@x.com,Di,BAD\n") {
			t.Errorf("uploads: %q", h.f.uploads)
		}
		rec := h.rec.snapshot().Resources["import.people"].Import
		if !rec.Done || len(rec.Chunks) != 2 || rec.Chunks[0].Status != marketo.ImportComplete || rec.Chunks[1].BatchID == 0 {
			t.Errorf("record: %+v", rec)
		}
		rep := eventsOf[ImportReported](h.obs)
		if len(rep) != 1 || rep[0].FailuresFile != ".mkbulk/reports/people/failures.csv" {
			t.Errorf("ImportReported: %+v", rep)
		}
		if h.f.pollsBeforeRefresh != 0 {
			t.Errorf("%d import polls before refresh", h.f.pollsBeforeRefresh)
		}
	})
}

func TestImportWithoutProblemsWritesHeaderOnlyReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := importPlan(t, h.dir, "clean", "email,name", []string{"a@x.com,A", "b@x.com,B"}, 10, 0)
		res := h.run(t.Context(), p)
		if !res.OK() || res.Applied[0].Summary != "2 rows, 0 failed, 0 warnings" {
			t.Fatalf("result: %+v", res)
		}
		if got := readFile(t, filepath.Join(h.dir, ".mkbulk/reports/clean/failures.csv")); got != "sourceRow,email,name,Import Failure Reason\n" {
			t.Errorf("failures.csv = %q", got)
		}
	})
}

func TestImportOverMaxFailedRowsFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := importPlan(t, h.dir, "people", "email,name,score", reportRows, 3, 1)
		res := h.run(t.Context(), p)
		if len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Failure.Message, "4 failed") ||
			!strings.Contains(res.Failed[0].Failure.Message, "more than maxFailedRows (1)") {
			t.Fatalf("result: %+v", res.Failed)
		}
		// The rows were processed: state says so, so the next plan does not import again.
		if rec := h.rec.snapshot().Resources["import.people"].Import; !rec.Done || rec.Failed != 4 {
			t.Errorf("record: %+v", rec)
		}
	})
}

func TestImportRefusesASourceChangedSincePlan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := importPlan(t, h.dir, "people", "email,name,score", reportRows, 3, 10)
		path := filepath.Join(h.dir, p.Steps[0].Import.Source)
		data := []byte(readFile(t, path))
		data[len(data)-3] = 'X'
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res := h.run(t.Context(), p)
		if len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Failure.Message, "changed since the plan") {
			t.Fatalf("result: %+v", res)
		}
		if len(h.f.uploads) != 0 {
			t.Errorf("%d chunks uploaded from a changed source", len(h.f.uploads))
		}
	})
}

func TestChunkBodyFailsWhenTheSourceChangesWhileStreaming(t *testing.T) {
	header := []byte("h\n")
	src := strings.NewReader("r1\nr2\n")
	h := sha256.New()
	h.Write([]byte("h\nr1\nr2\n"))
	good := hex.EncodeToString(h.Sum(nil))
	for _, tc := range []struct {
		want string
		fail bool
	}{{good, false}, {strings.Repeat("0", 64), true}} {
		b := &chunkBody{header: header, src: src, off: 0, n: 6, h: sha256.New(), want: tc.want, changed: &sourceChangedError{source: "s", chunk: 1}}
		var out strings.Builder
		_, err := b.Seek(0, 2)
		if err != nil {
			t.Fatal(err)
		}
		b.Seek(0, 0)
		buf := make([]byte, 3)
		for {
			n, rerr := b.Read(buf)
			out.Write(buf[:n])
			if rerr != nil {
				err = rerr
				break
			}
		}
		if out.String() != "h\nr1\nr2\n" {
			t.Errorf("body %q", out.String())
		}
		if changed := err != nil && err.Error() != "EOF"; changed != tc.fail {
			t.Errorf("want %v: end error %v", tc.fail, err)
		}
	}
}

func TestImportWaitsWhenMarketoQueueIsBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.f.failOn("CreateImport", 1, &marketo.Error{Code: "1016", Message: "Too many imports", RequestID: "i#1"})
		p := importPlan(t, h.dir, "people", "email,name", []string{"a@x.com,A"}, 10, 0)
		res := h.run(t.Context(), p)
		if !res.OK() {
			t.Fatalf("result: %+v", res)
		}
		if h.f.calls["CreateImport"] != 2 || len(eventsOf[Retry](h.obs)) != 1 {
			t.Errorf("creates %d, retries %+v", h.f.calls["CreateImport"], eventsOf[Retry](h.obs))
		}
	})
}

func TestImportKeepsAtMostTenBatchesQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		var rows []string
		for i := range 25 {
			rows = append(rows, strings.Repeat("x", i+1)+"@x.com,N")
		}
		p := importPlan(t, h.dir, "many", "email,name", rows, 1, 0)
		res := h.run(t.Context(), p)
		if !res.OK() || res.Imports.Rows != 25 {
			t.Fatalf("result: %+v", res)
		}
		if h.f.calls["CreateImport"] != 25 {
			t.Errorf("%d uploads for 25 chunks: Marketo's import queue was overfilled", h.f.calls["CreateImport"])
		}
		if h.f.maxImports > 2 {
			t.Errorf("max importing %d", h.f.maxImports)
		}
		ups := eventsOf[ChunkUploaded](h.obs)
		for i, u := range ups {
			if u.Chunk != i+1 {
				t.Fatalf("chunk %d uploaded as #%d: not in order", u.Chunk, i+1)
			}
		}
	})
}

func TestImportResumeReuploadsAChunkCutOffMidUploadAndSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		p := importPlan(t, h.dir, "people", "email,name", []string{"a@x.com,A", "b@x.com,B"}, 1, 0)
		job := p.Steps[0].Import
		// An earlier apply: chunk 1 complete, chunk 2 was being uploaded.
		_ = h.rec.Put(statefile.Record{Address: "import.people", Resource: "import.people", Kind: statefile.KindImport, Import: &statefile.ImportRecord{
			SpecDigest: job.SpecDigest, Object: job.Object, Source: job.Source, SourceSHA256: job.SourceSHA256,
			Chunks: []statefile.ChunkRecord{
				{Index: 1, SHA256: job.Chunks[0].SHA256, BatchID: 7, Status: marketo.ImportComplete, Processed: 1},
				{Index: 2, SHA256: job.Chunks[1].SHA256, Uploading: true},
			},
		}})
		p.Steps[0].Action = plan.Resume
		job.Chunks[0].Done = true
		res := h.run(t.Context(), p)
		if !res.OK() {
			t.Fatalf("result: %+v", res)
		}
		if len(h.f.uploads) != 1 || !strings.Contains(h.f.uploads[0], "b@x.com") {
			t.Errorf("uploads %q, want only chunk 2", h.f.uploads)
		}
		if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "chunk 2") {
			t.Errorf("notes: %q", res.Notes)
		}
		if ups := eventsOf[ChunkUploaded](h.obs); len(ups) != 1 || !ups[0].Reupload {
			t.Errorf("ChunkUploaded: %+v", ups)
		}
		rec := h.rec.snapshot().Resources["import.people"].Import
		if !rec.Done || rec.Processed != 2 || rec.Chunks[0].BatchID != 7 {
			t.Errorf("record: %+v", rec)
		}
	})
}
