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
	// Up to one edit per three letters: "feilds" → "fields", "lead" →
	// "leads", but "colour" is not taken for "filter".
	limit := max(1, (len(s)+1)/3)
	best, bestD := "", limit+1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
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

// editDistance is the optimal string alignment distance between a and b
// (bytes): insertions, deletions, substitutions and transpositions of
// neighbours each cost 1, so "emial" is one edit from "email".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
