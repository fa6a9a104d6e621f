package planner

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/mkbulk/mkbulk/marketo"
)

// benchSource is a lead import of typical shape: ten typed columns, some
// quoted cells, one with an embedded newline every hundred rows.
func benchSource(size int) ([]byte, []columnCheck) {
	fields := []marketo.Field{
		{Name: "email", DataType: "email", Length: 255},
		{Name: "firstName", DataType: "string", Length: 255},
		{Name: "lastName", DataType: "string", Length: 255},
		{Name: "company", DataType: "string", Length: 255},
		{Name: "leadScore", DataType: "integer"},
		{Name: "annualRevenue", DataType: "currency"},
		{Name: "unsubscribed", DataType: "boolean"},
		{Name: "dateOfBirth", DataType: "date"},
		{Name: "lastSeenAt", DataType: "datetime"},
		{Name: "notes", DataType: "text"},
	}
	checks := make([]columnCheck, len(fields))
	var b bytes.Buffer
	for i, f := range fields {
		checks[i] = newColumnCheck(f.Name, f)
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name)
	}
	b.WriteByte('\n')
	for i := 0; b.Len() < size; i++ {
		notes := "called back, interested"
		if i%100 == 0 {
			notes = "first line\nsecond line"
		}
		fmt.Fprintf(&b, "person%d@example.com,Firstname%d,\"Lastname, %d\",Company %d Inc,%d,%d.%02d,%t,1980-%02d-%02d,2026-01-%02dT10:%02d:00Z,\"%s\"\n",
			i, i, i, i%5000, i%100, i*7, i%100, i%2 == 0, i%12+1, i%28+1, i%28+1, i%60, notes)
	}
	return b.Bytes(), checks
}

// BenchmarkPreflight measures the single pass over an import source:
// CSV parsing, per-cell type checks, chunking and both sha256 digests.
// Target (DESIGN.md §10): ≥ 100 MB/s.
func BenchmarkPreflight(b *testing.B) {
	src, checks := benchSource(64 << 20)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := scanSource(bytes.NewReader(src), ',', MaxChunkBytes, func([]string) []columnCheck { return checks })
		if err != nil {
			b.Fatal(err)
		}
		if s.rejected != 0 || s.warned != 0 {
			b.Fatalf("rejected %d, warned %d rows of a clean source: %+v", s.rejected, s.warned, s.shownErrors)
		}
	}
}
