package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeProject writes files (name → content) under a new temporary
// directory and returns it. Content is dedented by the first line's
// indentation so manifests can be indented in the test source.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lines renders diagnostics as "file:line:col: message" (hints left out;
// tests that care check them separately).
func lines(ds Diagnostics) []string {
	var out []string
	for _, d := range ds {
		s := d.Pos.String() + ": "
		if d.Severity == Warning {
			s += "warning: "
		}
		out = append(out, s+d.Message)
	}
	return out
}

const exportHead = `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads-q1
spec:
`

const importHead = `apiVersion: mkbulk/v1
kind: Import
metadata:
  name: new-leads
spec:
`

// TestLoadRules runs each rule against a small project and expects exact
// positions. Line 6 is the first spec key in every "m.yaml" below.
func TestLoadRules(t *testing.T) {
	tests := map[string]struct {
		files map[string]string
		want  []string
	}{
		"valid export and import": {
			files: map[string]string{
				"m.yaml": exportHead + `  object: leads
  fields: [id, email]
  filter:
    createdAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-03-31T23:59:59Z}
  output: out/leads.csv
---
` + importHead + `  object: leads
  source: data/a.csv
`,
				"data/a.csv": "email\nx@example.com\n",
			},
		},
		"unknown and misspelt keys": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  feilds: [id]
  filter:
    createdAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-01-02T00:00:00Z}
  output: o.csv
  colour: red
`},
			want: []string{
				`m.yaml:7:3: unknown field "feilds" in spec`,
				`m.yaml:11:3: unknown field "colour" in spec`,
			},
		},
		"wrong types and missing keys": {
			files: map[string]string{"m.yaml": `apiVersion: mkbulk/v1
kind: Export
metadata:
  labels: {team: ops}
spec:
  fields: email
  filter:
    programId: "1001"
  window: 31
`},
			want: []string{
				`m.yaml:3:1: missing required field "name" in metadata`,
				`m.yaml:5:1: missing required field "object" in spec`,
				`m.yaml:5:1: missing required field "output" in spec`,
				`m.yaml:6:11: spec.fields: must be a list, got a string`,
				`m.yaml:9:11: spec.window: must be a duration like 31d, 7d or 12h, got an integer`,
			},
		},
		"enum, const and name pattern": {
			files: map[string]string{"m.yaml": `apiVersion: mkbulk/v2
kind: Exports
metadata:
  name: Leads_Q1
spec: {}
`},
			want: []string{
				`m.yaml:1:13: apiVersion: must be "mkbulk/v1"`,
				`m.yaml:2:7: kind: must be one of Export, Import`,
				`m.yaml:4:9: metadata.name: must be a name of lowercase letters, digits and "-" that starts and ends with a letter or digit (at most 63 characters), got "Leads_Q1"`,
			},
		},
		"bad dates and reversed range": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  fields: [id]
  filter:
    updatedAt:
      startAt: 2026-02-30T00:00:00Z
      endAt: 2026-01-01
  output: o/{window}.csv
---
` + strings.Replace(exportHead, "leads-q1", "second", 1) + `  object: leads
  fields: [id]
  filter:
    createdAt:
      startAt: 2026-03-01T00:00:00Z
      endAt: 2026-02-01T00:00:00Z
  output: o2.csv
`},
			want: []string{
				`m.yaml:10:16: spec.filter.updatedAt.startAt: invalid date "2026-02-30T00:00:00Z": day out of range`,
				`m.yaml:11:14: spec.filter.updatedAt.endAt: invalid date "2026-01-01"`,
				`m.yaml:24:14: spec.filter.createdAt.endAt: must be after startAt (2026-03-01T00:00:00Z)`,
			},
		},
		"window bounds": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  fields: [id]
  filter:
    createdAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-03-01T00:00:00Z}
  window: 32d
  output: a.csv
---
` + strings.Replace(exportHead, "leads-q1", "zero", 1) + `  object: leads
  fields: [id]
  filter:
    createdAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-03-01T00:00:00Z}
  window: 0d
  output: b.csv
---
` + strings.Replace(exportHead, "leads-q1", "no-dates", 1) + `  object: leads
  fields: [id]
  filter:
    staticListId: 3
  window: 7d
  output: c.csv
