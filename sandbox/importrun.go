package sandbox

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// runImport validates each row against Describe and upserts the good ones
// into the dataset, writing rejected rows to the failures file and rows
// with warnings to the warnings file. Runs in its own goroutine.
func (s *Server) runImport(b *importBatch) {
	res := s.importFile(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	b.rows, b.processed, b.failed, b.warned = res.rows, res.processed, res.failed, res.warned
	b.failures, b.warnings, b.failMsg = res.failures.path, res.warnings.path, res.failMsg
	b.workDone = true
}

type importResult struct {
	rows, processed, failed, warned int64
	failures, warnings              *reportWriter
	failMsg                         string
}

const importChunk = 500

func (s *Server) importFile(b *importBatch) importResult {
	dir := filepath.Join(s.dataDir, "imports")
	res := importResult{
		failures: &reportWriter{path: filepath.Join(dir, itoa(b.id)+".failures"), reason: "Import Failure Reason", delim: b.format.Delim},
		warnings: &reportWriter{path: filepath.Join(dir, itoa(b.id)+".warnings"), reason: "Import Warning Reason", delim: b.format.Delim},
	}
	defer res.failures.close()
	defer res.warnings.close()
	f, err := os.Open(b.upload)
	if err != nil {
		res.failMsg = "upload is gone"
		return res
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.Comma = rune(b.format.Delim)
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		res.failMsg = "could not read the header row"
		return res
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	res.failures.header, res.warnings.header = header, header
	v := newImportValidator(b, header)

	chunk := make([][]string, 0, importChunk)
	outcomes := make([]rowOutcome, 0, importChunk)
	flush := func() {
		now := s.clock.Now()
		s.mu.Lock()
		outcomes = outcomes[:0]
		for _, row := range chunk {
			outcomes = append(outcomes, v.apply(s, row, now))
		}
		s.mu.Unlock()
		for i, o := range outcomes {
			res.rows++
			switch {
			case o.fail != "":
				res.failed++
				res.failures.write(chunk[i], o.fail)
			case o.warn != "":
				res.processed++
				res.warned++
				res.warnings.write(chunk[i], o.warn)
			default:
				res.processed++
			}
		}
		chunk = chunk[:0]
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			res.rows++
			res.failed++
			res.failures.write(row, "Invalid row format")
			continue
		}
		if err != nil {
			res.failMsg = "could not read the file"
			break
		}
		chunk = append(chunk, row)
		if len(chunk) == importChunk {
			flush()
		}
	}
	flush()
	return res
}

// reportWriter lazily writes a failures or warnings file.
type reportWriter struct {
	path   string
	reason string
	delim  byte
	header []string
	f      *os.File
	w      *bufio.Writer
	buf    []byte
}

func (rw *reportWriter) write(row []string, reason string) {
	if rw.f == nil {
		f, err := os.Create(rw.path)
		if err != nil {
			return
		}
		rw.f, rw.w = f, bufio.NewWriter(f)
		rw.line(rw.header, rw.reason)
	}
	rw.line(row, reason)
}

func (rw *reportWriter) line(cells []string, last string) {
	rw.buf = rw.buf[:0]
	for _, c := range cells {
		rw.buf = appendQuoted(rw.buf, c, rw.delim)
		rw.buf = append(rw.buf, rw.delim)
	}
	rw.buf = appendQuoted(rw.buf, last, rw.delim)
	rw.buf = append(rw.buf, '\n')
	rw.w.Write(rw.buf)
}

func (rw *reportWriter) close() {
	if rw.f == nil {
		rw.path = ""
		return
	}
	rw.w.Flush()
	rw.f.Close()
}

// importCol is how one header column maps onto the object.
type importCol struct {
	src    int // srcLead, srcMember, srcCar; -1 unknown
	f      int
	def    *fieldDef
	ignore bool // known but not updateable: skipped, as Marketo does
}

type importValidator struct {
	b       *importBatch
	header  []string
	cols    []importCol
	unknown string // first unknown column, "" when none
	keyCol  int    // lookup or dedupe column, -1 when absent
	keyName string
	leadCol int // leadID column of a custom object import
}

func newImportValidator(b *importBatch, header []string) *importValidator {
	v := &importValidator{b: b, header: header, keyCol: -1, leadCol: -1}
	for _, name := range header {
		col := importCol{src: -1}
		switch b.obj {
		case impLeads:
			if f := lookupFieldIndex(leadFields[:], name); f >= 0 {
				col = importCol{src: srcLead, f: f, def: &leadFields[f], ignore: !leadFields[f].Updateable || (f == lfID && b.lookup != lfID)}
			}
		case impProgramMembers:
			if f := lookupFieldIndex(pmFields[:], name); f >= 0 {
				col = importCol{src: srcMember, f: f, def: &pmFields[f], ignore: !pmFields[f].Updateable}
			} else if f := lookupFieldIndex(leadFields[:], name); f >= 0 {
				col = importCol{src: srcLead, f: f, def: &leadFields[f], ignore: !leadFields[f].Updateable || f == lfID}
			}
		case impCustomObject:
			if f := lookupFieldIndex(carFields[:], name); f >= 0 {
				col = importCol{src: srcCar, f: f, def: &carFields[f], ignore: !carFields[f].Updateable}
			}
		}
		if col.src < 0 && v.unknown == "" {
			v.unknown = name
		}
		v.cols = append(v.cols, col)
	}
	key := map[importObject]int{impLeads: b.lookup, impProgramMembers: lfEmail, impCustomObject: cfVin}[b.obj]
	for i, col := range v.cols {
		if col.src < 0 {
			continue
		}
		if col.f == key && (col.src == srcLead || col.src == srcCar) && v.keyCol < 0 {
			v.keyCol = i
			v.cols[i].ignore = false
		}
		if col.src == srcCar && col.f == cfLeadID {
			v.leadCol = i
		}
	}
	if b.obj == impCustomObject {
		v.keyName = carFields[cfVin].Name
	} else {
		v.keyName = leadFields[key].Name
	}
	return v
}

type rowOutcome struct{ fail, warn string }

// cell reads column i; the literal null of export files means empty, so an
// exported file re-imports unchanged.
func cell(row []string, i int) string {
	if i < 0 || i >= len(row) || row[i] == nullCell {
		return ""
	}
	return row[i]
}

// apply validates one row and, if it passes, upserts it. Called with s.mu held.
func (v *importValidator) apply(s *Server, row []string, now time.Time) rowOutcome {
	if len(row) != len(v.header) {
		return rowOutcome{fail: "Invalid number of columns: expected " + itoa(len(v.header)) + ", found " + itoa(len(row))}
	}
	key := cell(row, v.keyCol)
	if key == "" {
		if v.b.obj == impCustomObject {
			return rowOutcome{fail: "missing.dedupe.fields"}
		}
		return rowOutcome{fail: "Value for lookup field '" + v.keyName + "' not found"}
	}
	if v.unknown != "" {
		return rowOutcome{fail: "Field '" + v.unknown + "' not found"}
	}
	var out rowOutcome
	vals := make([]string, len(row))
	for i, col := range v.cols {
		val := cell(row, i)
		if col.ignore || val == "" {
			continue
		}
		norm, fail, warn := checkValue(col.def, val)
		if fail != "" {
			return rowOutcome{fail: fail}
		}
		if warn != "" && out.warn == "" {
			out.warn = warn
		}
		vals[i] = norm
	}
	var fail string
	switch v.b.obj {
	case impLeads:
		_, fail = v.upsertLead(s, vals, now, true)
	case impProgramMembers:
		fail = v.upsertMember(s, vals, now)
	case impCustomObject:
		fail = v.upsertCar(s, vals, now)
	}
	if fail != "" {
		return rowOutcome{fail: fail}
	}
	return out
}

// upsertLead finds the lead by the lookup field and updates it, or creates
// it (unless the lookup field is id: update only).
func (v *importValidator) upsertLead(s *Server, vals []string, now time.Time, addToList bool) (int64, string) {
	d, g := s.data, s.gen
	lookup := v.b.lookup
	if v.b.obj == impProgramMembers {
		lookup = lfEmail
	}
	id := d.leadByField(g, lookup, vals[v.keyCol])
	var rec *leadRec
	if id == 0 {
		if lookup == lfID {
			return 0, "Lead not found"
		}
		id = d.newLeadID()
		rec = &leadRec{created: now.Unix()}
		rec.vals[lfID] = strconv.FormatInt(id, 10)
		rec.vals[lfCreatedAt] = formatDateTime(rec.created)
		rec.vals[lfLeadPartitionID] = "1"
		rec.vals[lfUnsubscribed] = "false"
		rec.vals[lfEmailInvalid] = "false"
	} else {
		rec = d.leadRecord(g, id)
	}
	for i, col := range v.cols {
		if col.src == srcLead && !col.ignore && vals[i] != "" && col.f != lfID {
			rec.vals[col.f] = vals[i]
		}
	}
	rec.updated = now.Unix()
	rec.vals[lfUpdatedAt] = formatDateTime(rec.updated)
	d.putLead(id, rec)
	if addToList && v.b.listID != 0 {
		d.addToList(v.b.listID, id)
	}
	return id, ""
}

func (v *importValidator) upsertMember(s *Server, vals []string, now time.Time) string {
	id, fail := v.upsertLead(s, vals, now, false)
	if fail != "" {
		return fail
	}
	d, g := s.data, s.gen
	pid := v.b.programID
	p := programByID(pid)
	members := d.members[pid]
	if members == nil {
		members = map[int64]*memberRec{}
		d.members[pid] = members
	}
	var rec *memberRec
	switch old := members[id]; {
	case old != nil:
		c := *old
		rec = &c
	case g.isMember(pid, id):
		m := g.member(p, id)
		rec = m.record()
	default:
		rec = &memberRec{}
		rec.vals[pfLeadID] = strconv.FormatInt(id, 10)
		rec.vals[pfProgramID] = strconv.Itoa(pid)
		rec.vals[pfProgram] = p.Name
		rec.vals[pfCreatedAt] = formatDateTime(now.Unix())
		rec.vals[pfMembershipDate] = rec.vals[pfCreatedAt]
		rec.vals[pfAcquiredBy] = "false"
		rec.vals[pfIsExhausted] = "false"
		rec.vals[pfReachedSuccess] = "false"
	}
	rec.vals[pfStatusName] = v.b.pmStatus
	if successStatus(v.b.pmStatus) && rec.vals[pfReachedSuccess] != "true" {
		rec.vals[pfReachedSuccess] = "true"
		rec.vals[pfReachedSuccessDate] = formatDateTime(now.Unix())
	}
	for i, col := range v.cols {
		if col.src == srcMember && !col.ignore && vals[i] != "" {
			rec.vals[col.f] = vals[i]
		}
	}
	rec.updated = now.Unix()
	rec.vals[pfUpdatedAt] = formatDateTime(rec.updated)
	members[id] = rec
	return ""
}

func (v *importValidator) upsertCar(s *Server, vals []string, now time.Time) string {
	d, g := s.data, s.gen
	vin := vals[v.keyCol]
	var rec *carRec
	if old := d.cars[vin]; old != nil {
		c := *old
		rec = &c
	} else if bc, ok := g.carFromVin(vin); ok {
		rec = bc.record()
	}
	leadID := int64(0)
	if v.leadCol >= 0 && vals[v.leadCol] != "" {
		leadID = parseInt64(vals[v.leadCol])
		if !d.leadExists(leadID) {
			return "Lead not found for leadID " + vals[v.leadCol]
		}
	}
	if rec == nil {
		if leadID == 0 {
			return "Value for link field 'leadID' not found"
		}
		rec = &carRec{}
		rec.vals[cfMarketoGUID] = newUUID()
		rec.vals[cfCreatedAt] = formatDateTime(now.Unix())
	}
	for i, col := range v.cols {
		if col.src == srcCar && !col.ignore && vals[i] != "" {
			rec.vals[col.f] = vals[i]
		}
	}
	if leadID != 0 {
		rec.leadID = leadID
	}
	rec.vals[cfLeadID] = strconv.FormatInt(rec.leadID, 10)
	rec.updated = now.Unix()
	rec.vals[cfUpdatedAt] = formatDateTime(rec.updated)
	d.cars[vin] = rec
	if bc, ok := g.carFromVin(vin); !ok || bc.lead != rec.leadID {
		list := d.newCars[rec.leadID]
		found := false
		for _, x := range list {
			found = found || x == vin
		}
		if !found {
			d.newCars[rec.leadID] = append(list, vin)
		}
	}
	return ""
}

// checkValue validates v against a field's type and length and returns
// the value as it is stored. Invalid emails are imported with a warning.
func checkValue(def *fieldDef, v string) (norm, fail, warn string) {
	bad := "Invalid data type in field " + def.DisplayName
	switch def.DataType {
	case "integer", "reference", "link", "score", "percent":
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", bad, ""
		}
		return strconv.FormatInt(n, 10), "", ""
	case "float", "currency":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return "", bad, ""
		}
		return strconv.FormatFloat(f, 'f', -1, 64), "", ""
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "yes", "y":
			return "true", "", ""
		case "false", "0", "no", "n":
			return "false", "", ""
		}
		return "", bad, ""
	case "date":
		t, ok := parseImportTime(v)
		if !ok {
			return "", bad, ""
		}
		return t.Format("2006-01-02"), "", ""
	case "datetime":
		t, ok := parseImportTime(v)
		if !ok {
			return "", bad, ""
		}
		return formatDateTime(t.Unix()), "", ""
	case "email":
		if def.Length > 0 && utf8.RuneCountInString(v) > def.Length {
			return "", "Value too long for field " + def.DisplayName, ""
		}
		if !validEmail(v) {
			return v, "", "Invalid email address"
		}
		return v, "", ""
	}
	if def.Length > 0 && utf8.RuneCountInString(v) > def.Length {
		return "", "Value too long for field " + def.DisplayName, ""
	}
	return v, "", ""
}

var importTimeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

func parseImportTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range importTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n,;") {
		return false
	}
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && domain[len(domain)-1] != '.'
}
