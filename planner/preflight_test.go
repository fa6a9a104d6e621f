package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/marketo"
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkChunks asserts the chunk invariants against the source bytes:
// chunks cover every data row byte exactly once (trailing blank lines
// excepted), in order, start on row
// boundaries, stay under the limit with the header, and each sha256 is the
// digest of exactly header + rows.
func checkChunks(t *testing.T, src []byte, s *sourceScan, limit int64) {
	t.Helper()
	header := src[:s.headerLength]
	next := s.headerLength
	rows := 0
	for i, c := range s.chunks {
		if c.Index != i {
			t.Errorf("chunk %d has index %d", i, c.Index)
		}
		if c.Offset != next {
			t.Errorf("chunk %d starts at %d, want %d (gap or overlap)", i, c.Offset, next)
		}
		if s.headerLength+c.Length > limit {
			t.Errorf("chunk %d holds %d bytes with its header, over %d", i, s.headerLength+c.Length, limit)
		}
		body := append(append([]byte(nil), header...), src[c.Offset:c.Offset+c.Length]...)
		if got := sum(body); got != c.SHA256 {
			t.Errorf("chunk %d sha256 = %s, want sha256(header+rows) %s", i, c.SHA256, got)
		}
		next = c.Offset + c.Length
		rows += c.Rows
	}
	// Only blank lines after the last row may be left out.
	if tail := src[next:]; len(bytes.Trim(tail, "\r\n")) != 0 {
		t.Errorf("chunks end at %d, leaving %q of the source out", next, tail)
	}
	if rows != s.rows {
		t.Errorf("chunks hold %d rows, scan counted %d", rows, s.rows)
	}
	if s.sha256 != sum(src) {
		t.Errorf("whole-file sha256 = %s, want %s", s.sha256, sum(src))
	}
}

