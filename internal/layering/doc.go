// Package layering holds only a test: it keeps the import edges of
// DESIGN.md §1 honest (data flows manifest → planner → plan → executor; the
// marketo client and the sandbox stand apart).
package layering
