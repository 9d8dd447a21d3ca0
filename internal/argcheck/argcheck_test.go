package argcheck

import (
	"fmt"
	"strings"
	"testing"
)

const testSchema = `{
  "type": "object",
  "additionalProperties": false,
  "required": ["id"],
  "properties": {
    "id": {"type": "string", "minLength": 1, "maxLength": 8},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100},
    "ratio": {"type": "number"},
    "on": {"type": "boolean"},
    "role": {"type": "string", "enum": ["end_user", "human_agent"]},
    "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "maxLength": 4},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "minItems": 1, "maxItems": 2},
    "meta": {"type": "object", "maxProperties": 2, "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "number"}]}},
    "profile": {"type": "object", "additionalProperties": false, "properties": {"first_name": {"type": "string"}}},
    "empty": {"type": "object", "additionalProperties": false},
    "some": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}},
    "any": {"type": "object", "additionalProperties": {"description": "Any JSON value."}}
  }
}`

func compiled(t testing.TB) *Schema {
	t.Helper()
	s, err := Compile([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckAccepts(t *testing.T) {
	s := compiled(t)
	for _, args := range []string{
		`{"id":"a"}`,
		` { "id" : "a" , "limit" : 100 , "ratio" : -1.5e3 , "on" : false } `,
		`{"id":"a","limit":1.0}`, // an integer in JSON Schema's sense
		`{"id":"a","role":"human_agent","note":null}`,
		`{"id":"a","note":"\u00e9\ud83d\ude00ab"}`, // 4 characters, 20 bytes
		`{"id":"\u0041","tags":["abc","d"],"meta":{"x":"1","y":2}}`,
		`{"id":"a","profile":{"first_name":"Bo"},"empty":{}}`,
		`{"id":"a","any":{"x":[[{"y":null}]],"z":true}}`,
	} {
		out, err := s.Check([]byte(args))
		if err != nil {
			t.Errorf("%s: %v", args, err)
		} else if string(out) != args {
			t.Errorf("%s came back as %s", args, out)
		}
	}
}

func TestCheckRefuses(t *testing.T) {
	s := compiled(t)
	// The arguments object is level 1, any 2, x 3 and its 30th array 32.
	deep := `{"id":"a","any":{"x":` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + `}}`
	if _, err := s.Check([]byte(`{"id":"a","any":{"x":` + strings.Repeat("[", 30) + strings.Repeat("]", 30) + `}}`)); err != nil {
		t.Errorf("32 levels: %v", err)
	}
	for _, tc := range []struct{ args, want string }{
		{`[]`, "arguments: must be a JSON object"},
		{`{"id":"a"`, "arguments: must be a JSON object"},
		{`{"id":"a"} x`, "arguments: must be a JSON object"},
		{`{}`, "id: is required"},
		{`{"id":"a","Limit":1}`, "Limit: unknown argument (names are case-sensitive); valid: any, empty, id, limit, meta, note, on, profile, ratio, role, some, tags"},
		{`{"id":"a","some":{}}`, "some: must have at least 1 key(s) (got 0)"},
		{`{"id":"a","profile":{"firstname":"B"}}`, "profile.firstname: unknown argument (names are case-sensitive); valid: first_name"},
		{`{"id":"a","empty":{"x":1}}`, "empty.x: unknown argument: this object takes no keys"},
		{`{"id":"a","limit":true}`, "limit: got boolean, want integer"},
		{`{"id":"a","limit":1.5}`, "limit: got number, want integer"},
		{`{"id":"a","limit":0}`, "limit: must be at least 1 (got 0)"},
		{`{"id":"a","limit":5e2}`, "limit: must be at most 100 (got 5e2)"},
		{`{"id":""}`, "id: must be at least 1 character long (got 0)"},
		{`{"id":"a","role":"ai_agent"}`, `role: must be one of "end_user", "human_agent" (got "ai_agent")`},
		{`{"id":"a","role":"` + strings.Repeat("r", 59) + `"}`, `role: must be one of "end_user", "human_agent" (got a value of 61 characters)`},
		{`{"id":"a","note":5}`, "note: got number, want string or null"},
		{`{"id":"a","meta":{"x":[]}}`, "meta.x: got array, want string or number"},
		{`{"id":"a","tags":[]}`, "tags: must have at least 1 item(s) (got 0)"},
		{`{"id":"a","tags":[1,"a"]}`, "tags.0: got number, want string"},
		// Several problems, in the order of the arguments, repeats once.
		{`{"limit":0,"on":1,"ratio":"x","tags":[1,1]}`, "limit: must be at least 1 (got 0); on: got number, want boolean; ratio: got string, want number; tags.0: got number, want string; tags.1: got number, want string; id: is required"},
		// A size bound is reported alone, whatever came before it.
		{`{"limit":0,"id":"123456789"}`, "id: must be at most 8 characters long (got 9)"},
		{`{"id":"a","note":"\u00e9\u00e9\u00e9\u00e9\u00e9"}`, "note: must be at most 4 characters long (got 5)"},
		{`{"id":"a","tags":[1,2,3,4]}`, "tags: must have at most 2 items (got 4)"},
		{`{"id":"a","tags":["abcd"]}`, "tags.0: must be at most 3 characters long (got 4)"},
		{`{"id":"a","meta":{"a":1,"b":2,"c":3}}`, "meta: must have at most 2 keys (got 3)"},
		{deep, "any.x" + strings.Repeat(".0", 30) + ": is nested deeper than 32 levels"},
		{`{"id":"a","\u0070rofile":{"x":1},"n\u00e9":1}`, `profile.x: unknown argument`},
	} {
		_, err := s.Check([]byte(tc.args))
		if err == nil {
			t.Errorf("%s: accepted", tc.args)
			continue
		}
		if _, ok := err.(*Error); !ok {
			t.Errorf("%s: %T, want *Error", tc.args, err)
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.args, err, tc.want)
		}
	}
}

func TestCheckListsTenProblems(t *testing.T) {
	s := compiled(t)
	args := `{"id":"a","meta":{"a":[],"b":[]},"profile":{` + strings.TrimSuffix(strings.Repeat(`"k":1,`, 14), ",") + `}}`
	_, err := s.Check([]byte(args))
	e, _ := err.(*Error)
	if e == nil || len(e.Problems) != 3 {
		t.Fatalf("%v: want 3 distinct problems (repeats folded)", err)
	}
	var many []string
	for i := range 25 {
		many = append(many, `"k`+strings.Repeat("x", i)+`":1`)
	}
	_, err = s.Check([]byte(`{"id":"a","profile":{` + strings.Join(many, ",") + `}}`))
	if e, _ = err.(*Error); e == nil || len(e.Problems) != MaxProblems || e.More != 15 || !strings.HasSuffix(err.Error(), "; and 15 more") {
		t.Fatalf("%v", err)
	}
}

func TestCheckFixesSlips(t *testing.T) {
	s := compiled(t)
	for _, tc := range []struct{ args, want string }{
		{`{"id":"a","limit":" 25 "}`, `{"id":"a","limit":25}`},
		{`{"id":"a","ratio":"0.5","on":"true"}`, `{"id":"a","ratio":0.5,"on":true}`},
		{`{"id":"a","profile":"{\"first_name\":\"Bo\"}"}`, `{"id":"a","profile":{"first_name":"Bo"}}`},
		// Not a slip: strings that mean nothing else, nested values, NaN.
		{`{"id":"a","limit":"many"}`, "limit: got string, want integer"},
		{`{"id":"a","ratio":"NaN"}`, "ratio: got string, want number"},
		{`{"id":"a","meta":{"x":"1"}}`, `{"id":"a","meta":{"x":"1"}}`},
		// A fixed value is checked like any other.
		{`{"id":"a","limit":"500"}`, "limit: must be at most 100 (got 500)"},
		{`{"id":"a","profile":"{\"x\":1}"}`, "profile.x: unknown argument"},
	} {
		out, err := s.Check([]byte(tc.args))
		got := string(out)
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
	for _, empty := range []string{``, ` `, `null`} {
		if out, err := s.Check([]byte(empty)); err == nil || !strings.Contains(err.Error(), "id: is required") {
			t.Errorf("%q: %s, %v: want it read as {}", empty, out, err)
		}
	}
}

func TestCompileRefusesWhatItCannotCheck(t *testing.T) {
	for _, schema := range []string{
		`{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}}`,
		`{"type":"object","properties":{"a":true}}`,
		`{"type":"object","properties":{"a":{"anyOf":[{"type":"object"},{"type":"object","properties":{}}]}}}`,
		`{"type":"object","properties":{"a":{"enum":[1,2]}}}`,
		`{"type":"array"}`,
		`{"type":"object","properties":{"a":{"type":"strnig"}}}`,
	} {
		if _, err := Compile([]byte(schema)); err == nil {
			t.Errorf("%s compiled", schema)
		}
	}
}

// A check allocates for what it reports, never per value: arguments of
// 20,000 small values cost nothing more than one of them.
func TestCheckAllocatesNothingPerValue(t *testing.T) {
	s := compiled(t)
	allocs := func(args []byte) float64 {
		return testing.AllocsPerRun(10, func() {
			if _, err := s.Check(args); err != nil {
				t.Fatal(err)
			}
		})
	}
	small := allocs([]byte(`{"id":"a"}`))
	large := allocs([]byte(`{"id":"a","any":{"x":[` + strings.TrimSuffix(strings.Repeat(`{"a":[1,"b",null]},`, 4000), ",") + `]}}`))
	if small > 2 || large != small {
		t.Errorf("%v allocations checking one value, %v checking 20,000: want the same few", small, large)
	}
	var keys []string
	for i := range 4000 {
		keys = append(keys, fmt.Sprintf(`"k%d":[1,2,{}]`, i))
	}
	wrong := []byte(`{"id":"a","profile":{` + strings.Join(keys, ",") + `}}`)
	if allocs := testing.AllocsPerRun(10, func() {
		if _, err := s.Check(wrong); err == nil {
			t.Fatal("accepted")
		}
	}); allocs > 40 {
		t.Errorf("%v allocations for 4,001 problems: only the ten reported should cost", allocs)
	}
}

func BenchmarkCheck(b *testing.B) {
	s := compiled(b)
	args := []byte(`{"id":"cust-42","limit":25,"role":"end_user","tags":["a","b"],"meta":{"plan":"pro","seats":3}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Check(args); err != nil {
			b.Fatal(err)
		}
	}
}

// An integer is decided on the digits, as JSON Schema does (and the
// reference validator, with exact rationals): a float64 would take
// 1.0000000000000000001 for one.
func TestIsInteger(t *testing.T) {
	for in, want := range map[string]bool{
		"3": true, "-3": true, "3.0": true, "3e2": true, "1.5e1": true, "10e-1": true, "100E-2": true,
		"0.0": true, "0e5": true, "-0.0e-3": true, "120.0e-1": true, "5e400": true, "1e99999999999999999999": true,
		"1.5": false, "1.0000000000000000001": false, "1e-1": false, "1.255e2": false, "5e-400": false,
		"0.05e1": false, "123e-1": false, "1e-99999999999999999999": false,
	} {
		if got := isInteger([]byte(in)); got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
	s := compiled(t)
	if _, err := s.Check([]byte(`{"id":"a","limit":1.0000000000000000001}`)); err == nil || !strings.Contains(err.Error(), "want integer") {
		t.Errorf("1.0000000000000000001 as an integer: %v", err)
	}
}
