package marketo

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func envErr(code, msg string) *Error { return &Error{Code: code, Message: msg, HTTPStatus: 200} }

// TestRetryDecide is the retry table: for each error class and attempt,
// whether to retry and how long to wait (jitter pinned to its midpoint).
func TestRetryDecide(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: 10 * time.Second, RateLimitDelay: 20 * time.Second,
		Rand: func() float64 { return 0.5 }}
	type want struct {
		retry  bool
		delay  time.Duration
		reason string
	}
	tests := []struct {
		name    string
		err     error
		attempt int
		want    want
	}{
		{"606 first", envErr("606", "Max rate limit"), 1, want{true, 22500 * time.Millisecond, "rate limited"}},
		{"606 later waits the same window", envErr("606", "Max rate limit"), 3, want{true, 22500 * time.Millisecond, "rate limited"}},
		{"606 at the limit", envErr("606", "Max rate limit"), 5, want{false, 0, "gave up after 5 attempts"}},
		{"615 attempt 1", envErr("615", "Concurrent access limit"), 1, want{true, 750 * time.Millisecond, "transient: 615"}},
		{"604 attempt 2", envErr("604", "Request timed out"), 2, want{true, 1500 * time.Millisecond, "transient: 604"}},
		{"608 attempt 3", envErr("608", "API Temporarily Unavailable"), 3, want{true, 3 * time.Second, "transient: 608"}},
		{"611 attempt 4", envErr("611", "System error"), 4, want{true, 6 * time.Second, "transient: 611"}},
		{"713 capped", envErr("713", "Transient Error"), 4, want{true, 6 * time.Second, "transient: 713"}},
		{"502", &Error{Code: "502", HTTPStatus: 502}, 1, want{true, 750 * time.Millisecond, "transient: 502"}},
		{"503 attempt 5 gives up", &Error{Code: "503", HTTPStatus: 503}, 5, want{false, 0, "gave up"}},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, 1, want{true, 750 * time.Millisecond, "transient"}},
		{"unexpected EOF", io.ErrUnexpectedEOF, 2, want{true, 1500 * time.Millisecond, "transient"}},
		{"601 left to the client", envErr("601", "Access token invalid"), 1, want{false, 0, "refreshes it"}},
		{"602 left to the client", envErr("602", "Access token expired"), 1, want{false, 0, "refreshes it"}},
		{"1029 queue full", envErr("1029", "Too many jobs in queue"), 1, want{false, 0, "queue full"}},
		{"1029 quota", envErr("1029", "Export daily quota 500MB exceeded."), 1, want{false, 0, "daily quota"}},
		{"607 quota", envErr("607", "Daily quota reached"), 1, want{false, 0, "daily quota"}},
		{"1016", envErr("1016", "Too many imports"), 1, want{false, 0, "queue full"}},
		{"1019", envErr("1019", "Import in progress"), 1, want{false, 0, "queue full"}},
		{"1003 fatal", envErr("1003", "Invalid fields [x]"), 1, want{false, 0, "not retryable: 1003"}},
		{"1006 fatal", envErr("1006", "Field 'x' not found"), 1, want{false, 0, "not retryable: 1006"}},
		{"1035 fatal", envErr("1035", "Unsupported filter type"), 1, want{false, 0, "not retryable: 1035"}},
		{"404 fatal", &Error{Code: "404", HTTPStatus: 404}, 1, want{false, 0, "not retryable"}},
		{"413 fatal", &Error{Code: "413", HTTPStatus: 413}, 1, want{false, 0, "not retryable"}},
		{"canceled", context.Canceled, 1, want{false, 0, "context done"}},
		{"deadline wrapped", fmt.Errorf("x: %w", context.DeadlineExceeded), 1, want{false, 0, "context done"}},
		{"integrity", ErrIntegrity, 1, want{false, 0, "not retryable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			retry, delay, reason := p.Decide(tc.err, tc.attempt)
			if retry != tc.want.retry || delay != tc.want.delay || !strings.Contains(reason, tc.want.reason) {
				t.Errorf("Decide = (%v, %s, %q), want (%v, %s, …%q…)", retry, delay, reason, tc.want.retry, tc.want.delay, tc.want.reason)
			}
		})
	}
}

// TestRetryJitterBounds: delays stay within [d/2, d] of the capped
// exponential, and a 606 is never retried inside its 20 s window.
func TestRetryJitterBounds(t *testing.T) {
	for _, r := range []float64{0, 0.25, 0.999} {
		p := DefaultRetryPolicy()
		p.Rand = func() float64 { return r }
		for attempt := 1; attempt < 12; attempt++ {
			full := min(time.Second<<(attempt-1), time.Minute)
			_, d, _ := p.Decide(envErr("611", ""), min(attempt, p.MaxAttempts-1))
			if attempt < p.MaxAttempts {
				if d < full/2 || d > full {
					t.Errorf("rand %v attempt %d: delay %s outside [%s, %s]", r, attempt, d, full/2, full)
				}
			}
			_, d, _ = p.Decide(envErr("606", ""), 1)
			if d < 20*time.Second || d > 25*time.Second {
				t.Errorf("606 delay %s outside [20s, 25s]", d)
			}
		}
	}
	// The zero policy behaves as the default.
	if retry, d, _ := (RetryPolicy{Rand: func() float64 { return 0 }}).Decide(envErr("606", ""), 1); !retry || d != 20*time.Second {
		t.Errorf("zero policy: %v %s", retry, d)
	}
}