func scanString(t *testing.T, src string, limit int64, checks []columnCheck) *sourceScan {
	t.Helper()
	s, err := scanSource(strings.NewReader(src), ',', limit, func([]string) []columnCheck { return checks })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChunkingKeepsQuotedNewlines(t *testing.T) {
	src := "email,notes\n" +
		"a@x.io,\"line one\nline two\"\n" +
		"b@x.io,plain\n" +
		"c@x.io,\"three\nlines\nhere\"\n" +
		"d@x.io,\"comma, and \"\"quotes\"\"\"\n"
	// A limit that fits the header plus about one row forces a cut
	// after nearly every row; no cut may land inside a quoted field.
	s := scanString(t, src, 45, nil)
	checkChunks(t, []byte(src), s, 45)
	if s.rows != 4 {
		t.Fatalf("rows = %d, want 4", s.rows)
	}
	var firstLines []int
	for _, c := range s.chunks {
		firstLines = append(firstLines, c.FirstLine)
		body := src[c.Offset : c.Offset+c.Length]
		if strings.Count(body, `"`)%2 != 0 {
			t.Errorf("chunk %d splits a quoted field: %q", c.Index, body)
		}
	}
	// Physical lines: header 1, row a 2-3, b 4, c 5-7, d 8.
	if diff := cmp.Diff([]int{2, 4, 5, 8}, firstLines); diff != "" {
		t.Errorf("first lines (-want +got):\n%s", diff)
	}
}

func TestChunkingCRLFAndNoFinalNewline(t *testing.T) {
	src := "email,score\r\na@x.io,1\r\nb@x.io,2\r\nc@x.io,3"
	s := scanString(t, src, 30, nil)
	checkChunks(t, []byte(src), s, 30)
	if s.headerLength != int64(len("email,score\r\n")) {
		t.Errorf("headerLength = %d", s.headerLength)
	}
}

func TestChunkingUnderTenMegabytes(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("email,firstName,notes\n")
	for i := 0; b.Len() < 25<<20; i++ {
		fmt.Fprintf(&b, "user%d@example.com,Name%d,\"%s\n%s\"\n", i, i, strings.Repeat("x", i%300), strings.Repeat("y", i%50))
	}
	src := b.Bytes()
	s, err := scanSource(bytes.NewReader(src), ',', MaxChunkBytes, func([]string) []columnCheck { return nil })
	if err != nil {
		t.Fatal(err)
	}
	checkChunks(t, src, s, MaxChunkBytes)
	if len(s.chunks) != 3 {
		t.Errorf("25 MB in %d chunks, want 3", len(s.chunks))
	}
	for _, c := range s.chunks {
		if total := s.headerLength + c.Length; total >= MaxImportBytes {
			t.Errorf("chunk %d is %d bytes; Marketo's limit is %d", c.Index, total, MaxImportBytes)
		}
	}
}

func TestChunkingRowTooLarge(t *testing.T) {
	src := "email,notes\na@x.io," + strings.Repeat("z", 100) + "\n"
	_, err := scanSource(strings.NewReader(src), ',', 50, func([]string) []columnCheck { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want a row-too-large error naming line 2", err)
	}
}

// oneByteReader returns one byte per Read, so pending bookkeeping is
// exercised across every possible read boundary.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestChunkingAcrossReadBoundaries(t *testing.T) {
	src := "email,notes\n\"a@x.io\",\"x\ny\"\nb@x.io,z\n\nc@x.io,\"\"\"q\"\"\"\n"
	s, err := scanSource(oneByteReader{strings.NewReader(src)}, ',', 35, func([]string) []columnCheck { return nil })
	if err != nil {
		t.Fatal(err)
	}
	checkChunks(t, []byte(src), s, 35)
}

func TestPreflightCells(t *testing.T) {
	fields := map[string]marketo.Field{
		"email":     {Name: "email", DataType: "email", Length: 255},
		"leadScore": {Name: "leadScore", DataType: "integer"},
		"revenue":   {Name: "revenue", DataType: "currency"},
		"optIn":     {Name: "optIn", DataType: "boolean"},
		"birthday":  {Name: "birthday", DataType: "date"},
		"seenAt":    {Name: "seenAt", DataType: "datetime"},
		"title":     {Name: "title", DataType: "string", Length: 5},
	}
	header := []string{"email", "leadScore", "revenue", "optIn", "birthday", "seenAt", "title"}
	checks := make([]columnCheck, len(header))
	for i, h := range header {
		checks[i] = newColumnCheck(h, fields[h])
	}
	src := strings.Join(header, ",") + "\n" +
		"a@x.io,10,1.5,true,2026-01-31,2026-01-31T10:00:00Z,ceo\n" + // line 2: fine
		"not-an-email,10,,,,,\n" + // line 3: warning only
		"b@x.io,ten,abc,maybe,31/01/2026,yesterday,toolong\n" + // line 4: six problems
		"c@x.io,\"1\n2\",,,,,\n" + // lines 5-6: integer with a newline
		"d@x.io,1,2\n" + // line 7: wrong field count
		",,,,,,ñññññ\n" // line 8: five runes fit a length of 5
	s := scanString(t, src, MaxChunkBytes, checks)
	type got struct {
		Line, Col int
		Column    string
		Warn      bool
	}
	var gotProblems []got
	for _, p := range append(s.shownErrors, s.shownWarnings...) {
		gotProblems = append(gotProblems, got{p.line, p.col, p.column, p.warn})
	}
	want := []got{
		{4, 2, "leadScore", false},
		{4, 3, "revenue", false},
		{4, 4, "optIn", false},
		{4, 5, "birthday", false},
		{4, 6, "seenAt", false},
		{4, 7, "title", false},
		{5, 2, "leadScore", false},
		{7, 1, "", false},
		{3, 1, "email", true},
	}
	if diff := cmp.Diff(want, gotProblems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if s.rejected != 3 || s.warned != 1 || s.rows != 6 {
		t.Errorf("rejected, warned, rows = %d, %d, %d; want 3, 1, 6", s.rejected, s.warned, s.rows)
	}
}

func TestPreflightParseError(t *testing.T) {
	src := "email,notes\na@x.io,ok\nb@x.io,bad \"quote\n"
	s := scanString(t, src, MaxChunkBytes, nil)
	if s.parseErr == nil || s.parseErr.Line != 3 {
		t.Fatalf("parseErr = %v, want one on line 3", s.parseErr)
	}
	if s.sha256 != sum([]byte(src)) {
		t.Errorf("whole-file sha256 does not cover the bytes after the parse error")
	}
}

func TestCellChecks(t *testing.T) {
	tests := []struct {
		dataType string
		length   int
		value    string
		ok, warn bool
	}{
		{"integer", 0, "-42", true, false},
		{"integer", 0, "4.0", false, false},
		{"score", 0, "7", true, false},
		{"float", 0, "1e3", true, false},
		{"currency", 0, "12.50", true, false},
		{"currency", 0, "$12", false, false},
		{"boolean", 0, "FALSE", true, false},
		{"boolean", 0, "1", true, false},
		{"boolean", 0, "y", false, false},
		{"date", 0, "2026-02-28", true, false},
		{"date", 0, "2026-02-30", false, false},
		{"datetime", 0, "2010-05-07T15:41:32-05:00", true, false},
		{"datetime", 0, "2010-05-07 15:41:32", true, false},
		{"datetime", 0, "2010-05-07", true, false},
		{"datetime", 0, "May 7 2010", false, false},
		{"email", 255, "a.b@c.de", true, false},
		{"email", 255, "a.b@c", false, true},
		{"email", 5, "a@b.cd", false, false},
		{"string", 3, "abc", true, false},
		{"string", 3, "abcd", false, false},
		{"string", 3, "äöü", true, false},
		{"text", 0, strings.Repeat("x", 30001), false, false},
		{"url", 0, strings.Repeat("x", 5000), true, false},
		{"integer", 0, "", true, false},
	}
	for _, tt := range tests {
		c := newColumnCheck("c", marketo.Field{Name: "c", DataType: tt.dataType, Length: tt.length})
		msg, warn := c.check(tt.value)
		short := tt.value
		if len(short) > 20 {
			short = short[:20] + "…"
		}
		if (msg == "") != tt.ok || warn != tt.warn {
			t.Errorf("%s(%d) %q: problem %q warn %v; want ok=%v warn=%v", tt.dataType, tt.length, short, msg, warn, tt.ok, tt.warn)
		}
	}
}

// FuzzScanSource: whatever the bytes, the pre-flight never panics, and
// when it accepts a source its chunks tile the data rows exactly, each
// under the limit, each sha256 that of header + rows.
func FuzzScanSource(f *testing.F) {
	f.Add([]byte("email,notes\na@x.io,\"x\ny\"\nb@x.io,z\n"), uint8(40))
	f.Add([]byte("a;b\r\n1;2\r\n\"3\";\"\"\"\"\r\n"), uint8(12))
	f.Add([]byte("h\n\n\nx\n"), uint8(4))
	f.Add([]byte("\ufeffemail\n\"unterminated\n"), uint8(64))
	f.Fuzz(func(t *testing.T, src []byte, limit uint8) {
		checks := []columnCheck{
			newColumnCheck("n", marketo.Field{DataType: "integer"}),
			newColumnCheck("e", marketo.Field{DataType: "email", Length: 10}),
		}
		max := int64(limit) + 8
		s, err := scanSource(bytes.NewReader(src), ',', max, func([]string) []columnCheck { return checks })
		if err != nil || s.parseErr != nil || s.header == nil {
			return
		}
		checkChunks(t, src, s, max)
	})
}
