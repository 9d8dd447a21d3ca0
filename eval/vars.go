package eval

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
)

// vars are the values a run has saved (plus run and seed). A string
// "${name}" is replaced by the value itself, keeping its type; inside a
// longer string the value is written as text. "$${" stands for a literal
// "${".
type vars map[string]any

var varRef = lazyregexp.New(`\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func hasVars(s string) bool { return strings.Contains(s, "${") }

// expand replaces references in every string of a JSON-like value.
func (v vars) expand(x any) (any, error) {
	switch t := x.(type) {
	case string:
		return v.expandString(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			r, err := v.expand(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := v.expand(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return x, nil
}

func (v vars) expandString(s string) (any, error) {
	if !hasVars(s) {
		return s, nil
	}
	if m := varRef().FindStringSubmatchIndex(s); m != nil && m[0] == 0 && m[1] == len(s) && m[2] >= 0 {
		return v.lookup(s[m[2]:m[3]])
	}
	return v.expandText(s)
}

// expandText replaces references inside a string, writing each value as
// text (a string as itself, anything else as JSON).
func (v vars) expandText(s string) (string, error) {
	return substitute(s, func(name string, _ int) (string, error) {
		val, err := v.lookup(name)
		return text(val), err
	})
}

// expandPattern is a regexp with the run's values in it as literal text:
// a saved "a+b@x.com" matches itself, not "aab@xycom".
func (v vars) expandPattern(s string) (string, error) {
	return substitute(s, func(name string, _ int) (string, error) {
		val, err := v.lookup(name)
		return regexp.QuoteMeta(text(val)), err
	})
}

// expandPath is a JSONPath with the run's values in it. A value inside a
// quoted string literal ('${id}') is escaped for that literal, so that a
// saved "O'Brien" is compared as itself instead of breaking the path.
func (v vars) expandPath(s string) (string, error) {
	quotes := quoteContext(s)
	return substitute(s, func(name string, at int) (string, error) {
		val, err := v.lookup(name)
		return escapeIn(quotes[at], text(val)), err
	})
}

// substitute replaces each reference in s by what sub returns for its
// name (at is where the reference starts); "$${" becomes "${".
func substitute(s string, sub func(name string, at int) (string, error)) (string, error) {
	var b strings.Builder
	last := 0
	for _, m := range varRef().FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		last = m[1]
		if m[2] < 0 { // $${
			b.WriteString("${")
			continue
		}
		r, err := sub(s[m[2]:m[3]], m[0])
		if err != nil {
			return s, err
		}
		b.WriteString(r)
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// quoteContext is, for each byte of a JSONPath, the quote of the string
// literal it lies in (a single or a double quote), or 0 outside one.
func quoteContext(s string) []byte {
	out := make([]byte, len(s))
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			q = c // the opening quote is outside the literal
		case q != 0 && c == '\\' && i+1 < len(s):
			out[i], out[i+1] = q, q
			i++
		case q != 0 && c == q:
			q = 0
		default:
			out[i] = q
		}
	}
	return out
}

// escapeIn writes s as the inside of an RFC 9535 string literal quoted
// with q (as itself when q is 0: outside a literal).
func escapeIn(q byte, s string) string {
	if q == 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (v vars) lookup(name string) (any, error) {
	val, ok := v[name]
	if !ok {
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("unknown variable ${%s} (defined so far: %s)", name, strings.Join(names, ", "))
	}
	return val, nil
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

// refs are the variables a JSON-like value refers to, in order.
func refs(x any) []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case string:
			for _, m := range varRef().FindAllStringSubmatch(t, -1) {
				if m[1] != "" { // not $${
					out = append(out, m[1])
				}
			}
		case map[string]any:
			// Sorted: the first of several is reported, the same each time.
			for _, k := range slices.Sorted(maps.Keys(t)) {
				walk(t[k])
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(x)
	return out
}

// refs are the variables an assertion refers to.
func (a *Assertion) refs() []string {
	in := []any{a.Path, a.Matches}
	if a.hasEquals {
		in = append(in, a.Equals)
	}
	if a.hasContains {
		in = append(in, a.Contains)
	}
	in = append(in, a.Min, a.Max)
	return refs(in)
}
