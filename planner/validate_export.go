package planner

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/manifest"
)

// primaryAttributeTypes are the activity types whose primary attribute
// Marketo can filter on (MARKETO_API.md §3.3).
var primaryAttributeTypes = map[string]bool{
	"Change Data Value":            true,
	"Change Score":                 true,
	"Change Status in Progression": true,
	"Add to List":                  true,
	"Remove from List":             true,
	"Fill Out Form":                true,
}

// nurtureCadences are the values the program member filter accepts; the
// describe field is 4 characters long, so "paus", not "pause".
var nurtureCadences = []string{"paus", "norm"}

// validateExport checks one export against describe output.
func (pl *planning) validateExport(ex *manifest.Export) {
	src := &ex.Source
	cat, res := pl.catalogs.lookup(ex.Object, ex.APIName)
	switch res {
	case lookupMissing:
		pl.diags.Errorf(src.PosOf("spec.apiName"), "",
			"custom object %q does not exist on this Marketo instance", ex.APIName)
		return
	case lookupUnknown:
		return
	}

	for i, name := range ex.Fields {
		f, ok := cat.field(name)
		path := fmt.Sprintf("spec.fields[%d]", i)
		switch {
		case !ok && ex.Object == manifest.ObjectActivities:
			pl.diags.Errorf(src.PosOf(path), manifest.DidYouMean(name, cat.names),
				"field %q is not an activity export column (columns: %s)", name, strings.Join(ActivityColumns, ", "))
		case !ok:
			pl.diags.Errorf(src.PosOf(path), manifest.DidYouMean(name, cat.names),
				"field %q does not exist on %s", name, cat.object)
		case f.DataType == "formula":
			pl.diags.Warnf(src.PosOf(path), "",
				"field %q is a formula field; Marketo leaves formula fields out of exports", name)
		}
	}

	for _, key := range sortedKeys(ex.ColumnHeaderNames) {
		if !contains(ex.Fields, key) {
			pl.diags.Errorf(src.PosOf("spec.columnHeaderNames."+key), manifest.DidYouMean(key, ex.Fields),
				"columnHeaderNames key %q is not one of the export's fields", key)
		}
	}

	pl.validateExportFilter(ex)
}

// validateExportFilter checks the filter values describe can vouch for.
func (pl *planning) validateExportFilter(ex *manifest.Export) {
	src := &ex.Source
	f := &ex.Filter

	if key, r := f.DateFilter(); r != nil && r.EndAt != nil {
		if r.EndAt.Before(r.StartAt) {
			pl.diags.Errorf(src.PosOf("spec.filter."+key+".endAt"), "",
				"endAt %s is before startAt %s", r.EndAt.UTC().Format(time.RFC3339), r.StartAt.UTC().Format(time.RFC3339))
		} else if r.EndAt.After(pl.now) {
			pl.diags.Warnf(src.PosOf("spec.filter."+key+".endAt"), "leave endAt out for an incremental export that follows the clock",
				"endAt %s is in the future: windows after now export only what exists when they run", r.EndAt.UTC().Format(time.RFC3339))
		}
	}

	if ex.Object == manifest.ObjectActivities {
		pl.validateActivityTypes(ex)
	}

	if ex.Object == manifest.ObjectProgramMembers && f.NurtureCadence != "" && !contains(nurtureCadences, f.NurtureCadence) {
		pl.diags.Errorf(src.PosOf("spec.filter.nurtureCadence"), manifest.DidYouMean(f.NurtureCadence, nurtureCadences),
			"nurtureCadence %q is not one of %s", f.NurtureCadence, strings.Join(nurtureCadences, ", "))
	}
}

// validateActivityTypes checks activityTypeIds against the instance's
// activity types, and that primary-attribute filters name types that
// support them.
func (pl *planning) validateActivityTypes(ex *manifest.Export) {
	src := &ex.Source
	f := &ex.Filter
	if pl.describe == nil || pl.describe.ActivityTypes == nil {
		return
	}
	names := make(map[int]string, len(pl.describe.ActivityTypes))
	for _, t := range pl.describe.ActivityTypes {
		names[t.ID] = t.Name
	}
	for i, id := range f.ActivityTypeIDs {
		if _, ok := names[id]; !ok {
			pl.diags.Errorf(src.PosOf(fmt.Sprintf("spec.filter.activityTypeIds[%d]", i)), "run `mkbulk describe activities` for the ids",
				"activity type %d does not exist on this Marketo instance", id)
		}
	}
	primaryKey := ""
	switch {
	case len(f.PrimaryAttributeValueIDs) > 0:
		primaryKey = "primaryAttributeValueIds"
	case len(f.PrimaryAttributeValues) > 0:
		primaryKey = "primaryAttributeValues"
	}
	if primaryKey == "" {
		return
	}
	if len(f.ActivityTypeIDs) == 0 {
		pl.diags.Errorf(src.PosOf("spec.filter."+primaryKey), "",
			"%s needs activityTypeIds naming the activity types whose primary attribute it filters", primaryKey)
		return
	}
	for i, id := range f.ActivityTypeIDs {
		name, ok := names[id]
		if ok && !primaryAttributeTypes[name] {
			pl.diags.Errorf(src.PosOf(fmt.Sprintf("spec.filter.activityTypeIds[%d]", i)), "",
				"activity type %d (%s) does not support %s filtering", id, name, primaryKey)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
