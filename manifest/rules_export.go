package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// Filter types by object (MARKETO_API.md §3.3). Leads and custom objects
// take exactly one of their filter types per job.
var (
	leadFilterTypes         = []string{"createdAt", "updatedAt", "staticListName", "staticListId", "smartListName", "smartListId"}
	customObjectFilterTypes = []string{"updatedAt", "staticListName", "staticListId", "smartListName", "smartListId"}
)

// activityDefaultColumns are the columns of an activity export without
// fields; columnHeaderNames may rename them.
var activityDefaultColumns = []string{"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
	"primaryAttributeValueId", "primaryAttributeValue", "attributes", "actionResult"}

var exportObjects = []string{ObjectLeads, ObjectActivities, ObjectProgramMembers, ObjectCustomObject}

// checkExport applies the rules JSON Schema cannot express to one export
// and resolves its output path.
func (d *document) checkExport(e *Export, l *loader) {
	spec, _ := d.value("/spec").(map[string]any)
	filter, _ := d.value("/spec/filter").(map[string]any)
	known := slices.Contains(exportObjects, e.Object)

	if _, ok := spec["apiName"]; ok && known && e.Object != ObjectCustomObject {
		d.errorAtKey("spec.apiName", "remove apiName, or use object: customObject",
			"spec.apiName: only customObject exports take apiName")
	}
	d.checkFields(e)
	if known {
		d.checkExportFilter(e.Object, filter)
	}
	d.checkDateRanges(e)
	d.checkWindow(e, spec)
	d.checkOutput(e, l)
}

// checkFields rejects duplicate fields and header names for fields the
// export does not have.
func (d *document) checkFields(e *Export) {
	first := map[string]int{}
	for i, f := range e.Fields {
		if j, dup := first[f]; dup {
			d.errorAt(fmt.Sprintf("spec.fields[%d]", i), "remove the repeated field",
				"spec.fields[%d]: %q is already listed (spec.fields[%d])", i, f, j)
			continue
		}
		first[f] = i
	}
	columns := e.Fields
	if len(columns) == 0 {
		if e.Object != ObjectActivities {
			return // schema reported the missing fields
		}
		columns = activityDefaultColumns
	}
	for _, k := range sortedKeys(e.ColumnHeaderNames) {
		if slices.Contains(columns, k) {
			continue
		}
		hint := DidYouMean(k, columns)
		if hint == "" {
			hint = "columnHeaderNames only renames columns listed in fields"
		}
		d.errorAtKey("spec.columnHeaderNames."+k, hint, "spec.columnHeaderNames: %q is not in fields", k)
	}
}

// checkExportFilter checks the filter combinations Marketo accepts per
// object. Unknown keys and shapes were checked by the schema.
func (d *document) checkExportFilter(object string, filter map[string]any) {
	if filter == nil {
		return // missing or not a mapping: reported by the schema
	}
	present := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			if _, ok := filter[k]; ok {
				out = append(out, k)
			}
		}
		d.sortByPosition("spec.filter.", out)
		return out
	}
	switch object {
	case ObjectLeads, ObjectCustomObject:
		types := leadFilterTypes
		if object == ObjectCustomObject {
			types = customObjectFilterTypes
		}
		got := present(types...)
		if len(got) == 0 {
			d.errorAtKey("spec.filter", "add one of: "+strings.Join(types, ", "),
				"spec.filter: a %s export needs exactly one filter type", object)
		}
		for _, k := range got[min(1, len(got)):] {
			d.errorAtKey("spec.filter."+k, "keep one filter type; split the export in two to combine them",
				"spec.filter: a %s export takes exactly one filter type, but %s comes with %s", object, k, got[0])
		}
	case ObjectActivities:
		pav := present("primaryAttributeValueIds", "primaryAttributeValues")
		if len(pav) == 2 {
			d.errorAtKey("spec.filter."+pav[1], "use one of them",
				"spec.filter: primaryAttributeValueIds and primaryAttributeValues exclude each other")
		}
		if _, ok := filter["activityTypeIds"]; !ok && len(pav) > 0 {
			d.errorAtKey("spec.filter."+pav[0], "add activityTypeIds with the activity types these values belong to",
				"spec.filter.%s: needs activityTypeIds", pav[0])
		}
	case ObjectProgramMembers:
		got := present("programId", "programIds")
		switch len(got) {
		case 0:
			d.errorAtKey("spec.filter", "add programId: 1001, or programIds: [1001, 1002] (at most 10)",
				"spec.filter: a programMembers export needs programId or programIds")
		case 2:
			d.errorAtKey("spec.filter."+got[1], "use programId for one program, programIds for several",
				"spec.filter: programId and programIds exclude each other")
		}
	}
}

