package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestParseFaults(t *testing.T) {
	if _, err := parseFaults("606:0.05,615:0.05,602:0.05,5xx:0.05,reset:0.02,truncate:0.02,fail:0.1", 1); err != nil {
		t.Errorf("DESIGN.md spec: %v", err)
	}
	for _, bad := range []string{"606", "999:0.1", "606:x", "606:1.5", "boom:0.1"} {
		if _, err := parseFaults(bad, 1); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := New(Config{Faults: "nope:1"}); err == nil {
		t.Error("New accepted a bad fault spec")
	}
}

// TestForcedFaults uses X-Sandbox-Fault to force each kind once.
func TestForcedFaults(t *testing.T) {
	e := startSandbox(t, Config{})
	st, whole := e.runExport(objLeads, `{"fields":["id","email"],"filter":{"staticListId":2}}`)
	before := e.stats().FaultsInjected
	forced := func(kind string) map[string]string { return map[string]string{FaultHeader: kind} }

	for _, code := range []string{"606", "615", "602"} {
		_, _, b := e.raw("GET", "/rest/v1/leads/describe2.json", nil, forced(code))
		assertError(t, b, code, faultMessages[code])
	}
	code, h, b := e.raw("GET", "/rest/v1/leads/describe2.json", nil, forced("502"))
	if code != 502 || h.Get("Content-Type") != "text/html" || !strings.Contains(string(b), "502 Bad Gateway") {
		t.Errorf("502: %d %s", code, b)
	}
	if code, _, _ := e.raw("GET", "/rest/v1/leads/describe2.json", nil, forced("5xx")); code < 500 || code > 504 {
		t.Errorf("5xx: %d", code)
	}

	// reset: the connection drops with no response (a fresh connection, so
	// the transport does not retry the GET on another one)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest("GET", e.base+"/rest/v1/leads/describe2.json", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set(FaultHeader, "reset")
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("reset: got HTTP %d", resp.StatusCode)
	}

	// truncate: fewer bytes than Content-Length, then the connection closes
	req, _ = http.NewRequest("GET", e.base+"/bulk/v1/leads/export/"+st.ExportID+"/file.json", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set(FaultHeader, "truncate")
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.ContentLength != int64(len(whole)) || len(got) >= len(whole) || string(got) != string(whole[:len(got)]) {
		t.Errorf("truncate: read %d of %d bytes, err %v", len(got), resp.ContentLength, err)
	}
	// truncate does not apply to JSON calls
	if env := e.call("GET", "/rest/v1/leads/describe2.json", nil); !env.Success {
		t.Errorf("describe: %s", env.raw)
	}

	// fail: the enqueued job ends Failed with an errorMsg
	id := e.createExport(objLeads, `{"fields":["id"],"filter":{"staticListId":5}}`)
	code, _, b = e.raw("POST", "/bulk/v1/leads/export/"+id+"/enqueue.json", nil, forced("fail"))
	if code != 200 || !strings.Contains(string(b), `"status":"Queued"`) {
		t.Fatalf("enqueue: %s", b)
	}
	final := e.waitExport(objLeads, id)
	if final.Status != statusFailed || final.ErrorMsg == "" || final.FinishedAt == "" || final.FileSize != nil {
		t.Errorf("forced fail: %+v", final)
	}
	if got := e.stats(); got.FaultsInjected-before != 8 || got.Exports.Failed != 1 {
		t.Errorf("faultsInjected = %d (+%d), failed = %d", got.FaultsInjected, got.FaultsInjected-before, got.Exports.Failed)
	}
}

// TestRandomFaults: with probability 1 every Marketo call faults, but the
// control endpoints never do; with a seed the draws are reproducible.
func TestRandomFaults(t *testing.T) {
	e := startSandbox(t, Config{Faults: "606:1"})
	e.fetchToken()
	_, _, b := e.raw("GET", "/rest/v1/activities/types.json", nil, nil)
	assertError(t, b, "606", faultMessages["606"])
	if st := e.stats(); st.FaultsInjected != 1 {
		t.Errorf("faultsInjected = %d", st.FaultsInjected)
	}
	code, _, b := e.send(mustRequest("GET", e.base+"/sandbox/stats.json"))
	var st Stats
	if code != 200 || json.Unmarshal(b, &st) != nil {
		t.Errorf("stats under faults: %d %s", code, b)
	}

	draws := func() string {
		fi, _ := parseFaults("606:0.3,5xx:0.3", 7)
		rt := &route{kind: kindAPI}
		var out []string
		for range 40 {
			f := fi.pick("", rt)
			out = append(out, itoa(int(f.kind))+f.code)
		}
		return strings.Join(out, " ")
	}
	if a, b := draws(), draws(); a != b || !strings.Contains(a, "1606") || !strings.Contains(a, "0") {
		t.Errorf("draws not reproducible or not mixed:\n%s\n%s", a, b)
	}
}
