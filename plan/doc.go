// Package plan holds mkbulk's plan as plain data — Plan, Step, Action,
// Reason and the fully resolved job specs — and the versioned plan-file
// codec. It has no logic beyond encoding and no I/O beyond the codec's
// reader and writer, so a plan loaded from disk can be run by the executor
// without manifests or describe calls.
//
// Each field says whether it steers execution ("apply") or is only shown
// ("display"); the executor must never depend on a display field.
package plan
