package marketo

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeBaseURL(t *testing.T) {
	tests := map[string]struct{ in, want, err string }{
		"root":               {in: "https://284-RPR-133.mktorest.com", want: "https://284-RPR-133.mktorest.com"},
		"root slash":         {in: "https://284-RPR-133.mktorest.com/", want: "https://284-RPR-133.mktorest.com"},
		"rest":               {in: "https://284-RPR-133.mktorest.com/rest", want: "https://284-RPR-133.mktorest.com"},
		"rest slash":         {in: "https://284-RPR-133.mktorest.com/rest/", want: "https://284-RPR-133.mktorest.com"},
		"identity":           {in: "https://284-RPR-133.mktorest.com/identity", want: "https://284-RPR-133.mktorest.com"},
		"prefix":             {in: "http://127.0.0.1:8787/api-prefix/rest", want: "http://127.0.0.1:8787/api-prefix"},
		"spaces":             {in: "  http://127.0.0.1:8787\n", want: "http://127.0.0.1:8787"},
		"query dropped":      {in: "http://127.0.0.1:8787/rest?x=1", want: "http://127.0.0.1:8787"},
		"only one suffix":    {in: "http://h/rest/identity", want: "http://h/rest"},
		"no scheme":          {in: "284-RPR-133.mktorest.com", err: "absolute http(s) URL"},
		"ftp":                {in: "ftp://h", err: "absolute http(s) URL"},
		"empty":              {in: "", err: "absolute http(s) URL"},
		"restless substring": {in: "http://h/restaurant", want: "http://h/restaurant"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := normalizeBaseURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("normalizeBaseURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNewClientRequiresConfiguration(t *testing.T) {
	for name, opts := range map[string][]Option{
		"no base URL": {WithCredentials("id", "secret")},
		"no id":       {WithBaseURL("http://h"), WithCredentials("", "secret")},
		"no secret":   {WithBaseURL("http://h"), WithCredentials("id", "")},
		"bad limit":   {WithBaseURL("http://h"), WithCredentials("id", "s"), WithRateLimit(-1, 0, 0)},
		"nil http":    {WithBaseURL("http://h"), WithCredentials("id", "s"), WithHTTPClient(nil)},
	} {
		if _, err := NewClient(opts...); err == nil {
			t.Errorf("%s: NewClient succeeded", name)
		}
	}
}

// TestIdentityToken decodes the recorded identity answer (F1) and checks
// the credentials go as query parameters of a GET, as Marketo documents.
func TestIdentityToken(t *testing.T) {
	env := setup(t)
	env.identity = func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(fixture(t, "F01_identity_success.json"))
	}
	tok, resp, err := env.client.Identity.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := &Token{AccessToken: "cdf01657-110d-4155-99a7-f986b2ff13a0:int", TokenType: "bearer", ExpiresIn: 3599, Scope: "apis@acmeinc.com"}
	if diff := cmp.Diff(want, tok); diff != "" {
		t.Errorf("token (-want +got):\n%s", diff)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d", resp.StatusCode)
	}
	for _, s := range []string{tok.String(), fmt.Sprintf("%v", tok), fmt.Sprintf("%+v", *tok), fmt.Sprintf("%#v", *tok)} {
		if strings.Contains(s, tok.AccessToken) {
			t.Errorf("formatted token shows the secret: %s", s)
		}
	}
}

// TestIdentityBadCredentials: F2, an OAuth-style 401, becomes a typed error
// that is not retried and names no secret.
func TestIdentityBadCredentials(t *testing.T) {
	env := setup(t, WithCredentials(testID, "wrong-secret"))
	env.handle("GET /rest/v1/leads/describe2.json", func(w http.ResponseWriter, r *http.Request) {
		t.Error("API called without a token")
	})
	_, _, err := env.client.Describe.Lead(ctx)
	var merr *Error
	if !errors.As(err, &merr) {
		t.Fatalf("err = %v, want *Error", err)
	}
	want := &Error{Code: "invalid_client", Message: "Bad client credentials", HTTPStatus: 401, Op: "GET /identity/oauth/token"}
	if diff := cmp.Diff(want, merr); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error shows the secret: %v", err)
	}
	if got := env.identityCalls.Load(); got != 1 {
		t.Errorf("identity calls = %d, want 1 (401 is not retried)", got)
	}
}

func TestTokenCachedAndShared(t *testing.T) {
	env := setup(t)
	env.handle("GET /bulk/v1/leads/export/x/status.json", serveFixture(t, "F06a_export_status_processing.json"))
	for range 3 {
		if _, _, err := env.client.BulkExport.Status(ctx, Leads, "x"); err != nil {
			t.Fatal(err)
		}
	}
	// A second client of the same custom service reuses the token.
	other, err := NewClient(WithBaseURL(env.root), WithCredentials(testID, testSecret), WithClock(env.clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.BulkExport.Status(ctx, Leads, "x"); err != nil {
		t.Fatal(err)
	}
	if got := env.identityCalls.Load(); got != 1 {
		t.Errorf("identity calls = %d, want 1", got)
	}
}

// TestTokenRefreshedBeforeExpiry: a token is replaced a margin before it
// expires — a minute, or a quarter of a short life.
func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	env := setup(t)
	env.identity = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"access_token":"token-%d","token_type":"bearer","expires_in":100,"scope":"s"}`, env.identityCalls.Load())
	}
	var seen []string
	env.handle("GET /bulk/v1/leads/export/x/status.json", func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		w.Write(fixture(t, "F06a_export_status_processing.json"))
	})
	call := func() {
		if _, _, err := env.client.BulkExport.Status(ctx, Leads, "x"); err != nil {
			t.Fatal(err)
		}
	}
	call()
	env.clock.Advance(74 * time.Second) // 100 s life, 25 s margin: still fresh
	call()
	env.clock.Advance(2 * time.Second) // 76 s: inside the margin
	call()
	want := []string{"Bearer token-1", "Bearer token-1", "Bearer token-2"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("tokens used (-want +got):\n%s", diff)
	}
	if got := refreshMargin(time.Hour); got != time.Minute {
		t.Errorf("margin for an hour = %s", got)
	}
	if got := refreshMargin(0); got != 0 {
		t.Errorf("margin for 0 s = %s", got)
	}
}

// TestTokenExpiredRefreshedOnce: 602 (F3) and 601 make the client fetch a
// new token and repeat the call once; a fresh token rejected again gets one
// more new token, and a third rejection is returned.
func TestTokenExpiredRefreshedOnce(t *testing.T) {
	for _, name := range []string{"F03_error_602_token_expired.json", "F03b_error_601_token_invalid.json"} {
		t.Run(name, func(t *testing.T) {
			env := setup(t)
			var auth []string
			h, n := sequence(
				serveFixture(t, name),
				serveFixture(t, "F06a_export_status_processing.json"),
			)
			env.handle("GET /bulk/v1/leads/export/x/status.json", func(w http.ResponseWriter, r *http.Request) {
				auth = append(auth, r.Header.Get("Authorization"))
				h(w, r)
			})
			job, resp, err := env.client.BulkExport.Status(ctx, Leads, "x")
			if err != nil {
				t.Fatal(err)
			}
			if job.Status != StatusProcessing || resp.Retries != 1 || n.Load() != 2 {
				t.Errorf("status %s, retries %d, calls %d", job.Status, resp.Retries, n.Load())
			}
			if diff := cmp.Diff([]string{"Bearer token-1", "Bearer token-2"}, auth); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
			if len(env.clock.Sleeps()) != 0 {
				t.Errorf("slept %v before refreshing", env.clock.Sleeps())
			}
		})
	}
	t.Run("twice then success", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(
			serveFixture(t, "F03_error_602_token_expired.json"),
			serveFixture(t, "F03_error_602_token_expired.json"),
			serveFixture(t, "F06a_export_status_processing.json"),
		)
		env.handle("GET /bulk/v1/leads/export/x/status.json", h)
		job, resp, err := env.client.BulkExport.Status(ctx, Leads, "x")
		if err != nil {
			t.Fatal(err)
		}
		if job.Status != StatusProcessing || resp.Retries != 2 || n.Load() != 3 || env.identityCalls.Load() != 3 {
			t.Errorf("status %s, retries %d, calls %d, identity calls %d", job.Status, resp.Retries, n.Load(), env.identityCalls.Load())
		}
	})
	t.Run("always rejected", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(serveFixture(t, "F03_error_602_token_expired.json"))
		env.handle("GET /bulk/v1/leads/export/x/status.json", h)
		_, _, err := env.client.BulkExport.Status(ctx, Leads, "x")
		if !IsTokenExpired(err) {
			t.Fatalf("err = %v, want token expired", err)
		}
		if n.Load() != 1+maxTokenRefreshes || env.identityCalls.Load() != 1+maxTokenRefreshes {
			t.Errorf("calls = %d, identity calls = %d; want %d each", n.Load(), env.identityCalls.Load(), 1+maxTokenRefreshes)
		}
	})
}

// TestTokenZeroLife: Marketo may return a token with expires_in 0; it is
// used for the call at hand and replaced on the next.
func TestTokenZeroLife(t *testing.T) {
	env := setup(t)
	env.identity = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"access_token":"token-%d","token_type":"bearer","expires_in":0,"scope":"s"}`, env.identityCalls.Load())
	}
	env.handle("GET /bulk/v1/leads/export/x/status.json", serveFixture(t, "F06a_export_status_processing.json"))
	for range 2 {
		if _, _, err := env.client.BulkExport.Status(ctx, Leads, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if got := env.identityCalls.Load(); got != 2 {
		t.Errorf("identity calls = %d, want 2", got)
	}
}
