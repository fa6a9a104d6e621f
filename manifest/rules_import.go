package manifest

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
)

var importObjects = []string{ObjectLeads, ObjectProgramMembers, ObjectCustomObject}

// importOnlyKeys names the spec keys that belong to one import object
// (MARKETO_API.md §4.3–4.5).
var importOnlyKeys = []struct{ key, object string }{
	{"apiName", ObjectCustomObject},
	{"lookupField", ObjectLeads},
	{"listId", ObjectLeads},
	{"partitionName", ObjectLeads},
	{"programId", ObjectProgramMembers},
	{"programMemberStatus", ObjectProgramMembers},
}

// checkImport applies the rules JSON Schema cannot express to one import
// and resolves its source and reports paths.
func (d *document) checkImport(im *Import, l *loader) {
	spec, _ := d.value("/spec").(map[string]any)
	if slices.Contains(importObjects, im.Object) {
		for _, k := range importOnlyKeys {
			if _, ok := spec[k.key]; ok && im.Object != k.object {
				d.errorAtKey("spec."+k.key, "remove "+k.key+" from this "+im.Object+" import",
					"spec.%s: only %s imports take %s", k.key, k.object, k.key)
			}
		}
	}
	d.checkSource(im, l)
	d.checkReports(im, l)
}

// checkSource resolves the source file and requires it to exist and hold
// something: an import of nothing is a mistake worth catching offline.
func (d *document) checkSource(im *Import, l *loader) {
	raw := im.SourcePath
	if raw == "" {
		return
	}
	rel, err := l.resolvePath(d.src.File, raw)
	if err != nil {
		d.errorAt("spec.source", "", "spec.source: %v", err)
		im.SourcePath = ""
		return
	}
	im.SourcePath = rel
	fi, err := os.Stat(filepath.Join(l.set.Dir, filepath.FromSlash(rel)))
	switch {
	case os.IsNotExist(err):
		d.errorAt("spec.source", nearbyFile(l.set.Dir, rel), "spec.source: %s does not exist", rel)
	case err != nil:
		d.errorAt("spec.source", "", "spec.source: %v", err)
	case fi.IsDir():
		d.errorAt("spec.source", "name the CSV file inside it", "spec.source: %s is a directory", rel)
	case fi.Size() == 0:
		d.errorAt("spec.source", "the first row must be a header of REST API field names", "spec.source: %s is empty", rel)
	}
}

// nearbyFile suggests a file next to the missing one with a similar name.
func nearbyFile(dir, rel string) string {
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(path.Dir(rel))))
	if err != nil {
		return ""
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if s := Suggest(path.Base(rel), names); s != "" {
		return `did you mean "` + path.Join(path.Dir(rel), s) + `"?`
	}
	return ""
}

// checkReports resolves the reports directory, defaulting to
// .mkbulk/reports/<name>.
func (d *document) checkReports(im *Import, l *loader) {
	if im.Reports == "" {
		if im.Metadata.Name != "" {
			im.Reports = ".mkbulk/reports/" + im.Metadata.Name
		}
		return
	}
	rel, err := l.resolvePath(d.src.File, im.Reports)
	if err != nil {
		d.errorAt("spec.reports", "", "spec.reports: %v", err)
		im.Reports = ""
		return
	}
	im.Reports = rel
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
