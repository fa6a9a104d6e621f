package stress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStalePartialAfterReplace: apply is killed in the middle of a
// window's download, then the manifest changes so the window is replaced
// by a job whose file is smaller than the bytes already on disk. The
// partial file belongs to the old job; resuming the new job's download
// from it (Range past the new file's end, or old bytes under a new
// checksum) must not fail or corrupt the output.
func TestStalePartialAfterReplace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "-time-scale=600", "-leads=6000000")
	manifest := func(fields string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(e.p.Dir, "jan.yaml"), []byte(`apiVersion: mkbulk/v1
kind: Export
metadata:
  name: jan
spec:
  object: leads
  fields: [`+fields+`]
  filter:
    createdAt:
      startAt: 2025-01-01T00:00:00Z
      endAt: 2025-01-31T23:59:59Z
  output: out/jan.csv
`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// January of six million leads, every field: about 66 MB.
	manifest(strings.Join(LeadFields, ", "))
	// One window and no {window}: the file downloads straight to its output.
	parts := filepath.Join(e.p.Dir, "out", "jan.csv.partial")
	const killAt = 16 << 20 // more than the whole new file
	r := e.p.Apply(e.ctx, &Killer{Name: "download", Poll: func() bool {
		m, _ := filepath.Glob(parts)
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.Size() > killAt {
				return true
			}
		}
		return false
	}})
	e.requireApply(r)
	if !r.Killed {
		t.Fatalf("the first apply was not killed mid-download: %s\n%s", describeRun(r), tail(r.Stderr, 10))
	}
	m, _ := filepath.Glob(parts)
	if len(m) != 1 {
		t.Fatalf("after the kill: partial files %v, want one", m)
	}
	fi, _ := os.Stat(m[0])
	t.Logf("killed with %d bytes of the old job's file in %s", fi.Size(), filepath.Base(m[0]))

	// Two fields: the new job's file is about 10 MB.
	manifest("id, email")
	final := e.p.Apply(e.ctx, nil)
	t.Logf("apply after the change: %s", describeRun(final))
	if final.Code != 0 {
		t.Fatalf("apply after the manifest change exited %d:\n%s", final.Code, tail(final.Stderr, 20))
	}
	v := e.verify()
	if v.Windows != 1 || v.Merges != 0 {
		t.Errorf("verified %d windows and %d merges, want 1 and 0", v.Windows, v.Merges)
	}
	out := filepath.Join(e.p.Dir, "out", "jan.csv")
	f, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(string(f[:min(len(f), 200)]), "\n"); header != "id,email" {
		t.Errorf("out/jan.csv starts %q, want the new job's header id,email", header)
	}
}
