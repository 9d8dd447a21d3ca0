package eval

import (
	"encoding/json"
	"strings"
	"testing"
)

func doc(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeRaw([]byte(s)) // numbers as json.Number, as results are
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func boolp(b bool) *bool { return &b }
func intp(i int) *int    { return &i }

func TestAssertions(t *testing.T) {
	d := doc(t, `{"end_user": {"id": "u1", "profile": {"email": "b@x", "metadata": {"n": 3, "vip": true}}},
		"users": [{"ext": "a", "email": "a@x"}, {"ext": "b", "email": "b@x"}], "tags": ["x", "y"], "empty": [],
		"big": 9007199254740993, "numstr": "5", "counts": [2, 0]}`)
	for name, tc := range map[string]struct {
		a    Assertion
		want string // "" passes; else a substring of the failure
	}{
		"equals string":           {Assertion{Path: "$.end_user.profile.email", Equals: "b@x", hasEquals: true}, ""},
		"equals number from yaml": {Assertion{Path: "$.end_user.profile.metadata.n", Equals: json.Number("3"), hasEquals: true}, ""},
		"equals object":           {Assertion{Path: "$.end_user.profile.metadata", Equals: map[string]any{"vip": true, "n": 3}, hasEquals: true}, ""},
		"equals wrong":            {Assertion{Path: "$.end_user.profile.email", Equals: "a@x", hasEquals: true}, `$.end_user.profile.email: want "a@x", got "b@x"`},
		"matches":                 {Assertion{Path: "$.end_user.profile.email", Matches: "^b@"}, ""},
		"matches wrong":           {Assertion{Path: "$.end_user.profile.email", Matches: "^a@"}, `want match "^a@", got "b@x"`},
		"matches a number":        {Assertion{Path: "$.end_user.profile.metadata.n", Matches: "^3$"}, ""},
		"matches an object":       {Assertion{Path: "$.end_user.profile", Matches: "x"}, "want a string matching"},
		"exists":                  {Assertion{Path: "$.end_user.id", Exists: boolp(true)}, ""},
		"exists false passes":     {Assertion{Path: "$.end_user.nope", Exists: boolp(false)}, ""},
		"exists false fails":      {Assertion{Path: "$.end_user.id", Exists: boolp(false)}, `want nothing, got "u1"`},
		"selects nothing":         {Assertion{Path: "$.end_user.nope", Equals: "x", hasEquals: true}, `selects nothing (want equals "x")`},
		"contains substring":      {Assertion{Path: "$.end_user.profile.email", Contains: "@", hasContains: true}, ""},
		"contains element":        {Assertion{Path: "$.tags", Contains: "y", hasContains: true}, ""},
		"contains element wrong":  {Assertion{Path: "$.tags", Contains: "z", hasContains: true}, `want an element "z"`},
		"contains key":            {Assertion{Path: "$.end_user.profile.metadata", Contains: "vip", hasContains: true}, ""},
		"length array":            {Assertion{Path: "$.users", Length: intp(2)}, ""},
		"length zero":             {Assertion{Path: "$.empty", Length: intp(0)}, ""},
		"length string":           {Assertion{Path: "$.end_user.id", Length: intp(2)}, ""},
		"length wrong":            {Assertion{Path: "$.tags", Length: intp(3)}, "want length 3, got 2"},
		"min passes":              {Assertion{Path: "$.end_user.profile.metadata.n", Min: json.Number("3")}, ""},
		"min exact":               {Assertion{Path: "$.big", Min: json.Number("9007199254740993")}, ""},
		"min exact fails":         {Assertion{Path: "$.big", Min: json.Number("9007199254740994")}, "$.big: want at least 9007199254740994, got 9007199254740993"},
		"max fails":               {Assertion{Path: "$.end_user.profile.metadata.n", Max: 2.5}, "$.end_user.profile.metadata.n: want at most 5/2, got 3"},
		"min and max":             {Assertion{Path: "$.end_user.profile.metadata.n", Min: json.Number("1"), Max: json.Number("3.0")}, ""},
		"min on a string":         {Assertion{Path: "$.end_user.id", Min: json.Number("1")}, `$.end_user.id: want a number at least 1, got "u1", which is not a number`},
		"max on a numeric string": {Assertion{Path: "$.numstr", Max: json.Number("9")}, `$.numstr: want a number at most 9, got "5", which is not a number`},
		"min from a variable":     {Assertion{Path: "$.end_user.profile.metadata.n", Min: "${three}"}, ""},
		"min variable not number": {Assertion{Path: "$.end_user.profile.metadata.n", Min: "${uid}"}, `min: want a number, got "u1"`},
		"min on every selected":   {Assertion{Path: "$.counts[*]", Min: json.Number("1")}, "at $['counts'][1]: want at least 1, got 0"},
		"min_length passes":       {Assertion{Path: "$.users", MinLength: intp(1)}, ""},
		"min_length fails":        {Assertion{Path: "$.empty", MinLength: intp(1)}, "$.empty: want length at least 1, got 0: []"},
		"max_length fails":        {Assertion{Path: "$.end_user.profile.email", MaxLength: intp(2)}, `want length at most 2, got 3: "b@x"`},
		"min_length on a number":  {Assertion{Path: "$.end_user.profile.metadata.n", MinLength: intp(1)}, "$.end_user.profile.metadata.n: want a length at least 1, got 3, which has no length"},
		"min selects nothing":     {Assertion{Path: "$.nope", Min: json.Number("1")}, "selects nothing (want min 1)"},
		"filter one":              {Assertion{Path: "$.users[?(@.ext == 'b')].email", Equals: "b@x", hasEquals: true}, ""},
		"filter rfc style":        {Assertion{Path: "$.users[?@.ext == 'a'].email", Equals: "a@x", hasEquals: true}, ""},
		"filter none":             {Assertion{Path: "$.users[?(@.ext == 'c')].email", Equals: "c@x", hasEquals: true}, "selects nothing"},
		// Several selected values: every one must pass, and the failure
		// names the one that did not.
		"all selected must pass": {Assertion{Path: "$.users[*].email", Matches: "^a@"}, `at $['users'][1]['email']: want match "^a@", got "b@x"`},
		"all selected pass":      {Assertion{Path: "$.users[*].email", Matches: "@x$"}, ""},
		"descendant absent":      {Assertion{Path: "$..[?@ == 'secret']", Exists: boolp(false)}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			a := tc.a
			if err := a.compile(); err != nil {
				t.Fatal(err)
			}
			err := a.check(d, vars{"three": json.Number("3"), "uid": "u1"})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("want pass, got %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("want a failure mentioning %q, it passed", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("failure %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestVariables(t *testing.T) {
	v := vars{"uid": "u1", "n": float64(3), "obj": map[string]any{"a": "b"}}
	got, err := v.expand(map[string]any{
		"whole":   "${uid}",
		"typed":   "${n}",
		"inside":  "user ${uid} has ${n}",
		"escaped": "$${uid}",
		"nested":  []any{"${obj}"},
		"jsonish": "${obj}!",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"escaped":"${uid}","inside":"user u1 has 3","jsonish":"{\"a\":\"b\"}!","nested":[{"a":"b"}],"typed":3,"whole":"u1"}`
	if s := show(got); s != want {
		t.Fatalf("got  %s\nwant %s", s, want)
	}
	_, err = v.expand("${nope}")
	if err == nil || !strings.Contains(err.Error(), "${nope}") || !strings.Contains(err.Error(), "n, obj, uid") {
		t.Fatalf("unknown variable: %v", err)
	}
	// A path with a variable is compiled once the value is known.
	a := Assertion{Path: "$.users[?(@.id == '${uid}')].name", Equals: "Ana", hasEquals: true}
	if err := a.compile(); err != nil {
		t.Fatal(err)
	}
	if err := a.check(doc(t, `{"users":[{"id":"u1","name":"Ana"}]}`), v); err != nil {
		t.Fatal(err)
	}
}

// A saved value is data, wherever it goes: inside a quoted literal of a
// path it is escaped for that literal, and in a regexp it matches itself.
func TestVariablesAreLiteralInPathsAndPatterns(t *testing.T) {
	v := vars{"id": `O'Brien "\x"`, "email": "a+b@x.com"}
	d := doc(t, `{"users":[{"id":"O'Brien \"\\x\"","email":"a+b@x.com"}],"other":"aab@xycom"}`)
	for _, a := range []*Assertion{
		{Path: "$.users[?(@.id == '${id}')].email", Equals: "${email}", hasEquals: true},
		{Path: `$.users[?(@.id == "${id}")].email`, Matches: "^${email}$"},
		{Path: "$.other", Matches: "^(${email})?$", Line: 1}, // must fail: + and . are literal
	} {
		if err := a.compile(); err != nil {
			t.Fatalf("%s: compile: %v", a.Path, err)
		}
		err := a.check(d, v)
		if a.Line == 1 {
			if err == nil {
				t.Errorf("%s matches %q: the saved value was read as a regexp", a.Path, a.Matches)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", a.Path, err)
		}
	}
	e := Expect{IsError: true, ErrorPattern: "user ${email} exists"}
	re, err := e.errorPattern(v)
	if err != nil || re.MatchString("user aab@xycom exists") || !re.MatchString("user a+b@x.com exists") {
		t.Errorf("error_matches with ${email}: %v, %v", re, err)
	}
}

// A path or regexp with variables is checked at load, with stand-ins for
// them, yet a good one is never refused whatever place its variables take.
func TestTemplatesAreCheckedAtLoad(t *testing.T) {
	for _, path := range []string{"$.a.${k}", "$.list[${i}]", "$.l[${i}:${j}]", "$.l[?@.n == ${n}]",
		`$.l[?@.id == "${id}"].x`, "$.l[?(@.id == '${id}')].a.${k}", "$['${k}']", "$['$${b}']"} {
		if err := (&Assertion{Path: path, Exists: boolp(true)}).compile(); err != nil {
			t.Errorf("%s refused: %v", path, err)
		}
	}
	for _, path := range []string{"$.l[?(@.id == '${id}'].x", "$.l[${i}", "$.a..${k}.["} {
		if err := (&Assertion{Path: path, Exists: boolp(true)}).compile(); err == nil {
			t.Errorf("%s accepted", path)
		}
	}
	if err := (&Assertion{Path: "$.a", Matches: "(${x}"}).compile(); err == nil {
		t.Error(`matches "(${x}" accepted`)
	}
}
