package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func ptr[T any](v T) *T { return &v }

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestLoadTypesSpecsWithDefaults checks the typed result: defaults,
// resolved paths, document order and indexes, file digests.
func TestLoadTypesSpecsWithDefaults(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"b.yaml": `# exports
apiVersion: mkbulk/v1
kind: Export
metadata:
  name: acts
  labels: {team: ops, tier: 1, live: true}
spec:
  object: activities
  filter:
    createdAt:
      startAt: 2026-10-01T00:00:00Z
    activityTypeIds: [1, 2]
    primaryAttributeValues: [a]
  window: 12h
  output: ./out/{window}.csv
---
---
apiVersion: mkbulk/v1
kind: Export
metadata:
  name: members
spec:
  object: programMembers
  fields: [leadId, statusName]
  columnHeaderNames: {statusName: Status}
  format: TSV
  filter:
    programIds: [1001, 1002]
    isExhausted: false
    statusNames: [Registered]
    updatedAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-01-31T23:59:59Z}
  output: members.tsv
`,
		"a.yml": `apiVersion: mkbulk/v1
kind: Import
metadata:
  name: cars
spec:
  object: customObject
  apiName: car_c
  source: data/cars.csv
  format: SSV
  maxFailedRows: 5
`,
		"data/cars.csv": "vin;make\n1;VW\n",
		".hidden.yaml":  "not: [valid",
		"notes.txt":     "not a manifest",
		"sub/x.yaml":    "not: [valid",
	})
	set, diags := Load(dir)
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics:\n%v", diags)
	}
	wantExports := []*Export{
		{
			Source:   Source{File: "b.yaml", Doc: 0, Pos: Pos{File: "b.yaml", Line: 5, Col: 9}},
			Metadata: Metadata{Name: "acts", Labels: map[string]string{"team": "ops", "tier": "1", "live": "true"}},
			Object:   ObjectActivities,
			Format:   FormatCSV,
			Filter: ExportFilter{
				CreatedAt:              &DateRange{StartAt: date("2026-10-01T00:00:00Z")},
				ActivityTypeIDs:        []int{1, 2},
				PrimaryAttributeValues: []string{"a"},
			},
			Window: 12 * time.Hour,
			Output: "out/{window}.csv",
		},
		{
			Source:            Source{File: "b.yaml", Doc: 2, Pos: Pos{File: "b.yaml", Line: 21, Col: 9}},
			Metadata:          Metadata{Name: "members"},
			Object:            ObjectProgramMembers,
			Fields:            []string{"leadId", "statusName"},
			ColumnHeaderNames: map[string]string{"statusName": "Status"},
			Format:            FormatTSV,
			Filter: ExportFilter{
				UpdatedAt:   &DateRange{StartAt: date("2026-01-01T00:00:00Z"), EndAt: ptr(date("2026-01-31T23:59:59Z"))},
				ProgramIDs:  []int{1001, 1002},
				IsExhausted: ptr(false),
				StatusNames: []string{"Registered"},
			},
			Window: MaxWindow,
			Output: "members.tsv",
		},
	}
	wantImports := []*Import{{
		Source:        Source{File: "a.yml", Doc: 0, Pos: Pos{File: "a.yml", Line: 4, Col: 9}},
		Metadata:      Metadata{Name: "cars"},
		Object:        ObjectCustomObject,
		APIName:       "car_c",
		SourcePath:    "data/cars.csv",
		Format:        FormatSSV,
		MaxFailedRows: 5,
		Reports:       ".mkbulk/reports/cars",
	}}
	opt := cmpopts.IgnoreUnexported(Source{})
	if diff := cmp.Diff(wantExports, set.Exports, opt); diff != "" {
		t.Errorf("exports mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantImports, set.Imports, opt); diff != "" {
		t.Errorf("imports mismatch (-want +got):\n%s", diff)
	}
	if set.Dir != dir {
		t.Errorf("Dir = %q, want %q", set.Dir, dir)
	}
	if got := sortedKeys(set.Files); !cmp.Equal(got, []string{"a.yml", "b.yaml"}) {
		t.Errorf("Files = %v, want a.yml and b.yaml only", got)
	}
	// sha256 of "data" is fixed; check one digest against a known value.
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("data"), 0o644)
	set2, _ := Load(dir)
	if got, want := set2.Files["b.yaml"], "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"; got != want {
		t.Errorf("digest of b.yaml = %s, want %s", got, want)
	}
}

// TestPositions checks that PosOf finds values the way the planner asks
// for them: scalars and flow collections at the value, block collections
// at their key.
func TestPositions(t *testing.T) {
	dir := writeProject(t, map[string]string{"m.yaml": `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads
spec:
  object: leads
  fields:
    - id
    - email
  columnHeaderNames: {email: Email}
  filter:
    createdAt:
      startAt: 2026-01-01T00:00:00Z
      endAt: 2026-01-31T23:59:59Z
  output: o.csv
`})
	set, diags := Load(dir)
	if len(diags) != 0 || len(set.Exports) != 1 {
		t.Fatalf("Load: %v", diags)
	}
	e := set.Exports[0]
	for path, want := range map[string]string{
		"spec.fields[1]":                "m.yaml:9:7",
		"spec.fields":                   "m.yaml:7:3",
		"spec.columnHeaderNames":        "m.yaml:10:22",
		"spec.columnHeaderNames.email":  "m.yaml:10:30",
		"spec.filter.createdAt":         "m.yaml:12:5",
		"spec.filter.createdAt.endAt":   "m.yaml:14:14",
		"spec.filter.staticListId":      "m.yaml:11:3", // absent: nearest parent
		"spec.output":                   "m.yaml:15:11",
		"metadata.name":                 "m.yaml:4:9",
		"nothing.here":                  "m.yaml:4:9", // falls back to the document
		"spec.fields[7]":                "m.yaml:7:3",
		"spec.filter.createdAt.startAt": "m.yaml:13:16",
	} {
		if got := e.PosOf(path).String(); got != want {
			t.Errorf("PosOf(%q) = %s, want %s", path, got, want)
		}
	}
}

