package redact

import "unicode"

// Cut shortens s to at most n runes and reports whether it did. It cuts
// at a word's edge, not inside a word: a secret cut in half would no longer
// be recognised, and its first half would pass redaction. The word the
// limit falls in is left out whole, unless it runs back more than
// maxWordBackoff runes (a blob, base64 say, with no edge to cut at): then
// the cut is at the limit. A cut text ends with "…".
func Cut(s string, n int) (string, bool) {
	end, count := -1, 0
	for i := range s {
		if count == n {
			end = i
			break
		}
		count++
	}
	if end < 0 {
		return s, false
	}
	if inWord(runeAt(s, end)) {
		// The word's length: what lies before the limit and after it.
		limit, ahead := end, 0
		for _, r := range s[limit:] {
			if !inWord(r) || ahead == maxWordBackoff {
				break
			}
			ahead++
		}
		for back := 0; end > 0 && inWord(runeBefore(s, end)); back++ {
			if back+ahead >= maxWordBackoff {
				end = limit
				break
			}
			_, size := lastRune(s[:end])
			end -= size
		}
	}
	for end > 0 && unicode.IsSpace(runeBefore(s, end)) {
		_, size := lastRune(s[:end])
		end -= size
	}
	return s[:end] + "…", true
}

// maxWordBackoff is the longest word Cut keeps out whole.
const maxWordBackoff = 256

// inWord reports whether r can be inside a token: letters, digits and the
// punctuation of keys, JWTs and base64.
func inWord(r rune) bool {
	switch r {
	case '_', '-', '.', '+', '/', '=', '~', '%':
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func runeAt(s string, i int) rune {
	for _, r := range s[i:] {
		return r
	}
	return 0
}

func runeBefore(s string, i int) rune {
	r, _ := lastRune(s[:i])
	return r
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xC0 { // an ASCII byte or a lead byte
			for _, r := range s[i:] {
				return r, len(s) - i
			}
		}
	}
	return 0, 0
}
