package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

const creds = "grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret"

func TestIdentity(t *testing.T) {
	e := startSandbox(t, Config{})
	code, h, b := e.identity("GET", creds)
	var first tokenResponse
	json.Unmarshal(b, &first)
	if code != 200 || h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" ||
		h.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("identity: %d %v %s", code, h, b)
	}
	if !strings.HasSuffix(first.AccessToken, ":sb") || len(first.AccessToken) != 39 || first.TokenType != "bearer" || first.ExpiresIn != 3600 {
		t.Errorf("token: %+v", first)
	}

	// POST with query parameters, later: the same token, less life left
	e.s.Advance(1000 * time.Second)
	_, _, b = e.identity("POST", creds)
	var second tokenResponse
	json.Unmarshal(b, &second)
	if second.AccessToken != first.AccessToken || second.ExpiresIn < 2599 || second.ExpiresIn > 2600 {
		t.Errorf("reuse: got %+v, want same token with expires_in 2600", second)
	}

	// POST with a form body works too
	req, _ := http.NewRequest("POST", e.base+"/identity/oauth/token", strings.NewReader(creds))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _, b := e.send(req); code != 200 || !strings.Contains(string(b), first.AccessToken) {
		t.Errorf("form POST: %d %s", code, b)
	}

	code, _, b = e.identity("GET", "grant_type=client_credentials&client_id=sandbox&client_secret=nope")
	if code != 401 || string(b) != `{"error":"invalid_client","error_description":"Bad client credentials"}` {
		t.Errorf("bad credentials: %d %s", code, b)
	}

	code, _, b = e.identity("GET", "client_id=sandbox&client_secret=sandbox-secret")
	if code != 400 || !strings.Contains(string(b), `"error":"invalid_request"`) {
		t.Errorf("missing grant_type: %d %s", code, b)
	}
	code, _, b = e.identity("GET", "grant_type=password&client_id=sandbox&client_secret=sandbox-secret")
	if code != 400 || !strings.Contains(string(b), `"error":"unsupported_grant_type"`) {
		t.Errorf("wrong grant_type: %d %s", code, b)
	}

	// using the token: header and query parameter
	e.token = first.AccessToken
	if env := e.call("GET", "/rest/v1/leads/describe2.json", nil); !env.Success {
		t.Errorf("bearer: %s", env.raw)
	}
	code, _, b = e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json?access_token="+first.AccessToken))
	if code != 200 || !strings.Contains(string(b), `"success":true`) {
		t.Errorf("query token: %s", b)
	}
	_, _, b = e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json"))
	assertError(t, b, "600", "Empty access token")
	_, _, b = e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json?access_token=nope:sb"))
	assertError(t, b, "601", "Access token invalid")

	// expiry: 602 for the old token; identity issues a new one
	e.s.Advance(2600 * time.Second)
	_, _, b = e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json?access_token="+first.AccessToken))
	assertError(t, b, "602", "Access token expired")
	_, _, b = e.identity("GET", creds)
	var third tokenResponse
	json.Unmarshal(b, &third)
	if third.AccessToken == first.AccessToken || third.ExpiresIn != 3600 {
		t.Errorf("after expiry: %+v", third)
	}
	if got := e.stats().TokensIssued; got != 2 {
		t.Errorf("tokensIssued = %d", got)
	}
}

func TestRejectQueryToken(t *testing.T) {
	e := startSandbox(t, Config{RejectQueryToken: true})
	tok := e.fetchToken()
	_, _, b := e.send(mustRequest("GET", e.base+"/rest/v1/leads/describe2.json?access_token="+tok))
	assertError(t, b, "600", "Empty access token")
	if env := e.call("GET", "/rest/v1/leads/describe2.json", nil); !env.Success {
		t.Errorf("bearer still works: %s", env.raw)
	}
}

func assertError(t *testing.T, body []byte, code, msg string) {
	t.Helper()
	var env wireEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.Success || env.errCode() != code+" "+msg || !strings.Contains(env.RequestID, "#") {
		t.Errorf("got %s, want error %s %q", body, code, msg)
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	e := startSandbox(t, Config{})
	code, _, b := e.raw("GET", "/rest/v1/nothing.json", nil, nil)
	if code != 200 {
		t.Errorf("610 must be HTTP 200, got %d", code)
	}
	assertError(t, b, "610", "Requested resource not found")
	_, _, b = e.raw("GET", "/bulk/v1/leads/export/create.json", nil, nil)
	assertError(t, b, "605", "Request method 'GET' not supported")
}
