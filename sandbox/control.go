package sandbox

import (
	"net/http"
	"strconv"
	"time"
)

// Control endpoints, never authenticated, limited or faulted:
//
//	GET  /sandbox/stats.json                 Stats
//	POST /sandbox/advance.json?seconds=N     move the simulated clock forward N seconds
//	GET  /sandbox/clock.json                 simulated time, time scale, quota day and usage
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/sandbox/stats.json":
		writeJSON(w, http.StatusOK, s.Stats())
	case "/sandbox/advance.json":
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST /sandbox/advance.json?seconds=N"})
			return
		}
		secs, err := strconv.ParseFloat(r.URL.Query().Get("seconds"), 64)
		if err != nil || secs < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "seconds must be a number >= 0"})
			return
		}
		s.Advance(time.Duration(secs * float64(time.Second)))
		writeJSON(w, http.StatusOK, s.clockInfo())
	case "/sandbox/clock.json":
		writeJSON(w, http.StatusOK, s.clockInfo())
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sandbox endpoint " + r.URL.Path})
	}
}

type clockInfo struct {
	Now            string  `json:"now"`
	TimeScale      float64 `json:"timeScale"`
	QuotaDay       string  `json:"quotaDay"`
	QuotaUsedBytes int64   `json:"quotaUsedBytes"`
	QuotaBytes     int64   `json:"quotaBytes"`
	NextQuotaReset string  `json:"nextQuotaReset"`
}

func (s *Server) clockInfo() clockInfo {
	now := s.clock.Now()
	local := now.In(chicago)
	next := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, chicago)
	s.mu.Lock()
	used := s.quota[quotaDay(now)]
	s.mu.Unlock()
	return clockInfo{
		Now:            jsonTime(now),
		TimeScale:      s.cfg.TimeScale,
		QuotaDay:       quotaDay(now),
		QuotaUsedBytes: used,
		QuotaBytes:     s.quotaBytes(),
		NextQuotaReset: jsonTime(next.UTC()),
	}
}

func (s *Server) quotaBytes() int64 { return int64(s.cfg.QuotaMB) << 20 }
