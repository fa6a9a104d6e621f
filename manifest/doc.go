// Package manifest loads mkbulk's YAML manifests (kind Export and Import) from
// a project directory into typed specs with defaults applied, keeping the
// file, line and column of every value so that any problem — schema, rule or,
// later, a describe mismatch found by the planner — can be reported as
// `path:line:col: message` with a hint.
//
// Loading never stops at the first problem: every Diagnostic is collected and
// returned together. The package does no network I/O.
package manifest
