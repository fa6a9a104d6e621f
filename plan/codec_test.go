package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func samplePlan() *Plan {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC)
	return &Plan{
		FormatVersion:       FormatVersion,
		MkbulkVersion:       "v1.2.3",
		CreatedAt:           time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC),
		StateLineage:        "0b1c6a4e-2d4f-4a57-9a47-3b0f4f1c2a11",
		StateSerial:         7,
		ManifestDigests:     map[string]string{"exports.yaml": "aa"},
		SourceDigests:       map[string]string{"leads.csv": "bb"},
		DescribeFingerprint: "cc",
		Steps: []Step{
			{
				Address: `export.webinar["2026-01-01T00:00:00Z/2026-01-31T23:59:59Z"]`, Resource: "export.webinar",
				Kind: KindExport, Action: Replace,
				Reasons: []Reason{{Message: "fields added: score", Attribute: "fields", ForcesReplacement: true}},
				Export: &ExportJob{
					Object: "leads", Fields: []string{"email", "score"}, ColumnHeaderNames: map[string]string{"email": "Email"},
					Format: "CSV", Filter: json.RawMessage(`{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-01-31T23:59:59Z"}}`),
					Window: &Window{StartAt: start, EndAt: end}, Output: "out/webinar.csv", SpecDigest: "dd",
				},
			},
			{
				Address: "import.leads", Resource: "import.leads", Kind: KindImport, Action: Create,
				Import: &ImportJob{
					Object: "leads", Source: "leads.csv", SourceSHA256: "bb", Format: "CSV", LookupField: "email",
					Reports: ".mkbulk/reports/leads/", HeaderLength: 12, SpecDigest: "ee",
					Chunks: []Chunk{{Index: 0, Offset: 12, Length: 100, FirstLine: 2, Rows: 3, SHA256: "ff"}},
				},
			},
			{Address: "export.gone", Resource: "export.gone", Kind: KindExport, Action: Forget},
		},
		Merges:   []Merge{{Resource: "export.webinar", Output: "out/all.csv", Parts: []string{"a", "b"}}},
		Quota:    &Quota{UsedBytes: 1, LimitBytes: 500 << 20, ResetsAt: time.Date(2026, 2, 2, 6, 0, 0, 0, time.UTC)},
		Warnings: []string{"leads.csv:3:7: value too long"},
		Targeted: true,
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	for name, p := range map[string]*Plan{
		"full":  samplePlan(),
		"empty": {FormatVersion: FormatVersion},
		"no filter": {FormatVersion: FormatVersion, Steps: []Step{{Address: "export.a", Resource: "export.a",
			Kind: KindExport, Action: Create, Export: &ExportJob{Object: "leads", Format: "CSV", Output: "a.csv"}}}},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, p); err != nil {
				t.Fatal(err)
			}
			got, err := Read(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(p, got); d != "" {
				t.Errorf("round trip (-wrote +read):\n%s", d)
			}
		})
	}
}

func TestWriteSetsFormatVersionWithoutTouchingThePlan(t *testing.T) {
	p := samplePlan()
	p.FormatVersion = ""
	var buf bytes.Buffer
	if err := Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	if p.FormatVersion != "" {
		t.Errorf("Write changed the caller's plan")
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"format_version\": \"1\",\n") {
		t.Errorf("plan file does not start with the format version, indented:\n%.80s", buf.String())
	}
}

func TestReadRefusesOtherFormats(t *testing.T) {
	for name, tc := range map[string]struct {
		in       string
		notPlan  bool
		newer    bool
		inMesage string
	}{
		"newer":          {in: `{"format_version":"2","steps":"a different shape"}`, newer: true, inMesage: "newer mkbulk (format 2"},
		"newer number":   {in: `{"format_version":2}`, newer: true, inMesage: "upgrade mkbulk"},
		"newer minor":    {in: `{"format_version":"1.1"}`, newer: true},
		"older":          {in: `{"format_version":"0"}`, inMesage: "make the plan again"},
		"garbage":        {in: `{"format_version":"x"}`},
		"missing":        {in: `{"steps":[]}`, notPlan: true, inMesage: "no format_version"},
		"not json":       {in: "\x00\x00bbolt", notPlan: true},
		"array":          {in: `[1,2]`, notPlan: true},
		"empty":          {in: ``, notPlan: true},
		"truncated body": {in: "{\n  \"format_version\": \"1\",\n  \"steps\": [", notPlan: true, inMesage: "line 3"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("Read succeeded")
			}
			var fe *FormatError
			switch {
			case tc.notPlan && !errors.Is(err, ErrNotPlan):
				t.Errorf("err = %v, want ErrNotPlan", err)
			case !tc.notPlan && (!errors.As(err, &fe) || fe.Newer != tc.newer):
				t.Errorf("err = %v, want *FormatError with Newer %v", err, tc.newer)
			}
			if !strings.Contains(err.Error(), tc.inMesage) {
				t.Errorf("err %q does not contain %q", err, tc.inMesage)
			}
		})
	}
}

func TestReadReportsBadFieldPosition(t *testing.T) {
	_, err := Read(strings.NewReader("{\n  \"format_version\": \"1\",\n  \"state_serial\": \"seven\"\n}"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("err = %v, want the line of the bad field", err)
	}
}

func TestReadIgnoresUnknownFields(t *testing.T) {
	p, err := Read(strings.NewReader(`{"format_version":"1","state_serial":3,"added_later":{"x":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.StateSerial != 3 {
		t.Errorf("StateSerial = %d", p.StateSerial)
	}
}
