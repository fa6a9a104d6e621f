package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mkbulk/mkbulk/manifest"
)

// cmdFmt rewrites manifests in canonical form (manifest.Format): the named
// files, or every manifest in the project directory. Like terraform fmt it
// lists the files it changed; -check only reports (exit 3 when something
// would change), -diff shows what changes.
func cmdFmt(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "fmt", "[FILE ...]   (\"-\" formats stdin to stdout)")
	check := fs.Bool("check", false, "do not write; exit 3 and list the files that are not formatted")
	diff := fs.Bool("diff", false, "print a unified diff of each change")
	list := fs.Bool("list", true, "list the files whose formatting changed (or would change)")
	write := fs.Bool("write", true, "write the result back to the files (-write=false with -diff previews)")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if *check {
		*write = false
	}
	dir, err := e.projectDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	files := fs.Args()
	if len(files) == 1 && files[0] == "-" {
		return fmtStdin(e, *check, *diff)
	}
	if len(files) == 0 {
		if files, err = manifest.ManifestFiles(dir); err != nil {
			return e.errorf("%v", err)
		}
	}

	failed, changed := false, 0
	for _, name := range files {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "Error: %v\n", err)
			failed = true
			continue
		}
		out, err := manifest.Format(filepath.ToSlash(name), src)
		if err != nil {
			printFmtError(e, err)
			failed = true
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		changed++
		if *list {
			fmt.Fprintln(e.stdout, name)
		}
		if *diff {
			fmt.Fprint(e.stdout, unifiedDiff(filepath.ToSlash(name), src, out))
		}
		if *write {
			if err := writeFileAtomic(path, out); err != nil {
				fmt.Fprintf(e.stderr, "Error: %v\n", err)
				failed = true
			}
		}
	}
	switch {
	case failed:
		return exitError
	case *check && changed > 0:
		return exitFmtDiff
	}
	return exitOK
}

// fmtStdin formats stdin to stdout (or only checks/diffs it).
func fmtStdin(e *env, check, diff bool) int {
	src, err := io.ReadAll(e.stdin)
	if err != nil {
		return e.errorf("reading stdin: %v", err)
	}
	out, err := manifest.Format("<stdin>", src)
	if err != nil {
		printFmtError(e, err)
		return exitError
	}
	switch {
	case diff:
		fmt.Fprint(e.stdout, unifiedDiff("<stdin>", src, out))
	case !check:
		e.stdout.Write(out)
	}
	if check && !bytes.Equal(src, out) {
		return exitFmtDiff
	}
	return exitOK
}

func printFmtError(e *env, err error) {
	var ds manifest.Diagnostics
	if errors.As(err, &ds) {
		for _, d := range ds {
			fmt.Fprintln(e.stderr, d.String())
		}
		return
	}
	fmt.Fprintf(e.stderr, "Error: %v\n", err)
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, keeping the file's mode, so an interrupted fmt never
// leaves a half-written manifest.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".fmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
