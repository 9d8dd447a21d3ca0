package redact

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Secrets returns, as strings, the values in a JSON-like value v that the
// key rules of JSON would hide: values of secret-looking keys inside
// metadata, and every leaf under sensitive_metadata. A tool call adds them
// to its redactor (With), so they stay hidden where they reappear without
// their key, e.g. in an error message that echoes the request. Booleans are
// left out (see WithValues).
func (r *Redactor) Secrets(v any) []string {
	var out []string
	r.orDefault().collect(v, scopePlain, false, &out)
	return out
}

func (r *Redactor) collect(v any, sc scope, hidden bool, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			child := childScope(k, sc)
			h := hidden || child == scopeSensitive || (sc == scopeMetadata && r.IsSecretKey(k))
			r.collect(x, child, h, out)
		}
	case []any:
		for _, x := range t {
			r.collect(x, sc, hidden, out)
		}
	case string:
		if hidden {
			*out = append(*out, t)
		}
	case json.Number:
		if hidden {
			*out = append(*out, t.String())
		}
	case float64:
		if hidden {
			*out = append(*out, strconv.FormatFloat(t, 'f', -1, 64))
		}
	case int:
		if hidden {
			*out = append(*out, strconv.Itoa(t))
		}
	case int64:
		if hidden {
			*out = append(*out, strconv.FormatInt(t, 10))
		}
	}
}

// SecretsJSON is Secrets of a JSON document. Such values sit only under a
// key ending in "metadata" or "variables" (the scopes of the key rules), so
// a document with neither word, and no escape or non-ASCII byte that could
// spell one, holds none and is not decoded at all: the usual tool call.
func (r *Redactor) SecretsJSON(doc []byte) []string {
	if !mayHoldScope(doc) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	return r.Secrets(v)
}

func mayHoldScope(doc []byte) bool {
	for _, c := range doc {
		if c == '\\' || c >= 0x80 {
			return true
		}
	}
	return containsFold(doc, "metadata") || containsFold(doc, "variables")
}

// containsFold reports whether doc contains word (lower-case ASCII) in any
// case.
func containsFold(doc []byte, word string) bool {
	for i := 0; i+len(word) <= len(doc); i++ {
		j := 0
		for j < len(word) && doc[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}
