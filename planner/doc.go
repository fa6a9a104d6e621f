// Package planner computes a *plan.Plan from manifests, a state snapshot,
// describe results, refreshed job statuses, local file facts and the time.
// It is a pure function with no I/O of its own: callers gather the inputs.
package planner
