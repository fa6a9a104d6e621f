package stress

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/statefile"
)

// Verified is what Verify checked.
type Verified struct {
	Windows int   // export window files whose sha256 matched
	Merges  int   // merged files that matched the concatenation of their parts
	Imports int   // imports with every chunk Complete
	Chunks  int   // chunks in those imports
	Bytes   int64 // bytes of verified files
	// Problems lists every mismatch; empty when all is well.
	Problems []string
}

func (v *Verified) problem(format string, args ...any) {
	v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
}

// Verify checks a finished project against its state and the sandbox:
//
//   - every export window record is done; its file's sha256 and size equal
//     the state's, Marketo's fileChecksum recorded in state, and (when sb
//     is not nil) what the sandbox says about that job now;
//   - every merged file equals its merge record and the concatenation of
//     its parts' files with the repeated header lines dropped;
//   - every import is done with each chunk Complete under its own batch id;
//   - no *.partial file is left anywhere in the project.
//
// The state is opened read-only, so no apply may be running.
func Verify(dir, statePath string, sb *Sandbox) (*Verified, error) {
	snap, err := ReadState(statePath)
	if err != nil {
		return nil, err
	}
	v := &Verified{}
	addrs := make([]string, 0, len(snap.Resources))
	for a := range snap.Resources {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		rec := snap.Resources[a]
		switch {
		case rec.Export != nil:
			v.export(dir, a, rec.Export, sb)
		case rec.Merge != nil:
			v.merge(dir, a, rec.Merge, snap)
		case rec.Import != nil:
			v.importRec(a, rec.Import)
		default:
			v.problem("%s: record of kind %q holds nothing", a, rec.Kind)
		}
	}
	for _, p := range PartialFiles(dir) {
		v.problem("partial file left behind: %s", p)
	}
	return v, nil
}

// ReadState opens the state read-only and returns its snapshot.
func ReadState(path string) (*statefile.Snapshot, error) {
	st, err := statefile.Open(path, statefile.Options{ReadOnly: true, Operation: "stress-verify"})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Snapshot()
}

func (v *Verified) export(dir, addr string, e *statefile.ExportRecord, sb *Sandbox) {
	if !e.Done() {
		v.problem("%s: not done (exportId %q, status %q)", addr, e.ExportID, e.Status)
		return
	}
	sum, size, err := FileSHA256(filepath.Join(dir, e.Output))
	if err != nil {
		v.problem("%s: %v", addr, err)
		return
	}
	if sum != e.SHA256 {
		v.problem("%s: %s has sha256 %s, state says %s", addr, e.Output, sum, e.SHA256)
	}
	if want := "sha256:" + sum; e.FileChecksum != want {
		v.problem("%s: %s has sha256 %s, Marketo's fileChecksum in state is %q", addr, e.Output, sum, e.FileChecksum)
	}
	if size != e.FileSize {
		v.problem("%s: %s is %d bytes, fileSize in state is %d", addr, e.Output, size, e.FileSize)
	}
	if sb != nil {
		st, err := sb.ExportStatus(ObjectPath(e.Object, e.APIName), e.ExportID)
		switch {
		case err != nil:
			v.problem("%s: sandbox status of %s: %v", addr, e.ExportID, err)
		case st.Status != "Completed" || st.FileChecksum != "sha256:"+sum || st.FileSize != size:
			v.problem("%s: sandbox says job %s is %s with %s (%d bytes); the file has sha256:%s (%d bytes)",
				addr, e.ExportID, st.Status, st.FileChecksum, st.FileSize, sum, size)
		}
	}
	v.Windows++
	v.Bytes += size
}

func (v *Verified) merge(dir, addr string, m *statefile.MergeRecord, snap *statefile.Snapshot) {
	sum, size, err := FileSHA256(filepath.Join(dir, m.Output))
	if err != nil {
		v.problem("%s: %v", addr, err)
		return
	}
	if sum != m.SHA256 || size != m.Size {
		v.problem("%s: %s has sha256 %s (%d bytes), merge record says %s (%d bytes)", addr, m.Output, sum, size, m.SHA256, m.Size)
	}
	var parts []string
	for _, p := range m.Parts {
		rec, ok := snap.Resources[p]
		if !ok || rec.Export == nil {
			v.problem("%s: part %s has no export record", addr, p)
			return
		}
		parts = append(parts, filepath.Join(dir, rec.Export.Output))
	}
	want, wantSize, err := ConcatSHA256(parts)
	if err != nil {
		v.problem("%s: %v", addr, err)
		return
	}
	if want != sum || wantSize != size {
		v.problem("%s: %s (sha256 %s, %d bytes) is not its %d parts joined with one header (sha256 %s, %d bytes)",
			addr, m.Output, sum, size, len(parts), want, wantSize)
	}
	v.Merges++
}