`},
			want: []string{
				`m.yaml:10:11: spec.window: 32d is longer than Marketo's 31-day limit per export job`,
				`m.yaml:22:11: spec.window: must be longer than zero`,
				`m.yaml:34:11: warning: spec.window has no effect: this export has no createdAt or updatedAt filter`,
			},
		},
		"window placeholder": {
			files: map[string]string{"m.yaml": exportHead + `  object: activities
  filter:
    createdAt:
      startAt: 2026-10-01T00:00:00Z
  output: out/activities.csv
---
` + strings.Replace(exportHead, "leads-q1", "listed", 1) + `  object: leads
  fields: [id]
  filter:
    staticListName: VIPs
  output: out/{window}.csv
`},
			want: []string{
				`m.yaml:10:11: spec.output: an open date range (createdAt without endAt) needs {window} in output, so each apply writes new files`,
				`m.yaml:21:11: spec.output: {window} needs a createdAt or updatedAt filter`,
			},
		},
		"columnHeaderNames and duplicate fields": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  fields: [id, email, id]
  columnHeaderNames:
    emial: Email
    id: ID
  filter:
    staticListId: 1
  output: o.csv
---
` + strings.Replace(exportHead, "leads-q1", "acts", 1) + `  object: activities
  columnHeaderNames: {leadId: Lead, score: S}
  filter:
    createdAt: {startAt: 2026-10-01T00:00:00Z, endAt: 2026-10-02T00:00:00Z}
  output: a.csv
`},
			want: []string{
				`m.yaml:7:23: spec.fields[2]: "id" is already listed (spec.fields[0])`,
				`m.yaml:9:5: spec.columnHeaderNames: "emial" is not in fields`,
				`m.yaml:21:37: spec.columnHeaderNames: "score" is not in fields`,
			},
		},
		"lead filters: exactly one type": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  fields: [id]
  filter:
    staticListId: 1
    smartListName: Hot
    createdAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-01-02T00:00:00Z}
  output: o.csv
---
` + strings.Replace(exportHead, "leads-q1", "none", 1) + `  object: leads
  fields: [id]
  filter: {}
  output: p.csv
`},
			want: []string{
				`m.yaml:10:5: spec.filter: a leads export takes exactly one filter type, but smartListName comes with staticListId`,
				`m.yaml:11:5: spec.filter: a leads export takes exactly one filter type, but createdAt comes with staticListId`,
				`m.yaml:21:3: spec.filter: a leads export needs exactly one filter type`,
			},
		},
		"activity filters": {
			files: map[string]string{"m.yaml": exportHead + `  object: activities
  filter:
    createdAt: {startAt: 2026-10-01T00:00:00Z, endAt: 2026-10-02T00:00:00Z}
    primaryAttributeValueIds: [1, 2]
    primaryAttributeValues: [a]
  output: o.csv
---
` + strings.Replace(exportHead, "leads-q1", "no-created", 1) + `  object: activities
  filter:
    activityTypeIds: [1]
    updatedAt: {startAt: 2026-10-01T00:00:00Z}
  output: p.csv
`},
			want: []string{
				`m.yaml:9:5: spec.filter.primaryAttributeValueIds: needs activityTypeIds`,
				`m.yaml:10:5: spec.filter: primaryAttributeValueIds and primaryAttributeValues exclude each other`,
				`m.yaml:21:5: unknown field "updatedAt" in spec.filter`,
			},
		},
		"program member filters": {
			files: map[string]string{"m.yaml": exportHead + `  object: programMembers
  fields: [leadId]
  filter:
    programId: 1001
    programIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
  output: o.csv
---
` + strings.Replace(exportHead, "leads-q1", "no-program", 1) + `  object: programMembers
  fields: [leadId]
  filter:
    statusNames: [Registered]
  output: p.csv
`},
			want: []string{
				`m.yaml:10:17: spec.filter.programIds: at most 10 items are allowed, got 11`,
				`m.yaml:20:3: spec.filter: a programMembers export needs programId or programIds`,
			},
		},
		"custom objects": {
			files: map[string]string{"m.yaml": exportHead + `  object: customObject
  fields: [vin]
  filter:
    createdAt: {startAt: 2026-10-01T00:00:00Z, endAt: 2026-10-02T00:00:00Z}
    staticListId: 1
    smartListId: 2
  output: o.csv
---
` + strings.Replace(exportHead, "leads-q1", "leads-with-api-name", 1) + `  object: leads
  apiName: car_c
  fields: [id]
  filter: {staticListId: 1}
  output: p.csv
`},
			want: []string{
				`m.yaml:5:1: missing required field "apiName" in spec`,
				`m.yaml:9:5: unknown field "createdAt" in spec.filter`,
				`m.yaml:11:5: spec.filter: a customObject export takes exactly one filter type, but smartListId comes with staticListId`,
				`m.yaml:20:3: spec.apiName: only customObject exports take apiName`,
			},
		},
		"import rules": {
			files: map[string]string{
				"m.yaml": importHead + `  object: programMembers
  source: data/a.csv
  lookupField: email
  programId: 1002
---
` + strings.Replace(importHead, "new-leads", "cars", 1) + `  object: customObject
  source: data/empty.csv
---
` + strings.Replace(importHead, "new-leads", "missing", 1) + `  object: leads
  source: data/b.csv
  programMemberStatus: Registered
  reports: ../reports
`,
				"data/a.csv":     "email\nx@example.com\n",
				"data/empty.csv": "",
			},
			want: []string{
				`m.yaml:5:1: missing required field "programMemberStatus" in spec`,
				`m.yaml:8:3: spec.lookupField: only leads imports take lookupField`,
				`m.yaml:15:1: missing required field "apiName" in spec`,
				`m.yaml:17:11: spec.source: data/empty.csv is empty`,
				`m.yaml:25:11: spec.source: data/b.csv does not exist`,
				`m.yaml:26:3: spec.programMemberStatus: only programMembers imports take programMemberStatus`,
				`m.yaml:27:12: spec.reports: "../reports" escapes the project directory`,
			},
		},
		"paths escaping the project": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  fields: [id]
  filter: {staticListId: 1}
  output: /tmp/leads.csv
