package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrNotPlan is returned by Read for input that is not a plan file: not a
// JSON object, or an object without format_version (a state file or some
// other JSON given by mistake).
var ErrNotPlan = errors.New("not an mkbulk plan file")

// FormatError is a plan file in a format this build does not read: newer
// (Newer is true: upgrade mkbulk) or unknown.
type FormatError struct {
	Found string
	Newer bool
}

func (e *FormatError) Error() string {
	if e.Newer {
		return fmt.Sprintf("plan file was written by a newer mkbulk (format %s; this build reads format %s); upgrade mkbulk to apply it", e.Found, FormatVersion)
	}
	return fmt.Sprintf("plan file format %q is not supported (this build reads format %s); make the plan again with this mkbulk", e.Found, FormatVersion)
}

// Write writes p to w as indented JSON with FormatVersion set to this
// build's format, whatever p.FormatVersion holds; p is not modified.
func Write(w io.Writer, p *Plan) error {
	if p == nil {
		return errors.New("plan: write: nil plan")
	}
	c := *p
	c.FormatVersion = FormatVersion
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return fmt.Errorf("plan: write: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("plan: write: %w", err)
	}
	return nil
}

// Read reads a plan file. It checks format_version before decoding the
// rest, so a plan from a newer mkbulk is refused with a *FormatError that
// says so rather than half-read; input without format_version is
// ErrNotPlan. Fields unknown to this build are ignored.
func Read(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("plan: read: %w", err)
	}
	var head struct {
		FormatVersion *json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotPlan, syntaxDetail(data, err))
	}
	if head.FormatVersion == nil {
		return nil, fmt.Errorf("%w: no format_version", ErrNotPlan)
	}
	var version string
	if err := json.Unmarshal(*head.FormatVersion, &version); err != nil {
		// A number (format_version: 2) is a plausible future spelling.
		version = string(*head.FormatVersion)
	}
	if version != FormatVersion {
		return nil, &FormatError{Found: version, Newer: newer(version, FormatVersion)}
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("plan: read: format %s plan does not decode: %v", version, syntaxDetail(data, err))
	}
	// Write's indentation reaches into raw JSON values too; compacting them
	// gives back the exact bytes the planner made (it writes them compact),
	// so anything digesting a filter sees the same bytes before and after
	// a save.
	for i := range p.Steps {
		ex := p.Steps[i].Export
		if ex != nil && string(ex.Filter) == "null" {
			ex.Filter = nil // Write made "null" of a nil filter
		}
		if ex != nil && len(ex.Filter) > 0 {
			var buf bytes.Buffer
			if err := json.Compact(&buf, ex.Filter); err == nil {
				ex.Filter = json.RawMessage(buf.Bytes())
			}
		}
	}
	return &p, nil
}

// newer reports whether version a is a later format than b. Formats are
// "MAJOR" or "MAJOR.MINOR" numbers.
func newer(a, b string) bool {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	return errA == nil && errB == nil && fa > fb
}

// syntaxDetail adds the line and column to a JSON syntax error, so a plan
// edited by hand can be fixed.
func syntaxDetail(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return err.Error()
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}
