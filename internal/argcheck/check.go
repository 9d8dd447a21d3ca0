package argcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
)

// Problem is one thing wrong with the arguments.
type Problem struct {
	// Field is the value's path, keys and indexes joined by dots
	// ("profile.metadata.note", "articles.0.id"); "arguments" for the
	// arguments object itself.
	Field  string
	Reason string
}

// Error is what is wrong with a call's arguments: the first MaxProblems
// distinct problems in the order of the arguments, and how many more. A
// value over a size bound (maxLength, maxItems, maxProperties, depth) is
// reported alone: it is the one to fix first, and checking the rest of a
// huge value would only make a longer message.
type Error struct {
	Problems []Problem
	More     int
}

// MaxProblems is how many problems an Error lists; the assistant fixes
// those and learns of the rest on its next try.
const MaxProblems = 10

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Reason
	}
	if e.More > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", e.More))
	}
	return strings.Join(parts, "; ")
}

var errSyntax = errors.New("not JSON")

// errBound stops the check at the first value over a size bound.
var errBound = errors.New("over a bound")

// notObject is the problem of arguments that are not a JSON object.
var notObject = &Error{Problems: []Problem{{Field: "arguments", Reason: "must be a JSON object"}}}

// Check checks args (a JSON object; empty or null is {}) against the
// schema and returns them ready to decode: as they are, or with the slips
// an assistant makes that cannot change the meaning fixed in its
// top-level values ("25" for an integer, "true" for a boolean, an object
// sent as a JSON string). The error is an *Error.
func (s *Schema) Check(args []byte) ([]byte, error) {
	i := jsonscan.SkipSpace(args, 0)
	if i == len(args) || bytes.Equal(bytes.TrimSpace(args), []byte("null")) {
		args, i = []byte("{}"), 0
	}
	if args[i] != '{' {
		return nil, notObject
	}
	// The path escapes to the heap (the walk recurses): start it small,
	// since arguments are seldom more than a few levels deep.
	c := checker{d: args, fix: true, path: make([]segment, 0, 8)}
	end, err := c.value(i, s.root)
	if err == nil && jsonscan.SkipSpace(args, end) != len(args) {
		err = errSyntax
	}
	switch {
	case errors.Is(err, errSyntax):
		return nil, notObject
	case c.bound != nil:
		return nil, &Error{Problems: []Problem{*c.bound}}
	case len(c.problems) > 0:
		return nil, &Error{Problems: c.problems, More: c.more}
	}
	return c.fixed(args), nil
}

// checker walks one document. path holds the keys (decoded) and indexes
// down to the value being checked.
type checker struct {
	d        []byte
	path     []segment
	problems []Problem
	more     int
	bound    *Problem
	fix      bool   // fix the slips of top-level values
	edits    []edit // those fixes
}

type segment struct {
	key   []byte
	index int // -1 for a key
}

type edit struct {
	from, to int
	with     []byte
}

func (c *checker) field(extra ...[]byte) string {
	if len(c.path) == 0 && len(extra) == 0 {
		return "arguments"
	}
	var b strings.Builder
	for _, s := range c.path {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if s.index >= 0 {
			b.WriteString(strconv.Itoa(s.index))
		} else {
			b.Write(s.key)
		}
	}
	for _, k := range extra {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.Write(k)
	}
	return b.String()
}

// room says whether another problem will be listed, counting it in More
// if not: a caller formats its message only then, so that a call of
// thousands of wrong values costs no more than one of ten.
func (c *checker) room() bool {
	if len(c.problems) < MaxProblems {
		return true
	}
	c.more++
	return false
}

// report records a problem at the current path (or below it, at key),
// once.
func (c *checker) report(key []byte, reason string) {
	p := Problem{Reason: reason}
	if key != nil {
		p.Field = c.field(key)
	} else {
		p.Field = c.field()
	}
	for _, q := range c.problems {
		if q == p {
			return
		}
	}
	c.problems = append(c.problems, p)
}

// over records a value over a size bound and stops the check.
func (c *checker) over(format string, args ...any) error {
	c.bound = &Problem{Field: c.field(), Reason: fmt.Sprintf(format, args...)}
	return errBound
}

