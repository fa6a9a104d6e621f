package planner

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/mkbulk/mkbulk/plan"
)

// MaxImportBytes is Marketo's bulk import file limit (10 MB, HTTP 413 above).
const MaxImportBytes = 10 * 1024 * 1024

// MaxChunkBytes is the most a chunk (header + rows) may hold: Marketo's
// limit less 64 KiB, so multipart framing and a last long row never tip an
// upload over it.
const MaxChunkBytes = MaxImportBytes - 64*1024

// maxShownProblems caps the row diagnostics one import reports; the rest
// are counted in a summary line.
const maxShownProblems = 20

// cellProblem is one cell Marketo would reject or warn about.
type cellProblem struct {
	line, col int // col is the 1-based column number, not a byte offset
	column    string
	dataType  string
	message   string
	warn      bool
}

// sourceScan is what one pass over an import source learns.
type sourceScan struct {
	sha256       string
	header       []string
	headerLength int64
	chunks       []plan.Chunk
	rows         int
	// rejected counts rows with at least one cell Marketo would reject;
	// warned counts rows that would import with a warning only.
	rejected, warned int
	// problems are the first maxShownProblems rejections and warnings.
	shownErrors, shownWarnings []cellProblem
	// parseErr, when set, stopped the scan: the file is not valid CSV.
	parseErr *csv.ParseError
}

// scanSource reads an import source once: it validates every row with
// checks (built from the header by prepare), cuts the data rows into
// chunks of at most maxChunk bytes with the header repeated, hashes each
// chunk exactly as it will be uploaded (header + rows), and hashes the
// whole file. Row boundaries come from encoding/csv (LazyQuotes off), so a
// quoted field with an embedded newline is never split. Memory stays flat:
// bytes are hashed as soon as their chunk is known.
func scanSource(r io.Reader, comma rune, maxChunk int64, prepare func(header []string) []columnCheck) (*sourceScan, error) {
	tee := &pendingReader{r: r, whole: sha256.New()}
	cr := csv.NewReader(bufio.NewReaderSize(tee, 256<<10))
	cr.Comma = comma
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0 // set by the header; rows with another count are rejected

	s := &sourceScan{}
	header, err := cr.Read()
	switch {
	case err == io.EOF:
		return s, drainHash(tee, s)
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			s.parseErr = pe
			return s, drainHash(tee, s)
		}
		return nil, err
	}
	s.header = append([]string(nil), header...)
	s.headerLength = cr.InputOffset()
	headerBytes := append([]byte(nil), tee.take(s.headerLength)...)
	if int64(len(headerBytes)) >= maxChunk {
		return nil, fmt.Errorf("header line is longer than a chunk may be (%d bytes)", maxChunk)
	}
	checks := prepare(s.header)

	var (
		chunk     *plan.Chunk
		chunkHash hash.Hash
		rowStart  = s.headerLength
	)
	closeChunk := func() {
		if chunk != nil {
			chunk.SHA256 = hex.EncodeToString(chunkHash.Sum(nil))
			s.chunks = append(s.chunks, *chunk)
			chunk = nil
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		fieldCount := false
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, err
			}
			if !errors.Is(pe.Err, csv.ErrFieldCount) {
				s.parseErr = pe
				closeChunk()
				return s, drainHash(tee, s)
			}
			fieldCount = true
		}
		end := cr.InputOffset()
		rowLen := end - rowStart
		line, _ := cr.FieldPos(0)

		if s.headerLength+rowLen > maxChunk {
			return nil, fmt.Errorf("line %d: row is %d bytes; with the header it cannot fit one %d-byte upload", line, rowLen, maxChunk)
		}
		if chunk != nil && chunk.Length+rowLen+s.headerLength > maxChunk {
			closeChunk()
		}
		if chunk == nil {
			chunk = &plan.Chunk{Index: len(s.chunks), Offset: rowStart, FirstLine: line}
			chunkHash = sha256.New()
			chunkHash.Write(headerBytes)
		}
		chunkHash.Write(tee.take(end))
		chunk.Length += rowLen
		chunk.Rows++
		s.rows++
		rowStart = end

		if fieldCount {
			s.rejected++
			s.addProblem(cellProblem{line: line, col: 1,
				message: fmt.Sprintf("row has %d fields, the header has %d", len(rec), len(s.header))})
			continue
		}
		s.checkRow(rec, checks, cr)
	}
	closeChunk()
	return s, drainHash(tee, s)
}

// checkRow validates one row's cells and records what it finds.
func (s *sourceScan) checkRow(rec []string, checks []columnCheck, cr *csv.Reader) {
	rejected, warned := false, false
	for i := range rec {
		if i >= len(checks) {
			break
		}
		c := &checks[i]
		if c.kind == kindNone {
			continue
		}
		msg, warn := c.check(rec[i])
		if msg == "" {
			continue
		}
		if warn {
			warned = true
		} else {
			rejected = true
		}
		line, _ := cr.FieldPos(i)
		s.addProblem(cellProblem{line: line, col: i + 1, column: c.name, dataType: c.dataType, message: msg, warn: warn})
	}
	switch {
	case rejected:
		s.rejected++
	case warned:
		s.warned++
	}
}

func (s *sourceScan) addProblem(p cellProblem) {
	if p.warn {
		if len(s.shownWarnings) < maxShownProblems {
			s.shownWarnings = append(s.shownWarnings, p)
		}
		return
	}
	if len(s.shownErrors) < maxShownProblems {
		s.shownErrors = append(s.shownErrors, p)
	}
}

// drainHash reads what the CSV reader left unread (after a parse error or
// a short final read) so the whole-file digest covers every byte.
func drainHash(t *pendingReader, s *sourceScan) error {
	if _, err := io.Copy(io.Discard, t); err != nil {
		return err
	}
	s.sha256 = hex.EncodeToString(t.whole.Sum(nil))
	return nil
}

// pendingReader passes reads through, hashing every byte into whole and
// keeping the bytes not yet claimed by a chunk (at most one read-ahead
// buffer plus one row) until take claims them.
type pendingReader struct {
	r       io.Reader
	whole   hash.Hash
	pending []byte
	off     int   // pending[:off] is claimed
	base    int64 // file offset of pending[off]
}

func (t *pendingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.whole.Write(p[:n])
		// Drop what take has claimed before appending; the unclaimed
		// tail is at most one partial row, so the copy is small.
		if t.off > 0 {
			t.pending = t.pending[:copy(t.pending, t.pending[t.off:])]
			t.off = 0
		}
		t.pending = append(t.pending, p[:n]...)
	}
	return n, err
}

// take claims and returns the bytes from the last claimed offset up to
// end. The slice is valid until the next Read.
func (t *pendingReader) take(end int64) []byte {
	n := int(end - t.base)
	b := t.pending[t.off : t.off+n]
	t.off += n
	t.base = end
	return b
}