// sortByPosition orders keys under prefix by where they appear in the file.
func (d *document) sortByPosition(prefix string, keys []string) {
	slices.SortStableFunc(keys, func(a, b string) int {
		pa, pb := d.keyPos(prefix+a), d.keyPos(prefix+b)
		if pa.Line != pb.Line {
			return pa.Line - pb.Line
		}
		return pa.Col - pb.Col
	})
}

// checkDateRanges requires startAt before endAt.
func (d *document) checkDateRanges(e *Export) {
	for key, r := range map[string]*DateRange{"createdAt": e.Filter.CreatedAt, "updatedAt": e.Filter.UpdatedAt} {
		if r == nil || r.EndAt == nil || r.StartAt.IsZero() {
			continue
		}
		if !r.EndAt.After(r.StartAt) {
			path := "spec.filter." + key + ".endAt"
			d.errorAt(path, "", "%s: must be after startAt (%s)", path, r.StartAt.Format("2006-01-02T15:04:05Z07:00"))
		}
	}
}

// checkWindow bounds the window to Marketo's 31-day limit.
func (d *document) checkWindow(e *Export, spec map[string]any) {
	w, ok := spec["window"].(string)
	if !ok {
		return
	}
	dur, err := ParseWindow(w)
	switch {
	case err != nil:
		d.errorAt("spec.window", "write days like 31d or 7d, or hours like 12h", "spec.window: %v", err)
	case dur <= 0:
		d.errorAt("spec.window", "use a window between 1s and 31d", "spec.window: must be longer than zero")
	case dur > MaxWindow:
		d.errorAt("spec.window", "use 31d or less; longer ranges are split into several windows anyway",
			"spec.window: %s is longer than Marketo's 31-day limit per export job", w)
	default:
		if _, r := e.Filter.DateFilter(); r == nil && slices.Contains(exportObjects, e.Object) {
			d.warnAt("spec.window", "remove window, or filter by createdAt or updatedAt",
				"spec.window has no effect: this export has no createdAt or updatedAt filter")
		}
	}
}

// checkOutput resolves the output path and checks {window} use.
func (d *document) checkOutput(e *Export, l *loader) {
	raw := e.Output
	if raw == "" {
		return
	}
	rel, err := l.resolvePath(d.src.File, raw)
	if err != nil {
		d.errorAt("spec.output", "", "spec.output: %v", err)
		e.Output = ""
		return
	}
	e.Output = rel
	hasWindow := strings.Contains(raw, WindowPlaceholder)
	key, r := e.Filter.DateFilter()
	switch {
	case hasWindow && r == nil && slices.Contains(exportObjects, e.Object):
		d.errorAt("spec.output", "remove {window}: without a createdAt or updatedAt filter there is one job and one file",
			"spec.output: {window} needs a createdAt or updatedAt filter")
	case !hasWindow && r != nil && r.EndAt == nil && !d.reported["spec.filter."+key+".endAt"]:
		ext := pathExt(raw)
		d.errorAt("spec.output", fmt.Sprintf("e.g. out/%s/{window}%s", e.Metadata.Name, ext),
			"spec.output: an open date range (%s without endAt) needs {window} in output, so each apply writes new files", key)
	}
}

func pathExt(p string) string {
	base := p[strings.LastIndexByte(p, '/')+1:]
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		return base[i:]
	}
	return ".csv"
}
