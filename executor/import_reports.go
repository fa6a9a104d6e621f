package executor

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
)

// Report file names inside an import's reports directory.
const (
	failuresFile = "failures.csv"
	warningsFile = "warnings.csv"
)

// Marketo's reason columns (MARKETO_API.md §4.6), used for the header of a
// report when Marketo sent no file to copy it from.
const (
	failureReasonColumn = "Import Failure Reason"
	warningReasonColumn = "Import Warning Reason"
	sourceRowColumn     = "sourceRow"
)

// finish writes the reports once every batch has ended, records the
// import, and reports the step.
func (ir *importRunner) finish() {
	r := ir.r
	im := ir.rec.Import
	var processed, failed, warnings int64
	allComplete := true
	var batchFailures []string
	for _, c := range ir.chunks {
		cr := ir.chunkRec(c)
		processed += cr.Processed
		failed += cr.Failed
		warnings += cr.Warnings
		switch cr.Status {
		case marketo.ImportComplete:
		case marketo.ImportFailed:
			allComplete = false
			msg := cr.Message
			if msg == "" {
				msg = "batch failed"
			}
			batchFailures = append(batchFailures, fmt.Sprintf("chunk %d (batch %d): %s", c.plan.Index, cr.BatchID, msg))
		default:
			allComplete = false
		}
	}
	im.Processed, im.Failed, im.Warnings = processed, failed, warnings

	failuresPath, warningsPath, err := ir.writeReports()
	if err != nil {
		if r.stopped() {
			r.res.pending(ir.st, r.stopReason())
			return
		}
		r.res.failed(ir.st, failureOf(fmt.Errorf("writing import reports: %w", err)))
		return
	}
	im.Done = allComplete && ir.refused == nil
	if r.put(ir.rec) != nil {
		return
	}
	r.obs.Observe(ImportReported{Address: ir.st.Address, Processed: processed, Failed: failed, Warnings: warnings, FailuresFile: failuresPath, WarningsFile: warningsPath})
	r.res.update(func(res *Result) {
		res.Imports.Imports++
		res.Imports.Rows += processed
		res.Imports.Failed += failed
		res.Imports.Warnings += warnings
	})
	summary := fmt.Sprintf("%d rows, %d failed, %d warnings", processed, failed, warnings)
	switch {
	case ir.refused != nil:
		r.res.failed(ir.st, *ir.refused)
	case len(batchFailures) > 0:
		r.res.failed(ir.st, Failure{Message: "Marketo failed " + strings.Join(batchFailures, "; ")})
	case failed > int64(ir.job.MaxFailedRows):
		r.res.failed(ir.st, Failure{Message: fmt.Sprintf("%s: more than maxFailedRows (%d); see %s", summary, ir.job.MaxFailedRows, failuresPath)})
	default:
		if failed > 0 || warnings > 0 {
			summary += "; reports in " + ir.job.Reports
		}
		r.res.applied(ir.st, summary)
	}
}

// writeReports writes failures.csv and warnings.csv (always both, so
// automation can rely on them) and returns their project-relative paths.
func (ir *importRunner) writeReports() (failures, warnings string, err error) {
	r := ir.r
	dir := r.abs(ir.job.Reports)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	src, err := os.Open(r.abs(ir.job.Source))
	if err != nil {
		return "", "", err
	}
	defer src.Close()
	header := make([]byte, ir.job.HeaderLength)
	if _, err := src.ReadAt(header, 0); err != nil {
		return "", "", err
	}
	rs := reportSource{source: src, header: header, delim: delimiter(ir.job.Format)}
	for _, kind := range []struct {
		file, reason string
		count        func(c *chunkRun) int64
		fetch        func(ctx context.Context, obj marketo.Object, batchID int, w io.Writer) (bool, error)
	}{
		{failuresFile, failureReasonColumn, func(c *chunkRun) int64 { return ir.chunkRec(c).Failed }, r.api.ImportFailures},
		{warningsFile, warningReasonColumn, func(c *chunkRun) int64 { return ir.chunkRec(c).Warnings }, r.api.ImportWarnings},
	} {
		var parts []reportPart
		for _, c := range ir.chunks {
			cr := ir.chunkRec(c)
			if cr.BatchID == 0 || kind.count(c) == 0 {
				continue
			}
			tmp, err := os.CreateTemp(dir, ".marketo-*.csv")
			if err != nil {
				return "", "", err
			}
			defer os.Remove(tmp.Name())
			defer tmp.Close()
			found, err := kind.fetch(r.ctx, ir.obj, cr.BatchID, tmp)
			if err != nil {
				return "", "", fmt.Errorf("fetching %s of batch %d: %w", strings.TrimSuffix(kind.file, ".csv"), cr.BatchID, err)
			}
			if found {
				if _, err := tmp.Seek(0, io.SeekStart); err != nil {
					return "", "", err
				}
				parts = append(parts, reportPart{chunk: c.plan, marketo: tmp})
			}
		}
		target := filepath.Join(dir, kind.file)
		if err := writeFileAtomic(target, func(w io.Writer) error {
			_, err := rs.write(w, kind.reason, parts)
			return err
		}); err != nil {
			return "", "", err
		}
		rel := path.Join(ir.job.Reports, kind.file)
		if kind.file == failuresFile {
			failures = rel
		} else {
			warnings = rel
		}
	}
	return failures, warnings, nil
}

