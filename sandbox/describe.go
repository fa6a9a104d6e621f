package sandbox

// Describe results are static and consistent with the generated data
// (MARKETO_API.md §5).

const describeStamp = "2024-06-01T00:00:00Z"

type leadDescribe2 struct {
	Name             string     `json:"name"`
	SearchableFields [][]string `json:"searchableFields"`
	Fields           []fieldDef `json:"fields"`
}

func (c *call) describeLead2() {
	c.ok([]leadDescribe2{{Name: "API Lead", SearchableFields: leadSearchable, Fields: leadFields[:]}})
}

type restName struct {
	Name     string `json:"name"`
	ReadOnly bool   `json:"readOnly"`
}

type leadDescribe1 struct {
	ID          int      `json:"id"`
	DisplayName string   `json:"displayName"`
	DataType    string   `json:"dataType"`
	Length      int      `json:"length,omitempty"`
	Rest        restName `json:"rest"`
	Soap        restName `json:"soap"`
}

// describeLead is the superseded v1 shape: one entry per field with rest
// and soap names. Field ids are the Describe order, 1-based; Change Data
// Value activities use them as primaryAttributeValueId.
func (c *call) describeLead() {
	out := make([]leadDescribe1, len(leadFields))
	for i, f := range leadFields {
		soap := f.Name
		if soap != "" {
			soap = string(soap[0]-'a'+'A') + soap[1:]
		}
		out[i] = leadDescribe1{ID: i + 1, DisplayName: f.DisplayName, DataType: f.DataType, Length: f.Length,
			Rest: restName{f.Name, !f.Updateable}, Soap: restName{soap, !f.Updateable}}
	}
	c.ok(out)
}

type pmDescribe struct {
	Name             string     `json:"name"`
	Description      string     `json:"description"`
	CreatedAt        string     `json:"createdAt"`
	UpdatedAt        string     `json:"updatedAt"`
	DedupeFields     []string   `json:"dedupeFields"`
	SearchableFields [][]string `json:"searchableFields"`
	Fields           []fieldDef `json:"fields"`
}

func (c *call) describeProgramMember() {
	c.ok([]pmDescribe{{
		Name: "API Program Membership", Description: "Map for API program membership fields",
		CreatedAt: describeStamp, UpdatedAt: describeStamp,
		DedupeFields: []string{"leadId", "programId"}, SearchableFields: pmSearchable, Fields: pmFields[:],
	}})
}

type relatedTo struct {
	Name  string `json:"name"`
	Field string `json:"field"`
}

type relationship struct {
	Field     string    `json:"field"`
	Type      string    `json:"type"`
	RelatedTo relatedTo `json:"relatedTo"`
}

type coDescribe struct {
	Name             string         `json:"name"`
	DisplayName      string         `json:"displayName"`
	Description      string         `json:"description"`
	CreatedAt        string         `json:"createdAt"`
	UpdatedAt        string         `json:"updatedAt"`
	IDField          string         `json:"idField"`
	DedupeFields     []string       `json:"dedupeFields"`
	SearchableFields [][]string     `json:"searchableFields"`
	Relationships    []relationship `json:"relationships"`
	Fields           []fieldDef     `json:"fields,omitempty"`
}

func carDescribe(withFields bool) coDescribe {
	d := coDescribe{
		Name: carAPIName, DisplayName: "Car", Description: "Cars owned by people",
		CreatedAt: describeStamp, UpdatedAt: describeStamp, IDField: "marketoGUID",
		DedupeFields:     []string{"vin"},
		SearchableFields: [][]string{{"vin"}, {"marketoGUID"}, {"leadID"}},
		Relationships:    []relationship{{Field: "leadID", Type: "child", RelatedTo: relatedTo{"Lead", "Id"}}},
	}
	if withFields {
		d.Fields = carFields[:]
	}
	return d
}

func (c *call) describeCustomObject() {
	if c.param("apiName") != carAPIName {
		c.fail("1013", "Object not found")
		return
	}
	c.ok([]coDescribe{carDescribe(true)})
}

func (c *call) listCustomObjects() { c.ok([]coDescribe{carDescribe(false)}) }

func (c *call) activityTypes() { c.ok(activityTypes) }
