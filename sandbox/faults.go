package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// Fault kinds. A spec like "606:0.05,5xx:0.02,reset:0.01,truncate:0.01"
// gives each a per-request probability; the X-Sandbox-Fault header forces
// one ("606", "5xx", "502", "reset", "truncate", "fail").
type faultKind int

const (
	faultNone     faultKind = iota
	faultCode               // a Marketo error envelope (606, 615, 602, …)
	fault5xx                // a gateway error page
	faultReset              // the connection is closed without a response
	faultTruncate           // a file download stops short of Content-Length
	faultFail               // an enqueued export ends Failed
)

type fault struct {
	kind faultKind
	code string // Marketo code for faultCode, HTTP status for fault5xx ("" = any)
}

type faultRule struct {
	fault
	p float64
}

// faultInjector draws faults from a seeded RNG so a run is reproducible.
type faultInjector struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rules []faultRule
}

// FaultHeader forces a fault on one request.
const FaultHeader = "X-Sandbox-Fault"

func parseFault(name string) (fault, bool) {
	switch name = strings.ToLower(strings.TrimSpace(name)); name {
	case "5xx":
		return fault{fault5xx, ""}, true
	case "500", "502", "503", "504":
		return fault{fault5xx, name}, true
	case "reset":
		return fault{kind: faultReset}, true
	case "truncate":
		return fault{kind: faultTruncate}, true
	case "fail":
		return fault{kind: faultFail}, true
	}
	if _, ok := faultMessages[name]; ok {
		return fault{faultCode, name}, true
	}
	return fault{}, false
}

func parseFaults(spec string, seed int64) (*faultInjector, error) {
	fi := &faultInjector{rng: rand.New(rand.NewPCG(uint64(seed), 0xfa0175))}
	for _, part := range strings.Split(spec, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, prob, ok := strings.Cut(part, ":")
		f, known := parseFault(name)
		if !ok || !known {
			return nil, fmt.Errorf("sandbox: bad fault %q: want KIND:PROBABILITY with KIND one of 5xx, 500, 502, 503, 504, reset, truncate, fail, or a code (601 602 604 606 607 608 611 615 713)", part)
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(prob), 64)
		if err != nil || p < 0 || p > 1 {
			return nil, fmt.Errorf("sandbox: bad fault probability in %q: want a number in [0,1]", part)
		}
		fi.rules = append(fi.rules, faultRule{f, p})
	}
	return fi, nil
}

// applies reports whether a fault can happen on a route.
func (f fault) applies(rt *route) bool {
	switch f.kind {
	case faultCode:
		return rt.kind != kindIdentity
	case faultTruncate:
		return rt.kind == kindFile
	case faultFail:
		return rt.enqueue
	}
	return true
}

// pick decides the fault for one request: the forced one if the header
// names one that applies, else a random draw per rule.
func (fi *faultInjector) pick(forced string, rt *route) fault {
	if forced != "" {
		if f, ok := parseFault(forced); ok && f.applies(rt) {
			return fi.concrete(f)
		}
		return fault{}
	}
	fi.mu.Lock()
	defer fi.mu.Unlock()
	for _, r := range fi.rules {
		if r.p > 0 && r.applies(rt) && fi.rng.Float64() < r.p {
			return fi.concreteLocked(r.fault)
		}
	}
	return fault{}
}

func (fi *faultInjector) concrete(f fault) fault {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.concreteLocked(f)
}

func (fi *faultInjector) concreteLocked(f fault) fault {
	if f.kind == fault5xx && f.code == "" {
		f.code = []string{"500", "502", "503", "504"}[fi.rng.IntN(4)]
	}
	return f
}

var gatewayText = map[string]string{
	"500": "500 Internal Server Error",
	"502": "502 Bad Gateway",
	"503": "503 Service Temporarily Unavailable",
	"504": "504 Gateway Time-out",
}

// gatewayPage is what an nginx in front of Marketo answers on a 5xx.
func gatewayPage(code string) string {
	t := gatewayText[code]
	return "<html>\r\n<head><title>" + t + "</title></head>\r\n<body>\r\n<center><h1>" + t + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}
