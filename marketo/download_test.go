package marketo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fileID = "4f2b9115-c3f2-4e40-a87c-bf803bbfed99"

var filePath = "/bulk/v1/leads/export/" + fileID + "/file.json"

// testContent is a deterministic pseudo-random file of n bytes.
func testContent(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(b)
	return b
}

func checksumOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func serveContent(content []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "file.csv", time.Time{}, bytes.NewReader(content))
	}
}

// cutMidBody answers like serveContent but drops the connection after
// `after` bytes of the body, as a reset mid-download looks.
func cutMidBody(t *testing.T, content []byte, after int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			t.Errorf("first request has Range %q", r.Header.Get("Range"))
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nAccept-Ranges: bytes\r\n\r\n", len(content))
		buf.Write(content[:after])
		buf.Flush()
		conn.Close()
	}
}

func partialPath(t *testing.T) string { return filepath.Join(t.TempDir(), "out.csv.partial") }

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDownloadFile downloads F9's body whole, verified, with progress.
func TestDownloadFile(t *testing.T) {
	env := setup(t)
	content := fixture(t, "F09_export_file.csv")
	env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			t.Errorf("fresh download sent Range %q", r.Header.Get("Range"))
		}
		serveContent(content)(w, r)
	})
	out := partialPath(t)
	var progress []int64
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content),
		Progress: func(n int64) { progress = append(progress, n) },
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if res.Size != int64(len(content)) || res.SHA256 != hex.EncodeToString(sum[:]) || res.Resumed || res.Retries != 0 {
		t.Errorf("result = %+v", res)
	}
	if !bytes.Equal(readFile(t, out), content) {
		t.Error("file content differs")
	}
	if len(progress) == 0 || progress[len(progress)-1] != int64(len(content)) {
		t.Errorf("progress = %v", progress)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("partial file mode = %v", st.Mode().Perm())
	}
}

// TestDownloadResumesPartialFile: bytes left by an earlier run are hashed,
// and only the rest is requested with Range.
func TestDownloadResumesPartialFile(t *testing.T) {
	env := setup(t)
	content := testContent(1 << 20)
	var ranges []string
	env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
		ranges = append(ranges, r.Header.Get("Range"))
		serveContent(content)(w, r)
	})
	out := partialPath(t)
	os.WriteFile(out, content[:300000], 0o600)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || res.Size != int64(len(content)) || len(ranges) != 1 || ranges[0] != "bytes=300000-" {
		t.Errorf("result %+v, ranges %q", res, ranges)
	}
	if !bytes.Equal(readFile(t, out), content) {
		t.Error("file content differs")
	}
}

// TestDownloadResumesAfterReset: the connection drops mid-body; the
// download resumes from the bytes written and the checksum still holds.
func TestDownloadResumesAfterReset(t *testing.T) {
	env := setup(t)
	content := testContent(3 << 20)
	var ranges []string
	h, n := sequence(cutMidBody(t, content, 1<<20), func(w http.ResponseWriter, r *http.Request) {
		ranges = append(ranges, r.Header.Get("Range"))
		serveContent(content)(w, r)
	})
	env.handle("GET "+filePath, h)
	out := partialPath(t)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content)})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 || res.Retries != 1 || len(ranges) != 1 || ranges[0] != "bytes=1048576-" {
		t.Errorf("calls %d, result %+v, ranges %q", n.Load(), res, ranges)
	}
	if !bytes.Equal(readFile(t, out), content) {
		t.Error("file content differs")
	}
	if len(env.clock.Sleeps()) != 1 {
		t.Errorf("back-offs = %v, want one", env.clock.Sleeps())
	}
}

