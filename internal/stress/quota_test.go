package stress

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// quotaProject is one leads export of 13 weekly windows, about 1.3 MB each
// on a two-million-lead sandbox: more windows than Marketo's queue holds,
// so some are still to be enqueued when the first completes and spends a
// 1 MB quota.
const quotaProject = `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: weekly-leads
spec:
  object: leads
  fields: [id, email, createdAt]
  filter:
    createdAt:
      startAt: 2025-01-01T00:00:00Z
      endAt: 2025-03-31T23:59:59Z
  window: 7d
  output: out/weekly/{window}.csv
`

// TestQuotaStopAndResume spends the daily export quota: apply must stop
// cleanly (exit 1) saying when the quota resets, keep what it finished,
// and after the sandbox's day rolls over (its clock advanced past
// midnight America/Chicago) finish without exporting anything twice.
func TestQuotaStopAndResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "-time-scale=600", "-leads=2000000", "-quota-mb=1")
	if err := os.WriteFile(filepath.Join(e.p.Dir, "weekly.yaml"), []byte(quotaProject), 0o644); err != nil {
		t.Fatal(err)
	}
	first := e.p.Apply(e.ctx, nil)
	e.requireApply(first)
	t.Logf("first apply: %s", describeRun(first))
	if first.Code != 1 {
		t.Fatalf("first apply exited %d, want 1 (stopped by the quota):\n%s", first.Code, tail(first.Stderr, 20))
	}
	if !strings.Contains(first.Stderr, "quota") || !regexp.MustCompile(`resets at 00:00 America/Chicago \(in \d+h\d\dm\)`).MatchString(first.Stderr) {
		t.Errorf("first apply's error does not say when the quota resets:\n%s", first.Stderr)
	}
	checkQuotaDiagnostic(t, first)
	if first.Summary == nil || first.Summary.Changes["quota_stopped"] != true {
		t.Errorf("first apply's change_summary does not say quota_stopped: %+v", first.Summary)
	}

	after1, err := ReadState(e.statePath())
	if err != nil {
		t.Fatal(err)
	}
	done, created, enqueued := map[string]string{}, 0, 0
	for addr, rec := range after1.Resources {
		if x := rec.Export; x != nil {
			if x.Done() {
				done[addr] = x.ExportID
			}
			if x.ExportID != "" {
				created++
			}
			if x.Enqueued {
				enqueued++
			}
		}
	}
	st1 := e.stats()
	t.Logf("after the quota stop: %d of 13 windows done, %d created, %d enqueued; sandbox created %d, enqueued %d, quota used %d bytes",
		len(done), created, enqueued, st1.Exports.Created, st1.Exports.Enqueued, st1.QuotaUsedBytes)
	if len(done) == 0 || len(done) == 13 {
		t.Fatalf("%d windows done after the first apply; the test needs the quota to stop it part way", len(done))
	}
	if problems, err := CheckAtRest(e.p.Dir, e.statePath(), nil); err != nil || len(problems) > 0 {
		t.Errorf("after the quota stop: %v %v", err, problems)
	}

	// The quota holds until midnight: a second apply now stops again
	// without creating or enqueueing anything.
	again := e.p.Apply(e.ctx, nil)
	st2 := e.stats()
	t.Logf("apply before the reset: %s", describeRun(again))
	if again.Code != 1 {
		t.Errorf("apply before the reset exited %d, want 1 (quota still spent)", again.Code)
	}
	if st2.Exports.Created != st1.Exports.Created || st2.Exports.Enqueued != st1.Exports.Enqueued {
		t.Errorf("apply before the reset created %d and enqueued %d jobs, want none", st2.Exports.Created-st1.Exports.Created, st2.Exports.Enqueued-st1.Exports.Enqueued)
	}

	clock, err := e.sb.Clock()
	if err != nil {
		t.Fatal(err)
	}
	rolled, err := e.sb.Advance(clock.NextQuotaReset.Sub(clock.Now) + time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sandbox clock advanced from %s (%s) to %s (%s)", clock.Now.Format(time.RFC3339), clock.QuotaDay, rolled.Now.Format(time.RFC3339), rolled.QuotaDay)

	final := e.p.Apply(e.ctx, nil)
	t.Logf("apply after the reset: %s", describeRun(final))
	if final.Code != 0 {
		t.Fatalf("apply after the reset exited %d:\n%s", final.Code, tail(final.Stderr, 20))
	}
	v := e.verify()
	if v.Windows != 13 {
		t.Errorf("verified %d windows, want 13", v.Windows)
	}
	st3 := e.stats()
	t.Logf("sandbox after the reset: created %d, enqueued %d, completed %d, duplicate enqueues %d",
		st3.Exports.Created, st3.Exports.Enqueued, st3.Exports.Completed, st3.Exports.DuplicateEnqueues)
	if n := st3.Exports.Created - st1.Exports.Created; n != int64(13-created) {
		t.Errorf("after the reset the sandbox created %d jobs; %d windows had none, so want %d", n, 13-created, 13-created)
	}
	if n := st3.Exports.Enqueued - st1.Exports.Enqueued; n != int64(13-enqueued) {
		t.Errorf("after the reset the sandbox enqueued %d jobs; %d windows were not enqueued, so want %d", n, 13-enqueued, 13-enqueued)
	}
	if st3.Exports.DuplicateEnqueues != 0 {
		t.Errorf("duplicate enqueues: %d", st3.Exports.DuplicateEnqueues)
	}
	final2, err := ReadState(e.statePath())
	if err != nil {
		t.Fatal(err)
	}
	for addr, id := range done {
		if got := final2.Resources[addr].Export.ExportID; got != id {
			t.Errorf("%s was done with job %s before the reset, and is now job %s: re-exported", addr, id, got)
		}
	}
}

// checkQuotaDiagnostic finds the -json diagnostic of the quota stop and
// checks its reset time is the next midnight America/Chicago.
func checkQuotaDiagnostic(t *testing.T, r *ApplyRun) {
	t.Helper()
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skip("no America/Chicago zone on this host")
	}
	re := regexp.MustCompile(`resets at (\d{4}-\d\d-\d\dT[0-9:]+(Z|[-+]\d\d:\d\d))`)
	for _, ev := range r.Events {
		if ev.Type != "diagnostic" {
			continue
		}
		detail, _ := ev.Diagnostic["detail"].(string)
		m := re.FindStringSubmatch(detail)
		if m == nil {
			continue
		}
		at, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Errorf("quota diagnostic: bad time %q", m[1])
			return
		}
		c := at.In(chicago)
		if c.Hour() != 0 || c.Minute() != 0 || !at.After(r.Events[0].Time().Add(-time.Second)) || at.Sub(r.Events[0].Time()) > 25*time.Hour {
			t.Errorf("quota diagnostic says the quota resets at %s (%s in Chicago); want the next midnight America/Chicago", at, c)
		}
		return
	}
	t.Errorf("no -json diagnostic says when the quota resets")
}
