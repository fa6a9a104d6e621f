package manifest

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestFormatGolden formats testdata/fmt/*.in.yaml and compares with the
// matching .golden.yaml (go test -run TestFormatGolden -update rewrites
// them). Every golden must be a fixed point and keep every comment.
func TestFormatGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/fmt/*.in.yaml")
	if len(ins) == 0 {
		t.Fatal("no testdata/fmt/*.in.yaml")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Format(name+".yaml", src)
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			golden := strings.TrimSuffix(in, ".in.yaml") + ".golden.yaml"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Format mismatch (-want +got):\n%s", diff)
			}
			again, err := Format(name+".yaml", got)
			if err != nil || string(again) != string(got) {
				t.Errorf("Format is not idempotent (err %v):\n%s", err, cmp.Diff(string(got), string(again)))
			}
			if diff := cmp.Diff(commentLines(src), commentLines(got)); diff != "" {
				t.Errorf("comments changed (-in +out):\n%s", diff)
			}
		})
	}
}

// TestFormatKeepsExamplesAsTheyAre: the shipped examples are canonical, so
// `mkbulk fmt -check` passes on them.
func TestFormatKeepsExamplesAsTheyAre(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	if len(files) == 0 {
		t.Skip("no examples")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Format(f, src)
		if err != nil {
			t.Fatalf("Format(%s): %v", f, err)
		}
		if diff := cmp.Diff(string(src), string(got)); diff != "" {
			t.Errorf("%s is not canonical (-file +formatted):\n%s", f, diff)
		}
	}
}

func TestFormatSyntaxErrorLeavesFileAlone(t *testing.T) {
	src := []byte("apiVersion: mkbulk/v1\nspec:\n  object: leads\n fields: [a]\n")
	got, err := Format("bad.yaml", src)
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds) != 1 {
		t.Fatalf("Format error = %v, want one diagnostic", err)
	}
	if want := "bad.yaml:4:2"; ds[0].Pos.String() != want {
		t.Errorf("position = %s, want %s", ds[0].Pos, want)
	}
	if string(got) != string(src) {
		t.Errorf("Format changed a file it could not parse")
	}
}

func TestFormatEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n"} {
		got, err := Format("e.yaml", []byte(src))
		if err != nil || string(got) != src {
			t.Errorf("Format(%q) = %q, %v; want it unchanged", src, got, err)
		}
	}
}

func TestCommentLines(t *testing.T) {
	got := commentLines([]byte("a: 1 # inline\n  # b\n# a\nc: '#not'\n"))
	if want := []string{"# a", "# b"}; !slices.Equal(got, want) {
		t.Errorf("commentLines = %q, want %q", got, want)
	}
}
