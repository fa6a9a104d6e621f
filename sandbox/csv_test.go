package sandbox

import (
	"encoding/csv"
	"io"
)

func newCSVReader(r io.Reader, delim rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	return cr
}
