// Command bench measures mkbulk against the targets of DESIGN.md §10 and
// prints one line per figure, each a ratio of two things measured in the
// same run: mkbulk against curl on the same file from the same sandbox,
// a schedule against the ideal one for the sandbox's own job times, an
// upload against the sandbox's own processing time, planning against its
// target. It then records the run in bench/results.md.
//
//	go run ./bench -bin bin/mkbulk            (what `make bench` runs)
//	go run ./bench -bin bin/mkbulk -only=download,planning -results=
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/internal/stress"
)

// figure is one measured line.
type figure struct {
	Name   string
	Ratio  float64
	Target string // e.g. "≥ 0.9"
	Met    bool
	Detail string
}

func (f figure) line() string {
	verdict := "MISSED"
	if f.Met {
		verdict = "ok"
	}
	return fmt.Sprintf("%-18s %6.2fx  (target %s, %s)  %s", f.Name, f.Ratio, f.Target, verdict, f.Detail)
}

// bench is one run's shared setup.
type bench struct {
	ctx  context.Context
	bin  string
	work string // scratch directory, removed at the end
	logf func(format string, args ...any)
}

func main() {
	bin := flag.String("bin", "bin/mkbulk", "the mkbulk binary to measure")
	results := flag.String("results", "bench/results.md", "Markdown file to record the run in (empty: do not record)")
	only := flag.String("only", "", "comma-separated subset of download,scheduling,import,planning")
	gb := flag.Float64("download-gb", 1.05, "size of the download figure's export, in GB (10^9 bytes)")
	verbose := flag.Bool("v", false, "log progress to stderr")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		fatal(fmt.Errorf("%s: %w (run make build first)", *bin, err))
	}
	work, err := os.MkdirTemp("", "mkbulk-bench-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(work)
	b := &bench{ctx: ctx, bin: abs, work: work, logf: func(string, ...any) {}}
	if *verbose {
		b.logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }
	}

	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	runs := []struct {
		name string
		run  func() ([]figure, error)
	}{
		{"download", func() ([]figure, error) { return b.download(*gb) }},
		{"scheduling", b.scheduling},
		{"import", b.importFigures},
		{"planning", b.planning},
	}
	start := time.Now()
	var figures []figure
	failed := false
	for _, r := range runs {
		if len(want) > 0 && !want[r.name] {
			continue
		}
		t0 := time.Now()
		fs, err := r.run()
		if err != nil {
			fmt.Printf("%-18s error: %v\n", r.name, err)
			failed = true
			continue
		}
		for _, f := range fs {
			fmt.Println(f.line())
		}
		b.logf("%s took %s", r.name, time.Since(t0).Round(time.Millisecond))
		figures = append(figures, fs...)
	}
	elapsed := time.Since(start)
	fmt.Printf("bench took %s\n", elapsed.Round(time.Second))
	if *results != "" && len(figures) > 0 {
		cmdline := "make bench` → `bash scripts/bench.sh " + *bin + "` → `" + strings.Join(append([]string{"bin/mkbench"}, os.Args[1:]...), " ")
		if err := record(*results, figures, cmdline, elapsed); err != nil {
			fatal(err)
		}
		fmt.Printf("recorded in %s\n", *results)
	}
	if failed {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// project makes a fresh project directory under the scratch directory.
func (b *bench) project(name string, sb *stress.Sandbox) (*stress.Project, error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &stress.Project{Bin: b.bin, Dir: dir, Env: sb.Env}, nil
}

func writeFile(dir, name, body string) error {
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(body), 0o644)
}

func mb(n int64) float64 { return float64(n) / 1e6 }
