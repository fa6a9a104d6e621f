package marketo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Response is Marketo's answer to one call: the HTTP response (its body
// already read and closed, except for streamed files) plus the envelope's
// requestId and paging token.
type Response struct {
	*http.Response
	RequestID     string
	NextPageToken string
	MoreResult    bool
	// Retries counts the extra attempts the call needed (token refresh
	// included); the retry hook reports each with its reason.
	Retries int
}

// request describes one logical call; do turns it into as many HTTP
// attempts as the retry policy allows.
type request struct {
	method, path string // path from the instance root, e.g. /bulk/v1/leads/export.json
	query        url.Values
	header       http.Header
	// body returns the body for one attempt and its length (-1 unknown);
	// nil means no body.
	body        func() (io.Reader, int64, error)
	contentType string
	// rewindable bodies can be sent again; a plain reader only once.
	rewindable bool
	idempotent bool
	identity   bool // identity call: no token, not rate limited
	stream     bool // leave the body to the caller
}

func (r *request) op() string { return r.method + " " + r.path }

func jsonBody(v any) (func() (io.Reader, int64, error), error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return func() (io.Reader, int64, error) { return bytes.NewReader(b), int64(len(b)), nil }, nil
}

// maxTokenRefreshes bounds how often one call fetches a new token after
// 601/602. Each rejected token is replaced once; a second rejection of the
// fresh token (a token revoked under us, or an injected fault) gets one more
// chance, and a third ends the call, so a server that rejects every token
// cannot keep a call looping.
const maxTokenRefreshes = 2

// do runs r, refreshing the token on 601/602 and retrying as the
// RetryPolicy decides. On success the envelope is decoded (unless r.stream,
// when the caller must close resp.Body). On failure the Response, when one
// came back, is returned too.
func (c *Client) do(ctx context.Context, r *request) (*Response, *envelope, error) {
	retries, refreshes := 0, 0
	for attempt := 1; ; attempt++ {
		resp, env, token, err := c.attempt(ctx, r)
		if err == nil {
			resp.Retries = retries
			return resp, env, nil
		}
		if resp != nil {
			resp.Retries = retries
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return resp, nil, ctxErr
		}
		var retry bool
		var delay time.Duration
		var reason string
		var aerr authError
		switch {
		case errors.As(err, &aerr):
			// The identity call has had its own retries.
			reason = "no access token"
		case IsTokenExpired(err) && refreshes < maxTokenRefreshes && !r.identity:
			c.forgetToken(token)
			refreshes++
			retry, reason = true, "access token rejected ("+describeErr(err)+"): fetching a new one"
		default:
			retry, delay, reason = c.retry.Decide(err, attempt)
			if retry && !r.idempotent && !notExecuted(err) {
				retry, reason = false, "not retried: the request may have run ("+describeErr(err)+")"
			}
		}
		if retry && r.body != nil && !r.rewindable {
			retry, reason = false, "not retried: the request body cannot be sent twice"
		}
		if !retry {
			c.logger.Debug("marketo call failed", "op", r.op(), "attempt", attempt, "reason", reason)
			return resp, nil, err
		}
		retries++
		c.logger.Debug("marketo call retrying", "op", r.op(), "attempt", attempt, "delay", delay, "reason", reason)
		if c.retryHook != nil {
			c.retryHook(r.op(), attempt, reason)
		}
		if err := sleep(ctx, c.clock, delay); err != nil {
			return resp, nil, err
		}
	}
}

