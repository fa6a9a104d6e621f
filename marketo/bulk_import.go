package marketo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// BulkImportService uploads files to bulk import for leads, custom objects
// and program members (MARKETO_API.md §4) and reads back batch status and
// the failures and warnings files.
type BulkImportService service

// Create uploads body as a multipart/form-data request with a single part
// named "file" (Content-Type text/csv) and the parameters in the query
// string: format (lowercase for leads and custom objects, uppercase for
// program members, as Marketo's spec has it), lookupField, listId,
// partitionName for leads, programMemberStatus for program members.
//
// The body is streamed, never buffered: the multipart framing is built
// around it with io.MultiReader. When body is an io.Seeker (a file or a
// section of one) its length is sent as Content-Length and the upload can be
// repeated after a rate-limit answer; otherwise it goes chunked, once. An
// upload is not idempotent, so after an ambiguous failure (a reset
// mid-upload) it is not retried — the batch may exist (see RetryPolicy).
//
//meta:operation POST /bulk/v1/leads.json
//meta:operation POST /bulk/v1/customobjects/{apiName}/import.json
//meta:operation POST /bulk/v1/program/{programId}/members/import.json
func (s *BulkImportService) Create(ctx context.Context, obj Object, req *ImportRequest, body io.Reader) (*ImportBatch, *Response, error) {
	if req == nil {
		req = &ImportRequest{}
	}
	path, err := importCreatePath(obj, req.ProgramID)
	if err != nil {
		return nil, nil, err
	}
	q, err := importQuery(obj, req)
	if err != nil {
		return nil, nil, err
	}
	mp, err := newMultipartBody(req.FileName, body)
	if err != nil {
		return nil, nil, err
	}
	r := &request{
		method: http.MethodPost, path: path, query: q,
		body: mp.open, rewindable: mp.seeker != nil, contentType: mp.contentType,
	}
	resp, env, err := s.client.do(ctx, r)
	if err != nil {
		return nil, resp, err
	}
	batch, err := firstResult[ImportBatch](env, r.op())
	return batch, resp, err
}

func importQuery(obj Object, req *ImportRequest) (url.Values, error) {
	format := req.Format
	if format == "" {
		format = "csv"
	}
	switch strings.ToLower(format) {
	case "csv", "tsv", "ssv":
	default:
		return nil, fmt.Errorf("marketo: import format %q: want csv, tsv or ssv", format)
	}
	q := url.Values{}
	switch obj.Kind {
	case ObjectProgramMembers:
		if req.ProgramMemberStatus == "" {
			return nil, fmt.Errorf("marketo: program member import needs a ProgramMemberStatus (e.g. \"On List\")")
		}
		q.Set("format", strings.ToUpper(format))
		q.Set("programMemberStatus", req.ProgramMemberStatus)
	case ObjectLeads:
		q.Set("format", strings.ToLower(format))
		if req.LookupField != "" {
			q.Set("lookupField", req.LookupField)
		}
		if req.ListID != 0 {
			q.Set("listId", strconv.Itoa(req.ListID))
		}
		if req.PartitionName != "" {
			q.Set("partitionName", req.PartitionName)
		}
	default:
		q.Set("format", strings.ToLower(format))
	}
	return q, nil
}

// multipartBody frames a file as the single part of a multipart/form-data
// body without reading it: prefix + file + suffix.
type multipartBody struct {
	prefix, suffix []byte
	contentType    string
	file           io.Reader
	seeker         io.Seeker
	start, size    int64 // file position to rewind to, and bytes from there (-1 unknown)
}

