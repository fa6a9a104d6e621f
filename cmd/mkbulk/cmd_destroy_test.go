package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/statefile"
)

func TestDestroyItemsCancelOnlyJobsThatMayHoldTheQueue(t *testing.T) {
	exp := func(id, status, sha, out string) statefile.Record {
		return statefile.Record{Kind: statefile.KindExport, Export: &statefile.ExportRecord{ExportID: id, Status: status, SHA256: sha, Output: out, Object: "leads"}}
	}
	snap := &statefile.Snapshot{Resources: map[string]statefile.Record{
		"export.a":    exp("j1", "Queued", "", "out/a.csv"),
		"export.b":    exp("j2", "Completed", "ab12", "out/b.csv"),
		"export.c":    exp("j3", "Processing", "", "out/c.csv"),
		"export.d":    exp("j4", "Failed", "", "out/d.csv"),
		"export.e":    exp("", "", "", "out/e.csv"),
		"export.f":    exp("j6", "Created", "", "out/f.csv"),
		"export.m":    {Kind: statefile.KindMerge, Merge: &statefile.MergeRecord{Output: "out/m.csv"}},
		"import.i":    {Kind: statefile.KindImport, Import: &statefile.ImportRecord{Source: "in.csv", Reports: "reports/i"}},
		"export.done": exp("j7", "Completed", "cd34", ""),
	}}
	type item struct {
		Addr, Cancel string
		Files        []string
	}
	var got []item
	for _, it := range destroyItems(snap, true) {
		got = append(got, item{it.rec.Address, it.cancel, it.files})
	}
	want := []item{
		{"", "j1", []string{"out/a.csv"}},
		{"", "", []string{"out/b.csv"}},
		{"", "j3", []string{"out/c.csv"}},
		{"", "", []string{"out/d.csv"}},
		{"", "", nil}, // export.done sorts before export.e
		{"", "", []string{"out/e.csv"}},
		{"", "j6", []string{"out/f.csv"}},
		{"", "", []string{"out/m.csv"}},
		{"", "", []string{"reports/i/failures.csv", "reports/i/warnings.csv"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("destroy items in address order (-want +got):\n%s", diff)
	}
	for _, it := range destroyItems(snap, false) {
		if len(it.files) != 0 {
			t.Errorf("%v: files deleted without -delete-files", it.files)
		}
	}
}
