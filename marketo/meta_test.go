package marketo

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMetaOperations keeps the doc comments honest: every exported method
// of a service that makes a call names its operation(s) in a
// "//meta:operation METHOD /path" line, so the sandbox's coverage of what
// the client uses can be checked mechanically.
func TestMetaOperations(t *testing.T) {
	// Helpers that only combine other methods.
	helpers := map[string]bool{"DescribeService.Object": true, "BulkExportService.ListAll": true}
	services := map[string]bool{"IdentityService": true, "DescribeService": true, "BulkExportService": true, "BulkImportService": true}
	opLine := regexp.MustCompile(`^//meta:operation (GET|POST) /(identity|rest/v1|bulk/v1)/[A-Za-z0-9_{}/.]+$`)

	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv := star.X.(*ast.Ident).Name
			key := recv + "." + fn.Name.Name
			if !services[recv] || helpers[key] {
				continue
			}
			seen++
			ops := 0
			if fn.Doc != nil {
				for _, c := range fn.Doc.List {
					if strings.HasPrefix(c.Text, "//meta:operation") {
						if !opLine.MatchString(c.Text) {
							t.Errorf("%s: malformed %q", key, c.Text)
						}
						ops++
					}
				}
				if !strings.HasPrefix(fn.Doc.Text(), fn.Name.Name+" ") {
					t.Errorf("%s: doc comment does not start with the method name", key)
				}
			}
			if ops == 0 {
				t.Errorf("%s has no //meta:operation line", key)
			}
		}
	}
	if seen < 15 {
		t.Errorf("checked only %d service methods", seen)
	}
}
