package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/sandbox"
)

func clientTestEnv(vars map[string]string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return vars[k] }}, &stdout, &stderr
}

func TestNewClientNamesMissingVariables(t *testing.T) {
	for name, tc := range map[string]struct {
		vars map[string]string
		want string
	}{
		"all":    {map[string]string{}, "MARKETO_ENDPOINT, MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET are not set"},
		"secret": {map[string]string{"MARKETO_ENDPOINT": "http://h", "MARKETO_CLIENT_ID": "id"}, "MARKETO_CLIENT_SECRET is not set"},
		"id":     {map[string]string{"MARKETO_ENDPOINT": "http://h", "MARKETO_CLIENT_SECRET": "s"}, "MARKETO_CLIENT_ID is not set"},
		"bad":    {map[string]string{"MARKETO_ENDPOINT": "h.mktorest.com", "MARKETO_CLIENT_ID": "id", "MARKETO_CLIENT_SECRET": "s"}, "absolute http(s) URL"},
	} {
		e, _, _ := clientTestEnv(tc.vars)
		_, err := newClient(e)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	e, _, _ := clientTestEnv(map[string]string{"MARKETO_ENDPOINT": "https://123-ABC-456.mktorest.com/rest", "MARKETO_CLIENT_ID": "id", "MARKETO_CLIENT_SECRET": "s"})
	c, err := newClient(e)
	if err != nil || c.BaseURL() != "https://123-ABC-456.mktorest.com" {
		t.Errorf("newClient: %v, %v", c, err)
	}
}

func TestNewLogger(t *testing.T) {
	e, _, stderr := clientTestEnv(map[string]string{"MKBULK_LOG": "DEBUG"})
	l := newLogger(e)
	if !l.IsDebug() || l.IsTrace() {
		t.Errorf("MKBULK_LOG=DEBUG gave level %v", l.GetLevel())
	}
	l.Debug("hello")
	if !strings.Contains(stderr.String(), "hello") {
		t.Errorf("debug line not on stderr: %q", stderr.String())
	}

	e, _, stderr = clientTestEnv(map[string]string{})
	if l := newLogger(e); l.IsError() {
		t.Error("logging is on by default")
	}
	e, _, stderr = clientTestEnv(map[string]string{"MKBULK_LOG": "verbose"})
	if l := newLogger(e); l.IsError() || !strings.Contains(stderr.String(), `MKBULK_LOG="verbose"`) {
		t.Errorf("unknown level: %q", stderr.String())
	}

	path := filepath.Join(t.TempDir(), "mkbulk.log")
	e, _, stderr = clientTestEnv(map[string]string{"MKBULK_LOG": "trace", "MKBULK_LOG_PATH": path})
	newLogger(e).Trace("to the file")
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "to the file") || stderr.Len() != 0 {
		t.Errorf("log file %q, stderr %q", b, stderr.String())
	}
}

// fakeDescribeInstance serves identity and describe from the client's recorded
// fixtures under a path prefix.
func fakeDescribeInstance(t *testing.T) string {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "marketo", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/identity/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"access_token":"tok","token_type":"bearer","expires_in":3599,"scope":"s"}`)
	})
	for path, file := range map[string]string{
		"/p/rest/v1/leads/describe2.json":              "F15a_describe_lead2.json",
		"/p/rest/v1/programs/members/describe.json":    "F15b_describe_program_member.json",
		"/p/rest/v1/customobjects/car_c/describe.json": "F15c_describe_custom_object.json",
		"/p/rest/v1/activities/types.json":             "F15d_activity_types.json",
	} {
		body := read(file)
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/p/rest"
}

func TestDescribeCommand(t *testing.T) {
	vars := map[string]string{"MARKETO_ENDPOINT": fakeDescribeInstance(t), "MARKETO_CLIENT_ID": "id", "MARKETO_CLIENT_SECRET": "s"}
	run1 := func(args ...string) (int, string, string) {
		e, stdout, stderr := clientTestEnv(vars)
		code := run(context.Background(), append([]string{"describe"}, args...), e)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := run1("leads")
	want := "NAME       DISPLAY NAME   TYPE      LENGTH  UPDATEABLE\n" +
		"email      Email Address  email     255     true\n" +
		"createdAt  Created At     datetime  -       false\n"
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("describe leads: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	for _, obj := range []string{"customObject:car_c", "car_c"} {
		if code, out, _ := run1(obj); code != 0 || !strings.Contains(out, "vIN  ") {
			t.Errorf("describe %s: exit %d:\n%s", obj, code, out)
		}
	}
	if code, out, _ := run1("programMembers"); code != 0 || !strings.Contains(out, "nurtureCadence") {
		t.Errorf("describe programMembers: exit %d:\n%s", code, out)
	}
	code, out, _ = run1("activities")
	if code != 0 || !strings.Contains(out, "ID   NAME                          PRIMARY ATTRIBUTE\n2    Fill Out Form                 Webform ID (integer)\n") {
		t.Errorf("describe activities: exit %d:\n%s", code, out)
	}
	code, out, _ = run1("-json", "leads")
	var desc marketo.ObjectDescription
	if code != 0 || json.Unmarshal([]byte(out), &desc) != nil || desc.Name != "API Lead" || len(desc.Fields) != 5 {
		t.Errorf("describe -json leads: exit %d:\n%s", code, out)
	}
	code, out, _ = run1("-json", "activities")
	var types []marketo.ActivityType
	if code != 0 || json.Unmarshal([]byte(out), &types) != nil || len(types) != 2 {
		t.Errorf("describe -json activities: exit %d:\n%s", code, out)
	}
	if code, _, errOut := run1("lead"); code != 1 || !strings.Contains(errOut, `did you mean "leads"?`) {
		t.Errorf("describe lead: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := run1(); code != 1 {
		t.Errorf("describe without an object: exit %d", code)
	}
}

// TestDescribeAgainstSandbox runs describe end to end against the sandbox
// with MKBULK_LOG=trace, and checks the logs carry neither the client
// secret nor the access token the sandbox issued.
func TestDescribeAgainstSandbox(t *testing.T) {
	srv, err := sandbox.New(sandbox.Config{Seed: 1, Leads: 100})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	logPath := filepath.Join(t.TempDir(), "trace.log")
	vars := map[string]string{"MARKETO_ENDPOINT": url + "/rest", "MARKETO_CLIENT_ID": "sandbox",
		"MARKETO_CLIENT_SECRET": "sandbox-secret", "MKBULK_LOG": "trace", "MKBULK_LOG_PATH": logPath}
	for _, obj := range []string{"leads", "programMembers", "activities", "car_c"} {
		e, stdout, stderr := clientTestEnv(vars)
		if code := run(context.Background(), []string{"describe", obj}, e); code != 0 || stdout.Len() == 0 {
			t.Errorf("describe %s: exit %d, stderr %q", obj, code, stderr.String())
		}
	}
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "path=/rest/v1/leads/describe2.json status=200") {
		t.Errorf("trace log lacks the describe call:\n%s", logs)
	}
	// The token the sandbox hands out: fetch one the same way mkbulk does.
	c, err := marketo.NewClient(marketo.WithBaseURL(url), marketo.WithCredentials("sandbox", "sandbox-secret"))
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := c.Identity.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"sandbox-secret", tok.AccessToken} {
		if strings.Contains(string(logs), secret) {
			t.Errorf("trace log contains a secret (%d bytes of log)", len(logs))
		}
	}
}
