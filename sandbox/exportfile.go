package sandbox

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

var contentTypes = map[string]string{
	"CSV": "text/csv;charset=UTF-8",
	"TSV": "text/tab-separated-values;charset=UTF-8",
	"SSV": "text/plain;charset=UTF-8",
}

// exportFile: GET .../export/{exportId}/file.json. Plain-text 404 until the
// job is Completed (or for unknown ids, or after retention); a single
// byte Range gets 206 with Content-Range; an unsatisfiable one 416.
func (c *call) exportFile(obj objectKind) {
	apiName := ""
	if obj == objCustomObject {
		apiName = c.param("apiName")
	}
	s := c.s
	now := s.clock.Now()
	s.mu.Lock()
	j := s.lookupExport(obj, apiName, c.param("exportId"), now)
	var path, format string
	var size int64
	if j != nil && j.fileAvailable(now) {
		path, size, format = j.path, j.fileSize, j.spec.format.Name
	}
	s.mu.Unlock()
	if path == "" {
		notFoundText(c.w)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		notFoundText(c.w)
		return
	}
	defer f.Close()

	h := c.w.Header()
	h.Set("Content-Type", contentTypes[format])
	h.Set("Accept-Ranges", "bytes")
	start, length := int64(0), size
	status := http.StatusOK
	if rh := c.r.Header.Get("Range"); rh != "" {
		a, n, ok, satisfiable := parseByteRange(rh, size)
		switch {
		case ok && !satisfiable:
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			h.Set("Content-Type", "text/plain;charset=UTF-8")
			c.w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		case ok:
			start, length, status = a, n, http.StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(a, 10)+"-"+strconv.FormatInt(a+n-1, 10)+"/"+strconv.FormatInt(size, 10))
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	c.w.WriteHeader(status)
	if c.r.Method == http.MethodHead {
		return
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return
	}
	out := &countingWriter{w: c.w, n: &s.counters.bytesServed}
	if c.fault.kind == faultTruncate && length > 1 {
		// Send about half the promised bytes, then drop the connection.
		s.counters.faults.Add(1)
		io.CopyN(out, f, length/2)
		if fl, ok := c.w.(http.Flusher); ok {
			fl.Flush()
		}
		dropConnection(c.w, false)
		return
	}
	io.CopyN(out, f, length)
}

// parseByteRange reads one "bytes=a-b", "bytes=a-" or "bytes=-n" range. ok is
// false for anything else (the header is then ignored, as RFC 9110 allows,
// and the whole file is sent).
func parseByteRange(h string, size int64) (start, length int64, ok, satisfiable bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, false
	}
	if a == "" { // suffix: the last b bytes
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, false
		}
		n = min(n, size)
		return size - n, n, true, true
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 {
		return 0, 0, false, false
	}
	last := size - 1
	if b != "" {
		last, err = strconv.ParseInt(b, 10, 64)
		if err != nil || last < first {
			return 0, 0, false, false
		}
		last = min(last, size-1)
	}
	if first >= size {
		return 0, 0, true, false
	}
	return first, last - first + 1, true, true
}

// countingWriter counts bytes served and keeps the ReaderFrom fast path
// (sendfile) of the underlying ResponseWriter.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (cw *countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n.Add(int64(n))
	return n, err
}

func (cw *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := cw.w.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		cw.n.Add(n)
		return n, err
	}
	return io.Copy(struct{ io.Writer }{cw}, r)
}
