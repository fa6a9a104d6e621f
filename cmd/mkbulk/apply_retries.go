package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/mkbulk/mkbulk/executor"
)

// retryRelay forwards the client's retry hook to whichever observer is
// current: apply plans first (no apply view exists yet) and then runs the
// plan, and a retry in either phase must be reported.
type retryRelay struct {
	mu sync.Mutex
	to executor.Observer
}

func (r *retryRelay) set(o executor.Observer) {
	r.mu.Lock()
	r.to = o
	r.mu.Unlock()
}

// hook has the shape of marketo.WithRetryHook's function.
func (r *retryRelay) hook(op string, attempt int, reason string) {
	r.mu.Lock()
	o := r.to
	r.mu.Unlock()
	o.Observe(executor.APIRetry{Op: op, Attempt: attempt, Reason: reason})
}

// planRetryObserver reports retries made while apply plans: as JSON event
// lines with -json, else as plain lines on stderr (stdout then carries
// only the plan, as it does for mkbulk plan).
func planRetryObserver(e *env, asJSON bool) executor.Observer {
	if asJSON {
		return newJSONView(e.stdout)
	}
	return executor.ObserverFunc(func(ev executor.Event) {
		if r, ok := ev.(executor.APIRetry); ok {
			writeAPIRetry(e.stderr, r)
		}
	})
}

// writeAPIRetry is the plain-text line for a retried Marketo call.
func writeAPIRetry(w io.Writer, r executor.APIRetry) {
	fmt.Fprintf(w, "mkbulk: Marketo call retried: %s (attempt %d): %s\n", r.Op, r.Attempt, r.Reason)
}
