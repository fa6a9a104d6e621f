package marketo

import (
	"bytes"
	"crypto/sha256"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readUpload checks the multipart framing Marketo expects and returns the
// file part's bytes.
func readUpload(t *testing.T, r *http.Request) []byte {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type = %q", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if part.FormName() != "file" || part.Header.Get("Content-Type") != "text/csv" {
		t.Errorf("part name %q, type %q", part.FormName(), part.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(part)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more than one part: %v", err)
	}
	return body
}

func TestImportCreate(t *testing.T) {
	csv := "email,firstName\na@example.com,A\n"
	tests := map[string]struct {
		obj     Object
		req     *ImportRequest
		path    string
		query   map[string]string
		fixture string
		want    *ImportBatch
	}{
		"leads (F12)": {obj: Leads,
			req:  &ImportRequest{Format: "CSV", LookupField: "email", ListID: 1234, PartitionName: "Default"},
			path: "/bulk/v1/leads.json", query: map[string]string{"format": "csv", "lookupField": "email", "listId": "1234", "partitionName": "Default"},
			fixture: "F12a_import_lead_create.json", want: &ImportBatch{BatchID: 3404, ImportID: "3404", Status: ImportQueued}},
		"program members (F14)": {obj: ProgramMembers,
			req:  &ImportRequest{Format: "csv", ProgramID: 1044, ProgramMemberStatus: "On List"},
			path: "/bulk/v1/program/1044/members/import.json", query: map[string]string{"format": "CSV", "programMemberStatus": "On List"},
			fixture: "F14c_import_pm_create.json", want: &ImportBatch{BatchID: 1040, ImportID: "1040", Status: ImportQueued}},
		"custom object (F13)": {obj: CustomObject("car_c"),
			req:  &ImportRequest{Format: "TSV"},
			path: "/bulk/v1/customobjects/car_c/import.json", query: map[string]string{"format": "tsv"},
			fixture: "F13c_import_co_create.json", want: &ImportBatch{BatchID: 1013, ObjectAPIName: "car_c", Status: ImportQueued}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := setup(t)
			env.handle("POST "+tc.path, func(w http.ResponseWriter, r *http.Request) {
				testQuery(t, r, tc.query)
				if got := string(readUpload(t, r)); got != csv {
					t.Errorf("uploaded %q", got)
				}
				w.Write(fixture(t, tc.fixture))
			})
			batch, _, err := env.client.BulkImport.Create(ctx, tc.obj, tc.req, strings.NewReader(csv))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, batch); diff != "" {
				t.Errorf("batch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImportCreateInvalid(t *testing.T) {
	env := setup(t)
	for name, call := range map[string]func() error{
		"activities": func() error {
			_, _, err := env.client.BulkImport.Create(ctx, Activities, nil, strings.NewReader("x"))
			return err
		},
		"pm without program": func() error {
			_, _, err := env.client.BulkImport.Create(ctx, ProgramMembers, &ImportRequest{ProgramMemberStatus: "On List"}, strings.NewReader("x"))
			return err
		},
		"pm without status": func() error {
			_, _, err := env.client.BulkImport.Create(ctx, ProgramMembers, &ImportRequest{ProgramID: 1}, strings.NewReader("x"))
			return err
		},
		"bad format": func() error {
			_, _, err := env.client.BulkImport.Create(ctx, Leads, &ImportRequest{Format: "xlsx"}, strings.NewReader("x"))
			return err
		},
		"nil body": func() error {
			_, _, err := env.client.BulkImport.Create(ctx, Leads, nil, nil)
			return err
		},
	} {
		if call() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestImportStreamsLargeFile uploads 16 MB from a reader that is not a
// file: it goes chunked and arrives intact; from a file it carries a
// Content-Length.
func TestImportStreamsLargeFile(t *testing.T) {
	content := testContent(16 << 20)
	want := sha256.Sum256(content)
	env := setup(t)
	var lengths []int64
	env.handle("POST /bulk/v1/leads.json", func(w http.ResponseWriter, r *http.Request) {
		lengths = append(lengths, r.ContentLength)
		if got := sha256.Sum256(readUpload(t, r)); got != want {
			t.Error("uploaded bytes differ")
		}
		w.Write(fixture(t, "F12a_import_lead_create.json"))
	})
	if _, _, err := env.client.BulkImport.Create(ctx, Leads, nil, io.MultiReader(bytes.NewReader(content))); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "chunk.csv")
	os.WriteFile(name, content, 0o600)
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := env.client.BulkImport.Create(ctx, Leads, &ImportRequest{FileName: "chunk.csv"}, f); err != nil {
		t.Fatal(err)
	}
	if len(lengths) != 2 || lengths[0] != -1 || lengths[1] <= int64(len(content)) {
		t.Errorf("Content-Length per upload = %v, want chunked then sized", lengths)
	}
}

// TestImportRetry: a rewindable upload is sent again, whole, after a 606;
// a plain reader cannot be, and an ambiguous reset is never retried.
func TestImportRetry(t *testing.T) {
	csv := "email\na@example.com\n"
	t.Run("seekable after 606", func(t *testing.T) {
		env := setup(t)
		var uploads []string
		h, n := sequence(serveFixture(t, "F16_error_606_rate_limit.json"), serveFixture(t, "F12a_import_lead_create.json"))
		env.handle("POST /bulk/v1/leads.json", func(w http.ResponseWriter, r *http.Request) {
			uploads = append(uploads, string(readUpload(t, r)))
			h(w, r)
		})
		r := strings.NewReader(csv)
		if _, _, err := env.client.BulkImport.Create(ctx, Leads, nil, r); err != nil || n.Load() != 2 {
			t.Fatalf("err %v after %d calls", err, n.Load())
		}
		if diff := cmp.Diff([]string{csv, csv}, uploads); diff != "" {
			t.Errorf("uploads (-want +got):\n%s", diff)
		}
	})
	t.Run("plain reader after 606", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(serveFixture(t, "F16_error_606_rate_limit.json"), serveFixture(t, "F12a_import_lead_create.json"))
		env.handle("POST /bulk/v1/leads.json", h)
		_, _, err := env.client.BulkImport.Create(ctx, Leads, nil, io.MultiReader(strings.NewReader(csv)))
		if !IsRateLimited(err) || n.Load() != 1 {
			t.Errorf("err %v after %d calls", err, n.Load())
		}
	})
	t.Run("reset mid-upload", func(t *testing.T) {
		env := setup(t)
		h, n := sequence(func(w http.ResponseWriter, r *http.Request) {
			io.CopyN(io.Discard, r.Body, 10)
			resetConnection(t, w)
		}, serveFixture(t, "F12a_import_lead_create.json"))
		env.handle("POST /bulk/v1/leads.json", h)
		_, _, err := env.client.BulkImport.Create(ctx, Leads, nil, strings.NewReader(strings.Repeat(csv, 1000)))
		if err == nil || n.Load() != 1 {
			t.Errorf("err %v after %d calls: an ambiguous upload failure must not be repeated", err, n.Load())
		}
	})
	t.Run("413", func(t *testing.T) {
		env := setup(t)
		env.handle("POST /bulk/v1/leads.json", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Request Entity Too Large", http.StatusRequestEntityTooLarge)
		})
		_, _, err := env.client.BulkImport.Create(ctx, Leads, nil, strings.NewReader(csv))
		if e, ok := asError(err); !ok || e.HTTPStatus != 413 {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("1016 queue full", func(t *testing.T) {
		env := setup(t)
		env.handle("POST /bulk/v1/leads.json", serveFixture(t, "error_1016_too_many_imports.json"))
		_, _, err := env.client.BulkImport.Create(ctx, Leads, nil, strings.NewReader(csv))
		if !IsQueueFull(err) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestImportStatus(t *testing.T) {
	tests := map[string]struct {
		obj     Object
		id      int
		path    string
		fixture string
		want    *ImportBatch
	}{
		"leads (F12)": {Leads, 1022, "/bulk/v1/leads/batch/1022.json", "F12b_import_lead_status.json",
			&ImportBatch{BatchID: 1022, Status: ImportComplete, NumOfLeadsProcessed: 2, NumOfRowsFailed: 1,
				Message: "Import completed with errors, 2 records imported (2 members), 1 failed"}},
		"custom object (F13)": {CustomObject("car_c"), 1016, "/bulk/v1/customobjects/car_c/import/1016/status.json", "F13a_import_co_status.json",
			&ImportBatch{BatchID: 1016, Operation: "import", ObjectAPIName: "car_c", Status: ImportComplete, NumOfRowsFailed: 3,
				ImportTime: "1 second(s)", Message: "Import completed with errors, 0 records imported (0 members), 3 failed"}},
		"program members (F14)": {ProgramMembers, 1041, "/bulk/v1/program/members/import/1041/status.json", "F14a_import_pm_status.json",
			&ImportBatch{BatchID: 1041, ImportID: "1041", Status: ImportComplete, NumOfLeadsProcessed: 1, NumOfRowsWithWarning: 1,
				Message: "Import succeeded, 1 records imported (1 members), 1 warning."}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := setup(t)
			env.handle("GET "+tc.path, serveFixture(t, tc.fixture))
			batch, _, err := env.client.BulkImport.Status(ctx, tc.obj, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, batch); diff != "" {
				t.Errorf("batch (-want +got):\n%s", diff)
			}
		})
	}
	env := setup(t)
	if _, _, err := env.client.BulkImport.Status(ctx, Leads, 0); err == nil {
		t.Error("batch id 0 accepted")
	}
}

// TestImportReports: failures (F13) and warnings (F14) files are copied out;
// a 404 means "no such file", not an error.
func TestImportReports(t *testing.T) {
	env := setup(t)
	failures := fixture(t, "F13b_import_co_failures.csv")
	warnings := fixture(t, "F14b_import_pm_warnings.csv")
	csvHandler := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv;charset=UTF-8")
			w.Write(body)
		}
	}
	env.handle("GET /bulk/v1/customobjects/car_c/import/1016/failures.json", csvHandler(failures))
	env.handle("GET /bulk/v1/program/members/import/1041/warnings.json", csvHandler(warnings))
	env.handle("GET /bulk/v1/leads/batch/1022/failures.json", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Not Found", http.StatusNotFound)
	})
	env.handle("GET /bulk/v1/leads/batch/1022/warnings.json", serveFixture(t, "F17_error_610_not_found.json"))

	var buf bytes.Buffer
	found, _, err := env.client.BulkImport.Failures(ctx, CustomObject("car_c"), 1016, &buf)
	if err != nil || !found || !bytes.Equal(buf.Bytes(), failures) {
		t.Errorf("failures: found %v, err %v, body %q", found, err, buf.String())
	}
	buf.Reset()
	found, _, err = env.client.BulkImport.Warnings(ctx, ProgramMembers, 1041, &buf)
	if err != nil || !found || !bytes.Equal(buf.Bytes(), warnings) {
		t.Errorf("warnings: found %v, err %v, body %q", found, err, buf.String())
	}
	buf.Reset()
	found, _, err = env.client.BulkImport.Failures(ctx, Leads, 1022, &buf)
	if err != nil || found || buf.Len() != 0 {
		t.Errorf("404 failures: found %v, err %v", found, err)
	}
	// A 610 envelope is an API error, not "no file".
	found, _, err = env.client.BulkImport.Warnings(ctx, Leads, 1022, &buf)
	if !hasCode(err, "610") || found {
		t.Errorf("610 warnings: found %v, err %v", found, err)
	}
}
