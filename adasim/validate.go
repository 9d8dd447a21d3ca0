package adasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxBodyBytes is Ada's maximum request body (ada-api.md section 0, Limits page): 10 MB → 413.
const maxBodyBytes = 10 << 20

// Metadata limits (KB taken as 1024 bytes of the JSON-encoded object: an assumption).
const (
	endUserMetadataMaxBytes = 10 << 10 // raised from 4 KB on 2026-05-19; over it is 400, not 413
	otherMetadataMaxBytes   = 4 << 10  // conversation and channel metadata
	maxSensitivePairs       = 20
	maxExternalIDLength     = 36
)

// jsonObject is a request object whose fields are kept raw, so that an absent field, a null
// and a value can be told apart (null means "clear" in Ada's PATCH requests).
type jsonObject map[string]json.RawMessage

// readBody reads the request body, at most maxBodyBytes (413 beyond).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, contentTooLarge()
		}
		return nil, badRequest("The request body could not be read.")
	}
	return data, nil
}

// parseObject parses a request body that must be a JSON object. An empty body is an empty
// object when allowEmpty, else 400.
func parseObject(data []byte, allowEmpty bool) (jsonObject, *apiError) {
	if len(bytes.TrimSpace(data)) == 0 {
		if allowEmpty {
			return jsonObject{}, nil
		}
		return nil, badRequest("The request body is required and must be a JSON object.")
	}
	var obj jsonObject
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, badRequest("The request body is not a valid JSON object.")
	}
	return obj, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// optional is a request field that may be absent, null, or a value.
type optional[T any] struct {
	present bool
	null    bool
	value   T
}

// objectField returns the field as an object: (nil, false) when absent or null.
func (o jsonObject) objectField(key, path string) (jsonObject, bool, *apiError) {
	raw, ok := o[key]
	if !ok || isNull(raw) {
		return nil, ok, nil
	}
	var obj jsonObject
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, true, invalidField(path, "%s must be an object.", path)
	}
	return obj, true, nil
}

// stringField decodes a string|null field.
func (o jsonObject) stringField(key, path string) (optional[string], *apiError) {
	raw, ok := o[key]
	if !ok {
		return optional[string]{}, nil
	}
	if isNull(raw) {
		return optional[string]{present: true, null: true}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return optional[string]{}, invalidField(path, "%s must be a string or null.", path)
	}
	return optional[string]{present: true, value: s}, nil
}

// requiredString decodes a field that must be present as a string.
func (o jsonObject) requiredString(key, path string) (string, *apiError) {
	v, err := o.stringField(key, path)
	if err != nil {
		return "", err
	}
	if !v.present || v.null {
		return "", invalidField(path, "%s is required.", path)
	}
	return v.value, nil
}

// decodeScalar decodes one metadata value: a string, a boolean, an integer (int64), a
// non-integer number (float64) or null (nil).
func decodeScalar(raw json.RawMessage) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	switch v := v.(type) {
	case nil, string, bool:
		return v, true
	case json.Number:
		if !strings.ContainsAny(v.String(), ".eE") {
			if i, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
				return i, true
			}
		}
		f, err := v.Float64()
		return f, err == nil
	}
	return nil, false // object or array
}

// metadataRules are what a metadata object accepts.
type metadataRules struct {
	allowFloat bool // conversation and channel metadata accept numbers; end-user metadata only integers
	allowNull  bool // on PATCH a null value deletes the key
}

func (m metadataRules) allowedTypes() string {
	if m.allowFloat {
		return "strings, booleans, integers or numbers"
	}
	return "strings, booleans or integers"
}

// decodeMetadata decodes a metadata object. Null values (when allowed) are kept as nil: the
// caller deletes those keys.
func decodeMetadata(raw json.RawMessage, path string, rules metadataRules) (map[string]any, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, invalidField(path, "%s must be an object.", path)
	}
	out := make(map[string]any, len(fields))
	for key, rawValue := range fields {
		v, ok := decodeScalar(rawValue)
		_, isFloat := v.(float64)
		if !ok || (isFloat && !rules.allowFloat) || (v == nil && !rules.allowNull) {
			return nil, invalidField(path+"."+key, "%s values may only be %s.", path, rules.allowedTypes())
		}
		out[key] = v
	}
	return out, nil
}

// mergeMetadata applies a decoded update to a copy of current: values set keys, nil deletes.
func mergeMetadata(current, update map[string]any) map[string]any {
	out := make(map[string]any, len(current)+len(update))
	for k, v := range current {
		out[k] = v
	}
	for k, v := range update {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// metadataSize is the size of metadata as Ada measures it: its JSON encoding (an assumption),
// without HTML escapes ("<" is one byte, not the six of \u003c).
func metadataSize(m map[string]any) int {
	data, _ := marshalRaw(m)
	return len(data)
}

func checkMetadataSize(m map[string]any, path string, maxBytes int) *apiError {
	if metadataSize(m) > maxBytes {
		return invalidField(path, "Metadata exceeds the maximum size of %d KB.", maxBytes>>10)
	}
	return nil
}

// validateExternalID applies Ada's rules: 1-36 characters, no < or > (ada-api.md section 1).
func validateExternalID(v, path string) *apiError {
	switch {
	case v == "":
		return invalidField(path, "%s must not be empty.", path)
	case utf8.RuneCountInString(v) > maxExternalIDLength:
		return invalidField(path, "%s must be at most %d characters.", path, maxExternalIDLength)
	case strings.ContainsAny(v, "<>"):
		return invalidField(path, "%s must not contain < or >.", path)
	}
	return nil
}

// externalIDKey is how external ids are matched: case-insensitively.
func externalIDKey(v string) string { return strings.ToLower(v) }

var sensitiveKeyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]+$`) })

// decodeSensitiveFields decodes sensitive_metadata {fields: {...}}: keys [A-Za-z0-9_-]+,
// values non-empty strings, booleans, integers or null (nil), at most 20 pairs per request.
func decodeSensitiveFields(obj jsonObject, path string) (map[string]any, *apiError) {
	raw, ok := obj["fields"]
	if !ok || isNull(raw) {
		return nil, invalidField(path+".fields", "%s.fields is required.", path)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, invalidField(path+".fields", "%s.fields must be an object.", path)
	}
	if len(fields) > maxSensitivePairs {
		return nil, invalidField(path+".fields", "%s.fields may hold at most %d key-value pairs per request.", path, maxSensitivePairs)
	}
	out := make(map[string]any, len(fields))
	for key, rawValue := range fields {
		field := path + ".fields." + key
		if !sensitiveKeyPattern().MatchString(key) {
			return nil, invalidField(path+".fields", "%s.fields keys must match [A-Za-z0-9_-]+.", path)
		}
		v, ok := decodeScalar(rawValue)
		_, isFloat := v.(float64)
		if !ok || isFloat || v == "" {
			// The value is never echoed: it may be a secret.
			return nil, invalidField(field, "%s.fields values must be non-empty strings, booleans, integers or null.", path)
		}
		out[key] = v
	}
	return out, nil
}
