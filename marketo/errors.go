package marketo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// Error is a failure reported by Marketo: a response-level envelope error
// (HTTP 200 with success:false), an OAuth error from the identity endpoint,
// or a non-2xx HTTP status (plain-text 404s from bulk file endpoints, 413
// for oversized imports, 5xx from gateways).
//
// Code is Marketo's error code ("1029"), the OAuth error ("invalid_client"),
// or the HTTP status as a string ("404") when the body carried no code.
type Error struct {
	Code       string
	Message    string
	RequestID  string
	HTTPStatus int
	// Op is the operation that failed, e.g. "POST /bulk/v1/leads/export/create.json".
	Op string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("marketo: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	switch {
	case e.Code != "" && e.Code != strconv.Itoa(e.HTTPStatus):
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(" ")
			b.WriteString(e.Message)
		}
		if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
			fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
		}
	default:
		fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	}
	if e.RequestID != "" {
		b.WriteString(" [requestId ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Is makes errors.Is(err, &Error{Code: "1029"}) match any Error with that
// code; zero fields in the target match anything.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return (t.Code == "" || t.Code == e.Code) &&
		(t.HTTPStatus == 0 || t.HTTPStatus == e.HTTPStatus) &&
		(t.Message == "" || t.Message == e.Message)
}

// ErrIntegrity is wrapped by download errors where the bytes received do not
// match the size or sha256 Marketo reported. The partial file has been
// truncated, so the next attempt starts from the first byte.
var ErrIntegrity = errors.New("marketo: downloaded file failed verification")

// asError returns the *Error in err's chain, if any.
func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func hasCode(err error, codes ...string) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// IsTokenExpired reports an access token Marketo no longer accepts
// (600 empty, 601 invalid, 602 expired). The client refreshes the token and
// retries once on its own; callers see this only if that failed too.
func IsTokenExpired(err error) bool { return hasCode(err, "600", "601", "602") }

// IsRateLimited reports Marketo's rate limit (606, 100 calls per 20 s) or
// concurrency limit (615, 10 calls in flight), or an HTTP 429.
func IsRateLimited(err error) bool {
	if e, ok := asError(err); ok && e.HTTPStatus == http.StatusTooManyRequests {
		return true
	}
	return hasCode(err, "606", "615")
}

// IsDailyQuota reports a limit that lasts until midnight America/Chicago:
// 1029 "Export daily quota 500MB exceeded." or 607 "Daily quota reached".
func IsDailyQuota(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case "607":
		return true
	case "1029":
		return isQuotaMessage(e.Message)
	}
	return false
}

// IsQueueFull reports a bulk queue that has no room now but will: 1029
// "Too many jobs in queue" for exports, 1016 "Too many imports", and 1019
// "Import in progress". Waiting and trying again is the remedy; 1029 for
// the daily quota (IsDailyQuota) and "Job already queued" (IsAlreadyQueued)
// are not queue-full.
func IsQueueFull(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case "1016", "1019":
		return true
	case "1029":
		return !isQuotaMessage(e.Message) && !isAlreadyQueuedMessage(e.Message)
	}
	return false
}

// IsAlreadyQueued reports 1029 "Job already queued": the export was enqueued
// before (perhaps by a request whose response was lost), so poll its status.
func IsAlreadyQueued(err error) bool {
	e, ok := asError(err)
	return ok && e.Code == "1029" && isAlreadyQueuedMessage(e.Message)
}

func isQuotaMessage(m string) bool {
	return strings.Contains(strings.ToLower(m), "quota")
}

func isAlreadyQueuedMessage(m string) bool {
	return strings.Contains(strings.ToLower(m), "already queued")
}

// IsNotFound reports a missing resource: HTTP 404 (bulk file endpoints answer
// a job that is not Completed, or whose file expired, with a plain-text 404),
// 610 "Requested resource not found" and 1013 "Object not found".
func IsNotFound(err error) bool {
	if e, ok := asError(err); ok && e.HTTPStatus == http.StatusNotFound {
		return true
	}
	return hasCode(err, "610", "1013")
}

// transientCodes are Marketo codes that mean "not executed, try again later"
// (DESIGN.md §5): 604 timeout, 606 rate limit, 608 unavailable, 611 system
// error, 615 concurrency limit, 713 transient.
var transientCodes = map[string]bool{"604": true, "606": true, "608": true, "611": true, "615": true, "713": true}

