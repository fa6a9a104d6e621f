package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mkbulk/mkbulk/sandbox"
)

// cmdSandbox runs the local Marketo-compatible server until the context is
// cancelled (first SIGINT/SIGTERM), then shuts down cleanly. The startup
// lines are a contract: scripts parse them (DESIGN.md §7).
func cmdSandbox(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "sandbox", "")
	listen := fs.String("listen", "127.0.0.1:8787", "`ADDR` to listen on (port 0 picks one)")
	seed := fs.Int64("seed", 1, "seed for the generated data")
	leads := fs.Int("leads", 10000, "number of generated leads")
	timeScale := fs.Float64("time-scale", 60, "simulated seconds per real second")
	quotaMB := fs.Int("quota-mb", 500, "daily bulk export quota in MB")
	faults := fs.String("faults", "", "fault probabilities, e.g. `606:0.05,615:0.05,602:0.02,5xx:0.02,reset:0.01,truncate:0.01`")
	dataDir := fs.String("data-dir", "", "directory for export files and import reports (default a temp dir, removed on exit)")
	smartLists := fs.Bool("smart-lists", false, "support smart list filters (otherwise 1035, as many subscriptions)")
	rejectQueryToken := fs.Bool("reject-query-token", false, "refuse access_token in the query string (only Authorization: Bearer)")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError
	}
	if *timeScale <= 0 {
		return e.errorf("mkbulk sandbox: -time-scale must be positive, got %g", *timeScale)
	}
	if *leads <= 0 {
		return e.errorf("mkbulk sandbox: -leads must be positive, got %d", *leads)
	}
	if *quotaMB <= 0 {
		return e.errorf("mkbulk sandbox: -quota-mb must be positive, got %d", *quotaMB)
	}
	// main cancels ctx on the first signal; listening here too (before the
	// startup lines announce us) keeps the shutdown clean wherever the
	// command runs, e.g. inside the test binary.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := sandbox.New(sandbox.Config{
		Seed: *seed, Leads: *leads, TimeScale: *timeScale, QuotaMB: *quotaMB, Faults: *faults,
		DataDir: *dataDir, SmartLists: *smartLists, RejectQueryToken: *rejectQueryToken,
	})
	if err != nil {
		return e.errorf("%v", err)
	}
	base, err := srv.Start(*listen)
	if err != nil {
		srv.Close()
		return e.errorf("%v", err)
	}
	fmt.Fprintf(e.stdout, "mkbulk sandbox listening on %s\n", base)
	fmt.Fprintf(e.stdout, "MARKETO_ENDPOINT=%s\n", base)
	fmt.Fprintf(e.stdout, "MARKETO_CLIENT_ID=%s\n", sandbox.ClientID)
	fmt.Fprintf(e.stdout, "MARKETO_CLIENT_SECRET=%s\n", sandbox.ClientSecret)
	fmt.Fprintf(e.stdout, "MKBULK_POLL_INTERVAL=%s\n", pollInterval(*timeScale))
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return e.errorf("mkbulk sandbox: shutdown: %v", err)
	}
	return exitOK
}

// pollInterval is the real-time length of Marketo's 60 s status refresh.
func pollInterval(timeScale float64) time.Duration {
	return time.Duration(float64(time.Minute) / timeScale)
}
