// Package schemagen reflects the JSON schemas of the tools' argument and
// result structs (package schemas) from the Go types, with one shared
// invopop/jsonschema Reflector. The server does not link it: the schemas it
// serves were generated with it at build time (schemas/published_gen.go and
// bounded_gen.go, written by a test in tools that also keeps them equal to
// the reflection). Reflecting at run time was most of a cold start, and the
// reflector brought the Go parser and a YAML library into the server.
//
// What the schemas must be (portable to every MCP host) is said in package
// schemas.
package schemagen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
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
	metadataType   = reflect.TypeFor[schemas.Metadata]()
	endUserMeta    = reflect.TypeFor[schemas.EndUserMetadata]()
	patchType      = reflect.TypeFor[schemas.MetadataPatch]()
	sensitiveType  = reflect.TypeFor[schemas.SensitiveMetadata]()
	anyType        = reflect.TypeFor[any]()
	anyObjectType  = reflect.TypeFor[schemas.AnyObject]()
	ruleValueType  = reflect.TypeFor[schemas.RuleValue]()
	nullableRule   = reflect.TypeFor[adaclient.Nullable[schemas.AvailabilityRule]]()
	nullableObject = reflect.TypeFor[adaclient.Nullable[schemas.AnyObject]]()
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
	case endUserMeta:
		return mapOf(scalar("string", "integer", "boolean"))
	case patchType:
		return mapOf(scalar("string", "number", "boolean", "null"))
	case sensitiveType:
		return mapOf(scalar("string", "integer", "boolean", "null"))
	case anyObjectType:
		// A value schema with no type accepts any JSON; the description keeps
		// it from being the empty schema, which would encode as `true`.
		return mapOf(&jsonschema.Schema{Description: "Any JSON value."})
	case nullableObject:
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{mapType(anyObjectType), {Type: "null"}}}
	case ruleValueType:
		return scalar("string", "number", "boolean")
	case nullableRule:
		rule := reflector.ReflectFromType(reflect.TypeFor[schemas.AvailabilityRule]())
		rule.Version = ""
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{rule, {Type: "null"}}}
	case anyType:
		// Never emit the boolean schema `true`.
		return &jsonschema.Schema{Type: "object"}
	}
	return nil
}

// nullableBounds bound nullable strings of argument structs, which a struct
// tag cannot: their schema is an anyOf (string or null), on which the
// reflector ignores maxLength. Only for structs reflected as a whole (a
// tool's arguments), not nested ones.
var nullableBounds = map[reflect.Type]map[string]uint64{
	reflect.TypeFor[schemas.UpdatePersonaArgs]():           {"company_description": schemas.MaxInstructionLength},
	reflect.TypeFor[schemas.UpdateCustomInstructionArgs](): {"availability_rules": schemas.MaxRuleLength},
}

var cache sync.Map // reflect.Type -> json.RawMessage

// For returns the JSON schema of t, reflected once and cached: the strict
// one, from which the published (Published) and the checked (Bounded)
// schemas are made. It panics if t cannot be reflected: a broken schema
// must fail the tests, not a client.
func For(t reflect.Type) json.RawMessage {
	return cached(&cache, t, func() json.RawMessage {
		s := reflector.ReflectFromType(t)
		s.Version = "" // "$schema" costs tokens in every tools/list and adds nothing
		for property, max := range nullableBounds[t] {
			boundNullable(s, property, max)
		}
		hoistTypedKeywords(s)
		return encode(t, s)
	})
}

// cached is m's schema of t, made by build the first time.
func cached(m *sync.Map, t reflect.Type, build func() json.RawMessage) json.RawMessage {
	if v, ok := m.Load(t); ok {
		return v.(json.RawMessage)
	}
	v, _ := m.LoadOrStore(t, build())
	return v.(json.RawMessage)
}

// tree is For(t) decoded, for a schema made from it to reshape.
func tree(t reflect.Type) map[string]any {
	var root map[string]any
	if err := json.Unmarshal(For(t), &root); err != nil {
		panic(fmt.Sprintf("schemagen: %v: %v", t, err))
	}
	return root
}

// encode is a schema of t as JSON.
func encode(t reflect.Type, schema any) json.RawMessage {
	b, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("schemagen: %v: %v", t, err))
	}
	return b
}

// boundNullable sets maxLength on a nullable string property: on the anyOf
// itself, from where hoistTypedKeywords moves it to the string branch (a
// null has no length).
func boundNullable(s *jsonschema.Schema, property string, max uint64) {
	p, ok := s.Properties.Get(property)
	if !ok {
		panic("schemagen: no property " + property)
	}
	p.MaxLength = &max
}

// Schema is the schema of t of a kind, as schemas.Generated names them:
// Published for "in" and "out", Bounded for "bounded".
func Schema(t reflect.Type, kind string) json.RawMessage {
	if kind == schemas.KindBounded {
		return Bounded(t)
	}
	return Published(t, kind)
}
