package sandbox

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestExportQueueLimits: at most 2 Processing, 10 queued including
// processing (1029), FIFO across objects, "Job already queued".
func TestExportQueueLimits(t *testing.T) {
	e := startSandbox(t, Config{})
	type job struct {
		obj objectKind
		id  string
	}
	var jobs []job
	for i := range 11 {
		obj := []objectKind{objLeads, objActivities, objProgramMembers, objCustomObject}[i%4]
		body := map[objectKind]string{
			objLeads:          `{"fields":["id"],"filter":{"staticListId":` + itoa(1+i%5) + `}}`,
			objActivities:     `{"filter":{"createdAt":` + jan2026 + `}}`,
			objProgramMembers: `{"fields":["leadId"],"filter":{"programId":` + itoa(1001+i%10) + `}}`,
			objCustomObject:   `{"fields":["vin"],"filter":{"staticListId":` + itoa(1+i%5) + `}}`,
		}[obj]
		jobs = append(jobs, job{obj, e.createExport(obj, body)})
	}
	for _, j := range jobs[:10] {
		e.mustOK(e.exportCall(j.obj, j.id, "enqueue"))
	}
	if env := e.exportCall(jobs[10].obj, jobs[10].id, "enqueue"); env.errCode() != "1029 Too many jobs in queue" {
		t.Fatalf("11th enqueue: %s", env.raw)
	}
	if env := e.exportCall(jobs[0].obj, jobs[0].id, "enqueue"); env.errCode() != "1029 Job already queued" {
		t.Errorf("re-enqueue: %s", env.raw)
	}
	// statuses by job index, from the four list endpoints
	statuses := func() map[int]string {
		t.Helper()
		byID := map[string]string{}
		for _, obj := range []objectKind{objLeads, objActivities, objProgramMembers, objCustomObject} {
			env := e.mustOK(e.call("GET", exportPaths[obj]+"/export.json", nil))
			for i := range env.Result {
				var st exportStatus
				env.item(i, &st)
				byID[st.ExportID] = st.Status
			}
		}
		out := map[int]string{}
		for i, j := range jobs {
			out[i] = byID[j.id]
		}
		return out
	}
	e.s.Advance(statusRefresh)
	if got := statuses(); got[0] != statusProcessing || got[1] != statusProcessing || got[2] != statusQueued || got[9] != statusQueued {
		t.Fatalf("after one tick: %v, want 0 and 1 Processing (FIFO)", got)
	}
	// drain without API calls: never more than two processing
	for range 200 {
		e.s.Advance(statusRefresh)
		e.s.mu.Lock()
		n, q := len(e.s.exports.processing), e.s.exports.inQueue()
		e.s.mu.Unlock()
		if n > 2 {
			t.Fatalf("%d processing", n)
		}
		if q == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for i, st := range statuses() {
		if want := map[bool]string{true: statusCompleted, false: statusCreated}[i < 10]; st != want {
			t.Errorf("job %d: %s, want %s", i, st, want)
		}
	}
	e.mustOK(e.exportCall(jobs[10].obj, jobs[10].id, "enqueue"))
	st := e.stats().Exports
	if st.MaxProcessing != 2 || st.MaxQueued != 10 || st.Enqueued != 11 || st.Completed != 10 {
		t.Errorf("stats: %+v", st)
	}
}

// TestExportQuota: usage counts fileSize per America/Chicago day; create
// and enqueue fail with 1029 once it is spent; midnight resets it.
func TestExportQuota(t *testing.T) {
	e := startSandbox(t, Config{QuotaMB: 1, Leads: 20000})
	pending := e.createExport(objLeads, `{"fields":["id"],"filter":{"staticListId":5}}`)
	st, _ := e.runExport(objLeads, `{"fields":["id","email","firstName","lastName","company","title","city"],"filter":{"staticListId":1}}`)
	if *st.FileSize < 1<<20 {
		t.Fatalf("export of %d bytes does not spend a 1 MB quota", *st.FileSize)
	}
	stats := e.stats()
	if stats.QuotaUsedBytes != *st.FileSize {
		t.Errorf("quotaUsedBytes = %d, want %d", stats.QuotaUsedBytes, *st.FileSize)
	}
	const want = "1029 Export daily quota 1MB exceeded."
	if env := e.call("POST", "/bulk/v1/leads/export/create.json", `{"fields":["id"],"filter":{"staticListId":5}}`); env.errCode() != want {
		t.Errorf("create over quota: %s", env.raw)
	}
	if env := e.exportCall(objLeads, pending, "enqueue"); env.errCode() != want {
		t.Errorf("enqueue over quota: %s", env.raw)
	}
	// advance to just after the next Chicago midnight
	now := e.s.Now().In(chicago)
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 1, 0, chicago)
	e.s.Advance(next.Sub(now))
	e.mustOK(e.exportCall(objLeads, pending, "enqueue"))
	if got := e.stats().QuotaUsedBytes; got != 0 {
		t.Errorf("quota after midnight = %d", got)
	}
}