func (v *Verified) importRec(addr string, im *statefile.ImportRecord) {
	if !im.Done {
		v.problem("%s: import not done", addr)
	}
	seen := map[int]int{}
	for _, c := range im.Chunks {
		switch {
		case c.BatchID == 0:
			v.problem("%s[%d]: no batch id", addr, c.Index)
		case seen[c.BatchID] != 0:
			v.problem("%s[%d]: batch %d is also chunk %d's", addr, c.Index, c.BatchID, seen[c.BatchID]-1)
		}
		seen[c.BatchID] = c.Index + 1
		if c.Status != "Complete" {
			v.problem("%s[%d]: status %q, want Complete", addr, c.Index, c.Status)
		}
		if c.Uploading {
			v.problem("%s[%d]: still marked uploading", addr, c.Index)
		}
	}
	v.Imports++
	v.Chunks += len(im.Chunks)
}

// FileSHA256 is the hex sha256 and size of a file.
func FileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ConcatSHA256 is the sha256 and size of the parts joined into one file
// with one header: the first part whole, each later part without its first
// line (which must equal the first part's), a newline added between parts
// when one does not end with it. Written independently of the executor's
// merge so that a shared mistake cannot hide.
func ConcatSHA256(parts []string) (string, int64, error) {
	h := sha256.New()
	var n int64
	var header []byte
	lastNewline := true
	for _, p := range parts {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", 0, err
		}
		if len(data) == 0 {
			continue
		}
		line, body, _ := bytes.Cut(data, []byte("\n"))
		body = data[len(line):] // keeps the newline, if any
		if header == nil {
			header = line
			body = data
		} else {
			if !bytes.Equal(bytes.TrimRight(line, "\r"), bytes.TrimRight(header, "\r")) {
				return "", 0, fmt.Errorf("%s: header %q differs from the first part's %q", p, line, header)
			}
			if len(body) > 0 {
				body = body[1:] // the header's newline
			}
		}
		if len(body) == 0 {
			continue
		}
		if !lastNewline {
			h.Write([]byte{'\n'})
			n++
		}
		h.Write(body)
		n += int64(len(body))
		lastNewline = body[len(body)-1] == '\n'
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// PartialFiles lists every *.partial file under dir (relative paths).
func PartialFiles(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".partial") {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// CountLines counts the lines of a file (for row-level checks).
func CountLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n int64
	br := bufio.NewReaderSize(f, 1<<20)
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 && b[len(b)-1] == '\n' {
			n++
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return n, err
		}
	}
}

// CheckAtRest checks a project between applies (after a kill): whatever
// sits at a final output path is whole. A window file there must have the
// sha256 Marketo gave for its job, whether or not the apply lived to
// record it. A merged file (merged maps its resource, export.NAME, to its
// output path) must equal its windows' files joined, whether or not its
// merge record was written. Half-written bytes may only ever be in
// *.partial files.
func CheckAtRest(dir, statePath string, merged map[string]string) ([]string, error) {
	snap, err := ReadState(statePath)
	if err != nil {
		return nil, err
	}
	var problems []string
	parts := map[string][]statefile.Record{} // merged resource → its windows
	for addr, rec := range snap.Resources {
		e := rec.Export
		if e == nil {
			continue
		}
		if _, ok := merged[rec.Resource]; ok {
			parts[rec.Resource] = append(parts[rec.Resource], rec)
		}
		if e.Output == "" || e.FileChecksum == "" {
			continue
		}
		sum, _, err := FileSHA256(filepath.Join(dir, e.Output))
		if errors.Is(err, fs.ErrNotExist) {
			if e.Done() {
				problems = append(problems, fmt.Sprintf("%s: state says %s is verified, but it is missing", addr, e.Output))
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if "sha256:"+sum != e.FileChecksum {
			problems = append(problems, fmt.Sprintf("%s: %s at its final path has sha256 %s, Marketo's checksum for job %s is %s",
				addr, e.Output, sum, e.ExportID, e.FileChecksum))
		}
	}
	for res, out := range merged {
		sum, size, err := FileSHA256(filepath.Join(dir, out))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		recs := parts[res]
		sort.Slice(recs, func(i, j int) bool { return windowStart(recs[i]).Before(windowStart(recs[j])) })
		var files []string
		for _, r := range recs {
			if !r.Export.Done() {
				problems = append(problems, fmt.Sprintf("%s: %s exists though window %s is not verified", res, out, r.Address))
			}
			files = append(files, filepath.Join(dir, r.Export.Output))
		}
		want, wantSize, err := ConcatSHA256(files)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", res, err))
			continue
		}
		if want != sum || wantSize != size {
			problems = append(problems, fmt.Sprintf("%s: %s (sha256 %s, %d bytes) is not its %d windows joined (sha256 %s, %d bytes)",
				res, out, sum, size, len(files), want, wantSize))
		}
	}
	return problems, nil
}

func windowStart(r statefile.Record) time.Time {
	if r.Export != nil && r.Export.WindowStart != nil {
		return *r.Export.WindowStart
	}
	return time.Time{}
}
