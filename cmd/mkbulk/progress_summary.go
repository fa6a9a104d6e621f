package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/executor"
)

// interruptedMessage is printed when the first Ctrl-C stopped an apply.
const interruptedMessage = "Interrupted: state saved. Run `mkbulk apply` again to resume."

// totalsLine is the grep-able one-line outcome:
// "Exports: 4 windows downloaded (12.3 MB, sha256 verified). Imports: 2 (50 rows, 1 failed, 0 warnings)."
func totalsLine(res *executor.Result) string {
	var parts []string
	if n := res.Exports.Windows; n > 0 || res.Exports.Merged > 0 {
		s := fmt.Sprintf("Exports: %s downloaded (%s, sha256 verified)", nounCountPlural(n, "window"), executor.FormatBytes(res.Exports.Bytes))
		if res.Exports.Merged > 0 {
			s += fmt.Sprintf(", %s merged", nounCountPlural(res.Exports.Merged, "file"))
		}
		parts = append(parts, s+".")
	}
	if im := res.Imports; im.Imports > 0 {
		parts = append(parts, fmt.Sprintf("Imports: %d (%d rows, %d failed, %d warnings).", im.Imports, im.Rows+im.Failed, im.Failed, im.Warnings))
	}
	if len(parts) == 0 {
		return "Nothing exported or imported."
	}
	return strings.Join(parts, " ")
}

// nounCountPlural is "1 window", "2 windows", "2 state entries".
func nounCountPlural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ry") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// headline is the first line of the summary.
func headline(res *executor.Result) string {
	switch {
	case res.Interrupted:
		return "Apply interrupted. " + totalsLine(res)
	case len(res.Failed) > 0:
		return fmt.Sprintf("Apply finished with errors: %d failed. %s", len(res.Failed), totalsLine(res))
	case res.QuotaStopped:
		return "Apply stopped by Marketo's daily export quota. " + totalsLine(res)
	}
	return "Apply complete! " + totalsLine(res)
}

// renderApplySummary writes the headline and the applied / pending /
// failed lists, failures with Marketo's code and request id.
func renderApplySummary(w io.Writer, res *executor.Result) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, headline(res))
	list := func(title string, rs []executor.StepResult) {
		if len(rs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(rs))
		for _, r := range rs {
			text := r.Summary
			if r.Failure != nil {
				text = r.Failure.String()
			}
			fmt.Fprintf(w, "  %s: %s\n", r.Address, text)
		}
	}
	list("Applied", res.Applied)
	list("Pending", res.Pending)
	list("Failed", res.Failed)
	if len(res.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range res.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
}

// quotaMessage says when the quota resets and what the next apply does.
func quotaMessage(resetsAt, now time.Time) string {
	in := resetsAt.Sub(now).Round(time.Minute)
	if in < 0 {
		in = 0
	}
	h, m := int(in.Hours()), int(in.Minutes())%60
	return fmt.Sprintf("Marketo's daily export quota is spent; it resets at 00:00 America/Chicago (in %dh%02dm). "+
		"Run mkbulk apply again after that; completed windows will not be re-exported.", h, m)
}

// applyExitCode maps a result to the process exit code and the error line
// for stderr ("" when none).
func applyExitCode(res *executor.Result, now time.Time) (int, string) {
	switch {
	case res.Interrupted:
		return exitInterrupt, interruptedMessage
	case res.QuotaStopped:
		msg := quotaMessage(res.QuotaResetsAt, now)
		if len(res.Failed) > 0 {
			msg = fmt.Sprintf("%d step(s) failed (see above). %s", len(res.Failed), msg)
		}
		return exitError, "Error: " + msg
	case len(res.Failed) > 0:
		return exitError, fmt.Sprintf("Error: %d step(s) failed; see the list above. Fix the cause and run mkbulk plan and apply again: finished steps are not repeated.", len(res.Failed))
	}
	return exitOK, ""
}
