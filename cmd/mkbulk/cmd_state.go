package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mkbulk/mkbulk/statefile"
)

const stateUsage = `Usage: mkbulk state <subcommand> [flags] [args]

Inspect or edit mkbulk's state (DESIGN.md §3). Subcommands:
  list [ADDR...]      addresses in state, one per line, sorted; ADDR filters
                      (a resource such as export.NAME matches its windows)
  show [-json] ADDR   one record: status, job id, output, size, sha256, window
  rm [-dry-run] ADDR...
                      forget addresses (a resource forgets all its windows).
                      Marketo jobs are not cancelled and local files are kept.
`

// cmdState dispatches `mkbulk state list|show|rm`.
func cmdState(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, stateUsage)
		return exitError
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		return cmdStateList(e, rest)
	case "show":
		return cmdStateShow(e, rest)
	case "rm":
		return cmdStateRm(e, rest)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, stateUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "mkbulk state: unknown subcommand %q\n", sub)
	if s := suggest(sub, []string{"list", "show", "rm"}); s != "" {
		fmt.Fprintf(e.stderr, "\thint: did you mean %q?\n", s)
	}
	fmt.Fprint(e.stderr, stateUsage)
	return exitError
}

func cmdStateList(e *env, args []string) int {
	fs := newFlagSet(e, "state list", "[ADDR...]")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	s, err := openState(e, "state list", true)
	if err != nil {
		return e.errorf("%s", err)
	}
	defer s.Close()
	addrs, err := s.Addresses()
	if err != nil {
		return e.errorf("%s", err)
	}
	filters := fs.Args()
	if len(filters) == 0 {
		for _, a := range addrs {
			fmt.Fprintln(e.stdout, a)
		}
		return exitOK
	}
	matched, unknown := matchAddresses(addrs, filters)
	for _, a := range matched {
		fmt.Fprintln(e.stdout, a)
	}
	if len(unknown) > 0 {
		return e.errorf("%s", unknownAddressesMessage(unknown, addrs))
	}
	return exitOK
}

func cmdStateShow(e *env, args []string) int {
	fs := newFlagSet(e, "state show", "ADDR")
	asJSON := fs.Bool("json", false, "print the record as JSON")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError
	}
	addr := fs.Arg(0)
	s, err := openState(e, "state show", true)
	if err != nil {
		return e.errorf("%s", err)
	}
	defer s.Close()
	rec, found, err := s.Get(addr)
	if err != nil {
		return e.errorf("%s", explainStateError(s.Path(), err))
	}
	if !found {
		addrs, err := s.Addresses()
		if err != nil {
			return e.errorf("%s", err)
		}
		if matched, _ := matchAddresses(addrs, []string{addr}); len(matched) > 0 {
			return e.errorf("%s is a resource with %d addresses in state; show one of them:\n  %s",
				addr, len(matched), strings.Join(matched, "\n  "))
		}
		return e.errorf("%s", unknownAddressesMessage([]string{addr}, addrs))
	}
	if *asJSON {
		b, err := json.MarshalIndent(rec, "", "  ")
		if err != nil {
			return e.errorf("%s", err)
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
		return exitOK
	}
	writeRecord(e.stdout, rec)
	return exitOK
}

func cmdStateRm(e *env, args []string) int {
	fs := newFlagSet(e, "state rm", "ADDR...")
	dryRun := fs.Bool("dry-run", false, "list what would be removed without removing it")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitError
	}
	opts := statefile.Options{Operation: "state rm", MustExist: true, ReadOnly: *dryRun}
	s, err := openStateWith(e, opts)
	if err != nil {
		return e.errorf("%s", err)
	}
	defer s.Close()
	addrs, err := s.Addresses()
	if err != nil {
		return e.errorf("%s", err)
	}
	matched, unknown := matchAddresses(addrs, fs.Args())
	if len(unknown) > 0 {
		// All or nothing: a typo must not leave half the list removed.
		return e.errorf("%s\nNothing was removed.", unknownAddressesMessage(unknown, addrs))
	}
	for _, a := range matched {
		if *dryRun {
			fmt.Fprintf(e.stdout, "Would remove %s\n", a)
			continue
		}
		if err := s.Delete(a); err != nil {
			return e.errorf("%s", err)
		}
		fmt.Fprintf(e.stdout, "Removed %s\n", a)
	}
	verb := "Successfully removed"
	if *dryRun {
		verb = "Would have removed"
	}
	fmt.Fprintf(e.stdout, "%s %d resource instance(s). Marketo jobs were not cancelled and local files were kept.\n", verb, len(matched))
	return exitOK
}

// matchAddresses returns the addresses (sorted, without repeats) that
// equal a filter or belong to a resource a filter names (export.NAME
// matches export.NAME["..."]), and the filters that matched nothing.
func matchAddresses(addrs, filters []string) (matched, unknown []string) {
	seen := map[string]bool{}
	for _, f := range filters {
		n := 0
		for _, a := range addrs {
			if a == f || strings.HasPrefix(a, f+"[") {
				n++
				if !seen[a] {
					seen[a] = true
					matched = append(matched, a)
				}
			}
		}
		if n == 0 {
			unknown = append(unknown, f)
		}
	}
	sort.Strings(matched)
	return matched, unknown
}

