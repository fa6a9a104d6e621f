package planner

import (
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
)

// leadLookupFields are the standard lead fields Marketo accepts as an
// import's lookupField (MARKETO_API.md §4.3); custom string, email and
// integer fields are accepted too.
var leadLookupFields = []string{
	"id", "cookies", "email", "twitterId", "facebookId", "linkedInId",
	"sfdcAccountId", "sfdcContactId", "sfdcLeadId", "sfdcLeadOwnerId", "sfdcOpptyId",
}

// defaultLookupField is what Marketo dedupes lead imports on by default.
const defaultLookupField = "email"

// validateImportSpec checks an import's parameters against describe, before
// its source is read. It returns the object's catalog, or nil when checks
// of the source cannot run.
func (pl *planning) validateImportSpec(im *manifest.Import) *catalog {
	src := &im.Source
	cat, res := pl.catalogs.lookup(im.Object, im.APIName)
	switch res {
	case lookupMissing:
		pl.diags.Errorf(src.PosOf("spec.apiName"), "",
			"custom object %q does not exist on this Marketo instance", im.APIName)
		return nil
	case lookupUnknown:
		return nil
	}
	if im.Object == manifest.ObjectLeads && im.LookupField != "" {
		f, ok := cat.field(im.LookupField)
		allowed := contains(leadLookupFields, im.LookupField) ||
			(ok && (f.DataType == "string" || f.DataType == "email" || f.DataType == "integer"))
		if !ok || !allowed {
			pl.diags.Errorf(src.PosOf("spec.lookupField"), manifest.DidYouMean(im.LookupField, leadLookupFields),
				"lookupField %q is not allowed: use one of %s, or a custom string, email or integer field",
				im.LookupField, strings.Join(leadLookupFields, ", "))
		}
	}
	return cat
}

// importHeaderChecks validates a source's header against the object's
// fields and returns one check per column. Problems are reported at the
// header cell (line 1, column number).
func (pl *planning) importHeaderChecks(im *manifest.Import, cat *catalog, header []string) []columnCheck {
	checks := make([]columnCheck, len(header))
	seen := map[string]int{}
	present := map[string]bool{}
	lookup := im.LookupField
	if im.Object == manifest.ObjectLeads && lookup == "" {
		lookup = defaultLookupField
	}
	for i, h := range header {
		name := h
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a UTF-8 BOM is not part of the name
		}
		pos := manifest.Pos{File: im.SourcePath, Line: 1, Col: i + 1}
		if j, dup := seen[strings.ToLower(name)]; dup {
			pl.diags.Errorf(pos, "", "column %q appears twice in the header (also column %d)", name, j+1)
			continue
		}
		seen[strings.ToLower(name)] = i
		f, ok := cat.field(name)
		if !ok {
			pl.diags.Errorf(pos, manifest.DidYouMean(name, cat.names), "column %q does not exist on %s", name, cat.object)
			continue
		}
		present[strings.ToLower(f.Name)] = true
		if !f.Updateable && !pl.writableKey(im, cat, f.Name, lookup) {
			pl.diags.Errorf(pos, "remove the column; Marketo sets this field itself",
				"column %q is not updateable on %s", name, cat.object)
			continue
		}
		checks[i] = newColumnCheck(name, f)
	}

	sourcePos := im.Source.PosOf("spec.source")
	switch im.Object {
	case manifest.ObjectLeads:
		if !present[strings.ToLower(lookup)] {
			pl.diags.Errorf(sourcePos, "", "source %s has no %q column, the lookupField leads are matched on", im.SourcePath, lookup)
		}
	case manifest.ObjectProgramMembers:
		if !present["email"] {
			pl.diags.Errorf(sourcePos, "", "source %s has no \"email\" column; program member imports match leads by email", im.SourcePath)
		}
	case manifest.ObjectCustomObject:
		if cat.idField != "" && present[strings.ToLower(cat.idField)] {
			break // rows name their record by id; dedupe fields are optional
		}
		for _, d := range cat.dedupe {
			if !present[strings.ToLower(d)] {
				pl.diags.Errorf(sourcePos, "", "source %s has no %q column, a dedupe field of %s", im.SourcePath, d, cat.object)
			}
		}
	}
	return checks
}

// writableKey reports whether a non-updateable field may still be a
// column: it is how rows are matched (the lookup field, a dedupe field,
// the id field, or a searchable link field), not a value to write.
func (pl *planning) writableKey(im *manifest.Import, cat *catalog, name, lookup string) bool {
	switch {
	case strings.EqualFold(name, lookup):
		return true
	case strings.EqualFold(name, cat.idField):
		return true
	case cat.searchable[strings.ToLower(name)] && im.Object != manifest.ObjectLeads:
		return true
	}
	for _, d := range cat.dedupe {
		if strings.EqualFold(d, name) {
			return true
		}
	}
	return false
}
