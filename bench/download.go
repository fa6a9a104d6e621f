package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/mkbulk/mkbulk/internal/stress"
	"github.com/mkbulk/mkbulk/statefile"
)

// bytesPerLead is the sandbox's width of a lead with every field
// (BenchmarkGenerate in sandbox/): the download export is sized from it.
const bytesPerLead = 237

// downloadRounds is how many times each side downloads the file.
const downloadRounds = 3

// download exports every lead with every field (static list 1 holds all
// leads) — one job, one file of about gb GB — and compares mkbulk's
// download of it with `curl -o` of the same file from the same sandbox.
//
// The first apply creates the job and downloads its file (its peak RSS is
// the memory figure). Each measured round then puts the state back to
// "job Completed, file not downloaded" — what a crash before the download
// leaves — so `mkbulk apply` resumes and downloads the very file curl
// fetches, from the same page cache, after the same sync. mkbulk's time
// runs from its first download event (first bytes received) to
// file_downloaded (stream, sha256, fsync, rename, state write); curl's is
// the process's wall time, connection included — a few milliseconds
// against mkbulk in a second-long transfer.
func (b *bench) download(gb float64) ([]figure, error) {
	leads := int(gb * 1e9 / bytesPerLead)
	// A high time scale: the job's ~45 status ticks pass in a fraction of
	// a second, so generating the file is the only wait before download.
	sb, err := stress.StartSandbox(b.ctx, b.bin, fmt.Sprintf("-leads=%d", leads), "-time-scale=20000", "-quota-mb=100000")
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	p, err := b.project("download", sb)
	if err != nil {
		return nil, err
	}
	// At this time scale Marketo's 60 s refresh is 3 ms: polling that
	// often would spend the 100-calls-per-20-s budget while the file is
	// generated, and the client would rightly wait out the window.
	p.Env = append(p.Env, "MKBULK_POLL_INTERVAL=250ms")
	if err := writeFile(p.Dir, "all-leads.yaml", `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: all-leads
spec:
  object: leads
  fields: [`+strings.Join(stress.LeadFields, ", ")+`]
  filter:
    staticListId: 1
  output: out/all-leads.csv
`); err != nil {
		return nil, err
	}
	b.logf("download: exporting %d leads", leads)
	first, err := b.mkbulkDownload(p)
	if err != nil {
		return nil, err
	}
	url := sb.FileURL("leads", first.exportID)

	// Rounds alternate mkbulk and curl, so a busy moment on the machine
	// does not land on one side only; medians count.
	var mkbulkTimes, curlTimes, durableTimes []time.Duration
	peakRSS := first.rssKB
	for round := 0; round < downloadRounds; round++ {
		b.logf("download: round %d", round+1)
		if err := forgetDownload(p, first.exportID); err != nil {
			return nil, err
		}
		syscall.Sync()
		d, err := b.mkbulkDownload(p)
		if err != nil {
			return nil, err
		}
		if d.exportID != first.exportID || d.sha != first.sha {
			return nil, fmt.Errorf("round %d downloaded job %s (sha256 %s), want a resume of job %s (%s)", round+1, d.exportID, d.sha, first.exportID, first.sha)
		}
		mkbulkTimes = append(mkbulkTimes, d.time)
		peakRSS = max(peakRSS, d.rssKB)
		// curl as people run it, and curl followed by an fsync of the
		// file: mkbulk fsyncs before it renames, so that is like for like.
		for _, durable := range []bool{false, true} {
			syscall.Sync()
			t, err := b.curl(sb, url, filepath.Join(p.Dir, "curl.csv"), first.size, first.sha, durable)
			if err != nil {
				return nil, err
			}
			if durable {
				durableTimes = append(durableTimes, t)
			} else {
				curlTimes = append(curlTimes, t)
			}
		}
	}
	mkbulkTime, curlTime, durableTime := median(mkbulkTimes), median(curlTimes), median(durableTimes)
	size := first.size

	ratio := curlTime.Seconds() / mkbulkTime.Seconds()
	durableRatio := durableTime.Seconds() / mkbulkTime.Seconds()
	rssMB := float64(peakRSS) / 1024
	return []figure{
		{Name: "download", Ratio: ratio, Target: "≥ 0.90× curl", Met: ratio >= 0.9,
			Detail: fmt.Sprintf("%.2f GB, medians of %d: mkbulk %.2fs (%.0f MB/s; sha256 verified, fsynced; %s) vs curl -o %.2fs (%.0f MB/s; %s)",
				float64(size)/1e9, downloadRounds, mkbulkTime.Seconds(), mb(size)/mkbulkTime.Seconds(), fmtDurs(mkbulkTimes),
				curlTime.Seconds(), mb(size)/curlTime.Seconds(), fmtDurs(curlTimes))},
		{Name: "download-durable", Ratio: durableRatio, Target: "≥ 0.90× curl+fsync", Met: durableRatio >= 0.9,
			Detail: fmt.Sprintf("the same against curl -o then fsync of the file: %.2fs (%.0f MB/s; %s)",
				durableTime.Seconds(), mb(size)/durableTime.Seconds(), fmtDurs(durableTimes))},
		{Name: "download-memory", Ratio: rssMB / 64, Target: "< 1.00× 64 MB", Met: rssMB < 64,
			Detail: fmt.Sprintf("peak RSS of mkbulk apply %.1f MB (wait4 ru_maxrss; highest of %d applies: create, wait, download, resumes) for a %.2f GB export; first apply %.1fs",
				rssMB, downloadRounds+1, float64(size)/1e9, first.wall.Seconds())},
	}, nil
}

