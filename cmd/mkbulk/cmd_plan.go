package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// stringList is a repeatable string flag (-target=A -target=B).
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// cmdPlan shows what apply would do, without doing any of it: it reads
// state (shared lock), calls only identity, describe and export status/list
// endpoints, and never creates, enqueues, uploads or cancels.
func cmdPlan(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "plan", "")
	out := fs.String("out", "", "save the plan to `FILE` for `mkbulk apply FILE`")
	asJSON := fs.Bool("json", false, "print the plan as JSON (Terraform's show -json shape)")
	asMarkdown := fs.Bool("markdown", false, "print the plan as a Markdown pull request comment")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 when there are no changes, 1 on error, 2 when there are changes")
	refresh := fs.Bool("refresh", true, "check in-flight jobs on Marketo and outputs on disk (-refresh=false trusts state: no drift detection)")
	var targets, replace stringList
	fs.Var(&targets, "target", "plan only `ADDR` (export.NAME, a window, import.NAME); repeatable; not for routine use")
	fs.Var(&replace, "replace", "replace `ADDR` even when state says it is done; repeatable")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "mkbulk plan takes no arguments (got %q)\n", fs.Args())
		fs.Usage()
		return exitError
	}
	if *asJSON && *asMarkdown {
		return e.errorf("-json and -markdown cannot be used together")
	}

	st, err := openState(e, "plan", true)
	switch {
	case errors.Is(err, statefile.ErrNoState):
		st = nil
	case err != nil:
		return e.errorf("%v", err)
	default:
		defer st.Close()
	}
	p, diags, err := buildPlan(ctx, e, st, planOptions{targets: targets, replace: replace, noRefresh: !*refresh})
	printDiagnostics(e.stderr, errorsOnly(diags, p != nil), useColor(e, e.stderr))
	if err != nil {
		return e.errorf("%v", err)
	}
	if diags.HasErrors() || p == nil {
		fmt.Fprintln(e.stderr, "Error: the plan could not be made; fix the problems above and run mkbulk plan again.")
		return exitError
	}

	if *out != "" {
		if err := writePlanFile(e, *out, p); err != nil {
			return e.errorf("save plan: %v", err)
		}
	}
	if err := renderPlan(e, p, *asJSON, *asMarkdown); err != nil {
		return e.errorf("%v", err)
	}
	if *out != "" && !*asJSON && !*asMarkdown {
		fmt.Fprintf(e.stdout, "\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n  mkbulk apply %s\n", *out, *out)
	}
	if *detailed && p.HasChanges() {
		return exitChanges
	}
	return exitOK
}

// errorsOnly drops warnings when the plan carries them itself (they are
// rendered with it); without a plan every diagnostic is printed.
func errorsOnly(diags manifest.Diagnostics, havePlan bool) manifest.Diagnostics {
	if !havePlan {
		return diags
	}
	var out manifest.Diagnostics
	for _, d := range diags {
		if d.Severity != manifest.Warning {
			out = append(out, d)
		}
	}
	return out
}

// planPath resolves a plan file path against the project directory, as
// Terraform resolves -out after -chdir.
func planPath(e *env, name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	dir, err := e.projectDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// writePlanFile saves p atomically: a temp file in the same directory,
// fsynced, then renamed over FILE. Plans hold no secrets, but they name
// files and fields, so the file is private to the user like state.
func writePlanFile(e *env, name string, p *plan.Plan) error {
	path, err := planPath(e, name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mkbulk-plan-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := plan.Write(tmp, p); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readPlanFile loads a saved plan.
func readPlanFile(e *env, name string) (*plan.Plan, error) {
	path, err := planPath(e, name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := plan.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}