// TestDownloadShortBody: a response that ends cleanly before fileSize (no
// Content-Length to tell) is resumed, not accepted.
func TestDownloadShortBody(t *testing.T) {
	env := setup(t)
	content := testContent(100000)
	h, n := sequence(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush() // chunked: the client cannot know it is short
		w.Write(content[:40000])
	}, serveContent(content))
	env.handle("GET "+filePath, h)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, partialPath(t), &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content)})
	if err != nil || n.Load() != 2 || res.Retries != 1 {
		t.Errorf("err %v, calls %d, result %+v", err, n.Load(), res)
	}
}

func TestDownloadChecksumMismatch(t *testing.T) {
	env := setup(t)
	content := testContent(200000)
	env.handle("GET "+filePath, serveContent(content))
	out := partialPath(t)
	wrong := checksumOf([]byte("something else"))
	_, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: wrong})
	if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "sha256 is ") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("err = %v, want a checksum ErrIntegrity", err)
	}
	if st, _ := os.Stat(out); st.Size() != 0 {
		t.Errorf("partial file keeps %d bytes after a checksum mismatch", st.Size())
	}
	if IsTransient(err) {
		t.Error("integrity errors must not be retried blindly")
	}
}

func TestDownloadSizeMismatch(t *testing.T) {
	content := testContent(50000)
	t.Run("server smaller than status", func(t *testing.T) {
		env := setup(t)
		env.handle("GET "+filePath, serveContent(content))
		out := partialPath(t)
		_, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{ExpectedSize: 60000})
		if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "60000") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("body longer than status", func(t *testing.T) {
		env := setup(t)
		env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.Write(content)
		})
		out := partialPath(t)
		_, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{ExpectedSize: 40000})
		if !errors.Is(err, ErrIntegrity) {
			t.Fatalf("err = %v", err)
		}
		if st, _ := os.Stat(out); st.Size() != 0 {
			t.Errorf("partial keeps %d bytes", st.Size())
		}
	})
	t.Run("partial longer than file", func(t *testing.T) {
		env := setup(t)
		env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Range") != "" {
				t.Errorf("Range %q for an oversized partial", r.Header.Get("Range"))
			}
			serveContent(content)(w, r)
		})
		out := partialPath(t)
		os.WriteFile(out, testContent(70000), 0o600)
		res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
			ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content)})
		if err != nil || res.Resumed {
			t.Errorf("err %v, result %+v", err, res)
		}
	})
}

// TestDownloadServerIgnoresRange: a 200 to a ranged request restarts the
// file from the first byte (the stale prefix is discarded).
func TestDownloadServerIgnoresRange(t *testing.T) {
	env := setup(t)
	content := testContent(80000)
	env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
		w.Write(content) // no Range support
	})
	out := partialPath(t)
	os.WriteFile(out, bytes.Repeat([]byte("x"), 1000), 0o600)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content)})
	if err != nil || res.Resumed {
		t.Fatalf("err %v, result %+v", err, res)
	}
	if !bytes.Equal(readFile(t, out), content) {
		t.Error("content differs")
	}
}

func TestDownloadBadContentRange(t *testing.T) {
	env := setup(t)
	content := testContent(5000)
	env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-4999/5000") // not what was asked
		w.WriteHeader(http.StatusPartialContent)
		w.Write(content)
	})
	out := partialPath(t)
	os.WriteFile(out, content[:100], 0o600)
	_, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{ExpectedSize: 5000})
	if err == nil || !strings.Contains(err.Error(), "Content-Range") {
		t.Fatalf("err = %v", err)
	}
}

// TestDownloadRangeNotSatisfiable: a 416 for our prefix restarts once from zero.
func TestDownloadRangeNotSatisfiable(t *testing.T) {
	env := setup(t)
	content := testContent(5000)
	env.handle("GET "+filePath, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
			return
		}
		w.Write(content)
	})
	out := partialPath(t)
	os.WriteFile(out, content[:100], 0o600)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{ExpectedChecksum: checksumOf(content)})
	if err != nil || res.Size != 5000 {
		t.Fatalf("err %v, result %+v", err, res)
	}
}

