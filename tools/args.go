package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// argDecoder turns a tools/call's arguments into a tool's argument struct,
// strictly: an unknown key (matched case-sensitively, at any depth), a
// wrong type or a missing required field is an error that names the field
// and what is allowed. It first forgives the usual LLM slips that cannot
// change the meaning: "25" for an integer, "true" for a boolean, an object
// sent as a JSON string.
type argDecoder struct {
	doc    map[string]any // the input schema, for listing valid keys
	schema *jsonschema.Schema
}

var printer = message.NewPrinter(language.English)

// decoders caches compiled input schemas by tool name: a schema is fixed
// at build time, and compiling it (checking it against the metaschema)
// costs more than the rest of building a server, which the evaluation
// runner does for every run.
var decoders sync.Map // tool name → *cachedDecoder

type cachedDecoder struct {
	schema json.RawMessage
	dec    *argDecoder
}

// argDecoderFor returns the compiled decoder of a tool's input schema,
// compiling it the first time (or again if the schema ever differs).
func argDecoderFor(tool string, raw json.RawMessage) (*argDecoder, error) {
	if c, ok := decoders.Load(tool); ok && bytes.Equal(c.(*cachedDecoder).schema, raw) {
		return c.(*cachedDecoder).dec, nil
	}
	dec, err := newArgDecoder(tool, raw)
	if err != nil {
		return nil, err
	}
	decoders.Store(tool, &cachedDecoder{schema: raw, dec: dec})
	return dec, nil
}

func newArgDecoder(tool string, raw json.RawMessage) (*argDecoder, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("tool %s: input schema: %w", tool, err)
	}
	c := jsonschema.NewCompiler()
	url := "mem:///" + tool + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("tool %s: input schema: %w", tool, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("tool %s: input schema: %w", tool, err)
	}
	m, _ := doc.(map[string]any)
	return &argDecoder{doc: m, schema: s}, nil
}

// arguments returns a call's arguments as a JSON value. It prefers the
// bytes as sent, decoded with json.Number, so an integer above 2^53 (an
// account number in metadata, say) keeps every digit; mcp-go's own decoding
// turns numbers into float64. In-process callers that set only Arguments
// get those.
func arguments(params mcp.CallToolParams) (any, error) {
	if len(params.RawArguments) == 0 {
		return params.Arguments, nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(params.RawArguments))
	if err != nil {
		return nil, &schemas.ArgumentError{Field: "arguments", Reason: "must be a JSON object"}
	}
	return v, nil
}

// decode validates args (nil or a JSON object from arguments) and stores
// them in out, numbers as json.Number. raw, the arguments as sent, is
// decoded directly when nothing needed fixing.
func (d *argDecoder) decode(args any, raw json.RawMessage, out any) error {
	obj, ok := args.(map[string]any)
	switch {
	case args == nil:
		obj = map[string]any{}
	case !ok:
		return &schemas.ArgumentError{Field: "arguments", Reason: "must be a JSON object"}
	}
	fixed, changed := d.coerce(obj)
	if err := d.checkBounds(fixed); err != nil {
		return err
	}
	if err := d.schema.Validate(fixed); err != nil {
		return d.explain(err)
	}
	if args == nil || len(raw) == 0 || changed {
		var err error
		if raw, err = json.Marshal(fixed); err != nil {
			return &schemas.ArgumentError{Field: "arguments", Reason: err.Error()}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return &schemas.ArgumentError{Field: "arguments", Reason: err.Error()}
	}
	return nil
}

// coerce fixes top-level values whose JSON type is wrong in a harmless way
// and reports whether it fixed any. It never mutates args.
func (d *argDecoder) coerce(args map[string]any) (map[string]any, bool) {
	props, _ := d.doc["properties"].(map[string]any)
	var out map[string]any
	for k, v := range args {
		s, isString := v.(string)
		prop, _ := props[k].(map[string]any)
		if !isString || prop == nil {
			continue
		}
		var fixed any
		switch prop["type"] {
		case "integer":
			if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				fixed = float64(n)
			}
		case "number":
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				fixed = f
			}
		case "boolean":
			if b, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
				fixed = b
			}
		case "object":
			var m map[string]any
			if strings.HasPrefix(strings.TrimSpace(s), "{") && json.Unmarshal([]byte(s), &m) == nil {
				fixed = m
			}
		}
		if fixed == nil {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(args))
			for k2, v2 := range args {
				out[k2] = v2
			}
		}
		out[k] = fixed
	}
	if out == nil {
		return args, false
	}
	return out, true
}

// maxExplained is how many problems an error lists; the assistant fixes
// those and learns of the rest on its next try.
const maxExplained = 10

