package stress

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mkbulk/mkbulk/sandbox"
)

// Sandbox is a `mkbulk sandbox` process. It is started on 127.0.0.1:0 and
// its startup lines (DESIGN.md §7) give its address and the environment a
// mkbulk process needs to talk to it.
type Sandbox struct {
	// URL is the instance root, e.g. http://127.0.0.1:40985.
	URL string
	// Env holds the KEY=VALUE lines the sandbox printed (MARKETO_ENDPOINT,
	// MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET, MKBULK_POLL_INTERVAL).
	Env []string
	// PollInterval is the real-time length of one status refresh.
	PollInterval time.Duration

	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	http   *http.Client

	mu    sync.Mutex
	token string
}

// StartSandbox runs `BIN sandbox -listen=127.0.0.1:0 ARGS...` and waits for
// its startup lines.
func StartSandbox(ctx context.Context, bin string, args ...string) (*Sandbox, error) {
	cmd := exec.Command(bin, append([]string{"sandbox", "-listen=127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Sandbox{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{}),
		http: &http.Client{Timeout: time.Minute}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = cmd.Wait(); close(s.done) }()

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for s.PollInterval == 0 {
		select {
		case line, ok := <-lines:
			if !ok {
				s.Close()
				return nil, fmt.Errorf("mkbulk sandbox exited before printing its address: %s", s.stderr.String())
			}
			s.parseStartupLine(line)
		case <-timeout.C:
			s.Close()
			return nil, errors.New("mkbulk sandbox printed no address within 30s: " + s.stderr.String())
		case <-ctx.Done():
			s.Close()
			return nil, ctx.Err()
		}
	}
	go func() {
		for range lines { // keep the pipe drained
		}
	}()
	if s.URL == "" {
		s.Close()
		return nil, errors.New("mkbulk sandbox printed no MARKETO_ENDPOINT line")
	}
	return s, nil
}

func (s *Sandbox) parseStartupLine(line string) {
	k, v, ok := strings.Cut(line, "=")
	if !ok || strings.Contains(k, " ") {
		return
	}
	s.Env = append(s.Env, line)
	switch k {
	case "MARKETO_ENDPOINT":
		s.URL = strings.TrimRight(v, "/")
	case "MKBULK_POLL_INTERVAL":
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			d = time.Second
		}
		s.PollInterval = d
	}
}

// Close stops the sandbox as a user would (SIGINT), killing it if it has
// not stopped within 10 s.
func (s *Sandbox) Close() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("mkbulk sandbox did not stop on SIGINT within 10s; killed")
	}
}

// Stderr is what the sandbox wrote to stderr so far.
func (s *Sandbox) Stderr() string { return s.stderr.String() }

// Stats reads GET /sandbox/stats.json.
func (s *Sandbox) Stats() (sandbox.Stats, error) {
	var st sandbox.Stats
	err := s.getJSON("/sandbox/stats.json", false, &st)
	return st, err
}

// Clock is GET /sandbox/clock.json.
type Clock struct {
	Now            time.Time `json:"now"`
	TimeScale      float64   `json:"timeScale"`
	QuotaDay       string    `json:"quotaDay"`
	QuotaUsedBytes int64     `json:"quotaUsedBytes"`
	QuotaBytes     int64     `json:"quotaBytes"`
	NextQuotaReset time.Time `json:"nextQuotaReset"`
}

// Clock reads the sandbox's simulated clock and quota day.
func (s *Sandbox) Clock() (Clock, error) {
	var c Clock
	err := s.getJSON("/sandbox/clock.json", false, &c)
	return c, err
}

// Advance moves the simulated clock forward by d.
func (s *Sandbox) Advance(d time.Duration) (Clock, error) {
	var c Clock
	u := fmt.Sprintf("%s/sandbox/advance.json?seconds=%g", s.URL, d.Seconds())
	resp, err := s.http.Post(u, "application/json", nil)
	if err != nil {
		return c, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return c, fmt.Errorf("POST /sandbox/advance.json: %s: %s", resp.Status, b)
	}
	return c, json.NewDecoder(resp.Body).Decode(&c)
}

// Token gets an access token the way any client does (identity with the
// sandbox's well-known credentials).
func (s *Sandbox) Token() (string, error) {
	q := url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.ClientID}, "client_secret": {sandbox.ClientSecret}}
	resp, err := s.http.Get(s.URL + "/identity/oauth/token?" + q.Encode())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("identity: no token (%v)", err)
	}
	s.mu.Lock()
	s.token = tr.AccessToken
	s.mu.Unlock()
	return tr.AccessToken, nil
}

