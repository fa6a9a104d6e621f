package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mkbulk/mkbulk/sandbox"
)

// Script commands for an in-process sandbox:
//
//	sandbox [-leads=N] [-seed=N] [-time-scale=X] [-quota-mb=N] [-faults=SPEC]
//	        [-smart-lists] [-reject-query-token]
//	    start a sandbox on 127.0.0.1:0 for this script (default time scale
//	    3600, so a status refresh is 16.7ms) and set MARKETO_ENDPOINT,
//	    MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET and MKBULK_POLL_INTERVAL;
//	    it stops when the script ends
//	sandboxstats [KEY OP VALUE]
//	    without arguments print GET /sandbox/stats.json to stdout; with them
//	    compare a number in it (KEY "exports.duplicateEnqueues",
//	    'callsByOperation.POST /bulk/v1/leads/export/create.json'; OP one of
//	    == != < <= > >=); negatable with !
//	sandboxadvance SECONDS
//	    move the sandbox's simulated clock forward (POST /sandbox/advance.json)
//	sandboxcmd [FLAGS]
//	    run the real `mkbulk sandbox -listen=127.0.0.1:0 FLAGS` as a process,
//	    print its startup lines to stdout, fetch a token from the printed
//	    endpoint, interrupt it (SIGINT) and require a clean exit 0 with its
//	    temporary data dir (under $WORK) removed
func init() {
	scriptCmds["sandbox"] = scriptSandbox
	scriptCmds["sandboxstats"] = scriptSandboxStats
	scriptCmds["sandboxadvance"] = scriptSandboxAdvance
	scriptCmds["sandboxcmd"] = scriptSandboxCmd
}

func scriptSandbox(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sandbox")
	}
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	var cfg sandbox.Config
	fs.Int64Var(&cfg.Seed, "seed", 1, "")
	fs.IntVar(&cfg.Leads, "leads", 10000, "")
	fs.Float64Var(&cfg.TimeScale, "time-scale", 3600, "")
	fs.IntVar(&cfg.QuotaMB, "quota-mb", 500, "")
	fs.StringVar(&cfg.Faults, "faults", "", "")
	fs.BoolVar(&cfg.SmartLists, "smart-lists", false, "")
	fs.BoolVar(&cfg.RejectQueryToken, "reject-query-token", false, "")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		ts.Fatalf("usage: sandbox [-leads=N] [-seed=N] [-time-scale=X] [-quota-mb=N] [-faults=SPEC] [-smart-lists] [-reject-query-token]: %v", err)
	}
	srv, err := sandbox.New(cfg) // data in a temp dir that Close removes
	ts.Check(err)
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		srv.Close()
		ts.Fatalf("sandbox: %v", err)
	}
	ts.Defer(func() { srv.Close() })
	ts.Setenv("MARKETO_ENDPOINT", base)
	ts.Setenv("MARKETO_CLIENT_ID", sandbox.ClientID)
	ts.Setenv("MARKETO_CLIENT_SECRET", sandbox.ClientSecret)
	ts.Setenv("MKBULK_POLL_INTERVAL", pollInterval(cfg.TimeScale).String())
	ts.Logf("sandbox on %s (leads=%d time-scale=%g quota-mb=%d faults=%q)", base, cfg.Leads, cfg.TimeScale, cfg.QuotaMB, cfg.Faults)
}

func sandboxEndpoint(ts *testscript.TestScript, name string) string {
	endpoint := ts.Getenv("MARKETO_ENDPOINT")
	if endpoint == "" {
		ts.Fatalf("%s: MARKETO_ENDPOINT is not set (run sandbox first)", name)
	}
	return strings.TrimRight(endpoint, "/")
}

