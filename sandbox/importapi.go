package sandbox

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

var errTooLarge = errors.New("file too large")

// tooLarge answers 413 as the gateway does for uploads over 10 MB.
func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	io.WriteString(w, "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

// leadLookupFields are the lookupField values Describe allows: id, email,
// cookies and the custom string/integer fields.
var leadLookupFields = []int{lfID, lfEmail, lfCookies, lfIndustryTier, lfNpsScore}

// importCreate: POST multipart with part "file"; other parameters in the
// query string or as form fields (both forms appear in Adobe's docs).
func (c *call) importCreate(obj importObject) {
	s := c.s
	b := &importBatch{obj: obj, lookup: lfEmail}
	switch obj {
	case impCustomObject:
		if c.param("apiName") != carAPIName {
			c.fail("1013", "Object not found")
			return
		}
	case impProgramMembers:
		id, err := strconv.Atoi(c.param("programId"))
		if err != nil || programByID(id) == nil {
			c.fail("1003", "Invalid programId '"+c.param("programId")+"'")
			return
		}
		b.programID = id
	}
	if c.r.ContentLength > maxImportBytes+(1<<20) {
		tooLarge(c.w)
		return
	}
	s.mu.Lock()
	full := s.imports.inQueue() >= maxImportsQueued
	s.mu.Unlock()
	if full {
		c.fail("1016", msgTooManyImports)
		return
	}
	mr, err := c.r.MultipartReader()
	if err != nil {
		c.fail("613", "Invalid multipart request")
		return
	}
	params := url.Values{}
	for k, v := range c.r.URL.Query() {
		params[k] = v
	}
	upload, size, err := c.readUpload(mr, params)
	defer removeQuietly(upload)
	switch {
	case errors.Is(err, errTooLarge):
		tooLarge(c.w)
		return
	case err != nil:
		c.fail("613", "Invalid multipart request")
		return
	case upload == "":
		c.fail("1003", "file cannot be blank")
		return
	case size == 0:
		c.fail("1003", msgEmptyFile)
		return
	}
	if code, msg := b.parseParams(params); code != "" {
		c.fail(code, msg)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.imports.inQueue() >= maxImportsQueued {
		c.fail("1016", msgTooManyImports)
		return
	}
	b.id = s.imports.nextID
	b.upload = filepath.Join(s.dataDir, "imports", strconv.Itoa(b.id)+".upload")
	if err := os.Rename(upload, b.upload); err != nil {
		c.fail("611", "System error")
		return
	}
	s.imports.nextID++
	b.status = importQueued
	b.created = s.clock.Now()
	s.imports.byID[b.id] = b
	s.imports.queue = append(s.imports.queue, b)
	s.counters.imports.Created++
	c.ok([]any{b.createResponse()})
}

// readUpload streams the "file" part to a temporary file (at most 10 MB)
// and collects the other form fields into params (the query wins).
func (c *call) readUpload(mr *multipart.Reader, params url.Values) (path string, size int64, err error) {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return path, size, nil
		}
		if err != nil {
			return path, size, err
		}
		name := part.FormName()
		if name != "file" {
			v, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return path, size, err
			}
			if params.Get(name) == "" {
				params.Set(name, string(v))
			}
			continue
		}
		if path != "" {
			continue
		}
		f, err := os.CreateTemp(filepath.Join(c.s.dataDir, "imports"), "upload-")
		if err != nil {
			return "", 0, err
		}
		path = f.Name()
		size, err = io.Copy(f, io.LimitReader(part, maxImportBytes+1))
		f.Close()
		if err != nil {
			return path, size, err
		}
		if size > maxImportBytes {
			return path, size, errTooLarge
		}
	}
}

func (b *importBatch) parseParams(p url.Values) (code, msg string) {
	format := p.Get("format")
	if format == "" {
		return "1003", "format cannot be blank"
	}
	f, ok := formatByName(format)
	if !ok {
		return "1003", "Invalid format '" + format + "'. Expected csv, tsv or ssv"
	}
	b.format = f
	switch b.obj {
	case impLeads:
		if lf := p.Get("lookupField"); lf != "" {
			b.lookup = -1
			for _, i := range leadLookupFields {
				if strings.EqualFold(leadFields[i].Name, lf) {
					b.lookup = i
				}
			}
			if b.lookup < 0 {
				return "1003", "Invalid lookupField '" + lf + "'"
			}
		}
		if v := p.Get("listId"); v != "" {
			id, err := strconv.Atoi(v)
			if err != nil || id < 1 || id > numStaticLists {
				return "1003", "Invalid listId '" + v + "'"
			}
			b.listID = id
		}
	case impProgramMembers:
		st := p.Get("programMemberStatus")
		if st == "" {
			return "1003", "programMemberStatus cannot be blank"
		}
		canon, ok := canonicalStatusName(st)
		if !ok {
			return "1003", "Invalid programMemberStatus '" + st + "'"
		}
		b.pmStatus = canon
	}
	return "", ""
}

func (c *call) lookupBatch(obj importObject) *importBatch {
	id, err := strconv.Atoi(c.param("batchId"))
	if err != nil {
		return nil
	}
	if obj == impCustomObject && c.param("apiName") != carAPIName {
		return nil
	}
	b := c.s.imports.byID[id]
	if b == nil || b.obj != obj {
		return nil
	}
	return b
}

// importStatus: GET the batch status.
func (c *call) importStatus(obj importObject) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	b := c.lookupBatch(obj)
	if b == nil {
		c.fail("1013", "Import batch not found")
		return
	}
	c.ok([]any{b.wire()})
}

// importReport serves the failures or warnings file: the uploaded columns
// plus a trailing reason column; plain-text 404 when there is none.
func (c *call) importReport(obj importObject, warnings bool) {
	s := c.s
	s.mu.Lock()
	b := c.lookupBatch(obj)
	path := ""
	if b != nil && (b.status == importComplete || b.status == importFailed) {
		path = b.failures
		if warnings {
			path = b.warnings
		}
	}
	var ctype string
	if b != nil {
		ctype = contentTypes[b.format.Name]
	}
	s.mu.Unlock()
	if path == "" {
		notFoundText(c.w)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		notFoundText(c.w)
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		c.w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.WriteHeader(http.StatusOK)
	io.Copy(c.w, f)
}
