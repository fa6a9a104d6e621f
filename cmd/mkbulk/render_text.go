package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
)

// noChangesLine is printed, exactly, when a plan would do nothing.
const noChangesLine = "No changes. Marketo jobs and local files match the manifests."

// ANSI colours, used only on a terminal and without -no-color.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// useColor reports whether output to w may be coloured: w is a terminal
// and -no-color was not given.
func useColor(e *env, w io.Writer) bool {
	if e.globals.noColor {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// painter wraps text in a colour when colour is on.
type painter bool

func (p painter) paint(color, s string) string {
	if !p || color == "" {
		return s
	}
	return color + s + ansiReset
}

func actionColor(a plan.Action) string {
	switch a {
	case plan.Create:
		return ansiGreen
	case plan.Replace, plan.Forget:
		return ansiRed
	case plan.Update:
		return ansiYellow
	case plan.Resume:
		return ansiCyan
	}
	return ""
}

// legend lines per action, shown only for the kinds a plan holds.
var legend = []struct {
	action plan.Action
	text   string
}{
	{plan.Create, "create: a new export window or import"},
	{plan.Replace, "replace: export or import again (Marketo jobs cannot be edited)"},
	{plan.Update, "update: local files only, no Marketo call"},
	{plan.Resume, "resume: a job from an earlier apply"},
	{plan.Forget, "forget: drop from state; local files and Marketo data are kept"},
}

// verbs says what happens to an address, for the "# ADDR will be …" line.
var verbs = map[plan.Action]string{
	plan.Create:  "will be created",
	plan.Replace: "must be replaced",
	plan.Update:  "will be updated locally",
	plan.Resume:  "will be resumed",
	plan.Forget:  "will be forgotten",
}

// renderPlanText writes a plan the way Terraform shows one: a legend of
// the symbols used, each changed address with its reasons and resolved
// attributes, then warnings, the summary line and today's quota.
func renderPlanText(w io.Writer, p *plan.Plan, color bool) {
	pt := painter(color)
	if p.Targeted {
		fmt.Fprintln(w, pt.paint(ansiYellow, "Warning: Resource targeting is in effect."))
		fmt.Fprintln(w, "The plan may be incomplete: -target is for exceptional situations, not routine use.")
		fmt.Fprintln(w)
	}
	if !p.HasChanges() {
		fmt.Fprintln(w, pt.paint(ansiBold, noChangesLine))
		renderWarnings(w, p, pt)
		renderQuota(w, p)
		return
	}
	present := map[plan.Action]bool{}
	for _, st := range p.Steps {
		present[st.Action] = true
	}
	fmt.Fprintln(w, "mkbulk used the manifests, state and Marketo's describe output to make this plan.")
	fmt.Fprintln(w, "Actions are shown with these symbols:")
	for _, l := range legend {
		if present[l.action] {
			fmt.Fprintf(w, "%s %s\n", pt.paint(actionColor(l.action), fmt.Sprintf("%3s", l.action.Symbol())), l.text)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "mkbulk will perform the following actions:")
	merges := map[string]plan.Merge{}
	for _, m := range p.Merges {
		merges[m.Resource] = m
	}
	for i := range p.Steps {
		if p.Steps[i].Action != plan.NoOp {
			fmt.Fprintln(w)
			renderStep(w, &p.Steps[i], pt)
		}
	}
	for _, m := range p.Merges {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  # %s: %d window files are merged into %s, one header\n", m.Resource, len(m.Parts), m.Output)
	}
	fmt.Fprintln(w)
	renderWarnings(w, p, pt)
	fmt.Fprintln(w, pt.paint(ansiBold, summaryLine(p)))
	renderQuota(w, p)
}

// summaryLine is the grep-stable summary, e.g.
// "Plan: 3 to create (6 windows), 1 to replace, 0 to update, 1 to resume, 0 to forget."
func summaryLine(p *plan.Plan) string {
	s := p.Summarize()
	create := strconv.Itoa(s.Create) + " to create"
	if s.Windows > 0 {
		create += " (" + nounCount(s.Windows, "window") + ")"
	}
	return fmt.Sprintf("Plan: %s, %d to replace, %d to update, %d to resume, %d to forget.",
		create, s.Replace, s.Update, s.Resume, s.Forget)
}

func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// renderStep writes one changed address: its comment line, reasons, and
// the attributes apply will use.
func renderStep(w io.Writer, st *plan.Step, pt painter) {
	fmt.Fprintf(w, "  # %s %s\n", pt.paint(ansiBold, st.Address), verbs[st.Action])
	forced := map[string]bool{}
	for _, r := range st.Reasons {
		fmt.Fprintf(w, "  #   %s\n", r.Message)
		if r.ForcesReplacement && r.Attribute != "" {
			forced[r.Attribute] = true
		}
	}
	sym := pt.paint(actionColor(st.Action), fmt.Sprintf("%3s", st.Action.Symbol()))
	if st.Action == plan.Forget {
		fmt.Fprintf(w, "%s %s\n", sym, st.Address)
		return
	}
	fmt.Fprintf(w, "%s %s {\n", sym, st.Address)
	attrs := stepAttributes(st)
	width := 0
	for _, a := range attrs {
		width = max(width, len(a.name))
	}
	for _, a := range attrs {
		line := fmt.Sprintf("      %-*s = %s", width, a.name, a.value)
		if attributeForced(a.name, forced) {
			line += pt.paint(ansiRed, "  # forces replacement")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "    }")
}

// attributeForced reports whether a reason forced replacement through this
// attribute: "filter.createdAt" marks the filter line.
func attributeForced(name string, forced map[string]bool) bool {
	for attr := range forced {
		if attr == name || strings.HasPrefix(attr, name+".") {
			return true
		}
	}
	return false
}

type attribute struct{ name, value string }

// stepAttributes lists the resolved job's attributes in a fixed order.
func stepAttributes(st *plan.Step) []attribute {
	var as []attribute
	add := func(name, value string) {
		if value != "" {
			as = append(as, attribute{name, value})
		}
	}
	known := "(known after apply)"
	if ex := st.Export; ex != nil {
		add("object", quote(ex.Object))
		if ex.APIName != "" {
			add("apiName", quote(ex.APIName))
		}
		if len(ex.Fields) > 0 {
			add("fields", listValue(ex.Fields))
		}
		if len(ex.ColumnHeaderNames) > 0 {
			add("columnHeaderNames", mapValue(ex.ColumnHeaderNames))
		}
		add("format", quote(ex.Format))
		add("filter", compactJSON(ex.Filter))
		if ex.PreviousOutput != "" {
			add("output", quote(ex.PreviousOutput)+" -> "+quote(ex.Output))
		} else {
			add("output", quote(ex.Output))
		}
		switch {
		case ex.ExportID != "":
			add("exportId", quote(ex.ExportID))
		case st.Action == plan.Create || st.Action == plan.Replace:
			add("exportId", known)
			add("fileSize", known)
		}
	}
	if im := st.Import; im != nil {
		add("object", quote(im.Object))
		if im.APIName != "" {
			add("apiName", quote(im.APIName))
		}
		add("source", quote(im.Source))
		add("sourceSha256", quote(im.SourceSHA256))
		add("format", quote(im.Format))
		if im.LookupField != "" {
			add("lookupField", quote(im.LookupField))
		}
		if im.ListID != 0 {
			add("listId", strconv.Itoa(im.ListID))
		}
		if im.PartitionName != "" {
			add("partitionName", quote(im.PartitionName))
		}
		if im.ProgramID != 0 {
			add("programId", strconv.Itoa(im.ProgramID))
			add("programMemberStatus", quote(im.ProgramMemberStatus))
		}
		add("chunks", chunkSummary(im))
		add("maxFailedRows", strconv.Itoa(im.MaxFailedRows))
		if im.PreflightFailures > 0 {
			add("preflightFailures", strconv.Itoa(im.PreflightFailures))
		}
		add("reports", quote(im.Reports))
		add("batchIds", known)
	}
	return as
}

func chunkSummary(im *plan.ImportJob) string {
	rows, done := 0, 0
	for _, c := range im.Chunks {
		rows += c.Rows
		if c.Done {
			done++
		}
	}
	s := fmt.Sprintf("%d (%s", len(im.Chunks), nounCount(rows, "row"))
	if done > 0 {
		s += fmt.Sprintf("; %d already imported", done)
	}
	return s + ")"
}

func quote(s string) string { return strconv.Quote(s) }

func listValue(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func mapValue(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = quote(k) + ": " + quote(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// renderWarnings lists the plan's non-blocking diagnostics.
func renderWarnings(w io.Writer, p *plan.Plan, pt painter) {
	if len(p.Warnings) == 0 {
		return
	}
	for _, warn := range p.Warnings {
		fmt.Fprintln(w, pt.paint(ansiYellow, "Warning: ")+warn)
	}
	fmt.Fprintln(w)
}

// renderQuota writes today's export allowance line, e.g.
// "today: 120 MB of 500 MB exported; resets 00:00 America/Chicago".
func renderQuota(w io.Writer, p *plan.Plan) {
	if p.Quota == nil {
		return
	}
	fmt.Fprintln(w, quotaLine(p.Quota))
}

func quotaLine(q *plan.Quota) string {
	return fmt.Sprintf("today: %s of %s exported; resets 00:00 America/Chicago", megabytes(q.UsedBytes), megabytes(q.LimitBytes))
}

// megabytes renders a byte count in Marketo's MB (2^20 bytes, as its
// 500 MB quota counts them).
func megabytes(n int64) string {
	const mb = 1 << 20
	if n > 0 && n < mb {
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	}
	return fmt.Sprintf("%d MB", (n+mb/2)/mb)
}

// printDiagnostics writes diagnostics to w, errors and warnings alike, as
// "path:line:col: message" with any hint on the next line.
func printDiagnostics(w io.Writer, diags manifest.Diagnostics, color bool) {
	pt := painter(color)
	for _, d := range diags {
		c := ansiRed
		if d.Severity == manifest.Warning {
			c = ansiYellow
		}
		fmt.Fprintln(w, pt.paint(c, d.String()))
	}
}

// compactJSON renders raw JSON on one line, however it was indented.
func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
