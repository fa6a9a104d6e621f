package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/planner"
	"github.com/mkbulk/mkbulk/statefile"
)

// stateSummaryJSON is `show -json` without a plan file.
type stateSummaryJSON struct {
	FormatVersion string              `json:"format_version"`
	Lineage       string              `json:"lineage"`
	Serial        uint64              `json:"serial"`
	MkbulkVersion string              `json:"mkbulk_version,omitempty"`
	Resources     []stateResourceJSON `json:"resources"`
	Ledger        map[string]int64    `json:"ledger,omitempty"`
	Quota         *plan.Quota         `json:"quota,omitempty"`
}

type stateResourceJSON struct {
	Address  string `json:"address"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Output   string `json:"output,omitempty"`
	Size     int64  `json:"size,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	ExportID string `json:"exportId,omitempty"`
	Rows     int64  `json:"rows,omitempty"`
	// Detail is a human note: chunk progress, failure counts, errors.
	Detail string `json:"detail,omitempty"`
}

// summarizeState turns a snapshot into the rows show prints.
func summarizeState(snap *statefile.Snapshot) stateSummaryJSON {
	now := time.Now()
	sum := stateSummaryJSON{
		FormatVersion: jsonPlanFormatVersion,
		Lineage:       snap.Lineage,
		Serial:        snap.Serial,
		MkbulkVersion: snap.MkbulkVersion,
		Resources:     []stateResourceJSON{},
		Ledger:        snap.Ledger,
		Quota: &plan.Quota{
			UsedBytes:  snap.Ledger[planner.QuotaDay(now)],
			LimitBytes: planner.DefaultQuotaBytes,
			ResetsAt:   planner.QuotaResetsAt(now),
		},
	}
	for addr, rec := range snap.Resources {
		sum.Resources = append(sum.Resources, resourceRow(addr, rec))
	}
	sort.Slice(sum.Resources, func(i, j int) bool { return sum.Resources[i].Address < sum.Resources[j].Address })
	return sum
}

func resourceRow(addr string, rec statefile.Record) stateResourceJSON {
	row := stateResourceJSON{Address: addr, Kind: rec.Kind}
	switch {
	case rec.Export != nil:
		x := rec.Export
		row.Output, row.Size, row.SHA256, row.ExportID, row.Rows = x.Output, x.FileSize, x.SHA256, x.ExportID, x.NumberOfRecords
		switch {
		case x.Done():
			row.Status = "downloaded"
		case x.ExportID == "":
			row.Status = "not created"
		case strings.EqualFold(x.Status, marketo.StatusCompleted):
			row.Status = "completed, not downloaded"
			if x.DownloadedBytes > 0 {
				row.Detail = fmt.Sprintf("%s of %s downloaded", megabytes(x.DownloadedBytes), megabytes(x.FileSize))
			}
		case x.Status != "":
			row.Status = x.Status
		default:
			row.Status = "created"
		}
		if x.ErrorMsg != "" {
			row.Detail = x.ErrorMsg
		}
	case rec.Merge != nil:
		m := rec.Merge
		row.Status, row.Output, row.Size, row.SHA256 = "merged", m.Output, m.Size, m.SHA256
		row.Detail = nounCount(len(m.Parts), "window")
	case rec.Import != nil:
		im := rec.Import
		complete := 0
		for _, c := range im.Chunks {
			if strings.EqualFold(c.Status, marketo.ImportComplete) {
				complete++
			}
		}
		row.Status = "importing"
		if im.Done {
			row.Status = "imported"
		}
		row.Output, row.Rows = im.Source, im.Processed
		row.Detail = fmt.Sprintf("%d/%d chunks complete, %d rows processed, %d failed, %d with warnings",
			complete, len(im.Chunks), im.Processed, im.Failed, im.Warnings)
	default:
		row.Status = "unknown record"
	}
	return row
}

// renderStateText prints the state summary as a table.
func renderStateText(w io.Writer, sum stateSummaryJSON, path string) {
	fmt.Fprintf(w, "State: %s (lineage %s, serial %d)\n\n", path, sum.Lineage, sum.Serial)
	if len(sum.Resources) == 0 {
		fmt.Fprintln(w, "No resources in state.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ADDRESS\tSTATUS\tFILE\tSIZE\tDETAIL")
		for _, r := range sum.Resources {
			size := ""
			if r.Size > 0 {
				size = megabytes(r.Size)
			}
			detail := r.Detail
			if r.SHA256 != "" {
				detail = strings.TrimSpace("sha256 " + r.SHA256[:min(12, len(r.SHA256))] + "… " + detail)
			} else if r.ExportID != "" {
				detail = strings.TrimSpace("job " + r.ExportID + " " + detail)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Address, r.Status, r.Output, size, detail)
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, quotaLine(sum.Quota))
	if len(sum.Ledger) > 0 {
		fmt.Fprintln(w, "Exported per day (America/Chicago):")
		days := make([]string, 0, len(sum.Ledger))
		for d := range sum.Ledger {
			days = append(days, d)
		}
		sort.Strings(days)
		for _, d := range days {
			fmt.Fprintf(w, "  %s  %s\n", d, megabytes(sum.Ledger[d]))
		}
	}
}

// renderStateMarkdown prints the state summary as a Markdown table.
func renderStateMarkdown(w io.Writer, sum stateSummaryJSON) {
	fmt.Fprintf(w, "### mkbulk state (serial %d)\n\n", sum.Serial)
	fmt.Fprintln(w, "| address | status | file | size |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range sum.Resources {
		size := ""
		if r.Size > 0 {
			size = megabytes(r.Size)
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", r.Address, mdCell(r.Status), mdCell(r.Output), size)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, quotaLine(sum.Quota))
}

// writeJSON prints v indented and returns the exit code.
func writeJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return e.errorf("%v", err)
	}
	return exitOK
}
