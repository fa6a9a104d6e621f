// Package marketo is the only code in mkbulk that speaks HTTP to Marketo
// Engage: identity, describe, bulk export and bulk import, in go-github's
// shape — a Client with services whose methods take (ctx, args) and return
// (result, *Response, error).
//
// It imports nothing else from the module, so a wire mistake cannot hide by
// being shared between the client and the sandbox.
//
// What every call gets, in one place (request.go):
//
//   - an access token, cached per custom service and refreshed a margin
//     before it expires, sent only as "Authorization: Bearer"; a 601/602
//     answer refreshes it and repeats the call once;
//   - the client-side limits, 100 calls per rolling 20 s and 10 in flight
//     (identity excluded), shared by every goroutine using the client;
//   - checkResponse, which turns Marketo's success:false envelopes, OAuth
//     errors, plain-text 404s, 413s and 5xx into *Error, classified by
//     IsTokenExpired, IsRateLimited, IsQueueFull, IsAlreadyQueued,
//     IsDailyQuota, IsTransient and IsNotFound;
//   - RetryPolicy.Decide, a pure function of the error and the attempt;
//     requests that are not idempotent are retried only when the error
//     proves they did not run;
//   - trace logs (method, path, status, requestId, duration) with secrets
//     redacted, also from the URLs net/http puts in its errors.
//
// Waiting for a job is not retrying: PollPolicy paces status calls at
// Marketo's 60 s refresh, with a deadline. Downloads stream into a partial
// file, resume with Range, and verify size and sha256 (DownloadFile).
package marketo
