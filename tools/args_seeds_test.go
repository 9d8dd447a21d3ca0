package tools_test

import (
	"encoding/json"
	"sort"

	"github.com/ada-mcp/ada-mcp/tools"
)

// schemaSeeds are starting points for FuzzArgs made from a tool's input
// schema: no arguments, the required ones, and every one, each with a
// plausible value of its type, so the fuzzer starts near what a tool
// accepts (whether Validate does is left to it).
func schemaSeeds(tool tools.Tool) [][]byte {
	var s map[string]any
	if err := json.Unmarshal(tool.Definition.RawInputSchema, &s); err != nil {
		return [][]byte{[]byte(`{}`)}
	}
	props, _ := s["properties"].(map[string]any)
	required := map[string]bool{}
	for _, r := range asList(s["required"]) {
		if name, ok := r.(string); ok {
			required[name] = true
		}
	}
	need, every := map[string]any{}, map[string]any{}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := example(props[k], 0)
		every[k] = v
		if required[k] {
			need[k] = v
		}
	}
	var out [][]byte
	for _, v := range []any{map[string]any{}, need, every} {
		b, _ := json.Marshal(v)
		out = append(out, b)
	}
	return out
}

// example is a value a schema node accepts, roughly: the first enum value,
// the first non-null branch, a string in the format asked for.
func example(node any, depth int) any {
	n, _ := node.(map[string]any)
	if n == nil || depth > 6 {
		return "x"
	}
	if enum := asList(n["enum"]); len(enum) > 0 {
		return enum[0]
	}
	for _, b := range asList(n["anyOf"]) {
		if bm, _ := b.(map[string]any); bm["type"] != "null" {
			return example(b, depth+1)
		}
	}
	switch n["type"] {
	case "integer", "number":
		if m, ok := n["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return true
	case "array":
		return []any{example(n["items"], depth+1)}
	case "object":
		obj := map[string]any{}
		props, _ := n["properties"].(map[string]any)
		for _, r := range asList(n["required"]) {
			if name, ok := r.(string); ok {
				obj[name] = example(props[name], depth+1)
			}
		}
		return obj
	}
	switch n["format"] {
	case "date-time":
		return "2026-06-01T00:00:00Z"
	case "email":
		return "ana@example.com"
	case "uri":
		return "https://example.com/hook"
	}
	return "x1"
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
