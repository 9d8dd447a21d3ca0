package schemas

import (
	"encoding/json"
	"math"
	"sort"

	"github.com/ada-mcp/ada-mcp/redact"
)

// Bounding the free-form values Ada returns (export records, end-user metadata in lists), so
// that no result grows with what someone stored in Ada.

// cutText cuts s to n runes between words, marking the cut: results are
// redacted after this, and half a secret would not be recognised.
func cutText(s string, n int) (string, bool) { return redact.Cut(s, n) }

// boundMap flattens an object for a result: strings (cut to valueRunes), numbers and
// booleans as they are, anything else as its JSON text (cut), keys in order until mapBytes.
// Not an object: nil.
func boundMap(v any, valueRunes, mapBytes int) (Metadata, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out, size, cut := Metadata{}, 2, false
	for _, k := range keys {
		var value any
		switch x := m[k].(type) {
		case nil:
			continue
		case string:
			value, cut = cutOr(x, valueRunes, cut)
		case bool, json.Number:
			value = x
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				continue
			}
			value = x
		default:
			b, _ := json.Marshal(x)
			value, cut = cutOr(string(b), valueRunes, cut)
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(value)
		if size+len(kb)+len(vb)+2 > mapBytes {
			return out, true
		}
		size += len(kb) + len(vb) + 2
		out[k] = value
	}
	return out, cut
}

// boundListedMetadata is one record's metadata as a list tool shows it: whole up to
// maxListedMetadataBytes, else cut (long values, then the last keys); cut reports a cut.
func boundListedMetadata(m Metadata) (bounded Metadata, cut bool) {
	if b, err := json.Marshal(m); err == nil && len(b) <= maxListedMetadataBytes {
		return m, false
	}
	bounded, _ = boundMap(map[string]any(m), maxListedMetadataValueRunes, maxListedMetadataBytes)
	return bounded, true
}

func cutOr(s string, n int, cut bool) (string, bool) {
	out, c := cutText(s, n)
	return out, cut || c
}
