package marketo

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Client talks to one Marketo instance. Create it with NewClient; it is
// safe for concurrent use, and keeps every caller together within
// Marketo's call limits (see WithRateLimit).
type Client struct {
	Identity   *IdentityService
	Describe   *DescribeService
	BulkExport *BulkExportService
	BulkImport *BulkImportService

	baseURL      string // instance root, no trailing slash
	clientID     string
	clientSecret string
	httpClient   *http.Client
	logger       hclog.Logger
	limiter      *limiter
	pastCalls    []time.Time     // WithCallHistory: calls of earlier processes
	recordCall   func(time.Time) // WithCallHistory: told of each counted call
	retry        RetryPolicy
	retryHook    func(op string, attempt int, reason string)
	clock        Clock
	userAgent    string

	rateCalls, rateConcurrent int
	ratePer                   time.Duration
}

type service struct{ client *Client }

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the instance: its root (https://123-ABC-456.mktorest.com),
// or the REST endpoint (…/rest) or identity URL (…/identity) as Marketo's
// admin pages show them — the suffix is trimmed, because bulk endpoints live
// at /bulk on the root, not under /rest.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		root, err := normalizeBaseURL(u)
		if err != nil {
			return err
		}
		c.baseURL = root
		return nil
	}
}

// WithCredentials sets the LaunchPoint custom service's client id and secret.
func WithCredentials(id, secret string) Option {
	return func(c *Client) error {
		c.clientID, c.clientSecret = id, secret
		return nil
	}
}

// WithHTTPClient replaces the HTTP client (the default has connect and
// response-header timeouts but no overall timeout, since downloads are long).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("marketo: WithHTTPClient(nil)")
		}
		c.httpClient = hc
		return nil
	}
}

// WithLogger sets where request logs go: trace logs every call (method,
// path, status, requestId, duration), debug logs retries and token
// refreshes. Secrets and tokens are never logged. Default: no logs.
func WithLogger(l hclog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithRateLimit caps calls at calls per rolling window per and at
// concurrent calls in flight. The defaults are Marketo's own instance limits,
// 100 per 20 s and 10; lower them when other integrations share the instance.
// Zero keeps a default. Clients of the same instance with the same limits
// share one budget in the process.
func WithRateLimit(calls int, per time.Duration, concurrent int) Option {
	return func(c *Client) error {
		if calls < 0 || per < 0 || concurrent < 0 {
			return fmt.Errorf("marketo: WithRateLimit(%d, %s, %d): negative limit", calls, per, concurrent)
		}
		c.rateCalls, c.ratePer, c.rateConcurrent = calls, per, concurrent
		return nil
	}
}

// WithCallHistory carries the rate limit across processes. Marketo counts
// calls per instance, not per process, so a plan followed at once by an
// apply (or an apply re-run after a kill) shares one 20 s window: past are
// the start times of calls made by earlier processes, counted as if this
// process had made them, and record is called with the start time of
// every call this client counts, so the caller can keep them for the next
// process. Identity calls are not counted, as Marketo does not count them.
func WithCallHistory(past []time.Time, record func(start time.Time)) Option {
	return func(c *Client) error {
		c.pastCalls, c.recordCall = past, record
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		c.retry = p
		return nil
	}
}

// WithRetryHook is called before each retry with the operation ("POST
// /bulk/v1/leads/export/create.json"), the attempt that failed and the
// reason, so callers can count and report retries.
func WithRetryHook(h func(op string, attempt int, reason string)) Option {
	return func(c *Client) error {
		c.retryHook = h
		return nil
	}
}

// WithClock replaces the clock used for retry back-off and token expiry.
func WithClock(clock Clock) Option {
	return func(c *Client) error {
		if clock != nil {
			c.clock = clock
		}
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = ua
		return nil
	}
}

// NewClient returns a client for the instance set by WithBaseURL, which is
// required, as are WithCredentials.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{
		logger:    hclog.NewNullLogger(),
		retry:     DefaultRetryPolicy(),
		clock:     SystemClock{},
		userAgent: "mkbulk-marketo-go",
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	switch {
	case c.baseURL == "":
		return nil, errors.New("marketo: no base URL: use WithBaseURL with the instance's REST endpoint")
	case c.clientID == "":
		return nil, errors.New("marketo: no client id: use WithCredentials")
	case c.clientSecret == "":
		return nil, errors.New("marketo: no client secret: use WithCredentials")
	}
	if c.httpClient == nil {
		c.httpClient = defaultHTTPClient()
	}
	c.limiter = sharedLimiter(c.baseURL, c.rateCalls, c.ratePer, c.rateConcurrent)
	c.limiter.seed(c.pastCalls)
	c.Identity = &IdentityService{client: c}
	c.Describe = &DescribeService{client: c}
	c.BulkExport = &BulkExportService{client: c}
	c.BulkImport = &BulkImportService{client: c}
	return c, nil
}

// BaseURL is the instance root the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	// Bulk create calls can take a while to answer, but not minutes.
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.MaxIdleConnsPerHost = DefaultRateLimitConcurrent
	return &http.Client{Transport: t}
}

// normalizeBaseURL turns any of the URLs Marketo shows into the instance root.
func normalizeBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("marketo: base URL %q: %v", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("marketo: base URL %q: want an absolute http(s) URL such as https://123-ABC-456.mktorest.com", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	for _, suffix := range []string{"/rest", "/identity"} {
		if strings.HasSuffix(p, suffix) {
			p = strings.TrimSuffix(p, suffix)
			break
		}
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = p, "", "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// secretParams are query parameters whose values never reach a log line or
// an error message.
var secretParams = []string{"client_secret", "access_token"}

// redactQuery returns path?query with secret parameter values replaced.
func redactQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	red := url.Values{}
	for k, v := range q {
		red[k] = v
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				red[k] = []string{"REDACTED"}
			}
		}
	}
	return path + "?" + red.Encode()
}

// redactURLError removes secrets from the URL net/http puts in its errors.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = strings.TrimPrefix(redactQuery("", u.Query()), "?")
			ue.URL = u.String()
		} else {
			ue.URL = "(unparseable URL)"
		}
	}
	return err
}
