package sandbox

import "strconv"

// Generated static-list membership: list 1 holds every generated lead (an
// "export everything" list); the others hold smaller fractions.
var listPercent = [numStaticLists + 1]uint64{0, 100, 50, 20, 5, 1}

func (g *generator) inStaticList(list int, id int64) bool {
	if list < 1 || list > numStaticLists || id < 1 || id > g.leads {
		return false
	}
	return hash3(g.seed, saltList<<8|uint64(list), id)%100 < listPercent[list]
}

// memberPercent of generated leads belong to each program.
const memberPercent = 15

func (g *generator) isMember(programID int, id int64) bool {
	if id < 1 || id > g.leads {
		return false
	}
	return hash3(g.seed, saltMember<<16|uint64(programID), id)%100 < memberPercent
}

// baseMember is a generated program membership.
type baseMember struct {
	prog                 *program
	lead                 int64
	status               string
	membership, updated  int64
	acquired, exhausted  bool
	success              bool
	cadence, track       string
	attend, reg, waitPri int // -1 = null
}

var (
	webinarStatuses    = []string{"Invited", "Registered", "Attended", "No Show", "Attended On-demand", "Waitlisted"}
	engagementStatuses = []string{"Member", "Engaged", "Influenced"}
	eventStatuses      = []string{"Member", "Sent", "Opened", "Clicked", "Visited Booth", "Contacted", "Converted", "On List"}
)

func (g *generator) member(p *program, id int64) baseMember {
	r := newRNG(g.seed, saltMember<<16|uint64(p.ID), id)
	m := baseMember{prog: p, lead: id, attend: -1, reg: -1, waitPri: -1}
	m.membership = min(g.createdAt(id)+int64(r.intn(60*day)), dataEnd)
	m.updated = min(m.membership+int64(r.intn(30*day)), dataEnd)
	switch {
	case p.Webinar:
		m.status = webinarStatuses[r.intn(len(webinarStatuses))]
		m.attend = r.intn(6)
		m.reg = r.intn(6)
		if m.status == "Waitlisted" {
			m.waitPri = 1 + r.intn(10)
		}
	case p.Engagement:
		m.status = engagementStatuses[r.intn(len(engagementStatuses))]
		m.exhausted = r.pct(20)
		m.cadence = "norm"
		if r.pct(25) {
			m.cadence = "paus"
		}
		m.track = "Track " + strconv.Itoa(1+r.intn(2))
	default:
		m.status = eventStatuses[r.intn(len(eventStatuses))]
	}
	m.acquired = r.pct(10)
	m.success = successStatus(m.status)
	return m
}

// appendRaw appends program member field f unquoted; nothing for null.
func (m *baseMember) appendRaw(dst []byte, f int) []byte {
	switch f {
	case pfAcquiredBy:
		return appendBool(dst, m.acquired)
	case pfAttendanceLikelihood:
		if m.attend < 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(m.attend), 10)
	case pfCreatedAt, pfMembershipDate:
		return appendDateTime(dst, m.membership)
	case pfIsExhausted:
		return appendBool(dst, m.exhausted)
	case pfLeadID:
		return strconv.AppendInt(dst, m.lead, 10)
	case pfNurtureCadence:
		return append(dst, m.cadence...)
	case pfProgram:
		return append(dst, m.prog.Name...)
	case pfProgramID:
		return strconv.AppendInt(dst, int64(m.prog.ID), 10)
	case pfReachedSuccess:
		return appendBool(dst, m.success)
	case pfReachedSuccessDate:
		if !m.success {
			return dst
		}
		return appendDateTime(dst, m.updated)
	case pfRegistrationLikelihood:
		if m.reg < 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(m.reg), 10)
	case pfStatusName:
		return append(dst, m.status...)
	case pfStatusReason:
		return dst
	case pfTrackName:
		return append(dst, m.track...)
	case pfUpdatedAt:
		return appendDateTime(dst, m.updated)
	case pfWaitlistPriority:
		if m.waitPri < 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(m.waitPri), 10)
	case pfRegistrationCode:
		if !m.prog.Webinar || m.status == "Invited" {
			return dst
		}
		dst = append(dst, "REG-"...)
		return strconv.AppendInt(dst, int64(m.prog.ID)*1_000_000_000+m.lead, 36)
	case pfWebinarURL:
		if !m.prog.Webinar {
			return dst
		}
		dst = append(dst, "https://webinars.example.com/"...)
		dst = strconv.AppendInt(dst, int64(m.prog.ID), 10)
		dst = append(dst, "?lead="...)
		return strconv.AppendInt(dst, m.lead, 10)
	}
	return dst
}

// memberRecord materialises a generated membership as a record.
func (m *baseMember) record() *memberRec {
	rec := &memberRec{updated: m.updated}
	var buf []byte
	for f := range numPMFields {
		buf = m.appendRaw(buf[:0], f)
		rec.vals[f] = string(buf)
	}
	return rec
}
