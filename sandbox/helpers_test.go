package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// testEnv is a sandbox on 127.0.0.1 with a tiny Marketo client. Tests run
// at TimeScale 0.001 unless they say otherwise, so nothing moves unless the
// test advances the simulated clock.
type testEnv struct {
	t     *testing.T
	s     *Server
	base  string
	hc    *http.Client
	token string
}

func startSandbox(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	if cfg.TimeScale == 0 {
		cfg.TimeScale = 0.001
	}
	if cfg.Leads == 0 {
		cfg.Leads = 2000
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tr := &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &testEnv{t: t, s: s, base: base, hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// wireEnvelope is the envelope as a client decodes it.
type wireEnvelope struct {
	RequestID     string            `json:"requestId"`
	Success       bool              `json:"success"`
	Result        []json.RawMessage `json:"result"`
	Errors        []apiError        `json:"errors"`
	NextPageToken string            `json:"nextPageToken"`
	raw           []byte
}

func (w *wireEnvelope) item(i int, v any) {
	if err := json.Unmarshal(w.Result[i], v); err != nil {
		panic(err)
	}
}

func (w *wireEnvelope) errCode() string {
	if len(w.Errors) == 0 {
		return ""
	}
	return w.Errors[0].Code + " " + w.Errors[0].Message
}

func (e *testEnv) identity(method, query string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.base+"/identity/oauth/token?"+query, nil)
	return e.send(req)
}

func (e *testEnv) send(req *http.Request) (int, http.Header, []byte) {
	e.t.Helper()
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, resp.Header, b
}

func (e *testEnv) fetchToken() string {
	e.t.Helper()
	code, _, b := e.identity("GET", "grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret")
	if code != 200 {
		e.t.Fatalf("identity: %d %s", code, b)
	}
	var tr tokenResponse
	json.Unmarshal(b, &tr)
	e.token = tr.AccessToken
	return tr.AccessToken
}

// raw sends an authenticated request (refreshing an expired token once)
// and returns status, headers and body.
func (e *testEnv) raw(method, path string, body io.Reader, hdr map[string]string) (int, http.Header, []byte) {
	e.t.Helper()
	if e.token == "" {
		e.fetchToken()
	}
	var payload []byte
	if body != nil {
		payload, _ = io.ReadAll(body)
	}
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest(method, e.base+path, bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+e.token)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		code, h, b := e.send(req)
		if attempt == 0 && code == 200 && bytes.Contains(b, []byte(`"code":"602"`)) && hdr[FaultHeader] == "" {
			e.fetchToken()
			continue
		}
		return code, h, b
	}
}

func (e *testEnv) call(method, path string, body any) *wireEnvelope {
	e.t.Helper()
	var rd io.Reader
	hdr := map[string]string{}
	if body != nil {
		b, _ := json.Marshal(body)
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		rd = bytes.NewReader(b)
		hdr["Content-Type"] = "application/json"
	}
	code, _, b := e.raw(method, path, rd, hdr)
	if code != 200 {
		e.t.Fatalf("%s %s: HTTP %d %s", method, path, code, b)
	}
	var env wireEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		e.t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
	env.raw = b
	return &env
}

func (e *testEnv) mustOK(env *wireEnvelope) *wireEnvelope {
	e.t.Helper()
	if !env.Success {
		e.t.Fatalf("call failed: %s", env.raw)
	}
	return env
}

// exportPath is the bulk path prefix of an object.
var exportPaths = map[objectKind]string{
	objLeads:          "/bulk/v1/leads",
	objActivities:     "/bulk/v1/activities",
	objProgramMembers: "/bulk/v1/program/members",
	objCustomObject:   "/bulk/v1/customobjects/car_c",
}

func (e *testEnv) createExport(obj objectKind, body string) string {
	e.t.Helper()
	env := e.mustOK(e.call("POST", exportPaths[obj]+"/export/create.json", body))
	var st exportStatus
	env.item(0, &st)
	return st.ExportID
}

func (e *testEnv) exportCall(obj objectKind, id, op string) *wireEnvelope {
	e.t.Helper()
	method := "POST"
	if op == "status" {
		method = "GET"
	}
	return e.call(method, exportPaths[obj]+"/export/"+id+"/"+op+".json", nil)
}

func (e *testEnv) exportState(obj objectKind, id string) exportStatus {
	e.t.Helper()
	var st exportStatus
	e.mustOK(e.exportCall(obj, id, "status")).item(0, &st)
	return st
}

// waitExport advances the clock a refresh at a time until the job leaves
// Queued/Processing. The generator runs in real time, so between ticks it
// waits (without API calls, which count against the rate limit) for the
// job's file to be written.
func (e *testEnv) waitExport(obj objectKind, id string) exportStatus {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		e.s.Advance(statusRefresh)
		st := e.exportState(obj, id)
		switch st.Status {
		case statusQueued:
			continue
		case statusProcessing:
			for !e.generated(id) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			continue
		}
		return st
	}
	e.t.Fatalf("export %s did not finish", id)
	return exportStatus{}
}

