package eval

import (
	"encoding/json"
	"fmt"
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
	var err error
	out := varRef().ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$${" {
			return "${"
		}
		val, e := v.lookup(ref[2 : len(ref)-1])
		if e != nil {
			err = e
			return ref
		}
		return text(val)
	})
	return out, err
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
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			slices.Sort(keys) // the first of several is reported, the same each time
			for _, k := range keys {
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
	var in []any
	for _, s := range []string{a.Path, a.Matches} {
		in = append(in, s)
	}
	if a.hasEquals {
		in = append(in, a.Equals)
	}
	if a.hasContains {
		in = append(in, a.Contains)
	}
	in = append(in, a.Min, a.Max)
	return refs(in)
}
