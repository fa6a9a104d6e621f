package marketo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy decides whether a failed call is tried again and after how
// long. It is about failures only; waiting for a job to finish is PollPolicy.
//
// The client applies it to every call, with one restriction Decide cannot
// see: requests that are not idempotent (export create, import upload) are
// retried only when the error proves the request never ran (a Marketo 6xx
// envelope code, an HTTP 5xx/429 status, a refused connection). After an
// ambiguous network failure — a reset mid-upload, a lost response — Marketo
// may already have created the job, so the error is returned instead of
// risking a duplicate.
type RetryPolicy struct {
	// MaxAttempts is the total number of tries, the first included.
	MaxAttempts int
	// BaseDelay is the first back-off; it doubles per attempt up to MaxDelay.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// RateLimitDelay is the least wait after 606: Marketo counts calls in a
	// 20 s window, so retrying sooner only burns more of it.
	RateLimitDelay time.Duration
	// Rand returns a number in [0,1) for jitter; nil uses math/rand/v2.
	Rand func() float64
}

// DefaultRetryPolicy is 8 tries, 1 s doubling to 60 s, 20 s after a 606,
// all with jitter so parallel workers do not retry in step.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 8, BaseDelay: time.Second, MaxDelay: time.Minute, RateLimitDelay: 20 * time.Second}
}

// Decide reports whether to retry after err, the outcome of try number
// attempt (1 for the first), how long to wait first, and why — the reason
// is logged and passed to the retry hook.
//
//   - cancellation and deadlines of the caller's context: never retried;
//   - 601/602 (token): not retried here — the client refreshes the token and
//     repeats the call once by itself;
//   - 606: wait at least RateLimitDelay (the 20 s window), jittered upwards;
//   - 604, 608, 611, 615, 713, HTTP 5xx/429, network errors: exponential
//     back-off with jitter, capped at MaxDelay;
//   - 1029, 1016, 1019 (queues and quota): not retried here — the executor
//     waits for room or stops until the quota resets;
//   - 1003, 1006, 1035 and every other code or 4xx: fatal.
func (p RetryPolicy) Decide(err error, attempt int) (retry bool, delay time.Duration, reason string) {
	p = p.withDefaults()
	switch {
	case err == nil:
		return false, 0, "succeeded"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false, 0, "context done"
	case IsTokenExpired(err):
		return false, 0, "access token rejected: the client refreshes it once"
	case IsDailyQuota(err):
		return false, 0, "daily quota reached: wait until midnight America/Chicago"
	case IsQueueFull(err), IsAlreadyQueued(err):
		return false, 0, "bulk queue full: the caller waits for room"
	case !IsTransient(err):
		return false, 0, "not retryable: " + describeErr(err)
	case attempt >= p.MaxAttempts:
		return false, 0, fmt.Sprintf("gave up after %d attempts: %s", attempt, describeErr(err))
	}
	if hasCode(err, "606") {
		// Jitter only upwards: the window must have passed.
		d := p.RateLimitDelay + time.Duration(p.rand()*float64(p.RateLimitDelay)/4)
		return true, d, "rate limited (606): waiting out the 20 s window"
	}
	return true, p.backoff(attempt), "transient: " + describeErr(err)
}

// backoff is BaseDelay·2^(attempt-1), capped at MaxDelay, with "equal
// jitter": a random point in the upper half, so delays still grow but
// parallel retries spread out.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	return half + time.Duration(p.rand()*float64(d-half))
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	def := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = def.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = def.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = def.MaxDelay
	}
	if p.RateLimitDelay <= 0 {
		p.RateLimitDelay = def.RateLimitDelay
	}
	return p
}

func (p RetryPolicy) rand() float64 {
	if p.Rand != nil {
		return p.Rand()
	}
	return rand.Float64()
}

// describeErr is a short description of err for retry reasons: the code and
// message of a Marketo error, else the error text.
func describeErr(err error) string {
	if e, ok := asError(err); ok {
		if e.Code != "" {
			return e.Code + " " + e.Message
		}
		return fmt.Sprintf("HTTP %d", e.HTTPStatus)
	}
	return err.Error()
}
