package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mkbulk/mkbulk/internal/stress"
)

// importRows makes a lead source of about 110 MB (WriteLeadCSV rows are
// ~107 bytes with this tag): twelve chunks under 10 MB.
const importRows = 1_030_000

// importTimeScale: at 30 the status refresh is 2 s real, so polling a full
// import queue (10 batches) stays within Marketo's 100 calls per 20 s,
// which is real time for the sandbox too; faster, the client's limiter
// (rightly) stalls the polls and the figure measures the time compression
// instead of mkbulk.
const importTimeScale = 30

// importFigures measures the import side on one 100 MB lead source:
//
//   - pre-flight: `mkbulk plan` checks every row against describe; MB/s is
//     the source size over the plan's whole wall time (describe and
//     listing calls included), against the 100 MB/s target;
//   - upload: `mkbulk apply` (plan, pre-flight, split, upload, poll,
//     reports) against the sandbox's own processing time for the same
//     chunks: the best two-slot schedule of its per-batch import time.
func (b *bench) importFigures() ([]figure, error) {
	sb, err := stress.StartSandbox(b.ctx, b.bin, "-leads=100000", fmt.Sprintf("-time-scale=%d", importTimeScale))
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	p, err := b.project("import", sb)
	if err != nil {
		return nil, err
	}
	if err := writeFile(p.Dir, "import.yaml", `apiVersion: mkbulk/v1
kind: Import
metadata:
  name: big-import
spec:
  object: leads
  source: data/leads.csv
  lookupField: email
  maxFailedRows: 0
`); err != nil {
		return nil, err
	}
	src := filepath.Join(p.Dir, "data", "leads.csv")
	if err := stress.WriteLeadCSV(src, importRows, "bench"); err != nil {
		return nil, err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	size := fi.Size()

	// Pre-flight: the best of three plans (the source is in the page
	// cache after the first), exit 2 = changes planned.
	var planTimes []time.Duration
	for range 3 {
		r := p.Run(b.ctx, "plan", "-detailed-exitcode")
		if r.Code != 2 {
			return nil, fmt.Errorf("mkbulk plan exited %d, want 2: %s", r.Code, lastLines(r.Stderr, 5))
		}
		planTimes = append(planTimes, r.Wall)
	}
	planTime := median(planTimes)
	mbps := mb(size) / planTime.Seconds()

	b.logf("import: applying %.0f MB", mb(size))
	run := p.Apply(b.ctx, nil)
	if run.Code != 0 {
		return nil, fmt.Errorf("mkbulk apply exited %d: %s", run.Code, lastLines(run.Stderr, 5))
	}
	var batches []time.Duration
	var rows int64
	for _, ev := range run.Events {
		if ev.Kind() == "chunk_uploaded" {
			n := int64(ev.Num("rows"))
			rows += n
			batches = append(batches, importDuration(n)) // simulated
		}
	}
	if len(batches) == 0 {
		return nil, fmt.Errorf("apply -json had no chunk_uploaded events")
	}
	sandboxTime := stress.TwoSlotMakespan(batches) / importTimeScale // real
	ratio := run.Wall.Seconds() / sandboxTime.Seconds()
	st, err := sb.Stats()
	if err != nil {
		return nil, err
	}
	return []figure{
		{Name: "import-preflight", Ratio: mbps / 100, Target: "≥ 1.00× 100 MB/s", Met: mbps >= 100,
			Detail: fmt.Sprintf("mkbulk plan validated %.0f MB (%d rows) in %.2fs: %.0f MB/s (median of 3 plans: %s; whole plan wall time)",
				mb(size), importRows, planTime.Seconds(), mbps, fmtDurs(planTimes))},
		{Name: "import-upload", Ratio: ratio, Target: "≤ 1.10× sandbox processing", Met: ratio <= 1.1,
			Detail: fmt.Sprintf("mkbulk apply %.1fs for %.0f MB in %d chunks (%d rows; %d processed by the sandbox) vs the sandbox's own processing %.1fs "+
				"(2 s + 2 ms/row simulated per batch, 2 at a time, time scale %d); peak RSS %.1f MB",
				run.Wall.Seconds(), mb(size), len(batches), rows, st.Imports.RowsProcessed, sandboxTime.Seconds(), importTimeScale, float64(run.PeakRSSKB)/1024)},
	}, nil
}

// importDuration is the sandbox's simulated processing time of a batch
// (sandbox/importjob.go: 2 s plus 2 ms a row).
func importDuration(rows int64) time.Duration {
	return 2*time.Second + time.Duration(rows)*2*time.Millisecond
}
