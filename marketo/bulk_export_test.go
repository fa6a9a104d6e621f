package marketo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var exportPrefixes = map[string]struct {
	obj    Object
	prefix string
}{
	"leads":          {Leads, "/bulk/v1/leads/export"},
	"activities":     {Activities, "/bulk/v1/activities/export"},
	"programMembers": {ProgramMembers, "/bulk/v1/program/members/export"},
	"customObject":   {CustomObject("car_c"), "/bulk/v1/customobjects/car_c/export"},
}

// TestExportCreate posts F4's request for every object and decodes F4's answer.
func TestExportCreate(t *testing.T) {
	for name, tc := range exportPrefixes {
		t.Run(name, func(t *testing.T) {
			env := setup(t)
			env.handle("POST "+tc.prefix+"/create.json", func(w http.ResponseWriter, r *http.Request) {
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				body, _ := io.ReadAll(r.Body)
				want := `{"fields":["firstName","lastName","id","email"],"format":"CSV","filter":{"createdAt":{"startAt":"2017-01-01T00:00:00Z","endAt":"2017-01-31T00:00:00Z"}}}`
				if string(body) != want {
					t.Errorf("body = %s\nwant   %s", body, want)
				}
				w.Write(fixture(t, "F04_export_create.json"))
			})
			job, resp, err := env.client.BulkExport.Create(ctx, tc.obj, &ExportRequest{
				Fields: []string{"firstName", "lastName", "id", "email"}, Format: "CSV",
				Filter: json.RawMessage(`{"createdAt":{"startAt":"2017-01-01T00:00:00Z","endAt":"2017-01-31T00:00:00Z"}}`),
			})
			if err != nil {
				t.Fatal(err)
			}
			want := &ExportJob{ExportID: "3fadb012-5810-40ba-a5ca-56300ecf10d4", Format: "CSV", Status: StatusCreated, CreatedAt: "2023-01-07T00:00:00Z"}
			if diff := cmp.Diff(want, job); diff != "" {
				t.Errorf("job (-want +got):\n%s", diff)
			}
			if resp.RequestID != "f435#161d8e4df24" {
				t.Errorf("RequestID = %q", resp.RequestID)
			}
		})
	}
}

// TestExportJobActions: enqueue (F5), status (F6), cancel (F7) for every
// object, with no request body.
func TestExportJobActions(t *testing.T) {
	const id = "4f2b9115-c3f2-4e40-a87c-bf803bbfed99"
	for name, tc := range exportPrefixes {
		t.Run(name, func(t *testing.T) {
			env := setup(t)
			noBody := func(file string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if b, _ := io.ReadAll(r.Body); len(b) != 0 {
						t.Errorf("%s sent a body: %q", r.URL.Path, b)
					}
					w.Write(fixture(t, file))
				}
			}
			env.handle("POST "+tc.prefix+"/"+id+"/enqueue.json", noBody("F05_export_enqueue.json"))
			status, _ := sequence(noBody("F06a_export_status_processing.json"), noBody("F06b_export_status_completed.json"))
			env.handle("GET "+tc.prefix+"/"+id+"/status.json", status)
			env.handle("POST "+tc.prefix+"/"+id+"/cancel.json", noBody("F07_export_cancel.json"))

			job, _, err := env.client.BulkExport.Enqueue(ctx, tc.obj, id)
			if err != nil || job.Status != StatusQueued || job.QueuedAt != "2020-01-17T20:13:23Z" {
				t.Errorf("enqueue: %+v, %v", job, err)
			}
			job, _, err = env.client.BulkExport.Status(ctx, tc.obj, id)
			if err != nil || job.Status != StatusProcessing || job.StartedAt == "" {
				t.Errorf("status: %+v, %v", job, err)
			}
			job, _, err = env.client.BulkExport.Status(ctx, tc.obj, id)
			want := &ExportJob{ExportID: id, Format: "CSV", Status: StatusCompleted, CreatedAt: "2020-01-17T20:10:43Z",
				QueuedAt: "2020-01-17T20:13:23Z", StartedAt: "2020-01-17T20:13:49Z", FinishedAt: "2020-01-17T20:15:28Z",
				NumberOfRecords: 59, FileSize: 74436, FileChecksum: "sha256:de553362e7ffad6556ae9ea749655c35010c7f0e944fc5a85782183130dca18d"}
			if diff := cmp.Diff(want, job); err != nil || diff != "" {
				t.Errorf("completed status: %v (-want +got):\n%s", err, diff)
			}
			job, _, err = env.client.BulkExport.Cancel(ctx, tc.obj, id)
			if err != nil || job.Status != StatusCancelled {
				t.Errorf("cancel: %+v, %v", job, err)
			}
		})
	}
}

