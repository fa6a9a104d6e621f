package manifest

import "time"

// Kinds of manifest documents.
const (
	KindExport = "Export"
	KindImport = "Import"
)

// Objects a manifest can name in spec.object.
const (
	ObjectLeads          = "leads"
	ObjectActivities     = "activities"
	ObjectProgramMembers = "programMembers"
	ObjectCustomObject   = "customObject"
)

// Formats of export files and import sources.
const (
	FormatCSV = "CSV"
	FormatTSV = "TSV"
	FormatSSV = "SSV" // semicolon-separated, as Marketo's import docs define it
)

// MaxWindow is Marketo's longest date span for one bulk export job.
const MaxWindow = 31 * 24 * time.Hour

// WindowPlaceholder in an export's output is replaced by each window's
// label, giving one file per window.
const WindowPlaceholder = "{window}"

// Source is where a document came from. Every typed spec embeds it.
type Source struct {
	// File is the manifest path relative to the project directory.
	File string `json:"file"`
	// Doc is the 0-based document index inside File.
	Doc int `json:"doc"`
	// Pos is the position of the document's metadata.name value.
	Pos Pos `json:"pos"`
	// positions maps a dotted path inside the document ("spec.fields[2]",
	// "spec.filter.createdAt.startAt") to the position of its value; for a
	// block-style mapping or list (whose own position would be its first
	// entry) the loader records the position of its key instead.
	positions map[string]Pos
}

// PosOf returns the position of the value at path ("spec.fields[2]"). When
// that exact path has no position it walks up to the nearest parent that has
// one, and finally falls back to the document position, so callers always
// get somewhere useful to point.
func (s *Source) PosOf(path string) Pos {
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := s.positions[p]; ok {
			return pos
		}
	}
	return s.Pos
}

// SetPos records the position of the value at path. The loader calls it for
// every node; tests may call it to build specs by hand.
func (s *Source) SetPos(path string, pos Pos) {
	if s.positions == nil {
		s.positions = map[string]Pos{}
	}
	s.positions[path] = pos
}

// parentPath strips the last ".key" or "[i]" from a dotted path.
func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		switch p[i] {
		case '.':
			return p[:i]
		case '[':
			return p[:i]
		}
	}
	return ""
}

// Metadata is the Kubernetes-style envelope's metadata.
type Metadata struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// DateRange is a createdAt/updatedAt filter. EndAt nil means an open,
// incremental range: each plan covers from the last completed window to now.
type DateRange struct {
	StartAt time.Time  `json:"startAt"`
	EndAt   *time.Time `json:"endAt,omitempty"`
}

// ExportFilter holds every filter key Marketo accepts for any object
// (MARKETO_API.md §3.3); the loader rejects keys that do not belong to the
// export's object. Pointers mark "absent" where zero is a valid value.
type ExportFilter struct {
	CreatedAt *DateRange `json:"createdAt,omitempty"`
	UpdatedAt *DateRange `json:"updatedAt,omitempty"`

	// leads, custom objects
	StaticListName string `json:"staticListName,omitempty"`
	StaticListID   *int   `json:"staticListId,omitempty"`
	SmartListName  string `json:"smartListName,omitempty"`
	SmartListID    *int   `json:"smartListId,omitempty"`

	// activities
	ActivityTypeIDs          []int    `json:"activityTypeIds,omitempty"`
	PrimaryAttributeValueIDs []int    `json:"primaryAttributeValueIds,omitempty"`
	PrimaryAttributeValues   []string `json:"primaryAttributeValues,omitempty"`

	// program members
	ProgramID      *int     `json:"programId,omitempty"`
	ProgramIDs     []int    `json:"programIds,omitempty"`
	IsExhausted    *bool    `json:"isExhausted,omitempty"`
	NurtureCadence string   `json:"nurtureCadence,omitempty"`
	StatusNames    []string `json:"statusNames,omitempty"`
}

// DateFilter returns the filter's date range and its key ("createdAt" or
// "updatedAt"), or nil when the filter has none.
func (f *ExportFilter) DateFilter() (key string, r *DateRange) {
	switch {
	case f.CreatedAt != nil:
		return "createdAt", f.CreatedAt
	case f.UpdatedAt != nil:
		return "updatedAt", f.UpdatedAt
	}
	return "", nil
}

// Export is one `kind: Export` document with defaults applied.
type Export struct {
	Source   `json:"-"`
	Metadata Metadata `json:"metadata"`

	Object            string            `json:"object"`
	APIName           string            `json:"apiName,omitempty"`
	Fields            []string          `json:"fields,omitempty"`
	ColumnHeaderNames map[string]string `json:"columnHeaderNames,omitempty"`
	Format            string            `json:"format"` // default CSV
	Filter            ExportFilter      `json:"filter"`
	Window            time.Duration     `json:"window"` // default MaxWindow
	// Output is the output path relative to the project directory
	// (slash-separated), already resolved against the manifest's directory.
	// It may contain WindowPlaceholder.
	Output string `json:"output"`
}

// Address is the export's state address, "export.NAME".
func (e *Export) Address() string { return "export." + e.Metadata.Name }

// Import is one `kind: Import` document with defaults applied.
type Import struct {
	Source   `json:"-"`
	Metadata Metadata `json:"metadata"`

	Object  string `json:"object"`
	APIName string `json:"apiName,omitempty"`
	// SourcePath is the import file relative to the project directory
	// (slash-separated), resolved against the manifest's directory.
	SourcePath string `json:"source"`
	Format     string `json:"format"` // default CSV

	// leads only
	LookupField   string `json:"lookupField,omitempty"`
	ListID        *int   `json:"listId,omitempty"`
	PartitionName string `json:"partitionName,omitempty"`

	// program members only (both required)
	ProgramID           *int   `json:"programId,omitempty"`
	ProgramMemberStatus string `json:"programMemberStatus,omitempty"`

	MaxFailedRows int `json:"maxFailedRows"`
	// Reports is the directory for failures/warnings files, relative to the
	// project directory; default ".mkbulk/reports/<name>".
	Reports string `json:"reports"`
}

// Address is the import's state address, "import.NAME".
func (i *Import) Address() string { return "import." + i.Metadata.Name }

// Set is every manifest of a project.
type Set struct {
	// Dir is the absolute project directory.
	Dir     string
	Exports []*Export
	Imports []*Import
	// Files maps each manifest file (relative, slash-separated) to the
	// sha256 hex of its bytes; saved plans use it to detect staleness.
	Files map[string]string
}
