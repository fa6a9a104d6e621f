package sandbox

import "strconv"

// Each generated lead has 2–7 activities within 120 days of its creation;
// the first is always New Lead. marketoGUID = (leadId-1)*8 + k + 1.
const (
	maxActivitiesPerLead = 8
	activityWindow       = 120 * day
)

type baseActivity struct {
	guid     int64
	lead     int64
	date     int64
	typ      int
	campaign int // 0 = null
	pavID    int // 0 = null
	pav      string
	bits     uint64 // drives the attributes
}

// generatedTypes weights the activity types after New Lead.
var generatedTypes = []int{1, 1, 1, 1, 1, 6, 6, 7, 7, 10, 10, 11, 2, 2, 13, 22, 22, 24, 104}

var (
	webPages  = []string{"/", "/pricing", "/product", "/blog/bulk-apis", "/contact", "/about", "/careers", "/docs"}
	webForms  = []string{"Contact Us Form", "Webinar Registration", "Newsletter Signup", "Demo Request"}
	mailNames = []string{"Monthly Newsletter.Email", "Onboarding Nurture.Welcome Email", "Spring Webinar 2025.Invitation", "Spring Webinar 2025.Reminder", "Product Launch Event.Announcement", "Holiday Campaign.Offer"}
	userAgent = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"}
	// changed fields for Change Data Value: lead field index.
	changedFields = []int{lfTitle, lfLeadStatus, lfCompany, lfCity}
)

// activities appends lead id's generated activities, in date order.
func (g *generator) activities(id int64, out []baseActivity) []baseActivity {
	created := g.createdAt(id)
	r := newRNG(g.seed, saltActivity, id)
	n := 2 + r.intn(6)
	var offs [maxActivitiesPerLead]int64
	for k := 1; k < n; k++ {
		offs[k] = 1 + int64(r.intn(activityWindow))
	}
	// insertion sort: at most seven elements
	for i := 2; i < n; i++ {
		for j := i; j > 1 && offs[j] < offs[j-1]; j-- {
			offs[j], offs[j-1] = offs[j-1], offs[j]
		}
	}
	for k := 0; k < n; k++ {
		a := baseActivity{guid: (id-1)*maxActivitiesPerLead + int64(k) + 1, lead: id, date: created + offs[k]}
		a.bits = r.next()
		if k == 0 {
			a.typ = 12
		} else {
			a.typ = generatedTypes[a.bits%uint64(len(generatedTypes))]
		}
		b := a.bits >> 8
		switch a.typ {
		case 1:
			p := int(b % uint64(len(webPages)))
			a.pavID, a.pav = 2001+p, "www.example.com"+webPages[p]
		case 2:
			f := int(b % uint64(len(webForms)))
			a.pavID, a.pav = 3001+f, webForms[f]
		case 6, 7, 10, 11:
			m := int(b % uint64(len(mailNames)))
			a.pavID, a.pav = 4001+m, mailNames[m]
		case 13:
			f := changedFields[b%uint64(len(changedFields))]
			a.pavID, a.pav = f+1, leadFields[f].DisplayName
		case 22:
			a.pavID, a.pav = lfLeadScore+1, leadFields[lfLeadScore].DisplayName
		case 24:
			l := 1 + int(b%numStaticLists)
			a.pavID, a.pav = l, staticListName(l)
		case 104:
			p := &programs[b%uint64(len(programs))]
			a.pavID, a.pav = p.ID, p.Name
		}
		if a.typ != 1 && a.typ != 2 && a.typ != 12 {
			a.campaign = 5001 + int(b>>16%40)
		}
		out = append(out, a)
	}
	return out
}

// appendRaw appends activity column f unquoted; nothing for null.
func (a *baseActivity) appendRaw(dst []byte, f int) []byte {
	switch f {
	case afMarketoGUID:
		return strconv.AppendInt(dst, a.guid, 10)
	case afLeadID:
		return strconv.AppendInt(dst, a.lead, 10)
	case afActivityDate:
		return appendDateTime(dst, a.date)
	case afActivityTypeID:
		return strconv.AppendInt(dst, int64(a.typ), 10)
	case afCampaignID:
		if a.campaign == 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(a.campaign), 10)
	case afPrimaryAttributeValueID:
		if a.pavID == 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(a.pavID), 10)
	case afPrimaryAttributeValue:
		return append(dst, a.pav...)
	case afAttributes:
		return a.appendAttributes(dst)
	case afActionResult:
		return append(dst, "succeeded"...)
	}
	return dst
}