---
` + strings.Replace(importHead, "new-leads", "up", 1) + `  object: leads
  source: data/../../secrets.csv
`},
			want: []string{
				`m.yaml:9:11: spec.output: "/tmp/leads.csv" is absolute; write it relative to the manifest, inside the project directory`,
				`m.yaml:17:11: spec.source: "data/../../secrets.csv" escapes the project directory`,
			},
		},
		"duplicate names and outputs": {
			files: map[string]string{
				"a.yaml": exportHead + `  object: leads
  fields: [id]
  filter: {staticListId: 1}
  output: out/x.csv
`,
				"b.yml": exportHead + `  object: leads
  fields: [id]
  filter: {staticListId: 2}
  output: ./out/../out/x.csv
---
` + importHead + `  object: leads
  source: b.yml
---
` + importHead + `  object: leads
  source: a.yaml
`,
			},
			want: []string{
				`b.yml:4:9: duplicate Export name "leads-q1": already defined at a.yaml:4:9`,
				`b.yml:9:11: spec.output: out/x.csv is also the output of export "leads-q1" (a.yaml:9:11)`,
				`b.yml:22:9: duplicate Import name "new-leads": already defined at b.yml:14:9`,
			},
		},
		"yaml syntax: wrong indentation": {
			files: map[string]string{
				"a.yaml": exportHead + "  object: leads\n fields: [id]\n",
				"b.yaml": exportHead + "  object: leads\n    fields: [id]\n",
				"c.yaml": exportHead + "  object: leads\n  fields:\n    - id\n   - email\n",
				"d.yaml": exportHead + "\tobject: leads\n",
			},
			want: []string{
				`a.yaml:7:2: invalid YAML: bad indentation or structure: did not find expected key`,
				`b.yaml:7:5: invalid YAML: bad indentation or structure: mapping values are not allowed in this context`,
				`c.yaml:9:4: invalid YAML: bad indentation or structure: did not find expected key`,
				`d.yaml:6:1: invalid YAML: found character that cannot start any token`,
			},
		},
		"yaml syntax: later documents still count": {
			files: map[string]string{"a.yaml": exportHead + "  object: leads\n  fields: [id]\n  filter: {staticListId: 1}\n  output: o.csv\n---\nkind: [\n"},
			want:  []string{`a.yaml:11:1: invalid YAML: did not find expected node content`},
		},
		"duplicate keys, aliases and merges": {
			files: map[string]string{"m.yaml": exportHead + `  object: leads
  fields: &f [id]
  fields: [email]
  filter: &flt {staticListId: 1}
  output: o.csv
---
` + strings.Replace(exportHead, "leads-q1", "merged", 1) + `  <<: {object: leads, output: p.csv}
  fields: *f
  filter: *flt
`},
			want: []string{`m.yaml:8:3: duplicate key "fields" in spec (first at line 7)`},
		},
		"not a mapping, empty documents": {
			files: map[string]string{"m.yaml": "---\n# just a comment\n---\n- a\n- b\n---\n"},
			want:  []string{`m.yaml:4:1: document: must be a mapping, got a list`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := Load(writeProject(t, tc.files))
			if diff := cmp.Diff(tc.want, lines(diags)); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
