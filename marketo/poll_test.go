package marketo

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func TestPollPolicyFakeClock(t *testing.T) {
	clock := newFakeClock()
	p := PollPolicy{Interval: 60 * time.Second, Deadline: 5 * time.Minute, Clock: clock}
	start := clock.Now()

	// Never polled: no wait.
	if err := p.Wait(ctx, start, time.Time{}); err != nil || len(clock.Sleeps()) != 0 {
		t.Fatalf("first wait: %v, slept %v", err, clock.Sleeps())
	}
	// Polled 20 s ago: wait the remaining 40 s.
	clock.Advance(20 * time.Second)
	if err := p.Wait(ctx, start, start); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); len(got) != 1 || got[0] != 40*time.Second {
		t.Errorf("slept %v, want [40s]", got)
	}
	// Polled long ago: no wait.
	if err := p.Wait(ctx, start, start.Add(-time.Hour)); err != nil || len(clock.Sleeps()) != 1 {
		t.Errorf("overdue poll waited: %v %v", err, clock.Sleeps())
	}
	// The next poll would fall after the deadline.
	clock.Advance(5 * time.Minute)
	err := p.Wait(ctx, start, clock.Now())
	if !errors.Is(err, ErrPollDeadline) {
		t.Errorf("err = %v, want ErrPollDeadline", err)
	}
	if got := p.Next(start); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("Next = %s", got)
	}
}

// TestPollPolicyRealClock runs the default policy on the system clock
// inside a synctest bubble: a minute passes, instantly.
func TestPollPolicyRealClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p PollPolicy // defaults: 60 s, no deadline, system clock
		last := time.Now()
		if err := p.Wait(ctx, last, last); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(last); got != DefaultPollInterval {
			t.Errorf("waited %s, want %s", got, DefaultPollInterval)
		}
		cctx, cancel := contextWithTimeout(10 * time.Second)
		defer cancel()
		if err := p.Wait(cctx, time.Now(), time.Now()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's", err)
		}
		done, stop := context.WithCancel(ctx)
		stop()
		if err := p.Wait(done, time.Now(), time.Time{}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v on a cancelled context", err)
		}
	})
}
