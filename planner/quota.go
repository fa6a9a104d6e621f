package planner

import (
	"time"
	_ "time/tzdata" // America/Chicago must resolve on hosts without zoneinfo

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
	"github.com/mkbulk/mkbulk/statefile"
)

// noPos marks a diagnostic about a flag rather than a file.
var noPos manifest.Pos

// quotaZone is where Marketo's daily export quota resets at midnight.
var quotaZone = mustLoadLocation("America/Chicago")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("planner: " + err.Error()) // embedded tzdata makes this unreachable
	}
	return loc
}

// QuotaDay is the ledger key of the quota day t falls in: its date in
// America/Chicago ("2026-11-25").
func QuotaDay(t time.Time) string { return t.In(quotaZone).Format(time.DateOnly) }

// QuotaResetsAt is the next midnight America/Chicago after t.
func QuotaResetsAt(t time.Time) time.Time {
	c := t.In(quotaZone)
	return time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, quotaZone)
}

// quota reads today's export bytes from the state's ledger.
func quota(snap *statefile.Snapshot, now time.Time, limit int64) *plan.Quota {
	if limit <= 0 {
		limit = DefaultQuotaBytes
	}
	return &plan.Quota{
		UsedBytes:  snap.Ledger[QuotaDay(now)],
		LimitBytes: limit,
		ResetsAt:   QuotaResetsAt(now),
	}
}
