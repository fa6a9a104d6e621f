package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/internal/stress"
)

// bytesPerLead is the sandbox's width of a lead with every field
// (BenchmarkGenerate in sandbox/): the download export is sized from it.
const bytesPerLead = 237

// downloadRounds is how many times each side downloads the file.
const downloadRounds = 3

// download exports every lead with every field (static list 1 holds all
// leads) — one job, one file of about gb GB — and compares mkbulk's
// download of it (from the poll that saw Completed to the verified file in
// place: streaming, sha256, fsync, rename) with `curl -o` of the same file
// from the same sandbox. The second figure is mkbulk's peak RSS over the
// whole apply, against the 64 MB target.
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
	// Rounds alternate mkbulk and curl, so a busy moment on the machine
	// does not land on one side only; medians count.
	var mkbulkTimes, curlTimes, durableTimes []time.Duration
	var size int64
	var peakRSS int64
	var applyWall time.Duration
	for round := 0; round < downloadRounds; round++ {
		b.logf("download: round %d: applying an export of %d leads", round+1, leads)
		d, n, rss, wall, url, sha, err := b.mkbulkDownload(p, sb)
		if err != nil {
			return nil, err
		}
		mkbulkTimes = append(mkbulkTimes, d)
		size, peakRSS, applyWall = n, max(peakRSS, rss), max(applyWall, wall)
		// curl as people run it, and curl followed by an fsync of the
		// file: mkbulk fsyncs before it renames, so that is like for like.
		for _, durable := range []bool{false, true} {
			d, err := b.curl(sb, url, filepath.Join(p.Dir, "curl.csv"), size, sha, durable)
			if err != nil {
				return nil, err
			}
			if durable {
				durableTimes = append(durableTimes, d)
			} else {
				curlTimes = append(curlTimes, d)
			}
		}
	}
	mkbulkTime, curlTime, durableTime := median(mkbulkTimes), median(curlTimes), median(durableTimes)

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
			Detail: fmt.Sprintf("peak RSS of mkbulk apply %.1f MB (wait4 ru_maxrss; highest of %d applies) for a %.2f GB export; longest apply %.1fs",
				rssMB, downloadRounds, float64(size)/1e9, applyWall.Seconds())},
	}, nil
}

// mkbulkDownload applies the project from scratch (state and output
// removed) and returns the download time — from the poll that saw the job
// Completed to the verified file in place (stream, sha256, fsync, rename)
// — with the size, peak RSS, apply wall time, file URL and sha256.
func (b *bench) mkbulkDownload(p *stress.Project, sb *stress.Sandbox) (d time.Duration, size, rssKB int64, wall time.Duration, url, sha string, err error) {
	if err := os.RemoveAll(filepath.Join(p.Dir, ".mkbulk")); err != nil {
		return 0, 0, 0, 0, "", "", err
	}
	if err := os.RemoveAll(filepath.Join(p.Dir, "out")); err != nil {
		return 0, 0, 0, 0, "", "", err
	}
	run := p.Apply(b.ctx, nil)
	if run.Code != 0 {
		return 0, 0, 0, 0, "", "", fmt.Errorf("mkbulk apply exited %d: %s", run.Code, lastLines(run.Stderr, 5))
	}
	var completedAt, downloadedAt time.Time
	var exportID string
	for _, ev := range run.Events {
		switch {
		case ev.Kind() == "status" && ev.Str("status") == "Completed":
			completedAt = ev.Time()
		case ev.Kind() == "job_created":
			exportID = ev.Str("export_id")
		case ev.Kind() == "file_downloaded":
			downloadedAt = ev.Time()
			size = int64(ev.Num("bytes"))
			sha = ev.Str("sha256")
		}
	}
	if completedAt.IsZero() || downloadedAt.IsZero() || size == 0 || exportID == "" {
		return 0, 0, 0, 0, "", "", fmt.Errorf("apply -json had no job_created, Completed status and file_downloaded events (%d events)", len(run.Events))
	}
	// Make room before curl writes its copy.
	if err := os.Remove(filepath.Join(p.Dir, "out", "all-leads.csv")); err != nil {
		return 0, 0, 0, 0, "", "", err
	}
	return downloadedAt.Sub(completedAt), size, run.PeakRSSKB, run.Wall, sb.FileURL("leads", exportID), sha, nil
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
