package tools

import (
	"cmp"
	"encoding/json"
	"strings"
	"testing"
)

// Every string, array and map a tool takes has a bound in the schema its
// arguments are checked against (schemas.Bounded), so no argument costs
// more than its bound. Values of any JSON (knowledge metadata) are bounded
// by depth and by the request instead.
func TestEveryArgumentIsBounded(t *testing.T) {
	all, err := Select(Toolsets(&Deps{}), []string{"all"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range all {
		if err := tool.Check(); err != nil { // validators compile at first use
			t.Fatalf("%s: %v", tool.Name(), err)
		}
		c, ok := decoders.Load(tool.Name())
		if !ok {
			t.Fatalf("%s: no decoder", tool.Name())
		}
		var doc map[string]any
		if err := json.Unmarshal(c.(*cachedDecoder).schema, &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range unbounded(doc, "", false) {
			t.Errorf("%s: %s has no bound", tool.Name(), p)
		}
	}
}

// unbounded lists the unbounded strings, arrays and maps under node;
// boundedString says a maxLength above (on an anyOf) covers its strings.
func unbounded(node map[string]any, path string, boundedString bool) []string {
	var out []string
	_, hasLen := node["maxLength"]
	boundedString = boundedString || hasLen
	if branches, ok := node["anyOf"].([]any); ok {
		for _, b := range branches {
			out = append(out, unbounded(b.(map[string]any), path, boundedString)...)
		}
	}
	types := map[string]bool{}
	switch ty := node["type"].(type) {
	case string:
		types[ty] = true
	case []any:
		for _, x := range ty {
			types[x.(string)] = true
		}
	}
	_, isEnum := node["enum"]
	if types["string"] && !boundedString && !isEnum {
		out = append(out, "string "+cmp.Or(path, "arguments"))
	}
	if _, ok := node["maxItems"]; types["array"] && !ok {
		out = append(out, "array "+cmp.Or(path, "arguments"))
	}
	if items, ok := node["items"].(map[string]any); ok {
		out = append(out, unbounded(items, path+"[]", false)...)
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for k, p := range props {
			out = append(out, unbounded(p.(map[string]any), strings.TrimPrefix(path+"."+k, "."), false)...)
		}
	}
	if values, ok := node["additionalProperties"].(map[string]any); ok {
		if _, ok := node["maxProperties"]; !ok {
			out = append(out, "map "+cmp.Or(path, "arguments"))
		}
		out = append(out, unbounded(values, path+".*", false)...)
	}
	return out
}
