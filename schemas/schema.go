// Package schemas holds the argument and result structs of every tool and
// the JSON schemas the server serves for them. The schemas are reflected
// from the Go types at build time (internal/schemagen, into
// published_gen.go and bounded_gen.go; UPDATE_SNAPSHOTS=1 go test ./tools
// rewrites both): reflecting them at run time was most of a cold start, and
// the reflector brought the Go parser and a YAML library into the server.
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
	"sort"
	"sync"
)

// The kinds of schema generated for a Go type.
const (
	// KindInput is a tool's published input schema: the whole strict
	// schema, but closed (additionalProperties: false) only at its root.
	KindInput = "in"
	// KindOutput is a tool's published output schema: its result's fields
	// to two levels, only by type, without descriptions.
	KindOutput = "out"
	// KindBounded is the schema a tool's arguments are checked against:
	// strict at every level, with a bound on every string, array and map
	// (see DefaultMaxStringLength). Not published: it would cost tokens in
	// every tools/list and tell the assistant nothing it needs.
	KindBounded = "bounded"
)

// Input returns the published input schema of T.
func Input[T any]() json.RawMessage { return schemaOf(reflect.TypeFor[T](), KindInput) }

// Output returns the published output schema of T.
func Output[T any]() json.RawMessage { return schemaOf(reflect.TypeFor[T](), KindOutput) }

// Bounded returns the schema arguments of type T are checked against.
func Bounded[T any]() json.RawMessage { return schemaOf(reflect.TypeFor[T](), KindBounded) }

// generated is one generated schema: its GeneratedKey and the schema. The
// tables are sorted arrays of constants, which take no work at start.
type generated struct{ key, schema string }

// GeneratedKey names a generated schema: its kind, and the type.
func GeneratedKey(t reflect.Type, kind string) string { return kind + " " + t.String() }

// Generated returns the generated schema of t of a kind, if there is one.
func Generated(t reflect.Type, kind string) (string, bool) {
	table := publishedSchemas[:]
	if kind == KindBounded {
		table = boundedSchemas[:]
	}
	key := GeneratedKey(t, kind)
	i := sort.Search(len(table), func(i int) bool { return table[i].key >= key })
	if i < len(table) && table[i].key == key {
		return table[i].schema, true
	}
	return "", false
}

// reflectSchema, when set, makes every schema instead of the generated
// tables; see ReflectWith.
var reflectSchema func(t reflect.Type, kind string) json.RawMessage

// ReflectWith makes every schema with reflect (schemagen.Schema) instead of
// taking it from the generated tables, so that the tests that generate
// them can build a tool whose schemas are new or changed. Call it before
// any schema is asked for. The server never does: it links no reflector.
func ReflectWith(reflect func(t reflect.Type, kind string) json.RawMessage) {
	reflectSchema = reflect
}

type cacheKey struct {
	t    reflect.Type
	kind string
}

var cache sync.Map // cacheKey -> json.RawMessage

// schemaOf is the generated schema of t of a kind, converted once. A type
// without one is a bug that every test building its tool finds: the
// message says how to generate it.
func schemaOf(t reflect.Type, kind string) json.RawMessage {
	key := cacheKey{t, kind}
	if v, ok := cache.Load(key); ok {
		return v.(json.RawMessage)
	}
	var b json.RawMessage
	if reflectSchema != nil {
		b = reflectSchema(t, kind)
	} else if s, ok := Generated(t, kind); ok {
		b = json.RawMessage(s)
	} else {
		panic(fmt.Sprintf("schemas: no generated %s schema of %v: run UPDATE_SNAPSHOTS=1 go test ./tools -run TestPublishedSchemasAreGenerated", kind, t))
	}
	v, _ := cache.LoadOrStore(key, b)
	return v.(json.RawMessage)
}
