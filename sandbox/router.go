package sandbox

import (
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

type routeKind int

const (
	kindAPI      routeKind = iota // authenticated, rate limited
	kindFile                      // kindAPI that streams an export file
	kindIdentity                  // OAuth token endpoint
)

// route is one endpoint. Pattern segments are literals, "{name}" or
// "{name}.json"; op ("GET /bulk/v1/leads/export/{exportId}/status.json")
// names it in stats.
type route struct {
	method  string
	pattern string
	segs    []string
	kind    routeKind
	enqueue bool
	h       func(*call)
}

func (rt *route) op() string { return rt.method + " " + rt.pattern }

// call is one request on its way through the handlers.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	rt     *route
	params map[string]string
	reqID  string
	fault  fault // truncate or fail, left for the handler to apply
}

func (c *call) param(name string) string { return c.params[name] }

type router struct {
	s      *Server
	routes []*route
}

func (r *router) add(method, pattern string, kind routeKind, h func(*call)) *route {
	rt := &route{method: method, pattern: pattern, segs: strings.Split(strings.Trim(pattern, "/"), "/"), kind: kind, h: h}
	r.routes = append(r.routes, rt)
	return rt
}

// match finds the route for a path; methodOnly reports a path that exists
// under another method (605).
func (r *router) match(method, path string) (rt *route, params map[string]string, methodOnly bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, cand := range r.routes {
		p, ok := matchSegs(cand.segs, segs)
		if !ok {
			continue
		}
		if cand.method == method {
			return cand, p, false
		}
		methodOnly = true
	}
	return nil, nil, methodOnly
}