// explain turns a schema validation failure into one or more sentences an
// assistant can act on.
func (d *argDecoder) explain(err error) error {
	verr, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return &schemas.ArgumentError{Field: "arguments", Reason: err.Error()}
	}
	var msgs []string
	seen := map[string]bool{}
	var first string
	more := 0
	for _, leaf := range leaves(verr) {
		field, reason := d.describe(leaf)
		if first == "" {
			first = field
		}
		msg := field + ": " + reason
		switch {
		case seen[msg]:
		case len(msgs) == maxExplained:
			more++
		default:
			msgs = append(msgs, msg)
		}
		seen[msg] = true
	}
	if len(msgs) == 0 {
		return &schemas.ArgumentError{Field: "arguments", Reason: verr.Error()}
	}
	if more > 0 {
		msgs = append(msgs, printer.Sprintf("and %d more", more))
	}
	return &schemas.ArgumentError{Field: first, Reason: strings.TrimPrefix(strings.Join(msgs, "; "), first+": ")}
}

// checkBounds applies the schema's maxLength, maxItems and maxProperties,
// and jsonscan.MaxDepth, before the full validation: that one would report
// every item of an oversized array, each error costing far more than the
// item did. The first value over a bound, in key order, is the error.
func (d *argDecoder) checkBounds(args map[string]any) error {
	var b bounds
	return b.check(args, d.doc)
}

// bounds walks arguments with their schema; path is where it stands.
type bounds struct{ path []segment }

// segment is an array index (index ≥ 0) or a key (index -1).
type segment struct {
	key   string
	index int
}

func (b *bounds) check(v any, node map[string]any) error {
	// A nullable value's bound may sit on the anyOf or on its branch.
	at := node
	for _, n := range [2]map[string]any{node, branchOf(node, v)} {
		if n == nil {
			continue
		}
		if reason := overBound(n, v); reason != "" {
			return b.fail(reason)
		}
		if n["properties"] != nil || n["items"] != nil || n["additionalProperties"] != nil {
			at = n
		}
	}
	switch x := v.(type) {
	case []any:
		if len(b.path) >= jsonscan.MaxDepth {
			return b.fail(jsonscan.TooDeep)
		}
		items, _ := at["items"].(map[string]any)
		for i, item := range x {
			b.path = append(b.path, segment{index: i})
			if err := b.check(item, items); err != nil {
				return err
			}
			b.path = b.path[:len(b.path)-1]
		}
	case map[string]any:
		if len(b.path) >= jsonscan.MaxDepth {
			return b.fail(jsonscan.TooDeep)
		}
		props, _ := at["properties"].(map[string]any)
		values, _ := at["additionalProperties"].(map[string]any)
		closed := at["additionalProperties"] == false
		var buf [32]string
		keys := buf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child, _ := props[k].(map[string]any)
			if child == nil {
				if closed {
					continue // an unknown key: the validation names it
				}
				child = values
			}
			b.path = append(b.path, segment{key: k, index: -1})
			if err := b.check(x[k], child); err != nil {
				return err
			}
			b.path = b.path[:len(b.path)-1]
		}
	}
	return nil
}

func (b *bounds) fail(reason string) error {
	parts := make([]string, len(b.path))
	for i, s := range b.path {
		if s.index >= 0 {
			parts[i] = strconv.Itoa(s.index)
		} else {
			parts[i] = s.key
		}
	}
	return &schemas.ArgumentError{Field: orArgs(strings.Join(parts, ".")), Reason: reason}
}

// branchOf is the branch of node's anyOf that takes v's JSON type, if any.
func branchOf(node map[string]any, v any) map[string]any {
	branches, _ := node["anyOf"].([]any)
	want := ""
	switch v.(type) {
	case string:
		want = "string"
	case []any:
		want = "array"
	case map[string]any:
		want = "object"
	}
	for _, b := range branches {
		if m, ok := b.(map[string]any); ok && want != "" && m["type"] == want {
			return m
		}
	}
	return nil
}

// overBound says how v is over one of node's size bounds ("" if not).
func overBound(node map[string]any, v any) string {
	bound := func(key string) (int, bool) {
		n, ok := node[key].(json.Number)
		if !ok {
			return 0, false
		}
		i, err := n.Int64()
		return int(i), err == nil
	}
	switch x := v.(type) {
	case string:
		if max, ok := bound("maxLength"); ok && len(x) > max { // bytes ≥ characters: count only then
			if n := utf8.RuneCountInString(x); n > max {
				return fmt.Sprintf("must be at most %s long (got %d)", characters(max), n)
			}
		}
	case []any:
		if max, ok := bound("maxItems"); ok && len(x) > max {
			return fmt.Sprintf("must have at most %d items (got %d)", max, len(x))
		}
	case map[string]any:
		if max, ok := bound("maxProperties"); ok && len(x) > max {
			return fmt.Sprintf("must have at most %d keys (got %d)", max, len(x))
		}
	}
	return ""
}

