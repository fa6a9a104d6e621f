package sandbox

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const jan2026 = `{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-01-31T23:59:59Z"}`

// TestExportLifecycle walks create → enqueue → Queued → Processing →
// Completed → file for each of the four objects.
func TestExportLifecycle(t *testing.T) {
	cases := []struct {
		name    string
		obj     objectKind
		body    string
		delim   rune
		header  []string
		minRows int
	}{
		{"leads", objLeads,
			`{"fields":["id","email","firstName","company","title","npsScore","createdAt"],"format":"CSV","filter":{"createdAt":` + jan2026 + `}}`,
			',', []string{"id", "email", "firstName", "company", "title", "npsScore", "createdAt"}, 50},
		{"activities", objActivities,
			`{"format":"TSV","filter":{"createdAt":` + jan2026 + `}}`,
			'\t', []string{"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId", "primaryAttributeValueId", "primaryAttributeValue", "attributes"}, 50},
		{"program members", objProgramMembers,
			`{"fields":["leadId","firstName","statusName","membershipDate","reachedSuccess","trackName"],"format":"SSV","columnHeaderNames":{"statusName":"Status"},"filter":{"programIds":[1001,1009]}}`,
			';', []string{"programId", "leadId", "firstName", "Status", "membershipDate", "reachedSuccess", "trackName"}, 100},
		{"custom objects", objCustomObject,
			`{"fields":["vin","make","model","color","year","leadID","marketoGUID","updatedAt"],"filter":{"staticListId":3}}`,
			',', []string{"vin", "make", "model", "color", "year", "leadID", "marketoGUID", "updatedAt"}, 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := startSandbox(t, Config{})
			id := e.createExport(tc.obj, tc.body)

			// Created: file is a plain-text 404
			code, h, b := e.raw("GET", exportPaths[tc.obj]+"/export/"+id+"/file.json", nil, nil)
			if code != 404 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
				t.Errorf("file before completion: %d %q %s", code, h.Get("Content-Type"), b)
			}

			var q exportStatus
			e.mustOK(e.exportCall(tc.obj, id, "enqueue")).item(0, &q)
			if q.Status != statusQueued || q.QueuedAt == "" || q.StartedAt != "" {
				t.Fatalf("enqueue: %+v", q)
			}
			// nothing moves until a status refresh tick
			if st := e.exportState(tc.obj, id); st.Status != statusQueued {
				t.Fatalf("status before a tick: %s", st.Status)
			}
			e.s.Advance(statusRefresh)
			st := e.exportState(tc.obj, id)
			if st.Status != statusProcessing || st.StartedAt == "" || st.FileSize != nil {
				t.Fatalf("after one tick: %+v", st)
			}
			st = e.waitExport(tc.obj, id)
			if st.Status != statusCompleted || st.FinishedAt == "" || st.NumberOfRecords == nil {
				t.Fatalf("final: %+v", st)
			}
			body := e.download(tc.obj, st)
			rows := csvRows(t, body, tc.delim)
			if diff := cmp.Diff(tc.header, rows[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if got := int64(len(rows) - 1); got != *st.NumberOfRecords || got < int64(tc.minRows) {
				t.Errorf("rows = %d, numberOfRecords = %d, want >= %d", got, *st.NumberOfRecords, tc.minRows)
			}
			if !strings.Contains(string(body), "null") {
				t.Errorf("no null placeholder in the file")
			}
			for _, r := range rows[1:] {
				if len(r) != len(tc.header) {
					t.Fatalf("row %q has %d cells, want %d", r, len(r), len(tc.header))
				}
			}
		})
	}
}

