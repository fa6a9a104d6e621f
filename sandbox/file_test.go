package sandbox

import (
	"bytes"
	"strings"
	"testing"
)

func TestExportFileRange(t *testing.T) {
	e := startSandbox(t, Config{})
	st, whole := e.runExport(objLeads, `{"fields":["id","email","company"],"filter":{"staticListId":2}}`)
	size := int64(len(whole))
	path := "/bulk/v1/leads/export/" + st.ExportID + "/file.json"
	get := func(rng string) (int, map[string]string, []byte) {
		t.Helper()
		code, h, b := e.raw("GET", path, nil, map[string]string{"Range": rng})
		return code, map[string]string{"Content-Range": h.Get("Content-Range"), "Content-Length": h.Get("Content-Length"), "Accept-Ranges": h.Get("Accept-Ranges")}, b
	}
	cases := []struct {
		rng        string
		code       int
		from, to   int64 // inclusive
		contentRng string
	}{
		{"bytes=0-9999", 206, 0, 9999, "bytes 0-9999/" + itoa(int(size))},
		{"bytes=725-", 206, 725, size - 1, "bytes 725-" + itoa(int(size-1)) + "/" + itoa(int(size))},
		{"bytes=-100", 206, size - 100, size - 1, "bytes " + itoa(int(size-100)) + "-" + itoa(int(size-1)) + "/" + itoa(int(size))},
		{"bytes=0-0", 206, 0, 0, "bytes 0-0/" + itoa(int(size))},
		{"bytes=10-" + itoa(int(size+50)), 206, 10, size - 1, "bytes 10-" + itoa(int(size-1)) + "/" + itoa(int(size))},
		{"bytes=0-1,5-6", 200, 0, size - 1, ""},
	}
	for _, tc := range cases {
		code, h, b := get(tc.rng)
		if code != tc.code || h["Content-Range"] != tc.contentRng || h["Accept-Ranges"] != "bytes" {
			t.Errorf("%s: %d %v", tc.rng, code, h)
			continue
		}
		if !bytes.Equal(b, whole[tc.from:tc.to+1]) || h["Content-Length"] != itoa(len(b)) {
			t.Errorf("%s: got %d bytes, want [%d,%d]", tc.rng, len(b), tc.from, tc.to)
		}
	}
	if code, h, _ := get("bytes=" + itoa(int(size)) + "-"); code != 416 || h["Content-Range"] != "bytes */"+itoa(int(size)) {
		t.Errorf("unsatisfiable range: %d %v", code, h)
	}
	// resuming in 1000-byte ranges rebuilds the file
	var joined []byte
	for off := int64(0); off < size; off += 1000 {
		_, _, b := get("bytes=" + itoa(int(off)) + "-" + itoa(int(off+999)))
		joined = append(joined, b...)
	}
	if !bytes.Equal(joined, whole) {
		t.Error("ranged download differs from the whole file")
	}
	if got := e.stats().BytesServed; got < 3*size {
		t.Errorf("bytesServed = %d", got)
	}

	code, h, b := e.raw("GET", "/bulk/v1/leads/export/00000000-0000-4000-8000-000000000000/file.json", nil, nil)
	if code != 404 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("unknown id: %d %s %s", code, h.Get("Content-Type"), b)
	}
	// the same id under another object is not found either
	if code, _, _ := e.raw("GET", "/bulk/v1/activities/export/"+st.ExportID+"/file.json", nil, nil); code != 404 {
		t.Errorf("file under another object: %d", code)
	}
	// files are kept 7 days
	e.s.Advance(8 * 24 * 60 * statusRefresh)
	if code, _, _ := e.raw("GET", path, nil, nil); code != 404 {
		t.Errorf("file after 8 days: %d", code)
	}
}
