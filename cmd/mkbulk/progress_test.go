package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vbauerster/mpb/v8"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/plan"
)

const win = `export.leads["2026-01-01T00:00:00Z/2026-01-31T23:59:59Z"]`

func TestPlainViewLines(t *testing.T) {
	var out bytes.Buffer
	v := newPlainView(&out, 0)
	defer v.Close()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return now }
	v.Observe(executor.StepStarted{Address: win, Kind: plan.KindExport, Action: plan.Create})
	v.Observe(executor.JobCreated{Address: win, ExportID: "3f2a1b4c-0000"})
	v.Observe(executor.JobEnqueued{Address: win, ExportID: "3f2a1b4c-0000"})
	now = now.Add(70 * time.Second)
	v.Observe(executor.JobPolled{Address: win, Status: "Processing", Changed: true})
	v.Observe(executor.JobPolled{Address: win, Status: "Processing"}) // unchanged: no line
	now = now.Add(120 * time.Second)
	v.still()
	v.Observe(executor.DownloadProgress{Address: win, Written: 45 << 20, Total: 100 << 20})
	v.still()
	now = now.Add(10 * time.Second)
	v.Observe(executor.FileDownloaded{Address: win, Path: "out/leads.csv", Size: 12_300_000, Records: 4000, SHA256: "ab"})
	v.Observe(executor.StepCompleted{Address: win, Summary: "12.3 MB"})
	v.still() // nothing is running any more
	v.Observe(executor.StepStarted{Address: "import.people", Kind: plan.KindImport, Action: plan.Resume})
	v.Observe(executor.ChunkUploaded{Address: "import.people", Chunk: 2, BatchID: 1002, Rows: 50, Reupload: true})
	v.Observe(executor.StepFailed{Address: "import.people", Failure: executor.Failure{Code: "1003", RequestID: "e42a#1", Message: "Empty File"}})
	want := win + `: Exporting...
` + win + `: Export job created [exportId=3f2a1b4c-0000]
` + win + `: Enqueued [exportId=3f2a1b4c-0000]
` + win + `: Queued → Processing [01m10s elapsed]
` + win + `: Still processing... [03m10s elapsed] (Processing)
` + win + `: Still downloading... 45% (47.2 MB of 104.9 MB) [03m10s elapsed]
` + win + `: Export complete after 03m20s [12.3 MB, 4000 records, sha256 ok] → out/leads.csv
import.people: Resuming...
import.people: Chunk 2 uploaded [batchId=1002, 50 rows] (sent again: an earlier apply stopped while uploading it)
import.people: Failed after 00m00s: Empty File (code 1003, requestId e42a#1)
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("plain view (-want +got):\n%s", diff)
	}
}

func TestJSONViewEnvelope(t *testing.T) {
	var out bytes.Buffer
	v := newJSONView(&out)
	v.now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	v.Observe(executor.JobPolled{Address: win, ID: "x", Status: "Queued"}) // unchanged: nothing
	v.Observe(executor.StepFailed{Address: win, Failure: executor.Failure{Code: "1029", RequestID: "r1", Message: "Export daily quota 500MB exceeded."}})
	v.summary(&executor.Result{
		Failed: []executor.StepResult{{Address: win, Failure: &executor.Failure{Code: "1029", RequestID: "r1", Message: "Export daily quota 500MB exceeded."}}},
		Notes:  []string{"import.x chunk 2 was uploaded again"},
	}, "Apply finished with errors")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", lines)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"@level": "error", "@message": win + ": Export daily quota 500MB exceeded. (code 1029, requestId r1)",
		"@module": "mkbulk.ui", "@timestamp": "2026-11-25T12:00:00.000000Z", "type": "apply_errored",
		"hook": map[string]any{"resource": map[string]any{"addr": win}, "error": "Export daily quota 500MB exceeded.", "code": "1029", "request_id": "r1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("apply_errored line (-want +got):\n%s", diff)
	}
	if !strings.Contains(lines[1], `"type":"change_summary"`) || !strings.Contains(lines[1], `"failed":1`) {
		t.Errorf("summary line: %s", lines[1])
	}
	var sum struct {
		Changes struct {
			Failures []map[string]any `json:"failures"`
			Notes    []string         `json:"notes"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &sum); err != nil {
		t.Fatal(err)
	}
	wantFailures := []map[string]any{{"address": win, "summary": "", "code": "1029", "request_id": "r1", "message": "Export daily quota 500MB exceeded."}}
	if diff := cmp.Diff(wantFailures, sum.Changes.Failures); diff != "" {
		t.Errorf("summary failures (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"import.x chunk 2 was uploaded again"}, sum.Changes.Notes); diff != "" {
		t.Errorf("summary notes (-want +got):\n%s", diff)
	}
}

