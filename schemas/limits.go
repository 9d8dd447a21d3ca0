package schemas

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// Every string, array and map argument has a bound, so that no argument
// costs the server more than its size: the one Ada documents where it does
// (a struct tag, published in the tool's schema), else a generous one that
// Bounded adds to the schema arguments are checked against (not published:
// it would cost tokens in every tools/list and tell the assistant
// nothing it needs).
const (
	// DefaultMaxStringLength bounds a string argument without a bound of
	// its own: ids, names, emails, URLs, dates, cursors, file paths.
	DefaultMaxStringLength = 4096
	// DefaultMaxItems bounds an array: Ada's largest documented count
	// (identifiers of one erasure, conditions of one availability rule).
	DefaultMaxItems = 1000
	// DefaultMaxProperties bounds a map (metadata and the like): more keys
	// than Ada's largest metadata (10 KB) can hold.
	DefaultMaxProperties = 2000
	// MaxMapValueLength bounds a string value in a map: Ada's largest
	// metadata, in all, is 10 KB.
	MaxMapValueLength = adaclient.MaxEndUserMetadataBytes
)

// Bounds of free text, longer than the default. Ada documents those of an
// email's text (10 KB) and of an article (100 KB); the others are generous.
const (
	MaxMessageLength     = 32768    // send_message body, ask_ai_agent question
	MaxInstructionLength = 32768    // custom instruction text and notes, persona description
	MaxRuleLength        = 16384    // a custom instruction's availability rule expression
	MaxEmailTextLength   = 10240    // Ada: 10 KB (in bytes, which Validate checks)
	MaxArticleLength     = 102400   // Ada: an article is at most 100 KB (in bytes, checked as JSON)
	MaxContentBase64     = 72 << 20 // 50 MB in base64 (69,905,068 characters) with room for line breaks
)

var boundedCache sync.Map // reflect.Type -> json.RawMessage

// Bounded returns the schema arguments of type T are checked against: For
// with DefaultMaxStringLength, DefaultMaxItems and DefaultMaxProperties
// added wherever a string, array or map has no bound, and
// MaxMapValueLength on a map's string values.
func Bounded[T any]() json.RawMessage {
	t := reflect.TypeFor[T]()
	if v, ok := boundedCache.Load(t); ok {
		return v.(json.RawMessage)
	}
	var root map[string]any
	if err := json.Unmarshal(forType(t), &root); err != nil {
		panic(fmt.Sprintf("schemas: %v: %v", t, err))
	}
	bound(root, DefaultMaxStringLength)
	b, err := json.Marshal(root)
	if err != nil {
		panic(fmt.Sprintf("schemas: %v: %v", t, err))
	}
	v, _ := boundedCache.LoadOrStore(t, json.RawMessage(b))
	return v.(json.RawMessage)
}

// bound adds the default bounds to a schema node and everything under it;
// maxString is the bound of a string here (a map value's is longer), 0 when
// the node above has one already (the anyOf of a nullable string, say).
func bound(n map[string]any, maxString int) {
	setDefault := func(key string, v int) {
		if _, ok := n[key]; !ok && v > 0 {
			n[key] = v
		}
	}
	branchString := maxString
	if _, ok := n["maxLength"]; ok {
		branchString = 0
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		if branches, ok := n[k].([]any); ok {
			for _, b := range branches {
				if m, ok := b.(map[string]any); ok {
					bound(m, branchString)
				}
			}
		}
	}
	mergeTypes(n)
	switch n["type"] {
	case "string":
		if _, isEnum := n["enum"]; !isEnum {
			setDefault("maxLength", maxString)
		}
	case "array":
		setDefault("maxItems", DefaultMaxItems)
	}
	if props, ok := n["properties"].(map[string]any); ok {
		for _, p := range props {
			if m, ok := p.(map[string]any); ok {
				bound(m, DefaultMaxStringLength)
			}
		}
	}
	if items, ok := n["items"].(map[string]any); ok {
		bound(items, DefaultMaxStringLength)
		// An item object with no required key could be {}: three bytes
		// that decode into a struct of a hundred. None of our arguments
		// means anything by an empty one.
		if _, ok := items["properties"]; ok && items["required"] == nil && items["minProperties"] == nil {
			items["minProperties"] = 1
		}
	}
	if values, ok := n["additionalProperties"].(map[string]any); ok {
		setDefault("maxProperties", DefaultMaxProperties)
		bound(values, MaxMapValueLength)
	}
}

// boundNullable sets maxLength on a nullable string property: on the anyOf
// itself, where it bounds the string branch (a null has no length).
func boundNullable(s *jsonschema.Schema, property string, max uint64) {
	p, ok := s.Properties.Get(property)
	if !ok {
		panic("schemas: no property " + property)
	}
	p.MaxLength = &max
}

// mergeTypes turns an anyOf of bare types ({"type":"string"} or null,
// numbers, booleans, a string with maxLength) into one type list: the same
// rule, which the validator checks without building an error for every
// branch a valid value does not take (for every metadata value, say). Only
// the checked schema has it: published schemas avoid type lists.
func mergeTypes(n map[string]any) {
	branches, ok := n["anyOf"].([]any)
	if !ok || n["type"] != nil {
		return
	}
	types := make([]any, 0, len(branches))
	var maxLength any
	for _, b := range branches {
		m, ok := b.(map[string]any)
		if !ok {
			return
		}
		t, ok := m["type"].(string)
		if !ok || t == "object" || t == "array" {
			return
		}
		for k, v := range m {
			switch {
			case k == "type":
			case k == "maxLength" && t == "string":
				maxLength = v
			default:
				return
			}
		}
		types = append(types, t)
	}
	delete(n, "anyOf")
	n["type"] = types
	if _, ok := n["maxLength"]; !ok && maxLength != nil {
		n["maxLength"] = maxLength
	}
}
