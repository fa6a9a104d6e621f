package sandbox

import (
	"sync"
	"time"
)

// statusRefresh is how often Marketo refreshes bulk export status
// (MARKETO_API.md §3.5). Export jobs change state only on these ticks.
const statusRefresh = 60 * time.Second

// simClock is the sandbox's notion of time: it runs TimeScale times faster
// than the wall clock from the moment the sandbox starts, and can be pushed
// forward by Advance (for quota resets and token expiry in tests).
type simClock struct {
	realStart time.Time // carries the monotonic reading
	simStart  time.Time
	scale     float64

	mu     sync.Mutex
	offset time.Duration
}

func newSimClock(realNow time.Time, scale float64) *simClock {
	return &simClock{realStart: realNow, simStart: realNow.UTC().Truncate(time.Second), scale: scale}
}

// Now is the current simulated time, in UTC.
func (c *simClock) Now() time.Time {
	elapsed := time.Since(c.realStart)
	c.mu.Lock()
	off := c.offset
	c.mu.Unlock()
	return c.simStart.Add(time.Duration(float64(elapsed)*c.scale) + off)
}

// Advance moves simulated time forward by d.
func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// RealDuration converts a simulated duration to wall-clock time.
func (c *simClock) RealDuration(sim time.Duration) time.Duration {
	return time.Duration(float64(sim) / c.scale)
}

// tick is the index of the last status refresh at or before t.
func (c *simClock) tick(t time.Time) int64 {
	d := t.Sub(c.simStart)
	if d < 0 {
		return 0
	}
	return int64(d / statusRefresh)
}

// tickTime is the simulated time of refresh tick k.
func (c *simClock) tickTime(k int64) time.Time {
	return c.simStart.Add(time.Duration(k) * statusRefresh)
}

// chicago is where Marketo's daily limits reset (midnight Central Time).
var chicago = mustLoadChicago()

// quotaDay is the America/Chicago date of t, the key of the daily quota.
func quotaDay(t time.Time) string { return t.In(chicago).Format("2006-01-02") }