// unknownAddressesMessage says which addresses are not in state, with a
// did-you-mean drawn from the addresses and their resources.
func unknownAddressesMessage(unknown, addrs []string) string {
	candidates := append([]string(nil), addrs...)
	for _, a := range addrs {
		if i := strings.IndexByte(a, '['); i > 0 {
			candidates = append(candidates, a[:i])
		}
	}
	var b strings.Builder
	for i, u := range unknown {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "no address %s in state", u)
		if s := suggest(u, candidates); s != "" {
			fmt.Fprintf(&b, " (did you mean %q?)", s)
		}
	}
	if len(addrs) == 0 {
		b.WriteString("\nThe state is empty.")
	} else {
		b.WriteString("\nmkbulk state list shows every address.")
	}
	return b.String()
}

// writeRecord prints one record for people: the facts a user checks when
// asking "what does mkbulk think happened to this job?".
func writeRecord(w io.Writer, rec statefile.Record) {
	fmt.Fprintf(w, "# %s\n", rec.Address)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	line := func(k string, v any) {
		s := fmt.Sprint(v)
		if s == "" || s == "0" || s == "false" {
			return
		}
		fmt.Fprintf(tw, "%s:\t%s\n", k, s)
	}
	line("kind", rec.Kind)
	line("resource", rec.Resource)
	switch {
	case rec.Export != nil:
		writeExportRecord(line, rec.Export)
	case rec.Import != nil:
		writeImportRecord(line, rec.Import)
	case rec.Merge != nil:
		m := rec.Merge
		line("output", m.Output)
		line("size", sizeText(m.Size))
		line("sha256", m.SHA256)
		line("parts", strings.Join(m.Parts, "\n\t"))
	}
	if !rec.UpdatedAt.IsZero() {
		line("updated", rec.UpdatedAt.UTC().Format(time.RFC3339))
	}
	tw.Flush()
}

func writeExportRecord(line func(string, any), x *statefile.ExportRecord) {
	line("status", exportStatusText(x))
	line("object", x.Object)
	line("api name", x.APIName)
	if x.WindowStart != nil && x.WindowEnd != nil {
		line("window", x.WindowStart.UTC().Format(time.RFC3339)+"/"+x.WindowEnd.UTC().Format(time.RFC3339))
	}
	line("export id", x.ExportID)
	line("marketo status", x.Status)
	line("error", x.ErrorMsg)
	line("created at", x.CreatedAt)
	line("queued at", x.QueuedAt)
	line("started at", x.StartedAt)
	line("finished at", x.FinishedAt)
	line("records", x.NumberOfRecords)
	line("output", x.Output)
	line("size", sizeText(x.FileSize))
	line("checksum", x.FileChecksum)
	line("sha256", x.SHA256)
	if !x.Done() {
		line("downloaded", sizeText(x.DownloadedBytes))
	}
	line("format", x.Format)
	line("fields", strings.Join(x.Fields, ", "))
	line("spec digest", x.SpecDigest)
}

// exportStatusText is the one-line answer to "is this window done?".
func exportStatusText(x *statefile.ExportRecord) string {
	switch {
	case x.Done():
		return "downloaded and verified"
	case x.ExportID == "":
		return "not created"
	case x.Status == "Completed":
		return "completed on Marketo, not yet downloaded"
	case x.Status != "":
		return strings.ToLower(x.Status) + " on Marketo"
	case x.Enqueued:
		return "enqueued"
	}
	return "created, not enqueued"
}

func writeImportRecord(line func(string, any), x *statefile.ImportRecord) {
	status := "in progress"
	if x.Done {
		status = "done"
	}
	line("status", status)
	line("object", x.Object)
	line("source", x.Source)
	line("source sha256", x.SourceSHA256)
	line("rows processed", x.Processed)
	line("rows failed", x.Failed)
	line("rows with warnings", x.Warnings)
	line("reports", x.Reports)
	for _, c := range x.Chunks {
		var parts []string
		if c.BatchID != 0 {
			parts = append(parts, fmt.Sprintf("batch %d", c.BatchID))
		} else if c.Uploading {
			parts = append(parts, "upload started, no batch id recorded")
		} else {
			parts = append(parts, "not uploaded")
		}
		if c.Status != "" {
			parts = append(parts, c.Status)
		}
		if c.BatchID != 0 {
			parts = append(parts, fmt.Sprintf("%d processed, %d failed, %d warnings", c.Processed, c.Failed, c.Warnings))
		}
		if c.Message != "" {
			parts = append(parts, c.Message)
		}
		parts = append(parts, "sha256 "+c.SHA256)
		line(fmt.Sprintf("chunk %d", c.Index), strings.Join(parts, ", "))
	}
	line("spec digest", x.SpecDigest)
}

// sizeText is "N bytes" with a binary-unit reading for large sizes.
func sizeText(n int64) string {
	if n <= 0 {
		return ""
	}
	s := fmt.Sprintf("%d bytes", n)
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	v, u := float64(n), ""
	for _, unit := range units {
		if v < 1024 {
			break
		}
		v /= 1024
		u = unit
	}
	if u != "" {
		s += fmt.Sprintf(" (%.1f %s)", v, u)
	}
	return s
}