func scriptSandboxStats(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 && len(args) != 3 {
		ts.Fatalf("usage: sandboxstats [KEY OP VALUE]")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(sandboxEndpoint(ts, "sandboxstats") + "/sandbox/stats.json")
	ts.Check(err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	ts.Check(err)
	if len(args) == 0 {
		if neg {
			ts.Fatalf("unsupported: ! sandboxstats without a comparison")
		}
		var pretty bytes.Buffer
		ts.Check(json.Indent(&pretty, body, "", "  "))
		fmt.Fprintln(ts.Stdout(), pretty.String())
		return
	}
	var stats map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	ts.Check(dec.Decode(&stats))
	got, ok := statsLookup(stats, args[0])
	if !ok {
		ts.Fatalf("sandboxstats: no number at %q in %s", args[0], body)
	}
	want, err := strconv.ParseFloat(args[2], 64)
	ts.Check(err)
	holds, known := compare(got, args[1], want)
	if !known {
		ts.Fatalf("sandboxstats: unknown operator %q (want == != < <= > >=)", args[1])
	}
	if holds == neg {
		not := ""
		if neg {
			not = "not "
		}
		ts.Fatalf("sandboxstats: %s = %v, want %s%s %s", args[0], got, not, args[1], args[2])
	}
	ts.Logf("sandboxstats: %s = %v", args[0], got)
}

// statsLookup follows a dotted path; a key may itself contain dots
// ("callsByOperation.GET /bulk/v1/leads/export/{exportId}/status.json"),
// so at each level the longest matching key wins.
func statsLookup(v any, path string) (float64, bool) {
	for path != "" {
		m, ok := v.(map[string]any)
		if !ok {
			return 0, false
		}
		if x, ok := m[path]; ok {
			v, path = x, ""
			break
		}
		found := false
		for i := len(path) - 1; i > 0; i-- {
			if path[i] != '.' {
				continue
			}
			if x, ok := m[path[:i]]; ok {
				v, path, found = x, path[i+1:], true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func compare(got float64, op string, want float64) (holds, known bool) {
	switch op {
	case "==":
		return got == want, true
	case "!=":
		return got != want, true
	case "<":
		return got < want, true
	case "<=":
		return got <= want, true
	case ">":
		return got > want, true
	case ">=":
		return got >= want, true
	}
	return false, false
}

func scriptSandboxAdvance(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sandboxadvance SECONDS")
	}
	if _, err := strconv.ParseFloat(args[0], 64); err != nil {
		ts.Fatalf("sandboxadvance: %v", err)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Post(sandboxEndpoint(ts, "sandboxadvance")+"/sandbox/advance.json?seconds="+args[0], "", nil)
	ts.Check(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		ts.Fatalf("sandboxadvance: %s %s", resp.Status, body)
	}
	ts.Logf("sandboxadvance: %s", body)
}

func scriptSandboxCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sandboxcmd")
	}
	bin := ""
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, "mkbulk"); bin == "" {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		ts.Fatalf("sandboxcmd: no mkbulk on the script's PATH")
	}
	cmd := exec.Command(bin, append([]string{"sandbox", "-listen=127.0.0.1:0"}, args...)...)
	cmd.Env = []string{"PATH=" + ts.Getenv("PATH"), "HOME=" + ts.Getenv("HOME"), "TMPDIR=" + ts.Getenv("WORK")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	done := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	var got []string
	timeout := time.After(30 * time.Second)
	for len(got) < 5 {
		select {
		case l, ok := <-lines:
			if !ok {
				ts.Fatalf("sandboxcmd: exited after %q: %s", got, stderr.String())
			}
			got = append(got, l)
		case <-timeout:
			cmd.Process.Kill()
			ts.Fatalf("sandboxcmd: no startup lines after 30s (got %q)", got)
		}
	}
	fmt.Fprintln(ts.Stdout(), strings.Join(got, "\n"))
	endpoint, _ := strings.CutPrefix(got[1], "MARKETO_ENDPOINT=")
	resp, err := http.Get(endpoint + "/identity/oauth/token?grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret")
	if err != nil {
		cmd.Process.Kill()
		ts.Fatalf("sandboxcmd: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Fprintf(ts.Stdout(), "identity: %d %s\n", resp.StatusCode, body)
	ts.Check(cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-done:
		if err != nil {
			ts.Fatalf("sandboxcmd: after SIGINT: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		ts.Fatalf("sandboxcmd: still running 30s after SIGINT")
	}
	if left, _ := filepath.Glob(filepath.Join(ts.Getenv("WORK"), "mkbulk-sandbox-*")); len(left) > 0 {
		ts.Fatalf("sandboxcmd: data dir left behind: %v", left)
	}
	fmt.Fprintln(ts.Stdout(), "exited cleanly, temporary data dir removed")
}
