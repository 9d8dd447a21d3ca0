package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// Invisible characters change what a reader sees without showing
// themselves: bidi overrides and isolates reorder text, zero-width
// characters and Unicode tags hide words a model still reads. Like
// secrets, they must not leave the server: tool results and error messages
// lose them (text sent to Ada is left as written), and results say how
// many went. The redactor also ignores them when it matches secret keys.

// Invisible reports whether r is a character that changes what a reader
// sees without showing itself: zero-width characters, bidi embeddings,
// overrides and isolates, and Unicode tags.
func Invisible(r rune) bool {
	switch {
	case 0x200B <= r && r <= 0x200D, // zero width space, non-joiner, joiner
		0x202A <= r && r <= 0x202E,   // bidi embeddings and overrides
		r == 0x2060,                  // word joiner
		0x2066 <= r && r <= 0x2069,   // bidi isolates
		r == 0xFEFF,                  // zero width no-break space (BOM)
		0xE0000 <= r && r <= 0xE007F: // tags
		return true
	}
	return false
}

// invisibleAt is the length of the UTF-8 invisible character at b[i:], or 0.
// Each range has one lead byte: E2 (U+2xxx), EF (U+FEFF), F3 (U+E00xx).
func invisibleAt(b []byte, i int) int {
	switch b[i] {
	case 0xE2, 0xEF, 0xF3:
		r, n := utf8.DecodeRune(b[i:])
		if Invisible(r) {
			return n
		}
	}
	return 0
}

// escapedInvisibleAt reports whether b[i:] starts a \u escape of an
// invisible character (a tag character is a surrogate pair, \udb40\udcXX).
func escapedInvisibleAt(b []byte, i int) bool {
	r, ok := hex4(b, i)
	if !ok {
		return false
	}
	if r == 0xDB40 {
		lo, ok := hex4(b, i+6)
		return ok && 0xDC00 <= lo && lo <= 0xDC7F
	}
	return Invisible(r)
}

// hex4 decodes the \uXXXX escape at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// firstInvisible finds the first raw invisible character of doc (pos -1:
// none) and whether doc escapes one anywhere. It jumps from candidate to
// candidate with bytes.IndexByte (vectorised): most results have none and
// stop here, without a copy.
func firstInvisible(doc []byte) (pos int, escaped bool) {
	pos = -1
	for _, lead := range []byte{0xE2, 0xEF, 0xF3} {
		for i := 0; ; {
			j := bytes.IndexByte(doc[i:], lead)
			if j < 0 {
				break
			}
			if i += j; invisibleAt(doc, i) > 0 {
				if pos < 0 || i < pos {
					pos = i
				}
				break
			}
			i++
		}
	}
	// Every backslash in JSON starts an escape; skipping the escaped byte
	// keeps the count aligned ("\\u202e" is a backslash, then text).
	for i := 0; i < len(doc); i += 2 {
		j := bytes.IndexByte(doc[i:], '\\')
		if j < 0 {
			return pos, false
		}
		if i += j; escapedInvisibleAt(doc, i) {
			return pos, true
		}
	}
	return pos, false
}

