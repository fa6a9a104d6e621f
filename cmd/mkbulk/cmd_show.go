package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// cmdShow renders a saved plan (text, -json or -markdown), or without FILE
// summarises state: every address with its status and output, and the
// export ledger.
func cmdShow(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "show", "[FILE]")
	asJSON := fs.Bool("json", false, "print as JSON (a plan in Terraform's show -json shape)")
	asMarkdown := fs.Bool("markdown", false, "print as Markdown (a plan as a pull request comment)")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if *asJSON && *asMarkdown {
		return e.errorf("-json and -markdown cannot be used together")
	}
	switch fs.NArg() {
	case 0:
		return showState(e, *asJSON, *asMarkdown)
	case 1:
	default:
		fmt.Fprintf(e.stderr, "mkbulk show takes at most one plan file (got %q)\n", fs.Args())
		fs.Usage()
		return exitError
	}
	p, err := readPlanFile(e, fs.Arg(0))
	if err != nil {
		return e.errorf("%v", err)
	}
	if err := renderPlan(e, p, *asJSON, *asMarkdown); err != nil {
		return e.errorf("%v", err)
	}
	return exitOK
}

// renderPlan writes p to stdout in the format plan and show were asked
// for: Terraform-shaped JSON, a Markdown PR comment, or the human text.
func renderPlan(e *env, p *plan.Plan, asJSON, asMarkdown bool) error {
	switch {
	case asJSON:
		return renderPlanJSON(e.stdout, p)
	case asMarkdown:
		renderPlanMarkdown(e.stdout, p)
	default:
		renderPlanText(e.stdout, p, useColor(e, e.stdout))
	}
	return nil
}

// showState prints the state summary.
func showState(e *env, asJSON, asMarkdown bool) int {
	st, err := openState(e, "show", true)
	if errors.Is(err, statefile.ErrNoState) {
		if asJSON {
			return writeJSON(e, stateSummaryJSON{FormatVersion: jsonPlanFormatVersion, Resources: []stateResourceJSON{}})
		}
		fmt.Fprintln(e.stdout, "No state yet. Run mkbulk plan, then mkbulk apply.")
		return exitOK
	}
	if err != nil {
		return e.errorf("%v", err)
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil {
		return e.errorf("%v", err)
	}
	path, _ := e.statePath()
	sum := summarizeState(snap)
	switch {
	case asJSON:
		return writeJSON(e, sum)
	case asMarkdown:
		renderStateMarkdown(e.stdout, sum)
	default:
		renderStateText(e.stdout, sum, path)
	}
	return exitOK
}
