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