// TestLoadHints checks the advice attached to common mistakes.
func TestLoadHints(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"m.yaml": exportHead + "  object: lead\n  feilds: [id]\n  format: tsv\n  filter: {staticListId: 1}\n  output: o.csv\n  zzz: 1\n" +
			"---\n" + importHead + "  object: leads\n  source: data/new-lead.csv\n  listId: \"2\"\n",
		"data/new-leads.csv": "email\na@example.com\n",
	})
	_, diags := Load(dir)
	got := map[string]string{}
	for _, d := range diags {
		got[d.Message] = d.Hint
	}
	want := map[string]string{
		`spec.object: must be one of leads, activities, programMembers, customObject`: `did you mean "leads"?`,
		`unknown field "feilds" in spec`:                                              `did you mean "fields"?`,
		`spec.format: must be one of CSV, TSV, SSV`:                                   `did you mean "TSV"?`,
		`unknown field "zzz" in spec`:                                                 "allowed here: apiName, columnHeaderNames, fields, filter, format, object, output, window",
		`spec.source: data/new-lead.csv does not exist`:                               `did you mean "data/new-leads.csv"?`,
		`spec.listId: must be a positive integer id, got a string`:                    "write the number without quotes",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hints mismatch (-want +got):\n%s", diff)
	}
}

// TestLoadRejectsSymlinksOutOfTheProject: a path through a symlink that
// points outside the project is refused; one that stays inside is fine.
func TestLoadRejectsSymlinksOutOfTheProject(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secrets.csv"), []byte("email\nx@example.com\n"), 0o644)
	dir := writeProject(t, map[string]string{
		"m.yaml": importHead + "  object: leads\n  source: data/secrets.csv\n---\n" +
			exportHead + "  object: leads\n  fields: [id]\n  filter: {staticListId: 1}\n  output: escape/leads.csv\n---\n" +
			strings.Replace(exportHead, "leads-q1", "inside", 1) + "  object: leads\n  fields: [id]\n  filter: {staticListId: 1}\n  output: inside/leads.csv\n",
	})
	must(t, os.Mkdir(filepath.Join(dir, "data"), 0o755))
	must(t, os.Symlink(filepath.Join(outside, "secrets.csv"), filepath.Join(dir, "data", "secrets.csv")))
	must(t, os.Symlink(outside, filepath.Join(dir, "escape")))
	must(t, os.Mkdir(filepath.Join(dir, "real"), 0o755))
	must(t, os.Symlink("real", filepath.Join(dir, "inside")))
	_, diags := Load(dir)
	want := []string{
		`m.yaml:7:11: spec.source: "data/secrets.csv" goes through symlink secrets.csv, which points outside the project directory`,
		`m.yaml:17:11: spec.output: "escape/leads.csv" goes through symlink escape, which points outside the project directory`,
	}
	if diff := cmp.Diff(want, lines(diags)); diff != "" {
		t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSyntaxErrorsWithoutLineNumbers: yaml.v3 gives no line for some
// errors; the loader finds one.
func TestSyntaxErrorsWithoutLineNumbers(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"a.yaml": "apiVersion: mkbulk/v1\nkind: Export\x01\n",
		"b.yaml": "apiVersion: mkbulk/v1\n\nkind: \xff\n",
	})
	_, diags := Load(dir)
	want := []string{
		"a.yaml:2:1: invalid YAML: control characters are not allowed",
		"b.yaml:3:1: invalid YAML: invalid leading UTF-8 octet",
	}
	if diff := cmp.Diff(want, lines(diags)); diff != "" {
		t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadMissingDirectory(t *testing.T) {
	_, diags := Load(filepath.Join(t.TempDir(), "nope"))
	if len(diags) != 1 || !diags.HasErrors() || diags[0].Pos.File == "" {
		t.Errorf("Load(missing dir) = %v, want one positioned error", diags)
	}
}

func TestWindowParsing(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"31d": MaxWindow, "7d": 7 * 24 * time.Hour, "12h": 12 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute,
	} {
		got, err := ParseWindow(in)
		if err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "x1d", "1d1x", "-1d", "31 days"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) succeeded, want an error", bad)
		}
	}
	if got := FormatWindow(MaxWindow); got != "31d" {
		t.Errorf("FormatWindow(31d) = %q", got)
	}
	if got := FormatWindow(36 * time.Hour); got != "36h0m0s" {
		t.Errorf("FormatWindow(36h) = %q", got)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"fields", "filter", "format", "object", "output", "window"}
	for in, want := range map[string]string{
		"feilds": "fields", "filtr": "filter", "FORMAT": "format", "windows": "window", "x": "", "completely": "", "fields": "",
	} {
		if got := Suggest(in, cands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