// TestRateLimit: the 101st call within 20 s gets 606; identity and control
// endpoints are not counted.
func TestRateLimit(t *testing.T) {
	e := startSandbox(t, Config{})
	e.fetchToken()
	var last []byte
	for range 101 {
		_, _, last = e.raw("GET", "/rest/v1/activities/types.json", nil, nil)
	}
	assertError(t, last, "606", "Max rate limit '100' exceeded with in '20' secs")
	e.fetchToken() // identity still answers
	if st := e.stats(); st.MaxCallsIn20s != 101 {
		t.Errorf("maxCallsIn20s = %d", st.MaxCallsIn20s)
	}
}

// TestConcurrencyLimit holds ten downloads open (their bodies unread, so
// the handlers block writing) and checks the eleventh call gets 615.
func TestConcurrencyLimit(t *testing.T) {
	e := startSandbox(t, Config{Leads: 150000})
	st, _ := e.runExport(objLeads, `{"fields":["id","email","firstName","lastName","company","title","phone","city","state","country","cookies"],"filter":{"staticListId":1}}`)
	tr := &http.Transport{MaxConnsPerHost: 20, DisableCompression: true, ReadBufferSize: 1024}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var open []*http.Response
	defer func() {
		for _, r := range open {
			r.Body.Close()
		}
	}()
	for range 10 {
		req, _ := http.NewRequest("GET", e.base+"/bulk/v1/leads/export/"+st.ExportID+"/file.json", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, resp)
	}
	// wait until all ten are blocked in their handlers
	deadline := time.Now().Add(10 * time.Second)
	for e.s.limiter.inflightNow() < 10 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	_, _, b := e.raw("GET", "/rest/v1/activities/types.json", nil, nil)
	assertError(t, b, "615", "Concurrent access limit '10' reached")
	for _, r := range open {
		io.Copy(io.Discard, r.Body)
	}
	if got := e.stats().MaxConcurrentCalls; got != 11 {
		t.Errorf("maxConcurrentCalls = %d", got)
	}
}

// TestDuplicateEnqueuesAndEarlyPolls exercises the two client-behaviour
// counters of stats.
func TestDuplicateEnqueuesAndEarlyPolls(t *testing.T) {
	e := startSandbox(t, Config{})
	body := `{"fields":["id","email"],"format":"CSV","filter":{"createdAt":` + jan2026 + `}}`
	a := e.createExport(objLeads, body)
	b := e.createExport(objLeads, `{"format":"CSV","fields":["id","email"],"filter":{"createdAt":{"endAt":"2026-01-31T23:59:59Z","startAt":"2026-01-01T00:00:00Z"}}}`)
	c := e.createExport(objLeads, `{"fields":["email","id"],"filter":{"createdAt":`+jan2026+`}}`)
	for _, id := range []string{a, b, c} {
		e.mustOK(e.exportCall(objLeads, id, "enqueue"))
	}
	e.exportState(objLeads, a)
	e.exportState(objLeads, a) // too soon
	e.s.Advance(statusRefresh)
	e.exportState(objLeads, a) // a refresh later: fine
	e.exportState(objLeads, b) // first poll of b: fine
	st := e.stats()
	if st.Exports.DuplicateEnqueues != 1 || st.PollsBeforeRefresh != 1 {
		t.Errorf("duplicateEnqueues = %d (want 1), pollsBeforeRefresh = %d (want 1)", st.Exports.DuplicateEnqueues, st.PollsBeforeRefresh)
	}
}

// TestRealTimeProgress runs at a high time scale without touching the
// clock: jobs complete on their own within a few real ticks.
func TestRealTimeProgress(t *testing.T) {
	e := startSandbox(t, Config{TimeScale: 3600})
	id := e.createExport(objLeads, `{"fields":["id"],"filter":{"staticListId":4}}`)
	e.mustOK(e.exportCall(objLeads, id, "enqueue"))
	var seen []string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st := e.exportState(objLeads, id)
		if len(seen) == 0 || seen[len(seen)-1] != st.Status {
			seen = append(seen, st.Status)
		}
		if st.Status == statusCompleted {
			break
		}
		time.Sleep(e.s.clock.RealDuration(statusRefresh))
	}
	if len(seen) != 3 || seen[2] != statusCompleted {
		t.Errorf("statuses seen: %v", seen)
	}
	if got := e.stats().PollsBeforeRefresh; got != 0 {
		t.Errorf("polling at the refresh interval counted %d early polls", got)
	}
}

func TestCallLimiterWindow(t *testing.T) {
	l := newCallLimiter()
	t0 := time.Unix(0, 0)
	for i := range 100 {
		if code := l.enter(t0.Add(time.Duration(i) * 100 * time.Millisecond)); code != "" {
			t.Fatalf("call %d: %s", i, code)
		}
		l.leave()
	}
	if code := l.enter(t0.Add(19 * time.Second)); code != "606" {
		t.Errorf("101st call in 20 s: %q", code)
	}
	l.leave()
	if code := l.enter(t0.Add(41 * time.Second)); code != "" {
		t.Errorf("after the window: %q", code)
	}
	l.leave()
	var wg sync.WaitGroup
	codes := make(chan string, 11)
	for range 11 {
		codes <- l.enter(t0.Add(100 * time.Second))
	}
	close(codes)
	n615 := 0
	for c := range codes {
		if c == "615" {
			n615++
		}
	}
	wg.Wait()
	if n615 != 1 {
		t.Errorf("11 concurrent calls: %d got 615", n615)
	}
}
