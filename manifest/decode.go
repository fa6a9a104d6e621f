package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The decoders below turn a schema-checked document into typed specs.
// Values of the wrong type were already reported by the schema, so they are
// skipped silently here: decoding goes as far as it can so the rules can
// still find every other problem.

func (d *document) decodeMetadata(root map[string]any) Metadata {
	md, _ := root["metadata"].(map[string]any)
	m := Metadata{Name: str(md, "name")}
	if labels, ok := md["labels"].(map[string]any); ok && len(labels) > 0 {
		m.Labels = map[string]string{}
		for k, v := range labels {
			switch v := v.(type) {
			case string:
				m.Labels[k] = v
			case json.Number:
				m.Labels[k] = v.String()
			case bool:
				m.Labels[k] = strconv.FormatBool(v)
			}
		}
	}
	return m
}

func (d *document) decodeExport(root map[string]any) *Export {
	spec, _ := root["spec"].(map[string]any)
	e := &Export{
		Source:   *d.src,
		Metadata: d.decodeMetadata(root),
		Object:   str(spec, "object"),
		APIName:  str(spec, "apiName"),
		Fields:   strs(spec, "fields"),
		Format:   str(spec, "format"),
		Window:   MaxWindow,
		Output:   str(spec, "output"),
	}
	if e.Format == "" {
		e.Format = FormatCSV
	}
	if h, ok := spec["columnHeaderNames"].(map[string]any); ok && len(h) > 0 {
		e.ColumnHeaderNames = map[string]string{}
		for k, v := range h {
			if s, ok := v.(string); ok {
				e.ColumnHeaderNames[k] = s
			}
		}
	}
	if w, ok := spec["window"].(string); ok {
		if dur, err := ParseWindow(w); err == nil {
			e.Window = dur
		}
	}
	f, _ := spec["filter"].(map[string]any)
	e.Filter = ExportFilter{
		CreatedAt:                d.dateRange(f, "spec.filter.createdAt"),
		UpdatedAt:                d.dateRange(f, "spec.filter.updatedAt"),
		StaticListName:           str(f, "staticListName"),
		StaticListID:             intp(f, "staticListId"),
		SmartListName:            str(f, "smartListName"),
		SmartListID:              intp(f, "smartListId"),
		ActivityTypeIDs:          ints(f, "activityTypeIds"),
		PrimaryAttributeValueIDs: ints(f, "primaryAttributeValueIds"),
		PrimaryAttributeValues:   strs(f, "primaryAttributeValues"),
		ProgramID:                intp(f, "programId"),
		ProgramIDs:               ints(f, "programIds"),
		NurtureCadence:           str(f, "nurtureCadence"),
		StatusNames:              strs(f, "statusNames"),
	}
	if b, ok := f["isExhausted"].(bool); ok {
		e.Filter.IsExhausted = &b
	}
	return e
}

func (d *document) decodeImport(root map[string]any) *Import {
	spec, _ := root["spec"].(map[string]any)
	im := &Import{
		Source:              *d.src,
		Metadata:            d.decodeMetadata(root),
		Object:              str(spec, "object"),
		APIName:             str(spec, "apiName"),
		SourcePath:          str(spec, "source"),
		Format:              str(spec, "format"),
		LookupField:         str(spec, "lookupField"),
		ListID:              intp(spec, "listId"),
		PartitionName:       str(spec, "partitionName"),
		ProgramID:           intp(spec, "programId"),
		ProgramMemberStatus: str(spec, "programMemberStatus"),
		Reports:             str(spec, "reports"),
	}
	if im.Format == "" {
		im.Format = FormatCSV
	}
	if n := intp(spec, "maxFailedRows"); n != nil && *n >= 0 {
		im.MaxFailedRows = *n
	}
	return im
}

// dateRange decodes a createdAt/updatedAt filter, reporting dates that are
// not RFC 3339 at their own position. It returns nil when the key is
// absent, and a range with zero times when present but unusable, so the
// rules still see which filter type was meant.
func (d *document) dateRange(f map[string]any, path string) *DateRange {
	key := path[len("spec.filter."):]
	raw, ok := f[key]
	if !ok || d.reported[path] {
		return nil // absent, or not a filter of this object (reported)
	}
	r := &DateRange{}
	m, _ := raw.(map[string]any)
	if s, ok := m["startAt"].(string); ok {
		r.StartAt, _ = d.parseDate(path+".startAt", s)
	}
	if s, ok := m["endAt"].(string); ok {
		if t, ok := d.parseDate(path+".endAt", s); ok {
			r.EndAt = &t
		}
	}
	return r
}

// parseDate parses an RFC 3339 date-time and reports a bad one.
func (d *document) parseDate(path, s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err == nil {
		return t, true
	}
	hint := "write dates as RFC 3339 with a time and zone, e.g. 2026-01-01T00:00:00Z"
	if len(s) == len("2006-01-02") {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			hint = fmt.Sprintf("add a time and zone: %sT00:00:00Z", s)
		}
	}
	var pe *time.ParseError
	detail := ""
	if errors.As(err, &pe) && pe.Message != "" {
		detail = pe.Message // e.g. ": month out of range"
	}
	d.errorAt(path, hint, "%s: invalid date %q%s", path, s, detail)
	return time.Time{}, false
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func strs(m map[string]any, k string) []string {
	list, ok := m[k].([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func intp(m map[string]any, k string) *int {
	n, ok := m[k].(json.Number)
	if !ok {
		return nil
	}
	i, err := strconv.Atoi(n.String())
	if err != nil {
		return nil
	}
	return &i
}

func ints(m map[string]any, k string) []int {
	list, ok := m[k].([]any)
	if !ok {
		return nil
	}
	out := make([]int, 0, len(list))
	for _, v := range list {
		if n, ok := v.(json.Number); ok {
			if i, err := strconv.Atoi(n.String()); err == nil {
				out = append(out, i)
			}
		}
	}
	return out
}
