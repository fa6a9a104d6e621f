package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/mkbulk/mkbulk/marketo"
)

// newClient builds the Marketo client from the environment (DESIGN.md §6):
// MARKETO_ENDPOINT (the instance's REST endpoint or its root),
// MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET, logging as MKBULK_LOG says.
func newClient(e *env) (*marketo.Client, error) {
	endpoint := strings.TrimSpace(e.getenv("MARKETO_ENDPOINT"))
	id := strings.TrimSpace(e.getenv("MARKETO_CLIENT_ID"))
	secret := e.getenv("MARKETO_CLIENT_SECRET")
	var missing []string
	for _, v := range []struct{ name, value string }{
		{"MARKETO_ENDPOINT", endpoint}, {"MARKETO_CLIENT_ID", id}, {"MARKETO_CLIENT_SECRET", secret},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s not set: mkbulk needs your Marketo instance's REST endpoint "+
			"(Admin > Integration > Web Services, e.g. https://123-ABC-456.mktorest.com/rest) and a custom "+
			"service's client id and secret (Admin > LaunchPoint > View Details). To try mkbulk without "+
			"Marketo, run `mkbulk sandbox` and export the variables it prints",
			joinNames(missing))
	}
	opts := []marketo.Option{
		marketo.WithBaseURL(endpoint),
		marketo.WithCredentials(id, secret),
		marketo.WithLogger(newLogger(e)),
		marketo.WithUserAgent("mkbulk/" + mkbulkVersion()),
	}
	if h := callHistoryOption(e); h != nil {
		opts = append(opts, h)
	}
	return marketo.NewClient(opts...)
}

// joinNames lists variable names for a message: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) == 1 {
		return names[0] + " is"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are"
}

// logLevels are the accepted MKBULK_LOG values.
var logLevels = map[string]hclog.Level{
	"trace": hclog.Trace, "debug": hclog.Debug, "info": hclog.Info,
	"warn": hclog.Warn, "error": hclog.Error, "off": hclog.Off, "": hclog.Off,
}

// newLogger makes the diagnostic logger (MKBULK_LOG=trace|debug|info|warn|
// error|off, default off) writing to stderr, or appending to MKBULK_LOG_PATH.
// Logs are for debugging mkbulk and are kept apart from the UI output; the
// client never logs secrets or tokens. An unknown level or an unwritable
// path is reported once on stderr and logging falls back to what works.
func newLogger(e *env) hclog.Logger {
	raw := strings.ToLower(strings.TrimSpace(e.getenv("MKBULK_LOG")))
	level, ok := logLevels[raw]
	if !ok {
		fmt.Fprintf(e.stderr, "Warning: MKBULK_LOG=%q is not one of trace, debug, info, warn, error, off; logging is off.\n", raw)
		level = hclog.Off
	}
	if level == hclog.Off {
		return hclog.NewNullLogger()
	}
	var out io.Writer = e.stderr
	if path := e.getenv("MKBULK_LOG_PATH"); path != "" {
		// Opened for the life of the process: the log is written until exit.
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(e.stderr, "Warning: MKBULK_LOG_PATH: %v; logging to stderr.\n", err)
		} else {
			out = f
		}
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:   "mkbulk",
		Level:  level,
		Output: out,
	})
}