// ExportStatus is the part of a bulk export status the harness checks.
type ExportStatus struct {
	ExportID        string `json:"exportId"`
	Status          string `json:"status"`
	QueuedAt        string `json:"queuedAt"`
	StartedAt       string `json:"startedAt"`
	FinishedAt      string `json:"finishedAt"`
	NumberOfRecords int64  `json:"numberOfRecords"`
	FileSize        int64  `json:"fileSize"`
	FileChecksum    string `json:"fileChecksum"`
}

// ObjectPath is the bulk export path segment of an object as state names
// it ("leads", "activities", "programMembers", "customObject" + apiName).
func ObjectPath(object, apiName string) string {
	switch object {
	case "programMembers":
		return "program/members"
	case "customObject":
		return "customobjects/" + apiName
	}
	return object
}

// ExportStatus asks the sandbox, as a client, for one export job's status.
func (s *Sandbox) ExportStatus(objectPath, exportID string) (*ExportStatus, error) {
	var env struct {
		Success bool           `json:"success"`
		Errors  []any          `json:"errors"`
		Result  []ExportStatus `json:"result"`
	}
	path := "/bulk/v1/" + objectPath + "/export/" + exportID + "/status.json"
	if err := s.getJSON(path, true, &env); err != nil {
		return nil, err
	}
	if !env.Success || len(env.Result) != 1 {
		return nil, fmt.Errorf("GET %s: success=%v errors=%v", path, env.Success, env.Errors)
	}
	return &env.Result[0], nil
}

// ImportBatch is the part of a bulk import batch status the harness reads.
type ImportBatch struct {
	BatchID              int    `json:"batchId"`
	Status               string `json:"status"`
	NumOfRowsProcessed   int64  `json:"numOfRowsProcessed"`
	NumOfLeadsProcessed  int64  `json:"numOfLeadsProcessed"`
	NumOfRowsFailed      int64  `json:"numOfRowsFailed"`
	NumOfRowsWithWarning int64  `json:"numOfRowsWithWarning"`
	ImportTime           string `json:"importTime"`
	Message              string `json:"message"`
}

// LeadImportBatch reads GET /bulk/v1/leads/batch/{id}.json.
func (s *Sandbox) LeadImportBatch(batchID int) (*ImportBatch, error) {
	var env struct {
		Success bool          `json:"success"`
		Errors  []any         `json:"errors"`
		Result  []ImportBatch `json:"result"`
	}
	path := fmt.Sprintf("/bulk/v1/leads/batch/%d.json", batchID)
	if err := s.getJSON(path, true, &env); err != nil {
		return nil, err
	}
	if !env.Success || len(env.Result) != 1 {
		return nil, fmt.Errorf("GET %s: success=%v errors=%v", path, env.Success, env.Errors)
	}
	return &env.Result[0], nil
}

// FileURL is the URL of an export job's file.
func (s *Sandbox) FileURL(objectPath, exportID string) string {
	return s.URL + "/bulk/v1/" + objectPath + "/export/" + exportID + "/file.json"
}

// getJSON GETs path and decodes the body; auth adds a bearer token. The
// harness is a client like any other, so under -faults it retries what a
// client retries (network errors, 5xx, 6xx envelope codes, an expired
// token), for up to a minute: its own calls must not fail a test.
func (s *Sandbox) getJSON(path string, auth bool, v any) error {
	deadline := time.Now().Add(time.Minute)
	for attempt := 1; ; attempt++ {
		body, retry, err := s.getOnce(path, auth)
		if err == nil && !retry {
			return json.Unmarshal(body, v)
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("GET %s: still failing after a minute: %s", path, bytes.TrimSpace(body))
			}
			return err
		}
		time.Sleep(min(time.Duration(attempt)*200*time.Millisecond, 2*time.Second))
	}
}

// getOnce makes one GET. retry is set for answers worth trying again.
func (s *Sandbox) getOnce(path string, auth bool) (body []byte, retry bool, err error) {
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		return nil, false, err
	}
	if auth {
		s.mu.Lock()
		tok := s.token
		s.mu.Unlock()
		if tok == "" {
			if tok, err = s.Token(); err != nil {
				return nil, true, nil
			}
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, true, nil // reset, refused: try again
	}
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil || resp.StatusCode >= 500:
		return body, true, nil
	case resp.StatusCode != http.StatusOK:
		return nil, false, fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	switch code := envelopeCode(body); code {
	case "601", "602":
		s.mu.Lock()
		s.token = ""
		s.mu.Unlock()
		return body, true, nil
	case "604", "606", "608", "611", "615", "713":
		return body, true, nil
	}
	return body, false, nil
}

// envelopeCode is the first error code of a success:false envelope.
func envelopeCode(body []byte) string {
	var env struct {
		Success *bool `json:"success"`
		Errors  []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil || env.Success == nil || *env.Success || len(env.Errors) == 0 {
		return ""
	}
	return env.Errors[0].Code
}

// syncBuffer is a bytes.Buffer safe for a writer and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
