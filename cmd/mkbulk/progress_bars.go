package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/plan"
)

// barsView draws one bar per running step (status, bytes or chunks,
// elapsed) under an overall bar, on a terminal. Finished steps leave a line
// above the bars and their bar goes away, so hundreds of windows stay
// readable.
type barsView struct {
	p       *mpb.Progress
	overall *mpb.Bar
	color   bool

	mu    sync.Mutex
	bars  map[string]*stepBar
	plain *plainView // formats the lines printed above the bars
}

type stepBar struct {
	bar    *mpb.Bar
	status atomic.Value // string
	chunks int64        // batches Marketo completed
	rows   int          // rows uploaded
}

// newBarsView draws on w, which should be a terminal; extra options are
// for tests (mpb.ForceAutoRefresh on a buffer).
func newBarsView(w io.Writer, p *plan.Plan, color bool, extra ...mpb.ContainerOption) *barsView {
	total := 0
	for _, st := range p.Steps {
		if st.Action != plan.NoOp {
			total++
		}
	}
	v := &barsView{
		p:     mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(200 * time.Millisecond)}, extra...)...),
		color: color,
		bars:  map[string]*stepBar{},
	}
	v.plain = &plainView{w: v.p, now: time.Now, active: map[string]*plainStep{}}
	v.overall = v.p.AddBar(int64(total),
		mpb.BarPriority(1<<30), // always last
		mpb.PrependDecorators(decor.Name("apply", decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d steps", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_MMSS, decor.WCSyncSpace)),
	)
	return v
}

func (v *barsView) addBar(addr string) *stepBar {
	sb := &stepBar{}
	sb.status.Store("starting")
	sb.bar = v.p.AddBar(0,
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(
			decor.Name(addr, decor.WCSyncSpaceR),
			decor.Any(func(decor.Statistics) string { return sb.status.Load().(string) }, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(
			decor.Any(func(s decor.Statistics) string {
				if s.Total <= 0 {
					return ""
				}
				return fmt.Sprintf("%s / %s", executor.FormatBytes(s.Current), executor.FormatBytes(s.Total))
			}, decor.WCSyncSpace),
			decor.Elapsed(decor.ET_STYLE_MMSS, decor.WCSyncSpace),
		),
	)
	return sb
}

// Observe updates the bars and prints finished steps above them.
func (v *barsView) Observe(ev executor.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	sb := v.bars[ev.At()]
	switch e := ev.(type) {
	case executor.StepStarted:
		v.bars[e.Address] = v.addBar(e.Address)
	case executor.JobCreated:
		if sb != nil {
			sb.status.Store("Created")
		}
	case executor.JobEnqueued:
		if sb != nil {
			sb.status.Store("Queued")
		}
	case executor.JobPolled:
		if sb != nil && e.Changed {
			sb.status.Store(e.Status)
			if e.Status == "Complete" {
				sb.chunks++
				sb.status.Store(fmt.Sprintf("%d rows uploaded, %d chunks imported", sb.rows, sb.chunks))
			}
		}
	case executor.DownloadProgress:
		if sb != nil {
			sb.status.Store("downloading")
			sb.bar.SetTotal(e.Total, false)
			sb.bar.SetCurrent(e.Written)
		}
	case executor.ChunkUploaded:
		if sb != nil {
			sb.rows += e.Rows
			sb.status.Store(fmt.Sprintf("%d rows uploaded (chunk %d)", sb.rows, e.Chunk))
		}
	case executor.StepCompleted, executor.StepFailed:
		if sb != nil {
			if _, failed := ev.(executor.StepFailed); failed {
				sb.bar.Abort(true)
			} else {
				sb.bar.SetTotal(-1, true)
			}
			delete(v.bars, ev.At())
			v.overall.Increment()
		}
	}
	// Lines for what finished or needs attention go above the bars.
	switch ev.(type) {
	case executor.StepStarted, executor.FileDownloaded, executor.FileMerged, executor.ImportReported,
		executor.StepCompleted, executor.StepFailed, executor.QuotaStopped, executor.Retry, executor.ChunkUploaded, executor.APIRetry:
		if _, started := ev.(executor.StepStarted); started {
			v.plain.active[ev.At()] = &plainStep{started: time.Now()}
			return
		}
		v.plain.Observe(ev)
	}
}

// Close removes unfinished bars and waits for the last frame.
func (v *barsView) Close() {
	v.mu.Lock()
	for addr, sb := range v.bars {
		sb.bar.Abort(true)
		delete(v.bars, addr)
	}
	v.overall.SetTotal(-1, true)
	v.mu.Unlock()
	v.p.Wait()
}
