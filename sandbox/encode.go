package sandbox

import (
	"strconv"
	"strings"
	"time"
)

// The export hot loop appends bytes; nothing here allocates or uses fmt.

// fileFormat is an export or import file format.
type fileFormat struct {
	Name  string // CSV, TSV, SSV
	Delim byte
	Ext   string
}

var formats = []fileFormat{
	{"CSV", ',', "csv"},
	{"TSV", '\t', "tsv"},
	{"SSV", ';', "ssv"}, // semicolon, as bulk-import.md says (MARKETO_API.md §7.3)
}

func formatByName(name string) (fileFormat, bool) {
	for _, f := range formats {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return fileFormat{}, false
}

const nullCell = "null"

// appendCell appends s as one cell: the literal null for an empty value,
// RFC 4180 quoting when s holds the delimiter, a quote, CR or LF.
func appendCell(dst []byte, s string, delim byte) []byte {
	if s == "" {
		return append(dst, nullCell...)
	}
	return appendQuoted(dst, s, delim)
}

// appendQuoted quotes s only when it must; an empty s stays empty.
func appendQuoted(dst []byte, s string, delim byte) []byte {
	needs := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == delim || c == '"' || c == '\n' || c == '\r' {
			needs = true
			break
		}
	}
	if !needs {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// appendQuotedBytes is appendQuoted for a byte slice (activity attributes).
func appendQuotedBytes(dst, s []byte, delim byte) []byte {
	needs := false
	for _, c := range s {
		if c == delim || c == '"' || c == '\n' || c == '\r' {
			needs = true
			break
		}
	}
	if !needs {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for _, c := range s {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendDateTime appends unix seconds as 2006-01-02T15:04:05Z.
func appendDateTime(dst []byte, unix int64) []byte {
	days := unix / 86400
	secs := unix % 86400
	if secs < 0 {
		secs += 86400
		days--
	}
	dst = appendCivilDate(dst, days)
	dst = append(dst, 'T')
	dst = append2(dst, int(secs/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(secs/60%60))
	dst = append(dst, ':')
	dst = append2(dst, int(secs%60))
	return append(dst, 'Z')
}

// appendCivilDate appends days since 1970-01-01 as 2006-01-02 (Howard
// Hinnant's civil_from_days).
func appendCivilDate(dst []byte, days int64) []byte {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	dst = append2(dst, int(y/100))
	dst = append2(dst, int(y%100))
	dst = append(dst, '-')
	dst = append2(dst, int(m))
	dst = append(dst, '-')
	return append2(dst, int(d))
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

func formatDateTime(unix int64) string { return string(appendDateTime(nil, unix)) }

// jsonTime formats a simulated time as Marketo does: UTC with Z.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatDateTime(t.Unix())
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func itoa(v int) string { return strconv.Itoa(v) }
