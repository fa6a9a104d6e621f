package marketo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DownloadOptions says what the downloaded file must be. Take the values
// from the Completed job's status (fileSize, fileChecksum).
type DownloadOptions struct {
	// ExpectedSize is the job's fileSize; 0 means unknown (not checked).
	ExpectedSize int64
	// ExpectedChecksum is the job's fileChecksum, "sha256:<hex>"; empty
	// means unknown (the sha256 is still computed and returned).
	ExpectedChecksum string
	// Progress, if set, is called with the bytes in the partial file after
	// each write (resumed bytes included). Keep it cheap.
	Progress func(written int64)
	// StallTimeout ends an attempt that receives nothing for this long, so
	// a dead connection is resumed instead of hanging; 0 means 2 minutes.
	StallTimeout time.Duration
}

// DownloadResult describes a verified download.
type DownloadResult struct {
	Size   int64
	SHA256 string // lowercase hex, no "sha256:" prefix
	// Resumed is true when bytes already in the partial file were kept.
	Resumed bool
	// Retries counts extra requests: resumptions after a failure mid-body
	// and retries of the request itself.
	Retries int
}

// errStalled ends a download attempt that stopped receiving bytes.
var errStalled = errors.New("marketo: download stalled: no bytes received within the stall timeout")

// downloadBufferSize is the read size; downloadBuffers of them circulate
// between the network reader, the file writer and the hasher, so memory
// stays at 4 MiB per download whatever the file size.
const (
	downloadBufferSize = 1 << 20
	downloadBuffers    = 4
)

