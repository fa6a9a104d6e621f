package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const validExport = `{"apiVersion":"mkbulk/v1","kind":"Export","metadata":{"name":"leads-q1","labels":{"team":"ops","n":1}},
 "spec":{"object":"leads","fields":["id","email"],"columnHeaderNames":{"id":"ID"},"format":"CSV",
  "filter":{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-03-31T23:59:59Z"}},"window":"31d","output":"out/leads.csv"}}`

const validImport = `{"apiVersion":"mkbulk/v1","kind":"Import","metadata":{"name":"members"},
 "spec":{"object":"programMembers","source":"data/a.csv","programId":1002,"programMemberStatus":"Registered","maxFailedRows":3}}`

func TestValidateAcceptsValidDocuments(t *testing.T) {
	for _, doc := range []string{validExport, validImport,
		`{"apiVersion":"mkbulk/v1","kind":"Export","metadata":{"name":"a"},"spec":{"object":"activities","filter":{"createdAt":{"startAt":"2026-10-01T00:00:00Z"},"activityTypeIds":[1,2]},"window":"12h","output":"o/{window}.csv"}}`,
		`{"apiVersion":"mkbulk/v1","kind":"Export","metadata":{"name":"a"},"spec":{"object":"customObject","apiName":"car_c","fields":["vin"],"filter":{"staticListId":1},"window":"1d12h","output":"o.csv"}}`,
	} {
		if errs := Validate(decode(t, doc)); len(errs) != 0 {
			t.Errorf("Validate(%s) = %+v, want none", doc, errs)
		}
	}
}

