package sandbox

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLeadImport(t *testing.T) {
	e := startSandbox(t, Config{})
	file := "email,firstName,lastName,leadScore,npsScore,industryTier\n" +
		"ava.new@example.com,Ava,New,10,9,Tier 1\n" + // new lead
		"emma.smith1@example.com,Emma,Smith,TEXT_VALUE_IN_INTEGER_FIELD,,\n" + // bad integer
		",No,Email,5,,\n" + // no lookup value
		"bad-address,Bad,Email,5,,\n" // invalid email: imported with a warning
	// existing lead 7, found by its generated email
	var existing string
	e.s.mu.Lock()
	existing = e.s.data.leadValue(e.s.gen, 7, lfEmail)
	e.s.mu.Unlock()
	file += existing + ",Changed,Name,99,,Tier 3\n"

	st := e.runImport(impLeads, url.Values{"format": {"csv"}}, []byte(file))
	want := map[string]any{"batchId": st["batchId"], "importId": st["importId"], "status": "Complete",
		"numOfLeadsProcessed": 3.0, "numOfRowsFailed": 2.0, "numOfRowsWithWarning": 1.0,
		"message": "Import completed with errors, 3 records imported (3 members), 2 failed, 1 warning."}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	id := int(st["batchId"].(float64))
	code, h, failures := e.raw("GET", e.importBatchPath(impLeads, id, "failures"), nil, nil)
	wantFailures := "email,firstName,lastName,leadScore,npsScore,industryTier,Import Failure Reason\n" +
		"emma.smith1@example.com,Emma,Smith,TEXT_VALUE_IN_INTEGER_FIELD,,,Invalid data type in field Lead Score\n" +
		",No,Email,5,,,Value for lookup field 'email' not found\n"
	if code != 200 || string(failures) != wantFailures || h.Get("Content-Type") != "text/csv;charset=UTF-8" {
		t.Errorf("failures: %d %q\n%s", code, h.Get("Content-Type"), failures)
	}
	_, _, warnings := e.raw("GET", e.importBatchPath(impLeads, id, "warnings"), nil, nil)
	if want := "email,firstName,lastName,leadScore,npsScore,industryTier,Import Warning Reason\nbad-address,Bad,Email,5,,,Invalid email address\n"; string(warnings) != want {
		t.Errorf("warnings:\n%s", warnings)
	}

	// imported leads show up in a later export
	_, b := e.runExport(objLeads, `{"fields":["id","email","firstName","leadScore","industryTier"],"filter":{"staticListId":1}}`)
	if !bytes.Contains(b, []byte("7,"+existing+",Changed,99,Tier 3\n")) {
		t.Errorf("updated lead 7 not exported as changed")
	}
	_, b = e.runExport(objLeads, `{"fields":["email","firstName","leadScore"],"filter":{"createdAt":{"startAt":"`+jsonTime(e.s.Now().Add(-24*60*statusRefresh))+`","endAt":"`+jsonTime(e.s.Now())+`"}}}`)
	rows := csvRows(t, b, ',')
	if diff := cmp.Diff([][]string{{"email", "firstName", "leadScore"}, {"ava.new@example.com", "Ava", "10"}, {"bad-address", "Bad", "5"}}, rows); diff != "" {
		t.Errorf("new leads by createdAt (-want +got):\n%s", diff)
	}

	// a clean import has no failures file: 404
	st = e.runImport(impLeads, url.Values{"format": {"csv"}, "lookupField": {"id"}, "listId": {"5"}}, []byte("id,title\n7,CEO\n"))
	if st["message"] != "Import succeeded, 1 records imported (1 members)" {
		t.Errorf("clean import: %v", st)
	}
	id = int(st["batchId"].(float64))
	for _, rep := range []string{"failures", "warnings"} {
		if code, _, _ := e.raw("GET", e.importBatchPath(impLeads, id, rep), nil, nil); code != 404 {
			t.Errorf("%s of a clean import: %d", rep, code)
		}
	}
	st = e.runImport(impLeads, url.Values{"format": {"csv"}, "lookupField": {"id"}}, []byte("id,title\n999999,CEO\n"))
	if st["numOfRowsFailed"] != 1.0 {
		t.Errorf("lookupField=id must not create leads: %v", st)
	}
	if got := e.stats().Imports; got.Created != 3 || got.RowsProcessed != 4 || got.RowsFailed != 3 {
		t.Errorf("import stats: %+v", got)
	}
}