// TestRetryAgainstServer: the client waits (on its clock) and repeats
// transient failures, reports each retry, and stops at fatal errors.
func TestRetryAgainstServer(t *testing.T) {
	var mu sync.Mutex
	var hooks []string
	env := setup(t, WithRetryHook(func(op string, attempt int, reason string) {
		mu.Lock()
		defer mu.Unlock()
		hooks = append(hooks, fmt.Sprintf("%s #%d %s", op, attempt, strings.Fields(reason)[0]))
	}))
	h, n := sequence(
		serveFixture(t, "F16_error_606_rate_limit.json"),
		func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) },
		func(w http.ResponseWriter, r *http.Request) { truncateResponse(t, w, `{"requestId":"1`) },
		serveFixture(t, "F06b_export_status_completed.json"),
	)
	env.handle("GET /bulk/v1/leads/export/4f2b9115-c3f2-4e40-a87c-bf803bbfed99/status.json", h)
	job, resp, err := env.client.BulkExport.Status(ctx, Leads, "4f2b9115-c3f2-4e40-a87c-bf803bbfed99")
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != StatusCompleted || resp.Retries != 3 || n.Load() != 4 {
		t.Errorf("status %s retries %d calls %d", job.Status, resp.Retries, n.Load())
	}
	sleeps := env.clock.Sleeps()
	if len(sleeps) != 3 || sleeps[0] < 20*time.Second {
		t.Errorf("sleeps = %v, want 3 with the first ≥ 20s", sleeps)
	}
	want := []string{
		"GET /bulk/v1/leads/export/4f2b9115-c3f2-4e40-a87c-bf803bbfed99/status.json #1 rate",
		"GET /bulk/v1/leads/export/4f2b9115-c3f2-4e40-a87c-bf803bbfed99/status.json #2 transient:",
		"GET /bulk/v1/leads/export/4f2b9115-c3f2-4e40-a87c-bf803bbfed99/status.json #3 transient:",
	}
	if diff := cmp.Diff(want, hooks); diff != "" {
		t.Errorf("retry hook (-want +got):\n%s", diff)
	}
}

func TestRetryGivesUp(t *testing.T) {
	env := setup(t)
	h, n := sequence(serveFixture(t, "error_615_concurrency.json"))
	env.handle("GET /bulk/v1/leads/export/x/status.json", h)
	_, resp, err := env.client.BulkExport.Status(ctx, Leads, "x")
	if !IsRateLimited(err) || n.Load() != 4 || resp.Retries != 3 {
		t.Errorf("err %v, calls %d, retries %d; want 615 after 4 calls", err, n.Load(), resp.Retries)
	}
	if resp.RequestID != "7e1e#16fb5238b12" {
		t.Errorf("RequestID = %q", resp.RequestID)
	}
}

func TestRetryFatalNotRetried(t *testing.T) {
	env := setup(t)
	h, n := sequence(serveFixture(t, "error_1035_unsupported_filter.json"))
	env.handle("POST /bulk/v1/leads/export/create.json", h)
	_, _, err := env.client.BulkExport.Create(ctx, Leads, &ExportRequest{Fields: []string{"id"}, Filter: []byte(`{"smartListId":1}`)})
	if !hasCode(err, "1035") || n.Load() != 1 {
		t.Errorf("err %v after %d calls", err, n.Load())
	}
}

// TestRetryNonIdempotent: export create is repeated after a 606 (Marketo
// did not run it) but not after a reset once the request was sent, when
// the job may exist; a status call is repeated after the same reset.
func TestRetryNonIdempotent(t *testing.T) {
	req := &ExportRequest{Fields: []string{"id"}, Format: "CSV", Filter: []byte(`{"createdAt":{"startAt":"2017-01-01T00:00:00Z","endAt":"2017-01-31T00:00:00Z"}}`)}
	t.Run("606 retried", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(serveFixture(t, "F16_error_606_rate_limit.json"), serveFixture(t, "F04_export_create.json"))
		env.handle("POST /bulk/v1/leads/export/create.json", h)
		if _, _, err := env.client.BulkExport.Create(ctx, Leads, req); err != nil || n.Load() != 2 {
			t.Errorf("err %v after %d calls", err, n.Load())
		}
	})
	t.Run("reset not retried", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(func(w http.ResponseWriter, r *http.Request) { io.ReadAll(r.Body); resetConnection(t, w) }, serveFixture(t, "F04_export_create.json"))
		env.handle("POST /bulk/v1/leads/export/create.json", h)
		_, _, err := env.client.BulkExport.Create(ctx, Leads, req)
		if err == nil || n.Load() != 1 {
			t.Errorf("err %v after %d calls, want an error after 1", err, n.Load())
		}
		if !IsTransient(err) {
			t.Errorf("err %v should still classify as transient for the caller", err)
		}
	})
	t.Run("status reset retried", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(func(w http.ResponseWriter, r *http.Request) { truncateResponse(t, w, "{") }, serveFixture(t, "F06a_export_status_processing.json"))
		env.handle("GET /bulk/v1/leads/export/x/status.json", h)
		_, resp, err := env.client.BulkExport.Status(ctx, Leads, "x")
		if err != nil || n.Load() != 2 || resp.Retries != 1 {
			t.Errorf("err %v after %d calls", err, n.Load())
		}
	})
}

// TestRetryContextWins: a cancelled context stops the retry loop at once.
func TestRetryContextWins(t *testing.T) {
	env := setup(t)
	cctx, cancel := context.WithCancel(ctx)
	h, n := sequence(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		w.Write(fixture(t, "F16_error_606_rate_limit.json"))
	})
	env.handle("GET /bulk/v1/leads/export/x/status.json", h)
	_, _, err := env.client.BulkExport.Status(cctx, Leads, "x")
	if err != context.Canceled || n.Load() != 1 {
		t.Errorf("err %v after %d calls, want context.Canceled after 1", err, n.Load())
	}
}
