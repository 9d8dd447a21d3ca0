// Package schemas holds the argument and result structs of every tool and
// generates their JSON schemas, once, from the Go types with one shared
// invopop/jsonschema Reflector.
//
// Schemas are written for what MCP hosts and LLM providers accept: no
// boolean subschemas (a bare `true` makes TypeScript hosts drop every tool),
// no $ref/$defs, `additionalProperties: false` on every object, optional
// fields instead of nullable ones except where Ada gives null a meaning (and
// then `anyOf` with {"type":"null"}, not a type array).
package schemas

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

var reflector = &jsonschema.Reflector{
	DoNotReference:             true,
	ExpandedStruct:             true,
	Anonymous:                  true,
	RequiredFromJSONSchemaTags: true,
	AllowAdditionalProperties:  false,
}

// The mapper reflects types of its own (a nullable rule), so it is set here
// rather than in the reflector's literal, which would be a cycle.
func init() { reflector.Mapper = mapType }

var (
	nullableString = reflect.TypeFor[adaclient.Nullable[string]]()
	metadataType   = reflect.TypeFor[Metadata]()
	patchType      = reflect.TypeFor[MetadataPatch]()
	sensitiveType  = reflect.TypeFor[SensitiveMetadata]()
	anyType        = reflect.TypeFor[any]()
	anyObjectType  = reflect.TypeFor[AnyObject]()
	ruleValueType  = reflect.TypeFor[RuleValue]()
	nullableRule   = reflect.TypeFor[adaclient.Nullable[AvailabilityRule]]()
)

func scalar(types ...string) *jsonschema.Schema {
	s := &jsonschema.Schema{}
	for _, t := range types {
		s.AnyOf = append(s.AnyOf, &jsonschema.Schema{Type: t})
	}
	return s
}

func mapOf(values *jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "object", AdditionalProperties: values}
}

// mapType gives the types whose reflection would be wrong or unportable an
// explicit schema.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case nullableString:
		return scalar("string", "null")
	case metadataType:
		return mapOf(scalar("string", "number", "boolean"))
	case patchType:
		return mapOf(scalar("string", "number", "boolean", "null"))
	case sensitiveType:
		return mapOf(scalar("string", "integer", "boolean", "null"))
	case anyObjectType:
		// A value schema with no type accepts any JSON; the description keeps
		// it from being the empty schema, which would encode as `true`.
		return mapOf(&jsonschema.Schema{Description: "Any JSON value."})
	case ruleValueType:
		return scalar("string", "number", "boolean")
	case nullableRule:
		rule := reflector.ReflectFromType(reflect.TypeFor[AvailabilityRule]())
		rule.Version = ""
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{rule, {Type: "null"}}}
	case anyType:
		// Never emit the boolean schema `true`.
		return &jsonschema.Schema{Type: "object"}
	}
	return nil
}

var cache sync.Map // reflect.Type -> json.RawMessage

// For returns the JSON schema of T, reflected once and cached. It panics if
// T cannot be reflected: schemas are fixed at build time, and a broken one
// must fail the tests, not a client.
func For[T any]() json.RawMessage { return forType(reflect.TypeFor[T]()) }

func forType(t reflect.Type) json.RawMessage {
	if v, ok := cache.Load(t); ok {
		return v.(json.RawMessage)
	}
	s := reflector.ReflectFromType(t)
	s.Version = "" // "$schema" costs tokens in every tools/list and adds nothing
	hoistTypedKeywords(s)
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("schemas: %v: %v", t, err))
	}
	v, _ := cache.LoadOrStore(t, json.RawMessage(b))
	return v.(json.RawMessage)
}

// What a tool publishes costs tokens in every client's context, so the
// schemas in tools/list are leaner than the ones arguments are checked
// against (For):
//
//   - Input keeps the whole input schema but says additionalProperties:
//     false only at its root; nested objects are just as strict when the
//     arguments are checked, which names the unknown key.
//   - Output describes the structured result to two levels: the top-level
//     fields, and the fields of objects and array items directly under
//     them; deeper values only by type. No descriptions, no
//     additionalProperties, required only at the root. A host validating
//     structuredContent against it (the TypeScript SDK does) finds every
//     result valid.

// Input returns the published input schema of T.
func Input[T any]() json.RawMessage { return published(reflect.TypeFor[T](), "in") }

// Output returns the published output schema of T.
func Output[T any]() json.RawMessage { return published(reflect.TypeFor[T](), "out") }

// OutputDepth is how many levels of fields an output schema names.
const OutputDepth = 2

type publishedKey struct {
	t    reflect.Type
	kind string
}

var publishedCache sync.Map // publishedKey -> json.RawMessage

// published is a published schema: generated at build time
// (published_gen.go: reflecting every tool's schemas was most of a cold
// start), else reflected now. A test in tools keeps the two equal.
func published(t reflect.Type, kind string) json.RawMessage {
	key := publishedKey{t, kind}
	if v, ok := publishedCache.Load(key); ok {
		return v.(json.RawMessage)
	}
	b, ok := generatedSchemas[GeneratedKey(t, kind)]
	if !ok {
		b = string(Reflected(t, kind))
	}
	v, _ := publishedCache.LoadOrStore(key, json.RawMessage(b))
	return v.(json.RawMessage)
}

// GeneratedKey names a published schema in published_gen.go: "in" or
// "out", and the type.
func GeneratedKey(t reflect.Type, kind string) string { return kind + " " + t.String() }

// Reflected is the published schema of t ("in" or "out") reflected from
// the Go type, never the generated one.
func Reflected(t reflect.Type, kind string) json.RawMessage {
	var root map[string]any
	if err := json.Unmarshal(forType(t), &root); err != nil {
		panic(fmt.Sprintf("schemas: %v: %v", t, err))
	}
	var lean any
	switch kind {
	case "in":
		lean = leanInput(root, true)
	case "out":
		lean = leanOutput(root, 0)
	default:
		panic("schemas: a published schema is in or out, not " + kind)
	}
	b, err := json.Marshal(lean)
	if err != nil {
		panic(fmt.Sprintf("schemas: %v: %v", t, err))
	}
	return b
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
