package marketo

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

var limiterRuns atomic.Int64

// handlerTransport serves requests in-process, so the whole exchange runs
// inside a synctest bubble on its fake clock.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// countingServer is a fake Marketo that measures what Marketo measures:
// calls in flight and calls started in any window (identity excluded).
type countingServer struct {
	t    *testing.T
	hold time.Duration // how long each call takes

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	starts      []time.Time
	identity    int
}

func (s *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/identity/oauth/token") {
		s.mu.Lock()
		s.identity++
		s.mu.Unlock()
		w.Write([]byte(`{"access_token":"token-1","token_type":"bearer","expires_in":3599,"scope":"s"}`))
		return
	}
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.starts = append(s.starts, time.Now())
	s.mu.Unlock()
	time.Sleep(s.hold)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	w.Write(fixture(s.t, "F06a_export_status_processing.json"))
}

// maxInWindow is the most calls that started within any closed window
// [t, t+per].
func (s *countingServer) maxInWindow(per time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	starts := slices.Clone(s.starts)
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	best := 0
	for i := range starts {
		j := i
		for j < len(starts) && !starts[j].After(starts[i].Add(per)) {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

// TestLimiterAgainstCountingServer drives many goroutines through one
// client and checks, on the server side, that no 20 s window saw more than
// 100 calls and no moment more than 10 in flight — and that the limits are
// actually used, not undershot.
func TestLimiterAgainstCountingServer(t *testing.T) {
	tests := map[string]struct {
		opts                 []Option
		clients              int // clients of the same instance sharing the budget
		calls, concurrent    int
		per                  time.Duration
		goroutines, perG     int
		hold, minElapsedTime time.Duration
	}{
		"Marketo defaults": {calls: 100, per: 20 * time.Second, concurrent: 10,
			goroutines: 40, perG: 8, hold: 500 * time.Millisecond, minElapsedTime: 60 * time.Second},
		"two clients, one instance": {clients: 2, calls: 100, per: 20 * time.Second, concurrent: 10,
			goroutines: 40, perG: 8, hold: 500 * time.Millisecond, minElapsedTime: 60 * time.Second},
		"custom": {opts: []Option{WithRateLimit(5, time.Second, 2)}, calls: 5, per: time.Second, concurrent: 2,
			goroutines: 8, perG: 4, hold: 100 * time.Millisecond, minElapsedTime: 6 * time.Second},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := &countingServer{t: t, hold: tc.hold}
				opts := append([]Option{
					// A fresh instance per run: the token cache is package-level,
					// and its channels must not cross synctest bubbles.
					WithBaseURL(fmt.Sprintf("http://limiter.test/%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), limiterRuns.Add(1))),
					WithCredentials("limiter", "limiter-secret"),
					WithHTTPClient(&http.Client{Transport: handlerTransport{srv}}),
				}, tc.opts...)
				var clients []*Client
				for range max(tc.clients, 1) {
					c, err := NewClient(opts...)
					if err != nil {
						t.Fatal(err)
					}
					clients = append(clients, c)
				}
				start := time.Now()
				var wg sync.WaitGroup
				for g := range tc.goroutines {
					c := clients[g%len(clients)]
					wg.Go(func() {
						for range tc.perG {
							if _, _, err := c.BulkExport.Status(ctx, Leads, "x"); err != nil {
								t.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				total := tc.goroutines * tc.perG
				if len(srv.starts) != total {
					t.Fatalf("server saw %d calls, want %d", len(srv.starts), total)
				}
				if srv.maxInFlight != tc.concurrent {
					t.Errorf("max in flight = %d, want exactly %d", srv.maxInFlight, tc.concurrent)
				}
				if got := srv.maxInWindow(tc.per); got != tc.calls {
					t.Errorf("max calls in a %s window = %d, want exactly %d", tc.per, got, tc.calls)
				}
				if elapsed < tc.minElapsedTime || elapsed > 2*tc.minElapsedTime {
					t.Errorf("%d calls took %s, want about %s", total, elapsed, tc.minElapsedTime)
				}
				if srv.identity != 1 { // the token is shared too
					t.Errorf("identity calls = %d, want 1", srv.identity)
				}
			})
		})
	}
}

// TestLimiterContext: a call waiting for the window gives up with its
// context and frees its concurrency slot.
func TestLimiterContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(1, time.Minute, 1)
		release, err := l.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		release()
		cctx, cancel := contextWithTimeout(10 * time.Second)
		defer cancel()
		if _, err := l.acquire(cctx); err == nil {
			t.Fatal("acquire succeeded inside a full window")
		}
		if l.inFlight != 0 {
			t.Errorf("slot not freed: %d in use", l.inFlight)
		}
		release, err = l.acquire(ctx) // waits out the window on the fake clock
		if err != nil {
			t.Fatal(err)
		}
		release()
		release() // idempotent

		// Waiting for a concurrency slot also gives up with the context.
		l = newLimiter(100, time.Minute, 1)
		hold, _ := l.acquire(ctx)
		cctx, cancel = contextWithTimeout(time.Second)
		defer cancel()
		if _, err := l.acquire(cctx); err == nil {
			t.Fatal("acquired a second slot of one")
		}
		if len(l.waiters) != 0 {
			t.Errorf("%d waiters left behind", len(l.waiters))
		}
		hold()
		if l.inFlight != 0 {
			t.Errorf("in flight = %d after release", l.inFlight)
		}
	})
}

// TestLimiterSeed: calls of an earlier process count against the window
// (so plan then apply stay within 100 per 20 s together); stale ones and a
// second seeding do not.
func TestLimiterSeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		l := newLimiter(3, 20*time.Second, 10)
		l.seed([]time.Time{now.Add(-5 * time.Second), now.Add(-time.Hour), now.Add(-2 * time.Second), now.Add(-8 * time.Second)})
		l.seed([]time.Time{now, now, now}) // ignored: seeded already
		if l.filled != 3 {
			t.Fatalf("seeded %d calls, want the 3 within the window", l.filled)
		}
		if wait := l.reserve(); wait <= 0 {
			t.Fatal("a full seeded window let a call start at once")
		}
		release, err := l.acquire(ctx) // waits for the oldest seeded call (8 s ago) to leave the window
		if err != nil {
			t.Fatal(err)
		}
		release()
		if waited := time.Since(now); waited < 12*time.Second || waited > 13*time.Second {
			t.Errorf("waited %v, want the 12 s (+1%% margin) until the oldest seeded call is 20 s old", waited)
		}

		used := newLimiter(3, 20*time.Second, 10)
		used.reserve()
		used.seed([]time.Time{now, now})
		if used.filled != 1 {
			t.Errorf("a limiter that has made calls was seeded: %d starts", used.filled)
		}
	})
}

// TestCallHistoryRecorded: every counted call is reported to the history;
// identity calls are not.
func TestCallHistoryRecorded(t *testing.T) {
	var starts []time.Time
	env := setup(t, WithCallHistory(nil, func(t time.Time) { starts = append(starts, t) }))
	env.handle("GET /bulk/v1/leads/export/x/status.json", serveFixture(t, "F06a_export_status_processing.json"))
	for range 3 {
		if _, _, err := env.client.BulkExport.Status(ctx, Leads, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if len(starts) != 3 || env.identityCalls.Load() != 1 {
		t.Errorf("recorded %d calls (identity calls %d), want 3 (identity not counted)", len(starts), env.identityCalls.Load())
	}
}
