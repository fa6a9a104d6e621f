package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseWindow parses an export window: a number of days ("31d", "7d"),
// a Go duration ("12h", "90m"), or both ("1d12h").
func ParseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var d time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		days, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("invalid duration %q: want days like 31d or a duration like 12h", s)
		}
		d = time.Duration(days) * 24 * time.Hour
		rest = s[i+1:]
	}
	if rest != "" {
		x, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: want days like 31d or a duration like 12h", s)
		}
		d += x
	}
	return d, nil
}

// FormatWindow renders d the way manifests write it: whole days as "31d",
// anything else as a Go duration ("36h0m0s").
func FormatWindow(d time.Duration) string {
	day := 24 * time.Hour
	if d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}
