package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is one entry of the envelope's errors array; Marketo sends the
// code as a string.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// envelope is Marketo's response wrapper (MARKETO_API.md §6.1). Responses
// are HTTP 200 even when success is false.
type envelope struct {
	RequestID     string     `json:"requestId"`
	Result        any        `json:"result,omitempty"`
	Success       bool       `json:"success"`
	NextPageToken string     `json:"nextPageToken,omitempty"`
	Errors        []apiError `json:"errors,omitempty"`
	Warnings      []string   `json:"warnings,omitempty"`
}

// Error messages that clients match on, verbatim from real responses where
// one was recorded (MARKETO_API.md §6.4, §8).
const (
	msgEmptyToken     = "Empty access token"
	msgInvalidToken   = "Access token invalid"
	msgExpiredToken   = "Access token expired"
	msgRateLimit      = "Max rate limit '100' exceeded with in '20' secs"
	msgConcurrent     = "Concurrent access limit '10' reached"
	msgNotFound       = "Requested resource not found"
	msgTooManyJobs    = "Too many jobs in queue"
	msgAlreadyQueued  = "Job already queued"
	msgTooManyImports = "Too many imports"
	msgUnsupported    = "Unsupported filter type for target subscription"
	msgEmptyFile      = "Empty File"
)

var faultMessages = map[string]string{
	"601": msgInvalidToken,
	"602": msgExpiredToken,
	"604": "Request timed out",
	"606": msgRateLimit,
	"607": "Daily quota reached",
	"608": "API Temporarily Unavailable",
	"611": "System error",
	"615": msgConcurrent,
	"713": "Transient Error",
}

// newRequestID mimics Marketo's "<hex>#<hex>", the second part being the
// request's epoch milliseconds (simulated).
func (s *Server) newRequestID() string {
	s.mu.Lock()
	s.reqSeq++
	n := s.reqSeq
	s.mu.Unlock()
	ms := s.clock.Now().UnixMilli()
	return strconv.FormatUint(0x1000+n, 16) + "#" + strconv.FormatInt(ms, 16)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// ok writes a success envelope around result (a slice).
func (c *call) ok(result any) {
	writeJSON(c.w, http.StatusOK, envelope{RequestID: c.reqID, Result: result, Success: true})
}

// fail writes a success:false envelope with one error, HTTP 200.
func (c *call) fail(code, msg string) {
	writeJSON(c.w, http.StatusOK, envelope{RequestID: c.reqID, Success: false, Errors: []apiError{{code, msg}}})
}

// notFoundText is Marketo's plain-text 404 for files that are not there.
func notFoundText(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte("Not Found\n"))
}
