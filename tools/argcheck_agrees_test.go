package tools_test

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ada-mcp/ada-mcp/internal/argcheck"
	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
	"github.com/ada-mcp/ada-mcp/tools"
)

// argcheck reads arguments without decoding them, and knows only the
// keywords our schemas use; a full JSON Schema validator
// (santhosh-tekuri/jsonschema, draft 2020-12) is the reference it must
// agree with on every tool's schema: what argcheck accepts (after fixing
// an assistant's slips), the validator accepts; what argcheck refuses, the
// validator refuses as sent. Inputs the transport refuses first
// (duplicate keys, depth, jsonscan.Guard) are left out: the validator
// knows no such rules.
type agreement struct {
	name  string
	check *argcheck.Schema
	ref   *jsonschema.Schema
}

func agreementsOf(tb testing.TB) ([]tools.Tool, map[string]agreement) {
	tb.Helper()
	all := everyRegisteredTool(tb)
	out := map[string]agreement{}
	for _, tool := range all {
		raw, err := tool.ArgsSchema()
		if err != nil {
			tb.Fatal(err)
		}
		check, err := argcheck.Compile(raw)
		if err != nil {
			tb.Fatalf("%s: %v", tool.Name(), err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			tb.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("mem:///s.json", doc); err != nil {
			tb.Fatal(err)
		}
		ref, err := c.Compile("mem:///s.json")
		if err != nil {
			tb.Fatalf("%s: %v", tool.Name(), err)
		}
		out[tool.Name()] = agreement{tool.Name(), check, ref}
	}
	return all, out
}

// agree reports how argcheck and the validator disagree on args ("" when
// they agree, or when the transport would refuse args first).
func (a agreement) agree(args []byte) string {
	msg := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":` + string(args) + `}}`)
	if !json.Valid(args) || len(bytes.TrimSpace(args)) == 0 || bytes.Equal(bytes.TrimSpace(args), []byte("null")) {
		return ""
	}
	if _, p := jsonscan.Guard(msg); p != nil {
		return ""
	}
	fixed, err := a.check.Check(args)
	if err == nil {
		if verr := a.validate(fixed); verr != nil {
			return "argcheck accepted it (as " + string(fixed) + "), the validator did not: " + verr.Error()
		}
		return ""
	}
	if _, ok := err.(*argcheck.Error); !ok {
		return "argcheck's error is not an *argcheck.Error: " + err.Error()
	}
	if a.validate(args) == nil {
		return "argcheck refused it (" + err.Error() + "), the validator accepted it"
	}
	return ""
}

func (a agreement) validate(doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return a.ref.Validate(v)
}

// TestArgcheckAgreesWithJSONSchema tries every tool's seeds and, for each,
// every value replaced by a value of each JSON type (and of a size past the
// default bounds), every key removed and an unknown key added.
func TestArgcheckAgreesWithJSONSchema(t *testing.T) {
	all, agreements := agreementsOf(t)
	tried := 0
	for _, tool := range all {
		a := agreements[tool.Name()]
		for _, seed := range schemaSeeds(tool) {
			for _, v := range variants(seed) {
				tried++
				if why := a.agree(v); why != "" {
					t.Errorf("%s %.300s: %.600s", tool.Name(), v, why)
				}
			}
		}
	}
	if tried < 1000 {
		t.Fatalf("only %d inputs tried", tried)
	}
	t.Logf("%d inputs, all agreed", tried)
}

// FuzzArgcheckAgreesWithJSONSchema is the same property on any input.
func FuzzArgcheckAgreesWithJSONSchema(f *testing.F) {
	all, agreements := agreementsOf(f)
	for _, tool := range all {
		for _, seed := range schemaSeeds(tool) {
			f.Add(tool.Name(), seed)
		}
	}
	f.Add("lookup_end_user", []byte(`{"external_id":"\u0041\ud83d\ude00"}`))
	f.Add("list_end_users", []byte(`{"limit":"25"}`))
	f.Fuzz(func(t *testing.T, name string, args []byte) {
		a := agreements[pickTool(all, name).Name()]
		if why := a.agree(args); why != "" {
			t.Fatalf("%s %.300s: %.600s", a.name, args, why)
		}
	})
}

// replacements are values of every JSON type, some past the bounds that
// schemas.Bounded adds.
var replacements = []any{"x", "", "25", "true", `{"a":1}`, strings.Repeat("y", 4097), 0, 7, -3, 1.5, 100, 101, 1e300,
	true, false, nil, map[string]any{}, []any{}, []any{"x"}, []any{1, 2}, map[string]any{"zz_unknown": 1},
	map[string]any{"id": "x"}}

// variants are seed's neighbours: each value (at any depth) replaced by
// each replacement, each key removed, an unknown key added to each object.
func variants(seed []byte) [][]byte {
	var root any
	if json.Unmarshal(seed, &root) != nil {
		return nil
	}
	out := [][]byte{seed}
	emit := func() {
		b, _ := json.Marshal(root)
		out = append(out, b)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				old := x[k]
				for _, r := range replacements {
					x[k] = r
					emit()
				}
				delete(x, k)
				emit()
				x[k] = old
				walk(old)
			}
			x["zz_unknown"] = "x"
			emit()
			delete(x, "zz_unknown")
		case []any:
			for i, old := range x {
				for _, r := range replacements {
					x[i] = r
					emit()
				}
				x[i] = old
				walk(old)
			}
		}
	}
	walk(root)
	return out
}
