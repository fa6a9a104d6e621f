package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

const resultsHeader = `# mkbulk benchmarks

Each run of ` + "`make bench`" + ` (scripts/bench.sh → bench/) adds a section at the
top; older runs stay below, so the history is visible here and in git. Every
figure is a ratio of two things measured in the same run (DESIGN.md §10).
The machines are shared and small: read ratios, not absolute times, and
compare runs on the same machine.

`

// record inserts this run's section at the top of the results file.
func record(path string, figures []figure, cmdline string, elapsed time.Duration) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	history := string(old)
	if i := strings.Index(history, "\n## "); i >= 0 {
		history = history[i+1:]
	} else {
		history = ""
	}
	var b strings.Builder
	b.WriteString(resultsHeader)
	fmt.Fprintf(&b, "## %s — %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), gitDescribe())
	fmt.Fprintf(&b, "- Command: `%s`\n", cmdline)
	fmt.Fprintf(&b, "- Machine: %d × %s, %s, %s, load average at start %s\n", runtime.NumCPU(), cpuModel(), kernel(), goVersion(), loadAverage())
	fmt.Fprintf(&b, "- Whole run: %s\n\n", elapsed.Round(time.Second))
	b.WriteString("| figure | ratio | target | met | measured |\n| --- | --- | --- | --- | --- |\n")
	for _, f := range figures {
		met := "yes"
		if !f.Met {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %.2f× | %s | %s | %s |\n", f.Name, f.Ratio, f.Target, met, strings.ReplaceAll(f.Detail, "|", "\\|"))
	}
	b.WriteString("\n")
	b.WriteString(history)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return "Linux " + strings.TrimSpace(string(b))
}

// goVersion is the toolchain that built the bench (and, in make bench,
// mkbulk: the same go on PATH).
func goVersion() string { return runtime.Version() }

// loadAverage is the 1-minute load average: other work on the machine
// shows in the figures.
var startLoad = readLoad()

func loadAverage() string { return startLoad }

func readLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// gitDescribe is the commit measured, marked when the tree had changes.
func gitDescribe() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += " (with uncommitted changes)"
	}
	return "commit " + rev
}
