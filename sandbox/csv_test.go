package sandbox

import (
	"encoding/csv"
	"io"
	"time"
)

func newCSVReader(r io.Reader, delim rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	return cr
}

func timeUnixUTC(u int64) time.Time { return time.Unix(u, 0).UTC() }