func TestExportErrors(t *testing.T) {
	env := setup(t)
	env.handle("POST /bulk/v1/leads/export/create.json", serveFixture(t, "F10_error_1029_daily_quota.json"))
	env.handle("POST /bulk/v1/leads/export/a/enqueue.json", serveFixture(t, "error_1029_queue_full.json"))
	env.handle("POST /bulk/v1/leads/export/b/enqueue.json", serveFixture(t, "error_1029_already_queued.json"))
	env.handle("POST /bulk/v1/program/members/export/create.json", serveFixture(t, "F11_error_1003_invalid_fields.json"))

	_, _, err := env.client.BulkExport.Create(ctx, Leads, &ExportRequest{Fields: []string{"id"}, Filter: json.RawMessage(`{}`)})
	if !IsDailyQuota(err) || IsQueueFull(err) {
		t.Errorf("create over quota: %v", err)
	}
	_, resp, err := env.client.BulkExport.Enqueue(ctx, Leads, "a")
	if !IsQueueFull(err) || IsDailyQuota(err) || resp.RequestID != "7e1c#16fb5238b10" {
		t.Errorf("enqueue on a full queue: %v", err)
	}
	_, _, err = env.client.BulkExport.Enqueue(ctx, Leads, "b")
	if !IsAlreadyQueued(err) || IsQueueFull(err) {
		t.Errorf("enqueue twice: %v", err)
	}
	_, _, err = env.client.BulkExport.Create(ctx, ProgramMembers, &ExportRequest{Fields: []string{"site"}, Filter: json.RawMessage(`{"programId":1}`)})
	if e, ok := asError(err); !ok || e.Code != "1003" || e.Op != "POST /bulk/v1/program/members/export/create.json" {
		t.Errorf("invalid fields: %v", err)
	}
	if len(env.clock.Sleeps()) != 0 {
		t.Errorf("queue and quota errors were retried: %v", env.clock.Sleeps())
	}
	for _, bad := range []struct {
		obj Object
		id  string
	}{{Object{Kind: "opportunities"}, "x"}, {CustomObject(""), "x"}, {Leads, ""}, {Leads, "a/b"}} {
		if _, _, err := env.client.BulkExport.Status(ctx, bad.obj, bad.id); err == nil {
			t.Errorf("Status(%v, %q) succeeded", bad.obj, bad.id)
		}
	}
}

// TestExportList sends F8's query and decodes its answer.
func TestExportList(t *testing.T) {
	env := setup(t)
	env.handle("GET /bulk/v1/leads/export.json", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, map[string]string{"status": "Completed,Failed", "batchSize": "50", "nextPageToken": "abc"})
		w.Write(fixture(t, "F08_export_list.json"))
	})
	jobs, _, err := env.client.BulkExport.List(ctx, Leads, &ListOptions{Status: []string{"Completed", "Failed"}, BatchSize: 50, NextPageToken: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].FileSize != 123424 || jobs[0].NumberOfRecords != 122323 || jobs[0].FinishedAt != "2017-01-21T12:59:30-08:00" {
		t.Errorf("jobs = %+v", jobs)
	}
}

// TestExportListAll follows nextPageToken and stops on a repeated token.
func TestExportListAll(t *testing.T) {
	page := func(ids []string, next string) string {
		var res []string
		for _, id := range ids {
			res = append(res, fmt.Sprintf(`{"exportId":%q,"format":"CSV","status":"Queued","createdAt":"2026-01-01T00:00:00Z"}`, id))
		}
		tok := ""
		if next != "" {
			tok = fmt.Sprintf(`"nextPageToken":%q,`, next)
		}
		return fmt.Sprintf(`{"requestId":"r","success":true,%s"result":[%s]}`, tok, strings.Join(res, ","))
	}
	t.Run("pages", func(t *testing.T) {
		env := setup(t)
		env.handle("GET /bulk/v1/customobjects/car_c/export.json", func(w http.ResponseWriter, r *http.Request) {
			if got := r.URL.Query().Get("status"); got != "Queued,Processing" {
				t.Errorf("status = %q", got)
			}
			switch r.URL.Query().Get("nextPageToken") {
			case "":
				fmt.Fprint(w, page([]string{"a", "b"}, "p2"))
			case "p2":
				fmt.Fprint(w, page([]string{"c"}, "p3"))
			case "p3":
				fmt.Fprint(w, page([]string{"d"}, ""))
			}
		})
		jobs, err := env.client.BulkExport.ListAll(ctx, CustomObject("car_c"), StatusQueued, StatusProcessing)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, j := range jobs {
			ids = append(ids, j.ExportID)
		}
		if diff := cmp.Diff([]string{"a", "b", "c", "d"}, ids); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
	})
	t.Run("repeated token", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page([]string{"a"}, "same")) })
		env.handle("GET /bulk/v1/leads/export.json", h)
		jobs, err := env.client.BulkExport.ListAll(ctx, Leads)
		if err != nil || len(jobs) != 2 || n.Load() != 2 {
			t.Errorf("jobs %d, calls %d, err %v", len(jobs), n.Load(), err)
		}
	})
}