func TestCustomObjectImport(t *testing.T) {
	e := startSandbox(t, Config{})
	// The documented quirk: " vin" is not vin, so every row lacks the dedupe field.
	st := e.runImport(impCustomObject, url.Values{"format": {"csv"}},
		[]byte("color,make,model, vin\nred,bmw,2002,WBA4R7C55HK895912\nblue,vw,golf,X1\ngreen,ford,f150,X2\n"))
	if st["status"] != "Complete" || st["numOfObjectsProcessed"] != 0.0 || st["numOfRowsFailed"] != 3.0 ||
		st["message"] != "Import completed with errors, 0 records imported (0 members), 3 failed" ||
		st["operation"] != "import" || st["objectApiName"] != "car_c" || !strings.HasSuffix(st["importTime"].(string), " second(s)") {
		t.Errorf("status: %v", st)
	}
	_, _, failures := e.raw("GET", e.importBatchPath(impCustomObject, int(st["batchId"].(float64)), "failures"), nil, nil)
	if !strings.HasPrefix(string(failures), "color,make,model, vin,Import Failure Reason\nred,bmw,2002,WBA4R7C55HK895912,missing.dedupe.fields\n") {
		t.Errorf("failures:\n%s", failures)
	}

	// new cars and an update of a generated one, visible in the next export
	e.s.mu.Lock()
	c := e.s.gen.car(firstLeadWithCars(e.s.gen), 0)
	e.s.mu.Unlock()
	file := "vin;make;model;color;year;leadID\n" +
		"NEWVIN00000000001;Tesla;Model 3;red;2024;3\n" +
		c.vin() + ";" + carMakes[c.make].name + ";" + carMakes[c.make].models[c.model] + ";purple;2020;\n" +
		"NEWVIN00000000002;Tesla;Model Y;red;2024.5;3\n" + // decimal in integer field
		"NEWVIN00000000003;Tesla;Model Y;red;2024;\n" // new car without its lead
	st = e.runImport(impCustomObject, url.Values{"format": {"ssv"}}, []byte(file))
	if st["numOfObjectsProcessed"] != 2.0 || st["numOfRowsFailed"] != 2.0 {
		t.Errorf("status: %v", st)
	}
	_, b := e.runExport(objCustomObject, `{"fields":["vin","color","leadID"],"filter":{"staticListId":1}}`)
	if !bytes.Contains(b, []byte("NEWVIN00000000001,red,3\n")) || !bytes.Contains(b, []byte(c.vin()+",purple,"+itoa(int(c.lead))+"\n")) {
		t.Errorf("imported cars not exported")
	}
	if bytes.Contains(b, []byte("NEWVIN00000000002")) {
		t.Errorf("failed row was imported")
	}
}

func firstLeadWithCars(g *generator) int64 {
	for id := int64(1); ; id++ {
		if g.carCount(id) > 0 {
			return id
		}
	}
}

