package schemagen

import (
	"encoding/json"
	"reflect"

	"github.com/ada-mcp/ada-mcp/schemas"
)

// What a tool publishes costs tokens in every client's context, so the
// schemas in tools/list are leaner than the ones arguments are checked
// against (For, Bounded):
//
//   - The input schema ("in") is the whole strict schema, but says
//     additionalProperties: false only at its root; nested objects are
//     just as strict when the arguments are checked, which names the
//     unknown key.
//   - The output schema ("out") describes the structured result to two
//     levels: the top-level fields, and the fields of objects and array
//     items directly under them; deeper values only by type. No
//     descriptions, no additionalProperties, required only at the root. A
//     host validating structuredContent against it (the TypeScript SDK
//     does) finds every result valid.

// OutputDepth is how many levels of fields an output schema names.
const OutputDepth = 2

// Published is the published schema of t, "in" or "out", reflected from
// the Go type.
func Published(t reflect.Type, kind string) json.RawMessage {
	root := tree(t)
	switch kind {
	case schemas.KindInput:
		return encode(t, leanInput(root, true))
	case schemas.KindOutput:
		return encode(t, leanOutput(root, 0))
	}
	panic("schemagen: a published schema is in or out, not " + kind)
}

// leanInput drops additionalProperties: false below the root.
func leanInput(s map[string]any, root bool) map[string]any {
	out := make(map[string]any, len(s))
	for k, v := range s {
		switch {
		case k == "additionalProperties" && v == false && !root:
			continue
		case k == "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = leanAny(p, func(m map[string]any) any { return leanInput(m, false) })
			}
			out[k] = props
		default:
			out[k] = leanAny(v, func(m map[string]any) any { return leanInput(m, false) })
		}
	}
	return out
}

// leanOutput keeps types, nesting to OutputDepth, anyOf, and the root's
// required list.
func leanOutput(s map[string]any, depth int) map[string]any {
	out := map[string]any{}
	if t, ok := s["type"]; ok {
		out["type"] = t
	}
	if a, ok := s["anyOf"].([]any); ok {
		branches := make([]any, len(a))
		for i, b := range a {
			branches[i] = leanAny(b, func(m map[string]any) any { return leanOutput(m, depth) })
		}
		out["anyOf"] = branches
	}
	if r, ok := s["required"]; ok && depth == 0 {
		out["required"] = r
	}
	if depth >= OutputDepth {
		return out
	}
	if props, ok := s["properties"].(map[string]any); ok {
		lean := make(map[string]any, len(props))
		for name, p := range props {
			lean[name] = leanAny(p, func(m map[string]any) any { return leanOutput(m, depth+1) })
		}
		out["properties"] = lean
	}
	if items, ok := s["items"].(map[string]any); ok {
		// An array's items are the array's level, not one more.
		out["items"] = leanOutput(items, depth)
	}
	return out
}

func leanAny(v any, f func(map[string]any) any) any {
	switch t := v.(type) {
	case map[string]any:
		return f(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = leanAny(x, f)
		}
		return out
	}
	return v
}
