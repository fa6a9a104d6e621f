package sandbox

import (
	"sync"
	"time"
)

// Marketo's instance-wide API limits (MARKETO_API.md §6.3), in real time.
const (
	rateCalls     = 100
	rateWindow    = 20 * time.Second
	maxConcurrent = 10
)

// callLimiter enforces 100 calls per sliding 20 s and 10 in flight, and
// remembers the peaks so tests can assert a client stayed under them.
// Rejected calls count too: they reached the server.
type callLimiter struct {
	mu          sync.Mutex
	window      []time.Time
	inflight    int
	maxInflight int
	maxWindow   int
}

func newCallLimiter() *callLimiter { return &callLimiter{} }

// enter admits one call; the caller must call leave. It returns the error
// code to answer with, or "".
func (l *callLimiter) enter(now time.Time) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight++
	l.maxInflight = max(l.maxInflight, l.inflight)
	cut := now.Add(-rateWindow)
	i := 0
	for i < len(l.window) && !l.window[i].After(cut) {
		i++
	}
	if i > 0 {
		l.window = append(l.window[:0], l.window[i:]...)
	}
	l.window = append(l.window, now)
	l.maxWindow = max(l.maxWindow, len(l.window))
	switch {
	case l.inflight > maxConcurrent:
		return "615"
	case len(l.window) > rateCalls:
		return "606"
	}
	return ""
}

func (l *callLimiter) leave() {
	l.mu.Lock()
	l.inflight--
	l.mu.Unlock()
}

func (l *callLimiter) peaks() (calls20s, concurrent int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxWindow, l.maxInflight
}

func (l *callLimiter) inflightNow() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inflight
}