func TestProgramMemberImport(t *testing.T) {
	e := startSandbox(t, Config{})
	file := "firstName,lastName,email,title,company,leadScore,registrationCode\n" +
		"Aerys,Targaryen,INVALID_EMAIL,Targaryen,House Targaryen,0,R-1\n"
	code, b := e.upload("/bulk/v1/program/1002/members/import.json", nil,
		map[string]string{"format": "CSV", "programMemberStatus": "Registered"}, []byte(file))
	if code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	var env wireEnvelope
	json.Unmarshal(b, &env)
	var created map[string]any
	env.item(0, &created)
	if diff := cmp.Diff(map[string]any{"batchId": created["batchId"], "importId": itoa(int(created["batchId"].(float64))), "status": "Queued"}, created); diff != "" {
		t.Errorf("create (-want +got):\n%s", diff)
	}
	id := int(created["batchId"].(float64))
	st := e.waitImport(impProgramMembers, id)
	if st["message"] != "Import succeeded, 1 records imported (1 members), 1 warning." || st["numOfLeadsProcessed"] != 1.0 {
		t.Errorf("status: %v", st)
	}
	_, _, warnings := e.raw("GET", e.importBatchPath(impProgramMembers, id, "warnings"), nil, nil)
	if want := "firstName,lastName,email,title,company,leadScore,registrationCode,Import Warning Reason\nAerys,Targaryen,INVALID_EMAIL,Targaryen,House Targaryen,0,R-1,Invalid email address\n"; string(warnings) != want {
		t.Errorf("warnings:\n%s", warnings)
	}
	_, out := e.runExport(objProgramMembers, `{"fields":["email","statusName","registrationCode","reachedSuccess"],"filter":{"programId":1002,"statusNames":["Registered"]}}`)
	if diff := cmp.Diff([][]string{{"email", "statusName", "registrationCode", "reachedSuccess"}, {"INVALID_EMAIL", "Registered", "R-1", "false"}}, csvRows(t, out, ',')); diff != "" {
		t.Errorf("exported member (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		path, status, want string
	}{
		{"/bulk/v1/program/1002/members/import.json", "", "1003 programMemberStatus cannot be blank"},
		{"/bulk/v1/program/1002/members/import.json", "Nope", "1003 Invalid programMemberStatus 'Nope'"},
		{"/bulk/v1/program/42/members/import.json", "Member", "1003 Invalid programId '42'"},
	} {
		_, b := e.upload(tc.path, url.Values{"format": {"CSV"}, "programMemberStatus": {tc.status}}, nil, []byte(file))
		var env wireEnvelope
		json.Unmarshal(b, &env)
		if env.errCode() != tc.want {
			t.Errorf("%s %q: %s", tc.path, tc.status, b)
		}
	}
}

func TestImportLimits(t *testing.T) {
	e := startSandbox(t, Config{})
	csvFile := []byte("email\na@example.com\n")
	expect := func(code int, b []byte, wantHTTP int, want string) {
		t.Helper()
		if code != wantHTTP {
			t.Fatalf("HTTP %d %s, want %d", code, b, wantHTTP)
		}
		if want != "" {
			var env wireEnvelope
			json.Unmarshal(b, &env)
			if env.errCode() != want {
				t.Errorf("got %s, want %s", b, want)
			}
		}
	}
	code, b := e.upload(importPaths[impLeads], url.Values{"format": {"csv"}}, nil, []byte{})
	expect(code, b, 200, "1003 Empty File")
	code, b = e.upload(importPaths[impLeads], nil, nil, csvFile)
	expect(code, b, 200, "1003 format cannot be blank")
	code, b = e.upload(importPaths[impLeads], url.Values{"format": {"csv"}, "lookupField": {"firstName"}}, nil, csvFile)
	expect(code, b, 200, "1003 Invalid lookupField 'firstName'")
	big := bytes.Repeat([]byte("x"), maxImportBytes+1)
	code, b = e.upload(importPaths[impLeads], url.Values{"format": {"csv"}}, nil, big)
	expect(code, b, 413, "")

	// ten queued (two importing) across the three objects, then 1016
	for i := range 10 {
		obj := []importObject{impLeads, impCustomObject, impProgramMembers}[i%3]
		code, b = e.upload(importPaths[obj], url.Values{"format": {"csv"}, "programMemberStatus": {"Member"}}, nil, csvFile)
		expect(code, b, 200, "")
	}
	code, b = e.upload(importPaths[impLeads], url.Values{"format": {"csv"}}, nil, csvFile)
	expect(code, b, 200, "1016 Too many imports")
	e.s.mu.Lock()
	running := len(e.s.imports.running)
	e.s.mu.Unlock()
	if running != 2 {
		t.Errorf("%d importing, want 2", running)
	}
	// statuses while queued: no counts yet
	env := e.mustOK(e.call("GET", e.importBatchPath(impLeads, firstBatchID+9, ""), nil))
	var st map[string]any
	env.item(0, &st)
	if diff := cmp.Diff(map[string]any{"batchId": float64(firstBatchID + 9), "importId": itoa(firstBatchID + 9), "status": "Queued"}, st); diff != "" {
		t.Errorf("queued status (-want +got):\n%s", diff)
	}
	e.waitImport(impLeads, firstBatchID+9)
	if got := e.stats().Imports.MaxRunning; got != 2 {
		t.Errorf("maxRunning = %d", got)
	}
}

// TestReimportExport: a CSV exported from the sandbox imports back with no
// failures (null placeholders count as empty).
func TestReimportExport(t *testing.T) {
	e := startSandbox(t, Config{})
	_, b := e.runExport(objLeads, `{"fields":["id","email","firstName","lastName","company","title","phone","city","state","country","postalCode","leadScore","leadSource","leadStatus","unsubscribed","emailInvalid","createdAt","updatedAt","cookies","leadPartitionId","industryTier","npsScore"],"filter":{"staticListId":3}}`)
	rows := int64(bytes.Count(b, []byte("\n")) - 1)
	st := e.runImport(impLeads, url.Values{"format": {"csv"}}, b)
	if st["numOfRowsFailed"] != 0.0 || st["numOfRowsWithWarning"] != 0.0 || st["numOfLeadsProcessed"] != float64(rows) {
		t.Errorf("re-import of %d rows: %v", rows, st)
	}
	// the same data, now stored, exports to the same cells except updatedAt
	_, again := e.runExport(objLeads, `{"fields":["id","email","company","npsScore","leadScore"],"filter":{"staticListId":3}}`)
	_, orig := startSandbox(t, Config{}).runExport(objLeads, `{"fields":["id","email","company","npsScore","leadScore"],"filter":{"staticListId":3}}`)
	if !bytes.Equal(again, orig) {
		t.Errorf("round trip changed data")
	}
}
