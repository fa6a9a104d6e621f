package sandbox

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStatsKeys: /sandbox/stats.json has exactly the keys of DESIGN.md §7.
func TestStatsKeys(t *testing.T) {
	e := startSandbox(t, Config{})
	e.call("POST", "/bulk/v1/leads/export/create.json", `{"fields":["id"],"filter":{"staticListId":1}}`)
	code, h, b := e.send(mustRequest("GET", e.base+"/sandbox/stats.json"))
	if code != 200 || h.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("stats: %d %v", code, h)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	want := map[string][]string{
		"":        {"bytesServed", "calls", "callsByOperation", "exports", "faultsInjected", "imports", "maxCallsIn20s", "maxConcurrentCalls", "pollsBeforeRefresh", "quotaUsedBytes", "tokensIssued"},
		"exports": {"cancelled", "completed", "created", "duplicateEnqueues", "enqueued", "failed", "maxProcessing", "maxQueued"},
		"imports": {"created", "maxRunning", "rowsFailed", "rowsProcessed"},
	}
	for sub, keys := range want {
		obj := m
		if sub != "" {
			obj = m[sub].(map[string]any)
		}
		if diff := cmp.Diff(keys, sortedKeys(obj)); diff != "" {
			t.Errorf("stats %q keys (-want +got):\n%s", sub, diff)
		}
	}
	ops := m["callsByOperation"].(map[string]any)
	if ops["POST /bulk/v1/leads/export/create.json"] != 1.0 || ops["GET /identity/oauth/token"] != 1.0 || m["calls"] != 2.0 {
		t.Errorf("calls: %v %v", m["calls"], ops)
	}
	if got := e.s.Stats(); got.Exports.Created != 1 || got.Calls != 2 {
		t.Errorf("Stats(): %+v", got)
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestControlEndpoints(t *testing.T) {
	e := startSandbox(t, Config{})
	before := e.s.Now()
	code, _, b := e.send(mustRequest("POST", e.base+"/sandbox/advance.json?seconds=86400"))
	var ci clockInfo
	json.Unmarshal(b, &ci)
	if code != 200 || ci.Now < jsonTime(before.Add(86400e9)) || ci.QuotaBytes != 500<<20 || ci.NextQuotaReset <= ci.Now {
		t.Errorf("advance: %d %s", code, b)
	}
	if code, _, _ := e.send(mustRequest("GET", e.base+"/sandbox/advance.json?seconds=1")); code != 405 {
		t.Errorf("GET advance: %d", code)
	}
	if code, _, _ := e.send(mustRequest("POST", e.base+"/sandbox/advance.json?seconds=-1")); code != 400 {
		t.Errorf("negative advance: %d", code)
	}
	if code, _, _ := e.send(mustRequest("GET", e.base+"/sandbox/clock.json")); code != 200 {
		t.Errorf("clock: %d", code)
	}
	if code, _, _ := e.send(mustRequest("GET", e.base+"/sandbox/nope")); code != 404 {
		t.Errorf("unknown control endpoint: %d", code)
	}
	if got := e.stats().Calls; got != 0 {
		t.Errorf("control endpoints counted as calls: %d", got)
	}
}
