package marketo

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The test harness follows go-github: setup starts an httptest server whose
// API lives under a non-empty path prefix (so a client that drops the base
// path fails), handlers answer with raw JSON literals from testdata/, and
// small helpers check method, headers and query.

const (
	// baseURLPath is where the fake instance is mounted on the server.
	baseURLPath = "/api-prefix"
	testID      = "test-client"
	testSecret  = "s3cr3t-client-secret-value"
)

type testEnv struct {
	t      *testing.T
	client *Client
	mux    *http.ServeMux
	server *httptest.Server
	// root is the instance root (server URL + prefix).
	root  string
	clock *fakeClock

	identityCalls atomic.Int32
	// identity answers GET /identity/oauth/token; tests may replace it
	// before the first call.
	identity http.HandlerFunc
}

// setup starts a fake instance with a token endpoint that hands out
// "token-1", "token-2", … valid for an hour, and a client for it that uses
// a fake clock (retries and back-offs never really sleep).
func setup(t *testing.T, opts ...Option) *testEnv {
	t.Helper()
	env := &testEnv{t: t, mux: http.NewServeMux(), clock: newFakeClock()}
	env.identity = func(w http.ResponseWriter, r *http.Request) {
		n := env.identityCalls.Load()
		fmt.Fprintf(w, `{"access_token":"token-%d","token_type":"bearer","expires_in":3599,"scope":"apis@acmeinc.com"}`, n)
	}
	env.mux.HandleFunc("/identity/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		env.identityCalls.Add(1)
		q := r.URL.Query()
		if q.Get("grant_type") != "client_credentials" || q.Get("client_id") != testID || q.Get("client_secret") != testSecret {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(fixture(t, "F02_identity_bad_credentials.json"))
			return
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("identity call carries an Authorization header")
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		env.identity(w, r)
	})
	outer := http.NewServeMux()
	outer.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, env.mux))
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	env.server = httptest.NewServer(outer)
	t.Cleanup(env.server.Close)
	env.root = env.server.URL + baseURLPath
	all := append([]Option{
		WithBaseURL(env.root + "/rest"),
		WithCredentials(testID, testSecret),
		WithClock(env.clock),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 8 * time.Second, RateLimitDelay: 20 * time.Second}),
	}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	env.client = c
	return env
}

// handle registers an API handler that first checks the method and the
// bearer token.
func (env *testEnv) handle(pattern string, h http.HandlerFunc) {
	method, _, _ := strings.Cut(pattern, " ")
	env.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		testMethod(env.t, r, method)
		testBearer(env.t, r)
		h(w, r)
	})
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("%s: method = %s, want %s", r.URL.Path, r.Method, want)
	}
}

// testBearer checks the token travels only in the Authorization header.
func testBearer(t *testing.T, r *http.Request) {
	t.Helper()
	if h := r.Header.Get("Authorization"); !strings.HasPrefix(h, "Bearer token-") {
		t.Errorf("%s: Authorization = %q, want a bearer token", r.URL.Path, h)
	}
	if r.URL.Query().Has("access_token") || r.URL.Query().Has("client_secret") {
		t.Errorf("%s: credentials in the query string: %s", r.URL.Path, r.URL.RawQuery)
	}
}

func testQuery(t *testing.T, r *http.Request, want map[string]string) {
	t.Helper()
	q := r.URL.Query()
	if len(q) != len(want) {
		t.Errorf("%s: query = %v, want %v", r.URL.Path, q, want)
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("%s: query %s = %q, want %q", r.URL.Path, k, got, v)
		}
	}
}

// fixture reads a file of testdata/.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveFixture answers with a testdata file, as Marketo does (HTTP 200, JSON).
func serveFixture(t *testing.T, name string) http.HandlerFunc {
	body := fixture(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write(body)
	}
}

// sequence answers the i-th request with handlers[i], repeating the last.
func sequence(handlers ...http.HandlerFunc) (http.HandlerFunc, *atomic.Int32) {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		handlers[min(i, len(handlers)-1)](w, r)
	}, &n
}

// fakeClock advances only when slept on: After returns at once and moves
// Now forward, so back-offs are recorded but cost no time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// resetConnection makes the server drop the connection without an answer,
// the way a reset looks to the client.
func resetConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Fatal("response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

var ctx = context.Background()

// truncateResponse sends headers promising more body than follows, then
// drops the connection: the client sees an unexpected EOF mid-body.
func truncateResponse(t *testing.T, w http.ResponseWriter, partial string) {
	t.Helper()
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Fatal("response writer cannot hijack")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(partial)+1000, partial)
	buf.Flush()
	conn.Close()
}
