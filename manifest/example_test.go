package manifest_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mkbulk/mkbulk/manifest"
)

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "mkbulk-example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "leads.yaml"), []byte(`apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads-q1
spec:
  object: leads
  feilds: [id, email]
  filter:
    createdAt: {startAt: 2026-01-01T00:00:00Z, endAt: 2026-03-31T23:59:59Z}
  window: 45d
  output: out/leads-q1.csv
`), 0o644)

	_, diags := manifest.Load(dir)
	for _, d := range diags {
		fmt.Println(d)
	}
	// Output:
	// leads.yaml:7:3: unknown field "feilds" in spec
	// 	hint: did you mean "fields"?
	// leads.yaml:10:11: spec.window: 45d is longer than Marketo's 31-day limit per export job
	// 	hint: use 31d or less; longer ranges are split into several windows anyway
}

func ExampleFormat() {
	out, _ := manifest.Format("m.yaml", []byte(`kind: Import   # upload
apiVersion: mkbulk/v1
spec: {source: data/a.csv, object: leads}
metadata: {name: a}
`))
	fmt.Print(string(out))
	// Output:
	// apiVersion: mkbulk/v1
	// kind: Import # upload
	// metadata:
	//   name: a
	// spec:
	//   object: leads
	//   source: data/a.csv
}