// reportSource maps rows of Marketo's failures/warnings files back to the
// import source's line numbers.
type reportSource struct {
	source io.ReaderAt
	header []byte
	delim  rune
}

// reportPart is Marketo's file for one chunk.
type reportPart struct {
	chunk   plan.Chunk
	marketo io.Reader
}

// write writes one report: a leading sourceRow column, then Marketo's
// columns (the source's columns and the reason). Each row of Marketo's
// file is matched to the chunk's source rows by every column but the
// trailing reason, in order, the first unmatched equal row winning; values
// are compared as parsed, so quoting differences do not matter, and then
// with surrounding spaces trimmed. A row that matches none gets an empty
// sourceRow. It returns how many rows were unmatched.
func (rs reportSource) write(w io.Writer, reason string, parts []reportPart) (unmatched int, err error) {
	cw := csv.NewWriter(w)
	cw.Comma = rs.delim
	wroteHeader := false
	for _, p := range parts {
		rows, err := rs.parse(p.marketo)
		if err != nil {
			return unmatched, fmt.Errorf("reading Marketo's report for chunk %d: %w", p.chunk.Index, err)
		}
		if len(rows) == 0 {
			continue
		}
		if !wroteHeader {
			if err := cw.Write(append([]string{sourceRowColumn}, rows[0].fields...)); err != nil {
				return unmatched, err
			}
			wroteHeader = true
		}
		rows = rows[1:]
		lines, err := rs.matchLines(p.chunk, rows)
		if err != nil {
			return unmatched, err
		}
		for i, row := range rows {
			sourceRow := ""
			if lines[i] > 0 {
				sourceRow = strconv.Itoa(lines[i])
			} else {
				unmatched++
			}
			if err := cw.Write(append([]string{sourceRow}, row.fields...)); err != nil {
				return unmatched, err
			}
		}
	}
	if !wroteHeader {
		hdr, err := rs.parse(bytes.NewReader(rs.header))
		if err != nil || len(hdr) == 0 {
			return 0, fmt.Errorf("reading the source header: %v", err)
		}
		row := append([]string{sourceRowColumn}, hdr[0].fields...)
		if err := cw.Write(append(row, reason)); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return unmatched, cw.Error()
}

type parsedRow struct {
	fields []string
	line   int // 1-based line within the parsed input where the row starts
}

func (rs reportSource) parse(r io.Reader) ([]parsedRow, error) {
	var rows []parsedRow
	err := rs.each(r, func(fields []string, line int) {
		rows = append(rows, parsedRow{fields: fields, line: line})
	})
	return rows, err
}

// each calls f with every record of r and the line it starts on.
func (rs reportSource) each(r io.Reader, f func(fields []string, line int)) error {
	cr := csv.NewReader(r)
	cr.Comma = rs.delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		f(rec, line)
	}
}

// matchLines returns, for each report row, the source line it came from (0
// when none matches). The chunk is streamed, once per comparison mode, so
// memory follows the report, not the source.
func (rs reportSource) matchLines(c plan.Chunk, rows []parsedRow) ([]int, error) {
	lines := make([]int, len(rows))
	used := map[int]bool{}
	for _, normalize := range []func(string) string{identity, strings.TrimSpace} {
		want := map[string][]int{} // key → report rows still unmatched, in order
		for i, row := range rows {
			if lines[i] == 0 && len(row.fields) > 0 {
				k := rowKey(row.fields[:len(row.fields)-1], normalize)
				want[k] = append(want[k], i)
			}
		}
		if len(want) == 0 {
			break
		}
		err := rs.each(io.NewSectionReader(rs.source, c.Offset, c.Length), func(fields []string, line int) {
			line += c.FirstLine - 1
			if used[line] {
				return
			}
			k := rowKey(fields, normalize)
			if q := want[k]; len(q) > 0 {
				lines[q[0]] = line
				used[line] = true
				want[k] = q[1:]
			}
		})
		if err != nil {
			return nil, fmt.Errorf("reading chunk %d of the source: %w", c.Index, err)
		}
	}
	return lines, nil
}

func identity(s string) string { return s }

func rowKey(fields []string, normalize func(string) string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(normalize(f))
	}
	return b.String()
}

// delimiter is the field separator of a Marketo file format.
func delimiter(format string) rune {
	switch strings.ToUpper(format) {
	case "TSV":
		return '\t'
	case "SSV":
		return ';'
	}
	return ','
}

// writeFileAtomic writes path through path+".partial", synced and renamed.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp := path + ".partial"
	// 0600 like every file mkbulk writes from Marketo: rows are personal data.
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