// IsTransient reports a failure worth retrying after a back-off: the
// transient Marketo codes, HTTP 5xx and 429, and network errors (resets,
// refused connections, timeouts, truncated bodies). Cancellation of the
// caller's context is never transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if e, ok := asError(err); ok {
		return transientCodes[e.Code] || e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests
	}
	return isNetworkError(err)
}

func isNetworkError(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, errStalled) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// notExecuted reports whether err proves the request never ran, so that
// even a non-idempotent request (export create, import upload) is safe to
// send again: a Marketo 6xx envelope error (the API gateway refused the call
// before running it), an HTTP 5xx or 429 status from the gateway, or a
// connection that could not be made at all. A reset or EOF after the
// request was written is ambiguous — Marketo may have created the job — so
// it is not retried.
func notExecuted(err error) bool {
	if e, ok := asError(err); ok {
		if len(e.Code) == 3 && e.Code[0] == '6' {
			return true
		}
		return e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return false
}

// maxErrorBody caps how much of an error body is read: enough for any
// envelope or message, small enough that a misbehaving proxy cannot make us
// buffer a file.
const maxErrorBody = 64 << 10

// maxResultBody caps a successful JSON response (describe, list jobs).
const maxResultBody = 32 << 20

// envelope is Marketo's standard JSON response (MARKETO_API.md §6.1).
type envelope struct {
	RequestID     string          `json:"requestId"`
	Success       *bool           `json:"success"`
	Result        json.RawMessage `json:"result"`
	Errors        []envelopeError `json:"errors"`
	NextPageToken string          `json:"nextPageToken"`
	MoreResult    bool            `json:"moreResult"`
}

type envelopeError struct {
	Code    flexString `json:"code"`
	Message string     `json:"message"`
}

// flexString accepts a code as a JSON string ("606", as Marketo sends it)
// or a number (as swagger models warnings).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// oauthError is the identity endpoint's error body.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// checkResponse is the one place the wire becomes a typed error. For a
// non-2xx status it reads at most maxErrorBody bytes of the body and returns
// an *Error built from a Marketo envelope, an OAuth error, or the plain text.
// For a 2xx JSON response (decodeJSON) it reads the body and returns the
// envelope, or an *Error when success is false. For a 2xx stream it returns
// (nil, nil) and leaves the body to the caller.
func checkResponse(resp *http.Response, decodeJSON bool) (*envelope, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, errorFromBody(resp.StatusCode, body)
	}
	if !decodeJSON {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResultBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxResultBody {
		return nil, fmt.Errorf("marketo: response larger than %d bytes", maxResultBody)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, &Error{Code: "invalid_response", HTTPStatus: resp.StatusCode,
			Message: "response is not a Marketo JSON envelope: " + snippet(body)}
	}
	if env.Success != nil && !*env.Success {
		return nil, envelopeFailure(&env, resp.StatusCode)
	}
	if env.Success == nil && len(env.Errors) > 0 {
		return nil, envelopeFailure(&env, resp.StatusCode)
	}
	return &env, nil
}

func envelopeFailure(env *envelope, status int) *Error {
	e := &Error{RequestID: env.RequestID, HTTPStatus: status, Code: "unknown", Message: "request failed without an error code"}
	if len(env.Errors) > 0 {
		e.Code = string(env.Errors[0].Code)
		e.Message = env.Errors[0].Message
		for _, more := range env.Errors[1:] {
			e.Message += "; " + string(more.Code) + " " + more.Message
		}
	}
	return e
}

// errorFromBody builds the *Error for a non-2xx response.
func errorFromBody(status int, body []byte) *Error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var env envelope
		if json.Unmarshal(trimmed, &env) == nil && len(env.Errors) > 0 {
			return envelopeFailure(&env, status)
		}
		var oe oauthError
		if json.Unmarshal(trimmed, &oe) == nil && oe.Error != "" {
			return &Error{Code: oe.Error, Message: oe.ErrorDescription, HTTPStatus: status}
		}
	}
	msg := snippet(trimmed)
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Error{Code: strconv.Itoa(status), Message: msg, HTTPStatus: status}
}

// snippet makes a short, printable, single-line excerpt of a body for an
// error message.
func snippet(b []byte) string {
	const max = 200
	b = bytes.TrimSpace(b)
	if len(b) > max {
		b = b[:max]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		b = append(b[:len(b):len(b)], "…"...)
	}
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if r < 0x20 {
			return -1
		}
		return r
	}, string(b))
	return s
}
