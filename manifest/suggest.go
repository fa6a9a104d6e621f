package manifest

import (
	"slices"
	"sort"
	"strings"
)

// Suggest returns the candidate closest to s by edit distance (ignoring
// case) when it is close enough to be a likely typo, else "" — also when s
// is itself a candidate.
func Suggest(s string, candidates []string) string {
	if slices.Contains(candidates, s) {
		return ""
	}
	best, bestD := "", len(s)/2+2
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
	}
	if bestD > len(s) || bestD >= max(len(best), 1) {
		return "" // everything would have to change: not a typo
	}
	return best
}

// DidYouMean renders Suggest's answer as a hint, or "" when nothing is close.
func DidYouMean(s string, candidates []string) string {
	if c := Suggest(s, candidates); c != "" {
		return `did you mean "` + c + `"?`
	}
	return ""
}

// allowedHint lists what is accepted, for when no candidate is close enough
// to guess.
func allowedHint(candidates []string) string {
	if len(candidates) == 0 || len(candidates) > 16 {
		return ""
	}
	c := append([]string(nil), candidates...)
	sort.Strings(c)
	return "allowed here: " + strings.Join(c, ", ")
}

// editDistance is the Levenshtein distance between a and b (bytes).
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
