package manifest

// checkSet applies the rules that span documents: names are unique per
// kind (they are state addresses), and no two exports write the same file.
func (l *loader) checkSet() {
	names := map[string]*Source{}
	for _, e := range l.set.Exports {
		l.unique(names, KindExport, e.Metadata.Name, &e.Source)
	}
	names = map[string]*Source{}
	for _, im := range l.set.Imports {
		l.unique(names, KindImport, im.Metadata.Name, &im.Source)
	}

	outputs := map[string]*Export{}
	for _, e := range l.set.Exports {
		if e.Output == "" {
			continue
		}
		if first, dup := outputs[e.Output]; dup {
			l.diags.Errorf(e.PosOf("spec.output"), "give each export its own output",
				"spec.output: %s is also the output of export %q (%s)", e.Output, first.Metadata.Name, first.PosOf("spec.output"))
			continue
		}
		outputs[e.Output] = e
	}
}

func (l *loader) unique(seen map[string]*Source, kind, name string, src *Source) {
	if name == "" {
		return
	}
	if first, dup := seen[name]; dup {
		l.diags.Errorf(src.Pos, "names are state addresses: rename one of them",
			"duplicate %s name %q: already defined at %s", kind, name, first.Pos)
		return
	}
	seen[name] = src
}
