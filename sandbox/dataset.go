package sandbox

import (
	"sort"
	"strings"
)

// dataset is the overlay on top of the generated data: only records that
// imports created or changed are stored. Everything else is derived from
// (seed, id) by the generator, which keeps memory flat for millions of
// leads. Guarded by Server.mu; exports work on a snapshot.
type dataset struct {
	baseLeads int64
	leads     map[int64]*leadRec // changed base leads and new leads
	emails    map[string]int64   // lower-cased email → id, for overlay leads
	newIDs    []int64            // ids > baseLeads, ascending
	nextID    int64
	lists     map[int]map[int64]bool       // static list id → leads added by import
	members   map[int]map[int64]*memberRec // program id → lead id → membership
	cars      map[string]*carRec           // vin → changed or new car
	newCars   map[int64][]string           // lead id → vins of new cars
}

// leadRec is a stored lead; vals are raw values, "" is null.
type leadRec struct {
	vals             [numLeadFields]string
	created, updated int64
}

type memberRec struct {
	vals    [numPMFields]string
	updated int64
}

type carRec struct {
	vals    [numCarFields]string
	leadID  int64
	updated int64
	base    bool // overrides a generated car
}

func newDataset(baseLeads int64) *dataset {
	return &dataset{
		baseLeads: baseLeads,
		leads:     map[int64]*leadRec{},
		emails:    map[string]int64{},
		nextID:    baseLeads + 1,
		lists:     map[int]map[int64]bool{},
		members:   map[int]map[int64]*memberRec{},
		cars:      map[string]*carRec{},
		newCars:   map[int64][]string{},
	}
}

// snapshot copies the maps (records are never mutated in place, only
// replaced) so an export sees the data as of its start.
func (d *dataset) snapshot() *dataset {
	c := *d
	c.leads = cloneMap(d.leads)
	c.emails = nil // lookups by email happen only on the live dataset
	c.newIDs = append([]int64(nil), d.newIDs...)
	c.lists = map[int]map[int64]bool{}
	for k, v := range d.lists {
		c.lists[k] = cloneMap(v)
	}
	c.members = map[int]map[int64]*memberRec{}
	for k, v := range d.members {
		c.members[k] = cloneMap(v)
	}
	c.cars = cloneMap(d.cars)
	c.newCars = map[int64][]string{}
	for k, v := range d.newCars {
		c.newCars[k] = append([]string(nil), v...)
	}
	return &c
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// leadExists reports whether id is a lead.
func (d *dataset) leadExists(id int64) bool {
	return (id >= 1 && id <= d.baseLeads) || d.leads[id] != nil
}

// leadValue is the raw value of lead field f ("" for null).
func (d *dataset) leadValue(g *generator, id int64, f int) string {
	if rec := d.leads[id]; rec != nil {
		return rec.vals[f]
	}
	if id < 1 || id > d.baseLeads {
		return ""
	}
	l := g.lead(id)
	return string(l.appendRaw(nil, f))
}

// leadRecord returns a copy of lead id as a record (materialising a base
// lead), or nil.
func (d *dataset) leadRecord(g *generator, id int64) *leadRec {
	if rec := d.leads[id]; rec != nil {
		c := *rec
		return &c
	}
	if id < 1 || id > d.baseLeads {
		return nil
	}
	l := g.lead(id)
	rec := &leadRec{created: l.created, updated: l.updated}
	var buf []byte
	for f := range numLeadFields {
		buf = l.appendRaw(buf[:0], f)
		rec.vals[f] = string(buf)
	}
	return rec
}

// putLead stores rec as lead id, keeping the email index current.
func (d *dataset) putLead(id int64, rec *leadRec) {
	if old := d.leads[id]; old != nil {
		if e := strings.ToLower(old.vals[lfEmail]); e != "" && d.emails[e] == id {
			delete(d.emails, e)
		}
	} else if id > d.baseLeads {
		d.newIDs = append(d.newIDs, id)
	}
	d.leads[id] = rec
	if e := strings.ToLower(rec.vals[lfEmail]); e != "" {
		d.emails[e] = id
	}
}

// leadByEmail finds a lead by email, case-insensitively.
func (d *dataset) leadByEmail(g *generator, email string) int64 {
	e := strings.ToLower(email)
	if id, ok := d.emails[e]; ok {
		return id
	}
	id := leadIDFromEmail(e)
	if id < 1 || id > d.baseLeads || d.leads[id] != nil {
		return 0
	}
	l := g.lead(id)
	if string(l.appendRaw(nil, lfEmail)) == e {
		return id
	}
	return 0
}

// leadByField finds the first lead whose field f equals v (case-insensitive
// for strings). Email, id and cookies resolve directly; other fields scan.
func (d *dataset) leadByField(g *generator, f int, v string) int64 {
	switch f {
	case lfEmail:
		return d.leadByEmail(g, v)
	case lfID:
		id := parseInt64(v)
		if d.leadExists(id) {
			return id
		}
		return 0
	}
	for id, rec := range d.leads {
		if strings.EqualFold(rec.vals[f], v) {
			return id
		}
	}
	if f == lfCookies {
		id := leadIDFromCookie(v)
		if id >= 1 && id <= d.baseLeads && d.leads[id] == nil && d.leadValue(g, id, f) == v {
			return id
		}
		return 0
	}
	var buf []byte
	for id := int64(1); id <= d.baseLeads; id++ {
		if d.leads[id] != nil {
			continue
		}
		l := g.lead(id)
		buf = l.appendRaw(buf[:0], f)
		if strings.EqualFold(string(buf), v) {
			return id
		}
	}
	return 0
}

// newLeadID allocates the next lead id.
func (d *dataset) newLeadID() int64 {
	id := d.nextID
	d.nextID++
	return id
}

// inStaticList reports list membership: generated members plus imports.
func (d *dataset) inStaticList(g *generator, list int, id int64) bool {
	if id <= d.baseLeads && g.inStaticList(list, id) {
		return true
	}
	return d.lists[list][id]
}

func (d *dataset) addToList(list int, id int64) {
	m := d.lists[list]
	if m == nil {
		m = map[int64]bool{}
		d.lists[list] = m
	}
	m[id] = true
}

// allLeadIDs calls fn for every lead id in ascending order from lo
// (inclusive) through hi, then every new lead id; stop by returning false.
func (d *dataset) eachLead(lo, hi int64, includeNew bool, fn func(id int64) bool) {
	for id := max(lo, 1); id <= min(hi, d.baseLeads); id++ {
		if !fn(id) {
			return
		}
	}
	if includeNew {
		for _, id := range d.newIDs {
			if !fn(id) {
				return
			}
		}
	}
}

// memberIDs lists lead ids with stored membership in program p, ascending.
func (d *dataset) memberIDs(p int) []int64 {
	ids := make([]int64, 0, len(d.members[p]))
	for id := range d.members[p] {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func parseInt64(s string) int64 {
	var n int64
	if s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
