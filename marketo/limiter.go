package marketo

import (
	"context"
	"fmt"
	"slices"
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

// limiter keeps every client of one instance in this process within a
// rolling-window call budget and a concurrency cap, whatever the callers'
// parallelism: clients with the same base URL and limits share one limiter
// (sharedLimiter), because Marketo counts per instance, not per client.
//
// A token bucket (x/time/rate) cannot promise "at most N in any window":
// a full bucket's burst plus the refill during the window exceeds N. So the
// limiter keeps the start times of the last N calls and lets a call start
// only when the oldest of them is more than one window (plus a 1% margin for
// latency jitter between us and the server's clock) in the past.
//
// It uses a mutex and per-waiter channels rather than a semaphore channel,
// so a limiter shared at package level never hands a channel from one
// testing/synctest bubble to another.
type limiter struct {
	mu         sync.Mutex
	concurrent int
	inFlight   int
	waiters    []chan struct{} // FIFO; closing one hands its goroutine a slot

	per    time.Duration
	margin time.Duration
	starts []time.Time // ring of the last len(starts) call starts
	oldest int         // index of the oldest start in the ring
	filled int
	seeded bool
}

var limiters sync.Map // "baseURL calls/per/concurrent" → *limiter

// sharedLimiter returns the process-wide limiter of an instance.
func sharedLimiter(baseURL string, calls int, per time.Duration, concurrent int) *limiter {
	l := newLimiter(calls, per, concurrent)
	key := fmt.Sprintf("%s %d/%s/%d", baseURL, len(l.starts), l.per, l.concurrent)
	shared, _ := limiters.LoadOrStore(key, l)
	return shared.(*limiter)
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
		concurrent: concurrent,
		per:        per,
		margin:     per / 100,
		starts:     make([]time.Time, calls),
	}
}

// acquire blocks until a call may start, and returns the function that
// ends it (call it when the response body is closed). It fails only when
// ctx ends first.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	if err := l.takeSlot(ctx); err != nil {
		return nil, err
	}
	release = sync.OnceFunc(l.releaseSlot)
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

// takeSlot waits for one of the concurrent slots, first come first served.
func (l *limiter) takeSlot(ctx context.Context) error {
	l.mu.Lock()
	if l.inFlight < l.concurrent && len(l.waiters) == 0 {
		l.inFlight++
		l.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	l.waiters = append(l.waiters, ch)
	l.mu.Unlock()
	select {
	case <-ch:
		return nil // releaseSlot handed its slot over
	case <-ctx.Done():
		l.mu.Lock()
		for i, w := range l.waiters {
			if w == ch {
				l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
				l.mu.Unlock()
				return ctx.Err()
			}
		}
		l.mu.Unlock()
		// Handed a slot just as the context ended: pass it on.
		l.releaseSlot()
		return ctx.Err()
	}
}

// releaseSlot gives the slot to the first waiter, or frees it.
func (l *limiter) releaseSlot() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.waiters) > 0 {
		close(l.waiters[0])
		l.waiters = l.waiters[1:]
		return
	}
	l.inFlight--
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

// seed counts calls made before this process started (by an earlier mkbulk
// on the same project, see WithCallHistory) as if this limiter had made
// them, so a plan followed at once by an apply, or an apply re-run after a
// kill, stays within the budget together. Only a limiter that has made no
// call yet is seeded, and only once: the ring must stay in start order, and
// a second client of the same instance must not count the history twice.
func (l *limiter) seed(past []time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seeded || l.filled > 0 {
		return
	}
	l.seeded = true
	past = slices.Clone(past)
	slices.SortFunc(past, func(a, b time.Time) int { return a.Compare(b) })
	cutoff := time.Now().Add(-(l.per + l.margin))
	for _, t := range past {
		if t.Before(cutoff) || t.After(time.Now()) {
			continue
		}
		if l.filled < len(l.starts) {
			l.starts[(l.oldest+l.filled)%len(l.starts)] = t
			l.filled++
			continue
		}
		l.starts[l.oldest] = t
		l.oldest = (l.oldest + 1) % len(l.starts)
	}
}
