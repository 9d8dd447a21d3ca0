package redact

import (
	"bytes"
	"encoding/json"
	"unsafe"
)

// clean reports whether [Redactor.JSON] would leave the valid JSON document
// b unchanged, so that [Redactor.Bytes] and [Redactor.Marshal] can return it
// without decoding and re-encoding it. It applies the same rules in one pass over the bytes and
// answers false (take the slow path) whenever it is unsure, e.g. for an
// object key written with escapes.
func (r *Redactor) clean(b []byte) bool {
	c := cleanScan{r: r, b: b, rules: allRules}
	// Without a backslash, every string in b is written as it reads, so a
	// secret or a credential's marker that no string of b holds is not in
	// b at all: one search of the whole document then spares one per
	// string. (With escapes, a string is checked once unquoted.)
	if bytes.IndexByte(b, '\\') < 0 {
		doc := unsafe.String(unsafe.SliceData(b), len(b)) // read only, while b is
		c.rules = rules{secrets: r.containsSecret(doc), credentials: mayContainCredential(doc)}
	}
	c.skipSpace()
	return c.value(scopePlain)
}

// cleanScan walks a document that json.Valid accepted or encoding/json
// wrote, so it never has to report syntax errors; it stops at the first value that needs redacting.
type cleanScan struct {
	r *Redactor
	b []byte
	i int
	// rules are those the whole document did not rule out.
	rules rules
}

func (c *cleanScan) skipSpace() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// value scans the value at c.i in scope sc and reports whether it is clean.
func (c *cleanScan) value(sc scope) bool {
	switch c.b[c.i] {
	case '{':
		return c.object(sc)
	case '[':
		return c.array(sc)
	case '"':
		raw := c.str()
		if sc == scopeSensitive {
			return false
		}
		s, ok := unquote(raw)
		return ok && c.r.apply(s, c.rules) == s
	case 'n':
		c.i += len("null")
		return true
	case 't', 'f':
		if c.b[c.i] == 't' {
			c.i += len("true")
		} else {
			c.i += len("false")
		}
		return sc != scopeSensitive
	default:
		start := c.i
		for c.i < len(c.b) && isNumberByte(c.b[c.i]) {
			c.i++
		}
		return sc != scopeSensitive && !c.r.secretNumber(string(c.b[start:c.i]), sc, c.rules)
	}
}

func (c *cleanScan) object(sc scope) bool {
	c.i++ // {
	for {
		c.skipSpace()
		if c.b[c.i] == '}' {
			c.i++
			return true
		}
		if c.b[c.i] == ',' {
			c.i++
			c.skipSpace()
		}
		raw := c.str()
		if bytes.IndexByte(raw, '\\') >= 0 {
			return false // an escaped key could spell "metadata": decode it properly
		}
		k := string(raw[1 : len(raw)-1])
		if c.rules.secrets && c.r.containsSecret(k) {
			return false
		}
		c.skipSpace()
		c.i++ // :
		c.skipSpace()
		child := childScope(k, sc)
		if child != scopeSensitive && sc == scopeMetadata && c.b[c.i] != 'n' && c.r.IsSecretKey(k) {
			return false
		}
		if !c.value(child) {
			return false
		}
	}
}

func (c *cleanScan) array(sc scope) bool {
	c.i++ // [
	for {
		c.skipSpace()
		switch c.b[c.i] {
		case ']':
			c.i++
			return true
		case ',':
			c.i++
			c.skipSpace()
		}
		if !c.value(sc) {
			return false
		}
	}
}

// str returns the string token at c.i, quotes included, and moves past it.
func (c *cleanScan) str() []byte {
	start := c.i
	for c.i++; c.b[c.i] != '"'; c.i++ {
		if c.b[c.i] == '\\' {
			c.i++
		}
	}
	c.i++
	return c.b[start:c.i]
}

// unquote decodes a JSON string token. Without escapes the string is a
// view of raw, not a copy: the scan only compares what the rules make of
// it, and nothing keeps it. Only tokens with escapes allocate.
func unquote(raw []byte) (string, bool) {
	if bytes.IndexByte(raw, '\\') < 0 {
		inner := raw[1 : len(raw)-1]
		return unsafe.String(unsafe.SliceData(inner), len(inner)), true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

func isNumberByte(b byte) bool {
	return '0' <= b && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E'
}
