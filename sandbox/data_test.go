package sandbox

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestDescribe(t *testing.T) {
	e := startSandbox(t, Config{})
	var lead struct {
		Name             string     `json:"name"`
		SearchableFields [][]string `json:"searchableFields"`
		Fields           []fieldDef `json:"fields"`
	}
	e.mustOK(e.call("GET", "/rest/v1/leads/describe2.json", nil)).item(0, &lead)
	byName := map[string]fieldDef{}
	for _, f := range lead.Fields {
		byName[f.Name] = f
	}
	for _, name := range []string{"id", "email", "firstName", "lastName", "company", "title", "phone", "city", "state", "country",
		"leadScore", "leadSource", "leadStatus", "unsubscribed", "emailInvalid", "createdAt", "updatedAt", "cookies", "leadPartitionId"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("describe2 lacks %s", name)
		}
	}
	if f := byName["industryTier"]; f.DataType != "string" || f.Length != 255 || !f.Updateable {
		t.Errorf("industryTier: %+v", f)
	}
	if f := byName["npsScore"]; f.DataType != "integer" {
		t.Errorf("npsScore: %+v", f)
	}
	if lead.Name != "API Lead" || len(lead.SearchableFields) == 0 {
		t.Errorf("describe2: %+v", lead)
	}

	env := e.mustOK(e.call("GET", "/rest/v1/leads/describe.json", nil))
	var v1 map[string]any
	env.item(1, &v1)
	if v1["rest"].(map[string]any)["name"] != "email" || v1["soap"].(map[string]any)["name"] != "Email" || v1["id"] != 2.0 {
		t.Errorf("describe v1: %v", v1)
	}

	for _, path := range []string{"/rest/v1/programs/members/describe.json", "/rest/v1/program/members/describe.json"} {
		var pm pmDescribe
		e.mustOK(e.call("GET", path, nil)).item(0, &pm)
		if pm.Name != "API Program Membership" || len(pm.Fields) != numPMFields || pm.DedupeFields[1] != "programId" {
			t.Errorf("%s: %+v", path, pm)
		}
	}
	var co coDescribe
	e.mustOK(e.call("GET", "/rest/v1/customobjects/car_c/describe.json", nil)).item(0, &co)
	if co.Name != "car_c" || co.DedupeFields[0] != "vin" || co.IDField != "marketoGUID" || co.Relationships[0].RelatedTo.Name != "Lead" || len(co.Fields) != numCarFields {
		t.Errorf("car_c: %+v", co)
	}
	if env := e.call("GET", "/rest/v1/customobjects/boat_c/describe.json", nil); env.errCode() != "1013 Object not found" {
		t.Errorf("unknown object: %s", env.raw)
	}
	env = e.mustOK(e.call("GET", "/rest/v1/activities/types.json", nil))
	ids := map[int]string{}
	for i := range env.Result {
		var at activityType
		env.item(i, &at)
		ids[at.ID] = at.Name
	}
	for id, name := range map[int]string{1: "Visit Webpage", 2: "Fill Out Form", 6: "Send Email", 7: "Email Delivered", 10: "Open Email",
		11: "Click Email", 12: "New Lead", 13: "Change Data Value", 22: "Change Score", 24: "Add to List", 104: "Change Status in Progression"} {
		if ids[id] != name {
			t.Errorf("activity type %d = %q, want %q", id, ids[id], name)
		}
	}
}

// TestGeneratedSafeColumns backs the quoting shortcut: columns marked safe
// never produce a delimiter, quote or newline in generated data.
func TestGeneratedSafeColumns(t *testing.T) {
	g := newGenerator(3, 20000)
	check := func(what string, f int, b []byte) {
		t.Helper()
		if bytes.ContainsAny(b, ",;\t\"\r\n") {
			t.Fatalf("%s field %d: %q needs quoting but is marked safe", what, f, b)
		}
	}
	var acts []baseActivity
	for id := int64(1); id <= 20000; id += 7 {
		l := g.lead(id)
		for f := range numLeadFields {
			if baseSafe(srcLead, f) {
				check("lead", f, l.appendRaw(nil, f))
			}
		}
		for _, p := range programs {
			m := g.member(&p, id)
			for f := range numPMFields {
				check("member", f, m.appendRaw(nil, f))
			}
		}
		for k := range g.carCount(id) {
			c := g.car(id, k)
			for f := range numCarFields {
				check("car", f, c.appendRaw(nil, f))
			}
		}
		acts = g.activities(id, acts[:0])
		for _, a := range acts {
			for f := range numActivityFields {
				if baseSafe(srcActivity, f) {
					check("activity", f, a.appendRaw(nil, f))
				}
			}
			var m map[string]any
			if err := json.Unmarshal(a.appendRaw(nil, afAttributes), &m); err != nil {
				t.Fatalf("attributes of type %d: %v", a.typ, err)
			}
		}
	}
}

