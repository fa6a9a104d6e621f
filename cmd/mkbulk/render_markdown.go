package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/mkbulk/mkbulk/plan"
)

// renderPlanMarkdown writes p as a pull/merge request comment: a warning
// banner when the plan does something irreversible or costly, the summary
// line, a table of changed addresses, the full text plan folded in a
// <details> block, and a label suggestion.
func renderPlanMarkdown(w io.Writer, p *plan.Plan) {
	fmt.Fprintln(w, "### mkbulk plan")
	fmt.Fprintln(w)
	if banner := markdownBanner(p); banner != "" {
		fmt.Fprintln(w, "> [!WARNING]")
		fmt.Fprintln(w, "> ⚠ "+banner)
		fmt.Fprintln(w)
	}
	if !p.HasChanges() {
		fmt.Fprintf(w, "**%s**\n\n", noChangesLine)
	} else {
		fmt.Fprintf(w, "**%s**\n\n", summaryLine(p))
		fmt.Fprintln(w, "| | address | action | why |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, st := range p.Steps {
			if st.Action == plan.NoOp {
				continue
			}
			reasons := make([]string, len(st.Reasons))
			for i, r := range st.Reasons {
				reasons[i] = r.Message
			}
			fmt.Fprintf(w, "| `%s` | `%s` | %s | %s |\n", st.Action.Symbol(), st.Address, st.Action, mdCell(strings.Join(reasons, "; ")))
		}
		fmt.Fprintln(w)
	}
	if p.Quota != nil {
		fmt.Fprintf(w, "%s\n\n", quotaLine(p.Quota))
	}
	var text bytes.Buffer
	renderPlanText(&text, p, false)
	fmt.Fprintln(w, "<details><summary>Full plan</summary>")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "```text")
	io.WriteString(w, strings.ReplaceAll(text.String(), "```", "ˋˋˋ"))
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "</details>")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Suggested label: `%s`\n", suggestedLabel(p))
}

// markdownBanner names what a reviewer must not miss: imports (cannot be
// undone), replacements (export again, spending quota) and forgets.
func markdownBanner(p *plan.Plan) string {
	var imports, replaces, forgets int
	for _, st := range p.Steps {
		switch {
		case st.Kind == plan.KindImport && (st.Action == plan.Create || st.Action == plan.Replace || st.Action == plan.Resume):
			imports++
		case st.Action == plan.Replace:
			replaces++
		case st.Action == plan.Forget:
			forgets++
		}
	}
	var parts []string
	if imports > 0 {
		parts = append(parts, fmt.Sprintf("imports into Marketo (%s; imported data cannot be undone)", nounCount(imports, "import")))
	}
	if replaces > 0 {
		parts = append(parts, fmt.Sprintf("replaces %s (exported again, counting against the daily quota)", nounCount(replaces, "export window")))
	}
	if forgets > 0 {
		noun := "addresses"
		if forgets == 1 {
			noun = "address"
		}
		parts = append(parts, fmt.Sprintf("forgets %d %s from state (files and Marketo data are kept)", forgets, noun))
	}
	if len(parts) == 0 {
		return ""
	}
	return "This plan " + strings.Join(parts, ", ") + "."
}

// suggestedLabel is the PR label a pipeline may apply.
func suggestedLabel(p *plan.Plan) string {
	for _, st := range p.Steps {
		if st.Kind == plan.KindImport && st.Action != plan.NoOp && st.Action != plan.Forget {
			return "mkbulk/import"
		}
	}
	if p.HasChanges() {
		return "mkbulk/changes"
	}
	return "mkbulk/no-changes"
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