// count checks how many keys or items (noun) a value has against its
// bounds (-1: none). Too many is a bound, reported alone; too few is a
// problem like any other.
func (c *checker) count(n, min, max int, noun string) error {
	if max >= 0 && n > max {
		return c.over("must have at most %d %ss (got %d)", max, noun, n)
	}
	if min >= 0 && n < min && c.room() {
		c.report(nil, fmt.Sprintf("must have at least %d %s(s) (got %d)", min, noun, n))
	}
	return nil
}

// typeAt is the JSON type of the value at d[i] (an integer is a number
// without a fraction).
func (c *checker) typeAt(i int) (jsonType, error) {
	if i >= len(c.d) {
		return 0, errSyntax
	}
	switch c.d[i] {
	case '"':
		return tString, nil
	case '{':
		return tObject, nil
	case '[':
		return tArray, nil
	case 't', 'f':
		return tBoolean, nil
	case 'n':
		return tNull, nil
	}
	end, err := jsonscan.ScanNumber(c.d, i)
	if err != nil {
		return 0, errSyntax
	}
	if isInteger(c.d[i:end]) {
		return tInteger, nil
	}
	return tNumber, nil
}

// value checks the value at d[i] against n and returns the offset just
// past it.
func (c *checker) value(i int, n *node) (int, error) {
	if n == nil {
		n = anyValue
	}
	t, err := c.typeAt(i)
	if err != nil {
		return 0, err
	}
	if len(n.anyOf) > 0 {
		var branch *node
		for _, b := range n.anyOf {
			if b.types.accepts(t) {
				branch = b
				break
			}
		}
		if branch == nil {
			if c.room() {
				c.report(nil, "got "+gotName(t)+", want "+n.want.String())
			}
			return c.skip(i)
		}
		n = branch
	}
	if !n.types.accepts(t) {
		if c.room() {
			c.report(nil, "got "+gotName(t)+", want "+n.types.String())
		}
		return c.skip(i)
	}
	switch t {
	case tObject:
		return c.object(i, n)
	case tArray:
		return c.array(i, n)
	case tString:
		return c.str(i, n)
	case tBoolean, tNull:
		return literal(c.d, i)
	}
	return c.number(i, t, n)
}

func gotName(t jsonType) string {
	if t == tInteger {
		return "number"
	}
	return t.String()
}

// skip passes over the value at d[i] unchecked, without recursion.
func (c *checker) skip(i int) (int, error) {
	end := jsonscan.SkipValue(c.d, i)
	if end < 0 {
		return 0, errSyntax
	}
	return end, nil
}

func literal(d []byte, i int) (int, error) {
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(d[i:], []byte(lit)) {
			return i + len(lit), nil
		}
	}
	return 0, errSyntax
}

func (c *checker) object(i int, n *node) (int, error) {
	if len(c.path) >= jsonscan.MaxDepth {
		return 0, c.over("%s", jsonscan.TooDeep)
	}
	d := c.d
	i = jsonscan.SkipSpace(d, i+1)
	var seen uint64
	count := 0
	if i < len(d) && d[i] == '}' {
		i++
	} else {
		for {
			if i >= len(d) || d[i] != '"' {
				return 0, errSyntax
			}
			end, err := jsonscan.ScanString(d, i)
			if err != nil {
				return 0, err
			}
			key := d[i+1 : end-1]
			if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) { // decoded as encoding/json does
				key = jsonscan.AppendUnquoted(nil, key)
			}
			i = jsonscan.SkipSpace(d, end)
			if i >= len(d) || d[i] != ':' {
				return 0, errSyntax
			}
			i = jsonscan.SkipSpace(d, i+1)
			count++
			p, known := n.props[string(key)]
			switch {
			case known:
				if p.required >= 0 {
					seen |= 1 << p.required
				}
			case n.closed:
				switch {
				case !c.room():
				case n.valid == "":
					c.report(key, "unknown argument: this object takes no keys")
				default:
					c.report(key, "unknown argument (names are case-sensitive); valid: "+n.valid)
				}
				if i, err = c.skip(i); err != nil {
					return 0, err
				}
			default:
				p.schema = n.values
			}
			if known || !n.closed {
				c.path = append(c.path, segment{key: key, index: -1})
				if i, err = c.member(i, p.schema); err != nil {
					return 0, err
				}
				c.path = c.path[:len(c.path)-1]
			}
			var more bool
			if i, more, err = c.next(i, '}'); err != nil {
				return 0, err
			}
			if !more {
				break
			}
		}
	}
	if err := c.count(count, n.minProperties, n.maxProperties, "key"); err != nil {
		return 0, err
	}
	for bit, name := range n.required {
		if seen&(1<<bit) == 0 && c.room() {
			c.report([]byte(name), "is required")
		}
	}
	return i, nil
}

