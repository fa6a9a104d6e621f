package sandbox

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

// allLeadFields asks for every lead field, the widest lead export.
func allLeadFields() []string {
	out := make([]string, len(leadFields))
	for i, f := range leadFields {
		out[i] = f.Name
	}
	return out
}

func benchSpec(b testing.TB, obj objectKind, fields []string, filter string) *exportSpec {
	sp, err := parseSpec(obj, "", &createRequest{Fields: fields, Filter: json.RawMessage(filter)}, false)
	if err != nil {
		b.Fatal(err)
	}
	return sp
}

// BenchmarkGenerate measures export file generation (generate, quote,
// hash, write) for every lead field of 200,000 leads; MB/s is the figure
// that matters.
func BenchmarkGenerate(b *testing.B) {
	s, err := New(Config{Leads: 200_000, DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sp := benchSpec(b, objLeads, allLeadFields(), `{"staticListId":1}`)
	snap := s.data.snapshot()
	var size int64
	for b.Loop() {
		res, err := s.writeExportFile(context.Background(), "bench", sp, snap)
		if err != nil {
			b.Fatal(err)
		}
		size = res.size
		b.SetBytes(size)
		os.Remove(res.path)
	}
	b.ReportMetric(float64(size)/200_000, "bytes/row")
}

// BenchmarkGenerateActivities covers the JSON attributes path.
func BenchmarkGenerateActivities(b *testing.B) {
	s, err := New(Config{Leads: 1_000_000, DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sp := benchSpec(b, objActivities, nil, `{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-01-31T23:59:59Z"}}`)
	snap := s.data.snapshot()
	for b.Loop() {
		res, err := s.writeExportFile(context.Background(), "bench", sp, snap)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(res.size)
		os.Remove(res.path)
	}
}
