package planner

import (
	"sort"
	"time"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
)

// Marketo date filters are inclusive at both ends and have whole-second
// precision, so consecutive windows step by one second: a window of size d
// spans [s, s+d-1s] and the next starts at s+d. This is Adobe's "31 days
// minus 1 second" stepping; it leaves no gap and no overlap.
const step = time.Second

// windowSize clamps a manifest's window to Marketo's limits: at most 31
// days, at least one second; zero means the default (31 days).
func windowSize(d time.Duration) time.Duration {
	switch {
	case d <= 0 || d > manifest.MaxWindow:
		return manifest.MaxWindow
	case d < step:
		return step
	}
	return d.Truncate(step)
}

// SplitWindows splits the inclusive range [start, end] into consecutive
// windows of at most size: inclusive ends, no gaps, no overlaps, each next
// start one second after the previous end. Times are truncated to the
// second and returned in UTC. An empty range (end before start) gives none.
func SplitWindows(start, end time.Time, size time.Duration) []plan.Window {
	size = windowSize(size)
	start = start.UTC().Truncate(step)
	end = end.UTC().Truncate(step)
	var ws []plan.Window
	for s := start; !s.After(end); {
		e := s.Add(size - step)
		if e.After(end) {
			e = end
		}
		ws = append(ws, plan.Window{StartAt: s, EndAt: e})
		s = e.Add(step)
	}
	return ws
}

// IncrementalStep is the granularity of open (incremental) ranges: they
// run up to the end of the last whole hour before now. Cutting at hour
// boundaries, rather than at the second the plan ran, means a plan made
// straight after an apply says "No changes" instead of proposing a window
// of a few seconds, and a scheduled pipeline gets the same windows whenever
// in the hour it runs.
const IncrementalStep = time.Hour

// IncrementalHorizon is the inclusive end of an open range planned at now:
// the last second before the current hour began.
func IncrementalHorizon(now time.Time) time.Time {
	return now.UTC().Truncate(IncrementalStep).Add(-step)
}

// OpenWindows plans an open (incremental) range starting at start. Windows
// already recorded in state are kept as they were cut, chained from start
// (each starting one second after the previous one's end), so their jobs
// and files stay valid; the rest of the range, from the end of the last
// recorded window up to IncrementalHorizon(now), is split anew. Recorded
// windows that do not chain from start are not returned (the caller
// forgets them).
func OpenWindows(start time.Time, recorded []plan.Window, now time.Time, size time.Duration) []plan.Window {
	start = start.UTC().Truncate(step)
	now = IncrementalHorizon(now)
	byStart := make(map[time.Time]plan.Window, len(recorded))
	for _, w := range recorded {
		byStart[w.StartAt.UTC()] = plan.Window{StartAt: w.StartAt.UTC(), EndAt: w.EndAt.UTC()}
	}
	var ws []plan.Window
	cursor := start
	for {
		w, ok := byStart[cursor]
		if !ok || w.EndAt.Before(w.StartAt) {
			break
		}
		ws = append(ws, w)
		cursor = w.EndAt.Add(step)
	}
	return append(ws, SplitWindows(cursor, now, size)...)
}

// sortWindows orders windows by start.
func sortWindows(ws []plan.Window) {
	sort.Slice(ws, func(i, j int) bool { return ws[i].StartAt.Before(ws[j].StartAt) })
}