// TestGeneratedData checks the generator's promises: ids grow with
// createdAt inside the window, emails and VINs lead back to their records,
// and the seed decides everything.
func TestGeneratedData(t *testing.T) {
	g := newGenerator(1, 50000)
	prev := int64(0)
	for id := int64(1); id <= 50000; id++ {
		c := g.createdAt(id)
		if c <= prev || c < dataStart || c > dataEnd {
			t.Fatalf("createdAt(%d) = %d after %d", id, c, prev)
		}
		prev = c
	}
	lo, hi := g.idRange(dataStart+100*day, dataStart+130*day)
	if g.createdAt(lo) < dataStart+100*day || g.createdAt(lo-1) >= dataStart+100*day || g.createdAt(hi) > dataStart+130*day || g.createdAt(hi+1) <= dataStart+130*day {
		t.Errorf("idRange = [%d,%d]", lo, hi)
	}
	d := newDataset(50000)
	for _, id := range []int64{1, 777, 50000} {
		l := g.lead(id)
		if got := d.leadByEmail(g, string(l.appendRaw(nil, lfEmail))); got != id {
			t.Errorf("leadByEmail(lead %d) = %d", id, got)
		}
		if l.cookie != 0 {
			if got := d.leadByField(g, lfCookies, string(l.appendRaw(nil, lfCookies))); got != id {
				t.Errorf("leadByField(cookies of %d) = %d", id, got)
			}
		}
	}
	l3 := g.lead(3)
	if d.leadByEmail(g, "ava.smith3@example.com") == 3 && string(l3.appendRaw(nil, lfEmail)) != "ava.smith3@example.com" {
		t.Error("leadByEmail accepted a made-up email")
	}
	id := firstLeadWithCars(g)
	c := g.car(id, 0)
	if back, ok := g.carFromVin(c.vin()); !ok || back.lead != id || len(c.vin()) != 17 {
		t.Errorf("carFromVin(%s) = %v %v", c.vin(), back, ok)
	}
	a, b := newGenerator(1, 100).lead(42), newGenerator(2, 100).lead(42)
	if string(a.appendRaw(nil, lfEmail)) == string(b.appendRaw(nil, lfEmail)) && a.score == b.score && a.company == b.company {
		t.Error("seed does not change the data")
	}
}

// TestDeterministicFiles: the same seed gives byte-identical files.
func TestDeterministicFiles(t *testing.T) {
	body := `{"fields":["id","email","company","createdAt","cookies"],"filter":{"staticListId":2}}`
	a, _ := startSandbox(t, Config{Seed: 9}).runExport(objLeads, body)
	b, _ := startSandbox(t, Config{Seed: 9}).runExport(objLeads, body)
	c, _ := startSandbox(t, Config{Seed: 10}).runExport(objLeads, body)
	if a.FileChecksum != b.FileChecksum || a.FileChecksum == c.FileChecksum {
		t.Errorf("checksums: seed 9 %s and %s, seed 10 %s", a.FileChecksum, b.FileChecksum, c.FileChecksum)
	}
}

func TestAppendDateTime(t *testing.T) {
	for _, u := range []int64{0, 951782400, 1735689600, 1767225599, 4102444800, 1709164800} {
		want := formatUnix(u)
		if got := formatDateTime(u); got != want {
			t.Errorf("%d: %s, want %s", u, got, want)
		}
	}
}

func formatUnix(u int64) string { return timeUnixUTC(u).Format("2006-01-02T15:04:05Z") }
