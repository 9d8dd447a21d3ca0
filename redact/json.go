package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/internal/bufpool"
)

// scope says which structural rule applies at a point of a JSON value.
type scope uint8

const (
	// scopePlain: only String on strings (and exact secrets on numbers).
	scopePlain scope = iota
	// scopeMetadata: inside an object under a "metadata"-like key, where
	// values of secret-looking keys are replaced and integer values are
	// checked for card numbers (Ada metadata values may be integers).
	scopeMetadata
	// scopeSensitive: inside "sensitive_metadata", whose values must never
	// be emitted at all; every non-null leaf is replaced.
	scopeSensitive
)

// JSON returns a redacted deep copy of a JSON-like value: map[string]any,
// []any, string, json.Number, float64 (and other Go numbers), bool, nil.
// The input is never mutated and the result shares no maps or slices with
// it. Rules:
//
//   - Every string (values and, for exact secrets only, object keys) goes
//     through the String rules.
//   - Inside a metadata object (key "metadata" or ending in "metadata" or
//     "variables", any case, at any depth, including objects nested in it)
//     the value of every key for which IsSecretKey is true becomes
//     Placeholder (null stays null), and Luhn-valid 13–19 digit integers
//     become Placeholder.
//   - Everything under a "sensitive_metadata" key has its non-null leaves
//     replaced by Placeholder, keys kept.
//   - Numbers keep their type and value unless their decimal form contains
//     an exact secret, in which case they become Placeholder.
//
// Other types are handled so that nothing escapes unredacted: []byte is
// treated as text, json.RawMessage is decoded, map[string]string, []string
// and []map[string]any are walked, and anything else (e.g. a struct) is
// round-tripped through encoding/json first. If that marshalling fails the
// whole value becomes Placeholder: failing closed beats leaking.
func (r *Redactor) JSON(v any) any {
	return r.orDefault().value(v, scopePlain)
}

func (r *Redactor) value(v any, sc scope) any {
	if v == nil {
		return nil
	}
	if sc == scopeSensitive {
		switch v.(type) {
		case map[string]any, []any, map[string]string, []string, []map[string]any:
		default:
			if isJSONScalar(v) {
				return Placeholder
			}
		}
	}
	switch t := v.(type) {
	// Unchanged scalars are returned as the original interface value, so
	// the common case does not box them again.
	case string:
		if rs := r.String(t); rs != t {
			return rs
		}
		return v
	case bool:
		return v
	case json.Number:
		return r.number(t.String(), v, sc)
	case float64:
		return r.float(t, v, sc)
	case float32:
		return r.float(float64(t), v, sc)
	case int:
		return r.integer(int64(t), v, sc)
	case int64:
		return r.integer(t, v, sc)
	case int32:
		return r.integer(int64(t), v, sc)
	case uint64:
		return r.number(strconv.FormatUint(t, 10), v, sc)
	case uint:
		return r.number(strconv.FormatUint(uint64(t), 10), v, sc)
	case uint32:
		return r.integer(int64(t), v, sc)
	case map[string]any:
		return redactObject(r, t, sc)
	case []any:
		return redactArray(r, t, sc)
	case map[string]string:
		return redactObject(r, t, sc)
	case []string:
		return redactArray(r, t, sc)
	case []map[string]any:
		return redactArray(r, t, sc)
	case json.RawMessage:
		var d any
		if decode(t, &d) != nil {
			return Placeholder
		}
		return r.value(d, sc)
	case []byte:
		return r.value(string(t), sc)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return Placeholder
		}
		var d any
		if decode(b, &d) != nil {
			return Placeholder
		}
		return r.value(d, sc)
	}
}

// redactObject and redactArray copy a Go map or slice of any JSON-like
// element type into the map[string]any or []any that JSON returns.
func redactObject[V any](r *Redactor, m map[string]V, sc scope) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		r.put(out, k, x, sc)
	}
	return out
}

func redactArray[E any](r *Redactor, s []E, sc scope) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = r.value(x, sc)
	}
	return out
}

// put stores the redacted form of x under the (exact-secret-redacted) key k.
func (r *Redactor) put(out map[string]any, k string, x any, sc scope) {
	child := childScope(k, sc)
	if child != scopeSensitive && sc == scopeMetadata && x != nil && r.IsSecretKey(k) {
		out[r.replaceSecrets(k)] = Placeholder
		return
	}
	out[r.replaceSecrets(k)] = r.value(x, child)
}

