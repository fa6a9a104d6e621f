package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/sandbox"
	"github.com/mkbulk/mkbulk/statefile"
)

const staleManifest = `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads
spec:
  object: leads
  fields: [email, firstName]
  filter:
    staticListId: 1
  output: out/leads.csv
---
apiVersion: mkbulk/v1
kind: Import
metadata:
  name: contacts
spec:
  object: leads
  source: contacts.csv
`

// startSandbox serves an in-process sandbox for a Go test and returns an
// env pointing mkbulk at it, with dir as the project directory.
func startSandbox(t testing.TB, dir string) *env {
	t.Helper()
	s, err := sandbox.New(sandbox.Config{Seed: 1, Leads: 500, TimeScale: 60})
	if err != nil {
		t.Fatal(err)
	}
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	vars := map[string]string{
		"MARKETO_ENDPOINT":      url,
		"MARKETO_CLIENT_ID":     "sandbox",
		"MARKETO_CLIENT_SECRET": "sandbox-secret",
	}
	return &env{
		stdin:  strings.NewReader(""),
		stdout: &bytes.Buffer{},
		stderr: &bytes.Buffer{},
		getenv: func(k string) string { return vars[k] },
		globals: globals{
			chdir: dir,
			input: false,
		},
	}
}

func writeFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckPlanStale saves a plan, changes one of its inputs, and expects
// checkPlanStale to refuse it naming that input.
func TestCheckPlanStale(t *testing.T) {
	tests := map[string]struct {
		change func(t *testing.T, dir string, st **statefile.State, p *plan.Plan)
		want   string
	}{
		"nothing changed": {
			change: func(*testing.T, string, **statefile.State, *plan.Plan) {},
		},
		"state written": {
			change: func(t *testing.T, dir string, st **statefile.State, p *plan.Plan) {
				rec := statefile.Record{Version: statefile.RecordVersion, Address: "export.other", Resource: "export.other",
					Kind: statefile.KindExport, Export: &statefile.ExportRecord{Object: "leads"}}
				if err := (*st).Put(rec); err != nil {
					t.Fatal(err)
				}
			},
			want: "saved plan is stale: state changed since the plan was made",
		},
		"another state": {
			change: func(t *testing.T, dir string, st **statefile.State, p *plan.Plan) {
				(*st).Close()
				path := filepath.Join(dir, ".mkbulk", "state.db")
				os.Remove(path)
				s, err := statefile.Open(path, statefile.Options{Operation: "test"})
				if err != nil {
					t.Fatal(err)
				}
				*st = s
			},
			want: "saved plan is stale: state lineage differs",
		},
		"manifest edited": {
			change: func(t *testing.T, dir string, st **statefile.State, p *plan.Plan) {
				writeFile(t, filepath.Join(dir, "leads.yaml"), strings.Replace(staleManifest, "firstName", "lastName", 1))
			},
			want: "saved plan is stale: manifests changed since the plan was made: leads.yaml",
		},
		"import source edited": {
			change: func(t *testing.T, dir string, st **statefile.State, p *plan.Plan) {
				writeFile(t, filepath.Join(dir, "contacts.csv"), "email\nada@example.com\ngrace@example.com\n")
			},
			want: "saved plan is stale: import source changed since the plan was made: contacts.csv",
		},
		"describe changed": {
			change: func(t *testing.T, dir string, st **statefile.State, p *plan.Plan) {
				p.DescribeFingerprint = "describe output of another day"
			},
			want: "saved plan is stale: Marketo schema changed since the plan was made",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "leads.yaml"), staleManifest)
			writeFile(t, filepath.Join(dir, "contacts.csv"), "email\nada@example.com\n")
			e := startSandbox(t, dir)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()

			st, err := openState(e, "apply", false)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { st.Close() }()
			p, diags, err := buildPlan(ctx, e, st, planOptions{})
			if err != nil || diags.HasErrors() {
				t.Fatalf("buildPlan: %v %v", err, diags)
			}
			// Through the codec, as apply FILE would read it.
			var buf bytes.Buffer
			if err := plan.Write(&buf, p); err != nil {
				t.Fatal(err)
			}
			if p, err = plan.Read(&buf); err != nil {
				t.Fatal(err)
			}

			tt.change(t, dir, &st, p)
			err = checkPlanStale(ctx, e, st, p)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("checkPlanStale = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Fatalf("checkPlanStale = %v, want %q", err, tt.want)
			}
		})
	}
}
