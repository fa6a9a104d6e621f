// Package sandbox is a Marketo-compatible local server: identity, describe,
// bulk extract and bulk import with real state, limits, timing and faults,
// generated deterministically from a seed. It imports nothing else from the
// module, so a wire mistake cannot hide by being shared with the client.
//
// # Data
//
// Leads 1..Config.Leads, their activities (2–7 each), memberships of
// programs 1001–1010, static lists 1–5 ("Static List 1" holds every
// generated lead) and car_c records are derived from (seed, id) when they
// are needed and never stored, so memory stays flat for millions of leads.
// Lead createdAt spans 2025-01-01..2026-10-31 and grows with the id. Only
// what imports create or change is kept, in an overlay that later exports
// read. Import cells holding the literal null count as empty, so an
// exported file imports back unchanged.
//
// # Time
//
// Simulated time runs Config.TimeScale times faster than the wall clock.
// Export jobs change state only on status-refresh ticks (every 60 simulated
// seconds): Queued → Processing at the first tick with a free slot (2),
// Completed once the file is written and 1 + records/100,000 ticks have
// passed. Tokens live 3600 simulated seconds; the daily export quota
// resets at midnight America/Chicago of the simulated clock. Rate limits
// (100 calls per 20 s, 10 concurrent) use real time.
//
// # Control endpoints
//
// Never authenticated, limited or faulted:
//
//	GET  /sandbox/stats.json             Stats, as Server.Stats
//	POST /sandbox/advance.json?seconds=N move the simulated clock forward
//	GET  /sandbox/clock.json             simulated now, time scale, quota day, usage and next reset
//
// # Faults
//
// Config.Faults ("606:0.05,615:0.05,602:0.05,5xx:0.05,reset:0.02,truncate:0.02,fail:0.01")
// gives per-request probabilities, drawn from an RNG seeded by Config.Seed;
// the X-Sandbox-Fault request header forces one. Codes (601 602 604 606 607
// 608 611 615 713) answer a Marketo error envelope on authenticated calls;
// 5xx (or 500/502/503/504) an nginx error page; reset closes the
// connection with an RST; truncate stops an export file download halfway
// through its Content-Length; fail makes an enqueued export end Failed.
package sandbox
