package planner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/plan"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func win(start, end string) plan.Window { return plan.Window{StartAt: ts(start), EndAt: ts(end)} }

// checkTiling asserts the windows tile [start, end] exactly: inclusive
// ends, each next start one second after the previous end, none longer
// than size.
func checkTiling(t *testing.T, ws []plan.Window, start, end time.Time, size time.Duration) {
	t.Helper()
	if len(ws) == 0 {
		t.Fatalf("no windows for %s..%s", start, end)
	}
	if !ws[0].StartAt.Equal(start) {
		t.Errorf("first window starts %s, want %s", ws[0].StartAt, start)
	}
	if !ws[len(ws)-1].EndAt.Equal(end) {
		t.Errorf("last window ends %s, want %s", ws[len(ws)-1].EndAt, end)
	}
	for i, w := range ws {
		if w.EndAt.Before(w.StartAt) {
			t.Errorf("window %d ends before it starts: %s", i, w.Label())
		}
		if span := w.EndAt.Sub(w.StartAt) + time.Second; span > size {
			t.Errorf("window %d spans %s, more than %s", i, span, size)
		}
		if i > 0 && !w.StartAt.Equal(ws[i-1].EndAt.Add(time.Second)) {
			t.Errorf("window %d starts %s; previous ended %s (gap or overlap)", i, w.StartAt, ws[i-1].EndAt)
		}
	}
}

func TestSplitWindows(t *testing.T) {
	day := 24 * time.Hour
	tests := map[string]struct {
		start, end string
		size       time.Duration
		want       []plan.Window
	}{
		"one month in one 31-day window": {
			start: "2026-01-01T00:00:00Z", end: "2026-01-31T23:59:59Z", size: 31 * day,
			want: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z")},
		},
		"two months step by 31 days minus a second": {
			start: "2026-01-01T00:00:00Z", end: "2026-02-28T23:59:59Z", size: 31 * day,
			want: []plan.Window{
				win("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z"),
				win("2026-02-01T00:00:00Z", "2026-02-28T23:59:59Z"),
			},
		},
		"weekly windows, last one short": {
			start: "2026-03-01T00:00:00Z", end: "2026-03-16T12:00:00Z", size: 7 * day,
			want: []plan.Window{
				win("2026-03-01T00:00:00Z", "2026-03-07T23:59:59Z"),
				win("2026-03-08T00:00:00Z", "2026-03-14T23:59:59Z"),
				win("2026-03-15T00:00:00Z", "2026-03-16T12:00:00Z"),
			},
		},
		"a window larger than 31 days is clamped": {
			start: "2026-01-01T00:00:00Z", end: "2026-02-10T00:00:00Z", size: 90 * day,
			want: []plan.Window{
				win("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z"),
				win("2026-02-01T00:00:00Z", "2026-02-10T00:00:00Z"),
			},
		},
		"zero window means 31 days": {
			start: "2026-01-01T00:00:00Z", end: "2026-01-05T00:00:00Z", size: 0,
			want: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z")},
		},
		"offsets become UTC and sub-seconds are dropped": {
			start: "2026-01-01T01:00:00.700+01:00", end: "2026-01-02T00:00:00Z", size: 31 * day,
			want: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")},
		},
		"a single second": {
			start: "2026-01-01T00:00:00Z", end: "2026-01-01T00:00:00Z", size: day,
			want: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")},
		},
		"end before start gives nothing": {
			start: "2026-01-02T00:00:00Z", end: "2026-01-01T00:00:00Z", size: day,
			want: nil,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := SplitWindows(ts(tt.start), ts(tt.end), tt.size)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SplitWindows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSplitWindowsTiles checks the invariants over many sizes and ranges.
func TestSplitWindowsTiles(t *testing.T) {
	start := ts("2025-11-02T06:59:59Z") // around a DST change in America/Chicago
	for _, size := range []time.Duration{time.Second, 90 * time.Minute, 24 * time.Hour, 7 * 24 * time.Hour, 30*24*time.Hour + 17*time.Second, manifest.MaxWindow} {
		for _, span := range []time.Duration{0, time.Second, 12 * time.Hour, 31 * 24 * time.Hour, 400 * 24 * time.Hour} {
			if size == time.Second && span > 12*time.Hour {
				continue // a million one-second windows prove nothing more
			}
			end := start.Add(span)
			ws := SplitWindows(start, end, size)
			checkTiling(t, ws, start, end, size)
		}
	}
}

func TestOpenWindows(t *testing.T) {
	day := 24 * time.Hour
	start := ts("2026-01-01T00:00:00Z")
	tests := map[string]struct {
		recorded []plan.Window
		now      string
		size     time.Duration
		want     []plan.Window
	}{
		"first run splits from start up to the last whole hour": {
			now: "2026-01-10T08:30:15.9Z", size: 7 * day,
			want: []plan.Window{
				win("2026-01-01T00:00:00Z", "2026-01-07T23:59:59Z"),
				win("2026-01-08T00:00:00Z", "2026-01-10T07:59:59Z"),
			},
		},
		"later runs continue after the last recorded window": {
			recorded: []plan.Window{
				win("2026-01-08T00:00:00Z", "2026-01-10T07:59:59Z"),
				win("2026-01-01T00:00:00Z", "2026-01-07T23:59:59Z"),
			},
			now: "2026-01-12T00:00:00Z", size: 7 * day,
			want: []plan.Window{
				win("2026-01-01T00:00:00Z", "2026-01-07T23:59:59Z"),
				win("2026-01-08T00:00:00Z", "2026-01-10T07:59:59Z"),
				win("2026-01-10T08:00:00Z", "2026-01-11T23:59:59Z"),
			},
		},
		"nothing new within the hour the last window ended": {
			recorded: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-04T23:59:59Z")},
			now:      "2026-01-05T00:59:59Z", size: 31 * day,
			want: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-04T23:59:59Z")},
		},
		"recorded windows that do not chain from start are dropped": {
			recorded: []plan.Window{win("2025-12-01T00:00:00Z", "2025-12-31T23:59:59Z")},
			now:      "2026-01-03T00:00:00Z", size: 31 * day,
			want: []plan.Window{win("2026-01-01T00:00:00Z", "2026-01-02T23:59:59Z")},
		},
		"start in the future plans nothing": {
			now: "2025-12-31T00:00:00Z", size: 31 * day,
			want: nil,
		},
		"start within the current hour plans nothing yet": {
			now: "2026-01-01T00:40:00Z", size: 31 * day,
			want: nil,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := OpenWindows(start, tt.recorded, ts(tt.now), tt.size)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OpenWindows (-want +got):\n%s", diff)
			}
			if len(got) > 0 {
				checkTiling(t, got, start, IncrementalHorizon(ts(tt.now)), max(tt.size, 7*day))
			}
		})
	}
}

func TestWindowLabels(t *testing.T) {
	w := win("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z")
	if got, want := WindowAddress("export.leads", w), `export.leads["2026-01-01T00:00:00Z/2026-01-31T23:59:59Z"]`; got != want {
		t.Errorf("WindowAddress = %s, want %s", got, want)
	}
}
