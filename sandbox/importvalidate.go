package sandbox

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// importCol is how one header column maps onto the object.
type importCol struct {
	src    int // srcLead, srcMember, srcCar; -1 unknown
	f      int
	def    *fieldDef
	ignore bool // known but not updateable: skipped, as Marketo does
}

type importValidator struct {
	b       *importBatch
	header  []string
	cols    []importCol
	unknown string // first unknown column, "" when none
	keyCol  int    // lookup or dedupe column, -1 when absent
	keyName string
	leadCol int // leadID column of a custom object import
}

func newImportValidator(b *importBatch, header []string) *importValidator {
	v := &importValidator{b: b, header: header, keyCol: -1, leadCol: -1}
	for _, name := range header {
		col := importCol{src: -1}
		switch b.obj {
		case impLeads:
			if f := lookupFieldIndex(leadFields[:], name); f >= 0 {
				col = importCol{src: srcLead, f: f, def: &leadFields[f], ignore: (f == lfID && b.lookup != lfID) || (f != lfID && !leadFields[f].Updateable)}
			}
		case impProgramMembers:
			if f := lookupFieldIndex(pmFields[:], name); f >= 0 {
				col = importCol{src: srcMember, f: f, def: &pmFields[f], ignore: !pmFields[f].Updateable}
			} else if f := lookupFieldIndex(leadFields[:], name); f >= 0 {
				col = importCol{src: srcLead, f: f, def: &leadFields[f], ignore: !leadFields[f].Updateable || f == lfID}
			}
		case impCustomObject:
			if f := lookupFieldIndex(carFields[:], name); f >= 0 {
				col = importCol{src: srcCar, f: f, def: &carFields[f], ignore: !carFields[f].Updateable}
			}
		}
		if col.src < 0 && v.unknown == "" {
			v.unknown = name
		}
		v.cols = append(v.cols, col)
	}
	key := map[importObject]int{impLeads: b.lookup, impProgramMembers: lfEmail, impCustomObject: cfVin}[b.obj]
	for i, col := range v.cols {
		if col.src < 0 {
			continue
		}
		if col.f == key && (col.src == srcLead || col.src == srcCar) && v.keyCol < 0 {
			v.keyCol = i
			v.cols[i].ignore = false
		}
		if col.src == srcCar && col.f == cfLeadID {
			v.leadCol = i
		}
	}
	if b.obj == impCustomObject {
		v.keyName = carFields[cfVin].Name
	} else {
		v.keyName = leadFields[key].Name
	}
	return v
}

type rowOutcome struct{ fail, warn string }

// cell reads column i; the literal null of export files means empty, so an
// exported file re-imports unchanged.
func cell(row []string, i int) string {
	if i < 0 || i >= len(row) || row[i] == nullCell {
		return ""
	}
	return row[i]
}

// apply validates one row and, if it passes, upserts it. Called with s.mu held.
func (v *importValidator) apply(s *Server, row []string, now time.Time) rowOutcome {
	if len(row) != len(v.header) {
		return rowOutcome{fail: "Invalid number of columns: expected " + itoa(len(v.header)) + ", found " + itoa(len(row))}
	}
	key := cell(row, v.keyCol)
	if key == "" {
		if v.b.obj == impCustomObject {
			return rowOutcome{fail: "missing.dedupe.fields"}
		}
		return rowOutcome{fail: "Value for lookup field '" + v.keyName + "' not found"}
	}
	if v.unknown != "" {
		return rowOutcome{fail: "Field '" + v.unknown + "' not found"}
	}
	var out rowOutcome
	vals := make([]string, len(row))
	for i, col := range v.cols {
		val := cell(row, i)
		if col.ignore || val == "" {
			continue
		}
		norm, fail, warn := checkValue(col.def, val)
		if fail != "" {
			return rowOutcome{fail: fail}
		}
		if warn != "" && out.warn == "" {
			out.warn = warn
		}
		vals[i] = norm
	}
	var fail string
	switch v.b.obj {
	case impLeads:
		_, fail = v.upsertLead(s, vals, now, true)
	case impProgramMembers:
		fail = v.upsertMember(s, vals, now)
	case impCustomObject:
		fail = v.upsertCar(s, vals, now)
	}
	if fail != "" {
		return rowOutcome{fail: fail}
	}
	return out
}

// checkValue validates v against a field's type and length and returns
// the value as it is stored. Invalid emails are imported with a warning.
func checkValue(def *fieldDef, v string) (norm, fail, warn string) {
	bad := "Invalid data type in field " + def.DisplayName
	switch def.DataType {
	case "integer", "reference", "link", "score", "percent":
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", bad, ""
		}
		return strconv.FormatInt(n, 10), "", ""
	case "float", "currency":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return "", bad, ""
		}
		return strconv.FormatFloat(f, 'f', -1, 64), "", ""
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "yes", "y":
			return "true", "", ""
		case "false", "0", "no", "n":
			return "false", "", ""
		}
		return "", bad, ""
	case "date":
		t, ok := parseImportTime(v)
		if !ok {
			return "", bad, ""
		}
		return t.Format("2006-01-02"), "", ""
	case "datetime":
		t, ok := parseImportTime(v)
		if !ok {
			return "", bad, ""
		}
		return formatDateTime(t.Unix()), "", ""
	case "email":
		if def.Length > 0 && utf8.RuneCountInString(v) > def.Length {
			return "", "Value too long for field " + def.DisplayName, ""
		}
		if !validEmail(v) {
			return v, "", "Invalid email address"
		}
		return v, "", ""
	}
	if def.Length > 0 && utf8.RuneCountInString(v) > def.Length {
		return "", "Value too long for field " + def.DisplayName, ""
	}
	return v, "", ""
}

var importTimeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

func parseImportTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range importTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n,;") {
		return false
	}
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && domain[len(domain)-1] != '.'
}