// StripInvisible removes invisible characters from the valid JSON document
// doc (a redacted result) and returns it with how many went. A document
// without any comes back as it is. The usual case, raw characters in
// string values, is one pass over the bytes; a character in an object key
// or written as a \u escape takes the slow path through a decoded document
// (stripDecoded). Removing a character can join the pieces of a
// credential, so a string that changed is checked against red again.
func StripInvisible(doc []byte, red *Redactor) ([]byte, int, error) {
	first, escaped := firstInvisible(doc)
	switch {
	case escaped:
		return stripDecoded(doc, red)
	case first < 0:
		return doc, 0, nil
	}
	out := make([]byte, 0, len(doc))
	n, last := 0, 0 // last: where the bytes not yet copied start
	strEnd := -1    // the closing quote of the string last entered
	var changed [][2]int
	for i := first; i < len(doc); {
		switch c := doc[i]; {
		case c == '\\':
			i += 2 // an escape pair: its second byte may be a quote
			continue
		case c < 0xE2:
			i++
			continue
		}
		size := invisibleAt(doc, i)
		if size == 0 {
			i++
			continue
		}
		// A non-ASCII byte is always inside a string: is it a key?
		if i > strEnd {
			var key bool
			if strEnd, key = stringEnd(doc, i); key {
				return stripDecoded(doc, red)
			}
			changed = append(changed, [2]int{stringStart(doc, i), strEnd})
		}
		out = append(out, doc[last:i]...)
		i += size
		last, n = i, n+1
	}
	out = append(out, doc[last:]...)
	for _, span := range changed {
		var s string
		err := json.Unmarshal(doc[span[0]:span[1]+1], &s)
		if s = stripString(s, new(int)); err != nil || red.String(s) != s {
			out, err := red.Bytes(out)
			return out, n, err
		}
	}
	return out, n, nil
}

// stringStart finds the opening quote of the JSON string around i: the
// nearest quote before i not escaped by an odd run of backslashes.
func stringStart(doc []byte, i int) int {
	for i--; i > 0; i-- {
		if doc[i] != '"' {
			continue
		}
		k := i
		for k > 0 && doc[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i
		}
	}
	return 0
}

// stringEnd finds the closing quote of the JSON string around i (i inside
// it, not within an escape) and whether the string is an object key.
func stringEnd(doc []byte, i int) (end int, key bool) {
	for i < len(doc) && doc[i] != '"' {
		if doc[i] == '\\' {
			i++
		}
		i++
	}
	end = i
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return end, doc[i] == ':'
	}
	return end, false
}

// stripDecoded is the slow path: decode, strip every string and key,
// redact and encode (keys come out sorted, as in redact's own slow path).
func stripDecoded(doc []byte, red *Redactor) ([]byte, int, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, 0, err
	}
	n := 0
	v = stripValue(v, &n)
	out, err := red.Marshal(v)
	return out, n, err
}

func stripValue(v any, n *int) any {
	switch x := v.(type) {
	case string:
		return stripString(x, n)
	case []any:
		for i := range x {
			x[i] = stripValue(x[i], n)
		}
	case map[string]any:
		return stripKeys(x, n)
	}
	return v
}

// StripInvisibleString removes the invisible characters of s and returns
// it with how many went. Unlike StripInvisible, it does not redact again:
// the caller redacts what it returns.
func StripInvisibleString(s string) (string, int) {
	var n int
	s = stripString(s, &n)
	return s, n
}

// stripString removes the invisible characters of s, adding their number
// to n.
func stripString(s string, n *int) string {
	if !strings.ContainsFunc(s, Invisible) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Invisible(r) {
			*n++
			return -1
		}
		return r
	}, s)
}

// stripKeys strips an object's keys and values. A key must not become
// another key of the same object (a JSON parser would keep one value and
// drop the other: "vip\u200b" would override "vip"), so a key that would
// marks its invisible characters with U+FFFD instead, in sight. Unchanged
// keys keep their names; changed ones are settled in sorted order so the
// outcome does not depend on map iteration.
func stripKeys(m map[string]any, n *int) map[string]any {
	out := make(map[string]any, len(m))
	var changed []string
	for k, v := range m {
		if strings.ContainsFunc(k, Invisible) {
			changed = append(changed, k)
			continue
		}
		out[k] = stripValue(v, n)
	}
	slices.Sort(changed)
	for _, k := range changed {
		key := stripString(k, n)
		if _, taken := out[key]; taken {
			key = strings.Map(func(r rune) rune {
				if Invisible(r) {
					return utf8.RuneError
				}
				return r
			}, k)
			for _, taken := out[key]; taken; _, taken = out[key] {
				key += string(utf8.RuneError)
			}
		}
		out[key] = stripValue(m[k], n)
	}
	return out
}
