package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// applyArgs are apply's flags and argument.
type applyArgs struct {
	planFile     string
	autoApprove  bool
	json         bool
	parallelism  int
	pollInterval time.Duration
	targets      stringList
}

func parseApplyArgs(e *env, args []string) (*applyArgs, bool, int) {
	a := &applyArgs{}
	fs := newFlagSet(e, "apply", "[FILE]")
	fs.BoolVar(&a.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.BoolVar(&a.json, "json", false, "write progress as JSON lines (implies no prompt: needs -auto-approve or FILE)")
	fs.IntVar(&a.parallelism, "parallelism", executor.DefaultParallelism, "downloads, uploads and merges at once")
	fs.DurationVar(&a.pollInterval, "poll-interval", 0, "least time between two status reads of a job (default $MKBULK_POLL_INTERVAL, else 60s)")
	fs.Var(&a.targets, "target", "apply only `ADDR` (export.NAME, a window, import.NAME); repeatable; not for routine use")
	if ok, code := parseFlags(fs, args); !ok {
		return nil, false, code
	}
	if err := a.check(e, fs.Args()); err != nil {
		fmt.Fprintf(e.stderr, "Error: %v\n", err)
		fs.Usage()
		return nil, false, exitError
	}
	return a, true, exitOK
}

// check lists the invalid combinations in one place and fills defaults.
func (a *applyArgs) check(e *env, rest []string) error {
	switch {
	case len(rest) > 1:
		return fmt.Errorf("apply takes at most one argument, a saved plan file (got %q)", rest)
	case a.parallelism < 1:
		return fmt.Errorf("-parallelism must be at least 1 (got %d)", a.parallelism)
	case a.pollInterval < 0:
		return fmt.Errorf("-poll-interval must be positive (got %s)", a.pollInterval)
	}
	if len(rest) == 1 {
		a.planFile = rest[0]
		if len(a.targets) > 0 {
			return errors.New("-target cannot be used with a saved plan: make the plan with plan -target -out=FILE")
		}
	}
	if a.pollInterval == 0 {
		a.pollInterval = executor.DefaultPollInterval
		if v := strings.TrimSpace(e.getenv("MKBULK_POLL_INTERVAL")); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("MKBULK_POLL_INTERVAL=%q is not a positive duration such as 60s", v)
			}
			a.pollInterval = d
		}
	}
	return nil
}

