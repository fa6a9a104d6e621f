package marketo

import (
	"context"
	"sync"
	"time"
)

// Marketo's instance-wide limits (MARKETO_API.md §6.3): 100 calls in any
// 20 s window and 10 calls in flight. Identity calls do not count.
const (
	DefaultRateLimitCalls      = 100
	DefaultRateLimitWindow     = 20 * time.Second
	DefaultRateLimitConcurrent = 10
)

// limiter keeps one client within a rolling-window call budget and a
// concurrency cap, whatever the caller's parallelism.
//
// A token bucket (x/time/rate) cannot promise "at most N in any window":
// a full bucket's burst plus the refill during the window exceeds N. So the
// limiter keeps the start times of the last N calls and lets a call start
// only when the oldest of them is more than one window (plus a 1% margin for
// latency jitter between us and the server's clock) in the past.
type limiter struct {
	sem chan struct{} // one slot per call in flight

	mu     sync.Mutex
	per    time.Duration
	margin time.Duration
	starts []time.Time // ring of the last len(starts) call starts
	oldest int         // index of the oldest start in the ring
	filled int
}

func newLimiter(calls int, per time.Duration, concurrent int) *limiter {
	if calls <= 0 {
		calls = DefaultRateLimitCalls
	}
	if per <= 0 {
		per = DefaultRateLimitWindow
	}
	if concurrent <= 0 {
		concurrent = DefaultRateLimitConcurrent
	}
	return &limiter{
		sem:    make(chan struct{}, concurrent),
		per:    per,
		margin: per / 100,
		starts: make([]time.Time, calls),
	}
}

// acquire blocks until a call may start, and returns the function that
// ends it (call it when the response body is closed). It fails only when
// ctx ends first.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = sync.OnceFunc(func() { <-l.sem })
	for {
		wait := l.reserve()
		if wait <= 0 {
			return release, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			release()
			return nil, ctx.Err()
		}
	}
}

// reserve records a call start now and returns 0, or returns how long until
// the window has room.
func (l *limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.filled < len(l.starts) {
		l.starts[(l.oldest+l.filled)%len(l.starts)] = now
		l.filled++
		return 0
	}
	if wait := l.starts[l.oldest].Add(l.per + l.margin).Sub(now); wait > 0 {
		return wait
	}
	l.starts[l.oldest] = now
	l.oldest = (l.oldest + 1) % len(l.starts)
	return 0
}
