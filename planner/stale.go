package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mkbulk/mkbulk/plan"
)

// StaleInputs is what a saved plan's inputs look like now.
type StaleInputs struct {
	Lineage         string
	Serial          uint64
	ManifestDigests map[string]string // manifest file → sha256 hex
	// SourceDigests maps each import source the plan read to its sha256
	// now ("" when it cannot be read).
	SourceDigests       map[string]string
	DescribeFingerprint string
}

// StaleError says why a saved plan can no longer be applied.
type StaleError struct {
	Reason string
}

func (e *StaleError) Error() string {
	return "saved plan is stale: " + e.Reason + "; run mkbulk plan again"
}

// CheckStale compares the inputs a saved plan was made from with cur and
// returns a *StaleError naming the first difference, or nil.
func CheckStale(p *plan.Plan, cur StaleInputs) error {
	stale := func(format string, args ...any) error {
		return &StaleError{Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case p.StateLineage != cur.Lineage && p.StateLineage != "":
		return stale("state lineage differs (the plan was made for state %s, this is %s)", p.StateLineage, orNone(cur.Lineage))
	case p.StateSerial != cur.Serial:
		return stale("state changed since the plan was made (serial %d, now %d)", p.StateSerial, cur.Serial)
	}
	if files := changedKeys(p.ManifestDigests, cur.ManifestDigests); len(files) > 0 {
		return stale("manifests changed since the plan was made: %s", strings.Join(files, ", "))
	}
	var sources []string
	for src, want := range p.SourceDigests {
		if cur.SourceDigests[src] != want {
			sources = append(sources, src)
		}
	}
	if len(sources) > 0 {
		sort.Strings(sources)
		return stale("import source changed since the plan was made: %s", strings.Join(sources, ", "))
	}
	if p.DescribeFingerprint != cur.DescribeFingerprint {
		return stale("Marketo schema changed since the plan was made (describe output differs)")
	}
	return nil
}

// changedKeys lists keys added, removed or changed between a and b.
func changedKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
