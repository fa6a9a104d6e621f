package marketo

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// syncBuffer is a log sink safe for the client's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets runs identity, API calls, a token refresh, retries,
// a download and an import at trace level, then checks that no log line
// carries the client secret or an access token — while the lines do carry
// what an operator needs (method, path, status, requestId, duration).
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs syncBuffer
	logger := hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: &logs})
	env := setup(t, WithLogger(logger))
	const tokenPrefix = "cdf01657-110d-4155-99a7-f986b2ff13a0"
	env.identity = func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Replace(fixture(t, "F01_identity_success.json"), []byte(tokenPrefix), []byte("token-"+tokenPrefix), 1))
	}
	status, _ := sequence(serveFixture(t, "F03_error_602_token_expired.json"), serveFixture(t, "F16_error_606_rate_limit.json"),
		serveFixture(t, "F06b_export_status_completed.json"))
	env.handle("GET /bulk/v1/leads/export/x/status.json", status)
	env.handle("GET /rest/v1/leads/describe2.json", serveFixture(t, "F15a_describe_lead2.json"))
	env.handle("GET /bulk/v1/leads/export/x/file.json", serveContent([]byte("id\n1\n")))
	env.handle("POST /bulk/v1/leads.json", serveFixture(t, "F12a_import_lead_create.json"))

	if _, _, err := env.client.BulkExport.Status(ctx, Leads, "x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.client.Describe.Lead(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.BulkExport.DownloadFile(ctx, Leads, "x", partialPath(t), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.client.BulkImport.Create(ctx, Leads, nil, strings.NewReader("email\n")); err != nil {
		t.Fatal(err)
	}

	// An identity call that fails at the network level: net/http puts the
	// URL, query and all, into its error.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	broken, err := NewClient(WithBaseURL(dead), WithCredentials(testID, testSecret), WithLogger(logger),
		WithClock(env.clock), WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = broken.Describe.Lead(ctx)
	if err == nil {
		t.Fatal("call to a closed port succeeded")
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error shows the client secret: %v", err)
	}
	if !strings.Contains(err.Error(), "client_secret=REDACTED") {
		t.Errorf("error lost its (redacted) URL: %v", err)
	}

	out := logs.String()
	for i, line := range strings.Split(out, "\n") {
		for _, secret := range []string{testSecret, tokenPrefix} {
			if strings.Contains(line, secret) {
				t.Errorf("log line %d holds a secret: %s", i+1, line)
			}
		}
	}
	for _, want := range []string{
		"method=GET path=/bulk/v1/leads/export/x/status.json status=200 requestId=1000",
		`requestId="5576#16523a39ed7"`,
		"path=\"/identity/oauth/token?client_id=test-client&client_secret=REDACTED&grant_type=client_credentials\"",
		"duration=",
		"marketo call retrying",
		"marketo access token fetched",
		`method=POST path=/bulk/v1/leads.json?format=csv status=200 requestId="d01f#15d672f8560"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", out)
	}
}
