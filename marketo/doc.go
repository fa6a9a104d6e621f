// Package marketo is the only code in mkbulk that speaks HTTP to Marketo
// Engage: identity, describe, bulk export and bulk import, in go-github's
// shape — a Client with services whose methods take (ctx, args) and return
// (result, *Response, error).
//
// It imports nothing else from the module, so a wire mistake cannot hide by
// being shared between the client and the sandbox.
package marketo
