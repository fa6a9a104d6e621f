package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands for plan and show scripts (plan*.txtar, show*.txtar):
//
//	wantexit CODE PROG ARGS...  run PROG ARGS (e.g. mkbulk plan) and require
//	                            exit code CODE (testscript's `! exec`
//	                            accepts any failure; -detailed-exitcode
//	                            needs exactly 2)
//	planreadonly              require that the sandbox saw no export
//	                          create/enqueue/cancel and no import upload
//	                          (GET $MARKETO_ENDPOINT/sandbox/stats.json)
func init() {
	scriptCmds["wantexit"] = scriptWantExit
	scriptCmds["planreadonly"] = scriptPlanReadOnly
}

func scriptWantExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! wantexit")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: wantexit CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("wantexit: bad exit code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("wantexit: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// sandboxStats is the part of /sandbox/stats.json planreadonly checks.
type sandboxStats struct {
	CallsByOperation map[string]int `json:"callsByOperation"`
	Exports          struct {
		Created   int `json:"created"`
		Enqueued  int `json:"enqueued"`
		Cancelled int `json:"cancelled"`
	} `json:"exports"`
	Imports struct {
		Created int `json:"created"`
	} `json:"imports"`
}

func scriptPlanReadOnly(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! planreadonly")
	}
	endpoint := ts.Getenv("MARKETO_ENDPOINT")
	if endpoint == "" {
		ts.Fatalf("planreadonly: MARKETO_ENDPOINT is not set (start the sandbox first)")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(strings.TrimRight(endpoint, "/") + "/sandbox/stats.json")
	ts.Check(err)
	defer resp.Body.Close()
	var st sandboxStats
	ts.Check(json.NewDecoder(resp.Body).Decode(&st))
	if st.Exports.Created+st.Exports.Enqueued+st.Exports.Cancelled+st.Imports.Created != 0 {
		ts.Fatalf("planreadonly: the sandbox saw writes: %+v", st)
	}
	for op, n := range st.CallsByOperation {
		if n > 0 && (strings.HasPrefix(op, "POST /bulk/") || strings.Contains(op, "/cancel") || strings.Contains(op, "/enqueue")) {
			ts.Fatalf("planreadonly: the sandbox saw %d× %s", n, op)
		}
	}
	ts.Logf("sandbox calls: %v", st.CallsByOperation)
}