// attempt makes one HTTP request. It returns the token it used so a 601/602
// invalidates exactly that token.
func (c *Client) attempt(ctx context.Context, r *request) (*Response, *envelope, string, error) {
	var token string
	if !r.identity {
		t, err := c.accessToken(ctx)
		if err != nil {
			return nil, nil, "", authError{err}
		}
		token = t
	}
	release := func() {}
	if !r.identity {
		rel, err := c.limiter.acquire(ctx)
		if err != nil {
			return nil, nil, token, err
		}
		release = rel
		if c.recordCall != nil {
			c.recordCall(time.Now())
		}
	}
	req, err := c.newHTTPRequest(ctx, r, token)
	if err != nil {
		release()
		return nil, nil, token, err
	}
	logPath := redactQuery(r.path, r.query)
	start := time.Now()
	httpResp, err := c.httpClient.Do(req)
	if err != nil {
		release()
		err = redactURLError(err)
		c.logger.Trace("marketo http", "method", r.method, "path", logPath, "error", err, "duration", time.Since(start))
		return nil, nil, token, err
	}
	resp := &Response{Response: httpResp}
	env, err := checkResponse(httpResp, !r.stream)
	if err == nil && r.stream {
		// A file endpoint answers errors (606, 601…) with a JSON envelope
		// and HTTP 200; a CSV never starts with '{'.
		err = sniffEnvelope(httpResp, release)
	} else {
		httpResp.Body.Close()
		release()
	}
	if env != nil {
		resp.RequestID, resp.NextPageToken, resp.MoreResult = env.RequestID, env.NextPageToken, env.MoreResult
	}
	var merr *Error
	if errors.As(err, &merr) {
		merr.Op = r.op()
		resp.RequestID = merr.RequestID
	}
	if c.logger.IsTrace() {
		args := []any{"method", r.method, "path", logPath, "status", httpResp.StatusCode,
			"requestId", resp.RequestID, "duration", time.Since(start)}
		if err != nil {
			args = append(args, "error", err)
		}
		c.logger.Trace("marketo http", args...)
	}
	return resp, env, token, err
}

// authError is a failure to obtain an access token. It is returned as is:
// the identity call has already been retried.
type authError struct{ err error }

func (e authError) Error() string {
	return "marketo: no access token: " + strings.TrimPrefix(e.err.Error(), "marketo: ")
}
func (e authError) Unwrap() error { return e.err }

func (c *Client) newHTTPRequest(ctx context.Context, r *request, token string) (*http.Request, error) {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	length := int64(0)
	if r.body != nil {
		b, n, err := r.body()
		if err != nil {
			return nil, err
		}
		body, length = b, n
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, redactURLError(err)
	}
	if body != nil {
		req.ContentLength = length // -1: chunked
		if length == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if !r.stream {
		req.Header.Set("Accept", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// streamBufferSize is the read buffer of streamed bodies: large enough that
// a download costs few syscalls, small enough to keep memory flat.
const streamBufferSize = 256 << 10

// envelopeSniffSize is how much of a streamed body is examined for a JSON
// error envelope.
const envelopeSniffSize = 8 << 10

// sniffEnvelope checks whether a 2xx streamed body is really a Marketo error
// envelope. If not, it replaces resp.Body with a buffered reader over the
// same bytes that also frees the limiter slot on Close.
func sniffEnvelope(resp *http.Response, release func()) error {
	br := bufio.NewReaderSize(resp.Body, streamBufferSize)
	body := &releasingBody{Reader: br, closer: resp.Body, release: release}
	resp.Body = body
	first, err := br.Peek(1)
	if err != nil || first[0] != '{' {
		return nil // empty bodies and read errors surface to the reader
	}
	head, _ := br.Peek(envelopeSniffSize)
	var env envelope
	if json.Unmarshal(head, &env) != nil || env.Success == nil || *env.Success || len(env.Errors) == 0 {
		return nil
	}
	body.Close()
	return envelopeFailure(&env, resp.StatusCode)
}

type releasingBody struct {
	*bufio.Reader
	closer  io.Closer
	release func()
}

func (b *releasingBody) Close() error {
	err := b.closer.Close()
	b.release()
	return err
}

// decodeResult decodes the envelope's result array into v (a pointer to a slice).
func decodeResult(env *envelope, v any) error {
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return nil
	}
	if err := json.Unmarshal(env.Result, v); err != nil {
		return fmt.Errorf("marketo: decoding result: %w", err)
	}
	return nil
}

// firstResult decodes result[0], failing clearly when Marketo sent none.
func firstResult[T any](env *envelope, op string) (*T, error) {
	var all []T
	if err := decodeResult(env, &all); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, &Error{Op: op, Code: "empty_result", Message: "Marketo returned success with no result", RequestID: env.RequestID, HTTPStatus: http.StatusOK}
	}
	return &all[0], nil
}

// decodeJSONBody decodes a small JSON body read with the result cap.
func decodeJSONBody(r io.Reader, v any) error {
	return json.NewDecoder(io.LimitReader(r, maxResultBody)).Decode(v)
}
