package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/manifest"
)

// Exit codes shared by all commands.
const (
	exitOK        = 0
	exitError     = 1
	exitChanges   = 2   // plan -detailed-exitcode: changes present
	exitFmtDiff   = 3   // fmt -check: files would change
	exitInterrupt = 130 // first Ctrl-C: stopped cleanly
)

// env is everything a command may touch of the outside world. Only this
// package reads os.Args, the environment and the standard streams, and it
// passes them down through env so commands are testable in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	globals globals
}

// globals are the flags accepted before the command name (DESIGN.md §8).
type globals struct {
	chdir       string
	state       string
	lockTimeout time.Duration
	noColor     bool
	input       bool
}

// command is one subcommand. run receives the arguments after the command
// name and returns the process exit code.
type command struct {
	name     string
	synopsis string
	run      func(ctx context.Context, e *env, args []string) int
}

// commands is the dispatch table, in the order `mkbulk -help` lists them.
var commands = []command{
	{"init", "write starter manifests and a .gitignore for .mkbulk/", cmdInit},
	{"validate", "check manifests offline (-json); -online adds describe checks", cmdValidate},
	{"fmt", "rewrite manifests in canonical form, comments kept (-check, -diff)", cmdFmt},
	{"plan", "show what apply would do (-out, -json, -markdown, -detailed-exitcode)", cmdPlan},
	{"apply", "run a plan against Marketo (-auto-approve, -json, -parallelism)", cmdApply},
	{"show", "render a saved plan, or summarise state (-json, -markdown)", cmdShow},
	{"destroy", "cancel in-flight jobs and forget state (-delete-files)", cmdDestroy},
	{"state", "inspect or edit state: list, show ADDR, rm ADDR", cmdState},
	{"force-unlock", "remove a stale state lock: force-unlock ID", cmdForceUnlock},
	{"describe", "live describe output for an object as a table (-json)", cmdDescribe},
	{"schema", "print the manifest JSON Schema for editors", cmdSchema},
	{"sandbox", "run the local Marketo-compatible server", cmdSandbox},
	{"version", "print the mkbulk version", cmdVersion},
}

// run parses the global flags, dispatches to a command and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("mkbulk", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.globals.chdir, "chdir", "", "switch to `DIR` before doing anything")
	fs.StringVar(&e.globals.state, "state", "", "state file `PATH` (default .mkbulk/state.db)")
	fs.DurationVar(&e.globals.lockTimeout, "lock-timeout", 0, "how long to wait for the state lock")
	fs.BoolVar(&e.globals.noColor, "no-color", false, "disable colour in output")
	fs.BoolVar(&e.globals.input, "input", true, "ask for input when needed (-input=false never prompts)")
	fs.Usage = func() { usage(e.stderr, fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if e.getenv("MKBULK_INPUT") == "false" || e.getenv("MKBULK_INPUT") == "0" {
		e.globals.input = false
	}
	rest := fs.Args()
	if len(rest) == 0 {
		usage(e.stderr, fs)
		return exitError
	}
	name := rest[0]
	if name == "help" {
		usage(e.stdout, fs)
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, e, rest[1:])
		}
	}
	fmt.Fprintf(e.stderr, "mkbulk: unknown command %q\n", name)
	if s := suggest(name, commandNames()); s != "" {
		fmt.Fprintf(e.stderr, "\thint: did you mean %q?\n", s)
	}
	fmt.Fprintln(e.stderr, "Run 'mkbulk help' for the list of commands.")
	return exitError
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: mkbulk [global flags] COMMAND [flags] [args]\n\n")
	fmt.Fprintf(w, "mkbulk declares Marketo bulk exports and imports in YAML, plans them against\nMarketo's describe output and a state file, and applies them within Marketo's limits.\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.synopsis)
	}
	fmt.Fprintf(w, "\nGlobal flags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// newFlagSet makes a command's flag set: errors and -help go to stderr and
// usage is printed only for usage errors.
func newFlagSet(e *env, name, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet("mkbulk "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mkbulk %s [flags] %s\n", name, argsUsage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and reports whether the command should go on; on
// false, code is the exit code to return.
func parseFlags(fs *flag.FlagSet, args []string) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, exitOK
		}
		return false, exitError
	}
	return true, exitOK
}

// projectDir is the absolute project directory (-chdir, else the working directory).
func (e *env) projectDir() (string, error) {
	dir := e.globals.chdir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		return wd, nil
	}
	return filepath.Abs(dir)
}

// statePath is the state file path (-state, else .mkbulk/state.db under the project).
func (e *env) statePath() (string, error) {
	dir, err := e.projectDir()
	if err != nil {
		return "", err
	}
	if e.globals.state == "" {
		return filepath.Join(dir, ".mkbulk", "state.db"), nil
	}
	if filepath.IsAbs(e.globals.state) {
		return e.globals.state, nil
	}
	return filepath.Join(dir, e.globals.state), nil
}

// errorf prints "Error: ..." to stderr and returns exitError.
func (e *env) errorf(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(e.stderr, "Error: %s\n", strings.TrimRight(msg, "\n"))
	return exitError
}

// suggest returns the candidate closest to s when it is a likely typo, the
// same did-you-mean rule manifests use.
func suggest(s string, candidates []string) string { return manifest.Suggest(s, candidates) }
