package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// starterFiles are what `mkbulk init` writes, in order. They validate as
// written and run against the sandbox (`mkbulk sandbox`).
var starterFiles = []struct{ name, body string }{
	{"exports.yaml", starterExports},
	{"imports.yaml", starterImports},
	{"data/leads.csv", starterLeadsCSV},
}

const starterExports = `# Bulk exports: each document is one Marketo bulk extract. Run
#   mkbulk validate   to check this file offline,
#   mkbulk plan       to see which jobs would run,
#   mkbulk apply      to run them.

apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads-january # unique among exports; it is the state address export.leads-january
spec:
  object: leads # leads, activities, programMembers or customObject
  fields: [id, email, firstName, lastName, company, createdAt]
  columnHeaderNames:
    email: Email Address # optional: rename a column in the file
  filter:
    # Leads take exactly one filter: createdAt, updatedAt, staticListId,
    # staticListName, smartListId or smartListName.
    createdAt:
      startAt: 2026-01-01T00:00:00Z
      endAt: 2026-01-31T23:59:59Z
  window: 31d # longest date range per Marketo job (at most 31d)
  output: out/leads-january.csv # no {window} in the name: windows are merged into one file
`

const starterImports = `# Bulk imports: each document uploads one file with Marketo's bulk import
# API. The file's first row names the lead fields of each column.

apiVersion: mkbulk/v1
kind: Import
metadata:
  name: starter-leads # unique among imports; state address import.starter-leads
spec:
  object: leads
  source: data/leads.csv # relative to this manifest
  lookupField: email # the field Marketo matches existing leads on
  maxFailedRows: 0 # apply fails if Marketo rejects more rows than this
`

const starterLeadsCSV = `email,firstName,lastName,company
ada.lovelace@example.com,Ada,Lovelace,Analytical Engines
grace.hopper@example.com,Grace,Hopper,Compilers Inc
alan.turing@example.com,Alan,Turing,Bletchley Labs
`

// gitignoreLine keeps mkbulk's state, parts and reports out of version
// control.
const gitignoreLine = ".mkbulk/"

// cmdInit writes starter manifests, a sample CSV and a .gitignore entry for
// .mkbulk/. It never overwrites a file: if any starter file exists, it
// writes nothing and names it. An existing .gitignore is kept and gets the
// .mkbulk/ line appended when it lacks one.
func cmdInit(ctx context.Context, e *env, args []string) int {
	flags := newFlagSet(e, "init", "")
	if ok, code := parseFlags(flags, args); !ok {
		return code
	}
	if flags.NArg() > 0 {
		fmt.Fprintln(e.stderr, "mkbulk init takes no arguments; use -chdir=DIR to initialise another directory")
		return exitError
	}
	dir, err := e.projectDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	for _, f := range starterFiles {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.name))); err == nil {
			return e.errorf("%s already exists; mkbulk init never overwrites files (move it away or edit it)", f.name)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return e.errorf("%v", err)
		}
	}
	var written []string
	for _, f := range starterFiles {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return e.errorf("%v", err)
		}
		// O_EXCL: a file that appeared since the check is still not overwritten.
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return e.errorf("%v", err)
		}
		_, werr := fh.WriteString(f.body)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return e.errorf("%v", werr)
		}
		written = append(written, f.name)
	}
	note, err := ensureGitignore(dir)
	if err != nil {
		return e.errorf("%v", err)
	}
	if note != "" {
		written = append(written, note)
	}
	fmt.Fprintf(e.stdout, "Created %s.\n\n", strings.Join(written, ", "))
	fmt.Fprintln(e.stdout, "Next: edit the manifests, then run")
	fmt.Fprintln(e.stdout, "  mkbulk validate")
	fmt.Fprintln(e.stdout, "  mkbulk plan")
	fmt.Fprintln(e.stdout, "Try it without a Marketo account: mkbulk sandbox (see README.md).")
	return exitOK
}

// ensureGitignore makes .gitignore ignore .mkbulk/, creating the file or
// appending one line; it returns what it did for the summary, or "" when
// nothing was needed.
func ensureGitignore(dir string) (string, error) {
	path := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ".gitignore", os.WriteFile(path, []byte("# mkbulk state, window parts and import reports\n"+gitignoreLine+"\n"), 0o644)
	case err != nil:
		return "", err
	}
	for _, l := range strings.Split(string(old), "\n") {
		if t := strings.TrimSpace(l); t == gitignoreLine || t == "/"+gitignoreLine || t == ".mkbulk" || t == "/.mkbulk" {
			return "", nil
		}
	}
	add := gitignoreLine + "\n"
	if len(old) > 0 && !strings.HasSuffix(string(old), "\n") {
		add = "\n" + add
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return "", err
	}
	_, werr := fh.WriteString(add)
	if cerr := fh.Close(); werr == nil {
		werr = cerr
	}
	return ".mkbulk/ added to .gitignore", werr
}