// downloadRun is what one `mkbulk apply` of the download project did.
type downloadRun struct {
	time     time.Duration // first download event to file_downloaded
	size     int64
	rssKB    int64
	wall     time.Duration
	exportID string
	sha      string
}

// mkbulkDownload applies the project and reads the download's timing
// from its -json events, then removes the output to make room for curl.
func (b *bench) mkbulkDownload(p *stress.Project) (*downloadRun, error) {
	run := p.Apply(b.ctx, nil)
	if run.Code != 0 {
		return nil, fmt.Errorf("mkbulk apply exited %d: %s", run.Code, lastLines(run.Stderr, 5))
	}
	d := &downloadRun{rssKB: run.PeakRSSKB, wall: run.Wall}
	var started, done time.Time
	for _, ev := range run.Events {
		switch ev.Kind() {
		case "download":
			if started.IsZero() {
				started = ev.Time()
			}
		case "file_downloaded":
			done = ev.Time()
			d.size = int64(ev.Num("bytes"))
			d.sha = ev.Str("sha256")
		}
	}
	if started.IsZero() || done.IsZero() || d.size == 0 {
		return nil, fmt.Errorf("apply -json had no download and file_downloaded events (%d events)", len(run.Events))
	}
	d.time = done.Sub(started)
	snap, err := stress.ReadState(filepath.Join(p.Dir, ".mkbulk", "state.db"))
	if err != nil {
		return nil, err
	}
	rec, ok := snap.Resources["export.all-leads"]
	if !ok || rec.Export == nil {
		return nil, fmt.Errorf("no export.all-leads in state")
	}
	d.exportID = rec.Export.ExportID
	return d, os.Remove(filepath.Join(p.Dir, "out", "all-leads.csv"))
}

// forgetDownload puts the window back to "Completed on Marketo, not yet
// downloaded", as an apply killed before its download leaves it, so the
// next apply resumes and downloads the same job's file.
func forgetDownload(p *stress.Project, exportID string) error {
	st, err := statefile.Open(filepath.Join(p.Dir, ".mkbulk", "state.db"), statefile.Options{Operation: "bench"})
	if err != nil {
		return err
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil {
		return err
	}
	rec := snap.Resources["export.all-leads"]
	if rec.Export == nil || rec.Export.ExportID != exportID {
		return fmt.Errorf("export.all-leads is not job %s in state", exportID)
	}
	rec.Export.SHA256, rec.Export.DownloadedBytes = "", 0
	return st.Put(rec)
}

// curl fetches url to path with a fresh token (and, when durable, fsyncs
// the file), checks the size and sha256 outside the timing, removes the
// file, and returns the wall time.
func (b *bench) curl(sb *stress.Sandbox, url, path string, size int64, sha string, durable bool) (time.Duration, error) {
	tok, err := sb.Token()
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(b.ctx, "curl", "-sS", "--fail", "-H", "Authorization: Bearer "+tok, "-o", path, url)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err = cmd.Run()
	if err == nil && durable {
		err = fsyncFile(path)
	}
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("curl: %v: %s", err, errb.String())
	}
	defer os.Remove(path)
	got, n, err := stress.FileSHA256(path)
	if err != nil {
		return 0, err
	}
	if n != size || got != sha {
		return 0, fmt.Errorf("curl fetched %d bytes (sha256 %s), mkbulk %d (sha256 %s)", n, got, size, sha)
	}
	return d, nil
}

func fsyncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func fmtDurs(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%.2fs", d.Seconds()))
	}
	return strings.Join(s, ", ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