// appendAttributes writes the attributes cell: a JSON object, as the docs
// and recorded files show (MARKETO_API.md §3.9), not swagger's array.
func (a *baseActivity) appendAttributes(dst []byte) []byte {
	b := a.bits >> 24
	ip := func(dst []byte) []byte {
		dst = append(dst, `"203.0.113.`...)
		return append(strconv.AppendInt(dst, int64(1+b%254), 10), '"')
	}
	ua := userAgent[b>>8%uint64(len(userAgent))]
	dst = append(dst, '{')
	switch a.typ {
	case 1:
		dst = append(dst, `"Client IP Address":`...)
		dst = ip(dst)
		dst = append(dst, `,"Query Parameters":"utm_source=newsletter","Referrer URL":"https://www.google.com/","User Agent":`...)
		dst = appendJSONString(dst, ua)
		dst = append(dst, `,"Webpage URL":`...)
		dst = appendJSONString(dst, webPages[(a.pavID-2001)%len(webPages)])
	case 2:
		dst = append(dst, `"Client IP Address":`...)
		dst = ip(dst)
		dst = append(dst, `,"Form Fields":"Email, FirstName, LastName, Company","Query Parameters":"","Referrer URL":"https://www.example.com/contact","User Agent":`...)
		dst = appendJSONString(dst, ua)
		dst = append(dst, `,"Webpage ID":2005`...)
	case 6, 7, 10, 11:
		dst = append(dst, `"Campaign Run ID":`...)
		dst = strconv.AppendInt(dst, int64(100+b%900), 10)
		dst = append(dst, `,"Choice Number":0,"Step ID":`...)
		dst = strconv.AppendInt(dst, int64(10+b>>12%90), 10)
		if a.typ == 10 || a.typ == 11 {
			mobile := b>>8%uint64(len(userAgent)) == 2
			dst = append(dst, `,"Device":`...)
			if mobile {
				dst = append(dst, `"iPhone","Is Mobile Device":true,"Platform":"iOS"`...)
			} else {
				dst = append(dst, `"Desktop","Is Mobile Device":false,"Platform":"Windows"`...)
			}
			if a.typ == 11 {
				dst = append(dst, `,"Link":"https://www.example.com/offer"`...)
			}
			dst = append(dst, `,"User Agent":`...)
			dst = appendJSONString(dst, ua)
		}
	case 12:
		dst = append(dst, `"Created Date":"`...)
		dst = appendCivilDate(dst, a.date/day)
		dst = append(dst, `","Lead Source":`...)
		dst = appendJSONString(dst, leadSources[b%uint64(len(leadSources))])
		if b&1 == 0 {
			dst = append(dst, `,"List Name":"Static List 1","Source Type":"List import"`...)
		} else {
			dst = append(dst, `,"Form Name":"Contact Us Form","Source Type":"Web form fillout"`...)
		}
	case 13:
		dst = append(dst, `"New Value":`...)
		dst = appendJSONString(dst, titles[b%uint64(len(titles))])
		dst = append(dst, `,"Old Value":`...)
		dst = appendJSONString(dst, titles[b>>4%uint64(len(titles))])
		dst = append(dst, `,"Reason":"Form fill-out","Source":"Web form fillout"`...)
	case 22:
		old := int64(b % 90)
		delta := int64(1 + b>>8%10)
		dst = append(dst, `"Change Value":"+`...)
		dst = strconv.AppendInt(dst, delta, 10)
		dst = append(dst, `","New Value":`...)
		dst = strconv.AppendInt(dst, old+delta, 10)
		dst = append(dst, `,"Old Value":`...)
		dst = strconv.AppendInt(dst, old, 10)
		dst = append(dst, `,"Reason":"Opened email"`...)
	case 24:
		dst = append(dst, `"Source":"Smart Campaign"`...)
	case 104:
		dst = append(dst, `"Acquired By":false,"New Status":"Registered","New Status ID":`...)
		dst = strconv.AppendInt(dst, int64(a.pavID)*10+2, 10)
		dst = append(dst, `,"Old Status":"Invited","Old Status ID":`...)
		dst = strconv.AppendInt(dst, int64(a.pavID)*10+1, 10)
		dst = append(dst, `,"Program Member ID":`...)
		dst = strconv.AppendInt(dst, a.guid, 10)
		dst = append(dst, `,"Reason":"Changed by Smart Campaign","Success":false`...)
	}
	return append(dst, '}')
}
