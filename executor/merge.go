package executor

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// mergeState is one plan.Merge in a run.
type mergeState struct {
	merge    plan.Merge
	running  bool
	finished bool // written, or failed
}

// partOutput returns the verified file of a merge part, if it is verified:
// by this run, or by an earlier one when the part has no step now.
func (x *exportRunner) partOutput(address string) (string, bool) {
	if w, ok := x.byAddr[address]; ok {
		return w.exp().Output, w.phase == phaseDone
	}
	rec, ok := x.r.record(address)
	if !ok || rec.Export == nil || !rec.Export.Done() {
		return "", false
	}
	return rec.Export.Output, true
}

// mergeReady reports whether every part of m is verified.
func (x *exportRunner) mergeReady(m *mergeState) bool {
	for _, p := range m.merge.Parts {
		if _, ok := x.partOutput(p); !ok {
			return false
		}
	}
	return true
}

// startMerges merges each export whose windows are all verified.
func (x *exportRunner) startMerges() {
	r := x.r
	for _, m := range x.merges {
		if m.running || m.finished || r.stopped() || !x.mergeReady(m) {
			continue
		}
		parts := make([]string, len(m.merge.Parts))
		for i, p := range m.merge.Parts {
			parts[i], _ = x.partOutput(p)
		}
		m.running = true
		x.running++
		go func() {
			rec, err := x.mergeFiles(m.merge, parts)
			x.done <- func() { x.running--; x.merged(m, rec, err) }
		}()
	}
}

func (x *exportRunner) merged(m *mergeState, rec statefile.Record, err error) {
	r := x.r
	m.running = false
	step := &plan.Step{Address: m.merge.Resource, Resource: m.merge.Resource, Kind: statefile.KindMerge}
	if err != nil {
		if r.stopped() {
			return // pending: the next run merges again
		}
		m.finished = true
		r.res.failed(step, failureOf(fmt.Errorf("merging %s: %w", m.merge.Output, err)))
		return
	}
	if r.put(rec) != nil {
		return
	}
	m.finished = true
	r.obs.Observe(FileMerged{Resource: m.merge.Resource, Path: m.merge.Output, Size: rec.Merge.Size, SHA256: rec.Merge.SHA256})
	r.res.update(func(res *Result) { res.Exports.Merged++ })
	r.res.applied(step, fmt.Sprintf("%d windows merged, %s, sha256 %s → %s", len(m.merge.Parts), FormatBytes(rec.Merge.Size), rec.Merge.SHA256[:12], m.merge.Output))
}

// mergeFiles concatenates the part files (relative paths, window order) into
// m.Output with one header: every part of an export starts with the same
// header line, which is kept from the first part only. The result goes to
// OUTPUT.partial, is synced, then renamed into place.
func (x *exportRunner) mergeFiles(m plan.Merge, parts []string) (statefile.Record, error) {
	r := x.r
	if !r.acquireLocal() {
		return statefile.Record{}, r.ctx.Err()
	}
	defer r.releaseLocal()
	path := r.abs(m.Output)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return statefile.Record{}, err
	}
	partial := path + ".partial"
	// 0600 like the downloaded windows it joins: rows are personal data.
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return statefile.Record{}, err
	}
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	err = concatWithOneHeader(cw, parts, r.abs)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(partial, path)
	}
	if err != nil {
		_ = os.Remove(partial)
		return statefile.Record{}, err
	}
	syncDir(filepath.Dir(path))
	return statefile.Record{
		Address:  m.Resource,
		Resource: m.Resource,
		Kind:     statefile.KindMerge,
		Merge: &statefile.MergeRecord{
			Output: m.Output,
			Parts:  m.Parts,
			SHA256: hex.EncodeToString(h.Sum(nil)),
			Size:   cw.n,
		},
	}, nil
}

// concatWithOneHeader writes the parts to w, the first whole and the others
// without their header line, which must equal the first part's. Empty parts
// are skipped; a part not ending in a newline gets one before the next.
func concatWithOneHeader(w *countingWriter, parts []string, abs func(string) string) error {
	var header []byte
	endsWithNewline := true
	for _, p := range parts {
		f, err := os.Open(abs(p))
		if err != nil {
			return err
		}
		br := bufio.NewReaderSize(f, 1<<20)
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			f.Close()
			return err
		}
		if len(line) == 0 {
			f.Close()
			continue
		}
		if header == nil {
			header = line
			if _, err := w.Write(line); err != nil {
				f.Close()
				return err
			}
			endsWithNewline = line[len(line)-1] == '\n'
		} else if !bytes.Equal(bytes.TrimRight(line, "\r\n"), bytes.TrimRight(header, "\r\n")) {
			f.Close()
			return fmt.Errorf("%s has a different header than %s", p, parts[0])
		}
		n0 := w.n
		if !endsWithNewline {
			if peek, _ := br.Peek(1); len(peek) > 0 {
				if _, err := w.Write([]byte{'\n'}); err != nil {
					f.Close()
					return err
				}
			}
		}
		tw := &lastByteWriter{w: w}
		_, err = io.Copy(tw, br)
		f.Close()
		if err != nil {
			return err
		}
		if w.n > n0 {
			endsWithNewline = tw.last == '\n'
		}
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// lastByteWriter remembers the last byte written through it.
type lastByteWriter struct {
	w    io.Writer
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}
