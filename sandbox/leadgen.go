package sandbox

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Generated data spans createdAt 2025-01-01 .. 2026-10-31 (the issue's
// window). Lead ids grow with createdAt, so a createdAt filter is an id
// range found by binary search instead of a scan.
var (
	dataStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	dataEnd   = time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC).Unix()
)

const day = 86400

// Salts keep the hash streams of different entities independent.
const (
	saltLead uint64 = iota + 1
	saltCreated
	saltList
	saltMember
	saltActivity
	saltCar
	saltSmart
)

// generator derives every base record from (seed, id).
type generator struct {
	seed  int64
	leads int64
	span  int64
	step  int64
}

func newGenerator(seed, leads int64) *generator {
	span := dataEnd - dataStart
	return &generator{seed: seed, leads: leads, span: span, step: span / max(leads, 1)}
}

// createdAt of base lead id (1..leads), strictly increasing when there are
// fewer leads than seconds in the window.
func (g *generator) createdAt(id int64) int64 {
	t := dataStart + (id-1)*g.span/g.leads
	if g.step > 1 {
		t += int64(hash3(g.seed, saltCreated, id) % uint64(g.step))
	}
	return t
}

// firstCreatedAtOrAfter is the smallest base id with createdAt >= t
// (leads+1 when none).
func (g *generator) firstCreatedAtOrAfter(t int64) int64 {
	n := sort.Search(int(g.leads), func(i int) bool { return g.createdAt(int64(i)+1) >= t })
	return int64(n) + 1
}

// idRange is the base ids whose createdAt lies in [from, to].
func (g *generator) idRange(from, to int64) (lo, hi int64) {
	return g.firstCreatedAtOrAfter(from), g.firstCreatedAtOrAfter(to+1) - 1
}

// baseLead is a generated lead: indexes into the tables below and numbers.
type baseLead struct {
	id               int64
	first, last      int
	company, title   int // -1 = null
	city             int // -1 = null (city, state, country, postal)
	phone            int64
	hasPhone         bool
	score            int
	source, status   int
	unsub, invalid   bool
	created, updated int64
	cookie           int64 // ms; 0 = null
	tier             int   // -1 = null
	nps              int   // -1 = null
	domain           int
}

func (g *generator) lead(id int64) baseLead {
	r := newRNG(g.seed, saltLead, id)
	l := baseLead{id: id}
	l.first = r.intn(len(firstNames))
	l.last = r.intn(len(lastNames))
	l.company = r.intn(len(companies))
	if r.pct(5) {
		l.company = -1
	}
	l.title = r.intn(len(titles))
	if r.pct(15) {
		l.title = -1
	}
	l.city = r.intn(len(cities))
	if r.pct(10) {
		l.city = -1
	}
	l.phone = int64(r.intn(10_000_000))
	l.hasPhone = !r.pct(25)
	l.score = r.intn(101)
	l.source = r.intn(len(leadSources))
	l.status = r.intn(len(leadStatuses))
	l.unsub = r.pct(5)
	l.invalid = r.pct(2)
	l.created = g.createdAt(id)
	l.updated = min(l.created+int64(r.intn(200*day)), dataEnd)
	if !r.pct(20) {
		l.cookie = l.created*1000 + int64(r.intn(1000))
	}
	l.tier = r.intn(len(industryTiers))
	if r.pct(20) {
		l.tier = -1
	}
	l.nps = r.intn(11)
	if r.pct(40) {
		l.nps = -1
	}
	l.domain = r.intn(len(emailDomains))
	return l
}

// appendRaw appends field f's value unquoted; nothing for null.
func (l *baseLead) appendRaw(dst []byte, f int) []byte {
	switch f {
	case lfID:
		return strconv.AppendInt(dst, l.id, 10)
	case lfEmail:
		dst = append(dst, firstLower[l.first]...)
		dst = append(dst, '.')
		dst = append(dst, lastLower[l.last]...)
		dst = strconv.AppendInt(dst, l.id, 10)
		dst = append(dst, '@')
		return append(dst, emailDomains[l.domain]...)
	case lfFirstName:
		return append(dst, firstNames[l.first]...)
	case lfLastName:
		return append(dst, lastNames[l.last]...)
	case lfCompany:
		if l.company < 0 {
			return dst
		}
		return append(dst, companies[l.company]...)
	case lfTitle:
		if l.title < 0 {
			return dst
		}
		return append(dst, titles[l.title]...)
	case lfPhone:
		if !l.hasPhone {
			return dst
		}
		dst = append(dst, "555-"...)
		p := l.phone
		return append(dst, byte('0'+p/1000000), byte('0'+p/100000%10), byte('0'+p/10000%10), '-',
			byte('0'+p/1000%10), byte('0'+p/100%10), byte('0'+p/10%10), byte('0'+p%10))
	case lfCity, lfState, lfCountry, lfPostalCode:
		if l.city < 0 {
			return dst
		}
		return append(dst, cities[l.city][f-lfCity]...)
	case lfLeadScore:
		return strconv.AppendInt(dst, int64(l.score), 10)
	case lfLeadSource:
		return append(dst, leadSources[l.source]...)
	case lfLeadStatus:
		return append(dst, leadStatuses[l.status]...)
	case lfUnsubscribed:
		return appendBool(dst, l.unsub)
	case lfEmailInvalid:
		return appendBool(dst, l.invalid)
	case lfCreatedAt:
		return appendDateTime(dst, l.created)
	case lfUpdatedAt:
		return appendDateTime(dst, l.updated)
	case lfCookies:
		if l.cookie == 0 {
			return dst
		}
		dst = append(dst, "_mch-example.com-"...)
		dst = strconv.AppendInt(dst, l.cookie, 10)
		dst = append(dst, '-')
		return strconv.AppendInt(dst, l.id, 10)
	case lfLeadPartitionID:
		return append(dst, '1')
	case lfIndustryTier:
		if l.tier < 0 {
			return dst
		}
		return append(dst, industryTiers[l.tier]...)
	case lfNpsScore:
		if l.nps < 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(l.nps), 10)
	}
	return dst
}

