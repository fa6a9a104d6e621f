package manifest

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a source file. File is relative to the project
// directory (slash-separated); Line and Col are 1-based. The zero Pos means
// "no position known".
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders the position as file:line:col (or just file when no line is known).
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// IsZero reports whether no position is known.
func (p Pos) IsZero() bool { return p.File == "" && p.Line == 0 }

// Severity says whether a diagnostic blocks the command.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is one user-input problem: a manifest, schema or describe
// mismatch, or an import source row Marketo would reject. Operational
// failures (network, state file) are plain errors, not diagnostics.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`
	Message  string   `json:"message"`
	// Hint is optional advice, e.g. `did you mean "leadScore"?`.
	Hint string `json:"hint,omitempty"`
}

// String renders "path:line:col: message (hint)".
func (d Diagnostic) String() string {
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString("\n\thint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics is a list of problems; it is an error when it holds at least
// one of severity Error.
type Diagnostics []Diagnostic

// Errorf appends an error diagnostic at pos.
func (ds *Diagnostics) Errorf(pos Pos, hint string, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Warnf appends a warning diagnostic at pos.
func (ds *Diagnostics) Warnf(pos Pos, hint string, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Warning, Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity != Warning {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by file, line, column, then message, so output is
// stable whatever order the checks ran in.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return ds[i].Message < ds[j].Message
	})
}

// Error joins every diagnostic, one per line, so Diagnostics can travel as an error.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Err returns ds as an error when it has errors, else nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}