func newMultipartBody(fileName string, file io.Reader) (*multipartBody, error) {
	if file == nil {
		return nil, fmt.Errorf("marketo: import body is nil")
	}
	if fileName == "" {
		fileName = "import.csv"
	}
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, fileName))
	h.Set("Content-Type", "text/csv")
	if _, err := w.CreatePart(h); err != nil {
		return nil, err
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	if err := w.Close(); err != nil { // writes only the closing boundary
		return nil, err
	}
	mb := &multipartBody{prefix: prefix, suffix: bytes.Clone(head.Bytes()), contentType: w.FormDataContentType(), file: file, size: -1}
	if sk, ok := file.(io.Seeker); ok {
		start, err := sk.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		end, err := sk.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, err
		}
		if _, err := sk.Seek(start, io.SeekStart); err != nil {
			return nil, err
		}
		mb.seeker, mb.start, mb.size = sk, start, end-start
	}
	return mb, nil
}

// open returns the body for one attempt, rewinding the file when it can.
func (m *multipartBody) open() (io.Reader, int64, error) {
	if m.seeker != nil {
		if _, err := m.seeker.Seek(m.start, io.SeekStart); err != nil {
			return nil, 0, err
		}
	}
	length := int64(-1)
	if m.size >= 0 {
		length = int64(len(m.prefix)) + m.size + int64(len(m.suffix))
	}
	return io.MultiReader(bytes.NewReader(m.prefix), m.file, bytes.NewReader(m.suffix)), length, nil
}

// Status returns a batch's status (Queued, Importing, Complete, Failed) and
// row counts.
//
//meta:operation GET /bulk/v1/leads/batch/{batchId}.json
//meta:operation GET /bulk/v1/customobjects/{apiName}/import/{batchId}/status.json
//meta:operation GET /bulk/v1/program/members/import/{batchId}/status.json
func (s *BulkImportService) Status(ctx context.Context, obj Object, batchID int) (*ImportBatch, *Response, error) {
	path, err := importBatchPath(obj, batchID, "status")
	if err != nil {
		return nil, nil, err
	}
	r := &request{method: http.MethodGet, path: path, idempotent: true}
	resp, env, err := s.client.do(ctx, r)
	if err != nil {
		return nil, resp, err
	}
	batch, err := firstResult[ImportBatch](env, r.op())
	return batch, resp, err
}

// Failures copies the batch's failures file (the uploaded rows that failed,
// with a trailing "Import Failure Reason" column) to w. found is false, with
// no error, when Marketo has no such file (HTTP 404).
//
//meta:operation GET /bulk/v1/leads/batch/{batchId}/failures.json
//meta:operation GET /bulk/v1/customobjects/{apiName}/import/{batchId}/failures.json
//meta:operation GET /bulk/v1/program/members/import/{batchId}/failures.json
func (s *BulkImportService) Failures(ctx context.Context, obj Object, batchID int, w io.Writer) (found bool, resp *Response, err error) {
	return s.report(ctx, obj, batchID, "failures", w)
}

// Warnings copies the batch's warnings file (trailing "Import Warning
// Reason" column) to w; found is false when there is none (HTTP 404).
//
//meta:operation GET /bulk/v1/leads/batch/{batchId}/warnings.json
//meta:operation GET /bulk/v1/customobjects/{apiName}/import/{batchId}/warnings.json
//meta:operation GET /bulk/v1/program/members/import/{batchId}/warnings.json
func (s *BulkImportService) Warnings(ctx context.Context, obj Object, batchID int, w io.Writer) (found bool, resp *Response, err error) {
	return s.report(ctx, obj, batchID, "warnings", w)
}

func (s *BulkImportService) report(ctx context.Context, obj Object, batchID int, kind string, w io.Writer) (bool, *Response, error) {
	path, err := importBatchPath(obj, batchID, kind)
	if err != nil {
		return false, nil, err
	}
	resp, _, err := s.client.do(ctx, &request{method: http.MethodGet, path: path, idempotent: true, stream: true})
	if err != nil {
		if e, ok := asError(err); ok && e.HTTPStatus == http.StatusNotFound {
			return false, resp, nil
		}
		return false, resp, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return true, resp, fmt.Errorf("marketo: reading %s of batch %d: %w", kind, batchID, err)
	}
	return true, resp, nil
}
