package executor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// Run applies p: local steps first (forget, update), then export and import
// steps side by side, each within Marketo's limits. Every change is recorded
// through deps.Recorder before or right after it happens, so a run stopped at
// any point (crash, Ctrl-C, quota) is resumed by planning and applying again.
//
// A step's failure does not stop the others; it is reported in the Result.
// The error is non-nil only when the run itself could not go on (state could
// not be written); the Result is still valid then.
func Run(ctx context.Context, p *plan.Plan, deps Deps, opts Options) (*Result, error) {
	if p == nil {
		return nil, errors.New("executor: nil plan")
	}
	if deps.API == nil || deps.Recorder == nil {
		return nil, errors.New("executor: API and Recorder are required")
	}
	if opts.ProjectDir == "" {
		return nil, errors.New("executor: Options.ProjectDir is required")
	}
	opts = opts.withDefaults()
	r := newRunner(ctx, p, deps, opts)
	defer r.cancel(nil)

	var exportSteps, importSteps []*plan.Step
	for i := range p.Steps {
		st := &p.Steps[i]
		switch {
		case st.Action == plan.NoOp:
		case st.Action == plan.Forget:
			r.forget(st)
		case st.Action == plan.Update:
			r.update(st)
		case st.Kind == plan.KindExport:
			if st.Export == nil {
				r.res.failed(st, Failure{Message: "plan step has no export job; make the plan again"})
				continue
			}
			exportSteps = append(exportSteps, st)
		case st.Kind == plan.KindImport:
			if st.Import == nil {
				r.res.failed(st, Failure{Message: "plan step has no import job; make the plan again"})
				continue
			}
			importSteps = append(importSteps, st)
		default:
			r.res.failed(st, Failure{Message: fmt.Sprintf("unknown step kind %q", st.Kind)})
		}
	}

	var wg sync.WaitGroup
	if len(exportSteps) > 0 || len(p.Merges) > 0 {
		wg.Go(func() { newExportRunner(r, exportSteps, p.Merges).run() })
	}
	for _, st := range importSteps {
		wg.Go(func() { newImportRunner(r, st).run() })
	}
	wg.Wait()

	res := r.res.final(ctx)
	r.obs.Observe(Done{Result: res})
	return res, r.fatalErr()
}

// runner holds what every part of one run shares.
type runner struct {
	ctx    context.Context // cancelled by the caller or by a fatal error
	cancel context.CancelCauseFunc
	outer  context.Context

	plan  *plan.Plan
	api   BulkAPI
	snap  *statefile.Snapshot
	obs   Observer
	clock Clock
	opts  Options
	res   *results

	// local bounds downloads, uploads and merges running at once.
	local chan struct{}
	// importSlots holds one token per import batch of ours queued or
	// running on Marketo.
	importSlots chan struct{}

	recMu sync.Mutex
	rec   Recorder
	fatal error

	// updated holds records rewritten by update steps.
	updated map[string]statefile.Record
}

func newRunner(ctx context.Context, p *plan.Plan, deps Deps, opts Options) *runner {
	inner, cancel := context.WithCancelCause(ctx)
	obs := deps.Observer
	if obs == nil {
		obs = NopObserver{}
	}
	obs = &serialObserver{o: obs}
	clock := deps.Clock
	if clock == nil {
		clock = RealClock{}
	}
	snap := deps.State
	if snap == nil {
		snap = &statefile.Snapshot{}
	}
	return &runner{
		ctx: inner, cancel: cancel, outer: ctx,
		plan: p, api: deps.API, snap: snap, obs: obs, clock: clock, opts: opts,
		res:         &results{obs: obs},
		local:       make(chan struct{}, opts.Parallelism),
		importSlots: make(chan struct{}, opts.MaxQueuedImports),
		rec:         deps.Recorder,
		updated:     map[string]statefile.Record{},
	}
}

// put records rec in its own write. A failed write stops the run: going on
// without state could enqueue a window twice on the next apply.
func (r *runner) put(rec statefile.Record) error {
	rec.Version = statefile.RecordVersion
	rec.UpdatedAt = r.clock.Now().UTC()
	r.recMu.Lock()
	defer r.recMu.Unlock()
	if r.fatal != nil {
		return r.fatal
	}
	if err := r.rec.Put(rec); err != nil {
		r.fatal = fmt.Errorf("recording state for %s: %w", rec.Address, err)
		r.cancel(r.fatal)
		return r.fatal
	}
	return nil
}

func (r *runner) deleteRecord(address string) error {
	r.recMu.Lock()
	defer r.recMu.Unlock()
	if r.fatal != nil {
		return r.fatal
	}
	if err := r.rec.Delete(address); err != nil {
		r.fatal = fmt.Errorf("recording state for %s: %w", address, err)
		r.cancel(r.fatal)
		return r.fatal
	}
	return nil
}

func (r *runner) addLedger(day string, bytes int64) {
	if bytes <= 0 {
		return
	}
	r.recMu.Lock()
	defer r.recMu.Unlock()
	// The ledger is advisory (plan's quota line); a failed write is not
	// worth stopping an apply for.
	_ = r.rec.AddLedger(day, bytes)
}

func (r *runner) fatalErr() error {
	r.recMu.Lock()
	defer r.recMu.Unlock()
	return r.fatal
}

// stopped reports whether the run should start no new work.
func (r *runner) stopped() bool { return r.ctx.Err() != nil }

// acquireLocal takes a local work slot; false when the run stopped first.
func (r *runner) acquireLocal() bool {
	select {
	case r.local <- struct{}{}:
		return true
	case <-r.ctx.Done():
		return false
	}
}

func (r *runner) releaseLocal() { <-r.local }

// abs resolves a plan path (slash-separated, relative to the project).
func (r *runner) abs(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(r.opts.ProjectDir, filepath.FromSlash(rel))
}

// record returns the record at address as this run's local steps left it,
// else the snapshot's, if any. (Local steps run before any goroutine starts,
// so updated needs no lock.)
func (r *runner) record(address string) (statefile.Record, bool) {
	if rec, ok := r.updated[address]; ok {
		return rec, true
	}
	rec, ok := r.snap.Resources[address]
	return rec, ok
}

// stopReason says why unfinished work is pending.
func (r *runner) stopReason() string {
	if err := context.Cause(r.ctx); err != nil && r.outer.Err() == nil {
		return "not finished: " + err.Error()
	}
	return "interrupted; run mkbulk apply again to resume"
}

func objectOf(kind, apiName string) marketo.Object {
	return marketo.Object{Kind: kind, APIName: apiName}
}
