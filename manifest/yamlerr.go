package manifest

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// yaml.v3 reports syntax errors as text: "yaml: line 7: did not find
// expected key". It gives no column, and for indentation mistakes the line
// is where the enclosing block starts, not the line that is off. syntaxError
// turns such an error into a positioned diagnostic, pointing at the
// offending line when it can find it.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, src []byte, err error) Diagnostic {
	msg := err.Error()
	lines := strings.Split(string(src), "\n")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	hint := ""
	switch {
	case strings.Contains(msg, "did not find expected key"),
		strings.Contains(msg, "mapping values are not allowed"),
		strings.Contains(msg, "did not find expected '-' indicator"),
		strings.Contains(msg, "block sequence entries are not allowed"):
		if l := misindentedLine(lines, line); l > 0 {
			line = l
		}
		msg = "bad indentation or structure: " + msg
		hint = "indent each nested key by 2 spaces more than its parent, and keys of one mapping by the same amount"
	case strings.Contains(msg, "control characters are not allowed"):
		line = firstLineWhere(lines, func(s string) bool { return strings.IndexFunc(s, isControl) >= 0 })
	case strings.Contains(msg, "invalid leading UTF-8 octet"), strings.Contains(msg, "invalid trailing UTF-8 octet"),
		strings.Contains(msg, "incomplete UTF-8 octet sequence"):
		line = firstLineWhere(lines, func(s string) bool { return !utf8.ValidString(s) })
		hint = "save the file as UTF-8"
	case strings.Contains(msg, "unexpected end of stream"):
		if line == 0 {
			line = len(lines)
		}
		hint = "is a quote or bracket left open?"
	}
	line = min(max(line, 1), max(len(lines), 1))
	col := 1
	if line <= len(lines) {
		indent := leadingSpace(lines[line-1])
		col = len(indent) + 1
		if i := strings.IndexByte(indent, '\t'); i >= 0 {
			col = i + 1
			hint = "indent with spaces, not tabs"
		}
	}
	return Diagnostic{Severity: Error, Pos: Pos{File: file, Line: line, Col: col}, Message: "invalid YAML: " + msg, Hint: hint}
}

// misindentedLine finds the first content line after the reported one
// (yaml.v3 reports where the enclosing block started) whose indentation
// matches no open block: that is the line that is off. It returns 0 when
// no such line is found.
func misindentedLine(lines []string, reported int) int {
	if reported < 1 || reported > len(lines) {
		return 0
	}
	// Indentation levels open at the reported line: its own and those of
	// the lines it is nested in.
	open := []int{}
	for i := 0; i < reported; i++ {
		ind, ok := indentOf(lines[i])
		if !ok {
			continue
		}
		for len(open) > 0 && open[len(open)-1] >= ind {
			open = open[:len(open)-1]
		}
		open = append(open, ind)
	}
	for i := reported; i < len(lines); i++ {
		ind, ok := indentOf(lines[i])
		if !ok {
			continue
		}
		// Deeper lines open a new block; an over-indented line is one
		// yaml.v3 itself reports precisely. The line sought is one that
		// moves back out to a level no open block has.
		if len(open) == 0 || ind > open[len(open)-1] {
			open = append(open, ind)
			continue
		}
		if !slices.Contains(open, ind) {
			return i + 1
		}
		for len(open) > 0 && open[len(open)-1] > ind {
			open = open[:len(open)-1]
		}
	}
	return 0
}

// indentOf is a line's indentation; ok is false for blank and comment-only
// lines and document markers, which say nothing about structure.
func indentOf(line string) (int, bool) {
	t := strings.TrimLeft(line, " ")
	if t == "" || strings.HasPrefix(t, "#") || strings.TrimSpace(t) == "" || strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...") {
		return 0, false
	}
	return len(line) - len(t), true
}

func firstLineWhere(lines []string, f func(string) bool) int {
	for i, l := range lines {
		if f(l) {
			return i + 1
		}
	}
	return 0
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\r') || r == 0x7f
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}