// TestDownloadNotFound: a plain-text 404 (file expired, or job not
// Completed) is reported as such, without retries.
func TestDownloadNotFound(t *testing.T) {
	env := setup(t)
	h, n := sequence(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "Not Found", http.StatusNotFound) })
	env.handle("GET "+filePath, h)
	_, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, partialPath(t), nil)
	if !IsNotFound(err) || n.Load() != 1 {
		t.Errorf("err %v after %d calls", err, n.Load())
	}
}

// TestDownloadEnvelopeError: a file endpoint answering HTTP 200 with a 606
// envelope is an error, retried after the window, not file content.
func TestDownloadEnvelopeError(t *testing.T) {
	env := setup(t)
	content := fixture(t, "F09_export_file.csv")
	h, n := sequence(serveFixture(t, "F16_error_606_rate_limit.json"), serveContent(content))
	env.handle("GET "+filePath, h)
	out := partialPath(t)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{ExpectedChecksum: checksumOf(content)})
	if err != nil || n.Load() != 2 || res.Retries != 1 {
		t.Fatalf("err %v, calls %d, result %+v", err, n.Load(), res)
	}
	if s := env.clock.Sleeps(); len(s) != 1 || s[0] < 20*time.Second {
		t.Errorf("sleeps %v", s)
	}
	if !bytes.Equal(readFile(t, out), content) {
		t.Error("the envelope leaked into the file")
	}
}

// TestDownloadAlreadyComplete: a partial file that is already whole is
// verified without a request.
func TestDownloadAlreadyComplete(t *testing.T) {
	env := setup(t)
	content := testContent(4096)
	h, n := sequence(serveContent(content))
	env.handle("GET "+filePath, h)
	out := partialPath(t)
	os.WriteFile(out, content, 0o600)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, out, &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content)})
	if err != nil || n.Load() != 0 || !res.Resumed {
		t.Errorf("err %v, calls %d, result %+v", err, n.Load(), res)
	}
}

// TestDownloadStall: a server that stops sending mid-body is abandoned
// after StallTimeout and the download resumes.
func TestDownloadStall(t *testing.T) {
	env := setup(t)
	content := testContent(100000)
	h, n := sequence(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		w.Write(content[:30000])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}, serveContent(content))
	env.handle("GET "+filePath, h)
	res, err := env.client.BulkExport.DownloadFile(ctx, Leads, fileID, partialPath(t), &DownloadOptions{
		ExpectedSize: int64(len(content)), ExpectedChecksum: checksumOf(content), StallTimeout: 200 * time.Millisecond})
	if err != nil || n.Load() != 2 || res.Retries != 1 {
		t.Errorf("err %v, calls %d, result %+v", err, n.Load(), res)
	}
}

func TestParseChecksumAndContentRange(t *testing.T) {
	good := "sha256:DE553362E7FFAD6556AE9EA749655C35010C7F0E944FC5A85782183130DCA18D"
	if got, err := parseChecksum(good); err != nil || got != strings.ToLower(good[7:]) {
		t.Errorf("parseChecksum = %q, %v", got, err)
	}
	for _, bad := range []string{"md5:abc", "sha256:xyz", "sha256:abcd"} {
		if _, err := parseChecksum(bad); err == nil {
			t.Errorf("parseChecksum(%q) accepted", bad)
		}
	}
	if s, total, err := parseContentRange("bytes 725-999/1000"); err != nil || s != 725 || total != 1000 {
		t.Errorf("parseContentRange = %d %d %v", s, total, err)
	}
	if s, total, err := parseContentRange("bytes 5-9/*"); err != nil || s != 5 || total != 0 {
		t.Errorf("parseContentRange(*) = %d %d %v", s, total, err)
	}
	for _, bad := range []string{"", "bytes */1000", "items 0-1/2", "bytes 0-1"} {
		if _, _, err := parseContentRange(bad); err == nil {
			t.Errorf("parseContentRange(%q) accepted", bad)
		}
	}
}
