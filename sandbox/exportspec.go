package sandbox

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// column sources: which record a column's value comes from.
const (
	srcLead = iota
	srcMember
	srcCar
	srcActivity
	srcProgramID // the leading programId column of a programIds export
)

// column is one output column; safe columns never need quoting when the
// value is generated (stored values are always checked).
type column struct {
	src, f int
	safe   bool
}

// baseSafe reports whether generated values of a column can never contain
// a delimiter, quote or newline (TestGeneratedSafeColumns checks it).
func baseSafe(src, f int) bool {
	switch src {
	case srcLead:
		return f != lfCompany
	case srcActivity:
		return f != afAttributes
	}
	return true
}

// timeRange is an inclusive [from, to] in unix seconds.
type timeRange struct{ from, to int64 }

func (r *timeRange) has(t int64) bool { return r == nil || (t >= r.from && t <= r.to) }

// exportSpec is a validated create request: what the generator needs.
type exportSpec struct {
	obj     objectKind
	apiName string
	format  fileFormat
	columns []column
	header  []string

	created, updated *timeRange
	staticList       int
	smartList        int

	activityTypes map[int]bool
	pavIDs        map[int]bool
	pavNames      map[string]bool // lower-cased

	programIDs   []int
	multiProgram bool
	isExhausted  *bool
	cadence      string
	statusNames  map[string]bool
}

type createRequest struct {
	Fields            []string          `json:"fields"`
	Format            string            `json:"format"`
	ColumnHeaderNames map[string]string `json:"columnHeaderNames"`
	Filter            json.RawMessage   `json:"filter"`
}

// specError is a create-time rejection: a Marketo code and message.
type specError struct{ code, msg string }

func (e *specError) Error() string { return e.code + " " + e.msg }

func invalid(msg string) *specError { return &specError{"1003", msg} }

const maxRangeSpan = 31 * 24 * time.Hour

// parseSpec validates a create request for obj (MARKETO_API.md §3.2–3.4).
func parseSpec(obj objectKind, apiName string, req *createRequest, smartLists bool) (*exportSpec, *specError) {
	sp := &exportSpec{obj: obj, apiName: apiName}
	f := req.Format
	if f == "" {
		f = "CSV"
	}
	format, ok := formatByName(f)
	if !ok {
		return nil, invalid("Invalid format '" + req.Format + "'. Expected CSV, TSV or SSV")
	}
	sp.format = format
	if err := sp.parseFields(req.Fields, req.ColumnHeaderNames); err != nil {
		return nil, err
	}
	if err := sp.parseFilter(req.Filter, smartLists); err != nil {
		return nil, err
	}
	if sp.multiProgram {
		sp.columns = append([]column{{srcProgramID, pfProgramID, true}}, sp.columns...)
		sp.header = append([]string{"programId"}, sp.header...)
	}
	return sp, nil
}

func (sp *exportSpec) parseFields(fields []string, headers map[string]string) *specError {
	if len(fields) == 0 {
		if sp.obj != objActivities {
			return invalid("fields cannot be blank")
		}
		for f := range defaultActivityColumns {
			fields = append(fields, activityColumns[f])
		}
	}
	var bad []string
	for _, name := range fields {
		col, ok := sp.resolve(name)
		if !ok {
			bad = append(bad, name)
			continue
		}
		col.safe = baseSafe(col.src, col.f)
		sp.columns = append(sp.columns, col)
		sp.header = append(sp.header, name)
	}
	if len(bad) > 0 {
		return invalid("Invalid fields [" + strings.Join(bad, ", ") + "]")
	}
	var badHeaders []string
	for k, v := range headers {
		found := false
		for i, name := range sp.header {
			if name == k {
				sp.header[i] = v
				found = true
			}
		}
		if !found {
			badHeaders = append(badHeaders, k)
		}
	}
	if len(badHeaders) > 0 {
		sort.Strings(badHeaders)
		return invalid("Invalid column header names [" + strings.Join(badHeaders, ", ") + "]")
	}
	return nil
}

// resolve maps a requested field name to its column, case-insensitively.
func (sp *exportSpec) resolve(name string) (column, bool) {
	switch sp.obj {
	case objLeads:
		if i := lookupFieldIndex(leadFields[:], name); i >= 0 {
			return column{src: srcLead, f: i}, true
		}
	case objProgramMembers:
		if i := lookupFieldIndex(pmFields[:], name); i >= 0 {
			return column{src: srcMember, f: i}, true
		}
		if i := lookupFieldIndex(leadFields[:], name); i >= 0 {
			return column{src: srcLead, f: i}, true
		}
	case objCustomObject:
		if i := lookupFieldIndex(carFields[:], name); i >= 0 {
			return column{src: srcCar, f: i}, true
		}
	case objActivities:
		for i, c := range activityColumns {
			if strings.EqualFold(c, name) {
				return column{src: srcActivity, f: i}, true
			}
		}
	}
	return column{}, false
}

// filter keys allowed per object.
var filterKeys = map[objectKind][]string{
	objLeads:          {"createdAt", "updatedAt", "staticListName", "staticListId", "smartListName", "smartListId"},
	objActivities:     {"createdAt", "activityTypeIds", "primaryAttributeValueIds", "primaryAttributeValues"},
	objProgramMembers: {"programId", "programIds", "isExhausted", "nurtureCadence", "statusNames", "updatedAt"},
	objCustomObject:   {"updatedAt", "staticListName", "staticListId", "smartListName", "smartListId"},
}

func (sp *exportSpec) parseFilter(raw json.RawMessage, smartLists bool) *specError {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return invalid("filter cannot be blank")
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return invalid("Invalid filter")
	}
	if len(m) == 0 {
		return invalid("filter cannot be blank")
	}
	allowed := filterKeys[sp.obj]
	for k := range m {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return invalid("Invalid filter type '" + k + "'")
		}
	}
	if sp.obj == objLeads || sp.obj == objCustomObject {
		if len(m) > 1 {
			return invalid("Only one filter type is allowed")
		}
	}
	for k, v := range m {
		if err := sp.parseFilterKey(k, v, smartLists); err != nil {
			return err
		}
	}
	switch sp.obj {
	case objActivities:
		if sp.created == nil {
			return invalid("createdAt filter is required")
		}
		if (sp.pavIDs != nil || sp.pavNames != nil) && len(sp.activityTypes) == 0 {
			return invalid("primaryAttributeValueIds and primaryAttributeValues require activityTypeIds")
		}
		if sp.pavIDs != nil && sp.pavNames != nil {
			return invalid("primaryAttributeValueIds and primaryAttributeValues cannot be used together")
		}
		if sp.pavIDs != nil || sp.pavNames != nil {
			group := ""
			for id := range sp.activityTypes {
				t := activityTypeByID(id)
				if t.group == "" || (group != "" && t.group != group) {
					return invalid("Primary attribute filter is not supported for activity type " + itoa(id))
				}
				group = t.group
			}
		}
	case objProgramMembers:
		if len(sp.programIDs) == 0 {
			return invalid("programId or programIds filter is required")
		}
	}
	return nil
}

// jobKey identifies what a job exports, for duplicate-enqueue detection:
// object, fields, format and filter (canonical JSON).
func jobKey(obj objectKind, apiName string, req *createRequest, format string) string {
	var filter any
	json.Unmarshal(req.Filter, &filter)
	b, _ := json.Marshal(struct {
		Obj    objectKind
		API    string
		Fields []string
		Format string
		Filter any
	}{obj, apiName, req.Fields, format, filter})
	return string(b)
}
