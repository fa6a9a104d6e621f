package marketo

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// BulkExportService runs bulk extract jobs for leads, activities, program
// members and custom objects (MARKETO_API.md §3): create, enqueue, poll
// status, download the file, cancel, list.
type BulkExportService service

// jobCall runs a call whose result is one export job.
func (s *BulkExportService) jobCall(ctx context.Context, r *request) (*ExportJob, *Response, error) {
	resp, env, err := s.client.do(ctx, r)
	if err != nil {
		return nil, resp, err
	}
	job, err := firstResult[ExportJob](env, r.op())
	return job, resp, err
}

// Create creates a bulk export job (status Created). Creating is not
// idempotent — a lost response may leave a job behind — so it is retried
// only when Marketo proves it did not run (see RetryPolicy).
//
//meta:operation POST /bulk/v1/leads/export/create.json
//meta:operation POST /bulk/v1/activities/export/create.json
//meta:operation POST /bulk/v1/program/members/export/create.json
//meta:operation POST /bulk/v1/customobjects/{apiName}/export/create.json
func (s *BulkExportService) Create(ctx context.Context, obj Object, req *ExportRequest) (*ExportJob, *Response, error) {
	prefix, err := exportPrefix(obj)
	if err != nil {
		return nil, nil, err
	}
	body, err := jsonBody(req)
	if err != nil {
		return nil, nil, err
	}
	return s.jobCall(ctx, &request{
		method: http.MethodPost, path: prefix + "/create.json",
		body: body, rewindable: true, contentType: "application/json",
	})
}

// Enqueue puts a Created job in Marketo's export queue. Retrying it is safe:
// a second enqueue of the same job fails with 1029 "Job already queued"
// (IsAlreadyQueued) rather than running the job twice.
//
//meta:operation POST /bulk/v1/leads/export/{exportId}/enqueue.json
//meta:operation POST /bulk/v1/activities/export/{exportId}/enqueue.json
//meta:operation POST /bulk/v1/program/members/export/{exportId}/enqueue.json
//meta:operation POST /bulk/v1/customobjects/{apiName}/export/{exportId}/enqueue.json
func (s *BulkExportService) Enqueue(ctx context.Context, obj Object, exportID string) (*ExportJob, *Response, error) {
	return s.jobAction(ctx, obj, exportID, http.MethodPost, "enqueue")
}

// Status returns a job's status. Marketo refreshes it at most once a
// minute; pace calls with PollPolicy.
//
//meta:operation GET /bulk/v1/leads/export/{exportId}/status.json
//meta:operation GET /bulk/v1/activities/export/{exportId}/status.json
//meta:operation GET /bulk/v1/program/members/export/{exportId}/status.json
//meta:operation GET /bulk/v1/customobjects/{apiName}/export/{exportId}/status.json
func (s *BulkExportService) Status(ctx context.Context, obj Object, exportID string) (*ExportJob, *Response, error) {
	return s.jobAction(ctx, obj, exportID, http.MethodGet, "status")
}

// Cancel cancels a Created, Queued or Processing job.
//
//meta:operation POST /bulk/v1/leads/export/{exportId}/cancel.json
//meta:operation POST /bulk/v1/activities/export/{exportId}/cancel.json
//meta:operation POST /bulk/v1/program/members/export/{exportId}/cancel.json
//meta:operation POST /bulk/v1/customobjects/{apiName}/export/{exportId}/cancel.json
func (s *BulkExportService) Cancel(ctx context.Context, obj Object, exportID string) (*ExportJob, *Response, error) {
	return s.jobAction(ctx, obj, exportID, http.MethodPost, "cancel")
}

// jobAction is enqueue, status or cancel: no body (MARKETO_API.md §3.1).
func (s *BulkExportService) jobAction(ctx context.Context, obj Object, exportID, method, action string) (*ExportJob, *Response, error) {
	path, err := exportJobPath(obj, exportID, action)
	if err != nil {
		return nil, nil, err
	}
	return s.jobCall(ctx, &request{method: method, path: path, idempotent: true})
}

// ListOptions filters and pages List.
type ListOptions struct {
	// Status keeps jobs in these states (sent comma-separated, as the docs
	// show: status=Completed,Failed).
	Status []string
	// BatchSize is the page size; Marketo's default and maximum is 300.
	BatchSize int
	// NextPageToken continues from a previous page's Response.NextPageToken.
	NextPageToken string
}

// List returns one page of the export jobs of obj created in the last
// seven days by this API user. Response.NextPageToken is set when more
// pages exist.
//
//meta:operation GET /bulk/v1/leads/export.json
//meta:operation GET /bulk/v1/activities/export.json
//meta:operation GET /bulk/v1/program/members/export.json
//meta:operation GET /bulk/v1/customobjects/{apiName}/export.json
func (s *BulkExportService) List(ctx context.Context, obj Object, opts *ListOptions) ([]ExportJob, *Response, error) {
	prefix, err := exportPrefix(obj)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	if opts != nil {
		if len(opts.Status) > 0 {
			q.Set("status", strings.Join(opts.Status, ","))
		}
		if opts.BatchSize > 0 {
			q.Set("batchSize", strconv.Itoa(opts.BatchSize))
		}
		if opts.NextPageToken != "" {
			q.Set("nextPageToken", opts.NextPageToken)
		}
	}
	resp, env, err := s.client.do(ctx, &request{method: http.MethodGet, path: prefix + ".json", query: q, idempotent: true})
	if err != nil {
		return nil, resp, err
	}
	var jobs []ExportJob
	if err := decodeResult(env, &jobs); err != nil {
		return nil, resp, err
	}
	return jobs, resp, nil
}

// ListAll returns every job of obj in the given states (all states when
// none are given), following nextPageToken to the last page. The executor
// uses it to count queue slots taken by other integrations and the bytes
// exported today.
func (s *BulkExportService) ListAll(ctx context.Context, obj Object, statuses ...string) ([]ExportJob, error) {
	opts := &ListOptions{Status: statuses, BatchSize: 300}
	var all []ExportJob
	seen := map[string]bool{}
	for {
		jobs, resp, err := s.List(ctx, obj, opts)
		if err != nil {
			return all, err
		}
		all = append(all, jobs...)
		next := resp.NextPageToken
		// Stop on the last page, and on a token that repeats: a server
		// bug must not become an endless loop.
		if next == "" || len(jobs) == 0 || seen[next] {
			return all, nil
		}
		seen[next] = true
		opts.NextPageToken = next
	}
}
