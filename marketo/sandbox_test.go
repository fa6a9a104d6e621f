package marketo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/sandbox"
)

// These tests run whole lifecycles against the sandbox, a stateful peer
// built without sharing code with the client: what one gets wrong about the
// wire the other does not silently agree with.

// faultOnce asks the sandbox for one fault (X-Sandbox-Fault) on the first
// request whose path ends with each suffix.
type faultOnce struct {
	mu     sync.Mutex
	faults map[string]string // path suffix → fault
	next   http.RoundTripper
}

func (f *faultOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	for suffix, fault := range f.faults {
		if strings.HasSuffix(r.URL.Path, suffix) {
			r = r.Clone(r.Context())
			r.Header.Set(sandbox.FaultHeader, fault)
			delete(f.faults, suffix)
			break
		}
	}
	f.mu.Unlock()
	return f.next.RoundTrip(r)
}

const timeScale = 600 // a simulated minute is 100 ms

func startSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Config{Seed: 1, Leads: 2000, TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, url
}

func sandboxClient(t *testing.T, url string, faults map[string]string, retries *[]string) *marketo.Client {
	t.Helper()
	var mu sync.Mutex
	c, err := marketo.NewClient(
		marketo.WithBaseURL(url+"/rest"),
		marketo.WithCredentials("sandbox", "sandbox-secret"),
		marketo.WithHTTPClient(&http.Client{Transport: &faultOnce{faults: faults, next: http.DefaultTransport}}),
		// Real back-offs, shortened to the sandbox's time scale.
		marketo.WithRetryPolicy(marketo.RetryPolicy{MaxAttempts: 6, BaseDelay: 10 * time.Millisecond,
			MaxDelay: 100 * time.Millisecond, RateLimitDelay: 20 * time.Second / timeScale}),
		marketo.WithRetryHook(func(op string, attempt int, reason string) {
			mu.Lock()
			defer mu.Unlock()
			*retries = append(*retries, op+": "+reason)
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pollPolicy polls once per (scaled) status refresh, never before.
var pollPolicy = marketo.PollPolicy{Interval: 60 * time.Second / timeScale * 11 / 10, Deadline: 30 * time.Second}

func TestSandboxExportLifecycle(t *testing.T) {
	srv, url := startSandbox(t)
	var retries []string
	c := sandboxClient(t, url, map[string]string{
		"/status.json": "606",      // rate limited once: waited out, repeated
		"/file.json":   "truncate", // the first download is cut short: resumed with Range
	}, &retries)
	ctx := context.Background()

	lead, _, err := c.Describe.Lead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"id", "email", "firstName"} {
		if _, ok := lead.FieldByName(f); !ok {
			t.Fatalf("describe lacks %s", f)
		}
	}
	if types, _, err := c.Describe.ActivityTypes(ctx); err != nil || len(types) == 0 {
		t.Fatalf("activity types: %d, %v", len(types), err)
	}

	job, _, err := c.BulkExport.Create(ctx, marketo.Leads, &marketo.ExportRequest{
		Fields: []string{"id", "email", "firstName"}, Format: "CSV",
		Filter: json.RawMessage(`{"createdAt":{"startAt":"2025-03-01T00:00:00Z","endAt":"2025-03-31T00:00:00Z"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != marketo.StatusCreated {
		t.Fatalf("created job status %s", job.Status)
	}
	if job, _, err = c.BulkExport.Enqueue(ctx, marketo.Leads, job.ExportID); err != nil || job.Status != marketo.StatusQueued {
		t.Fatalf("enqueue: %+v, %v", job, err)
	}
	if _, _, err := c.BulkExport.Enqueue(ctx, marketo.Leads, job.ExportID); !marketo.IsAlreadyQueued(err) {
		t.Errorf("second enqueue: %v, want 1029 already queued", err)
	}

	start, last := time.Now(), time.Time{}
	for job.Status != marketo.StatusCompleted {
		if job.Status == marketo.StatusFailed || job.Status == marketo.StatusCancelled {
			t.Fatalf("job ended %s: %s", job.Status, job.ErrorMsg)
		}
		if err := pollPolicy.Wait(ctx, start, last); err != nil {
			t.Fatal(err)
		}
		if job, _, err = c.BulkExport.Status(ctx, marketo.Leads, job.ExportID); err != nil {
			t.Fatal(err)
		}
		last = time.Now() // when the answer came: retries inside the call take time
	}
	if job.FileSize == 0 || !strings.HasPrefix(job.FileChecksum, "sha256:") {
		t.Fatalf("completed job %+v", job)
	}

	listed, err := c.BulkExport.ListAll(ctx, marketo.Leads, marketo.StatusCompleted)
	if err != nil || len(listed) != 1 || listed[0].ExportID != job.ExportID {
		t.Errorf("ListAll: %+v, %v", listed, err)
	}

	out := filepath.Join(t.TempDir(), "leads.csv.partial")
	res, err := c.BulkExport.DownloadFile(ctx, marketo.Leads, job.ExportID, out, &marketo.DownloadOptions{
		ExpectedSize: job.FileSize, ExpectedChecksum: job.FileChecksum})
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != job.FileSize || "sha256:"+res.SHA256 != job.FileChecksum || res.Retries == 0 {
		t.Errorf("download %+v of job %+v (want a resumed, verified download)", res, job)
	}
	body, _ := os.ReadFile(out)
	if !bytes.HasPrefix(body, []byte("id,email,firstName\n")) {
		t.Errorf("file starts %q", body[:min(len(body), 60)])
	}

	// A second job, cancelled while queued.
	job2, _, err := c.BulkExport.Create(ctx, marketo.Leads, &marketo.ExportRequest{
		Fields: []string{"id"}, Filter: json.RawMessage(`{"createdAt":{"startAt":"2025-04-01T00:00:00Z","endAt":"2025-04-30T00:00:00Z"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if job2, _, err = c.BulkExport.Cancel(ctx, marketo.Leads, job2.ExportID); err != nil || job2.Status != marketo.StatusCancelled {
		t.Errorf("cancel: %+v, %v", job2, err)
	}

	st := srv.Stats()
	if st.PollsBeforeRefresh != 0 || st.Exports.DuplicateEnqueues != 0 || st.MaxCallsIn20s > 100 || st.MaxConcurrentCalls > 10 {
		t.Errorf("sandbox saw misbehaviour: %+v", st)
	}
	if st.FaultsInjected != 2 {
		t.Errorf("faults injected = %d, want 2", st.FaultsInjected)
	}
	t.Logf("retries: %q", retries)
}

func TestSandboxImportLifecycle(t *testing.T) {
	srv, url := startSandbox(t)
	var retries []string
	c := sandboxClient(t, url, map[string]string{"/leads.json": "606"}, &retries)
	ctx := context.Background()

	csv := "email,firstName,leadScore\nada@example.com,Ada,10\nbob@example.com,Bob,not-a-number\n"
	batch, _, err := c.BulkImport.Create(ctx, marketo.Leads, &marketo.ImportRequest{Format: "csv", LookupField: "email", FileName: "leads.csv"}, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	start, last := time.Now(), time.Time{}
	poll := marketo.PollPolicy{Interval: 20 * time.Millisecond, Deadline: 30 * time.Second}
	for batch.Status == marketo.ImportQueued || batch.Status == marketo.ImportImporting {
		if err := poll.Wait(ctx, start, last); err != nil {
			t.Fatal(err)
		}
		if batch, _, err = c.BulkImport.Status(ctx, marketo.Leads, batch.BatchID); err != nil {
			t.Fatal(err)
		}
		last = time.Now()
	}
	if batch.Status != marketo.ImportComplete || batch.NumOfRowsFailed != 1 || batch.Processed() != 1 {
		t.Fatalf("batch %+v", batch)
	}
	var failures bytes.Buffer
	found, _, err := c.BulkImport.Failures(ctx, marketo.Leads, batch.BatchID, &failures)
	if err != nil || !found {
		t.Fatalf("failures: found %v, %v", found, err)
	}
	if !strings.Contains(failures.String(), "Import Failure Reason") || !strings.Contains(failures.String(), "bob@example.com") {
		t.Errorf("failures file:\n%s", failures.String())
	}
	var warnings bytes.Buffer
	if found, _, err := c.BulkImport.Warnings(ctx, marketo.Leads, batch.BatchID, &warnings); err != nil || found {
		t.Errorf("warnings: found %v, %v, %q", found, err, warnings.String())
	}
	if len(retries) != 1 {
		t.Errorf("retries = %q, want the 606 on upload retried once", retries)
	}
	if st := srv.Stats(); st.Imports.Created != 1 {
		t.Errorf("imports created = %d, want 1 (a 606 upload must not create a batch)", st.Imports.Created)
	}
}
