package marketo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCheckResponse turns every recorded error shape into the typed error.
func TestCheckResponse(t *testing.T) {
	tests := map[string]struct {
		status      int
		body        []byte
		want        *Error
		predicates  []string // which Is* predicates hold
		contentType string
	}{
		"F3 602": {status: 200, body: fixture(t, "F03_error_602_token_expired.json"),
			want: &Error{Code: "602", Message: "Access token expired", RequestID: "1000", HTTPStatus: 200}, predicates: []string{"token"}},
		"F3b 601": {status: 200, body: fixture(t, "F03b_error_601_token_invalid.json"),
			want: &Error{Code: "601", Message: "Access token invalid", RequestID: "68d8#1846058ee27", HTTPStatus: 200}, predicates: []string{"token"}},
		"F10 daily quota": {status: 200, body: fixture(t, "F10_error_1029_daily_quota.json"),
			want: &Error{Code: "1029", Message: "Export daily quota 500MB exceeded.", RequestID: "d2ca#18c0b9833bf", HTTPStatus: 200}, predicates: []string{"quota"}},
		"1029 queue full": {status: 200, body: fixture(t, "error_1029_queue_full.json"),
			want: &Error{Code: "1029", Message: "Too many jobs in queue", RequestID: "7e1c#16fb5238b10", HTTPStatus: 200}, predicates: []string{"queue"}},
		"1029 already queued": {status: 200, body: fixture(t, "error_1029_already_queued.json"),
			want: &Error{Code: "1029", Message: "Job already queued", RequestID: "7e1d#16fb5238b11", HTTPStatus: 200}, predicates: []string{"queued"}},
		"1016 too many imports": {status: 200, body: fixture(t, "error_1016_too_many_imports.json"),
			want: &Error{Code: "1016", Message: "Too many imports", RequestID: "7e20#16fb5238b14", HTTPStatus: 200}, predicates: []string{"queue"}},
		"F11 invalid fields": {status: 200, body: fixture(t, "F11_error_1003_invalid_fields.json"),
			want: &Error{Code: "1003", Message: "Invalid fields [site, billingStreet, mktoCompanyNotes, ...]", HTTPStatus: 200}},
		"1035 unsupported filter": {status: 200, body: fixture(t, "error_1035_unsupported_filter.json"),
			want: &Error{Code: "1035", Message: "Unsupported filter type for target subscription", RequestID: "7e1f#16fb5238b13", HTTPStatus: 200}},
		"F16 rate limit": {status: 200, body: fixture(t, "F16_error_606_rate_limit.json"),
			want: &Error{Code: "606", Message: "Max rate limit '100' exceeded with in '20' secs", RequestID: "5576#16523a39ed7", HTTPStatus: 200}, predicates: []string{"rate", "transient"}},
		"615 concurrency": {status: 200, body: fixture(t, "error_615_concurrency.json"),
			want: &Error{Code: "615", Message: "Concurrent access limit '10' reached", RequestID: "7e1e#16fb5238b12", HTTPStatus: 200}, predicates: []string{"rate", "transient"}},
		"F17 610": {status: 200, body: fixture(t, "F17_error_610_not_found.json"),
			want: &Error{Code: "610", Message: "Requested resource not found", RequestID: "a883#19492823069", HTTPStatus: 200}, predicates: []string{"notfound"}},
		"F2 oauth 401": {status: 401, body: fixture(t, "F02_identity_bad_credentials.json"),
			want: &Error{Code: "invalid_client", Message: "Bad client credentials", HTTPStatus: 401}},
		"plain 404": {status: 404, body: []byte("Export file not found\n"),
			want: &Error{Code: "404", Message: "Export file not found", HTTPStatus: 404}, predicates: []string{"notfound"}},
		"empty 404": {status: 404,
			want: &Error{Code: "404", Message: "Not Found", HTTPStatus: 404}, predicates: []string{"notfound"}},
		"413": {status: 413, body: []byte("<html><body>413 Request Entity Too Large</body></html>"),
			want: &Error{Code: "413", Message: "<html><body>413 Request Entity Too Large</body></html>", HTTPStatus: 413}},
		"502": {status: 502, body: []byte("Bad Gateway"),
			want: &Error{Code: "502", Message: "Bad Gateway", HTTPStatus: 502}, predicates: []string{"transient"}},
		"envelope on 500": {status: 500, body: []byte(`{"requestId":"r","success":false,"errors":[{"code":"611","message":"System error"}]}`),
			want: &Error{Code: "611", Message: "System error", RequestID: "r", HTTPStatus: 500}, predicates: []string{"transient"}},
		"numeric code, two errors": {status: 200, body: []byte(`{"requestId":"r","success":false,"errors":[{"code":1003,"message":"a"},{"code":"1006","message":"b"}]}`),
			want: &Error{Code: "1003", Message: "a; 1006 b", RequestID: "r", HTTPStatus: 200}},
		"not JSON on 200": {status: 200, body: []byte("<html>maintenance</html>"),
			want: &Error{Code: "invalid_response", Message: "response is not a Marketo JSON envelope: <html>maintenance</html>", HTTPStatus: 200}},
	}
	predicates := map[string]func(error) bool{
		"token": IsTokenExpired, "rate": IsRateLimited, "queue": IsQueueFull, "quota": IsDailyQuota,
		"transient": IsTransient, "notfound": IsNotFound, "queued": IsAlreadyQueued,
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rec.WriteHeader(tc.status)
			rec.Write(tc.body)
			_, err := checkResponse(rec.Result(), true)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			for pname, p := range predicates {
				want := false
				for _, w := range tc.predicates {
					want = want || w == pname
				}
				if got := p(fmt.Errorf("wrapped: %w", err)); got != want {
					t.Errorf("Is%s = %v, want %v", pname, got, want)
				}
			}
		})
	}
}

