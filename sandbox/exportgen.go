package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Export files are streamed straight to disk: rows are appended into one
// reused buffer (no fmt, no per-row allocation), hashed on the way, and
// never held in memory, so a multi-GB file costs a few hundred KB.

type genResult struct {
	path    string
	records int64
	size    int64
	sha256  string
}

func removeQuietly(path string) {
	if path != "" {
		os.Remove(path)
	}
}

func (s *Server) writeExportFile(ctx context.Context, id string, sp *exportSpec, snap *dataset) (genResult, error) {
	path := filepath.Join(s.dataDir, "exports", id+"."+sp.format.Ext)
	tmp := path + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return genResult{}, err
	}
	e := newRowEmitter(ctx, f, sp.format.Delim)
	for i, h := range sp.header {
		if i > 0 {
			e.buf = append(e.buf, e.delim)
		}
		e.buf = appendQuoted(e.buf, h, e.delim)
	}
	e.endRow()
	e.rows = 0
	x := &exporter{sp: sp, snap: snap, g: s.gen, e: e}
	switch sp.obj {
	case objLeads:
		x.leads()
	case objActivities:
		x.activities()
	case objProgramMembers:
		x.members()
	case objCustomObject:
		x.cars()
	}
	size, sum, err := e.finish()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return genResult{}, err
	}
	return genResult{path: path, records: e.rows, size: size, sha256: sum}, nil
}

type exporter struct {
	sp   *exportSpec
	snap *dataset
	g    *generator
	e    *rowEmitter
}

// leadCells appends lead field f from the stored record or the generated lead.
func appendLead(dst []byte, f int, rec *leadRec, l *baseLead) []byte {
	if rec != nil {
		return append(dst, rec.vals[f]...)
	}
	return l.appendRaw(dst, f)
}

func (x *exporter) inSmartList(rec *leadRec, l *baseLead) bool {
	switch x.sp.smartList {
	case 1:
		return true
	case 2:
		if rec != nil {
			return parseInt64(rec.vals[lfLeadScore]) >= 50
		}
		return l.score >= 50
	case 3:
		if rec != nil {
			return rec.vals[lfUnsubscribed] == "true"
		}
		return l.unsub
	}
	return true
}

func (x *exporter) leads() {
	sp, snap, g, e := x.sp, x.snap, x.g, x.e
	lo, hi := int64(1), snap.baseLeads
	if sp.created != nil {
		lo, hi = g.idRange(sp.created.from, sp.created.to)
	}
	overlay := len(snap.leads) > 0
	var l baseLead
	snap.eachLead(lo, hi, true, func(id int64) bool {
		var rec *leadRec
		if overlay {
			rec = snap.leads[id]
		}
		if sp.staticList != 0 && !snap.inStaticList(g, sp.staticList, id) {
			return true
		}
		var created, updated int64
		if rec != nil {
			created, updated = rec.created, rec.updated
		} else {
			l = g.lead(id)
			created, updated = l.created, l.updated
		}
		if !sp.created.has(created) || !sp.updated.has(updated) || (sp.smartList != 0 && !x.inSmartList(rec, &l)) {
			return true
		}
		for i, col := range sp.columns {
			start := e.sep(i)
			if rec != nil {
				e.buf = append(e.buf, rec.vals[col.f]...)
				e.fix(start)
			} else {
				e.buf = l.appendRaw(e.buf, col.f)
				e.fixBase(start, col.safe)
			}
		}
		return e.endRow()
	})
}

func (x *exporter) activities() {
	sp, g, e := x.sp, x.g, x.e
	lo, hi := g.idRange(sp.created.from-activityWindow, sp.created.to)
	acts := make([]baseActivity, 0, maxActivitiesPerLead)
	for id := lo; id <= hi; id++ {
		acts = g.activities(id, acts[:0])
		for i := range acts {
			a := &acts[i]
			if !sp.created.has(a.date) || (sp.activityTypes != nil && !sp.activityTypes[a.typ]) {
				continue
			}
			if sp.pavIDs != nil && !sp.pavIDs[a.pavID] {
				continue
			}
			if sp.pavNames != nil && !sp.pavNames[strings.ToLower(a.pav)] {
				continue
			}
			for i, col := range sp.columns {
				start := e.sep(i)
				e.buf = a.appendRaw(e.buf, col.f)
				e.fixBase(start, col.safe)
			}
			if !e.endRow() {
				return
			}
		}
	}
}

func (x *exporter) members() {
	sp, snap, g := x.sp, x.snap, x.g
	for _, pid := range sp.programIDs {
		p := programByID(pid)
		stored := snap.members[pid]
		ids := snap.memberIDs(pid)
		oi := 0
		for id := int64(1); id <= snap.baseLeads; id++ {
			for oi < len(ids) && ids[oi] < id {
				if !x.memberRow(pid, ids[oi], stored[ids[oi]], nil) {
					return
				}
				oi++
			}
			if oi < len(ids) && ids[oi] == id {
				if !x.memberRow(pid, id, stored[id], nil) {
					return
				}
				oi++
				continue
			}
			if g.isMember(pid, id) {
				m := g.member(p, id)
				if !x.memberRow(pid, id, nil, &m) {
					return
				}
			}
		}
		for ; oi < len(ids); oi++ {
			if !x.memberRow(pid, ids[oi], stored[ids[oi]], nil) {
				return
			}
		}
	}
}

