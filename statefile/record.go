package statefile

import (
	"encoding/json"
	"time"
)

// RecordVersion is the format of Record written by this build.
const RecordVersion = 1

// Record is what state knows about one address. Exactly one of Export,
// Import, Merge is set, matching Kind.
type Record struct {
	Version   int       `json:"version"`
	Address   string    `json:"address"`
	Resource  string    `json:"resource"` // export.NAME / import.NAME
	Kind      string    `json:"kind"`     // "export" | "import" | "merge"
	UpdatedAt time.Time `json:"updatedAt"`

	Export *ExportRecord `json:"export,omitempty"`
	Import *ImportRecord `json:"import,omitempty"`
	Merge  *MergeRecord  `json:"merge,omitempty"`
}

// Record kinds.
const (
	KindExport = "export"
	KindImport = "import"
	KindMerge  = "merge"
)

// ExportRecord is one export window's job and file.
type ExportRecord struct {
	SpecDigest  string     `json:"specDigest"`
	Object      string     `json:"object"`
	APIName     string     `json:"apiName,omitempty"`
	WindowStart *time.Time `json:"windowStart,omitempty"`
	WindowEnd   *time.Time `json:"windowEnd,omitempty"`

	// The Marketo-relevant spec the job was made from (copied from the plan
	// step by the executor), so a later plan can say what changed ("fields
	// added: score") rather than only that SpecDigest differs.
	Fields            []string          `json:"fields,omitempty"`
	ColumnHeaderNames map[string]string `json:"columnHeaderNames,omitempty"`
	Format            string            `json:"format,omitempty"`
	Filter            json.RawMessage   `json:"filter,omitempty"`

	ExportID   string `json:"exportId,omitempty"`
	Status     string `json:"status,omitempty"` // Marketo status last seen
	CreatedAt  string `json:"createdAt,omitempty"`
	QueuedAt   string `json:"queuedAt,omitempty"`
	StartedAt  string `json:"startedAt,omitempty"`
	FinishedAt string `json:"finishedAt,omitempty"`
	ErrorMsg   string `json:"errorMsg,omitempty"`

	NumberOfRecords int64  `json:"numberOfRecords,omitempty"`
	FileSize        int64  `json:"fileSize,omitempty"`
	FileChecksum    string `json:"fileChecksum,omitempty"` // Marketo's "sha256:<hex>"

	// Output is the verified local file (relative to the project directory).
	Output string `json:"output,omitempty"`
	// DownloadedBytes is progress into Output+".partial".
	DownloadedBytes int64 `json:"downloadedBytes,omitempty"`
	// SHA256 is the hex sha256 of the verified local file; set only once
	// the file is complete, verified and renamed into place.
	SHA256 string `json:"sha256,omitempty"`
	// Enqueued is set (before the enqueue call returns) so a crash between
	// the call and the status write never causes a second enqueue.
	Enqueued bool `json:"enqueued,omitempty"`
}

// Done reports whether the window's file is verified and in place.
func (r *ExportRecord) Done() bool { return r.SHA256 != "" }

// ImportRecord is one import: its source and each chunk's batch.
type ImportRecord struct {
	SpecDigest   string        `json:"specDigest"`
	Object       string        `json:"object"`
	Source       string        `json:"source"`
	SourceSHA256 string        `json:"sourceSha256"`
	Chunks       []ChunkRecord `json:"chunks"`
	Reports      string        `json:"reports,omitempty"`
	Failed       int64         `json:"failed,omitempty"`
	Warnings     int64         `json:"warnings,omitempty"`
	Processed    int64         `json:"processed,omitempty"`
	// Done is set when every chunk is Complete and reports are written.
	Done bool `json:"done,omitempty"`
}

// ChunkRecord is one uploaded chunk.
type ChunkRecord struct {
	Index  int    `json:"index"`
	SHA256 string `json:"sha256"`
	// Uploading is written before the upload starts; if an apply dies with
	// Uploading set and no BatchID, the chunk may have reached Marketo
	// without being recorded, and the report says so.
	Uploading bool   `json:"uploading,omitempty"`
	BatchID   int    `json:"batchId,omitempty"`
	Status    string `json:"status,omitempty"`
	Processed int64  `json:"processed,omitempty"`
	Failed    int64  `json:"failed,omitempty"`
	Warnings  int64  `json:"warnings,omitempty"`
	Message   string `json:"message,omitempty"`
}

// MergeRecord is the merged output of an export without {window}.
type MergeRecord struct {
	Output string   `json:"output"`
	Parts  []string `json:"parts"`
	SHA256 string   `json:"sha256"`
	Size   int64    `json:"size"`
}

// Snapshot is a plain copy of the whole state, taken in one read
// transaction. Mutating it changes nothing on disk.
type Snapshot struct {
	Lineage       string
	Serial        uint64
	MkbulkVersion string
	Resources     map[string]Record
	// Ledger maps an America/Chicago day ("2026-11-25") to bytes exported.
	Ledger map[string]int64
}