// leadIDFromEmail recovers the id a generated email encodes
// ("first.last<id>@domain"), or 0.
func leadIDFromEmail(email string) int64 {
	at := strings.IndexByte(email, '@')
	if at <= 0 {
		return 0
	}
	i := at
	for i > 0 && email[i-1] >= '0' && email[i-1] <= '9' {
		i--
	}
	if i == at {
		return 0
	}
	id, err := strconv.ParseInt(email[i:at], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// leadIDFromCookie recovers the id a generated cookie encodes, or 0.
func leadIDFromCookie(c string) int64 {
	i := strings.LastIndexByte(c, '-')
	if i < 0 || !strings.HasPrefix(c, "_mch-") {
		return 0
	}
	id, err := strconv.ParseInt(c[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

var firstNames = []string{
	"Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jack",
	"Kara", "Liam", "Maya", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara",
	"Umar", "Vera", "Will", "Xena", "Yusuf", "Zoe", "Aarav", "Bea", "Carlos", "Dana",
	"Elif", "Farah", "Gabriel", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Mateo", "Nia",
}

var lastNames = []string{
	"Anderson", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Johnson",
	"Kim", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quintero", "Rossi", "Smith", "Tanaka",
	"Usman", "Valdez", "Walker", "Xu", "Young", "Zhang", "Abara", "Berg", "Costa", "Dubois",
	"Eriksen", "Ferreira", "Gupta", "Haddad", "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Novak",
}

var firstLower, lastLower = lowerAll(firstNames), lowerAll(lastNames)

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// companies include a comma, quotes and non-ASCII so quoting is exercised.
var companies = []string{
	"Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
	"Wonka Foods", "Hooli", "Pied Piper", "Vandelay Industries", "Soylent", "Cyberdyne Systems",
	"Tyrell Corp", "Massive Dynamic", "Aperture Science", "Black Mesa", "Oscorp", "Gringotts",
	"Smith, Jones & Partners", `The "Best" Widgets Co`, "Müller Maschinenbau GmbH", "Blue Sun",
	"Nakatomi Trading", "Monarch Solutions", "Sterling Cooper", "Dunder Mifflin", "Prestige Worldwide",
	"Virtucon", "Bluth Company", "Los Pollos Hermanos",
}

var titles = []string{
	"Marketing Manager", "VP Marketing", "Director of Demand Generation", "CMO", "Sales Director",
	"Account Executive", "Software Engineer", "CTO", "Operations Analyst", "Product Manager",
	"Marketing Operations Specialist", "Head of Growth",
}

// cities are {city, state, country, postalCode}.
var cities = [][4]string{
	{"San Francisco", "CA", "United States", "94105"}, {"Chicago", "IL", "United States", "60601"},
	{"New York", "NY", "United States", "10001"}, {"Austin", "TX", "United States", "73301"},
	{"Seattle", "WA", "United States", "98101"}, {"Boston", "MA", "United States", "02108"},
	{"Denver", "CO", "United States", "80202"}, {"Atlanta", "GA", "United States", "30303"},
	{"Toronto", "ON", "Canada", "M5H 2N2"}, {"Vancouver", "BC", "Canada", "V6B 1A1"},
	{"London", "England", "United Kingdom", "EC1A 1BB"}, {"Manchester", "England", "United Kingdom", "M1 1AE"},
	{"Berlin", "Berlin", "Germany", "10115"}, {"Munich", "Bavaria", "Germany", "80331"},
	{"Paris", "Île-de-France", "France", "75001"}, {"Sydney", "NSW", "Australia", "2000"},
	{"Tokyo", "Tokyo", "Japan", "100-0001"}, {"São Paulo", "SP", "Brazil", "01000-000"},
	{"Dublin", "Leinster", "Ireland", "D01 F5P2"}, {"Amsterdam", "North Holland", "Netherlands", "1012 AB"},
}

var leadSources = []string{"Website", "Webinar", "Trade Show", "Paid Search", "Referral", "List Import", "Content Syndication", "Partner"}

var leadStatuses = []string{"New", "Open", "Working", "Nurturing", "Qualified", "Disqualified"}

var industryTiers = []string{"Tier 1", "Tier 2", "Tier 3"}

var emailDomains = []string{"example.com", "example.org", "example.net", "mail.example"}
