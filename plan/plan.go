package plan

import (
	"encoding/json"
	"time"
)

// FormatVersion is the plan-file format written by this build.
const FormatVersion = "1"

// Action is what a step will do. Values are Terraform-like words; Symbol
// gives the diff symbol shown in plans.
type Action string

// Actions (DESIGN.md §4).
const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Replace Action = "replace" // -/+ : spec changed, output missing/modified, remote file expired
	Update  Action = "update"  // ~   : local metadata only, no Marketo call
	Resume  Action = "resume"  // >   : job in flight or file not yet downloaded
	Forget  Action = "forget"  // -   : manifest removed; state dropped, files kept
)

// Symbol is the diff symbol of the action.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Replace:
		return "-/+"
	case Update:
		return "~"
	case Resume:
		return ">"
	case Forget:
		return "-"
	}
	return " "
}

// Kinds of step.
const (
	KindExport = "export"
	KindImport = "import"
)

// Plan is the result of planning: what apply will do and what it was based on.
type Plan struct {
	FormatVersion string    `json:"format_version"` // apply: checked before decode
	MkbulkVersion string    `json:"mkbulk_version"` // display
	CreatedAt     time.Time `json:"created_at"`     // display

	// Staleness inputs (apply: a saved plan is refused when any differs).
	StateLineage        string            `json:"state_lineage"`
	StateSerial         uint64            `json:"state_serial"`
	ManifestDigests     map[string]string `json:"manifest_digests"` // file → sha256 hex
	SourceDigests       map[string]string `json:"source_digests"`   // import source → sha256 hex
	DescribeFingerprint string            `json:"describe_fingerprint"`

	// Steps in a stable order (address order). apply.
	Steps []Step `json:"steps"`
	// Merges join window files of exports whose output has no {window}. apply.
	Merges []Merge `json:"merges,omitempty"`

	// Quota is today's export ledger at plan time. display.
	Quota *Quota `json:"quota,omitempty"`
	// Warnings are non-blocking diagnostics rendered "file:line:col: msg". display.
	Warnings []string `json:"warnings,omitempty"`
	// Targeted is true when -target/-replace narrowed the plan. display.
	Targeted bool `json:"targeted,omitempty"`
}

// Step is one addressed change.
type Step struct {
	// Address is export.NAME["start/end"] for a window (export.NAME when the
	// export has no date filter) or import.NAME. apply.
	Address string `json:"address"`
	// Resource is the manifest's address, export.NAME or import.NAME. apply.
	Resource string `json:"resource"`
	Kind     string `json:"kind"`   // KindExport | KindImport. apply.
	Action   Action `json:"action"` // apply.
	// Reasons explain the action ("fields added: score"). display.
	Reasons []Reason `json:"reasons,omitempty"`

	Export *ExportJob `json:"export,omitempty"` // apply, when Kind is export and Action is not Forget
	Import *ImportJob `json:"import,omitempty"` // apply, when Kind is import and Action is not Forget
}

// Reason is a human reason for an action. Attribute, when set, names the
// spec attribute concerned ("fields", "filter.createdAt"); ForcesReplacement
// marks the attribute that forced a -/+ (rendered "# forces replacement").
type Reason struct {
	Message           string `json:"message"`
	Attribute         string `json:"attribute,omitempty"`
	ForcesReplacement bool   `json:"forces_replacement,omitempty"`
}

// Window is an inclusive date window [StartAt, EndAt] of one export job.
type Window struct {
	StartAt time.Time `json:"startAt"`
	EndAt   time.Time `json:"endAt"`
}

// Label is the window's address key and {window} substitution:
// "2026-01-01T00:00:00Z/2026-01-31T23:59:59Z".
func (w Window) Label() string {
	return w.StartAt.UTC().Format(time.RFC3339) + "/" + w.EndAt.UTC().Format(time.RFC3339)
}

// FileLabel is the window's label safe for file names, substituted for
// {window} in outputs: "20260101T000000Z-20260131T235959Z".
func (w Window) FileLabel() string {
	const f = "20060102T150405Z"
	return w.StartAt.UTC().Format(f) + "-" + w.EndAt.UTC().Format(f)
}

