package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mkbulk/mkbulk/plan"
)

// forget drops a removed manifest's state record. Files stay, and a job
// still running on Marketo is left to finish there: the plan said so, and
// forget never calls Marketo (mkbulk destroy cancels jobs).
func (r *runner) forget(st *plan.Step) {
	r.obs.Observe(StepStarted{Address: st.Address, Kind: st.Kind, Action: st.Action})
	if r.deleteRecord(st.Address) != nil {
		return
	}
	summary := "forgotten; local files kept"
	if st.Kind == plan.KindImport {
		summary += "; data already imported into Marketo stays there"
	}
	r.res.applied(st, summary)
}

// update applies a local-only change: the output moved. The file is moved
// (or found already at its new place) and the record follows; Marketo is
// not called.
func (r *runner) update(st *plan.Step) {
	r.obs.Observe(StepStarted{Address: st.Address, Kind: st.Kind, Action: st.Action})
	rec, ok := r.record(st.Address)
	if !ok {
		r.res.failed(st, Failure{Message: "no state record to update; make the plan again"})
		return
	}
	var err error
	var summary string
	switch {
	case rec.Export != nil && st.Export != nil:
		e := *rec.Export
		rec.Export = &e
		from := st.Export.PreviousOutput
		if from == "" {
			from = e.Output
		}
		summary, err = r.moveVerified(from, st.Export.Output, e.SHA256)
		e.Output = st.Export.Output
		e.SpecDigest = st.Export.SpecDigest
	case rec.Merge != nil:
		m := *rec.Merge
		rec.Merge = &m
		to := m.Output
		for _, pm := range r.plan.Merges {
			if pm.Resource == rec.Resource {
				to = pm.Output
			}
		}
		if st.Export != nil && st.Export.Output != "" && to == m.Output {
			to = st.Export.Output
		}
		summary, err = r.moveVerified(m.Output, to, m.SHA256)
		m.Output = to
	case rec.Import != nil && st.Import != nil:
		im := *rec.Import
		rec.Import = &im
		summary = "reports now go to " + st.Import.Reports
		for _, name := range []string{failuresFile, warningsFile} {
			from, to := filepath.Join(im.Reports, name), filepath.Join(st.Import.Reports, name)
			if im.Reports != "" && im.Reports != st.Import.Reports {
				if _, e := r.moveVerified(from, to, ""); e != nil && !errors.Is(e, os.ErrNotExist) {
					err = e
				}
			}
		}
		im.Reports = st.Import.Reports
		im.SpecDigest = st.Import.SpecDigest
	default:
		err = fmt.Errorf("state record of kind %q cannot be updated by this plan step", rec.Kind)
	}
	if err != nil {
		r.res.failed(st, failureOf(err))
		return
	}
	if r.put(rec) != nil {
		return
	}
	r.updated[st.Address] = rec
	r.res.applied(st, summary)
}

// moveVerified moves a file from one project path to another. When the
// destination already holds a file with the wanted sha256 (a user moved it
// by hand), nothing is moved.
func (r *runner) moveVerified(from, to, sha string) (string, error) {
	if from == to {
		return "no file to move", nil
	}
	src, dst := r.abs(from), r.abs(to)
	if sha != "" {
		if got, err := FileSHA256(dst); err == nil && got == sha {
			return fmt.Sprintf("%s already in place (sha256 verified)", to), nil
		}
	}
	if sha != "" {
		got, err := FileSHA256(src)
		if err != nil {
			return "", fmt.Errorf("moving %s to %s: %w", from, to, err)
		}
		if got != sha {
			return "", fmt.Errorf("moving %s to %s: the file changed since it was exported (sha256 %s, state has %s); plan again to re-export it", from, to, got[:12], sha[:min(12, len(sha))])
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(src, dst); err != nil {
		return "", err
	}
	syncDir(filepath.Dir(dst))
	return fmt.Sprintf("moved %s → %s", from, to), nil
}

// FileSHA256 is the hex sha256 of a file's bytes, streamed so memory stays
// flat. The executor checks sources and moved outputs with it; the CLI's
// plan uses it for the same facts, so both agree on what "intact" means.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
