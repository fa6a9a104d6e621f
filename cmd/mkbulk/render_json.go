package main

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/plan"
)

// jsonPlanFormatVersion is the version of the machine-readable plan view
// (`plan -json`, `show -json`), independent of the plan-file format.
const jsonPlanFormatVersion = "1.0"

// jsonPlan follows Terraform's `show -json` plan representation where the
// concepts match (format_version, resource_changes[].change.actions[]), so
// tools written for it (PR commenters, OPA/conftest policies) can read it.
type jsonPlan struct {
	FormatVersion     string               `json:"format_version"`
	MkbulkVersion     string               `json:"mkbulk_version"`
	PlanFormatVersion string               `json:"plan_format_version"`
	CreatedAt         time.Time            `json:"created_at"`
	Targeted          bool                 `json:"targeted,omitempty"`
	ResourceChanges   []jsonResourceChange `json:"resource_changes"`
	Merges            []plan.Merge         `json:"merges,omitempty"`
	Summary           jsonSummary          `json:"summary"`
	Quota             *plan.Quota          `json:"quota,omitempty"`
	Warnings          []string             `json:"warnings,omitempty"`
	State             jsonStateRef         `json:"prior_state"`
	ManifestDigests   map[string]string    `json:"manifest_digests"`
	SourceDigests     map[string]string    `json:"source_digests,omitempty"`
	Describe          string               `json:"describe_fingerprint"`
}

type jsonResourceChange struct {
	Address string `json:"address"`
	// Type is "mkbulk_export" or "mkbulk_import"; Name the manifest's
	// metadata.name; Index the window label for windowed exports.
	Type   string     `json:"type"`
	Name   string     `json:"name"`
	Index  string     `json:"index,omitempty"`
	Change jsonChange `json:"change"`
	// ActionReason joins the step's reasons, human-readable.
	ActionReason string        `json:"action_reason,omitempty"`
	Reasons      []plan.Reason `json:"reasons,omitempty"`
}

type jsonChange struct {
	// Actions uses Terraform's words: ["create"], ["delete","create"]
	// (replace), ["update"], ["no-op"], ["delete"] (forget), and the
	// mkbulk extension ["resume"].
	Actions []string `json:"actions"`
	// After is the resolved job apply will run (absent for forget).
	After any `json:"after"`
	// ReplacePaths are the attributes that forced a replacement.
	ReplacePaths [][]string `json:"replace_paths,omitempty"`
}

type jsonSummary struct {
	Create  int `json:"create"`
	Windows int `json:"windows"`
	Replace int `json:"replace"`
	Update  int `json:"update"`
	Resume  int `json:"resume"`
	Forget  int `json:"forget"`
	// Line is the human summary line, for tools that only echo it.
	Line string `json:"line"`
}

type jsonStateRef struct {
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
}

// terraformActions maps a plan action onto Terraform's action list.
func terraformActions(a plan.Action) []string {
	switch a {
	case plan.Create:
		return []string{"create"}
	case plan.Replace:
		return []string{"delete", "create"}
	case plan.Update:
		return []string{"update"}
	case plan.Resume:
		return []string{"resume"}
	case plan.Forget:
		return []string{"delete"}
	}
	return []string{"no-op"}
}

// planJSON builds the machine-readable view of p.
func planJSON(p *plan.Plan) jsonPlan {
	s := p.Summarize()
	out := jsonPlan{
		FormatVersion:     jsonPlanFormatVersion,
		MkbulkVersion:     p.MkbulkVersion,
		PlanFormatVersion: p.FormatVersion,
		CreatedAt:         p.CreatedAt,
		Targeted:          p.Targeted,
		ResourceChanges:   []jsonResourceChange{},
		Merges:            p.Merges,
		Summary: jsonSummary{Create: s.Create, Windows: s.Windows, Replace: s.Replace,
			Update: s.Update, Resume: s.Resume, Forget: s.Forget, Line: summaryLine(p)},
		Quota:           p.Quota,
		Warnings:        p.Warnings,
		State:           jsonStateRef{Lineage: p.StateLineage, Serial: p.StateSerial},
		ManifestDigests: p.ManifestDigests,
		SourceDigests:   p.SourceDigests,
		Describe:        p.DescribeFingerprint,
	}
	if !p.HasChanges() {
		out.Summary.Line = noChangesLine
	}
	for i := range p.Steps {
		st := &p.Steps[i]
		rc := jsonResourceChange{
			Address: st.Address,
			Type:    "mkbulk_" + st.Kind,
			Change:  jsonChange{Actions: terraformActions(st.Action)},
			Reasons: st.Reasons,
		}
		rc.Name, rc.Index = splitAddress(st.Address)
		switch {
		case st.Export != nil:
			rc.Change.After = st.Export
		case st.Import != nil:
			rc.Change.After = st.Import
		}
		msgs := make([]string, len(st.Reasons))
		for j, r := range st.Reasons {
			msgs[j] = r.Message
			if r.ForcesReplacement && r.Attribute != "" {
				rc.Change.ReplacePaths = append(rc.Change.ReplacePaths, strings.Split(r.Attribute, "."))
			}
		}
		rc.ActionReason = strings.Join(msgs, "; ")
		out.ResourceChanges = append(out.ResourceChanges, rc)
	}
	return out
}

// splitAddress returns the name and window index of an address:
// export.leads["2026-…/2026-…"] → leads, 2026-…/2026-….
func splitAddress(addr string) (name, index string) {
	_, rest, _ := strings.Cut(addr, ".")
	name, idx, ok := strings.Cut(rest, "[")
	if ok {
		index = strings.Trim(strings.TrimSuffix(idx, "]"), `"`)
	}
	return name, index
}

// renderPlanJSON writes the machine-readable view of p, indented.
func renderPlanJSON(w io.Writer, p *plan.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(planJSON(p))
}