// generated reports whether a processing job's file is written.
func (e *testEnv) generated(id string) bool {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	j := e.s.exports.byID[id]
	return j == nil || j.genDone || j.failPlanned || j.status != statusProcessing
}

// download fetches a whole export file and checks it against the status.
func (e *testEnv) download(obj objectKind, st exportStatus) []byte {
	e.t.Helper()
	code, h, b := e.raw("GET", exportPaths[obj]+"/export/"+st.ExportID+"/file.json", nil, nil)
	if code != 200 {
		e.t.Fatalf("file: HTTP %d %s", code, b)
	}
	if h.Get("Accept-Ranges") != "bytes" {
		e.t.Errorf("file: Accept-Ranges = %q", h.Get("Accept-Ranges"))
	}
	sum := sha256.Sum256(b)
	if st.FileSize == nil || int64(len(b)) != *st.FileSize || st.FileChecksum != "sha256:"+hex.EncodeToString(sum[:]) {
		e.t.Fatalf("file: %d bytes sha256 %x, status says %v %s", len(b), sum, st.FileSize, st.FileChecksum)
	}
	return b
}

// runExport is create, enqueue, wait, download.
func (e *testEnv) runExport(obj objectKind, body string) (exportStatus, []byte) {
	e.t.Helper()
	id := e.createExport(obj, body)
	e.mustOK(e.exportCall(obj, id, "enqueue"))
	st := e.waitExport(obj, id)
	if st.Status != statusCompleted {
		e.t.Fatalf("export ended %s: %+v", st.Status, st)
	}
	return st, e.download(obj, st)
}

var importPaths = map[importObject]string{
	impLeads:          "/bulk/v1/leads.json",
	impCustomObject:   "/bulk/v1/customobjects/car_c/import.json",
	impProgramMembers: "/bulk/v1/program/1001/members/import.json",
}

var importStatusPaths = map[importObject]string{
	impLeads:          "/bulk/v1/leads/batch/%d",
	impCustomObject:   "/bulk/v1/customobjects/car_c/import/%d/status",
	impProgramMembers: "/bulk/v1/program/members/import/%d/status",
}

// upload posts a multipart import; query params go in the URL, form fields
// as parts.
func (e *testEnv) upload(path string, query url.Values, form map[string]string, file []byte) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range form {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "import.csv")
		fw.Write(file)
	}
	mw.Close()
	u := path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	code, _, b := e.raw("POST", u, &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
	return code, b
}

func (e *testEnv) importBatchPath(obj importObject, id int, suffix string) string {
	p := strings.Replace(importStatusPaths[obj], "%d", itoa(id), 1)
	if suffix != "" {
		if obj == impLeads {
			return p + "/" + suffix + ".json"
		}
		return strings.TrimSuffix(p, "/status") + "/" + suffix + ".json"
	}
	return p + ".json"
}

// runImport uploads and waits until the batch is Complete or Failed.
func (e *testEnv) runImport(obj importObject, query url.Values, file []byte) map[string]any {
	e.t.Helper()
	code, b := e.upload(importPaths[obj], query, nil, file)
	if code != 200 {
		e.t.Fatalf("import: HTTP %d %s", code, b)
	}
	var env wireEnvelope
	json.Unmarshal(b, &env)
	e.mustOK(&env)
	var created struct {
		BatchID int `json:"batchId"`
	}
	env.item(0, &created)
	return e.waitImport(obj, created.BatchID)
}

func (e *testEnv) waitImport(obj importObject, id int) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		e.s.Advance(10 * time.Second)
		env := e.mustOK(e.call("GET", e.importBatchPath(obj, id, ""), nil))
		var st map[string]any
		env.item(0, &st)
		if st["status"] == importComplete || st["status"] == importFailed {
			return st
		}
		time.Sleep(time.Millisecond)
	}
	e.t.Fatalf("import %d did not finish", id)
	return nil
}

func (e *testEnv) stats() Stats {
	e.t.Helper()
	code, _, b := e.send(mustRequest("GET", e.base+"/sandbox/stats.json"))
	if code != 200 {
		e.t.Fatalf("stats: %d %s", code, b)
	}
	var st Stats
	if err := json.Unmarshal(b, &st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

func mustRequest(method, u string) *http.Request {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// csvLines splits a file into rows of cells (no quoted newlines in tests).
func csvRows(t *testing.T, b []byte, delim rune) [][]string {
	t.Helper()
	r := newCSVReader(bytes.NewReader(b), delim)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parsing export: %v", err)
	}
	return rows
}
