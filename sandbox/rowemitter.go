package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
)

// Rows are appended straight into 1 MiB blocks; a second goroutine hashes
// and writes full blocks while the next one fills, so generation and
// sha256 run on two cores and no row is copied twice.
const blockSize = 1 << 20

// rowEmitter builds rows in the current block and ships full blocks to
// the writer goroutine.
type rowEmitter struct {
	ctx   context.Context
	delim byte
	buf   []byte // current block
	tmp   []byte
	rows  int64
	err   error

	full chan []byte
	free chan []byte
	done chan struct{}
	// written by the writer goroutine, read after done
	size int64
	sum  string
	werr error
}

func newRowEmitter(ctx context.Context, f *os.File, delim byte) *rowEmitter {
	e := &rowEmitter{ctx: ctx, delim: delim, full: make(chan []byte, 2), free: make(chan []byte, 3), done: make(chan struct{})}
	for range 2 {
		e.free <- make([]byte, 0, blockSize+64<<10)
	}
	e.buf = make([]byte, 0, blockSize+64<<10)
	go func() {
		defer close(e.done)
		h := sha256.New()
		for b := range e.full {
			if e.werr == nil {
				h.Write(b)
				n, err := f.Write(b)
				e.size += int64(n)
				e.werr = err
			}
			e.free <- b[:0]
		}
		e.sum = hex.EncodeToString(h.Sum(nil))
	}()
	return e
}

// finish ships the last block and waits for the writer.
func (e *rowEmitter) finish() (int64, string, error) {
	if len(e.buf) > 0 {
		e.full <- e.buf
	}
	close(e.full)
	<-e.done
	if e.err == nil {
		e.err = e.werr
	}
	return e.size, e.sum, e.err
}

// sep starts a cell: the delimiter unless it is the first.
func (e *rowEmitter) sep(i int) int {
	if i > 0 {
		e.buf = append(e.buf, e.delim)
	}
	return len(e.buf)
}

// fix turns the raw value appended since start into a cell: null when
// empty, quoted when needed.
func (e *rowEmitter) fix(start int) {
	if len(e.buf) == start {
		e.buf = append(e.buf, nullCell...)
		return
	}
	q := &quoteNeeded[e.delim]
	for _, c := range e.buf[start:] {
		if q[c] {
			e.tmp = append(e.tmp[:0], e.buf[start:]...)
			e.buf = appendQuotedBytes(e.buf[:start], e.tmp, e.delim)
			return
		}
	}
}

// fixBase is fix for a generated value: safe columns skip the scan.
func (e *rowEmitter) fixBase(start int, safe bool) {
	if !safe {
		e.fix(start)
	} else if len(e.buf) == start {
		e.buf = append(e.buf, nullCell...)
	}
}

// quoteNeeded[delim][c] reports whether byte c forces quoting.
var quoteNeeded = func() (t [256][256]bool) {
	for _, f := range formats {
		t[f.Delim][f.Delim] = true
		t[f.Delim]['"'] = true
		t[f.Delim]['\n'] = true
		t[f.Delim]['\r'] = true
	}
	return t
}()

// endRow ends the row; it reports false once the export must stop (write
// error or cancellation, checked per block).
func (e *rowEmitter) endRow() bool {
	e.buf = append(e.buf, '\n')
	e.rows++
	if len(e.buf) >= blockSize {
		if e.err == nil {
			e.err = e.ctx.Err()
		}
		e.full <- e.buf
		e.buf = <-e.free
	}
	return e.err == nil
}