// DownloadFile streams a Completed job's file into partialPath. If the file
// already holds a prefix (an earlier attempt was interrupted), that prefix
// is hashed and the rest is requested with Range: bytes=N-. Failures in the
// middle of the body are resumed the same way, as the RetryPolicy allows.
// At the end the size and sha256 are checked against opts and the file is
// fsynced; it is not renamed — that is the caller's commit step.
//
// On a size or checksum mismatch the error wraps ErrIntegrity and the
// partial file is truncated, so the next attempt starts from the first
// byte. A 404 (IsNotFound) means the job is not Completed or its file has
// expired. Memory use is one 256 KiB buffer, whatever the file size.
//
//meta:operation GET /bulk/v1/leads/export/{exportId}/file.json
//meta:operation GET /bulk/v1/activities/export/{exportId}/file.json
//meta:operation GET /bulk/v1/program/members/export/{exportId}/file.json
//meta:operation GET /bulk/v1/customobjects/{apiName}/export/{exportId}/file.json
func (s *BulkExportService) DownloadFile(ctx context.Context, obj Object, exportID, partialPath string, opts *DownloadOptions) (*DownloadResult, error) {
	if opts == nil {
		opts = &DownloadOptions{}
	}
	path, err := exportJobPath(obj, exportID, "file")
	if err != nil {
		return nil, err
	}
	want, err := parseChecksum(opts.ExpectedChecksum)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(partialPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("marketo: download of export %s: %w", exportID, err)
	}
	d := &download{
		c: s.client, path: path, exportID: exportID, name: partialPath, f: f, opts: opts,
		want: want, hash: sha256.New(), buf: make([]byte, 256<<10),
	}
	res, err := d.run(ctx)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("marketo: download of export %s: %w", exportID, cerr)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// download is the state of one DownloadFile call: the file, the running
// hash of its bytes [0, offset), and counters.
type download struct {
	c              *Client
	path, exportID string
	name           string
	f              *os.File
	opts           *DownloadOptions
	want           string
	hash           hash.Hash // owned by pipe while it runs; call pipe.wait first
	pipe           *sinkPipe
	buf            []byte // for hashing the prefix

	offset  int64
	total   int64 // file size learned from the server, 0 unknown
	resumed bool
	retries int
}

func (d *download) run(ctx context.Context) (*DownloadResult, error) {
	if err := d.hashPrefix(); err != nil {
		return nil, err
	}
	d.pipe = newSinkPipe(d.f, d.hash, downloadBuffers, downloadBufferSize)
	defer d.pipe.close()
	d.total = d.opts.ExpectedSize
	restarted := false
	for attempt := 1; ; attempt++ {
		if d.total > 0 && d.offset == d.total {
			break // complete (possibly already before the first request)
		}
		before := d.offset
		err := d.fetch(ctx)
		if err == nil {
			break
		}
		if errors.Is(err, ErrIntegrity) {
			return nil, err
		}
		var merr *Error
		if errors.As(err, &merr) && merr.HTTPStatus == http.StatusRequestedRangeNotSatisfiable && d.offset > 0 && !restarted {
			// The server cannot serve our prefix's continuation: start over once.
			restarted = true
			if err := d.restart(); err != nil {
				return nil, err
			}
			continue
		}
		var reqErr requestError
		if errors.As(err, &reqErr) || ctx.Err() != nil {
			// The request itself failed after the client's own retries.
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, reqErr.err
		}
		if d.offset > before {
			attempt = 1 // progress renews the retry budget
		}
		retry, delay, reason := d.c.retry.Decide(err, attempt)
		if !retry {
			return nil, fmt.Errorf("marketo: download of export %s stopped at byte %d: %w", d.exportID, d.offset, err)
		}
		d.retries++
		reason = fmt.Sprintf("resuming at byte %d: %s", d.offset, reason)
		d.c.logger.Debug("marketo download retrying", "exportId", d.exportID, "attempt", attempt, "delay", delay, "reason", reason)
		if d.c.retryHook != nil {
			d.c.retryHook("GET "+d.path, attempt, reason)
		}
		if err := sleep(ctx, d.c.clock, delay); err != nil {
			return nil, err
		}
	}
	return d.verify()
}

// requestError marks a failure of the HTTP request (already retried by
// Client.do), as opposed to a failure while reading the body.
type requestError struct{ err error }

func (e requestError) Error() string { return e.err.Error() }
func (e requestError) Unwrap() error { return e.err }

// hashPrefix hashes the bytes an earlier attempt left in the file and
// positions the file after them. A prefix longer than the expected file
// cannot be right and is discarded.
func (d *download) hashPrefix() error {
	st, err := d.f.Stat()
	if err != nil {
		return err
	}
	n := st.Size()
	if d.opts.ExpectedSize > 0 && n > d.opts.ExpectedSize {
		return d.restart()
	}
	if n > 0 {
		if _, err := io.CopyBuffer(d.hash, io.NewSectionReader(d.f, 0, n), d.buf); err != nil {
			return fmt.Errorf("marketo: download of export %s: hashing %s: %w", d.exportID, d.name, err)
		}
		d.resumed = true
	}
	d.offset = n
	_, err = d.f.Seek(n, io.SeekStart)
	return err
}

// restart empties the file and the hash.
func (d *download) restart() error {
	if d.pipe != nil {
		d.pipe.wait()
	}
	if err := d.f.Truncate(0); err != nil {
		return err
	}
	if _, err := d.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	d.hash.Reset()
	d.offset, d.resumed = 0, false
	return nil
}

// fetch makes one request from d.offset and copies the body to the file.
func (d *download) fetch(ctx context.Context) error {
	attemptCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hdr := http.Header{}
	if d.offset > 0 {
		hdr.Set("Range", "bytes="+strconv.FormatInt(d.offset, 10)+"-")
	}
	resp, _, err := d.c.do(attemptCtx, &request{method: http.MethodGet, path: d.path, header: hdr, stream: true, idempotent: true})
	if resp != nil {
		d.retries += resp.Retries
	}
	if err != nil {
		var merr *Error
		if errors.As(err, &merr) && merr.HTTPStatus == http.StatusRequestedRangeNotSatisfiable {
			return err
		}
		return requestError{err}
	}
	defer resp.Body.Close()
	if err := d.checkRange(resp.Response); err != nil {
		return err
	}

	stall := d.opts.StallTimeout
	if stall <= 0 {
		stall = 2 * time.Minute
	}
	watchdog := time.AfterFunc(stall, func() { cancel(errStalled) })
	defer watchdog.Stop()
	for {
		buf := d.pipe.get()
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			watchdog.Reset(stall)
			if d.total > 0 && d.offset+int64(n) > d.total {
				d.pipe.recycle(buf)
				return d.integrityError(fmt.Sprintf("received more than the expected %d bytes", d.total))
			}
			if err := d.pipe.err(); err != nil {
				d.pipe.recycle(buf)
				return requestError{fmt.Errorf("writing %s: %w", d.name, err)}
			}
			d.pipe.put(buf[:n]) // written and hashed while we read on
			d.offset += int64(n)
			if d.opts.Progress != nil {
				d.opts.Progress(d.offset)
			}
		} else {
			d.pipe.recycle(buf)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if errors.Is(context.Cause(attemptCtx), errStalled) && ctx.Err() == nil {
				return errStalled
			}
			return rerr
		}
	}
	if d.total > 0 && d.offset < d.total {
		// A clean end before the last byte: a truncated response.
		return fmt.Errorf("body ended at byte %d of %d: %w", d.offset, d.total, io.ErrUnexpectedEOF)
	}
	return nil
}

