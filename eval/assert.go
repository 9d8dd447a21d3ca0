package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/theory/jsonpath"
)

// Assertion checks the values a JSONPath selects. Every selected value must
// satisfy every operator given; a path that selects nothing fails unless
// exists is false.
type Assertion struct {
	Path string
	// Equals, Contains: JSON values (numbers compared exactly), or strings with
	// ${name} references.
	Equals, Contains       any
	hasEquals, hasContains bool
	Exists                 *bool
	Matches                string
	Length                 *int
	// Min, Max: inclusive bounds on a number, compared exactly (a JSON
	// number, or a "${name}" string); nil when not given.
	Min, Max any
	// MinLength, MaxLength: inclusive bounds on a length, as Length.
	MinLength, MaxLength *int
	Line                 int

	path    *jsonpath.Path // compiled at load time unless Path has ${...}
	matches *regexp.Regexp // likewise
}

// compile parses the path and the pattern now, so that a typo is
// reported with its file and line; one with variables is kept for the run
// (which has their values) once it parses with stand-ins for them.
func (a *Assertion) compile() error {
	if hasVars(a.Path) {
		if err := checkPathTemplate(a.Path); err != nil {
			return fmt.Errorf("path %q is not a JSONPath, whatever its variables hold: %w", a.Path, err)
		}
	} else {
		p, err := jsonpath.Parse(a.Path)
		if err != nil {
			return fmt.Errorf("path %q is not a JSONPath (RFC 9535, e.g. $.end_user.profile.email): %w", a.Path, err)
		}
		a.path = p
	}
	if hasVars(a.Matches) {
		if err := checkPatternTemplate(a.Matches); err != nil {
			return fmt.Errorf("matches: %w", err)
		}
	} else if a.Matches != "" {
		re, err := regexp.Compile(a.Matches)
		if err != nil {
			return fmt.Errorf("matches: %w", err)
		}
		a.matches = re
	}
	return nil
}

