package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"strings"

	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/plan"
)

// sourceChangedError says an import source no longer holds the bytes the
// plan split into chunks.
type sourceChangedError struct {
	source string
	chunk  int
}

func (e *sourceChangedError) Error() string {
	return fmt.Sprintf("%s changed since the plan was made (chunk %d no longer matches its sha256); run mkbulk plan again", e.source, e.chunk)
}

// send uploads one chunk: the source's header line followed by the chunk's
// rows, streamed straight from the source file. The bytes are hashed first
// so a source edited since the plan is refused before Marketo sees it, and
// hashed again while streaming so an edit during the upload aborts it
// (the multipart body then never completes).
func (ir *importRunner) send(c *chunkRun) (*marketo.ImportBatch, error) {
	r := ir.r
	j := ir.job
	f, err := os.Open(r.abs(j.Source))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	header := make([]byte, j.HeaderLength)
	if _, err := f.ReadAt(header, 0); err != nil {
		return nil, &sourceChangedError{source: j.Source, chunk: c.plan.Index}
	}
	if got, err := chunkSHA256(f, header, c.plan); err != nil || got != c.plan.SHA256 {
		return nil, &sourceChangedError{source: j.Source, chunk: c.plan.Index}
	}

	cr := ir.chunkRec(c)
	cr.Uploading = true
	cr.BatchID = 0
	cr.Status = ""
	if err := r.put(ir.rec); err != nil {
		return nil, err
	}
	body := &chunkBody{
		header: header, src: f, off: c.plan.Offset, n: c.plan.Length,
		h: sha256.New(), want: c.plan.SHA256,
		changed: &sourceChangedError{source: j.Source, chunk: c.plan.Index},
	}
	return r.api.CreateImport(r.ctx, ir.obj, &marketo.ImportRequest{
		Format:              strings.ToLower(j.Format),
		LookupField:         j.LookupField,
		ListID:              j.ListID,
		PartitionName:       j.PartitionName,
		ProgramID:           j.ProgramID,
		ProgramMemberStatus: j.ProgramMemberStatus,
		FileName:            chunkFileName(j.Source, c.plan.Index, len(j.Chunks)),
	}, body)
}

// chunkSHA256 hashes header + the chunk's byte range of the source.
func chunkSHA256(f io.ReaderAt, header []byte, c plan.Chunk) (string, error) {
	h := sha256.New()
	h.Write(header)
	n, err := io.Copy(h, io.NewSectionReader(f, c.Offset, c.Length))
	if err != nil {
		return "", err
	}
	if n != c.Length {
		return "", io.ErrUnexpectedEOF
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// chunkFileName names the multipart file part after the source:
// "leads.csv", or "leads.part2.csv" when the source has several chunks.
func chunkFileName(source string, index, chunks int) string {
	base := path.Base(strings.ReplaceAll(source, "\\", "/"))
	if chunks <= 1 {
		return base
	}
	ext := path.Ext(base)
	return fmt.Sprintf("%s.part%d%s", strings.TrimSuffix(base, ext), index, ext)
}

// chunkBody is the upload body of one chunk: the header line, then the
// chunk's byte range of the source, read straight from the file. It is an
// io.ReadSeeker so the client can send Content-Length and repeat the upload
// after a rate-limit answer. Bytes read in order from the start are hashed;
// at the end a hash other than the plan's fails the read, so a source
// edited during the upload never completes the request.
type chunkBody struct {
	header  []byte
	src     io.ReaderAt
	off, n  int64
	pos     int64
	h       hash.Hash
	hashed  int64 // bytes [0, hashed) are in h
	want    string
	changed error
}

func (b *chunkBody) size() int64 { return int64(len(b.header)) + b.n }

func (b *chunkBody) Read(p []byte) (int, error) {
	size := b.size()
	if b.pos >= size {
		return 0, b.end()
	}
	p = p[:min(int64(len(p)), size-b.pos)]
	var n int
	if hl := int64(len(b.header)); b.pos < hl {
		n = copy(p, b.header[b.pos:])
	} else {
		var err error
		n, err = b.src.ReadAt(p, b.off+b.pos-hl)
		if n < len(p) {
			if err == nil || errors.Is(err, io.EOF) {
				err = b.changed // the source got shorter
			}
			return n, err
		}
	}
	if b.pos == b.hashed {
		b.h.Write(p[:n])
		b.hashed += int64(n)
	}
	b.pos += int64(n)
	if b.pos == size {
		return n, b.end()
	}
	return n, nil
}

// end is the error at the end of the body: io.EOF, or the source-changed
// error when every byte was hashed and the hash differs.
func (b *chunkBody) end() error {
	if b.hashed == b.size() && hex.EncodeToString(b.h.Sum(nil)) != b.want {
		return b.changed
	}
	return io.EOF
}

func (b *chunkBody) Seek(offset int64, whence int) (int64, error) {
	var pos int64
	switch whence {
	case io.SeekStart:
		pos = offset
	case io.SeekCurrent:
		pos = b.pos + offset
	case io.SeekEnd:
		pos = b.size() + offset
	default:
		return 0, errors.New("chunkBody.Seek: invalid whence")
	}
	if pos < 0 {
		return 0, errors.New("chunkBody.Seek: negative position")
	}
	if pos == 0 {
		b.h.Reset()
		b.hashed = 0
	}
	b.pos = pos
	return pos, nil
}