// leaves collects the deepest errors, folding an anyOf of type mismatches
// of the value itself (a metadata value that is an object, say) into one.
// In a nullable object (anyOf [object, null]) given an object, the null
// branch's mismatch is dropped: the object branch's errors say what is wrong.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	causes := e.Causes
	if _, ok := e.ErrorKind.(*kind.AnyOf); ok {
		if allTypeErrorsAt(causes, e.InstanceLocation) {
			return []*jsonschema.ValidationError{e}
		}
		causes = withoutNullMismatch(causes, e.InstanceLocation)
	}
	if len(causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func allTypeErrorsAt(errs []*jsonschema.ValidationError, at []string) bool {
	for _, c := range errs {
		if _, ok := c.ErrorKind.(*kind.Type); !ok || !slices.Equal(c.InstanceLocation, at) {
			return false
		}
	}
	return len(errs) > 0
}

// withoutNullMismatch drops the "want null" mismatch at the anyOf's own
// location when other branches have errors to tell.
func withoutNullMismatch(errs []*jsonschema.ValidationError, at []string) []*jsonschema.ValidationError {
	var out []*jsonschema.ValidationError
	for _, c := range errs {
		if t, ok := c.ErrorKind.(*kind.Type); ok && slices.Equal(t.Want, []string{"null"}) && slices.Equal(c.InstanceLocation, at) {
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return errs
	}
	return out
}

func (d *argDecoder) describe(e *jsonschema.ValidationError) (field, reason string) {
	field = strings.Join(e.InstanceLocation, ".")
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		name := k.Properties[0]
		if field != "" {
			name = field + "." + name
		}
		valid := d.keysAt(e.InstanceLocation)
		if len(valid) == 0 {
			return name, "unknown argument: this object takes no keys"
		}
		return name, fmt.Sprintf("unknown argument (names are case-sensitive); valid: %s", strings.Join(valid, ", "))
	case *kind.Required:
		name := k.Missing[0]
		if field != "" {
			name = field + "." + name
		}
		return name, "is required"
	case *kind.AnyOf:
		var want []string
		got := ""
		for _, c := range e.Causes {
			t := c.ErrorKind.(*kind.Type)
			got = t.Got
			want = append(want, t.Want...)
		}
		return orArgs(field), fmt.Sprintf("got %s, want %s", got, strings.Join(want, " or "))
	case *kind.Type:
		return orArgs(field), fmt.Sprintf("got %s, want %s", k.Got, strings.Join(typeOrder(k.Want), " or "))
	case *kind.Minimum:
		return orArgs(field), fmt.Sprintf("must be at least %s (got %s)", number(k.Want), number(k.Got))
	case *kind.Maximum:
		return orArgs(field), fmt.Sprintf("must be at most %s (got %s)", number(k.Want), number(k.Got))
	case *kind.MinItems:
		return orArgs(field), fmt.Sprintf("must have at least %d item(s) (got %d)", k.Want, k.Got)
	case *kind.MaxItems:
		return orArgs(field), fmt.Sprintf("must have at most %d items (got %d)", k.Want, k.Got)
	case *kind.MinLength:
		return orArgs(field), fmt.Sprintf("must be at least %s long (got %d)", characters(k.Want), k.Got)
	case *kind.MaxLength:
		return orArgs(field), fmt.Sprintf("must be at most %s long (got %d)", characters(k.Want), k.Got)
	case *kind.MaxProperties:
		return orArgs(field), fmt.Sprintf("must have at most %d keys (got %d)", k.Want, k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = jsonText(w)
		}
		got := jsonText(k.Got)
		if n := utf8.RuneCountInString(got); n > 60 {
			// Not a part of it: a cut can halve a secret, which redaction
			// recognises only whole. The value was the assistant's own.
			got = fmt.Sprintf("a value of %d characters", n)
		}
		return orArgs(field), fmt.Sprintf("must be one of %s (got %s)", strings.Join(want, ", "), got)
	}
	return orArgs(field), e.ErrorKind.LocalizedString(printer)
}

// typeOrder lists JSON types in the order schemas name them (string before
// null), not the validator's alphabetical one.
func typeOrder(types []string) []string {
	rank := func(t string) int {
		return slices.Index([]string{"string", "integer", "number", "boolean", "object", "array", "null"}, t)
	}
	out := slices.Clone(types)
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// number writes a schema bound or a sent number as JSON would: 100, 0.5.
func number(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}

// jsonText writes a value as JSON, so that a string shows its quotes.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// objectBranch is the branch of an anyOf that has properties or items, or
// the node itself.
func objectBranch(node map[string]any) map[string]any {
	branches, _ := node["anyOf"].([]any)
	for _, b := range branches {
		if m, ok := b.(map[string]any); ok && (m["properties"] != nil || m["items"] != nil) {
			return m
		}
	}
	return node
}

func orArgs(field string) string {
	if field == "" {
		return "arguments"
	}
	return field
}

// keysAt lists the property names the schema allows at an instance path,
// through array items and the object branch of a nullable object.
func (d *argDecoder) keysAt(path []string) []string {
	node := objectBranch(d.doc)
	for _, seg := range path {
		var next map[string]any
		if items, ok := node["items"].(map[string]any); ok {
			next = items
		} else {
			props, _ := node["properties"].(map[string]any)
			next, _ = props[seg].(map[string]any)
		}
		if next == nil {
			return nil
		}
		node = objectBranch(next)
	}
	props, _ := node["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
