// Package executor runs a plan against Marketo within its limits: it
// schedules export and import steps, polls, downloads and uploads, records
// every change through a Recorder before and after acting, and reports
// typed Events to an Observer.
package executor
