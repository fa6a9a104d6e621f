package stress

import (
	"testing"
	"time"
)

func TestTwoSlotMakespan(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		jobs []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5 * m}, 5 * m},
		{[]time.Duration{m, m}, m},
		{[]time.Duration{3 * m, 3 * m, 2 * m, 2 * m, 2 * m}, 6 * m}, // greedy LPT gives 7
		{[]time.Duration{10 * m, m, m, m}, 10 * m},
		{[]time.Duration{4 * m, 5 * m, 6 * m, 7 * m, 8 * m}, 15 * m},
	} {
		if got := TwoSlotMakespan(tc.jobs); got != tc.want {
			t.Errorf("TwoSlotMakespan(%v) = %v, want %v", tc.jobs, got, tc.want)
		}
	}
}