// member checks an object's value; at the top level it first fixes a
// string that means the value the schema wants.
func (c *checker) member(i int, n *node) (int, error) {
	if !c.fix || len(c.path) != 1 || n == nil || c.d[i] != '"' {
		return c.value(i, n)
	}
	end, err := jsonscan.ScanString(c.d, i)
	if err != nil {
		return 0, err
	}
	with := fixSlip(c.d[i+1:end-1], n)
	if with == nil {
		return c.value(i, n)
	}
	// Check the fixed value in place of the string.
	d := c.d
	c.d, c.fix = with, false
	_, err = c.value(0, n)
	c.d, c.fix = d, true
	if err != nil {
		return 0, err
	}
	c.edits = append(c.edits, edit{from: i, to: end, with: with})
	return end, nil
}

// fixSlip is the JSON a top-level string stands for when its schema wants
// one type that is not a string, or nil.
func fixSlip(quoted []byte, n *node) []byte {
	if len(n.anyOf) > 0 {
		return nil
	}
	s := strings.TrimSpace(string(jsonscan.AppendUnquoted(nil, quoted)))
	switch n.types {
	case tInteger:
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.AppendInt(nil, v, 10)
		}
	case tNumber:
		if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return strconv.AppendFloat(nil, v, 'g', -1, 64)
		}
	case tBoolean:
		if v, err := strconv.ParseBool(s); err == nil {
			return strconv.AppendBool(nil, v)
		}
	case tObject:
		if strings.HasPrefix(s, "{") && jsonValidObject(s) {
			return []byte(s)
		}
	}
	return nil
}

func jsonValidObject(s string) bool { return json.Valid([]byte(s)) }

// jsonString writes s as encoding/json does, quotes and escapes included.
func jsonString(s []byte) string {
	b, _ := json.Marshal(string(s))
	return string(b)
}

// fixed is d with the edits made.
func (c *checker) fixed(d []byte) []byte {
	if len(c.edits) == 0 {
		return d
	}
	var out []byte
	at := 0
	for _, e := range c.edits {
		out = append(append(out, d[at:e.from]...), e.with...)
		at = e.to
	}
	return append(out, d[at:]...)
}

// next moves on after a member or an item: past the comma to the next one
// (more), or past the container's closer.
func (c *checker) next(i int, closer byte) (end int, more bool, err error) {
	d := c.d
	i = jsonscan.SkipSpace(d, i)
	switch {
	case i < len(d) && d[i] == ',':
		return jsonscan.SkipSpace(d, i+1), true, nil
	case i < len(d) && d[i] == closer:
		return i + 1, false, nil
	}
	return 0, false, errSyntax
}

func (c *checker) array(i int, n *node) (int, error) {
	if len(c.path) >= jsonscan.MaxDepth {
		return 0, c.over("%s", jsonscan.TooDeep)
	}
	d := c.d
	i = jsonscan.SkipSpace(d, i+1)
	count := 0
	if i < len(d) && d[i] == ']' {
		i++
	} else {
		for {
			var err error
			if n.maxItems >= 0 && count >= n.maxItems {
				i, err = c.skip(i) // over the bound: only counted
			} else {
				c.path = append(c.path, segment{index: count})
				i, err = c.value(i, n.items)
				c.path = c.path[:len(c.path)-1]
			}
			if err != nil {
				return 0, err
			}
			count++
			var more bool
			if i, more, err = c.next(i, ']'); err != nil {
				return 0, err
			}
			if !more {
				break
			}
		}
	}
	if err := c.count(count, n.minItems, n.maxItems, "item"); err != nil {
		return 0, err
	}
	return i, nil
}