// TestExportContent checks what the rows hold: filters are honoured,
// programIds adds programId, activity attributes are JSON objects, quoting
// follows RFC 4180.
func TestExportContent(t *testing.T) {
	e := startSandbox(t, Config{Leads: 5000})
	_, b := e.runExport(objLeads, `{"fields":["id","company","createdAt"],"filter":{"createdAt":`+jan2026+`}}`)
	rows := csvRows(t, b, ',')
	quoted := false
	for _, r := range rows[1:] {
		if r[2] < "2026-01-01T00:00:00Z" || r[2] > "2026-01-31T23:59:59Z" {
			t.Fatalf("row outside the createdAt filter: %q", r)
		}
		quoted = quoted || strings.ContainsAny(r[1], `,"`)
	}
	if !quoted || !strings.Contains(string(b), `"The ""Best"" Widgets Co"`) && !strings.Contains(string(b), `"Smith, Jones & Partners"`) {
		t.Errorf("no RFC 4180 quoted company in %d rows", len(rows))
	}

	_, b = e.runExport(objActivities, `{"fields":["leadId","activityTypeId","primaryAttributeValueId","attributes"],"filter":{"createdAt":`+jan2026+`,"activityTypeIds":[104,24]}}`)
	rows = csvRows(t, b, ',')
	if len(rows) < 2 {
		t.Fatal("no activities of types 104/24")
	}
	for _, r := range rows[1:] {
		if r[1] != "104" && r[1] != "24" {
			t.Fatalf("activity type %s passed the filter", r[1])
		}
		if !strings.HasPrefix(r[3], "{") || !strings.HasSuffix(r[3], "}") {
			t.Fatalf("attributes not a JSON object: %s", r[3])
		}
	}
	_, b = e.runExport(objActivities, `{"fields":["activityTypeId","primaryAttributeValue"],"filter":{"createdAt":`+jan2026+`,"activityTypeIds":[24,25],"primaryAttributeValues":["Static List 2"]}}`)
	for _, r := range csvRows(t, b, ',')[1:] {
		if r[1] != "Static List 2" {
			t.Fatalf("primaryAttributeValues filter let %q through", r)
		}
	}

	_, b = e.runExport(objProgramMembers, `{"fields":["leadId","statusName","isExhausted"],"filter":{"programId":1009,"statusNames":["engaged"],"isExhausted":false}}`)
	rows = csvRows(t, b, ',')
	if rows[0][0] != "leadId" {
		t.Errorf("programId filter must not add a programId column: %q", rows[0])
	}
	for _, r := range rows[1:] {
		if r[1] != "Engaged" || r[2] != "false" {
			t.Fatalf("filter let %q through", r)
		}
	}
}

func TestExportValidation(t *testing.T) {
	e := startSandbox(t, Config{})
	cases := []struct {
		obj  objectKind
		body string
		want string
	}{
		{objLeads, `{"fields":["id","site","billingStreet"],"filter":{"createdAt":` + jan2026 + `}}`, "1003 Invalid fields [site, billingStreet]"},
		{objLeads, `{"fields":["id"],"filter":{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-02-01T00:00:01Z"}}}`, "1003 createdAt date range exceeds 31 days"},
		{objLeads, `{"fields":["id"]}`, "1003 filter cannot be blank"},
		{objLeads, `{"fields":["id"],"filter":{"staticListId":1,"createdAt":` + jan2026 + `}}`, "1003 Only one filter type is allowed"},
		{objLeads, `{"fields":["id"],"filter":{"smartListId":1}}`, "1035 Unsupported filter type for target subscription"},
		{objLeads, `{"fields":["id"],"format":"XLS","filter":{"staticListId":1}}`, "1003 Invalid format 'XLS'. Expected CSV, TSV or SSV"},
		{objLeads, `{"fields":["id"],"columnHeaderNames":{"email":"E"},"filter":{"staticListId":1}}`, "1003 Invalid column header names [email]"},
		{objLeads, `{"filter":{"staticListId":1}}`, "1003 fields cannot be blank"},
		{objLeads, `{"fields":`, "609 Invalid JSON"},
		{objActivities, `{"filter":{"activityTypeIds":[1]}}`, "1003 createdAt filter is required"},
		{objActivities, `{"filter":{"createdAt":` + jan2026 + `,"activityTypeIds":[1],"primaryAttributeValueIds":[2001]}}`, "1003 Primary attribute filter is not supported for activity type 1"},
		{objProgramMembers, `{"fields":["leadId"],"filter":{"programIds":[1001],"statusNames":["Nope"]}}`, "1003 Invalid Data"},
		{objProgramMembers, `{"fields":["leadId"],"filter":{"statusNames":["Member"]}}`, "1003 programId or programIds filter is required"},
		{objCustomObject, `{"fields":["vin"],"filter":{"createdAt":` + jan2026 + `}}`, "1003 Invalid filter type 'createdAt'"},
	}
	for _, tc := range cases {
		env := e.call("POST", exportPaths[tc.obj]+"/export/create.json", tc.body)
		if env.Success || env.errCode() != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.body, env.raw, tc.want)
		}
	}
	if env := e.call("POST", "/bulk/v1/customobjects/boat_c/export/create.json", `{"fields":["vin"],"filter":{"staticListId":1}}`); env.errCode() != "1013 Object not found" {
		t.Errorf("unknown custom object: %s", env.raw)
	}
	if env := e.call("GET", "/bulk/v1/leads/export/00000000-0000-4000-8000-000000000000/status.json", nil); env.errCode() != "1013 Export job not found" {
		t.Errorf("unknown export id: %s", env.raw)
	}

	smart := startSandbox(t, Config{SmartLists: true})
	st, b := smart.runExport(objLeads, `{"fields":["id","leadScore"],"filter":{"smartListName":"Scored Leads"}}`)
	for _, r := range csvRows(t, b, ',')[1:] {
		if parseInt64(r[1]) < 50 {
			t.Fatalf("smart list 'Scored Leads' let %q through", r)
		}
	}
	if *st.NumberOfRecords == 0 {
		t.Error("smart list export is empty")
	}
}

