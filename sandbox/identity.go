package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// Tokens live 3600 simulated seconds; identity returns the same token,
// with its remaining life, until it expires (MARKETO_API.md §1.1).
const tokenLifetime = 3600 * time.Second

type tokenTable struct {
	expiry  map[string]time.Time // token → simulated expiry
	current map[string]string    // client id → live token
}

func (t *tokenTable) init() {
	t.expiry = map[string]time.Time{}
	t.current = map[string]string{}
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// identity serves GET and POST /identity/oauth/token. Parameters come from
// the query string (as every client sends them) or, on POST, a form body.
func (c *call) identity() {
	q := c.r.URL.Query()
	if c.r.Method == http.MethodPost {
		if err := c.r.ParseForm(); err == nil {
			for k, v := range c.r.PostForm {
				if q.Get(k) == "" {
					q[k] = v
				}
			}
		}
	}
	h := c.w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if q.Get("grant_type") == "" {
		writeJSON(c.w, http.StatusBadRequest, oauthError{"invalid_request", "Missing grant type"})
		return
	}
	if gt := q.Get("grant_type"); gt != "client_credentials" {
		writeJSON(c.w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "Unsupported grant type: " + gt})
		return
	}
	if q.Get("client_id") != ClientID || q.Get("client_secret") != ClientSecret {
		writeJSON(c.w, http.StatusUnauthorized, oauthError{"invalid_client", "Bad client credentials"})
		return
	}
	now := c.s.clock.Now()
	s := c.s
	s.mu.Lock()
	tok := s.tokens.current[ClientID]
	exp := s.tokens.expiry[tok]
	left := exp.Sub(now) / time.Second
	if tok == "" || left <= 0 {
		tok = newUUID() + ":sb"
		exp = now.Add(tokenLifetime)
		left = tokenLifetime / time.Second
		s.tokens.current[ClientID] = tok
		s.tokens.expiry[tok] = exp
		s.counters.tokensIssued++
	}
	s.mu.Unlock()
	writeJSON(c.w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "bearer", ExpiresIn: int64(left), Scope: "apis@sandbox.example.com"})
}

// authenticate checks the access token: the Authorization header, or the
// deprecated access_token query parameter unless RejectQueryToken. It
// returns the error code and message to send, or "".
func (s *Server) authenticate(r *http.Request) (code, msg string) {
	tok := ""
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		tok = strings.TrimSpace(a[7:])
	} else if !s.cfg.RejectQueryToken {
		tok = r.URL.Query().Get("access_token")
	}
	if tok == "" {
		return "600", msgEmptyToken
	}
	now := s.clock.Now()
	s.mu.Lock()
	exp, ok := s.tokens.expiry[tok]
	s.mu.Unlock()
	switch {
	case !ok:
		return "601", msgInvalidToken
	case !now.Before(exp):
		return "602", msgExpiredToken
	}
	return "", ""
}