// checkRange makes sure the response continues the file where it stands.
func (d *download) checkRange(resp *http.Response) error {
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, total, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return requestError{fmt.Errorf("marketo: download of export %s: %w", d.exportID, err)}
		}
		if start != d.offset {
			return requestError{fmt.Errorf("marketo: download of export %s: asked for bytes from %d, got Content-Range %q", d.exportID, d.offset, resp.Header.Get("Content-Range"))}
		}
		if total > 0 {
			if d.total > 0 && total != d.total {
				return d.integrityError(fmt.Sprintf("server reports a %d-byte file, the job status said %d", total, d.total))
			}
			d.total = total
		}
	case http.StatusOK:
		if d.offset > 0 {
			// The server ignored Range and sent the whole file.
			if err := d.restart(); err != nil {
				return requestError{err}
			}
		}
		if resp.ContentLength >= 0 {
			if d.total > 0 && resp.ContentLength != d.total {
				return d.integrityError(fmt.Sprintf("server sends %d bytes, the job status said %d", resp.ContentLength, d.total))
			}
			d.total = resp.ContentLength
		}
	default:
		return requestError{fmt.Errorf("marketo: download of export %s: unexpected HTTP %d", d.exportID, resp.StatusCode)}
	}
	return nil
}

// verify checks size and checksum, and makes the bytes durable.
func (d *download) verify() (*DownloadResult, error) {
	if d.opts.ExpectedSize > 0 && d.offset != d.opts.ExpectedSize {
		return nil, d.integrityError(fmt.Sprintf("got %d bytes, Marketo reported fileSize %d", d.offset, d.opts.ExpectedSize))
	}
	d.pipe.wait()
	if err := d.pipe.err(); err != nil {
		return nil, fmt.Errorf("marketo: download of export %s: writing %s: %w", d.exportID, d.name, err)
	}
	sum := hex.EncodeToString(d.hash.Sum(nil))
	if d.want != "" && sum != d.want {
		return nil, d.integrityError(fmt.Sprintf("sha256 is %s, Marketo reported %s", sum, d.want))
	}
	if err := d.f.Sync(); err != nil {
		return nil, fmt.Errorf("marketo: download of export %s: fsync %s: %w", d.exportID, d.name, err)
	}
	return &DownloadResult{Size: d.offset, SHA256: sum, Resumed: d.resumed, Retries: d.retries}, nil
}

