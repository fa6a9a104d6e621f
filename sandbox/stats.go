package sandbox

import "sync/atomic"

// Stats is what GET /sandbox/stats.json reports: what clients did, so tests
// can assert a client behaves (DESIGN.md §7).
type Stats struct {
	// Calls counts every request to a Marketo endpoint (identity included,
	// /sandbox/ excluded); CallsByOperation splits it by "METHOD /pattern",
	// with unknown paths under "UNKNOWN".
	Calls            int64            `json:"calls"`
	CallsByOperation map[string]int64 `json:"callsByOperation"`
	// MaxCallsIn20s and MaxConcurrentCalls are the peaks over authenticated
	// calls (rejected ones included) in real time.
	MaxCallsIn20s      int64 `json:"maxCallsIn20s"`
	MaxConcurrentCalls int64 `json:"maxConcurrentCalls"`
	// PollsBeforeRefresh counts export status calls made less than one
	// simulated status-refresh interval (60 s) after the previous status
	// call for the same job.
	PollsBeforeRefresh int64       `json:"pollsBeforeRefresh"`
	Exports            ExportStats `json:"exports"`
	Imports            ImportStats `json:"imports"`
	// BytesServed is export file bytes written to clients.
	BytesServed int64 `json:"bytesServed"`
	// QuotaUsedBytes is today's (America/Chicago, simulated) export usage.
	QuotaUsedBytes int64 `json:"quotaUsedBytes"`
	TokensIssued   int64 `json:"tokensIssued"`
	FaultsInjected int64 `json:"faultsInjected"`
}

// ExportStats counts bulk export jobs. DuplicateEnqueues counts enqueues of
// a job whose object, fields, format and filter equal an earlier enqueued
// job's; MaxQueued is the peak of Queued plus Processing jobs.
type ExportStats struct {
	Created           int64 `json:"created"`
	Enqueued          int64 `json:"enqueued"`
	DuplicateEnqueues int64 `json:"duplicateEnqueues"`
	Cancelled         int64 `json:"cancelled"`
	Completed         int64 `json:"completed"`
	Failed            int64 `json:"failed"`
	MaxProcessing     int64 `json:"maxProcessing"`
	MaxQueued         int64 `json:"maxQueued"`
}

// ImportStats counts bulk import batches; RowsProcessed are rows imported
// (warnings included), RowsFailed rows rejected, over finished batches.
type ImportStats struct {
	Created       int64 `json:"created"`
	RowsProcessed int64 `json:"rowsProcessed"`
	RowsFailed    int64 `json:"rowsFailed"`
	MaxRunning    int64 `json:"maxRunning"`
}

// counters are the live numbers behind Stats; guarded by Server.mu except
// the atomics, which the download path updates without the lock.
type counters struct {
	calls              int64
	byOp               map[string]int64
	pollsBeforeRefresh int64
	exports            ExportStats
	imports            ImportStats
	tokensIssued       int64
	bytesServed        atomic.Int64
	faults             atomic.Int64
}

func (c *counters) init() { c.byOp = map[string]int64{} }

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	calls20, conc := s.limiter.peaks()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	st := Stats{
		Calls:              s.counters.calls,
		CallsByOperation:   make(map[string]int64, len(s.counters.byOp)),
		MaxCallsIn20s:      int64(calls20),
		MaxConcurrentCalls: int64(conc),
		PollsBeforeRefresh: s.counters.pollsBeforeRefresh,
		Exports:            s.counters.exports,
		Imports:            s.counters.imports,
		BytesServed:        s.counters.bytesServed.Load(),
		QuotaUsedBytes:     s.quota[quotaDay(s.clock.Now())],
		TokensIssued:       s.counters.tokensIssued,
		FaultsInjected:     s.counters.faults.Load(),
	}
	for k, v := range s.counters.byOp {
		st.CallsByOperation[k] = v
	}
	return st
}
