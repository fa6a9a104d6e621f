package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/planner"
	"github.com/mkbulk/mkbulk/statefile"
)

// planOptions are the plan flags that change what is planned.
type planOptions struct {
	targets []string
	replace []string
	// noRefresh trusts state (plan -refresh=false): in-flight jobs keep
	// state's last seen status and recorded outputs are not probed, so a
	// CI runner without the previous runs' files plans only what the
	// manifests changed.
	noRefresh bool
	// client, when set, is the Marketo client to plan with (apply passes
	// its own so that retries made while planning are reported too);
	// otherwise one is made from the environment.
	client *marketo.Client
}

// buildPlan gathers the planner's inputs — manifests, the state snapshot,
// one describe call per object type, refreshed job statuses, local file
// facts — and plans. st may be nil (no state yet). It only calls
// identity, describe and export status/list endpoints: never create,
// enqueue, upload or cancel. Diagnostics with errors come back with a nil
// plan; err is for operational failures.
func buildPlan(ctx context.Context, e *env, st *statefile.State, opts planOptions) (*plan.Plan, manifest.Diagnostics, error) {
	dir, err := e.projectDir()
	if err != nil {
		return nil, nil, err
	}
	set, diags := manifest.Load(dir)
	if diags.HasErrors() {
		return nil, diags, nil
	}
	snap, err := snapshotOf(st)
	if err != nil {
		return nil, diags, err
	}
	client := opts.client
	if client == nil {
		if client, err = newClient(e); err != nil {
			return nil, diags, err
		}
	}
	describe, err := fetchDescribes(ctx, client, planner.NeededDescribes(set))
	if err != nil {
		return nil, diags, err
	}
	jobs := map[string]*marketo.ExportJob{}
	if !opts.noRefresh {
		if jobs, err = refreshJobs(ctx, client, planner.JobsToRefresh(snap)); err != nil {
			return nil, diags, err
		}
	}
	files := diskFiles{dir: dir, hashes: loadHashCache(stateDir(e))}
	defer files.hashes.save(dir)
	p, pdiags := planner.Plan(planner.Input{
		Manifests:  set,
		State:      snap,
		Describe:   describe,
		Jobs:       jobs,
		Files:      files,
		OpenSource: sourceOpener(dir),
		Now:        time.Now(),
		Targets:    opts.targets,
		Replace:    opts.replace,

		SkipFileChecks: opts.noRefresh,
	})
	if p != nil {
		p.MkbulkVersion = mkbulkVersion()
		// The loader's warnings travel with the plan like the planner's.
		var loaderWarnings []string
		for _, d := range diags {
			loaderWarnings = append(loaderWarnings, planner.WarningText(d))
		}
		p.Warnings = append(loaderWarnings, p.Warnings...)
	}
	diags = append(diags, pdiags...)
	diags.Sort()
	return p, diags, nil
}

// stateDir is the directory of the state file, where mkbulk keeps its
// local caches ("" when it cannot be known).
func stateDir(e *env) string {
	p, err := e.statePath()
	if err != nil {
		return ""
	}
	return filepath.Dir(p)
}

// snapshotOf reads st, or an empty snapshot when there is no state.
func snapshotOf(st *statefile.State) (*statefile.Snapshot, error) {
	if st == nil {
		return &statefile.Snapshot{Resources: map[string]statefile.Record{}, Ledger: map[string]int64{}}, nil
	}
	return st.Snapshot()
}

