package jsonscan

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// FuzzGuard checks the hand-written scanner against encoding/json: it
// never panics; it calls JSON exactly what Go calls JSON; it refuses a
// message exactly when a reader built on Go's own tokenizer finds a
// problem in a tools/call (and names the same field); a refused call reads,
// with mcp-go's types, as no arguments plus the problem; and arguments it
// lets through decode to the same value with or without duplicate
// handling, i.e. no value was dropped by "the last key wins".
//
// Each input is tried as a whole message and as the arguments of a
// tools/call, so the fuzzer need not invent the envelope.
func FuzzGuard(f *testing.F) {
	for _, seed := range []string{
		call(`{"external_id":"a","external_id":"b"}`),
		call(`{"profile":{"first_name":"A","first_name":"B"}}`),
		call(nest(MaxDepth + 1)),
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","NAME":"y"}}`,
		`{"a":1,"\u0061":2}`,
		`[{"a":[1,2,{"b":null,"c":"\ud83d\ude00"}]},-0.5e+3,true,false]`,
		`{"jsonrpc":"2.0","id":1,"method":"ada_live_Q7m2Xv9Lp4RtZk3","params":{}}`,
		`{"ID":"x","Method":"tools/lisT","METHOD":"\u0074ools/list"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMessage(t, data)
		wrapped := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":` + string(data) + `}}`)
		checkMessage(t, wrapped)
		if json.Valid(wrapped) {
			checkArguments(t, data, wrapped)
		}
	})
}

func checkMessage(t *testing.T, data []byte) {
	checkRename(t, data)
	out, p := Guard(data)
	s := getScanner(data)
	end, err := s.scan()
	s.release()
	ours := err == nil && len(bytes.TrimLeft(data[end:], " \t\r\n")) == 0
	if valid := json.Valid(data); ours != valid {
		t.Fatalf("scanner says valid=%v, encoding/json %v: %q", ours, valid, data)
	}
	if !ours {
		if p == nil && !bytes.Equal(out, data) {
			t.Fatalf("an untouched message changed: %q → %q", data, out)
		}
		return
	}
	field, toolCall := reference(t, data)
	if (p != nil) != (toolCall && field != nil) {
		t.Fatalf("refused: %+v; reference: tools/call %v, problem %v: %q", p, toolCall, field, data)
	}
	if p == nil {
		if !bytes.Equal(out, data) {
			t.Fatalf("an untouched message changed: %q → %q", data, out)
		}
		return
	}
	if want := *field; p.Field != want {
		t.Fatalf("field %q, reference %q: %q", p.Field, want, data)
	}
	if !json.Valid(out) {
		t.Fatalf("rewritten message is not JSON: %q → %q", data, out)
	}
	var req mcp.CallToolRequest
	if err := json.Unmarshal(out, &req); err != nil {
		return // mcp-go would reject the original too (a params that is no object, say)
	}
	if len(req.Params.RawArguments) > 0 && string(req.Params.RawArguments) != "{}" {
		t.Fatalf("arguments survived: %q → %q", data, out)
	}
	if req.Params.Meta == nil {
		t.Fatalf("no _meta: %q → %q", data, out)
	}
	if got, ok := Refused(req.Params.Meta.AdditionalFields); !ok || got != *p {
		t.Fatalf("_meta refusal %+v, want %+v: %q", got, p, out)
	}
}

// checkArguments: arguments let through decode, with Go's last-wins
// decoder, to exactly what the token stream holds.
func checkArguments(t *testing.T, data, wrapped []byte) {
	if _, p := Guard(wrapped); p != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fromTokens, err := tree(dec)
	if err != nil {
		t.Fatalf("tokens of valid JSON: %v", err)
	}
	var decoded any
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromTokens, decoded) {
		t.Fatalf("a value was lost: tokens %v, decoded %v: %q", fromTokens, decoded, data)
	}
}

// tree builds a value from Go's tokens, failing on a key seen twice
// (which Guard should have refused).
func tree(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if _, dup := m[k.(string)]; dup {
				return nil, &json.SyntaxError{}
			}
			if m[k.(string)], err = tree(dec); err != nil {
				return nil, err
			}
		}
		_, err = dec.Token()
		return m, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := tree(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err = dec.Token()
		return a, err
	}
	return tok, nil
}

// reference finds what Guard should, written plainly over encoding/json's
// tokens: whether the message is a tools/call, and the first problem.
func reference(t *testing.T, data []byte) (field *string, toolCall bool) {
	r := &ref{dec: json.NewDecoder(bytes.NewReader(data))}
	r.dec.UseNumber()
	if err := r.value(refTop, 0, nil, ""); err != nil {
		t.Fatalf("reference on valid JSON: %v", err)
	}
	return r.field, r.toolCall
}

type refRole int

const (
	refOther refRole = iota
	refTop
	refParams
	refArgs
	refMethod // the value of a top-level "method"
)

