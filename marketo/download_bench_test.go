package marketo

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

var benchSizeMB = flag.Int("download-mb", 256, "size of the file BenchmarkDownload transfers, in MB")

// BenchmarkDownload transfers one large file from a local server twice per
// iteration: through DownloadFile (Range-capable, sha256 verified, fsynced)
// and with a plain net/http GET + io.Copy into a file (what curl does). It
// reports both throughputs, their ratio (DESIGN.md §10 target ≥ 0.9) and
// the allocations of one DownloadFile call.
//
//	go test -run '^$' -bench Download -benchtime 3x ./marketo/
func BenchmarkDownload(b *testing.B) {
	size := int64(*benchSizeMB) << 20
	dir := b.TempDir()
	src := filepath.Join(dir, "export.csv")
	sum := writeRandomFile(b, src, size)
	path := "/bulk/v1/leads/export/bench/file.json"

	mux := http.NewServeMux()
	mux.HandleFunc("/identity/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"access_token":"bench","token_type":"bearer","expires_in":3599,"scope":"s"}`)
	})
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, src) // sendfile on the server side, as a fair peer
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithCredentials("bench", "bench-secret"))
	if err != nil {
		b.Fatal(err)
	}
	opts := &DownloadOptions{ExpectedSize: size, ExpectedChecksum: "sha256:" + sum}

	var clientTime, plainTime time.Duration
	var mallocs, allocBytes uint64
	b.ResetTimer()
	for i := range b.N {
		out := filepath.Join(dir, fmt.Sprintf("plain-%d", i))
		start := time.Now()
		plainCopy(b, srv.URL+path, out)
		plainTime += time.Since(start)
		os.Remove(out)

		out = filepath.Join(dir, fmt.Sprintf("client-%d", i))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start = time.Now()
		if _, err := c.BulkExport.DownloadFile(ctx, Leads, "bench", out, opts); err != nil {
			b.Fatal(err)
		}
		clientTime += time.Since(start)
		runtime.ReadMemStats(&after)
		mallocs += after.Mallocs - before.Mallocs
		allocBytes += after.TotalAlloc - before.TotalAlloc
		os.Remove(out)
	}
	b.StopTimer()
	mb := float64(size) / (1 << 20) * float64(b.N)
	b.ReportMetric(mb/clientTime.Seconds(), "client-MB/s")
	b.ReportMetric(mb/plainTime.Seconds(), "plain-MB/s")
	b.ReportMetric(plainTime.Seconds()/clientTime.Seconds(), "ratio")
	b.ReportMetric(float64(mallocs)/float64(b.N), "client-allocs/op")
	b.ReportMetric(float64(allocBytes)/float64(b.N), "client-B/op")
}

// plainCopy is the baseline: GET and io.Copy into a file, nothing else.
func plainCopy(b *testing.B, url, out string) {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// writeRandomFile writes size deterministic pseudo-random bytes and returns
// their sha256 in hex.
func writeRandomFile(b *testing.B, name string, size int64) string {
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(rand.NewChaCha8([32]byte{7}), size)); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
