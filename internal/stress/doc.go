// Package stress proves mkbulk under stress, end to end, with the real
// binary: it runs `mkbulk sandbox` and `mkbulk apply` as processes, kills
// apply at chosen moments, injects faults, spends the daily quota, and then
// checks every output byte against what the sandbox says it served.
//
// The non-test files are the harness (a sandbox process, apply runs with
// their -json events, kill triggers, output verification, scheduling
// arithmetic); bench/ uses the same harness for `make bench`. The tests in
// this package are the short forms that `make test` runs (about a minute:
// the fault suite waits out a few injected 606s, 20 s each). Flags:
//
//	-stress.long        the long crash form: 50 kills (-stress.kills=N for any N)
//	-stress.seed=N      another seed for kill moments and sandbox data
//	-stress.faults      the crash test under the fault suite's faults too
//	-stress.keep        keep the project directories (paths are logged)
//	-stress.tags=TAGS   build tags for the binary under test
//
// For example: go test ./internal/stress -run Crash -v -args -stress.long
package stress
