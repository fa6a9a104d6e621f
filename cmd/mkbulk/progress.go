package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/plan"
)

// applyView shows an apply's progress. It is an executor.Observer (the
// executor serialises calls) plus Close, which stops timers and bars;
// nothing is written after Close returns.
type applyView interface {
	executor.Observer
	Close()
}

// newApplyView picks the view once, as Terraform does: JSON event lines
// with -json, bars on a terminal, plain lines every 10 s otherwise (CI logs).
func newApplyView(e *env, asJSON bool, p *plan.Plan) applyView {
	switch {
	case asJSON:
		return newJSONView(e.stdout)
	case isTerminal(e.stdout):
		return newBarsView(e.stdout, p, useColorOn(e, e.stdout))
	default:
		return newPlainView(e.stdout, stillEvery)
	}
}

// stillEvery is how often a plain view repeats what is still running.
const stillEvery = 10 * time.Second

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// useColorOn reports whether w may get ANSI colours.
func useColorOn(e *env, w io.Writer) bool {
	return !e.globals.noColor && isTerminal(w)
}

// formatElapsed renders a duration the way Terraform's progress lines do:
// "03m10s", "1h02m03s".
func formatElapsed(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%02dm%02ds", m, s)
}

// startVerb is what a plain view says when a step starts.
func startVerb(kind string, a plan.Action) string {
	switch a {
	case plan.Replace:
		return "Replacing..."
	case plan.Resume:
		return "Resuming..."
	case plan.Update:
		return "Updating local files..."
	case plan.Forget:
		return "Forgetting..."
	}
	if kind == plan.KindImport {
		return "Importing..."
	}
	return "Exporting..."
}

// shortID abbreviates an export id (a UUID) for progress lines.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// percent is written/total as a whole percentage.
func percent(written, total int64) int {
	if total <= 0 {
		return 0
	}
	return int(written * 100 / total)
}

// cannotPrompt says why apply may not ask for approval ("" when it may):
// -json output is for machines, -input=false forbids it, and without a
// terminal nobody is there to answer.
func cannotPrompt(e *env, asJSON bool) string {
	switch {
	case asJSON:
		return "-json output cannot prompt"
	case !e.globals.input:
		return "-input=false (or MKBULK_INPUT=false) forbids prompting"
	case !isTerminalReader(e.stdin):
		return "standard input is not a terminal"
	}
	return ""
}

func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isTerminal(f)
}

// readYes reads one answer; only "yes" approves.
func readYes(in io.Reader, out io.Writer) bool {
	answer, _ := bufio.NewReader(in).ReadString('\n')
	fmt.Fprintln(out)
	return strings.TrimSpace(answer) == "yes"
}
