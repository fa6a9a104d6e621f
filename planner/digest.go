package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
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

// suggest returns the candidate closest to s by edit distance when it is
// close enough to be a likely typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := editDistance(ls, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// didYouMean renders suggest's answer as a diagnostic hint.
func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" && c != s {
		return `did you mean "` + c + `"?`
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
