// Package stress proves mkbulk under stress, end to end, with the real
// binary: it runs `mkbulk sandbox` and `mkbulk apply` as processes, kills
// apply at chosen moments, injects faults, spends the daily quota, and then
// checks every output byte against what the sandbox says it served.
//
// The non-test files are the harness (a sandbox process, apply runs with
// their -json events, kill triggers, output verification, scheduling
// arithmetic); bench/ uses the same harness for `make bench`. The tests in
// this package are the short forms that `make test` runs; -stress.long
// runs the long crash form.
package stress