func TestValidateExplainsErrors(t *testing.T) {
	tests := map[string]struct {
		doc  string
		want []Error
	}{
		"unknown spec field": {
			doc: strings.Replace(validExport, `"fields"`, `"feilds"`, 1),
			want: []Error{
				{Pointer: "/spec", Keyword: "required", Message: `missing required field "fields" in spec`, Field: "fields"},
				{Pointer: "/spec/feilds", Keyword: "additionalProperties", Message: `unknown field "feilds" in spec`, Field: "feilds",
					Allowed: []string{"apiName", "columnHeaderNames", "fields", "filter", "format", "object", "output", "window"}},
			},
		},
		"unknown top-level field": {
			doc: strings.Replace(validImport, `"kind"`, `"extra":1,"kind"`, 1),
			want: []Error{{Pointer: "/extra", Keyword: "additionalProperties", Message: `unknown top-level field "extra"`, Field: "extra",
				Allowed: []string{"apiVersion", "kind", "metadata", "spec"}}},
		},
		"missing envelope fields": {
			doc: `{"kind":"Export","spec":{}}`,
			want: []Error{
				{Pointer: "", Keyword: "required", Message: `missing required field "apiVersion"`, Field: "apiVersion"},
				{Pointer: "", Keyword: "required", Message: `missing required field "metadata"`, Field: "metadata"},
				{Pointer: "/spec", Keyword: "required", Message: `missing required field "filter" in spec`, Field: "filter"},
				{Pointer: "/spec", Keyword: "required", Message: `missing required field "object" in spec`, Field: "object"},
				{Pointer: "/spec", Keyword: "required", Message: `missing required field "output" in spec`, Field: "output"},
			},
		},
		"enum": {
			doc:  strings.Replace(validExport, `"format":"CSV"`, `"format":"csv"`, 1),
			want: []Error{{Pointer: "/spec/format", Keyword: "enum", Message: `spec.format: must be one of CSV, TSV, SSV`, Allowed: []string{"CSV", "TSV", "SSV"}}},
		},
		"const": {
			doc:  strings.Replace(validExport, `mkbulk/v1`, `mkbulk/v2`, 1),
			want: []Error{{Pointer: "/apiVersion", Keyword: "const", Message: `apiVersion: must be "mkbulk/v1"`, Allowed: []string{"mkbulk/v1"}}},
		},
		"type and definition name": {
			doc: strings.Replace(strings.Replace(validExport, `"31d"`, `31`, 1), `"2026-01-01T00:00:00Z"`, `2026`, 1),
			want: []Error{
				{Pointer: "/spec/filter/createdAt/startAt", Keyword: "type", Message: `spec.filter.createdAt.startAt: must be an RFC 3339 date-time like 2026-01-01T00:00:00Z, got an integer`},
				{Pointer: "/spec/window", Keyword: "type", Message: `spec.window: must be a duration like 31d, 7d or 12h, got an integer`},
			},
		},
		"pattern": {
			doc: strings.Replace(strings.Replace(validExport, `"leads-q1"`, `"Leads_Q1"`, 1), `"31d"`, `"31 days"`, 1),
			want: []Error{
				{Pointer: "/metadata/name", Keyword: "pattern", Message: `metadata.name: must be a name of lowercase letters, digits and "-" that starts and ends with a letter or digit (at most 63 characters), got "Leads_Q1"`},
				{Pointer: "/spec/window", Keyword: "pattern", Message: `spec.window: must be a duration like 31d, 7d or 12h, got "31 days"`},
			},
		},
		"list items and sizes": {
			doc: `{"apiVersion":"mkbulk/v1","kind":"Export","metadata":{"name":"a"},"spec":{"object":"programMembers","fields":[],
				"filter":{"programIds":[1,2,3,4,5,6,7,8,9,10,11],"isExhausted":"no"},"output":""}}`,
			want: []Error{
				{Pointer: "/spec/fields", Keyword: "minItems", Message: `spec.fields: must not be empty`},
				{Pointer: "/spec/filter/isExhausted", Keyword: "type", Message: `spec.filter.isExhausted: must be true or false, got a string`},
				{Pointer: "/spec/filter/programIds", Keyword: "maxItems", Message: `spec.filter.programIds: at most 10 items are allowed, got 11`},
				{Pointer: "/spec/output", Keyword: "minLength", Message: `spec.output: must not be empty`},
			},
		},
		"per-object filter shape": {
			doc: `{"apiVersion":"mkbulk/v1","kind":"Export","metadata":{"name":"a"},"spec":{"object":"activities",
				"filter":{"activityTypeIds":[0], "programId": 3},"output":"a/{window}.csv"}}`,
			want: []Error{
				{Pointer: "/spec/filter", Keyword: "required", Message: `missing required field "createdAt" in spec.filter`, Field: "createdAt"},
				{Pointer: "/spec/filter/activityTypeIds/0", Keyword: "minimum", Message: `spec.filter.activityTypeIds[0]: must be at least 1, got 0`},
				{Pointer: "/spec/filter/programId", Keyword: "additionalProperties", Message: `unknown field "programId" in spec.filter`, Field: "programId",
					Allowed: []string{"activityTypeIds", "createdAt", "primaryAttributeValueIds", "primaryAttributeValues"}},
			},
		},
		"import per-object requirements": {
			doc: `{"apiVersion":"mkbulk/v1","kind":"Import","metadata":{"name":"a"},"spec":{"object":"programMembers","source":"a.csv","maxFailedRows":-1}}`,
			want: []Error{
				{Pointer: "/spec", Keyword: "required", Message: `missing required field "programId" in spec`, Field: "programId"},
				{Pointer: "/spec", Keyword: "required", Message: `missing required field "programMemberStatus" in spec`, Field: "programMemberStatus"},
				{Pointer: "/spec/maxFailedRows", Keyword: "minimum", Message: `spec.maxFailedRows: must be at least 0, got -1`},
			},
		},
		"not a mapping": {
			doc:  `["a"]`,
			want: []Error{{Pointer: "", Keyword: "type", Message: `document: must be a mapping, got a list`}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Validate(decode(t, tc.doc))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONIsTheEmbeddedSchema(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(JSON(), &v); err != nil {
		t.Fatal(err)
	}
	if v["$id"] != ID || v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$id = %v, $schema = %v", v["$id"], v["$schema"])
	}
	b := JSON()
	b[0] = 'x'
	if JSON()[0] == 'x' {
		t.Error("JSON returned the embedded slice; callers could corrupt it")
	}
}

func TestPath(t *testing.T) {
	doc := decode(t, `{"spec":{"fields":["a","b"],"m":{"x/y":1}}}`)
	for ptr, want := range map[string]string{
		"":                  "document",
		"/spec":             "spec",
		"/spec/fields/1":    "spec.fields[1]",
		"/spec/m/x~1y":      "spec.m.x/y",
		"/spec/nope/deeper": "spec.nope.deeper",
	} {
		if got := Path(doc, ptr); got != want {
			t.Errorf("Path(%q) = %q, want %q", ptr, got, want)
		}
	}
}