// checkPathTemplate parses a path with stand-ins for its variables: a
// name where one follows a dot ($.a.${key}), a number elsewhere outside
// quotes ($.list[${i}]), text inside them. A path is refused only if it
// also fails with every variable a name, and with every one a number, so
// that a guess at a variable's place never refuses a good path.
func checkPathTemplate(path string) error {
	quotes := quoteContext(path)
	guesses := []func(at int) string{
		func(at int) string {
			if quotes[at] == 0 && (at == 0 || path[at-1] != '.') {
				return "0"
			}
			return "x"
		},
		func(int) string { return "x" },
		func(at int) string {
			if quotes[at] == 0 {
				return "0"
			}
			return "x"
		},
	}
	var first error
	for _, guess := range guesses {
		s, _ := substitute(path, func(_ string, at int) (string, error) { return guess(at), nil })
		_, err := jsonpath.Parse(s)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// checkPatternTemplate compiles a regexp with its variables as the
// literal text they will be (expandPattern): any value gives the same
// syntax.
func checkPatternTemplate(pattern string) error {
	s, _ := substitute(pattern, func(string, int) (string, error) { return "x", nil })
	_, err := regexp.Compile(s)
	return err
}

// check applies the assertion to doc (a decoded JSON value).
func (a *Assertion) check(doc any, v vars) error {
	path, label, err := a.resolvedPath(v)
	if err != nil {
		return err
	}
	nodes := path.SelectLocated(doc)
	if a.Exists != nil && !*a.Exists {
		if len(nodes) > 0 {
			return fmt.Errorf("%s: want nothing, got %s", label, show(nodes[0].Node))
		}
		return nil
	}
	if len(nodes) == 0 {
		return fmt.Errorf("%s: selects nothing%s", label, a.wantSuffix())
	}
	re, err := a.pattern(v)
	if err != nil {
		return err
	}
	equals, contains, err := a.operands(v)
	if err != nil {
		return err
	}
	lo, hi, err := a.bounds(v)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		where := label
		if len(nodes) > 1 {
			where = label + " at " + n.Path.String()
		}
		if err := a.checkValue(n.Node, equals, contains, re); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if err := a.checkBounds(n.Node, lo, hi); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

func (a *Assertion) resolvedPath(v vars) (*jsonpath.Path, string, error) {
	if a.path != nil {
		return a.path, a.Path, nil
	}
	s, err := v.expandPath(a.Path)
	if err != nil {
		return nil, a.Path, fmt.Errorf("%s: %w", a.Path, err)
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		return nil, s, fmt.Errorf("path %q is not a JSONPath: %w", s, err)
	}
	return p, s, nil
}

func (a *Assertion) pattern(v vars) (*regexp.Regexp, error) {
	if a.Matches == "" || a.matches != nil {
		return a.matches, nil
	}
	s, err := v.expandPattern(a.Matches)
	if err != nil {
		return nil, fmt.Errorf("matches: %w", err)
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("matches: %w", err)
	}
	return re, nil
}

func (a *Assertion) operands(v vars) (equals, contains any, err error) {
	if a.hasEquals {
		if equals, err = v.expand(a.Equals); err != nil {
			return nil, nil, fmt.Errorf("equals: %w", err)
		}
	}
	if a.hasContains {
		if contains, err = v.expand(a.Contains); err != nil {
			return nil, nil, fmt.Errorf("contains: %w", err)
		}
	}
	return equals, contains, nil
}

func (a *Assertion) checkValue(got, equals, contains any, re *regexp.Regexp) error {
	if a.hasEquals && !sameJSON(got, equals) {
		return fmt.Errorf("want %s, got %s", show(equals), show(got))
	}
	if re != nil {
		s, ok := scalarText(got)
		if !ok {
			return fmt.Errorf("want a string matching %q, got %s", re.String(), show(got))
		}
		if !re.MatchString(s) {
			return fmt.Errorf("want match %q, got %s", re.String(), show(got))
		}
	}
	if a.hasContains {
		if err := checkContains(got, contains); err != nil {
			return err
		}
	}
	if a.Length != nil {
		n, ok := lengthOf(got)
		if !ok {
			return fmt.Errorf("want length %d, got %s, which has no length", *a.Length, show(got))
		}
		if n != *a.Length {
			return fmt.Errorf("want length %d, got %d: %s", *a.Length, n, show(got))
		}
	}
	return nil
}

// wantSuffix says what the assertion wanted, for "selects nothing".
func (a *Assertion) wantSuffix() string {
	var want []string
	if a.hasEquals {
		want = append(want, "equals "+show(a.Equals))
	}
	if a.Matches != "" {
		want = append(want, fmt.Sprintf("match %q", a.Matches))
	}
	if a.hasContains {
		want = append(want, "contains "+show(a.Contains))
	}
	if a.Length != nil {
		want = append(want, "length "+strconv.Itoa(*a.Length))
	}
	if a.Min != nil {
		want = append(want, "min "+show(a.Min))
	}
	if a.Max != nil {
		want = append(want, "max "+show(a.Max))
	}
	if a.MinLength != nil {
		want = append(want, "min_length "+strconv.Itoa(*a.MinLength))
	}
	if a.MaxLength != nil {
		want = append(want, "max_length "+strconv.Itoa(*a.MaxLength))
	}
	if len(want) == 0 {
		return ""
	}
	return " (want " + strings.Join(want, ", ") + ")"
}

// bounds are min and max as exact numbers, with the run's variables in
// them; nil when not given.
func (a *Assertion) bounds(v vars) (lo, hi *big.Rat, err error) {
	for _, b := range []struct {
		key string
		val any
		dst **big.Rat
	}{{"min", a.Min, &lo}, {"max", a.Max, &hi}} {
		if b.val == nil {
			continue
		}
		x, err := v.expand(b.val)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", b.key, err)
		}
		r, ok := ratOf(x)
		if !ok {
			return nil, nil, fmt.Errorf("%s: want a number, got %s", b.key, show(x))
		}
		*b.dst = r
	}
	return lo, hi, nil
}

// checkBounds applies min, max, min_length and max_length to one value.
func (a *Assertion) checkBounds(got any, lo, hi *big.Rat) error {
	if lo != nil || hi != nil {
		n, ok := ratOf(got)
		switch {
		case !ok:
			return fmt.Errorf("want a number%s, got %s, which is not a number", rangeText(ratText(lo), ratText(hi)), show(got))
		case lo != nil && n.Cmp(lo) < 0:
			return fmt.Errorf("want at least %s, got %s", lo.RatString(), show(got))
		case hi != nil && n.Cmp(hi) > 0:
			return fmt.Errorf("want at most %s, got %s", hi.RatString(), show(got))
		}
	}
	if a.MinLength == nil && a.MaxLength == nil {
		return nil
	}
	n, ok := lengthOf(got)
	switch {
	case !ok:
		return fmt.Errorf("want a length%s, got %s, which has no length", rangeText(intText(a.MinLength), intText(a.MaxLength)), show(got))
	case a.MinLength != nil && n < *a.MinLength:
		return fmt.Errorf("want length at least %d, got %d: %s", *a.MinLength, n, show(got))
	case a.MaxLength != nil && n > *a.MaxLength:
		return fmt.Errorf("want length at most %d, got %d: %s", *a.MaxLength, n, show(got))
	}
	return nil
}

// rangeText is " at least lo and at most hi", each part only when its
// bound ("" for none) is set.
func rangeText(lo, hi string) string {
	var parts []string
	if lo != "" {
		parts = append(parts, "at least "+lo)
	}
	if hi != "" {
		parts = append(parts, "at most "+hi)
	}
	return " " + strings.Join(parts, " and ")
}

func ratText(r *big.Rat) string {
	if r == nil {
		return ""
	}
	return r.RatString()
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// ratOf is a JSON number's exact value; a string, even "3", is no number.
func ratOf(v any) (*big.Rat, bool) {
	var s string
	switch t := v.(type) {
	case json.Number:
		s = string(t)
	case float64:
		s = strconv.FormatFloat(t, 'g', -1, 64)
	default:
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// checkContains: a substring of a string, an element of an array, or a
// key of an object.
func checkContains(got, want any) error {
	switch g := got.(type) {
	case string:
		w, ok := want.(string)
		if !ok {
			return fmt.Errorf("want a string containing %s: contains on a string needs a string", show(want))
		}
		if !strings.Contains(g, w) {
			return fmt.Errorf("want to contain %q, got %s", w, show(got))
		}
		return nil
	case []any:
		for _, e := range g {
			if sameJSON(e, want) {
				return nil
			}
		}
		return fmt.Errorf("want an element %s, got %s", show(want), show(got))
	case map[string]any:
		w, ok := want.(string)
		if !ok {
			return fmt.Errorf("contains on an object names a key, got %s", show(want))
		}
		if _, ok := g[w]; !ok {
			return fmt.Errorf("want key %q, got %s", w, show(got))
		}
		return nil
	}
	return fmt.Errorf("want something containing %s, got %s", show(want), show(got))
}

func lengthOf(v any) (int, bool) {
	switch t := v.(type) {
	case string:
		return utf8.RuneCountInString(t), true
	case []any:
		return len(t), true
	case map[string]any:
		return len(t), true
	}
	return 0, false
}

// scalarText is a string as itself, and a number or boolean as its JSON.
func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64, bool, json.Number:
		b, _ := json.Marshal(t)
		return string(b), true
	}
	return "", false
}

// sameJSON compares two JSON values, numbers by value.
func sameJSON(a, b any) bool {
	return reflect.DeepEqual(normalize(a), normalize(b))
}

// normalize turns a value from YAML or JSON into one form that
// reflect.DeepEqual compares by value: numbers become their exact value
// (3, 3.0 and 3e0 are one; 9007199254740993 is not 9007199254740992).
func normalize(v any) any {
	switch t := v.(type) {
	case nil, string, bool:
		return v
	case json.Number, float64:
		if r, ok := ratOf(t); ok {
			return number(r.RatString())
		}
		return fmt.Sprint(t) // a json.Number that is no number: kept as text
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	doc, err := decodeRaw(b)
	if err != nil {
		return v
	}
	return normalize(doc)
}

// number is a JSON number's exact value, as big.Rat writes it.
type number string

// maxShown bounds a value quoted in a message.
const maxShown = 160

// show is v as compact JSON, shortened.
func show(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	if utf8.RuneCountInString(s) > maxShown {
		r := []rune(s)
		s = string(r[:maxShown-1]) + "…"
	}
	return s
}
