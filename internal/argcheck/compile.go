// Package argcheck checks a tool call's arguments against the tool's
// input schema as the bytes arrived, in one pass that decodes nothing: no
// map per object, no interface per value. A check costs time in
// proportion to the arguments' size and memory only for what it reports,
// however many small values they hold; a generic JSON Schema validator
// first decodes every value, hundreds of bytes each.
//
// Messages name the field and say what is allowed, for an assistant to fix
// its call. The package knows the keywords our schemas use
// (schemas.Bounded) and refuses to compile a schema with any other, so a
// schema that needs more fails a test, not a call.
package argcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// jsonType is a set of JSON types.
type jsonType uint8

const (
	tString jsonType = 1 << iota
	tInteger
	tNumber
	tBoolean
	tObject
	tArray
	tNull
)

// typeNames is in the order schemas name types (string before null).
var typeNames = [...]struct {
	t    jsonType
	name string
}{{tString, "string"}, {tInteger, "integer"}, {tNumber, "number"}, {tBoolean, "boolean"}, {tObject, "object"}, {tArray, "array"}, {tNull, "null"}}

func typeNamed(name string) (jsonType, bool) {
	for _, tn := range typeNames {
		if tn.name == name {
			return tn.t, true
		}
	}
	return 0, false
}

// accepts reports whether a value of type got (one type) is of one of
// t's; every type when t is empty. An integer is a number.
func (t jsonType) accepts(got jsonType) bool {
	return t == 0 || t&got != 0 || (got == tInteger && t&tNumber != 0)
}

// String names the types: "string or null".
func (t jsonType) String() string {
	var names []string
	for _, tn := range typeNames {
		if t&tn.t != 0 {
			names = append(names, tn.name)
		}
	}
	return strings.Join(names, " or ")
}

// limit is a numeric bound as the schema wrote it.
type limit struct {
	value float64
	text  string
}

// node is one compiled schema. A count bound of -1 is absent.
type node struct {
	types jsonType // 0: any type
	// anyOf's branches, each with this node's own keywords merged in,
	// told apart by JSON type (compile refuses two for the same type).
	anyOf []*node
	want  jsonType // the types anyOf's branches take, for its message

	props    map[string]prop
	valid    string   // the property names, sorted, for an unknown key's message
	required []string // bit i of an object's seen set is required[i]
	closed   bool     // additionalProperties: false
	values   *node    // additionalProperties as a schema
	items    *node

	enum     []string
	min, max *limit

	minLength, maxLength, minItems, maxItems, minProperties, maxProperties int
}

type prop struct {
	schema   *node
	required int // its index in required, or -1
}

// anyValue checks nothing but syntax and depth.
var anyValue = newNode()

func newNode() *node {
	return &node{minLength: -1, maxLength: -1, minItems: -1, maxItems: -1, minProperties: -1, maxProperties: -1}
}

// Schema is a compiled input schema.
type Schema struct{ root *node }

// ignored are keywords that say nothing about validity.
var ignored = map[string]bool{"description": true, "title": true, "default": true, "examples": true, "$schema": true, "$comment": true}

// Compile reads a JSON schema. The root must be an object schema.
func Compile(schema []byte) (*Schema, error) {
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("argcheck: %w", err)
	}
	root, err := compile(doc, "#")
	if err != nil {
		return nil, fmt.Errorf("argcheck: %w", err)
	}
	if root.types != tObject || len(root.anyOf) > 0 {
		return nil, fmt.Errorf("argcheck: the root must be an object schema")
	}
	return &Schema{root: root}, nil
}

func compile(v any, at string) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a schema must be an object, not %v", at, v)
	}
	n := newNode()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // errors in a fixed order
	for _, k := range keys {
		if err := n.set(k, m[k], at+"/"+k); err != nil {
			return nil, err
		}
	}
	if len(n.required) > 64 {
		return nil, fmt.Errorf("%s: more than 64 required properties", at)
	}
	for i, name := range n.required {
		p, ok := n.props[name]
		if !ok {
			p = prop{schema: n.values}
			if n.props == nil {
				n.props = map[string]prop{}
			}
		}
		p.required = i
		n.props[name] = p
	}
	if len(n.anyOf) > 0 {
		if n.types != 0 {
			return nil, fmt.Errorf("%s: type beside anyOf", at)
		}
		for i, b := range n.anyOf {
			if n.want&b.types != 0 || b.types == 0 {
				return nil, fmt.Errorf("%s: anyOf branch %d: branches must take different types", at, i)
			}
			n.want |= b.types
			n.anyOf[i] = merged(b, n)
		}
	}
	return n, nil
}

