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
func For[T any]() json.RawMessage {
	t := reflect.TypeFor[T]()
	if v, ok := cache.Load(t); ok {
		return v.(json.RawMessage)
	}
	s := reflector.ReflectFromType(t)
	s.Version = "" // "$schema" costs tokens in every tools/list and adds nothing
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("schemas: %v: %v", t, err))
	}
	v, _ := cache.LoadOrStore(t, json.RawMessage(b))
	return v.(json.RawMessage)
}
