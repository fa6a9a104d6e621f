package planner

import (
	"io"
	"sort"
	"time"

	"github.com/mkbulk/mkbulk/manifest"
	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/statefile"
)

// DefaultQuotaBytes is Marketo's default daily export allowance (500 MB).
const DefaultQuotaBytes = 500 * 1024 * 1024

// Input is everything a plan is computed from. The caller gathers it (API
// calls, file probes); Plan itself does no I/O beyond the injected
// OpenSource and Files.
type Input struct {
	Manifests *manifest.Set
	// State is the snapshot to diff against; nil means no state yet.
	State *statefile.Snapshot
	// Describe holds the describe results NeededDescribes asked for.
	Describe *Describe
	// Jobs are refreshed export statuses by exportId, for the ids
	// JobsToRefresh returned. A present key with a nil value means Marketo
	// no longer knows the job (status 404 / not found); an absent key means
	// "not refreshed" and the state's last seen status is used.
	Jobs map[string]*marketo.ExportJob
	// Files answers facts about local outputs (see NeededFiles). Nil means
	// no file exists.
	Files FileFacts
	// OpenSource opens an import source (path relative to the project
	// directory) for pre-flight, chunking and hashing.
	OpenSource func(path string) (io.ReadCloser, error)
	// Now is the planning time; open date ranges end at Now (to the second).
	Now time.Time
	// Targets narrows the plan to these addresses (resource or window).
	Targets []string
	// Replace forces -/+ on these addresses (resource or window).
	Replace []string
	// QuotaBytes is the daily export allowance; 0 means DefaultQuotaBytes.
	QuotaBytes int64
	// SkipFileChecks trusts state's record of local outputs instead of
	// probing Files: no drift detection for outputs (plan -refresh=false,
	// e.g. a CI runner that plans without the previous runs' files).
	SkipFileChecks bool
	// ChunkBytes caps an import chunk (header + rows); 0 means
	// MaxChunkBytes. Tests lower it to exercise chunking on small files.
	ChunkBytes int64
}

// Describe is the describe output a plan validates against. Only the parts
// NeededDescribes asked for need to be set.
type Describe struct {
	Lead          *marketo.ObjectDescription `json:"lead,omitempty"`
	ProgramMember *marketo.ObjectDescription `json:"programMember,omitempty"`
	// CustomObjects maps an apiName to its description; a nil value means
	// Marketo said the object does not exist.
	CustomObjects map[string]*marketo.ObjectDescription `json:"customObjects,omitempty"`
	ActivityTypes []marketo.ActivityType                `json:"activityTypes,omitempty"`
}

// DescribeNeeds says which describe calls a set of manifests needs: one
// per object type, however many manifests use it.
type DescribeNeeds struct {
	Lead          bool
	ProgramMember bool
	ActivityTypes bool
	CustomObjects []string // sorted, unique apiNames
}

// Calls is the number of describe calls the needs take.
func (n DescribeNeeds) Calls() int {
	c := len(n.CustomObjects)
	for _, b := range []bool{n.Lead, n.ProgramMember, n.ActivityTypes} {
		if b {
			c++
		}
	}
	return c
}

// NeededDescribes lists the describe calls validating set requires.
// Program members need lead fields too (their exports and imports mix
// lead and member fields).
func NeededDescribes(set *manifest.Set) DescribeNeeds {
	var n DescribeNeeds
	cos := map[string]bool{}
	need := func(object, apiName string) {
		switch object {
		case manifest.ObjectLeads:
			n.Lead = true
		case manifest.ObjectProgramMembers:
			n.Lead, n.ProgramMember = true, true
		case manifest.ObjectActivities:
			n.ActivityTypes = true
		case manifest.ObjectCustomObject:
			if apiName != "" {
				cos[apiName] = true
			}
		}
	}
	if set != nil {
		for _, ex := range set.Exports {
			need(ex.Object, ex.APIName)
		}
		for _, im := range set.Imports {
			need(im.Object, im.APIName)
		}
	}
	for name := range cos {
		n.CustomObjects = append(n.CustomObjects, name)
	}
	sort.Strings(n.CustomObjects)
	return n
}

// JobRef names an export job whose status plan should refresh.
type JobRef struct {
	Address  string
	Object   marketo.Object
	ExportID string
}

// JobsToRefresh lists the jobs of state that were created on Marketo but
// whose file is not verified locally yet: in flight, or completed but not
// downloaded. Their current status decides between resume and replace.
func JobsToRefresh(snap *statefile.Snapshot) []JobRef {
	if snap == nil {
		return nil
	}
	var refs []JobRef
	for addr, rec := range snap.Resources {
		ex := rec.Export
		if rec.Kind != statefile.KindExport || ex == nil || ex.ExportID == "" || ex.Done() {
			continue
		}
		refs = append(refs, JobRef{
			Address:  addr,
			Object:   marketo.Object{Kind: ex.Object, APIName: ex.APIName},
			ExportID: ex.ExportID,
		})
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Address < refs[j].Address })
	return refs
}

// FileFacts answers what the planner needs to know about local files. The
// planner asks for a file's sha256 only when it exists with the expected
// size, so implementations can hash lazily.
type FileFacts interface {
	// Stat reports whether path (relative to the project directory) exists
	// as a regular file, and its size.
	Stat(path string) (size int64, exists bool, err error)
	// SHA256 returns the hex sha256 of the file's content.
	SHA256(path string) (string, error)
}

// FileFact is one file's facts, for MapFiles.
type FileFact struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// MapFiles is FileFacts from a map: paths absent from the map do not exist.
type MapFiles map[string]FileFact

// Stat implements FileFacts.
func (m MapFiles) Stat(path string) (int64, bool, error) {
	f, ok := m[path]
	return f.Size, ok, nil
}

// SHA256 implements FileFacts.
func (m MapFiles) SHA256(path string) (string, error) { return m[path].SHA256, nil }

// NeededFiles lists the local files whose facts a plan may ask for: the
// verified outputs recorded in state. Callers that precompute facts (into
// MapFiles) need exactly these.
func NeededFiles(snap *statefile.Snapshot) []string {
	if snap == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, rec := range snap.Resources {
		switch {
		case rec.Export != nil && rec.Export.Output != "":
			seen[rec.Export.Output] = true
		case rec.Merge != nil && rec.Merge.Output != "":
			seen[rec.Merge.Output] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
