package stress

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Project is a project directory and the mkbulk binary and environment to
// run in it.
type Project struct {
	Bin string
	Dir string
	// Env is added to the process environment (the sandbox's lines, and
	// anything a test sets).
	Env []string
}

// Result is one finished mkbulk process.
type Result struct {
	Args   []string
	Code   int // exit code; -1 when killed by a signal
	Stdout string
	Stderr string
	Wall   time.Duration
	// PeakRSSKB is the process's peak resident set (kB), from wait4's
	// rusage (ru_maxrss), which the kernel keeps even after a SIGKILL.
	PeakRSSKB int64
}

// Run runs `mkbulk ARGS...` in the project to completion.
func (p *Project) Run(ctx context.Context, args ...string) Result {
	cmd := p.command(ctx, args)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := Result{Args: args, Stdout: out.String(), Stderr: errb.String(), Wall: time.Since(start)}
	r.Code, r.PeakRSSKB = exitInfo(cmd, err)
	return r
}

func (p *Project) command(ctx context.Context, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.Bin, args...)
	cmd.Dir = p.Dir
	// A clean environment: nothing from the developer's shell (a real
	// MARKETO_ENDPOINT, MKBULK_LOG) leaks into the runs.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + p.Dir, "MKBULK_INPUT=false", "NO_COLOR=1"}, p.Env...)
	return cmd
}

func exitInfo(cmd *exec.Cmd, err error) (code int, rssKB int64) {
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
		rssKB = maxRSSKB(cmd.ProcessState)
		return code, rssKB
	}
	if err != nil {
		return -2, 0
	}
	return 0, 0
}

// Event is one line of `mkbulk apply -json` (Terraform's machine UI
// envelope; DESIGN.md §5).
type Event struct {
	Level      string         `json:"@level"`
	Message    string         `json:"@message"`
	Timestamp  string         `json:"@timestamp"`
	Type       string         `json:"type"`
	Hook       map[string]any `json:"hook"`
	Changes    map[string]any `json:"changes"`
	Diagnostic map[string]any `json:"diagnostic"`
	// Received is when the harness read the line.
	Received time.Time `json:"-"`
}

// Kind is hook.event ("job_created", "download", "chunk_uploaded", …) or,
// for lines without one, the line's type.
func (e Event) Kind() string {
	if s, ok := e.Hook["event"].(string); ok {
		return s
	}
	return e.Type
}

// Resource is hook.resource.addr.
func (e Event) Resource() string {
	if r, ok := e.Hook["resource"].(map[string]any); ok {
		s, _ := r["addr"].(string)
		return s
	}
	return ""
}

// Str returns hook[key] as a string ("" when absent).
func (e Event) Str(key string) string {
	s, _ := e.Hook[key].(string)
	return s
}

// Num returns hook[key] (or changes[key]) as a number.
func (e Event) Num(key string) float64 {
	if v, ok := e.Hook[key].(float64); ok {
		return v
	}
	v, _ := e.Changes[key].(float64)
	return v
}

// Bool returns hook[key] as a bool.
func (e Event) Bool(key string) bool {
	b, _ := e.Hook[key].(bool)
	return b
}

// Time parses @timestamp.
func (e Event) Time() time.Time {
	t, _ := time.Parse("2006-01-02T15:04:05.000000Z07:00", e.Timestamp)
	return t
}

// ApplyRun is one `mkbulk apply -json` process, finished or killed.
type ApplyRun struct {
	Result
	Events []Event
	// Killed is set when the harness killed the process (it had not
	// exited by itself); KilledAfter is how long after start.
	Killed      bool
	KilledAfter time.Duration
	// Trigger says what fired the kill ("" when not killed).
	Trigger string
	// Summary is the final change_summary line, when the run got that far.
	Summary *Event
}

// Count returns the number of events with the given Kind.
func (r *ApplyRun) Count(kind string) int {
	n := 0
	for _, e := range r.Events {
		if e.Kind() == kind {
			n++
		}
	}
	return n
}

// Killer decides when to SIGKILL a running apply. Event is offered every
// event as it is read, Poll is called every PollEvery while the process
// runs; the first that returns true arms the kill, which happens Delay
// later. A nil Killer never kills.
type Killer struct {
	Name      string
	Event     func(ev Event) bool
	Poll      func() bool
	PollEvery time.Duration
	// After kills unconditionally this long after start (0: never).
	After time.Duration
	Delay time.Duration
}

// Apply runs `mkbulk apply -json -auto-approve ARGS...`, streaming its
// events, and kills it (SIGKILL) when k says so.
func (p *Project) Apply(ctx context.Context, k *Killer, args ...string) *ApplyRun {
	args = append([]string{"apply", "-json", "-auto-approve"}, args...)
	cmd := p.command(ctx, args)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	run := &ApplyRun{Result: Result{Args: args}}
	if err != nil {
		run.Code, run.Stderr = -2, err.Error()
		return run
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		run.Code, run.Stderr = -2, err.Error()
		return run
	}

	var (
		mu     sync.Mutex
		armed  bool
		sentBy string // why the kill was sent; set before the signal
		exited = make(chan struct{})
		plain  strings.Builder
	)
	kill := func(why string) {
		mu.Lock()
		if armed {
			mu.Unlock()
			return
		}
		armed = true
		mu.Unlock()
		delay := time.Duration(0)
		if k != nil {
			delay = k.Delay
		}
		go func() {
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-exited:
					return
				}
			}
			select {
			case <-exited:
				return
			default:
			}
			mu.Lock()
			sentBy = why
			mu.Unlock()
			_ = cmd.Process.Kill()
		}()
	}

	if k != nil && k.After > 0 {
		t := time.AfterFunc(k.After, func() { kill("after " + k.After.String()) })
		defer t.Stop()
	}
	if k != nil && k.Poll != nil {
		every := k.PollEvery
		if every <= 0 {
			every = 500 * time.Microsecond
		}
		go func() {
			tk := time.NewTicker(every)
			defer tk.Stop()
			for {
				select {
				case <-exited:
					return
				case <-tk.C:
					if k.Poll() {
						kill(k.Name + " (watched)")
						return
					}
				}
			}
		}()
	}

	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev Event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			plain.Write(line)
			plain.WriteByte('\n')
			continue
		}
		ev.Received = time.Now()
		run.Events = append(run.Events, ev)
		if ev.Type == "change_summary" && ev.Changes["operation"] == "apply" {
			e := ev
			run.Summary = &e
		}
		if k != nil && k.Event != nil && k.Event(ev) {
			kill(k.Name + " after " + ev.Kind())
		}
	}
	err = cmd.Wait()
	close(exited)
	run.Wall = time.Since(start)
	run.Code, run.PeakRSSKB = exitInfo(cmd, err)
	run.Stdout = plain.String()
	run.Stderr = errb.String()
	// Killed only counts when the signal ended it: a process that exited
	// by itself an instant before the signal reports its own code.
	mu.Lock()
	why := sentBy
	mu.Unlock()
	var ee *exec.ExitError
	if why != "" && errors.As(err, &ee) && run.Code == -1 {
		run.Killed, run.KilledAfter, run.Trigger = true, run.Wall, why
	}
	return run
}
