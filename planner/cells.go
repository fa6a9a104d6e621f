package planner

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mkbulk/mkbulk/marketo"
)

// cellKind is how a column's values are checked, from its describe dataType.
type cellKind uint8

const (
	kindNone cellKind = iota // not checked (unknown column, free text without a length)
	kindInteger
	kindFloat
	kindBoolean
	kindDate
	kindDatetime
	kindEmail
	kindString
)

// textAreaBytes is Marketo's limit for text area fields (MARKETO_API.md §5.5).
const textAreaBytes = 30000

// columnCheck checks the cells of one import column.
type columnCheck struct {
	name     string
	dataType string
	kind     cellKind
	maxRunes int // string length limit from describe; 0 = none
	maxBytes int // text area limit; 0 = none
}

func newColumnCheck(header string, f marketo.Field) columnCheck {
	c := columnCheck{name: header, dataType: f.DataType}
	switch strings.ToLower(f.DataType) {
	case "integer", "score", "percent":
		c.kind = kindInteger
	case "float", "currency":
		c.kind = kindFloat
	case "boolean":
		c.kind = kindBoolean
	case "date":
		c.kind = kindDate
	case "datetime":
		c.kind = kindDatetime
	case "email":
		c.kind, c.maxRunes = kindEmail, f.Length
	case "text", "textarea":
		c.kind, c.maxRunes, c.maxBytes = kindString, f.Length, textAreaBytes
	default: // string, url, phone, reference, link, …
		if f.Length > 0 {
			c.kind, c.maxRunes = kindString, f.Length
		}
	}
	return c
}

// check reports what is wrong with v, if anything. warn is true when
// Marketo would accept the row with a warning (an invalid email) rather
// than reject it. Empty cells are always accepted: they mean "no value".
// It allocates only when it finds a problem.
func (c *columnCheck) check(v string) (problem string, warn bool) {
	if v == "" || c.kind == kindNone {
		return "", false
	}
	switch c.kind {
	case kindInteger:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "not a whole number", false
		}
	case kindFloat:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "not a number", false
		}
	case kindBoolean:
		if !isBool(v) {
			return "not a boolean (true, false, 1, 0, yes, no)", false
		}
	case kindDate:
		if !isDate(v) {
			return "not a date (YYYY-MM-DD)", false
		}
	case kindDatetime:
		if !isDatetime(v) {
			return "not a datetime (ISO 8601, e.g. 2026-01-31T23:59:59Z)", false
		}
	case kindEmail:
		if c.maxRunes > 0 && len(v) > c.maxRunes && utf8.RuneCountInString(v) > c.maxRunes {
			return "longer than " + strconv.Itoa(c.maxRunes) + " characters", false
		}
		if !isEmail(v) {
			return "not a valid email address (Marketo imports the row with a warning)", true
		}
	case kindString:
		if c.maxBytes > 0 && len(v) > c.maxBytes {
			return "longer than " + strconv.Itoa(c.maxBytes) + " bytes", false
		}
		// A byte count at or under the limit cannot hold more runes;
		// count runes only when it might matter.
		if c.maxRunes > 0 && len(v) > c.maxRunes && utf8.RuneCountInString(v) > c.maxRunes {
			return "longer than " + strconv.Itoa(c.maxRunes) + " characters", false
		}
	}
	return "", false
}

func isBool(v string) bool {
	switch len(v) {
	case 1:
		return v == "1" || v == "0"
	case 2, 3, 4, 5:
		for _, s := range [...]string{"true", "false", "yes", "no"} {
			if strings.EqualFold(v, s) {
				return true
			}
		}
	}
	return false
}

// isDate accepts YYYY-MM-DD.
func isDate(v string) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}

// datetimeLayouts are the ISO 8601 forms Marketo accepts for datetimes
// (W3C profile); a bare date means midnight.
var datetimeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
}

func isDatetime(v string) bool {
	if len(v) < 10 {
		return false
	}
	if len(v) == 10 {
		return isDate(v)
	}
	for _, layout := range datetimeLayouts {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}

// isEmail is a plausibility check, not RFC 5322: one @, something before
// it, a dotted domain after it, no spaces.
func isEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at != strings.LastIndexByte(v, '@') {
		return false
	}
	domain := v[at+1:]
	dot := strings.IndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 {
		return false
	}
	return strings.IndexAny(v, " \t,;<>") < 0
}
