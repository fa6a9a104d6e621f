package stress

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mkbulk/mkbulk/sandbox"
)

var (
	flagLong = flag.Bool("stress.long", false, "run the long crash form (-stress.kills kills, default 50)")
	flagKill = flag.Int("stress.kills", 0, "kills in the crash test (default 5, or 50 with -stress.long)")
	flagSeed = flag.Int64("stress.seed", 1, "seed for kill moments and generated data")
	flagTags = flag.String("stress.tags", "", "build tags for the mkbulk binary under test")
	flagKeep = flag.Bool("stress.keep", false, "keep project directories (their paths are logged)")
	flagFlt  = flag.Bool("stress.faults", false, "run the crash test against a sandbox injecting the fault suite's faults too")
)

// mkbulkBin is the binary under test, built once by TestMain.
var mkbulkBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := ModuleRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "mkbulk-stress-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	mkbulkBin, err = Build(root, dir, *flagTags)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if testing.Verbose() {
		fmt.Printf("built %s in %s\n", mkbulkBin, time.Since(start).Round(time.Millisecond))
	}
	return m.Run()
}

// env is one test's sandbox and project.
type env struct {
	t   *testing.T
	sb  *Sandbox
	p   *Project
	ctx context.Context
	// faulty is set when the sandbox injects faults: a plan may then fail
	// on a call the client gives up on (two 602s in a row), and is run again.
	faulty bool
}

// newEnv starts a sandbox with args and makes an empty project directory.
func newEnv(t *testing.T, sandboxArgs ...string) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	sb, err := StartSandbox(ctx, mkbulkBin, sandboxArgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Error(err)
		}
	})
	dir := t.TempDir()
	if *flagKeep {
		var err error
		if dir, err = os.MkdirTemp("", "mkbulk-stress-"+strings.ReplaceAll(t.Name(), "/", "-")+"-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("project kept in %s", dir)
	}
	faulty := false
	for _, a := range sandboxArgs {
		faulty = faulty || strings.HasPrefix(a, "-faults=")
	}
	return &env{t: t, sb: sb, ctx: ctx, p: &Project{Bin: mkbulkBin, Dir: dir, Env: sb.Env}, faulty: faulty}
}

func (e *env) statePath() string { return filepath.Join(e.p.Dir, ".mkbulk", "state.db") }

// requireApply skips the test when the binary under test has no apply yet
// (it prints "not implemented"), so the suite can land before apply does.
func (e *env) requireApply(r *ApplyRun) {
	e.t.Helper()
	if strings.Contains(r.Stderr, "not implemented") {
		e.t.Skipf("mkbulk apply is not implemented in this build (%s); try -stress.tags=mkbulkwip", strings.TrimSpace(r.Stderr))
	}
}

// verify checks every output and the no-op plan, and returns what was verified.
func (e *env) verify() *Verified {
	e.t.Helper()
	v, err := Verify(e.p.Dir, e.statePath(), e.sb)
	if err != nil {
		e.t.Fatalf("verify: %v", err)
	}
	for _, p := range v.Problems {
		e.t.Error(p)
	}
	plan := e.p.Run(e.ctx, "plan", "-detailed-exitcode")
	for try := 1; e.faulty && plan.Code == 1 && try < 3; try++ {
		e.t.Logf("plan under faults exited 1 (%s); planning again", strings.TrimSpace(plan.Stderr))
		plan = e.p.Run(e.ctx, "plan", "-detailed-exitcode")
	}
	if plan.Code != 0 || !strings.Contains(plan.Stdout, "No changes.") {
		e.t.Errorf("mkbulk plan -detailed-exitcode after the final apply: exit %d, want 0 and \"No changes.\"\nstdout:\n%s\nstderr:\n%s",
			plan.Code, plan.Stdout, plan.Stderr)
	}
	return v
}

// stats reads the sandbox stats or fails the test.
func (e *env) stats() sandbox.Stats {
	e.t.Helper()
	st, err := e.sb.Stats()
	if err != nil {
		e.t.Fatalf("sandbox stats: %v", err)
	}
	return st
}

// describeRun is a one-line account of an apply run for logs.
func describeRun(r *ApplyRun) string {
	s := fmt.Sprintf("exit %d after %s, %d events", r.Code, r.Wall.Round(time.Millisecond), len(r.Events))
	if r.Killed {
		s = fmt.Sprintf("killed after %s (%s), %d events", r.KilledAfter.Round(time.Millisecond), r.Trigger, len(r.Events))
	}
	return s
}

// tail is the last n lines of s, for failure messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// failures lists the apply_errored events of a run, for failure messages.
func failures(r *ApplyRun) string {
	var b strings.Builder
	for _, ev := range r.Events {
		if ev.Type == "apply_errored" || ev.Level == "error" {
			b.WriteString(ev.Message)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