func isJSONScalar(v any) bool {
	switch v.(type) {
	case string, bool, json.Number, float64, float32, int, int64, int32, uint, uint64, uint32:
		return true
	}
	return false
}

// isMetadataKey covers "metadata", "*_metadata", "*-metadata" and camelCase
// "*Metadata", plus "metavariables" and "variables": Ada shows metadata as
// "metavariables" (data export API), and conversation "variables" hold
// values captured from end users, so they carry the same kind of
// customer-chosen keys. Over-matching is harmless: it only turns the key
// rule on.
func isMetadataKey(k string) bool {
	return hasSuffixFold(k, "metadata") || hasSuffixFold(k, "variables")
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// childScope is the scope of the value under key k in an object (or log
// group) whose own scope is sc, unless the key rule replaces it outright.
func childScope(k string, sc scope) scope {
	switch {
	case sc == scopeSensitive || isSensitiveMetadataKey(k):
		return scopeSensitive
	case isMetadataKey(k):
		return scopeMetadata
	}
	return sc
}

func isSensitiveMetadataKey(k string) bool {
	return strings.EqualFold(k, "sensitive_metadata") || strings.EqualFold(k, "sensitiveMetadata")
}

// number applies the numeric rules to a number whose decimal form is s;
// orig is returned unchanged when nothing applies.
func (r *Redactor) number(s string, orig any, sc scope) any {
	if r.secretNumber(s, sc, allRules) {
		return Placeholder
	}
	return orig
}

// secretNumber reports whether a number with decimal form s must be hidden:
// it contains an exact secret, or it is a card number inside metadata.
func (r *Redactor) secretNumber(s string, sc scope, rl rules) bool {
	return rl.secrets && r.containsSecret(s) || sc == scopeMetadata && isCardNumber(s)
}

func (r *Redactor) integer(n int64, orig any, sc scope) any {
	// Formatting costs an allocation; skip it when no rule can apply.
	if len(r.secrets) == 0 && (sc != scopeMetadata || n < 1e12) {
		return orig
	}
	return r.number(strconv.FormatInt(n, 10), orig, sc)
}

func (r *Redactor) float(f float64, orig any, sc scope) any {
	if len(r.secrets) == 0 && (sc != scopeMetadata || f < 1e12) {
		return orig
	}
	return r.number(strconv.FormatFloat(f, 'f', -1, 64), orig, sc)
}

// Bytes redacts a JSON document. A document with nothing to redact (the
// common case: one scan, no allocation) is returned as it is. Otherwise it
// decodes b (numbers as json.Number, so they are written back digit for
// digit), applies [Redactor.JSON] and encodes the result without HTML
// escaping; object keys then come out sorted. On error it returns nil,
// never the unredacted input, and the error never quotes the input.
func (r *Redactor) Bytes(b []byte) ([]byte, error) {
	// Invalid UTF-8 takes the slow path, which replaces it.
	if utf8.Valid(b) && json.Valid(b) && r.orDefault().clean(b) {
		return b, nil
	}
	return r.reencode(b)
}

// Marshal encodes v as JSON without HTML escaping (so "<" stays "<" for
// whoever reads the text) and redacts it as [Redactor.Bytes] does. Output
// of encoding/json is valid JSON, so only its UTF-8 needs checking (a
// json.RawMessage inside v can carry invalid bytes) before the clean scan.
func (r *Redactor) Marshal(v any) ([]byte, error) {
	buf := encodeBuffers.Get()
	defer encodeBuffers.Put(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("redact: encoding: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if utf8.Valid(b) && r.orDefault().clean(b) {
		return bytes.Clone(b), nil // one copy of the exact size
	}
	return r.reencode(b)
}

// encodeBuffers hold results while Marshal encodes and scans them.
var encodeBuffers bufpool.Pool

// reencode is Bytes' slow path: decode, redact, encode.
func (r *Redactor) reencode(b []byte) ([]byte, error) {
	var v any
	if err := decode(b, &v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.JSON(v)); err != nil {
		return nil, fmt.Errorf("redact: encoding redacted document: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decode reads exactly one JSON document with UseNumber. Errors carry an
// offset at most, because decoder messages can quote input bytes.
func decode(b []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("redact: invalid JSON at offset %d", se.Offset)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("redact: invalid JSON: unexpected end of input")
		}
		return errors.New("redact: invalid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("redact: invalid JSON: data after the document")
	}
	return nil
}
