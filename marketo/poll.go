package marketo

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Clock is the time source of retries and polling, injectable so tests
// never sleep for real.
type Clock interface {
	Now() time.Time
	// After is time.After: it sends the current time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time                         { return time.Now() }
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// sleep waits d on clock unless ctx ends first.
func sleep(ctx context.Context, clock Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clock.After(d):
		return nil
	}
}

// DefaultPollInterval is how often a job's status is worth asking for:
// Marketo refreshes bulk job status at most once every 60 s
// (MARKETO_API.md §3.5), so polling faster only spends the rate limit.
const DefaultPollInterval = 60 * time.Second

// ErrPollDeadline is returned by PollPolicy.Wait when the next poll would
// fall after the policy's deadline.
var ErrPollDeadline = errors.New("marketo: gave up waiting for the job: poll deadline reached")

// PollPolicy paces status polls of a job that is Created, Queued,
// Processing or Importing. A job that is not finished is not a failure, so
// polling never uses the retry back-off: it asks at a steady Interval until
// the job ends or Deadline passes.
type PollPolicy struct {
	// Interval between two status calls for one job; 0 means DefaultPollInterval.
	Interval time.Duration
	// Deadline bounds the whole wait, measured from the start passed to
	// Wait; 0 waits for ever (until the context ends).
	Deadline time.Duration
	// Clock defaults to SystemClock.
	Clock Clock
}

func (p PollPolicy) interval() time.Duration {
	if p.Interval <= 0 {
		return DefaultPollInterval
	}
	return p.Interval
}

func (p PollPolicy) clock() Clock {
	if p.Clock == nil {
		return SystemClock{}
	}
	return p.Clock
}

// Next is when the job polled at lastPoll may be polled again.
func (p PollPolicy) Next(lastPoll time.Time) time.Time {
	return lastPoll.Add(p.interval())
}

// Wait blocks until the next poll is due — one Interval after lastPoll,
// which should be when the previous status answer arrived (not when it was
// asked for: retries inside that call may have taken a while) —
// and returns nil, or returns ErrPollDeadline (wrapped) at once when that
// moment is past started+Deadline, or the context's error when it ends
// first. A zero lastPoll means "never polled": Wait returns at once.
func (p PollPolicy) Wait(ctx context.Context, started, lastPoll time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	clock := p.clock()
	now := clock.Now()
	next := now
	if !lastPoll.IsZero() {
		next = p.Next(lastPoll)
	}
	if p.Deadline > 0 && next.After(started.Add(p.Deadline)) {
		return fmt.Errorf("%w (%s after %s)", ErrPollDeadline, p.Deadline, started.Format(time.RFC3339))
	}
	return sleep(ctx, clock, next.Sub(now))
}
