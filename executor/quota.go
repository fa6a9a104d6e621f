package executor

import (
	"time"
	_ "time/tzdata" // America/Chicago must resolve on hosts without zoneinfo
)

// chicago is Marketo's quota time zone: the daily export allowance resets
// at midnight Central Time.
var chicago = func() *time.Location {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		return time.FixedZone("CST", -6*60*60)
	}
	return loc
}()

// LedgerDay is the America/Chicago date of t, the key of the export ledger.
func LedgerDay(t time.Time) string {
	return t.In(chicago).Format("2006-01-02")
}

// QuotaResetAfter is the next 00:00 America/Chicago after t.
func QuotaResetAfter(t time.Time) time.Time {
	c := t.In(chicago)
	y, m, d := c.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, chicago)
}

// ledgerDayOf picks the day Marketo charged an export to: the day it
// finished, when Marketo said so, else now.
func ledgerDayOf(finishedAt string, now time.Time) string {
	if t, err := time.Parse(time.RFC3339, finishedAt); err == nil {
		return LedgerDay(t)
	}
	return LedgerDay(now)
}
