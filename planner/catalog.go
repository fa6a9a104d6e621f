package planner

import (
	"strings"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/marketo"
)

// ActivityColumns are the columns a bulk activity export can hold
// (MARKETO_API.md §3.4): the defaults plus the optional actionResult.
var ActivityColumns = []string{
	"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
	"primaryAttributeValueId", "primaryAttributeValue", "attributes", "actionResult",
}

// catalog is the fields of one object as describe reports them, indexed
// for the lookups validation makes thousands of times per plan.
type catalog struct {
	// object names the object in messages: "leads", "programMembers",
	// "custom object car_c", "activities".
	object  string
	exact   map[string]marketo.Field
	folded  map[string]marketo.Field
	names   []string
	dedupe  []string
	idField string
	// searchable fields may be written even when not updateable: they are
	// how rows are matched (ids, link fields).
	searchable map[string]bool
}

func newCatalog(object string, descs ...*marketo.ObjectDescription) *catalog {
	c := &catalog{
		object:     object,
		exact:      map[string]marketo.Field{},
		folded:     map[string]marketo.Field{},
		searchable: map[string]bool{},
	}
	for _, d := range descs {
		if d == nil {
			continue
		}
		for _, f := range d.Fields {
			if _, dup := c.exact[f.Name]; dup {
				continue
			}
			c.exact[f.Name] = f
			if _, ok := c.folded[strings.ToLower(f.Name)]; !ok {
				c.folded[strings.ToLower(f.Name)] = f
			}
			c.names = append(c.names, f.Name)
		}
		c.dedupe = append(c.dedupe, d.DedupeFields...)
		if c.idField == "" {
			c.idField = d.IDField
		}
		for _, group := range d.SearchableFields {
			for _, name := range group {
				c.searchable[strings.ToLower(name)] = true
			}
		}
	}
	return c
}

// field finds a field by REST name; Marketo matches names
// case-insensitively, so a case-only difference is not an error.
func (c *catalog) field(name string) (marketo.Field, bool) {
	if f, ok := c.exact[name]; ok {
		return f, true
	}
	f, ok := c.folded[strings.ToLower(name)]
	return f, ok
}

// catalogs builds each object's catalog once per plan.
type catalogs struct {
	describe *Describe
	cache    map[string]*catalog
}

// lookupResult says whether lookup found an object's fields.
type lookupResult int

const (
	lookupOK lookupResult = iota
	// lookupMissing: the custom object does not exist on Marketo.
	lookupMissing
	// lookupUnknown: the caller did not fetch this describe; skip checks.
	lookupUnknown
)

// lookup returns the catalog for an object of a manifest.
func (cs *catalogs) lookup(object, apiName string) (*catalog, lookupResult) {
	key := object + "/" + apiName
	if c, ok := cs.cache[key]; ok {
		if c == nil {
			return nil, lookupMissing
		}
		return c, lookupOK
	}
	d := cs.describe
	if d == nil {
		return nil, lookupUnknown
	}
	var c *catalog
	switch object {
	case manifest.ObjectLeads:
		if d.Lead == nil {
			return nil, lookupUnknown
		}
		c = newCatalog("leads", d.Lead)
	case manifest.ObjectProgramMembers:
		if d.Lead == nil || d.ProgramMember == nil {
			return nil, lookupUnknown
		}
		// Member fields first: where both define a name, the member
		// field is the one a program member job means.
		c = newCatalog("programMembers", d.ProgramMember, d.Lead)
	case manifest.ObjectCustomObject:
		desc, ok := d.CustomObjects[apiName]
		if !ok {
			return nil, lookupUnknown
		}
		if desc != nil {
			c = newCatalog("custom object "+apiName, desc)
		}
	case manifest.ObjectActivities:
		fields := make([]marketo.Field, len(ActivityColumns))
		for i, n := range ActivityColumns {
			fields[i] = marketo.Field{Name: n, DataType: "string"}
		}
		c = newCatalog("activities", &marketo.ObjectDescription{Fields: fields})
	default:
		return nil, lookupUnknown
	}
	cs.cache[key] = c
	if c == nil {
		return nil, lookupMissing
	}
	return c, lookupOK
}