func TestCheckResponseSuccess(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Write(fixture(t, "F08_export_list.json"))
	env, err := checkResponse(rec.Result(), true)
	if err != nil {
		t.Fatal(err)
	}
	if env.RequestID != "e42b#14272d07d78" || len(env.Result) == 0 {
		t.Errorf("envelope = %+v", env)
	}
}

// countingReader counts how much of a body was read.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestErrorBodyCapped: an error body is read no further than maxErrorBody,
// and the message keeps only a short excerpt.
func TestErrorBodyCapped(t *testing.T) {
	body := &countingReader{r: strings.NewReader(strings.Repeat("x", 10<<20))}
	resp := &http.Response{StatusCode: 503, Body: io.NopCloser(body)}
	_, err := checkResponse(resp, true)
	if body.n > maxErrorBody {
		t.Errorf("read %d bytes of an error body, cap is %d", body.n, maxErrorBody)
	}
	if e, ok := asError(err); !ok || len(e.Message) > 300 {
		t.Errorf("err = %v", err)
	}
}

func TestErrorIsAndString(t *testing.T) {
	err := fmt.Errorf("ctx: %w", &Error{Code: "1029", Message: "Too many jobs in queue", RequestID: "r#1", HTTPStatus: 200, Op: "POST /bulk/v1/leads/export/x/enqueue.json"})
	if !errors.Is(err, &Error{Code: "1029"}) {
		t.Error("errors.Is by code failed")
	}
	if errors.Is(err, &Error{Code: "606"}) || errors.Is(err, &Error{Code: "1029", HTTPStatus: 404}) {
		t.Error("errors.Is matched another error")
	}
	if errors.Is(err, io.EOF) {
		t.Error("errors.Is matched io.EOF")
	}
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Code: "1029", Message: "Too many jobs in queue", RequestID: "r#1", HTTPStatus: 200, Op: "POST /x"},
			"marketo: POST /x: 1029 Too many jobs in queue [requestId r#1]"},
		{&Error{Code: "404", Message: "Not Found", HTTPStatus: 404, Op: "GET /f"}, "marketo: GET /f: HTTP 404: Not Found"},
		{&Error{Code: "invalid_client", Message: "Bad client credentials", HTTPStatus: 401}, "marketo: invalid_client Bad client credentials (HTTP 401)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestIsTransientNetworkErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"reset":           {&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		"refused":         {&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		"unexpected EOF":  {fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		"stalled":         {errStalled, true},
		"canceled":        {context.Canceled, false},
		"deadline":        {fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		"plain":           {errors.New("json: cannot unmarshal"), false},
		"integrity":       {ErrIntegrity, false},
		"nil":             {nil, false},
		"http 429":        {&Error{Code: "429", HTTPStatus: 429}, true},
		"http 400":        {&Error{Code: "400", HTTPStatus: 400}, false},
		"713 transient":   {&Error{Code: "713", HTTPStatus: 200}, true},
		"614 not in list": {&Error{Code: "614", HTTPStatus: 200}, false},
	} {
		if got := IsTransient(tc.err); got != tc.want {
			t.Errorf("%s: IsTransient = %v, want %v", name, got, tc.want)
		}
	}
}

func TestNotExecuted(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"606":           {&Error{Code: "606", HTTPStatus: 200}, true},
		"615":           {&Error{Code: "615", HTTPStatus: 200}, true},
		"611":           {&Error{Code: "611", HTTPStatus: 200}, true},
		"713":           {&Error{Code: "713", HTTPStatus: 200}, false},
		"502":           {&Error{Code: "502", HTTPStatus: 502}, true},
		"dial refused":  {&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		"reset on read": {&net.OpError{Op: "read", Err: syscall.ECONNRESET}, false},
		"EOF":           {io.EOF, false},
	} {
		if got := notExecuted(tc.err); got != tc.want {
			t.Errorf("%s: notExecuted = %v, want %v", name, got, tc.want)
		}
	}
}
