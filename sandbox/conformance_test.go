package sandbox

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestConformance drives the sandbox into each situation of the recorded
// real responses (testdata/recorded, MARKETO_API.md §8) and requires the
// same shape: the same keys at every level with the same JSON types, the
// same status spellings, and the same error codes and messages.
func TestConformance(t *testing.T) {
	e := startSandbox(t, Config{})
	recorded := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", "recorded", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// same compares shapes; extra lists keys the sandbox may add (documented
	// elsewhere, e.g. importId on lead import status per swagger).
	same := func(name string, got []byte, extra ...string) {
		t.Helper()
		want := recorded(name)
		if diff := cmp.Diff(shape(t, want, extra), shape(t, got, extra)); diff != "" {
			t.Errorf("%s: shape differs (-recorded +sandbox):\n%s\nsandbox: %s", name, diff, got)
		}
		var w, g struct {
			RequestID string     `json:"requestId"`
			Errors    []apiError `json:"errors"`
			Result    []struct {
				Status string `json:"status"`
			} `json:"result"`
		}
		json.Unmarshal(want, &w)
		json.Unmarshal(got, &g)
		if diff := cmp.Diff(w.Errors, g.Errors); diff != "" {
			t.Errorf("%s: errors differ (-recorded +sandbox):\n%s", name, diff)
		}
		if diff := cmp.Diff(w.Result, g.Result); diff != "" {
			t.Errorf("%s: statuses differ (-recorded +sandbox):\n%s", name, diff)
		}
		if g.RequestID != "" && !requestIDPattern.MatchString(g.RequestID) {
			t.Errorf("%s: requestId %q is not <hex>#<hex>", name, g.RequestID)
		}
	}

	// F1, F2: identity
	_, _, b := e.identity("GET", creds)
	same("F01_identity.json", b)
	code, _, b := e.identity("GET", "grant_type=client_credentials&client_id=sandbox&client_secret=wrong")
	if code != 401 || string(b) != strings.TrimSpace(string(recorded("F02_identity_bad_credentials.json"))) {
		t.Errorf("F02: %d %s", code, b)
	}
	tok := e.fetchToken()

	// F4–F6: create, enqueue, Processing, Completed
	create := `{"fields":["firstName","lastName","id","email"],"format":"CSV","filter":{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-01-31T00:00:00Z"}}}`
	env := e.call("POST", "/bulk/v1/leads/export/create.json", create)
	same("F04_export_create.json", env.raw)
	var created exportStatus
	env.item(0, &created)
	id := created.ExportID
	same("F05_export_enqueue.json", e.exportCall(objLeads, id, "enqueue").raw)
	e.s.Advance(statusRefresh)
	same("F06a_export_processing.json", e.exportCall(objLeads, id, "status").raw)
	e.waitExport(objLeads, id)
	same("F06b_export_completed.json", e.exportCall(objLeads, id, "status").raw)

	// F7: cancel a Queued job, and a Created one
	q := e.createExport(objLeads, create)
	e.mustOK(e.exportCall(objLeads, q, "enqueue"))
	same("F07_export_cancel_queued.json", e.exportCall(objLeads, q, "cancel").raw)
	c := e.createExport(objLeads, create)
	same("F07b_export_cancel_created.json", e.exportCall(objLeads, c, "cancel").raw)

	// F8: list with a status filter
	same("F08_export_list.json", e.call("GET", "/bulk/v1/leads/export.json?status=Completed,Failed", nil).raw)

	// F11: invalid fields
	same("F11_export_invalid_fields.json", e.call("POST", "/bulk/v1/leads/export/create.json", `{"fields":["site","billingStreet"],"filter":{"staticListId":1}}`).raw)

	// F12: lead import with one failure
	code, b = e.upload(importPaths[impLeads], url.Values{"format": {"csv"}}, nil,
		[]byte("email,firstName,leadScore\na@example.com,A,1\nb@example.com,B,2\nc@example.com,C,TEXT_VALUE_IN_INTEGER_FIELD\n"))
	same("F12a_lead_import_create.json", b)
	st := e.waitImport(impLeads, firstBatchID)
	env = e.call("GET", e.importBatchPath(impLeads, firstBatchID, ""), nil)
	same("F12b_lead_import_status.json", env.raw, "importId")
	if st["message"] != "Import completed with errors, 2 records imported (2 members), 1 failed" {
		t.Errorf("F12 message: %v", st["message"])
	}

	// F13: custom object import where " vin" is not the dedupe field
	_, b = e.upload(importPaths[impCustomObject], url.Values{"format": {"csv"}}, nil,
		[]byte("color,make,model, vin\nred,bmw,2002,WBA4R7C55HK895912\n"))
	same("F13a_co_import_create.json", b)
	e.waitImport(impCustomObject, firstBatchID+1)
	env = e.call("GET", e.importBatchPath(impCustomObject, firstBatchID+1, ""), nil)
	same("F13b_co_import_status.json", env.raw)
	_, _, b = e.raw("GET", e.importBatchPath(impCustomObject, firstBatchID+1, "failures"), nil, nil)
	if want := recorded("F13c_co_import_failures.csv"); string(b) != string(want) {
		t.Errorf("F13 failures:\n%s\nwant:\n%s", b, want)
	}

	// F14: program member import with a warning
	_, b = e.upload("/bulk/v1/program/1001/members/import.json", url.Values{"format": {"csv"}, "programMemberStatus": {"On List"}}, nil,
		[]byte("firstName,lastName,email,title,company,leadScore\nAerys,Targaryen,INVALID_EMAIL,Targaryen,House Targaryen,0\n"))
	same("F14a_pm_import_create.json", b)
	e.waitImport(impProgramMembers, firstBatchID+2)
	env = e.call("GET", e.importBatchPath(impProgramMembers, firstBatchID+2, ""), nil)
	same("F14b_pm_import_status.json", env.raw)
	_, _, b = e.raw("GET", e.importBatchPath(impProgramMembers, firstBatchID+2, "warnings"), nil, nil)
	if want := recorded("F14c_pm_import_warnings.csv"); string(b) != string(want) {
		t.Errorf("F14 warnings:\n%s\nwant:\n%s", b, want)
	}

	// F16, F17
	_, _, b = e.raw("GET", "/rest/v1/leads/describe2.json", nil, map[string]string{FaultHeader: "606"})
	same("F16_rate_limit.json", b)
	_, _, b = e.raw("GET", "/rest/v1/leads/nothing.json", nil, nil)
	same("F17_not_found.json", b)

	// F3: expired and unknown tokens
	e.s.Advance(2 * time.Hour)
	_, _, b = e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json?access_token="+tok))
	same("F03_token_expired.json", b)
	_, _, b = e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json?access_token=cdf01657-110d-4155-99a7-f986b2ff13a0:sb"))
	same("F03b_token_invalid.json", b)

	// F10: the daily quota, at the default 500 MB
	e.s.mu.Lock()
	e.s.quota[quotaDay(e.s.Now())] = 500 << 20
	e.s.mu.Unlock()
	same("F10_export_quota.json", e.call("POST", "/bulk/v1/leads/export/create.json", create).raw)
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]+#[0-9a-f]+$`)

// shape renders a JSON document's structure: object keys (sorted, minus
// "warnings", which Marketo sends as [] or omits), array element shapes and
// scalar types. Keys listed in extra are dropped.
func shape(t *testing.T, doc []byte, extra []string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	skip := map[string]bool{"warnings": true}
	for _, k := range extra {
		skip[k] = true
	}
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			var keys []string
			for k := range x {
				if !skip[k] {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, k+":"+walk(x[k]))
			}
			return "{" + strings.Join(parts, ",") + "}"
		case []any:
			if len(x) == 0 {
				return "[]"
			}
			return "[" + walk(x[0]) + "]"
		case string:
			return "string"
		case float64:
			return "number"
		case bool:
			return "bool"
		}
		return "null"
	}
	return walk(v)
}
