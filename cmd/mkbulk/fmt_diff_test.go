package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUnifiedDiffMatchesDiffU compares with the output of GNU `diff -u`
// on the same texts (recorded below, timestamps left out).
func TestUnifiedDiffMatchesDiffU(t *testing.T) {
	var a, b []string
	for i := 1; i <= 30; i++ {
		a = append(a, fmt.Sprintf("line %d", i))
	}
	b = append(b, a...)
	b[1] = "line two"
	b = append(b[:10], b[11:]...)
	b = append(b[:20], append([]string{"inserted"}, b[20:]...)...)
	b[len(b)-1] = "last changed"
	got := unifiedDiff("f.yaml", []byte(strings.Join(a, "\n")+"\n"), []byte(strings.Join(b, "\n")+"\n"))
	want := `--- a/f.yaml
+++ b/f.yaml
@@ -1,5 +1,5 @@
 line 1
-line 2
+line two
 line 3
 line 4
 line 5
@@ -8,7 +8,6 @@
 line 8
 line 9
 line 10
-line 11
 line 12
 line 13
 line 14
@@ -19,6 +18,7 @@
 line 19
 line 20
 line 21
+inserted
 line 22
 line 23
 line 24
@@ -27,4 +27,4 @@
 line 27
 line 28
 line 29
-line 30
+last changed
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unifiedDiff mismatch (-want +got):\n%s", diff)
	}
	if d := unifiedDiff("f.yaml", []byte("same\n"), []byte("same\n")); d != "" {
		t.Errorf("diff of equal texts = %q, want empty", d)
	}
	if got, want := unifiedDiff("e", nil, []byte("a\n")), "--- a/e\n+++ b/e\n@@ -0,0 +1 @@\n+a\n"; got != want {
		t.Errorf("diff from empty = %q, want %q", got, want)
	}
}
