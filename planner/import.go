package planner

import (
	"fmt"
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// importsCannotBeUndone is said wherever a plan re-imports or forgets an import.
const importsCannotBeUndone = "imported data cannot be undone: rows already sent stay in Marketo"

// formatComma is the field separator of each format (SSV is semicolon,
// as Marketo's import docs define it).
func formatComma(format string) rune {
	switch format {
	case manifest.FormatTSV:
		return '\t'
	case manifest.FormatSSV:
		return ';'
	}
	return ','
}

// planImport validates, pre-flights and chunks one import, and diffs it.
func (pl *planning) planImport(im *manifest.Import) {
	res := im.Address()
	cat := pl.validateImportSpec(im)
	if pl.in.OpenSource == nil {
		pl.diags.Errorf(im.Source.PosOf("spec.source"), "", "source %s cannot be read: no source reader", im.SourcePath)
		return
	}
	f, err := pl.in.OpenSource(im.SourcePath)
	if err != nil {
		pl.diags.Errorf(im.Source.PosOf("spec.source"), "", "source %s cannot be read: %v", im.SourcePath, err)
		return
	}
	defer f.Close()

	maxChunk := int64(MaxChunkBytes)
	if pl.in.ChunkBytes > 0 {
		maxChunk = pl.in.ChunkBytes
	}
	prepare := func(header []string) []columnCheck {
		if cat == nil {
			return nil
		}
		return pl.importHeaderChecks(im, cat, header)
	}
	scan, err := scanSource(f, formatComma(im.Format), maxChunk, prepare)
	if err != nil {
		pl.diags.Errorf(im.Source.PosOf("spec.source"), "", "source %s: %v", im.SourcePath, err)
		return
	}
	pl.sourceDigests[im.SourcePath] = scan.sha256
	switch {
	case scan.parseErr != nil:
		pe := scan.parseErr
		pl.diags.Errorf(manifest.Pos{File: im.SourcePath, Line: pe.Line, Col: pe.Column}, "quote fields holding quotes, separators or newlines, and double quotes inside them",
			"not valid %s: %v", formatName(im.Format), pe.Err)
		return
	case scan.header == nil:
		pl.diags.Errorf(im.Source.PosOf("spec.source"), "", "source %s is empty", im.SourcePath)
		return
	case scan.rows == 0:
		pl.diags.Errorf(im.Source.PosOf("spec.source"), "", "source %s has a header but no rows", im.SourcePath)
		return
	}

	job := pl.resolveImport(im, scan)
	var r *statefile.ImportRecord
	if rec := pl.byResource[res][res]; rec.Kind == statefile.KindImport {
		r = rec.Import
	}
	action, reasons := pl.diffImport(job, r)
	if pl.forcedReplace(res, res) && action != plan.Create {
		action, reasons = plan.Replace, []plan.Reason{replacedByRequest, {Message: importsCannotBeUndone}}
		for i := range job.Chunks {
			job.Chunks[i].Done = false
		}
	}
	if action != plan.NoOp {
		pl.reportRows(im, scan)
	}
	pl.addStep(plan.Step{Address: res, Resource: res, Kind: plan.KindImport, Action: action, Reasons: reasons, Import: job})
}

func formatName(format string) string {
	if format == "" {
		return manifest.FormatCSV
	}
	return format
}

// resolveImport builds the fully resolved import job.
func (pl *planning) resolveImport(im *manifest.Import, scan *sourceScan) *plan.ImportJob {
	job := &plan.ImportJob{
		Object:              im.Object,
		APIName:             im.APIName,
		Source:              im.SourcePath,
		SourceSHA256:        scan.sha256,
		Format:              formatName(im.Format),
		LookupField:         im.LookupField,
		PartitionName:       im.PartitionName,
		ProgramMemberStatus: im.ProgramMemberStatus,
		MaxFailedRows:       im.MaxFailedRows,
		Reports:             im.Reports,
		HeaderLength:        scan.headerLength,
		Chunks:              scan.chunks,
		PreflightFailures:   scan.rejected,
	}
	if im.ListID != nil {
		job.ListID = *im.ListID
	}
	if im.ProgramID != nil {
		job.ProgramID = *im.ProgramID
	}
	if job.Reports == "" {
		job.Reports = ".mkbulk/reports/" + im.Metadata.Name
	}
	job.SpecDigest = importDigest(job, job.SourceSHA256)
	return job
}

// importDigest is the spec digest of an import's parameters with a given
// source content.
func importDigest(job *plan.ImportJob, sourceSHA string) string {
	return sha256JSON(importDigestInput{
		Object:              job.Object,
		APIName:             job.APIName,
		Format:              job.Format,
		LookupField:         job.LookupField,
		ListID:              job.ListID,
		PartitionName:       job.PartitionName,
		ProgramID:           job.ProgramID,
		ProgramMemberStatus: job.ProgramMemberStatus,
		SourceSHA256:        sourceSHA,
	})
}

// diffImport decides what an import needs given its state record.
func (pl *planning) diffImport(job *plan.ImportJob, r *statefile.ImportRecord) (plan.Action, []plan.Reason) {
	if r == nil {
		return plan.Create, []plan.Reason{{Message: "not in state"}}
	}
	sameParams := importDigest(job, r.SourceSHA256) == r.SpecDigest
	if r.SpecDigest == job.SpecDigest && r.Done {
		markDoneChunks(job, r)
		return plan.NoOp, nil
	}
	if sameParams {
		// Same parameters: chunks Marketo already completed with the same
		// bytes are skipped, whether the source grew or an apply stopped.
		done := markDoneChunks(job, r)
		if r.SpecDigest == job.SpecDigest {
			reasons := []plan.Reason{{Message: fmt.Sprintf("an earlier apply stopped: %d of %d chunks imported", done, len(job.Chunks))}}
			for _, c := range r.Chunks {
				if c.Uploading && c.BatchID == 0 {
					reasons = append(reasons, plan.Reason{Message: fmt.Sprintf(
						"chunk %d may have reached Marketo before that apply stopped; it is sent again (imports upsert)", c.Index)})
				}
			}
			return plan.Resume, reasons
		}
	}
	var reasons []plan.Reason
	if r.SourceSHA256 != job.SourceSHA256 {
		reasons = append(reasons, plan.Reason{
			Message:           fmt.Sprintf("source %s changed since it was imported", job.Source),
			Attribute:         "source",
			ForcesReplacement: true,
		})
	}
	if !sameParams {
		reasons = append(reasons, plan.Reason{Message: "import parameters changed", ForcesReplacement: true})
	}
	if n := doneCount(job); n > 0 {
		reasons = append(reasons, plan.Reason{Message: fmt.Sprintf("%d of %d chunks are unchanged and already imported; they are skipped", n, len(job.Chunks))})
	}
	reasons = append(reasons, plan.Reason{Message: importsCannotBeUndone})
	return plan.Replace, reasons
}

// markDoneChunks marks the chunks state records as Complete with the same
// bytes, and returns how many.
func markDoneChunks(job *plan.ImportJob, r *statefile.ImportRecord) int {
	complete := map[string]bool{}
	for _, c := range r.Chunks {
		if strings.EqualFold(c.Status, marketo.ImportComplete) && c.SHA256 != "" {
			complete[c.SHA256] = true
		}
	}
	n := 0
	for i := range job.Chunks {
		if complete[job.Chunks[i].SHA256] {
			job.Chunks[i].Done = true
			n++
		}
	}
	return n
}

func doneCount(job *plan.ImportJob) int {
	n := 0
	for _, c := range job.Chunks {
		if c.Done {
			n++
		}
	}
	return n
}

// reportRows turns the pre-flight's findings into diagnostics: rejected
// rows are errors when there are more than maxFailedRows of them, else
// warnings (those rows are still sent, so Marketo gives its own verdict).
func (pl *planning) reportRows(im *manifest.Import, scan *sourceScan) {
	tooMany := scan.rejected > im.MaxFailedRows
	for _, p := range scan.shownErrors {
		pos := manifest.Pos{File: im.SourcePath, Line: p.line, Col: p.col}
		msg := p.message
		if p.column != "" {
			msg = fmt.Sprintf("column %q (%s): %s", p.column, p.dataType, p.message)
		}
		if tooMany {
			pl.diags.Errorf(pos, "", "%s", msg)
		} else {
			pl.diags.Warnf(pos, "", "%s", msg)
		}
	}
	for _, p := range scan.shownWarnings {
		pl.diags.Warnf(manifest.Pos{File: im.SourcePath, Line: p.line, Col: p.col}, "", "column %q (%s): %s", p.column, p.dataType, p.message)
	}
	pos := im.Source.PosOf("spec.source")
	shown := ""
	if scan.rejected > len(scan.shownErrors) {
		shown = fmt.Sprintf(" (the first %d are listed)", len(scan.shownErrors))
	}
	switch {
	case tooMany:
		pl.diags.Errorf(pos, "fix those rows, or raise spec.maxFailedRows to send them anyway",
			"%d of %d rows of %s would be rejected by Marketo%s; maxFailedRows is %d", scan.rejected, scan.rows, im.SourcePath, shown, im.MaxFailedRows)
	case scan.rejected > 0:
		pl.diags.Warnf(pos, "",
			"%d of %d rows of %s would be rejected by Marketo%s; they are still sent so Marketo gives its own verdict (maxFailedRows: %d)",
			scan.rejected, scan.rows, im.SourcePath, shown, im.MaxFailedRows)
	}
	if scan.warned > 0 {
		pl.diags.Warnf(im.Source.PosOf("spec.source"), "", "%s of %s would import with a warning", rowCount(scan.warned), im.SourcePath)
	}
}

func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}