// fetchDescribes makes exactly the describe calls needs lists, in parallel.
// A custom object Marketo does not know is recorded as nil, which the
// planner reports at the manifest's apiName.
func fetchDescribes(ctx context.Context, c *marketo.Client, needs planner.DescribeNeeds) (*planner.Describe, error) {
	d := &planner.Describe{CustomObjects: map[string]*marketo.ObjectDescription{}}
	// Authenticate once before the parallel calls: bad credentials are then
	// one clear error instead of the same 401 once per object type.
	if _, _, err := c.Identity.Token(ctx); err != nil {
		return nil, err
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	run := func(what string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("describe %s: %w", what, err))
				mu.Unlock()
			}
		}()
	}
	if needs.Lead {
		run("leads", func() (err error) { d.Lead, _, err = c.Describe.Lead(ctx); return })
	}
	if needs.ProgramMember {
		run("programMembers", func() (err error) { d.ProgramMember, _, err = c.Describe.ProgramMember(ctx); return })
	}
	if needs.ActivityTypes {
		run("activity types", func() (err error) { d.ActivityTypes, _, err = c.Describe.ActivityTypes(ctx); return })
	}
	for _, name := range needs.CustomObjects {
		run("custom object "+name, func() error {
			desc, _, err := c.Describe.CustomObject(ctx, name)
			if err != nil && !customObjectMissing(err) {
				return err
			}
			mu.Lock()
			d.CustomObjects[name] = desc // nil when missing
			mu.Unlock()
			return nil
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// customObjectMissing reports a describe failure meaning "no such object".
func customObjectMissing(err error) bool {
	if marketo.IsNotFound(err) {
		return true
	}
	var me *marketo.Error
	return errors.As(err, &me) && (me.Code == "empty_result" || me.Code == "1003" || me.Code == "1018")
}

// refreshJobs asks Marketo for the current status of the jobs state has
// in flight: one list call per object (recent jobs, 300 a page), then a
// status call for each job the list did not hold (older than 7 days). A
// job Marketo no longer knows maps to nil.
func refreshJobs(ctx context.Context, c *marketo.Client, refs []planner.JobRef) (map[string]*marketo.ExportJob, error) {
	jobs := map[string]*marketo.ExportJob{}
	if len(refs) == 0 {
		return jobs, nil
	}
	byObject := map[marketo.Object][]planner.JobRef{}
	for _, r := range refs {
		byObject[r.Object] = append(byObject[r.Object], r)
	}
	objects := make([]marketo.Object, 0, len(byObject))
	for o := range byObject {
		objects = append(objects, o)
	}
	sort.Slice(objects, func(i, j int) bool { return objects[i].String() < objects[j].String() })
	var missing []planner.JobRef
	for _, obj := range objects {
		listed, err := c.BulkExport.ListAll(ctx, obj)
		if err != nil {
			return nil, fmt.Errorf("refresh %s export jobs: %w", obj, err)
		}
		byID := make(map[string]marketo.ExportJob, len(listed))
		for _, j := range listed {
			byID[j.ExportID] = j
		}
		for _, r := range byObject[obj] {
			if j, ok := byID[r.ExportID]; ok {
				jobs[r.ExportID] = &j
			} else {
				missing = append(missing, r)
			}
		}
	}
	for _, r := range missing {
		j, _, err := c.BulkExport.Status(ctx, r.Object, r.ExportID)
		switch {
		case marketo.IsNotFound(err):
			jobs[r.ExportID] = nil
		case err != nil:
			return nil, fmt.Errorf("refresh %s (job %s): %w", r.Address, r.ExportID, err)
		default:
			jobs[r.ExportID] = j
		}
	}
	return jobs, nil
}

// diskFiles answers the planner's questions about local files under the
// project directory. Hashing streams the file, so memory stays flat.
type diskFiles struct {
	dir    string
	hashes *hashCache
}

func (d diskFiles) path(p string) string { return filepath.Join(d.dir, filepath.FromSlash(p)) }

func (d diskFiles) Stat(p string) (int64, bool, error) {
	fi, err := os.Stat(d.path(p))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case !fi.Mode().IsRegular():
		return 0, false, nil
	}
	return fi.Size(), true, nil
}

func (d diskFiles) SHA256(p string) (string, error) { return d.hashes.sha256(p, d.path(p)) }

// sourceOpener opens import sources relative to the project directory.
func sourceOpener(dir string) func(string) (io.ReadCloser, error) {
	return func(p string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, filepath.FromSlash(p)))
	}
}

// checkPlanStale refuses a saved plan whose inputs moved on: state
// (lineage, serial), manifests, import sources, or Marketo's describe
// output. Describe is fetched only when everything local still matches.
func checkPlanStale(ctx context.Context, e *env, st *statefile.State, p *plan.Plan) error {
	dir, err := e.projectDir()
	if err != nil {
		return err
	}
	set, diags := manifest.Load(dir)
	if diags.HasErrors() {
		return fmt.Errorf("saved plan is stale: manifests no longer load:\n%s", diags.Error())
	}
	cur := planner.StaleInputs{
		ManifestDigests:     set.Files,
		SourceDigests:       map[string]string{},
		DescribeFingerprint: p.DescribeFingerprint,
	}
	if st != nil {
		cur.Lineage, cur.Serial = st.Lineage(), st.Serial()
	}
	for src := range p.SourceDigests {
		sum, err := executor.FileSHA256(filepath.Join(dir, filepath.FromSlash(src)))
		if err == nil {
			cur.SourceDigests[src] = sum
		}
	}
	if err := planner.CheckStale(p, cur); err != nil {
		return err
	}
	client, err := newClient(e)
	if err != nil {
		return err
	}
	describe, err := fetchDescribes(ctx, client, planner.NeededDescribes(set))
	if err != nil {
		return err
	}
	cur.DescribeFingerprint = planner.DescribeFingerprint(describe)
	return planner.CheckStale(p, cur)
}
