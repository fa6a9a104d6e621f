package executor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
)

// Result is what a run did, split the way the summary shows it.
type Result struct {
	Applied []StepResult
	Pending []StepResult // not attempted or not finished (quota, interrupt)
	Failed  []StepResult

	// QuotaStopped is set when Marketo's daily export quota stopped the run;
	// QuotaResetsAt is the next 00:00 America/Chicago.
	QuotaStopped  bool
	QuotaResetsAt time.Time
	// Interrupted is set when the context was cancelled: state is saved and
	// the next apply resumes.
	Interrupted bool

	Exports ExportTotals
	Imports ImportTotals
	// Notes are things the user should know that are not failures (a chunk
	// uploaded twice after a crash).
	Notes []string
}

// ExportTotals sums the export windows downloaded in this run.
type ExportTotals struct {
	Windows int
	Bytes   int64
	Merged  int
}

// ImportTotals sums the imports finished in this run.
type ImportTotals struct {
	Imports  int
	Rows     int64 // rows processed by Marketo
	Failed   int64
	Warnings int64
}

// StepResult is one step's outcome.
type StepResult struct {
	Address string
	Kind    string
	Action  plan.Action
	// Summary says what was done ("12.3 MB, sha256 verified") or, for a
	// pending step, why it did not finish.
	Summary string
	Failure *Failure // set for failed steps
}

// Failure explains a failed step with what Marketo said.
type Failure struct {
	Code      string // Marketo error code, "" when the failure is not an API error
	RequestID string
	Message   string
}

func (f Failure) String() string {
	s := f.Message
	if f.Code != "" {
		s = fmt.Sprintf("%s (code %s", s, f.Code)
		if f.RequestID != "" {
			s += ", requestId " + f.RequestID
		}
		s += ")"
	} else if f.RequestID != "" {
		s += " (requestId " + f.RequestID + ")"
	}
	return s
}

// failureOf describes err, drawing code and request id from a
// *marketo.Error when there is one.
func failureOf(err error) Failure {
	var me *marketo.Error
	if errors.As(err, &me) {
		msg := me.Message
		if msg == "" {
			msg = err.Error()
		}
		return Failure{Code: me.Code, RequestID: me.RequestID, Message: msg}
	}
	return Failure{Message: err.Error()}
}

// OK reports whether nothing failed, nothing is pending for want of quota,
// and the run was not interrupted.
func (r *Result) OK() bool {
	return len(r.Failed) == 0 && !r.QuotaStopped && !r.Interrupted
}

// results collects step outcomes from the executor's goroutines.
type results struct {
	mu  sync.Mutex
	res Result
	obs Observer
}

func (rs *results) applied(st *plan.Step, summary string) {
	rs.mu.Lock()
	rs.res.Applied = append(rs.res.Applied, StepResult{Address: st.Address, Kind: st.Kind, Action: st.Action, Summary: summary})
	rs.mu.Unlock()
	rs.obs.Observe(StepCompleted{Address: st.Address, Summary: summary})
}

func (rs *results) failed(st *plan.Step, f Failure) {
	rs.mu.Lock()
	rs.res.Failed = append(rs.res.Failed, StepResult{Address: st.Address, Kind: st.Kind, Action: st.Action, Summary: f.Message, Failure: &f})
	rs.mu.Unlock()
	rs.obs.Observe(StepFailed{Address: st.Address, Failure: f})
}

func (rs *results) pending(st *plan.Step, why string) {
	rs.mu.Lock()
	rs.res.Pending = append(rs.res.Pending, StepResult{Address: st.Address, Kind: st.Kind, Action: st.Action, Summary: why})
	rs.mu.Unlock()
}

func (rs *results) note(format string, args ...any) {
	rs.mu.Lock()
	rs.res.Notes = append(rs.res.Notes, fmt.Sprintf(format, args...))
	rs.mu.Unlock()
}

func (rs *results) update(f func(r *Result)) {
	rs.mu.Lock()
	f(&rs.res)
	rs.mu.Unlock()
}

// final sorts each list by address so summaries are stable.
func (rs *results) final(ctx context.Context) *Result {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.res
	for _, l := range [][]StepResult{r.Applied, r.Pending, r.Failed} {
		sort.SliceStable(l, func(i, j int) bool { return l[i].Address < l[j].Address })
	}
	if ctx.Err() != nil {
		r.Interrupted = true
	}
	return &r
}
