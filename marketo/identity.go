package marketo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// IdentityService fetches access tokens. Other services call it on their own
// when the cached token is missing or about to expire.
type IdentityService service

// Token is the identity endpoint's answer. Its String method hides the
// token, so printing or logging a Token is safe.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	// ExpiresIn is the token's remaining life in seconds: Marketo returns
	// the same token until it expires.
	ExpiresIn int    `json:"expires_in"`
	Scope     string `json:"scope"`
}

func (t Token) String() string {
	return "Token{type=" + t.TokenType + " expires_in=" + strconv.Itoa(t.ExpiresIn) + "s scope=" + t.Scope + " access_token=REDACTED}"
}

// GoString keeps %#v from printing the token as well.
func (t Token) GoString() string { return t.String() }

// Token fetches an access token with the client credentials. Marketo
// documents the credentials only as query parameters (on GET or POST); the
// URL is redacted wherever it is logged or appears in an error. Identity
// calls are not rate limited.
//
//meta:operation GET /identity/oauth/token
func (s *IdentityService) Token(ctx context.Context) (*Token, *Response, error) {
	c := s.client
	r := &request{
		method: http.MethodGet, path: "/identity/oauth/token", identity: true, idempotent: true,
		query: url.Values{
			"grant_type":    {"client_credentials"},
			"client_id":     {c.clientID},
			"client_secret": {c.clientSecret},
		},
		stream: true,
	}
	resp, _, err := c.do(ctx, r)
	if err != nil {
		return nil, resp, err
	}
	defer resp.Body.Close()
	var tok Token
	if err := decodeJSONBody(resp.Body, &tok); err != nil {
		return nil, resp, &Error{Op: r.op(), Code: "invalid_response", Message: "identity response is not a token: " + err.Error(), HTTPStatus: resp.StatusCode}
	}
	if tok.AccessToken == "" {
		return nil, resp, &Error{Op: r.op(), Code: "invalid_response", Message: "identity response has no access_token", HTTPStatus: resp.StatusCode}
	}
	return &tok, resp, nil
}

// tokenEntry is the cached token of one (instance, client id, secret).
// mu is held across the identity call so concurrent callers wait for one
// fetch. (A mutex rather than a channel: the cache is package-level, and
// channels may not be shared between testing/synctest bubbles.)
type tokenEntry struct {
	mu        sync.Mutex
	token     string
	refreshAt time.Time
}

// tokenCache is package-level so every Client of the same custom service
// shares one token, as Marketo does (a token belongs to the client id).
var tokenCache sync.Map // key string → *tokenEntry

func (c *Client) tokenEntry() *tokenEntry {
	// The secret is part of the key (hashed) so a client with other
	// credentials never borrows a token it could not have obtained.
	sum := sha256.Sum256([]byte(c.clientSecret))
	key := c.baseURL + "\x00" + c.clientID + "\x00" + hex.EncodeToString(sum[:8])
	e, _ := tokenCache.LoadOrStore(key, &tokenEntry{})
	return e.(*tokenEntry)
}

// accessToken returns a token that is not about to expire, fetching one
// when needed. Concurrent callers wait for a single identity call.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	e := c.tokenEntry()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	now := c.clock.Now()
	if e.token != "" && now.Before(e.refreshAt) {
		return e.token, nil
	}
	tok, _, err := c.Identity.Token(ctx)
	if err != nil {
		return "", err
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	e.token, e.refreshAt = tok.AccessToken, now.Add(life-refreshMargin(life))
	c.logger.Debug("marketo access token fetched", "expires_in", tok.ExpiresIn, "scope", tok.Scope)
	return e.token, nil
}

// refreshMargin is how long before expiry a token is replaced: a minute, or
// a quarter of its life when that is shorter (Marketo hands out the same
// token with whatever life it has left, even 0 s).
func refreshMargin(life time.Duration) time.Duration {
	return min(time.Minute, life/4)
}

// forgetToken drops the cached token after Marketo rejected it (601/602),
// unless another goroutine has already replaced it.
func (c *Client) forgetToken(token string) {
	e := c.tokenEntry()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token == token {
		e.token = ""
	}
}
