package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mkbulk/mkbulk/statefile"
)

// Script commands for apply and destroy scripts (apply*.txtar, destroy*.txtar):
//
//	cpexamples DIR            copy the repository's examples/ to DIR
//	outputsverified [N]       every verified file in state (.mkbulk/state.db
//	                          of the current directory) is on disk with the
//	                          recorded sha256, which equals Marketo's
//	                          fileChecksum; with N, exactly N such files
//	crashapply [-int] N STEP  run `mkbulk apply -auto-approve` N times, killing
//	                          it (SIGKILL) after STEP, 2×STEP, … of real time;
//	                          with -int, interrupt it (SIGINT, Ctrl-C) instead
//	                          and require exit 130 with the resume hint
func init() {
	scriptCmds["outputsverified"] = scriptOutputsVerified
	scriptCmds["crashapply"] = scriptCrashApply
}

func scriptOutputsVerified(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: outputsverified [N]")
	}
	st, err := statefile.Open(ts.MkAbs(".mkbulk/state.db"), statefile.Options{ReadOnly: true})
	ts.Check(err)
	snap, err := st.Snapshot()
	st.Close()
	ts.Check(err)
	verified := 0
	for addr, rec := range snap.Resources {
		var path, want string
		switch {
		case rec.Export != nil && rec.Export.Done():
			e := rec.Export
			if "sha256:"+e.SHA256 != e.FileChecksum {
				ts.Fatalf("%s: state sha256 %s differs from Marketo's fileChecksum %s", addr, e.SHA256, e.FileChecksum)
			}
			path, want = e.Output, e.SHA256
		case rec.Merge != nil:
			path, want = rec.Merge.Output, rec.Merge.SHA256
		default:
			continue
		}
		data, err := os.ReadFile(ts.MkAbs(path))
		if err != nil {
			ts.Fatalf("%s: %v", addr, err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want {
			ts.Fatalf("%s: %s has sha256 %s, state says %s", addr, path, got, want)
		}
		if _, err := os.Stat(ts.MkAbs(path + ".partial")); err == nil {
			ts.Fatalf("%s: %s.partial left behind", addr, path)
		}
		verified++
	}
	ts.Logf("%d files verified against state and Marketo's checksums", verified)
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		if verified != n {
			ts.Fatalf("%d verified files, want %d", verified, n)
		}
	}
}

// scriptCrashApply kills applies at growing delays: whatever instant the
// kill lands on, the next apply must resume without duplicates.
func scriptCrashApply(ts *testscript.TestScript, neg bool, args []string) {
	interrupt := len(args) > 0 && args[0] == "-int"
	if interrupt {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: crashapply [-int] N STEP")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	step, err := time.ParseDuration(args[1])
	ts.Check(err)
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "MARKETO_ENDPOINT", "MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET", "MKBULK_POLL_INTERVAL", "MKBULK_LOG"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	// The test binary answers to the name mkbulk on the script's PATH
	// (testscript.Main installs it there, running main with its signal
	// handling), so it is killed and interrupted like the real binary.
	bin := ""
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, "mkbulk"); bin == "" {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		ts.Fatalf("crashapply: no mkbulk on the script's PATH")
	}
	for i := 1; i <= n; i++ {
		cmd := exec.Command(bin, "apply", "-auto-approve")
		cmd.Dir = ts.MkAbs(".")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		ts.Check(cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			ts.Logf("apply %d finished before the kill (%v)", i, err)
		case <-time.After(time.Duration(i) * step):
			if !interrupt {
				_ = cmd.Process.Kill()
				<-done
				ts.Logf("apply %d killed after %v", i, time.Duration(i)*step)
				break
			}
			_ = cmd.Process.Signal(os.Interrupt)
			err := <-done
			var ee *exec.ExitError
			switch {
			case err == nil:
				ts.Logf("apply %d finished as it was interrupted", i)
			case errors.As(err, &ee) && ee.ExitCode() == exitInterrupt:
				if !strings.Contains(out.String(), interruptedMessage) && !strings.Contains(out.String(), "Interrupted before anything was applied.") {
					ts.Fatalf("apply %d exited 130 without %q:\n%s", i, interruptedMessage, out.String())
				}
				ts.Logf("apply %d interrupted after %v", i, time.Duration(i)*step)
			default:
				ts.Fatalf("apply %d, interrupted, ended with %v (want exit 130):\n%s", i, err, out.String())
			}
		}
		fmt.Fprintf(ts.Stdout(), "--- apply %d ---\n%s", i, out.String())
	}
}
