package schemagen

import (
	"encoding/json"
	"reflect"
	"sync"

	"github.com/ada-mcp/ada-mcp/schemas"
)

var boundedCache sync.Map // reflect.Type -> json.RawMessage

// Bounded is the schema arguments of type t are checked against: For with
// schemas.DefaultMaxStringLength, DefaultMaxItems and DefaultMaxProperties
// added wherever a string, array or map has no bound, and
// MaxMapValueLength on a map's string values.
func Bounded(t reflect.Type) json.RawMessage {
	return cached(&boundedCache, t, func() json.RawMessage {
		root := tree(t)
		bound(root, schemas.DefaultMaxStringLength)
		return encode(t, root)
	})
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
		setDefault("maxItems", schemas.DefaultMaxItems)
	}
	if props, ok := n["properties"].(map[string]any); ok {
		for _, p := range props {
			if m, ok := p.(map[string]any); ok {
				bound(m, schemas.DefaultMaxStringLength)
			}
		}
	}
	if items, ok := n["items"].(map[string]any); ok {
		bound(items, schemas.DefaultMaxStringLength)
		// An item object with no required key could be {}: three bytes
		// that decode into a struct of a hundred. None of our arguments
		// means anything by an empty one.
		if _, ok := items["properties"]; ok && items["required"] == nil && items["minProperties"] == nil {
			items["minProperties"] = 1
		}
	}
	if values, ok := n["additionalProperties"].(map[string]any); ok {
		setDefault("maxProperties", schemas.DefaultMaxProperties)
		bound(values, schemas.MaxMapValueLength)
	}
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
