package marketo

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescribeLead(t *testing.T) {
	env := setup(t)
	h, n := sequence(serveFixture(t, "F15a_describe_lead2.json"))
	env.handle("GET /rest/v1/leads/describe2.json", h)
	d, resp, err := env.client.Describe.Lead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "API Lead" || len(d.Fields) != 5 || resp.RequestID != "1584e#176fde56c46" {
		t.Errorf("got %s with %d fields, requestId %q", d.Name, len(d.Fields), resp.RequestID)
	}
	want := Field{Name: "email", DisplayName: "Email Address", DataType: "email", Length: 255, Updateable: true}
	if diff := cmp.Diff(want, d.Fields[0]); diff != "" {
		t.Errorf("email field (-want +got):\n%s", diff)
	}
	if f, ok := d.FieldByName("createdAt"); !ok || f.Updateable || f.DataType != "datetime" {
		t.Errorf("createdAt = %+v, %v", f, ok)
	}
	if diff := cmp.Diff([][]string{{"cookies"}, {"email"}, {"id"}, {"leadPartitionId"}, {"mktoName"}}, d.SearchableFields); diff != "" {
		t.Errorf("searchable (-want +got):\n%s", diff)
	}
	// Cached: a second call does not reach the server.
	d2, _, err := env.client.Describe.Lead(ctx)
	if err != nil || d2 != d || n.Load() != 1 {
		t.Errorf("second describe: err %v, same %v, server calls %d", err, d2 == d, n.Load())
	}
}

func TestDescribeProgramMember(t *testing.T) {
	env := setup(t)
	env.handle("GET /rest/v1/programs/members/describe.json", serveFixture(t, "F15b_describe_program_member.json"))
	d, _, err := env.client.Describe.Object(ctx, ProgramMembers)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "API Program Membership" || !cmp.Equal(d.DedupeFields, []string{"leadId", "programId"}) {
		t.Errorf("got %+v", d)
	}
	if f, _ := d.FieldByName("nurtureCadence"); f.Length != 4 {
		t.Errorf("nurtureCadence = %+v", f)
	}
}

func TestDescribeCustomObject(t *testing.T) {
	env := setup(t)
	h, n := sequence(serveFixture(t, "F15c_describe_custom_object.json"))
	env.handle("GET /rest/v1/customobjects/car_c/describe.json", h)
	d, _, err := env.client.Describe.CustomObject(ctx, "car_c")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "car_c" || d.DisplayName != "Car" || d.IDField != "marketoGUID" || !cmp.Equal(d.DedupeFields, []string{"vIN"}) {
		t.Errorf("got %+v", d)
	}
	// Marketo matches custom object fields case-insensitively (leadId vs leadID).
	if f, ok := d.FieldByName("leadId"); !ok || f.Name != "leadID" {
		t.Errorf("FieldByName(leadId) = %+v, %v", f, ok)
	}
	if _, _, err := env.client.Describe.Object(ctx, CustomObject("car_c")); err != nil || n.Load() != 1 {
		t.Errorf("Object(car_c): err %v, server calls %d", err, n.Load())
	}
	if _, _, err := env.client.Describe.CustomObject(ctx, "../leads"); err == nil {
		t.Error("invalid API name accepted")
	}
	if _, _, err := env.client.Describe.Object(ctx, Activities); err == nil {
		t.Error("activities described as an object")
	}
}

func TestDescribeActivityTypes(t *testing.T) {
	env := setup(t)
	env.handle("GET /rest/v1/activities/types.json", serveFixture(t, "F15d_activity_types.json"))
	types, _, err := env.client.Describe.ActivityTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != 2 {
		t.Fatalf("got %d types", len(types))
	}
	want := ActivityType{ID: 2, Name: "Fill Out Form", Description: "User fills out and submits form on web page",
		PrimaryAttribute: &ActivityAttribute{Name: "Webform ID", DataType: "integer"},
		Attributes: []ActivityAttribute{{"Client IP Address", "string"}, {"Form Fields", "text"}, {"Query Parameters", "string"},
			{"Referrer URL", "string"}, {"User Agent", "string"}, {"Webpage ID", "integer"}}}
	if diff := cmp.Diff(want, types[0]); diff != "" {
		t.Errorf("type 2 (-want +got):\n%s", diff)
	}
}

// TestDescribeCacheConcurrentAndErrors: concurrent callers share one call;
// a failure is not cached.
func TestDescribeCacheConcurrentAndErrors(t *testing.T) {
	env := setup(t)
	h, n := sequence(serveFixture(t, "F11_error_1003_invalid_fields.json"), serveFixture(t, "F15a_describe_lead2.json"))
	env.handle("GET /rest/v1/leads/describe2.json", h)
	if _, _, err := env.client.Describe.Lead(ctx); !hasCode(err, "1003") {
		t.Fatalf("err = %v, want 1003", err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := env.client.Describe.Lead(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n.Load() != 2 {
		t.Errorf("server calls = %d, want 2 (one failure, one success shared by 20 callers)", n.Load())
	}
}

func TestDescribeEmptyResult(t *testing.T) {
	env := setup(t)
	env.handle("GET /rest/v1/customobjects/nope_c/describe.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"requestId":"e#1","result":[],"success":true}`))
	})
	_, _, err := env.client.Describe.CustomObject(ctx, "nope_c")
	if e, ok := asError(err); !ok || e.Code != "empty_result" || e.RequestID != "e#1" {
		t.Errorf("err = %v", err)
	}
}

func TestParseObject(t *testing.T) {
	for in, want := range map[string]Object{
		"leads":              Leads,
		"activities":         Activities,
		"programMembers":     ProgramMembers,
		"customObject:car_c": CustomObject("car_c"),
		"customObject:Car":   CustomObject("Car"),
		"car_c":              CustomObject("car_c"),
	} {
		got, err := ParseObject(in)
		if err != nil || got != want {
			t.Errorf("ParseObject(%q) = %v, %v", in, got, err)
		}
		if in != "car_c" && got.String() != in {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	for _, in := range []string{"lead", "", "customObject:", "customObject:a/b", "car"} {
		if _, err := ParseObject(in); err == nil {
			t.Errorf("ParseObject(%q) succeeded", in)
		}
	}
}
