package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
)

// validateResult is `mkbulk validate -json` output.
type validateResult struct {
	Valid       bool                 `json:"valid"`
	Manifests   int                  `json:"manifests"`
	Exports     int                  `json:"exports"`
	Imports     int                  `json:"imports"`
	Diagnostics manifest.Diagnostics `json:"diagnostics"`
}

// cmdValidate checks every manifest of the project offline (schema and
// rules); -online adds the checks that need Marketo's describe output.
func cmdValidate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "validate", "")
	jsonOut := fs.Bool("json", false, "print the result as JSON on stdout")
	online := fs.Bool("online", false, "also check fields, filters and import columns against Marketo's describe output")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "mkbulk validate takes no arguments; it checks every manifest in the project directory (-chdir=DIR)\n")
		fs.Usage()
		return exitError
	}
	dir, err := e.projectDir()
	if err != nil {
		return e.errorf("%v", err)
	}

	set, diags := manifest.Load(dir)
	if len(set.Files) == 0 && len(diags) == 0 {
		diags = append(diags, manifest.Diagnostic{Severity: manifest.Error,
			Message: fmt.Sprintf("no manifests (*.yaml, *.yml) in %s", dir),
			Hint:    "run mkbulk init for starter manifests, or point -chdir at your project"})
	}
	if *online && !diags.HasErrors() {
		more, err := validateOnline(ctx, e, set)
		if err != nil {
			return e.errorf("validate -online: %v", err)
		}
		diags = append(diags, more...)
		diags.Sort()
	}

	res := validateResult{
		Valid:       !diags.HasErrors(),
		Manifests:   len(set.Exports) + len(set.Imports),
		Exports:     len(set.Exports),
		Imports:     len(set.Imports),
		Diagnostics: diags,
	}
	if res.Diagnostics == nil {
		res.Diagnostics = manifest.Diagnostics{}
	}
	if *jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return e.errorf("%v", err)
		}
	} else {
		printValidation(e, res)
	}
	if !res.Valid {
		return exitError
	}
	return exitOK
}

// printValidation prints problems to stderr as file:line:col: message (with
// hints), then one summary line.
func printValidation(e *env, res validateResult) {
	errs, warns := 0, 0
	for _, d := range res.Diagnostics {
		fmt.Fprintln(e.stderr, d.String())
		if d.Severity == manifest.Warning {
			warns++
		} else {
			errs++
		}
	}
	if errs > 0 {
		fmt.Fprintf(e.stderr, "\nValidation failed: %s.\n", counts(errs, warns))
		return
	}
	noun := "manifests are"
	if res.Manifests == 1 {
		noun = "manifest is"
	}
	line := fmt.Sprintf("Success! %d %s valid (%s, %s)", res.Manifests, noun,
		plural(res.Exports, "export"), plural(res.Imports, "import"))
	if warns > 0 {
		line += ", with " + plural(warns, "warning")
	}
	fmt.Fprintln(e.stdout, line+".")
}

func counts(errs, warns int) string {
	parts := []string{plural(errs, "error")}
	if warns > 0 {
		parts = append(parts, plural(warns, "warning"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