// ExportJob is one fully resolved Marketo export job (one window).
type ExportJob struct {
	Object            string            `json:"object"` // manifest object name
	APIName           string            `json:"apiName,omitempty"`
	Fields            []string          `json:"fields,omitempty"`
	ColumnHeaderNames map[string]string `json:"columnHeaderNames,omitempty"`
	Format            string            `json:"format"`
	// Filter is the exact Marketo filter JSON, with this window's startAt
	// and endAt filled in.
	Filter json.RawMessage `json:"filter"`
	Window *Window         `json:"window,omitempty"`
	// Output is where this window's verified file goes, relative to the
	// project directory. For merged exports it is a per-window part file
	// under .mkbulk/parts/; the Merge names the final file.
	Output string `json:"output"`
	// SpecDigest identifies the job's Marketo-relevant spec; state keeps it
	// to detect replacement.
	SpecDigest string `json:"spec_digest"`
	// ExportID is set when resuming a job already created on Marketo.
	ExportID string `json:"exportId,omitempty"`
	// PreviousOutput, on an Update step, is where the verified file is now
	// (state's output); apply moves it to Output without calling Marketo.
	PreviousOutput string `json:"previous_output,omitempty"`
}

// ImportJob is one fully resolved import: its source split into chunks.
type ImportJob struct {
	Object              string `json:"object"`
	APIName             string `json:"apiName,omitempty"`
	Source              string `json:"source"` // relative to the project directory
	SourceSHA256        string `json:"source_sha256"`
	Format              string `json:"format"`
	LookupField         string `json:"lookupField,omitempty"`
	ListID              int    `json:"listId,omitempty"`
	PartitionName       string `json:"partitionName,omitempty"`
	ProgramID           int    `json:"programId,omitempty"`
	ProgramMemberStatus string `json:"programMemberStatus,omitempty"`
	MaxFailedRows       int    `json:"maxFailedRows"`
	Reports             string `json:"reports"`
	// HeaderLength is the byte length of the source's header line (with its
	// line ending); every chunk is uploaded as header + [Offset, Offset+Length).
	HeaderLength int64   `json:"header_length"`
	Chunks       []Chunk `json:"chunks"`
	SpecDigest   string  `json:"spec_digest"`
	// PreflightFailures is how many rows the planner expects Marketo to reject. display.
	PreflightFailures int `json:"preflight_failures,omitempty"`
}

// Chunk is a byte range of data rows of an import source, uploaded with the
// header prepended; header + rows stays under 10 MB.
type Chunk struct {
	Index     int    `json:"index"`
	Offset    int64  `json:"offset"`
	Length    int64  `json:"length"`
	FirstLine int    `json:"first_line"` // source line number of the first data row (header is line 1)
	Rows      int    `json:"rows"`
	SHA256    string `json:"sha256"` // of header + rows, exactly the uploaded bytes
	// Done is true when state already records this chunk as imported with
	// the same sha256, so apply skips it.
	Done bool `json:"done,omitempty"`
}

// Merge joins the verified window files of one export into its output, with
// one header.
type Merge struct {
	Resource string   `json:"resource"` // export.NAME
	Output   string   `json:"output"`   // final file, relative to the project directory
	Parts    []string `json:"parts"`    // step addresses in window order
}

// Quota is the export ledger for today (America/Chicago).
type Quota struct {
	UsedBytes  int64     `json:"used_bytes"`
	LimitBytes int64     `json:"limit_bytes"`
	ResetsAt   time.Time `json:"resets_at"`
}

// Summary counts steps per action the way the summary line shows them.
type Summary struct {
	Create, Windows, Replace, Update, Resume, Forget int
}

// Summarize counts the plan's steps. Windows counts export windows among
// created steps.
func (p *Plan) Summarize() Summary {
	var s Summary
	created := map[string]bool{}
	for _, st := range p.Steps {
		switch st.Action {
		case Create:
			if !created[st.Resource] {
				created[st.Resource] = true
				s.Create++
			}
			if st.Kind == KindExport {
				s.Windows++
			}
		case Replace:
			s.Replace++
		case Update:
			s.Update++
		case Resume:
			s.Resume++
		case Forget:
			s.Forget++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool {
	for _, st := range p.Steps {
		if st.Action != NoOp {
			return true
		}
	}
	return false
}