func TestSummaryAndExitCodes(t *testing.T) {
	res := &executor.Result{
		Exports: executor.ExportTotals{Windows: 4, Bytes: 12_300_000},
		Imports: executor.ImportTotals{Imports: 2, Rows: 49, Failed: 1},
	}
	if got, want := headline(res), "Apply complete! Exports: 4 windows downloaded (12.3 MB, sha256 verified). Imports: 2 (50 rows, 1 failed, 0 warnings)."; got != want {
		t.Errorf("headline\n got %q\nwant %q", got, want)
	}
	now := time.Date(2026, 11, 25, 12, 48, 0, 0, time.UTC) // 06:48 in Chicago
	for name, tc := range map[string]struct {
		res  executor.Result
		code int
		msg  string
	}{
		"ok":          {executor.Result{}, exitOK, ""},
		"interrupted": {executor.Result{Interrupted: true, QuotaStopped: true}, exitInterrupt, "Interrupted: state saved. Run `mkbulk apply` again to resume."},
		"quota": {executor.Result{QuotaStopped: true, QuotaResetsAt: executor.QuotaResetAfter(now)}, exitError,
			"Error: Marketo's daily export quota is spent; it resets at 00:00 America/Chicago (in 17h12m). Run mkbulk apply again after that; completed windows will not be re-exported."},
		"failed": {executor.Result{Failed: []executor.StepResult{{}}}, exitError,
			"Error: 1 step(s) failed; see the list above. Fix the cause and run mkbulk plan and apply again: finished steps are not repeated."},
	} {
		code, msg := applyExitCode(&tc.res, now)
		if code != tc.code || msg != tc.msg {
			t.Errorf("%s: got (%d, %q), want (%d, %q)", name, code, msg, tc.code, tc.msg)
		}
	}
}

func TestRenderApplySummaryListsFailuresWithCodes(t *testing.T) {
	var out bytes.Buffer
	renderApplySummary(&out, &executor.Result{
		Applied: []executor.StepResult{{Address: "import.a", Summary: "2 rows, 0 failed, 0 warnings"}},
		Pending: []executor.StepResult{{Address: "export.b", Summary: "waiting for Marketo's daily export quota to reset"}},
		Failed:  []executor.StepResult{{Address: "export.c", Failure: &executor.Failure{Code: "1003", RequestID: "r#9", Message: "Invalid fields [x]"}}},
		Notes:   []string{"chunk 2 was uploaded again"},
	})
	want := `
Apply finished with errors: 1 failed. Nothing exported or imported.

Applied (1):
  import.a: 2 rows, 0 failed, 0 warnings

Pending (1):
  export.b: waiting for Marketo's daily export quota to reset

Failed (1):
  export.c: Invalid fields [x] (code 1003, requestId r#9)

Notes:
  - chunk 2 was uploaded again
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestApplyArgsCheck(t *testing.T) {
	env := func(vars map[string]string) *env {
		return &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string { return vars[k] }}
	}
	for name, tc := range map[string]struct {
		args    []string
		vars    map[string]string
		wantErr string
		poll    time.Duration
	}{
		"defaults":         {poll: time.Minute},
		"env poll":         {vars: map[string]string{"MKBULK_POLL_INTERVAL": "1s"}, poll: time.Second},
		"flag beats env":   {args: []string{"-poll-interval=2s"}, vars: map[string]string{"MKBULK_POLL_INTERVAL": "1s"}, poll: 2 * time.Second},
		"bad env":          {vars: map[string]string{"MKBULK_POLL_INTERVAL": "soon"}, wantErr: "MKBULK_POLL_INTERVAL"},
		"two files":        {args: []string{"a", "b"}, wantErr: "at most one argument"},
		"no parallelism":   {args: []string{"-parallelism=0"}, wantErr: "-parallelism must be at least 1"},
		"target with file": {args: []string{"-target=export.x", "p.plan"}, wantErr: "-target cannot be used with a saved plan"},
	} {
		e := env(tc.vars)
		a, ok, _ := parseApplyArgs(e, tc.args)
		stderr := e.stderr.(*bytes.Buffer).String()
		if tc.wantErr != "" {
			if ok || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("%s: ok=%v stderr %q, want error %q", name, ok, stderr, tc.wantErr)
			}
			continue
		}
		if !ok || a.pollInterval != tc.poll {
			t.Errorf("%s: ok=%v, poll %v, want %v (stderr %q)", name, ok, a, tc.poll, stderr)
		}
	}
}

func TestReadYesAcceptsOnlyYes(t *testing.T) {
	for in, want := range map[string]bool{"yes\n": true, " yes \n": true, "y\n": false, "YES\n": false, "": false} {
		if got := readYes(strings.NewReader(in), &bytes.Buffer{}); got != want {
			t.Errorf("readYes(%q) = %v", in, got)
		}
	}
}

func TestFormatElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{190 * time.Second: "03m10s", 0: "00m00s", time.Hour + 2*time.Minute + 3*time.Second: "1h02m03s"} {
		if got := formatElapsed(d); got != want {
			t.Errorf("formatElapsed(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestBarsViewFinishes drives the terminal view through a whole apply and
// requires Close to return with the finished steps printed above the bars.
func TestBarsViewFinishes(t *testing.T) {
	var out syncBuffer
	p := &plan.Plan{Steps: []plan.Step{{Address: win, Action: plan.Create}, {Address: "import.people", Action: plan.Create}}}
	v := newBarsView(&out, p, false, mpb.ForceAutoRefresh())
	v.Observe(executor.StepStarted{Address: win, Kind: plan.KindExport, Action: plan.Create})
	v.Observe(executor.JobEnqueued{Address: win, ExportID: "x"})
	v.Observe(executor.DownloadProgress{Address: win, Written: 10, Total: 20})
	v.Observe(executor.FileDownloaded{Address: win, Path: "out/a.csv", Size: 20})
	v.Observe(executor.StepCompleted{Address: win})
	v.Observe(executor.StepStarted{Address: "import.people", Kind: plan.KindImport, Action: plan.Create})
	v.Observe(executor.StepFailed{Address: "import.people", Failure: executor.Failure{Message: "boom"}})
	done := make(chan struct{})
	go func() { v.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	for _, want := range []string{win + ": Export complete", "import.people: Failed", "apply"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the bars' render goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