// set compiles one keyword of n.
func (n *node) set(k string, v any, at string) error {
	count := func() (int, error) {
		num, ok := v.(json.Number)
		i, err := num.Int64()
		if !ok || err != nil || i < 0 || i > math.MaxInt32 {
			return 0, fmt.Errorf("%s: want a count, got %v", at, v)
		}
		return int(i), nil
	}
	var err error
	switch k {
	case "type":
		switch x := v.(type) {
		case string:
			t, ok := typeNamed(x)
			if !ok {
				return fmt.Errorf("%s: unknown type %q", at, x)
			}
			n.types = t
		case []any:
			for _, e := range x {
				name, _ := e.(string)
				t, ok := typeNamed(name)
				if !ok {
					return fmt.Errorf("%s: unknown type %v", at, e)
				}
				n.types |= t
			}
		default:
			return fmt.Errorf("%s: want a type name or a list of them", at)
		}
	case "properties":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object", at)
		}
		n.props = make(map[string]prop, len(m))
		names := make([]string, 0, len(m))
		for name, s := range m {
			c, err := compile(s, at+"/"+name)
			if err != nil {
				return err
			}
			n.props[name] = prop{schema: c, required: -1}
			names = append(names, name)
		}
		sort.Strings(names)
		n.valid = strings.Join(names, ", ")
	case "required":
		var ok bool
		if n.required, ok = stringList(v); !ok {
			return fmt.Errorf("%s: want property names", at)
		}
	case "additionalProperties":
		switch x := v.(type) {
		case bool:
			n.closed = !x
		default:
			n.values, err = compile(x, at)
		}
	case "items":
		n.items, err = compile(v, at)
	case "anyOf":
		list, _ := v.([]any)
		if len(list) == 0 {
			return fmt.Errorf("%s: want a list of schemas", at)
		}
		for i, b := range list {
			c, err := compile(b, at+"/"+strconv.Itoa(i))
			if err != nil {
				return err
			}
			n.anyOf = append(n.anyOf, c)
		}
	case "enum":
		var ok bool
		if n.enum, ok = stringList(v); !ok {
			return fmt.Errorf("%s: only string enums are supported", at)
		}
		if len(n.enum) == 0 {
			return fmt.Errorf("%s: an empty enum", at)
		}
	case "minimum", "maximum":
		num, ok := v.(json.Number)
		f, err := num.Float64()
		if !ok || err != nil {
			return fmt.Errorf("%s: want a number", at)
		}
		l := &limit{value: f, text: num.String()}
		if k == "minimum" {
			n.min = l
		} else {
			n.max = l
		}
	case "minLength":
		n.minLength, err = count()
	case "maxLength":
		n.maxLength, err = count()
	case "minItems":
		n.minItems, err = count()
	case "maxItems":
		n.maxItems, err = count()
	case "minProperties":
		n.minProperties, err = count()
	case "maxProperties":
		n.maxProperties, err = count()
	default:
		if !ignored[k] {
			return fmt.Errorf("%s: keyword %q is not supported", at, k)
		}
	}
	return err
}

// stringList reads a JSON list of strings.
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, isString := e.(string)
		if !isString {
			return nil, false
		}
		out = append(out, s)
	}
	return out, ok
}

// merged is an anyOf branch with the keywords of the node holding the
// anyOf where the branch has none of its own (a nullable string's
// maxLength sits on the anyOf).
func merged(b, parent *node) *node {
	out := *b
	pick := func(own, inherited int) int {
		if own >= 0 {
			return own
		}
		return inherited
	}
	out.minLength = pick(b.minLength, parent.minLength)
	out.maxLength = pick(b.maxLength, parent.maxLength)
	out.minItems = pick(b.minItems, parent.minItems)
	out.maxItems = pick(b.maxItems, parent.maxItems)
	out.minProperties = pick(b.minProperties, parent.minProperties)
	out.maxProperties = pick(b.maxProperties, parent.maxProperties)
	if out.enum == nil {
		out.enum = parent.enum
	}
	if out.min == nil {
		out.min = parent.min
	}
	if out.max == nil {
		out.max = parent.max
	}
	return &out
}
