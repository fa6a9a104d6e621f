// Package sandbox is a Marketo-compatible local server: identity, describe,
// bulk extract and bulk import with real state, limits, timing and faults,
// generated deterministically from a seed. It imports nothing else from the
// module, so a wire mistake cannot hide by being shared with the client.
package sandbox
