package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// sha256JSON hashes v's JSON encoding. encoding/json writes struct fields in
// declaration order and map keys sorted, so equal values hash equally.
func sha256JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain data is hashed here; failing to encode it is a bug.
		panic("planner: digest: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// exportDigestInput is what Marketo sees of one export job. Output and
// other local settings are not part of it: changing them needs no new job.
type exportDigestInput struct {
	Object            string            `json:"object"`
	APIName           string            `json:"apiName,omitempty"`
	Fields            []string          `json:"fields,omitempty"`
	ColumnHeaderNames map[string]string `json:"columnHeaderNames,omitempty"`
	Format            string            `json:"format"`
	Filter            json.RawMessage   `json:"filter"`
}

// importDigestInput is what Marketo sees of one import: the parameters and
// the source's content. maxFailedRows and reports are local policy.
type importDigestInput struct {
	Object              string `json:"object"`
	APIName             string `json:"apiName,omitempty"`
	Format              string `json:"format"`
	LookupField         string `json:"lookupField,omitempty"`
	ListID              int    `json:"listId,omitempty"`
	PartitionName       string `json:"partitionName,omitempty"`
	ProgramID           int    `json:"programId,omitempty"`
	ProgramMemberStatus string `json:"programMemberStatus,omitempty"`
	SourceSHA256        string `json:"sourceSha256"`
}

// DescribeFingerprint is the sha256 of the describe results a plan used.
// A saved plan is stale when the same describe calls now answer otherwise.
func DescribeFingerprint(d *Describe) string {
	if d == nil {
		d = &Describe{}
	}
	return sha256JSON(d)
}