func matchSegs(pat, segs []string) (map[string]string, bool) {
	if len(pat) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pat {
		if len(p) > 2 && p[0] == '{' {
			end := strings.IndexByte(p, '}')
			suffix := p[end+1:]
			if !strings.HasSuffix(segs[i], suffix) || len(segs[i]) == len(suffix) {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[p[1:end]] = strings.TrimSuffix(segs[i], suffix)
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// ServeHTTP is the gateway: control endpoints bypass everything; Marketo
// endpoints are counted, may get a fault, are authenticated and limited,
// then handled.
func (r *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	s := r.s
	if strings.HasPrefix(req.URL.Path, "/sandbox/") {
		s.serveControl(w, req)
		return
	}
	rt, params, methodOnly := r.match(req.Method, req.URL.Path)
	c := &call{s: s, w: w, r: req, rt: rt, params: params, reqID: s.newRequestID()}

	s.mu.Lock()
	s.advanceLocked()
	s.counters.calls++
	if rt != nil {
		s.counters.byOp[rt.op()]++
	} else {
		s.counters.byOp["UNKNOWN"]++
	}
	s.mu.Unlock()

	if rt == nil {
		if methodOnly {
			c.fail("605", "Request method '"+req.Method+"' not supported")
			return
		}
		c.fail("610", msgNotFound)
		return
	}

	f := s.faults.pick(req.Header.Get(FaultHeader), rt)
	switch f.kind {
	case faultReset:
		s.counters.faults.Add(1)
		dropConnection(w, true)
		return
	case fault5xx:
		s.counters.faults.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(int(parseInt64(f.code)))
		io.WriteString(w, gatewayPage(f.code))
		return
	}

	if rt.kind == kindIdentity {
		c.identity()
		return
	}
	if code, msg := s.authenticate(req); code != "" {
		c.fail(code, msg)
		return
	}
	code := s.limiter.enter(time.Now())
	defer s.limiter.leave()
	switch code {
	case "615":
		c.fail(code, msgConcurrent)
		return
	case "606":
		c.fail(code, msgRateLimit)
		return
	}
	if f.kind == faultCode {
		s.counters.faults.Add(1)
		c.fail(f.code, faultMessages[f.code])
		return
	}
	c.fault = f
	rt.h(c)
}

// dropConnection closes the TCP connection under the handler: with a
// reset (RST) for the reset fault, with a plain close (the client sees an
// unexpected EOF) for a truncated body.
func dropConnection(w http.ResponseWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}

// routes builds the endpoint table (MARKETO_API.md §3.1, §4.2, §5).
func (s *Server) routes() http.Handler {
	r := &router{s: s}
	r.add("GET", "/identity/oauth/token", kindIdentity, nil)
	r.add("POST", "/identity/oauth/token", kindIdentity, nil)

	r.add("GET", "/rest/v1/leads/describe2.json", kindAPI, (*call).describeLead2)
	r.add("GET", "/rest/v1/leads/describe.json", kindAPI, (*call).describeLead)
	r.add("GET", "/rest/v1/programs/members/describe.json", kindAPI, (*call).describeProgramMember)
	r.add("GET", "/rest/v1/program/members/describe.json", kindAPI, (*call).describeProgramMember)
	r.add("GET", "/rest/v1/customobjects.json", kindAPI, (*call).listCustomObjects)
	r.add("GET", "/rest/v1/customobjects/{apiName}/describe.json", kindAPI, (*call).describeCustomObject)
	r.add("GET", "/rest/v1/activities/types.json", kindAPI, (*call).activityTypes)

	for _, o := range []struct {
		kind   objectKind
		prefix string
	}{
		{objLeads, "/bulk/v1/leads"},
		{objActivities, "/bulk/v1/activities"},
		{objProgramMembers, "/bulk/v1/program/members"},
		{objCustomObject, "/bulk/v1/customobjects/{apiName}"},
	} {
		kind := o.kind
		bind := func(h func(*call, objectKind)) func(*call) { return func(c *call) { h(c, kind) } }
		r.add("POST", o.prefix+"/export/create.json", kindAPI, bind((*call).exportCreate))
		r.add("POST", o.prefix+"/export/{exportId}/enqueue.json", kindAPI, bind((*call).exportEnqueue)).enqueue = true
		r.add("GET", o.prefix+"/export/{exportId}/status.json", kindAPI, bind((*call).exportStatus))
		r.add("GET", o.prefix+"/export/{exportId}/file.json", kindFile, bind((*call).exportFile))
		r.add("POST", o.prefix+"/export/{exportId}/cancel.json", kindAPI, bind((*call).exportCancel))
		r.add("GET", o.prefix+"/export.json", kindAPI, bind((*call).exportList))
	}

	r.add("POST", "/bulk/v1/leads.json", kindAPI, func(c *call) { c.importCreate(impLeads) })
	r.add("GET", "/bulk/v1/leads/batch/{batchId}.json", kindAPI, func(c *call) { c.importStatus(impLeads) })
	r.add("GET", "/bulk/v1/leads/batch/{batchId}/failures.json", kindAPI, func(c *call) { c.importReport(impLeads, false) })
	r.add("GET", "/bulk/v1/leads/batch/{batchId}/warnings.json", kindAPI, func(c *call) { c.importReport(impLeads, true) })
	r.add("POST", "/bulk/v1/customobjects/{apiName}/import.json", kindAPI, func(c *call) { c.importCreate(impCustomObject) })
	r.add("GET", "/bulk/v1/customobjects/{apiName}/import/{batchId}/status.json", kindAPI, func(c *call) { c.importStatus(impCustomObject) })
	r.add("GET", "/bulk/v1/customobjects/{apiName}/import/{batchId}/failures.json", kindAPI, func(c *call) { c.importReport(impCustomObject, false) })
	r.add("GET", "/bulk/v1/customobjects/{apiName}/import/{batchId}/warnings.json", kindAPI, func(c *call) { c.importReport(impCustomObject, true) })
	r.add("POST", "/bulk/v1/program/{programId}/members/import.json", kindAPI, func(c *call) { c.importCreate(impProgramMembers) })
	r.add("GET", "/bulk/v1/program/members/import/{batchId}/status.json", kindAPI, func(c *call) { c.importStatus(impProgramMembers) })
	r.add("GET", "/bulk/v1/program/members/import/{batchId}/failures.json", kindAPI, func(c *call) { c.importReport(impProgramMembers, false) })
	r.add("GET", "/bulk/v1/program/members/import/{batchId}/warnings.json", kindAPI, func(c *call) { c.importReport(impProgramMembers, true) })
	return r
}