// cmdApply runs a plan: a saved one (FILE, refused when stale), or one made
// now, shown, and approved.
func cmdApply(ctx context.Context, e *env, args []string) int {
	a, ok, code := parseApplyArgs(e, args)
	if !ok {
		return code
	}
	dir, err := e.projectDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	st, err := openState(e, "apply", false)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer st.Close()

	client, err := newClient(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	// The client retries 606s, 5xx and dropped connections by itself; every
	// retry is reported — while planning as well as while applying — so a
	// flaky Marketo shows, not just a slow apply.
	retries := &retryRelay{to: planRetryObserver(e, a.json)}
	_ = marketo.WithRetryHook(retries.hook)(client)

	p, code, done := a.getPlan(ctx, e, st, client)
	if done {
		if ctx.Err() != nil {
			// Ctrl-C while planning or at the prompt: nothing was applied.
			fmt.Fprintln(e.stderr, "Interrupted before anything was applied.")
			return exitInterrupt
		}
		return code
	}
	snap, err := st.Snapshot()
	if err != nil {
		return e.errorf("%v", explainStateError(st.Path(), err))
	}
	view := newApplyView(e, a.json, p)
	retries.set(view)
	res, runErr := executor.Run(ctx, p, executor.Deps{
		API: &bulkAPI{c: client}, Recorder: st, State: snap, Observer: view,
	}, executor.Options{ProjectDir: dir, Parallelism: a.parallelism, PollInterval: a.pollInterval})
	view.Close()
	if res == nil {
		return e.errorf("%v", runErr)
	}
	code, msg := applyExitCode(res, time.Now())
	if jv, ok := view.(*jsonView); ok {
		jv.summary(res, headline(res))
	} else {
		renderApplySummary(e.stdout, res)
	}
	if runErr != nil {
		fmt.Fprintf(e.stderr, "Error: %v\n", runErr)
		if code == exitOK {
			code = exitError
		}
	}
	if msg != "" {
		fmt.Fprintln(e.stderr, msg)
	}
	return code
}

// getPlan loads and checks the saved plan, or plans now and asks for
// approval. done is true when the command ends here with code.
func (a *applyArgs) getPlan(ctx context.Context, e *env, st *statefile.State, client *marketo.Client) (p *plan.Plan, code int, done bool) {
	if a.planFile != "" {
		p, err := readPlanFile(e, a.planFile)
		if err != nil {
			return nil, e.errorf("%v", err), true
		}
		if err := checkPlanStale(ctx, e, st, p); err != nil {
			return nil, e.errorf("%v", err), true
		}
		if !p.HasChanges() {
			fmt.Fprintln(e.stdout, noChangesLine)
			return nil, exitOK, true
		}
		return p, exitOK, false
	}

	if !a.autoApprove {
		// Refuse before planning: a pipeline should not spend describe
		// calls to learn that it cannot approve.
		if why := cannotPrompt(e, a.json); why != "" {
			return nil, e.errorf("mkbulk apply needs approval, and %s.\n"+
				"Run mkbulk apply -auto-approve, or save a plan with mkbulk plan -out=FILE, review it, and run mkbulk apply FILE.", why), true
		}
	}
	p, diags, err := buildPlan(ctx, e, st, planOptions{targets: a.targets, client: client})
	printDiagnostics(e.stderr, errorsOnly(diags, p != nil), useColorOn(e, e.stderr))
	if err != nil {
		return nil, e.errorf("%v", err), true
	}
	if diags.HasErrors() || p == nil {
		fmt.Fprintln(e.stderr, "Error: the plan could not be made; fix the problems above and run mkbulk apply again.")
		return nil, exitError, true
	}
	if a.json {
		jv := newJSONView(e.stdout)
		jv.planned(p)
		if !p.HasChanges() {
			empty := &executor.Result{}
			jv.summary(empty, headline(empty))
		}
	} else {
		renderPlanText(e.stdout, p, useColorOn(e, e.stdout))
	}
	if !p.HasChanges() {
		return nil, exitOK, true
	}
	if a.autoApprove {
		return p, exitOK, false
	}
	if !confirmApply(e) {
		return nil, e.errorf("Apply cancelled."), true
	}
	return p, exitOK, false
}

// confirmApply asks Terraform's question; only "yes" approves.
func confirmApply(e *env) bool {
	fmt.Fprint(e.stdout, "\nDo you want to perform these actions?\n"+
		"  Only 'yes' will be accepted to approve.\n"+
		"  Enter a value: ")
	return readYes(e.stdin, e.stdout)
}

// planned writes a planned_change line per changed step and the plan's
// change_summary, as `terraform apply -json` does before applying.
func (v *jsonView) planned(p *plan.Plan) {
	for _, st := range p.Steps {
		if st.Action == plan.NoOp {
			continue
		}
		var reasons []string
		for _, r := range st.Reasons {
			reasons = append(reasons, r.Message)
		}
		v.write(jsonLine{Level: "info", Type: "planned_change", Message: fmt.Sprintf("%s: Plan to %s", st.Address, st.Action),
			Change: map[string]any{"resource": resource(st.Address), "action": string(st.Action), "reasons": reasons}})
	}
	s := p.Summarize()
	v.write(jsonLine{Level: "info", Type: "change_summary", Message: summaryLine(p), Changes: map[string]any{
		"create": s.Create, "windows": s.Windows, "replace": s.Replace, "update": s.Update,
		"resume": s.Resume, "forget": s.Forget, "operation": "plan",
	}})
}