func (x *exporter) memberRow(pid int, id int64, rec *memberRec, m *baseMember) bool {
	sp, e := x.sp, x.e
	var status string
	var updated int64
	var exhausted bool
	var cadence string
	if rec != nil {
		status, updated = rec.vals[pfStatusName], rec.updated
		exhausted, cadence = rec.vals[pfIsExhausted] == "true", rec.vals[pfNurtureCadence]
	} else {
		status, updated, exhausted, cadence = m.status, m.updated, m.exhausted, m.cadence
	}
	if (sp.statusNames != nil && !sp.statusNames[status]) || !sp.updated.has(updated) ||
		(sp.isExhausted != nil && *sp.isExhausted != exhausted) || (sp.cadence != "" && sp.cadence != cadence) {
		return true
	}
	var lrec *leadRec
	var l baseLead
	leadReady := false
	for i, col := range sp.columns {
		start := e.sep(i)
		switch col.src {
		case srcProgramID:
			e.buf = appendIntCell(e.buf, int64(pid))
		case srcMember:
			if rec != nil {
				e.buf = append(e.buf, rec.vals[col.f]...)
			} else {
				e.buf = m.appendRaw(e.buf, col.f)
			}
		case srcLead:
			if !leadReady {
				lrec = x.snap.leads[id]
				if lrec == nil {
					l = x.g.lead(id)
				}
				leadReady = true
			}
			e.buf = appendLead(e.buf, col.f, lrec, &l)
		}
		e.fix(start)
	}
	return e.endRow()
}

func (x *exporter) cars() {
	sp, snap, g := x.sp, x.snap, x.g
	lo, hi := int64(1), snap.baseLeads
	if sp.updated != nil {
		// a generated car is updated within 160 days of its lead's creation
		lo, hi = g.idRange(sp.updated.from-160*day, sp.updated.to)
	}
	var l baseLead
	for id := lo; id <= hi; id++ {
		if !x.leadSelected(id, &l) {
			continue
		}
		for k := range g.carCount(id) {
			c := g.car(id, k)
			if len(snap.cars) > 0 && snap.cars[c.vin()] != nil {
				continue // stored version is written below
			}
			if !sp.updated.has(c.updated) {
				continue
			}
			if !x.carRow(nil, &c) {
				return
			}
		}
		if sp.updated == nil && !x.storedCarsOf(id) {
			return
		}
	}
	if sp.updated == nil {
		for _, id := range snap.newIDs {
			if x.leadSelected(id, &l) && !x.storedCarsOf(id) {
				return
			}
		}
		return
	}
	// updatedAt: every stored car in range, by lead then vin
	var vins []string
	for vin, rec := range snap.cars {
		if sp.updated.has(rec.updated) {
			vins = append(vins, vin)
		}
	}
	sort.Slice(vins, func(i, j int) bool {
		a, b := snap.cars[vins[i]], snap.cars[vins[j]]
		if a.leadID != b.leadID {
			return a.leadID < b.leadID
		}
		return vins[i] < vins[j]
	})
	for _, vin := range vins {
		if !x.carRow(snap.cars[vin], nil) {
			return
		}
	}
}

// leadSelected applies the list filters of a custom object export.
func (x *exporter) leadSelected(id int64, l *baseLead) bool {
	sp, snap := x.sp, x.snap
	if sp.staticList != 0 {
		return snap.inStaticList(x.g, sp.staticList, id)
	}
	if sp.smartList != 0 {
		rec := snap.leads[id]
		if rec == nil {
			*l = x.g.lead(id)
		}
		return x.inSmartList(rec, l)
	}
	return true
}

// storedCarsOf writes the stored cars linked to lead id: its generated cars
// that imports changed, then cars imported for it.
func (x *exporter) storedCarsOf(id int64) bool {
	snap, g := x.snap, x.g
	if len(snap.cars) == 0 {
		return true
	}
	for k := range g.carCount(id) {
		c := g.car(id, k)
		if rec := snap.cars[c.vin()]; rec != nil && rec.leadID == id {
			if !x.carRow(rec, nil) {
				return false
			}
		}
	}
	for _, vin := range snap.newCars[id] {
		if rec := snap.cars[vin]; rec != nil && rec.leadID == id {
			if !x.carRow(rec, nil) {
				return false
			}
		}
	}
	return true
}

func (x *exporter) carRow(rec *carRec, c *baseCar) bool {
	e := x.e
	for i, col := range x.sp.columns {
		start := e.sep(i)
		if rec != nil {
			e.buf = append(e.buf, rec.vals[col.f]...)
		} else {
			e.buf = c.appendRaw(e.buf, col.f)
		}
		e.fix(start)
	}
	return e.endRow()
}

func appendIntCell(dst []byte, v int64) []byte {
	return append(dst, itoa(int(v))...)
}
