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
	var sensitive, keyed []string
	r.orDefault().collect(v, scopePlain, hidNot, &sensitive, &keyed)
	return append(sensitive, keyed...)
}

// hid says why a value is hidden: not, as sensitive_metadata, or by its
// secret-looking metadata key.
type hid int

const (
	hidNot hid = iota
	hidSensitive
	hidByKey
)

func (r *Redactor) collect(v any, sc scope, h hid, sensitive, keyed *[]string) {
	out := func(s string) {
		switch h {
		case hidSensitive:
			*sensitive = append(*sensitive, s)
		case hidByKey:
			*keyed = append(*keyed, s)
		}
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			child := childScope(k, sc)
			ch := h
			switch {
			case ch == hidSensitive:
			case child == scopeSensitive:
				ch = hidSensitive
			case ch == hidNot && sc == scopeMetadata && r.IsSecretKey(k):
				ch = hidByKey
			}
			r.collect(x, child, ch, sensitive, keyed)
		}
	case []any:
		for _, x := range t {
			r.collect(x, sc, h, sensitive, keyed)
		}
	case string:
		out(t)
	case json.Number:
		out(t.String())
	case float64:
		out(strconv.FormatFloat(t, 'f', -1, 64))
	case int:
		out(strconv.Itoa(t))
	case int64:
		out(strconv.FormatInt(t, 10))
	}
}

// SecretsJSONByKind is Secrets of a JSON document, in two lists: the
// values of sensitive_metadata, and those hidden by a secret-looking key
// (which catches ordinary words too: "author", "session"). Such values sit
// only under a key ending in "metadata" or "variables" (the scopes of the
// key rules), so a document with neither word, and no escape or non-ASCII
// byte that could spell one, holds none and is not decoded at all: the
// usual tool call.
func (r *Redactor) SecretsJSONByKind(doc []byte) (sensitive, keyed []string) {
	if !mayHoldScope(doc) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, nil
	}
	r.orDefault().collect(v, scopePlain, hidNot, &sensitive, &keyed)
	return sensitive, keyed
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