func TestExportCancel(t *testing.T) {
	e := startSandbox(t, Config{})
	body := `{"fields":["id"],"filter":{"staticListId":5}}`

	created := e.createExport(objLeads, body)
	var st exportStatus
	e.mustOK(e.exportCall(objLeads, created, "cancel")).item(0, &st)
	if st.Status != "Cancelled" || st.QueuedAt != "" {
		t.Errorf("cancel Created: %+v", st)
	}
	if env := e.exportCall(objLeads, created, "enqueue"); env.Success || !strings.HasPrefix(env.errCode(), "1003 ") {
		t.Errorf("enqueue after cancel: %s", env.raw)
	}

	queued := e.createExport(objLeads, body)
	e.mustOK(e.exportCall(objLeads, queued, "enqueue"))
	e.mustOK(e.exportCall(objLeads, queued, "cancel")).item(0, &st)
	if st.Status != "Cancelled" || st.QueuedAt == "" {
		t.Errorf("cancel Queued keeps queuedAt: %+v", st)
	}

	processing := e.createExport(objLeads, body)
	e.mustOK(e.exportCall(objLeads, processing, "enqueue"))
	e.s.Advance(statusRefresh)
	if got := e.exportState(objLeads, processing).Status; got != statusProcessing {
		t.Fatalf("want Processing, got %s", got)
	}
	e.mustOK(e.exportCall(objLeads, processing, "cancel")).item(0, &st)
	if st.Status != "Cancelled" || st.StartedAt == "" {
		t.Errorf("cancel Processing: %+v", st)
	}
	e.s.Advance(10 * statusRefresh)
	if got := e.exportState(objLeads, processing).Status; got != "Cancelled" {
		t.Errorf("cancelled job moved on to %s", got)
	}
	if code, _, _ := e.raw("GET", "/bulk/v1/leads/export/"+processing+"/file.json", nil, nil); code != 404 {
		t.Errorf("file of a cancelled job: %d", code)
	}
	if got := e.stats().Exports.Cancelled; got != 3 {
		t.Errorf("stats cancelled = %d", got)
	}
}

func TestExportList(t *testing.T) {
	e := startSandbox(t, Config{})
	var ids []string
	for i := range 5 {
		ids = append(ids, e.createExport(objLeads, `{"fields":["id"],"filter":{"staticListId":`+itoa(1+i)+`}}`))
	}
	e.createExport(objActivities, `{"filter":{"createdAt":`+jan2026+`}}`) // another object: not listed
	e.mustOK(e.exportCall(objLeads, ids[4], "enqueue"))
	e.waitExport(objLeads, ids[4])
	e.mustOK(e.exportCall(objLeads, ids[3], "cancel"))

	list := func(q string) []string {
		t.Helper()
		env := e.mustOK(e.call("GET", "/bulk/v1/leads/export.json"+q, nil))
		var out []string
		for i := range env.Result {
			var st exportStatus
			env.item(i, &st)
			out = append(out, st.ExportID+":"+st.Status)
		}
		return out
	}
	if diff := cmp.Diff([]string{ids[3] + ":Cancelled", ids[4] + ":Completed"}, list("?status=Completed,Cancelled")); diff != "" {
		t.Errorf("comma status filter (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{ids[3] + ":Cancelled", ids[4] + ":Completed"}, list("?status=completed&status=canceled")); diff != "" {
		t.Errorf("repeated lower-case status filter (-want +got):\n%s", diff)
	}
	// paging
	var all []string
	q := "?batchSize=2"
	for pages := 0; pages < 10; pages++ {
		env := e.mustOK(e.call("GET", "/bulk/v1/leads/export.json"+q, nil))
		for i := range env.Result {
			var st exportStatus
			env.item(i, &st)
			all = append(all, st.ExportID)
		}
		if env.NextPageToken == "" {
			break
		}
		q = "?batchSize=2&nextPageToken=" + env.NextPageToken
	}
	if diff := cmp.Diff(ids, all); diff != "" {
		t.Errorf("paged listing (-want +got):\n%s", diff)
	}
	// list window: 7 days
	e.s.Advance(8 * 24 * 60 * statusRefresh)
	if got := list(""); len(got) != 0 {
		t.Errorf("jobs older than 7 days listed: %v", got)
	}
}