type ref struct {
	dec      *json.Decoder
	toolCall bool
	field    *string
	values   int // inside the arguments
}

func (r *ref) problem(f string) {
	if r.field == nil {
		r.field = &f
	}
}

// value reads one value in role; depth and path locate it in the arguments,
// name is the envelope key it stands under.
func (r *ref) value(role refRole, depth int, path []string, name string) error {
	if role == refArgs && depth > 1 && r.field == nil {
		if r.values++; r.values > MaxValues {
			r.problem("arguments")
		}
	}
	tok, err := r.dec.Token()
	if err != nil {
		return err
	}
	d, isDelim := tok.(json.Delim)
	if !isDelim {
		if role == refMethod && tok == "tools/call" {
			r.toolCall = true
		}
		return nil
	}
	switch {
	case role == refTop && d == '[', role == refMethod:
		role = refOther
	case role == refParams && d == '[':
		role = refOther
	case role == refArgs && r.field != nil:
		role = refOther
	case role == refArgs && depth > MaxDepth:
		r.problem(clip(strings.Join(path, ".")))
		role = refOther
	}
	// Below the arguments, depth and path grow; the arguments value itself
	// is level 1 at an empty path.
	under := func(seg string) (int, []string) {
		if role != refArgs {
			return 1, nil
		}
		if seg == "" {
			seg = `""`
		}
		return depth + 1, append(path[:len(path):len(path)], seg)
	}
	if d == '[' {
		for i := 0; r.dec.More(); i++ {
			cd, cp := under(strconv.Itoa(i))
			if err := r.value(childRole(role, ""), cd, cp, ""); err != nil {
				return err
			}
		}
		_, err := r.dec.Token()
		return err
	}
	var keys []string
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return err
		}
		k := tok.(string)
		if r.field == nil {
			for _, prev := range keys {
				switch {
				case role == refArgs && prev == k:
					r.problem(clip(strings.Join(append(path[:len(path):len(path)], segment(k)), ".")))
				case role == refTop && strings.EqualFold(prev, k):
					r.problem(clip(segment(k)))
				case role == refParams && strings.EqualFold(prev, k):
					r.problem(clip(segment(name) + "." + segment(k)))
				}
			}
		}
		keys = append(keys, k)
		cd, cp := under(k)
		if err := r.value(childRole(role, k), cd, cp, k); err != nil {
			return err
		}
	}
	_, err = r.dec.Token()
	return err
}

// childRole is the role of a value under key k (or an array item, k "")
// of a container in role.
func childRole(role refRole, k string) refRole {
	switch {
	case role == refTop && strings.EqualFold(k, "params"):
		return refParams
	case role == refTop && strings.EqualFold(k, "method"):
		return refMethod
	case role == refParams && strings.EqualFold(k, "arguments"):
		return refArgs
	case role == refArgs:
		return refArgs
	}
	return refOther
}

// first decodes the first JSON value of data into v, as Check reads only
// that one.
func first(data []byte, v any) error { return json.NewDecoder(bytes.NewReader(data)).Decode(v) }

// checkRename: Check is Guard, and renames the method of a request exactly
// when Go's decoder (as mcp-go reads the envelope, keys in any case) finds
// a string method it does not serve and an id; the renamed message is the
// same JSON but for the method.
func checkRename(t *testing.T, data []byte) {
	c := Check(data)
	g, p := Guard(data)
	if p != nil {
		if c.Problem == nil || *c.Problem != *p || !bytes.Equal(c.Msg, g) || c.RenamedMethod {
			t.Fatalf("Check %+v, Guard %q %+v: %q", c, g, p, data)
		}
		return
	}
	var env struct {
		ID     json.RawMessage `json:"id"`
		Method *string         `json:"method"`
	}
	want := first(data, &env) == nil && env.Method != nil &&
		len(env.ID) > 0 && string(env.ID) != "null" && !servedMethods[*env.Method]
	if c.RenamedMethod != want {
		t.Fatalf("renamed %v, want %v: %q", c.RenamedMethod, want, data)
	}
	if !want {
		if !bytes.Equal(c.Msg, data) {
			t.Fatalf("an untouched message changed: %q → %q", data, c.Msg)
		}
		return
	}
	var before, after map[string]any
	if first(data, &before) != nil || first(c.Msg, &after) != nil {
		t.Fatalf("renamed message is not an object: %q → %q", data, c.Msg)
	}
	var renamed struct {
		Method string `json:"method"`
	}
	if first(c.Msg, &renamed) != nil || renamed.Method != UnknownMethod {
		t.Fatalf("method %q after renaming: %q", renamed.Method, c.Msg)
	}
	for k := range before {
		if strings.EqualFold(k, "method") {
			delete(before, k)
			delete(after, k)
		}
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("renaming changed more than the method: %q → %q", data, c.Msg)
	}
}
