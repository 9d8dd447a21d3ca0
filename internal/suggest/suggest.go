// Package suggest finds the name a mistyped one was likely meant to be,
// for "did you mean ...?" in errors (a flag, a tool).
package suggest

// Nearest is the candidate closest to name, if fewer than within edits
// away; "" otherwise. Ties go to the first candidate.
func Nearest(name string, candidates []string, within int) string {
	best, bestDist := "", within
	for _, c := range candidates {
		if d := Distance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
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
