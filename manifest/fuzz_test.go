package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are the shipped examples, the formatter's test inputs and a few
// broken manifests.
func fuzzSeeds(f *testing.F) {
	for _, glob := range []string{"../examples/*.yaml", "testdata/fmt/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"",
		"---\n---\n",
		exportHead + "  object: leads\n fields: [id]\n",
		exportHead + "  object: lead\n  feilds: [id]\n  filter: {createdAt: {startAt: 2026-13-01}}\n  window: 40d\n  output: ../x\n",
		importHead + "  object: programMembers\n  source: /etc/passwd\n  programId: \"1\"\n",
		"a: &a [*a]\n",
		"a: &a {b: *a}\n<<: *a\n",
		"? [a]\n: b\n",
		"apiVersion: mkbulk/v1\nkind: Export\nmetadata: {name: x}\nspec:\n  <<: {object: leads}\n  fields: [id, id]\n",
	} {
		f.Add([]byte(s))
	}
}

// FuzzLoad: loading any input never panics, and every diagnostic carries a
// position: the file always, and a line when the input has any.
func FuzzLoad(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "m.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		set, diags := Load(dir)
		if set == nil {
			t.Fatal("Load returned a nil Set")
		}
		hasLines := strings.TrimSpace(string(data)) != ""
		for _, d := range diags {
			if d.Pos.File != "m.yaml" {
				t.Errorf("diagnostic without the file: %q", d)
			}
			if hasLines && (d.Pos.Line < 1 || d.Pos.Col < 1) {
				t.Errorf("diagnostic without a line and column: %q", d)
			}
			if d.Message == "" {
				t.Errorf("diagnostic without a message at %s", d.Pos)
			}
		}
		if !diags.HasErrors() {
			for _, e := range set.Exports {
				if e.Metadata.Name == "" || e.Object == "" || e.Output == "" {
					t.Errorf("valid export is incomplete: %+v", e)
				}
			}
		}
	})
}

// FuzzFormat: formatting never panics; when it succeeds, the result is a
// fixed point and keeps every comment line.
func FuzzFormat(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Format("m.yaml", data)
		if err != nil {
			return
		}
		again, err := Format("m.yaml", out)
		if err != nil {
			t.Fatalf("formatted output does not format: %v\n%s", err, out)
		}
		if string(again) != string(out) {
			t.Errorf("not idempotent:\n--- once\n%s\n--- twice\n%s", out, again)
		}
	})
}
