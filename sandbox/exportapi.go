package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// objectParam checks the custom object name in the path; other objects
// have none.
func (c *call) objectParam(obj objectKind) (string, bool) {
	if obj != objCustomObject {
		return "", true
	}
	name := c.param("apiName")
	if name != carAPIName {
		c.fail("1013", "Object not found")
		return "", false
	}
	return name, true
}

func (c *call) quotaExceededMsg() string {
	return "Export daily quota " + itoa(c.s.cfg.QuotaMB) + "MB exceeded."
}

// exportCreate: POST .../export/create.json with a JSON body.
func (c *call) exportCreate(obj objectKind) {
	apiName, ok := c.objectParam(obj)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
	if err != nil {
		c.fail("609", "Invalid JSON")
		return
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		c.fail("609", "Invalid JSON")
		return
	}
	spec, serr := parseSpec(obj, apiName, &req, c.s.cfg.SmartLists)
	if serr != nil {
		c.fail(serr.code, serr.msg)
		return
	}
	s := c.s
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.quota[quotaDay(now)] >= s.quotaBytes() {
		c.fail("1029", c.quotaExceededMsg())
		return
	}
	s.exports.seq++
	j := &exportJob{
		id: newUUID(), seq: s.exports.seq, obj: obj, apiName: apiName, spec: spec,
		key: jobKey(obj, apiName, &req, spec.format.Name), status: statusCreated, createdAt: now,
	}
	s.exports.byID[j.id] = j
	s.exports.all = append(s.exports.all, j)
	s.counters.exports.Created++
	// Real create responses carry only these four fields (MARKETO_API.md §3.2).
	c.ok([]exportStatus{{ExportID: j.id, Format: spec.format.Name, Status: j.status, CreatedAt: jsonTime(now)}})
}

// exportEnqueue: POST .../export/{exportId}/enqueue.json (no body).
func (c *call) exportEnqueue(obj objectKind) {
	apiName, ok := c.objectParam(obj)
	if !ok {
		return
	}
	s := c.s
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupExport(obj, apiName, c.param("exportId"), now)
	if j == nil {
		c.fail("1013", "Export job not found")
		return
	}
	switch j.status {
	case statusCreated:
	case statusQueued, statusProcessing:
		c.fail("1029", msgAlreadyQueued)
		return
	default:
		c.fail("1003", "Export job is "+j.status+"; only Created jobs can be enqueued")
		return
	}
	if s.exports.inQueue() >= maxQueued {
		c.fail("1029", msgTooManyJobs)
		return
	}
	if s.quota[quotaDay(now)] >= s.quotaBytes() {
		c.fail("1029", c.quotaExceededMsg())
		return
	}
	j.status = statusQueued
	j.queuedAt = now
	if c.fault.kind == faultFail {
		j.failPlanned = true
		s.counters.faults.Add(1)
	}
	s.exports.queue = append(s.exports.queue, j)
	s.counters.exports.Enqueued++
	if s.exports.enqueued[j.key] {
		s.counters.exports.DuplicateEnqueues++
	}
	s.exports.enqueued[j.key] = true
	s.noteExportPeaksLocked()
	c.ok([]exportStatus{j.wire()})
}

// exportStatus: GET .../export/{exportId}/status.json. Its answer changes
// only on status-refresh ticks; polls closer together than a refresh are
// counted in pollsBeforeRefresh.
func (c *call) exportStatus(obj objectKind) {
	apiName, ok := c.objectParam(obj)
	if !ok {
		return
	}
	s := c.s
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupExport(obj, apiName, c.param("exportId"), now)
	if j == nil {
		c.fail("1013", "Export job not found")
		return
	}
	if !j.lastPoll.IsZero() && now.Sub(j.lastPoll) < statusRefresh {
		s.counters.pollsBeforeRefresh++
	}
	j.lastPoll = now
	c.ok([]exportStatus{j.wire()})
}

// exportCancel: POST .../export/{exportId}/cancel.json.
func (c *call) exportCancel(obj objectKind) {
	apiName, ok := c.objectParam(obj)
	if !ok {
		return
	}
	s := c.s
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupExport(obj, apiName, c.param("exportId"), now)
	if j == nil {
		c.fail("1013", "Export job not found")
		return
	}
	switch j.status {
	case statusCreated, statusQueued, statusProcessing:
		s.cancelExportLocked(j)
	case statusCancelled:
	default:
		c.fail("1003", "Export job is "+j.status+"; it cannot be cancelled")
		return
	}
	c.ok([]exportStatus{j.wire()})
}

func (s *Server) cancelExportLocked(j *exportJob) {
	j.status = statusCancelled
	s.exports.queue = removeJob(s.exports.queue, j)
	s.exports.processing = removeJob(s.exports.processing, j)
	if j.cancelGen != nil {
		j.cancelGen()
	}
	if j.path != "" { // written, but never to be served
		removeQuietly(j.path)
		j.path = ""
	}
	s.counters.exports.Cancelled++
}

func removeJob(list []*exportJob, j *exportJob) []*exportJob {
	for i, x := range list {
		if x == j {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

const maxBatchSize = 300

// exportList: GET .../export.json?status=...&batchSize=...&nextPageToken=...
// Jobs created in the last 7 days, oldest first.
func (c *call) exportList(obj objectKind) {
	apiName, ok := c.objectParam(obj)
	if !ok {
		return
	}
	q := c.r.URL.Query()
	want := map[string]bool{}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			st = strings.ToLower(strings.TrimSpace(st))
			if st == "canceled" {
				st = "cancelled"
			}
			if st != "" {
				want[st] = true
			}
		}
	}
	size := maxBatchSize
	if v := q.Get("batchSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail("1003", "Invalid batchSize '"+v+"'")
			return
		}
		size = min(n, maxBatchSize)
	}
	var after int64
	if tok := q.Get("nextPageToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err == nil {
			after, err = strconv.ParseInt(strings.TrimPrefix(string(b), "exports:"), 10, 64)
		}
		if err != nil || !strings.HasPrefix(string(b), "exports:") {
			c.fail("1003", "Invalid nextPageToken")
			return
		}
	}
	s := c.s
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []exportStatus{}
	next := ""
	for _, j := range s.exports.all {
		if j.seq <= after || j.obj != obj || j.apiName != apiName || now.Sub(j.createdAt) > listWindow {
			continue
		}
		if len(want) > 0 && !want[strings.ToLower(j.status)] {
			continue
		}
		if len(out) == size {
			next = base64.RawURLEncoding.EncodeToString([]byte("exports:" + strconv.FormatInt(after, 10)))
			break
		}
		out = append(out, j.wire())
		after = j.seq
	}
	writeJSON(c.w, 200, envelope{RequestID: c.reqID, Result: out, Success: true, NextPageToken: next})
}
