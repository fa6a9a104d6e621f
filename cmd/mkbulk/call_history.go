package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
)

// Marketo counts its 100-calls-per-20-s limit per instance, not per
// process, so a plan followed at once by an apply, or an apply re-run right
// after it was killed, share one window. mkbulk keeps the start times of
// its recent calls in a small file beside the state file and seeds each new
// client's limiter with them (marketo.WithCallHistory).

// callHistoryName is the file, in the state file's directory.
const callHistoryName = "calls.log"

// callHistoryKeep is how far back the file is read; older lines are
// dropped when a process starts. It covers Marketo's window with room.
const callHistoryKeep = 30 * time.Second

// callHistoryOption returns the client option for the project's call
// history, or nil when the state directory does not exist (mkbulk
// describe in a directory that is no project creates nothing).
func callHistoryOption(e *env) marketo.Option {
	dir := stateDir(e)
	if fi, err := os.Stat(dir); dir == "" || err != nil || !fi.IsDir() {
		return nil
	}
	h := &callHistory{path: filepath.Join(dir, callHistoryName)}
	return marketo.WithCallHistory(h.load(time.Now()), h.record)
}

// callHistory reads and appends the call-history file. Writes are best
// effort: losing a line only makes the next process a little less careful.
type callHistory struct {
	mu   sync.Mutex
	path string
}

// load returns the call times within callHistoryKeep of now and rewrites
// the file with only those, so it never grows past a window's worth.
func (h *callHistory) load(now time.Time) []time.Time {
	data, err := os.ReadFile(h.path)
	if err != nil {
		return nil
	}
	var times []time.Time
	var kept bytes.Buffer
	for _, line := range bytes.Split(data, []byte("\n")) {
		n, err := strconv.ParseInt(string(line), 10, 64)
		if err != nil {
			continue // a torn or foreign line
		}
		t := time.Unix(0, n)
		if now.Sub(t) > callHistoryKeep || t.After(now) {
			continue
		}
		times = append(times, t)
		kept.Write(line)
		kept.WriteByte('\n')
	}
	tmp := h.path + ".tmp"
	if os.WriteFile(tmp, kept.Bytes(), 0o600) == nil {
		_ = os.Rename(tmp, h.path)
	}
	return times
}

// record appends one call's start time. Each line is one small O_APPEND
// write, so concurrent mkbulk processes do not tear each other's lines.
func (h *callHistory) record(start time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	_, _ = f.Write(append(strconv.AppendInt(nil, start.UnixNano(), 10), '\n'))
	_ = f.Close()
}
