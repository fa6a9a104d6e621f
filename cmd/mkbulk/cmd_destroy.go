package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/statefile"
)

// destroyItem is what destroy does to one state record.
type destroyItem struct {
	rec    statefile.Record
	cancel string   // export id of a job that may still hold a queue place
	files  []string // project-relative files removed with -delete-files
}

// cmdDestroy cancels the Marketo jobs state still has running and forgets
// every state record; -delete-files also removes the files mkbulk wrote.
// Imported data stays in Marketo: there is no undo for an import.
func cmdDestroy(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "destroy", "")
	autoApprove := fs.Bool("auto-approve", false, "destroy without asking for confirmation")
	deleteFiles := fs.Bool("delete-files", false, "also delete export outputs, part files and import reports")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "mkbulk destroy takes no arguments (got %q)\n", fs.Args())
		fs.Usage()
		return exitError
	}
	dir, err := e.projectDir()
	if err != nil {
		return e.errorf("%v", err)
	}
	st, err := openStateWith(e, statefile.Options{Operation: "destroy", MustExist: true})
	if errors.Is(err, statefile.ErrNoState) {
		fmt.Fprintln(e.stdout, "No changes. There is no state, so nothing to destroy.")
		return exitOK
	}
	if err != nil {
		return e.errorf("%v", err)
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil {
		return e.errorf("%v", explainStateError(st.Path(), err))
	}
	items := destroyItems(snap, *deleteFiles)
	if len(items) == 0 {
		fmt.Fprintln(e.stdout, "No changes. State is empty, so nothing to destroy.")
		return exitOK
	}
	renderDestroyPlan(e, items, *deleteFiles)
	if !*autoApprove {
		if why := cannotPrompt(e, false); why != "" {
			return e.errorf("mkbulk destroy needs approval, and %s.\nRun mkbulk destroy -auto-approve to destroy without a prompt.", why)
		}
		fmt.Fprint(e.stdout, "\nDo you really want to destroy all resources?\n"+
			"  mkbulk will cancel the Marketo jobs listed above and forget every state entry.\n"+
			"  There is no undo. Imported data in Marketo is not removed.\n"+
			"  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ")
		if !readYes(e.stdin, e.stdout) {
			return e.errorf("Destroy cancelled.")
		}
	}

	var client *marketo.Client
	cancelled, forgotten, deleted, problems := 0, 0, 0, 0
	for _, it := range items {
		if ctx.Err() != nil {
			fmt.Fprintln(e.stderr, "Interrupted: what was destroyed is recorded. Run mkbulk destroy again to finish.")
			return exitInterrupt
		}
		addr := it.rec.Address
		if it.cancel != "" {
			if client == nil {
				if client, err = newClient(e); err != nil {
					return e.errorf("%v", err)
				}
			}
			ex := it.rec.Export
			_, _, err := client.BulkExport.Cancel(ctx, marketo.Object{Kind: ex.Object, APIName: ex.APIName}, it.cancel)
			switch {
			case err == nil:
				cancelled++
				fmt.Fprintf(e.stdout, "%s: Cancelled export job %s\n", addr, it.cancel)
			case marketo.IsNotFound(err):
				fmt.Fprintf(e.stdout, "%s: Export job %s is no longer known to Marketo\n", addr, it.cancel)
			default:
				// It may have finished meanwhile; forgetting it is still right.
				problems++
				fmt.Fprintf(e.stderr, "Warning: %s: could not cancel export job %s: %v\n", addr, it.cancel, err)
			}
		}
		if err := st.Delete(addr); err != nil {
			return e.errorf("%s: %v", addr, err)
		}
		forgotten++
		for _, f := range it.files {
			for _, p := range []string{f, f + ".partial"} {
				err := os.Remove(filepath.Join(dir, filepath.FromSlash(p)))
				switch {
				case err == nil:
					deleted++
					fmt.Fprintf(e.stdout, "%s: Deleted %s\n", addr, p)
				case !errors.Is(err, os.ErrNotExist):
					problems++
					fmt.Fprintf(e.stderr, "Warning: %s: %v\n", addr, err)
				}
			}
		}
	}
	fmt.Fprintf(e.stdout, "\nDestroy complete! %s forgotten, %s cancelled, %s deleted.\n",
		nounCountPlural(forgotten, "state entry"), nounCountPlural(cancelled, "job"), nounCountPlural(deleted, "file"))
	if problems > 0 {
		fmt.Fprintf(e.stderr, "%d warning(s) above: check them; state no longer tracks those entries.\n", problems)
	}
	return exitOK
}

// destroyItems lists the records in address order with what to do.
func destroyItems(snap *statefile.Snapshot, deleteFiles bool) []destroyItem {
	addrs := make([]string, 0, len(snap.Resources))
	for a := range snap.Resources {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	var items []destroyItem
	for _, a := range addrs {
		rec := snap.Resources[a]
		it := destroyItem{rec: rec}
		switch {
		case rec.Export != nil:
			ex := rec.Export
			if ex.ExportID != "" && !ex.Done() && (ex.Status == marketo.StatusQueued || ex.Status == marketo.StatusProcessing ||
				ex.Status == marketo.StatusCreated || ex.Status == "") {
				it.cancel = ex.ExportID
			}
			if deleteFiles && ex.Output != "" {
				it.files = append(it.files, ex.Output)
			}
		case rec.Merge != nil:
			if deleteFiles && rec.Merge.Output != "" {
				it.files = append(it.files, rec.Merge.Output)
			}
		case rec.Import != nil:
			if deleteFiles && rec.Import.Reports != "" {
				it.files = append(it.files, path.Join(rec.Import.Reports, "failures.csv"), path.Join(rec.Import.Reports, "warnings.csv"))
			}
		}
		items = append(items, it)
	}
	return items
}

// renderDestroyPlan shows what destroy will do, Terraform-style.
func renderDestroyPlan(e *env, items []destroyItem, deleteFiles bool) {
	fmt.Fprintln(e.stdout, "mkbulk will perform the following actions:")
	cancels, files, imports := 0, 0, 0
	for _, it := range items {
		var what []string
		if it.cancel != "" {
			cancels++
			what = append(what, "cancel export job "+it.cancel)
		}
		if it.rec.Import != nil {
			imports++
			what = append(what, "imported rows stay in Marketo")
		}
		if len(it.files) > 0 {
			files += len(it.files)
			what = append(what, "delete "+strings.Join(it.files, ", "))
		}
		line := fmt.Sprintf("  - %s will be forgotten", it.rec.Address)
		if len(what) > 0 {
			line += " (" + strings.Join(what, "; ") + ")"
		}
		fmt.Fprintln(e.stdout, line)
	}
	kept := "local files are kept"
	if deleteFiles {
		kept = fmt.Sprintf("up to %s deleted", nounCountPlural(files, "file"))
	}
	fmt.Fprintf(e.stdout, "\nDestroy: %s to forget, %s to cancel, %s.\n",
		nounCountPlural(len(items), "state entry"), nounCountPlural(cancels, "job"), kept)
	if imports > 0 {
		fmt.Fprintln(e.stdout, "Warning: data imported into Marketo cannot be removed by mkbulk.")
	}
}
