package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/mkbulk/mkbulk/internal/stress"
)

// scheduleExports is the number of exports of the scheduling figure.
const scheduleExports = 20

// scheduling applies 20 lead exports of seeded random lengths (1 to 31
// days of a ten-million-lead sandbox: one to six status ticks of
// processing each) and compares the makespan the sandbox saw — first
// start to last finish, from its own job timestamps — with the best
// possible under Marketo's two processing slots for the same processing
// times (an exact two-way partition). More than ten exports do not fit in
// Marketo's queue at once, so apply has to keep refilling it.
func (b *bench) scheduling() ([]figure, error) {
	const timeScale = 60
	sb, err := stress.StartSandbox(b.ctx, b.bin, "-leads=10000000", fmt.Sprintf("-time-scale=%d", timeScale), "-quota-mb=100000")
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	p, err := b.project("scheduling", sb)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(20, 2))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range scheduleExports {
		days := 1 + rng.IntN(31)
		start := base.AddDate(0, 0, 20*i) // disjoint ranges: no two jobs alike
		end := start.AddDate(0, 0, days).Add(-time.Second)
		if err := writeFile(p.Dir, fmt.Sprintf("export-%02d.yaml", i), fmt.Sprintf(`apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads-%02d
spec:
  object: leads
  fields: [id, createdAt]
  filter:
    createdAt:
      startAt: %s
      endAt: %s
  output: out/leads-%02d.csv
`, i, start.Format(time.RFC3339), end.Format(time.RFC3339), i)); err != nil {
			return nil, err
		}
	}
	run := p.Apply(b.ctx, nil)
	if run.Code != 0 {
		return nil, fmt.Errorf("mkbulk apply exited %d: %s", run.Code, lastLines(run.Stderr, 5))
	}
	// Stats first: the status reads below are the benchmark's own, and one
	// made soon after mkbulk's last poll of a job would count as a poll
	// before refresh against mkbulk.
	st, err := sb.Stats()
	if err != nil {
		return nil, err
	}
	snap, err := stress.ReadState(filepath.Join(p.Dir, ".mkbulk", "state.db"))
	if err != nil {
		return nil, err
	}
	var jobs []time.Duration
	var first, last time.Time
	for addr, rec := range snap.Resources {
		if rec.Export == nil {
			continue
		}
		st, err := sb.ExportStatus("leads", rec.Export.ExportID)
		if err != nil {
			return nil, err
		}
		started, err1 := time.Parse(time.RFC3339, st.StartedAt)
		finished, err2 := time.Parse(time.RFC3339, st.FinishedAt)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: job %s has startedAt %q, finishedAt %q", addr, st.ExportID, st.StartedAt, st.FinishedAt)
		}
		jobs = append(jobs, finished.Sub(started))
		if first.IsZero() || started.Before(first) {
			first = started
		}
		if finished.After(last) {
			last = finished
		}
	}
	if len(jobs) != scheduleExports {
		return nil, fmt.Errorf("state holds %d export jobs, want %d", len(jobs), scheduleExports)
	}
	var sum time.Duration
	for _, j := range jobs {
		sum += j
	}
	measured := last.Sub(first)
	ideal := stress.TwoSlotMakespan(jobs)
	ratio := measured.Seconds() / ideal.Seconds()
	return []figure{{Name: "scheduling", Ratio: ratio, Target: "≤ 1.10× ideal", Met: ratio <= 1.1,
		Detail: fmt.Sprintf("%d exports, %.0f min of processing: makespan %.0f min (first start to last finish, simulated) vs ideal %.0f min under 2 slots; "+
			"peak %d processing, %d in queue; apply wall %.1fs at time scale %d; %d polls before refresh, max %d calls/20s",
			len(jobs), sum.Minutes(), measured.Minutes(), ideal.Minutes(), st.Exports.MaxProcessing, st.Exports.MaxQueued,
			run.Wall.Seconds(), timeScale, st.PollsBeforeRefresh, st.MaxCallsIn20s)}}, nil
}
