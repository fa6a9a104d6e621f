package marketo

import (
	"encoding/json"
	"strings"
)

// This file holds the wire types shared by the services. They mirror
// MARKETO_API.md; unset fields are omitted on the wire as Marketo omits them.

// Field is one field of a describe result.
type Field struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	DataType    string `json:"dataType"`
	Length      int    `json:"length,omitempty"`
	Updateable  bool   `json:"updateable"`
	CRMManaged  bool   `json:"crmManaged"`
}

// ObjectDescription is the typed result of Describe Lead2, Describe Program
// Member and Describe Custom Object.
type ObjectDescription struct {
	Name             string     `json:"name"`
	DisplayName      string     `json:"displayName,omitempty"`
	IDField          string     `json:"idField,omitempty"`
	DedupeFields     []string   `json:"dedupeFields,omitempty"`
	SearchableFields [][]string `json:"searchableFields,omitempty"`
	Fields           []Field    `json:"fields"`
}

// FieldByName finds a field by REST name. Marketo matches custom object
// field names case-insensitively (MARKETO_API.md §3.4), so do we.
func (d *ObjectDescription) FieldByName(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	for _, f := range d.Fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

// ActivityAttribute is one attribute of an activity type.
type ActivityAttribute struct {
	Name     string `json:"name"`
	DataType string `json:"dataType"`
}

// ActivityType is one entry of GET /rest/v1/activities/types.json.
type ActivityType struct {
	ID               int                 `json:"id"`
	Name             string              `json:"name"`
	Description      string              `json:"description,omitempty"`
	PrimaryAttribute *ActivityAttribute  `json:"primaryAttribute,omitempty"`
	Attributes       []ActivityAttribute `json:"attributes,omitempty"`
}

// Export objects, as they appear in bulk extract paths.
const (
	ObjectLeads          = "leads"
	ObjectActivities     = "activities"
	ObjectProgramMembers = "programMembers"
	ObjectCustomObject   = "customObject"
)

// Object names a bulk object: one of the Object* constants, plus the API
// name for custom objects ("car_c").
type Object struct {
	Kind    string
	APIName string
}

// ExportRequest is the body of a create-export call.
type ExportRequest struct {
	Fields            []string          `json:"fields,omitempty"`
	ColumnHeaderNames map[string]string `json:"columnHeaderNames,omitempty"`
	Format            string            `json:"format,omitempty"`
	// Filter is sent verbatim; its keys are Marketo's (MARKETO_API.md §3.3).
	Filter json.RawMessage `json:"filter"`
}

// Export job statuses (MARKETO_API.md §3.5). Marketo spells the cancelled
// state "Cancelled" in responses.
const (
	StatusCreated    = "Created"
	StatusQueued     = "Queued"
	StatusProcessing = "Processing"
	StatusCancelled  = "Cancelled"
	StatusCompleted  = "Completed"
	StatusFailed     = "Failed"
)

// ExportJob is the status object of a bulk export job (MARKETO_API.md §3.6).
// Timestamps are kept as Marketo's strings (RFC 3339, usually with Z).
type ExportJob struct {
	ExportID        string `json:"exportId"`
	Format          string `json:"format"`
	Status          string `json:"status"`
	CreatedAt       string `json:"createdAt,omitempty"`
	QueuedAt        string `json:"queuedAt,omitempty"`
	StartedAt       string `json:"startedAt,omitempty"`
	FinishedAt      string `json:"finishedAt,omitempty"`
	NumberOfRecords int64  `json:"numberOfRecords,omitempty"`
	FileSize        int64  `json:"fileSize,omitempty"`
	// FileChecksum is "sha256:<hex>".
	FileChecksum string `json:"fileChecksum,omitempty"`
	ErrorMsg     string `json:"errorMsg,omitempty"`
}

// Import batch statuses (MARKETO_API.md §4.1): note "Complete", not "Completed".
const (
	ImportQueued    = "Queued"
	ImportImporting = "Importing"
	ImportComplete  = "Complete"
	ImportFailed    = "Failed"
)

// ImportRequest describes one bulk import upload. Only the fields that apply
// to Object are sent.
type ImportRequest struct {
	Format string // csv, tsv, ssv (sent in the case each endpoint documents)
	// leads
	LookupField   string
	ListID        int // 0 = none
	PartitionName string
	// program members
	ProgramID           int
	ProgramMemberStatus string
	// FileName is the multipart file name (default "import.csv").
	FileName string
}

// ImportBatch is the status of a bulk import batch. Leads and program
// members report NumOfLeadsProcessed; custom objects NumOfObjectsProcessed.
type ImportBatch struct {
	BatchID               int    `json:"batchId"`
	ImportID              string `json:"importId,omitempty"`
	Operation             string `json:"operation,omitempty"`
	ObjectAPIName         string `json:"objectApiName,omitempty"`
	Status                string `json:"status"`
	NumOfLeadsProcessed   int64  `json:"numOfLeadsProcessed,omitempty"`
	NumOfObjectsProcessed int64  `json:"numOfObjectsProcessed,omitempty"`
	NumOfRowsFailed       int64  `json:"numOfRowsFailed,omitempty"`
	NumOfRowsWithWarning  int64  `json:"numOfRowsWithWarning,omitempty"`
	ImportTime            string `json:"importTime,omitempty"`
	Message               string `json:"message,omitempty"`
}

// Processed returns the processed count whichever field the object uses.
func (b *ImportBatch) Processed() int64 {
	if b.NumOfObjectsProcessed != 0 {
		return b.NumOfObjectsProcessed
	}
	return b.NumOfLeadsProcessed
}
