// Command mkbulk is a declarative reconciler for Marketo Engage's Bulk APIs.
// See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := interruptContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
	}))
}

// interruptContext returns a context cancelled by the first SIGINT/SIGTERM.
// A second signal exits at once with 130, so a stuck step can always be
// abandoned (state is written step by step, so nothing recorded is lost).
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
			return
		}
		<-ch
		fmt.Fprintln(os.Stderr, "\nInterrupted twice: exiting now.")
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}
