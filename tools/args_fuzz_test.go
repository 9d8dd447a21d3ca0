package tools_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
	"github.com/ada-mcp/ada-mcp/tools"
)

// FuzzArgs feeds any JSON to any tool's argument decoding and validation
// (the tool named, or for a name that is none, one picked by its bytes, so
// corpus files keep their tool as tools are added), as the wire (raw) or
// an in-process client
// (decoded values only) delivers it. It must not panic; what it accepts
// must come back the same after being encoded and decoded again; what it
// refuses must name a field the assistant can find.
func FuzzArgs(f *testing.F) {
	all := everyRegisteredTool(f)
	for _, tool := range all {
		for _, seed := range schemaSeeds(tool) {
			f.Add(tool.Name(), true, seed)
		}
	}
	f.Add("send_message", true, []byte(`[]`))
	f.Add("list_end_users", true, []byte(`null`))
	f.Add("lookup_end_user", false, []byte(`"x"`))
	f.Fuzz(func(t *testing.T, name string, raw bool, args []byte) {
		tool := pickTool(all, name)
		p, ok := callParams(tool.Name(), args, raw)
		if !ok {
			return // not JSON: mcp-go refuses the request before any tool
		}
		got, err := tool.ParseArgs(p)
		if err != nil {
			checkNamesField(t, tool, p, err)
			return
		}
		enc, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("%s accepted %s but its arguments do not encode: %v", tool.Name(), args, err)
		}
		back, err := tool.ParseArgs(mcp.CallToolParams{Name: tool.Name(), Arguments: decodeAny(t, enc), RawArguments: enc})
		if err != nil {
			t.Fatalf("%s accepted %s, then refused its own encoding %s: %v", tool.Name(), args, enc, err)
		}
		if again, _ := json.Marshal(back); !bytes.Equal(enc, again) {
			t.Fatalf("%s: %s decodes to %s, which decodes to %s", tool.Name(), args, enc, again)
		}
	})
}

// everyRegisteredTool is every tool of every toolset, by name.
func everyRegisteredTool(tb testing.TB) []tools.Tool {
	tb.Helper()
	var all []tools.Tool
	for _, set := range tools.Toolsets(&tools.Deps{}) {
		all = append(all, set.Tools()...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all
}

// pickTool is the tool named, or one chosen by the name's bytes.
func pickTool(all []tools.Tool, name string) tools.Tool {
	sum := 0
	for _, t := range all {
		if t.Name() == name {
			return t
		}
	}
	for i := 0; i < len(name); i++ {
		sum += int(name[i])
	}
	return all[sum%len(all)]
}

// callParams builds what the handler receives: from the wire both the raw
// bytes and mcp-go's decoding of them, from an in-process client only the
// decoded values (numbers as float64).
func callParams(name string, args []byte, raw bool) (mcp.CallToolParams, bool) {
	p := mcp.CallToolParams{Name: name}
	if len(args) == 0 {
		return p, true // no arguments at all
	}
	if !json.Valid(args) {
		return p, false
	}
	if err := json.Unmarshal(args, &p.Arguments); err != nil {
		return p, false
	}
	if raw {
		p.RawArguments = append(json.RawMessage(nil), args...)
	}
	return p, true
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// checkNamesField fails unless err is an argument error whose field is the
// arguments as a whole, one of the tool's properties or a key that was
// sent (an unknown one), and the message shown names it.
func checkNamesField(t *testing.T, tool tools.Tool, p mcp.CallToolParams, err error) {
	t.Helper()
	var field string
	var arg *schemas.ArgumentError
	var invalid *adaclient.ValidationError
	switch {
	case errors.As(err, &arg):
		field = arg.Field
	case errors.As(err, &invalid):
		field = invalid.Field
	default:
		t.Fatalf("%s refused %v with %T, which names no field: %v", tool.Name(), p.Arguments, err, err)
	}
	known := []string{"arguments"}
	var props struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(tool.Definition.RawInputSchema, &props)
	for k := range props.Properties {
		known = append(known, k)
	}
	if m, ok := p.Arguments.(map[string]any); ok {
		for k := range m {
			known = append(known, k)
		}
	}
	named := false
	for _, k := range known {
		named = named || field == k || strings.HasPrefix(field, k+".") || strings.HasPrefix(field, k+"[")
	}
	if !named {
		t.Fatalf("%s: the error names %q, neither an argument of the tool nor one sent: %v", tool.Name(), field, err)
	}
	if msg := tools.ErrorText(err); !strings.Contains(msg, field) {
		t.Fatalf("%s: the message does not name the field %q: %s", tool.Name(), field, msg)
	}
}