func (c *checker) str(i int, n *node) (int, error) {
	end, err := jsonscan.ScanString(c.d, i)
	if err != nil {
		return 0, err
	}
	raw := c.d[i+1 : end-1]
	// A string's text is never shorter than its characters: count them
	// only when the text is past a bound.
	if n.maxLength >= 0 && len(raw) > n.maxLength {
		if runes := runeCount(raw); runes > n.maxLength {
			return 0, c.over("must be at most %s long (got %d)", characters(n.maxLength), runes)
		}
	}
	if n.minLength > 0 {
		if runes := runeCount(raw); runes < n.minLength && c.room() {
			c.report(nil, fmt.Sprintf("must be at least %s long (got %d)", characters(n.minLength), runes))
		}
	}
	if n.enum != nil && !inEnum(raw, n.enum) && c.room() {
		shown := jsonString(jsonscan.AppendUnquoted(nil, raw))
		if r := utf8.RuneCountInString(shown); r > 60 {
			// Not a part of it: a cut can halve a secret, which redaction
			// recognises only whole. The value was the assistant's own.
			shown = fmt.Sprintf("a value of %d characters", r)
		}
		quotedEnum := make([]string, len(n.enum))
		for k, e := range n.enum {
			quotedEnum[k] = jsonString([]byte(e))
		}
		c.report(nil, "must be one of "+strings.Join(quotedEnum, ", ")+" (got "+shown+")")
	}
	return end, nil
}

func inEnum(raw []byte, enum []string) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		raw = jsonscan.AppendUnquoted(nil, raw)
	}
	for _, e := range enum {
		if string(raw) == e {
			return true
		}
	}
	return false
}

func (c *checker) number(i int, t jsonType, n *node) (int, error) {
	end, err := jsonscan.ScanNumber(c.d, i)
	if err != nil {
		return 0, errSyntax
	}
	if n.min == nil && n.max == nil {
		return end, nil
	}
	text := string(c.d[i:end])
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errSyntax
	}
	switch {
	case n.min != nil && v < n.min.value && c.room():
		c.report(nil, "must be at least "+n.min.text+" (got "+text+")")
	case n.max != nil && v > n.max.value && c.room():
		c.report(nil, "must be at most "+n.max.text+" (got "+text+")")
	}
	return end, nil
}

// isInteger reports whether a JSON number (valid) has no fraction: 3,
// 3.0, 3e2, 1.5e1, but not 1.0000000000000000001, which a float64 would
// round to one. Exact, from the digits: no float, and no big number a huge
// exponent could make costly.
func isInteger(num []byte) bool {
	if !bytes.ContainsAny(num, ".eE") {
		return true
	}
	mantissa, exp, _ := bytes.Cut(bytes.TrimPrefix(num, []byte("-")), []byte("e"))
	if len(exp) == 0 {
		mantissa, exp, _ = bytes.Cut(mantissa, []byte("E"))
	}
	whole, frac, _ := bytes.Cut(mantissa, []byte("."))
	digits := bytes.TrimRight(append(append([]byte(nil), whole...), frac...), "0")
	if len(bytes.TrimLeft(digits, "0")) == 0 {
		return true // zero
	}
	// The value is 0.digits × 10^(len(whole)+e): an integer when the
	// point moves past the last non-zero digit.
	e, err := strconv.ParseInt(string(exp), 10, 64)
	if len(exp) == 0 {
		e, err = 0, nil
	}
	if err != nil { // beyond int64: a huge exponent
		return exp[0] != '-'
	}
	return int64(len(whole))+e >= int64(len(digits))
}

// runeCount is how many characters the JSON string text raw (between the
// quotes) decodes to, as encoding/json decodes it: an escape is one, a
// surrogate pair one, an invalid UTF-8 byte one (U+FFFD).
func runeCount(raw []byte) int {
	n := 0
	for i := 0; i < len(raw); n++ {
		switch c := raw[i]; {
		case c == '\\' && i+1 < len(raw) && raw[i+1] == 'u':
			if i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' &&
				utf16.DecodeRune(hex4(raw[i+2:]), hex4(raw[i+8:])) != utf8.RuneError {
				i += 12
			} else {
				i += 6
			}
		case c == '\\':
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			_, size := utf8.DecodeRune(raw[i:])
			i += size
		}
	}
	return n
}

func hex4(b []byte) rune {
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	if err != nil {
		return -1
	}
	return rune(v)
}

func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}