// integrityError truncates the partial file, which cannot be trusted, and
// explains what did not match.
func (d *download) integrityError(what string) error {
	truncated := "truncated"
	if err := d.restart(); err != nil {
		truncated = "could not be truncated (" + err.Error() + "); delete it"
	}
	return fmt.Errorf("%w: export %s: %s; %s %s so the next attempt starts fresh", ErrIntegrity, d.exportID, what, d.name, truncated)
}

// parseChecksum accepts "sha256:<hex>", bare hex, or "" (unknown).
func parseChecksum(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	hexsum := s
	if algo, rest, ok := strings.Cut(s, ":"); ok {
		if !strings.EqualFold(algo, "sha256") {
			return "", fmt.Errorf("marketo: checksum %q: only sha256 is supported", s)
		}
		hexsum = rest
	}
	hexsum = strings.ToLower(hexsum)
	if b, err := hex.DecodeString(hexsum); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("marketo: checksum %q is not a sha256 in hex", s)
	}
	return hexsum, nil
}

// parseContentRange reads "bytes first-last/total" (total may be "*", returned as 0).
func parseContentRange(v string) (start, total int64, err error) {
	spec, ok := strings.CutPrefix(v, "bytes ")
	rng, size, ok2 := strings.Cut(spec, "/")
	first, _, ok3 := strings.Cut(rng, "-")
	if !ok || !ok2 || !ok3 {
		return 0, 0, fmt.Errorf("malformed Content-Range %q", v)
	}
	if start, err = strconv.ParseInt(first, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("malformed Content-Range %q", v)
	}
	if size == "*" {
		return start, 0, nil
	}
	if total, err = strconv.ParseInt(size, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("malformed Content-Range %q", v)
	}
	return start, total, nil
}

// sinkPipe writes and hashes received buffers on two goroutines of its
// own, so the network read, the file write and sha256 (which alone runs at
// about the speed of a local transfer) overlap instead of adding up.
// Buffers circulate in order: get one, fill it, put it (or recycle it
// unused); wait blocks until every buffer put is written and hashed, after
// which the file and hash may be read, truncated or reset.
type sinkPipe struct {
	free, toWrite, toHash chan []byte
	n                     int
	werr                  atomic.Pointer[error]
}

// writebackChunk is how many written bytes are handed to the kernel's
// writeback at a time (see startWriteback).
const writebackChunk = 8 << 20

func newSinkPipe(f *os.File, h hash.Hash, n, size int) *sinkPipe {
	p := &sinkPipe{free: make(chan []byte, n), toWrite: make(chan []byte, n), toHash: make(chan []byte, n), n: n}
	for range n {
		p.free <- make([]byte, size)
	}
	go func() {
		defer close(p.toHash)
		var pending int64
		for b := range p.toWrite {
			if p.werr.Load() == nil {
				if _, err := f.Write(b); err != nil {
					p.werr.Store(&err)
				}
				if pending += int64(len(b)); pending >= writebackChunk {
					if end, err := f.Seek(0, io.SeekCurrent); err == nil {
						startWriteback(f, max(end-pending, 0), pending)
					}
					pending = 0
				}
			}
			p.toHash <- b
		}
	}()
	go func() {
		for b := range p.toHash {
			h.Write(b)
			p.free <- b[:cap(b)]
		}
	}()
	return p
}

func (p *sinkPipe) get() []byte      { return <-p.free }
func (p *sinkPipe) put(b []byte)     { p.toWrite <- b }
func (p *sinkPipe) recycle(b []byte) { p.free <- b[:cap(b)] }

// err is the first write error, if any.
func (p *sinkPipe) err() error {
	if e := p.werr.Load(); e != nil {
		return *e
	}
	return nil
}

// wait returns once every buffer is back: all writing and hashing is done.
func (p *sinkPipe) wait() {
	held := make([][]byte, 0, p.n)
	for range p.n {
		held = append(held, <-p.free)
	}
	for _, b := range held {
		p.free <- b
	}
}

func (p *sinkPipe) close() {
	p.wait()
	close(p.toWrite)
}
