package jsonscan

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// call is a tools/call of tool t with these arguments (raw JSON).
func call(args string) string {
	return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"upsert_end_user","arguments":` + args + `,"_meta":{"progressToken":"p1"}}}`
}

func TestGuardRefusesDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		name, msg, field string
	}{
		{"top level", call(`{"external_id":"a","external_id":"b"}`), "external_id"},
		{"nested", call(`{"external_id":"a","profile":{"first_name":"A","last_name":"L","first_name":"B"}}`), "profile.first_name"},
		{"in an array", call(`{"ids":[{"a":1},{"a":1,"b":2,"a":3}]}`), "ids.1.a"},
		{"escaped", call(`{"a":1,"\u0061":2}`), "a"},
		{"escaped slash", call(`{"a/b":1,"a\/b":2}`), "a/b"},
		{"invalid UTF-8 both read as U+FFFD", call("{\"\xff\":1,\"\xfe\":2}"), "\uFFFD"},
		{"lone surrogates both read as U+FFFD", call(`{"\ud800":1,"\udc00":2}`), "\uFFFD"},
		{"many keys", call(`{` + manyKeys(40) + `,"k7":0}`), "k7"},
		{"method after params", `{"params":{"name":"x","arguments":{"a":1,"a":2}},"id":1,"method":"tools/call","jsonrpc":"2.0"}`, "a"},
		{"escaped method", `{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"x","arguments":{"a":1,"a":2}}}`, "a"},
		{"case-variant arguments key", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","Arguments":{"a":1,"a":2}}}`, "a"},
		{"arguments twice", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1},"ARGUMENTS":{"a":2}}}`, "params.ARGUMENTS"},
		{"name twice", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_end_user","name":"delete_end_user","arguments":{}}}`, "params.name"},
		{"params twice", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1}},"params":{"name":"x"}}`, "params"},
		{"id twice, no params", `{"jsonrpc":"2.0","id":1,"Id":2,"method":"tools/call"}`, "Id"},
		{"long s folds to S", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{}},"paramſ":{"name":"y"}}`, "paramſ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, p := Guard([]byte(tc.msg))
			if p == nil {
				t.Fatalf("not refused: %s", tc.msg)
			}
			if p.Field != tc.field {
				t.Errorf("field = %q, want %q (%s)", p.Field, tc.field, p.Reason)
			}
			checkRefusal(t, out, *p)
		})
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":0`)
	}
	return b.String()
}

// checkRefusal decodes a rewritten call as mcp-go does and checks that the
// tool sees no arguments and the problem.
func checkRefusal(t *testing.T, out []byte, want Problem) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("rewritten message is not JSON: %s", out)
	}
	var req mcp.CallToolRequest
	if err := json.Unmarshal(out, &req); err != nil {
		t.Fatalf("mcp-go cannot read the rewritten call: %v\n%s", err, out)
	}
	if len(req.Params.RawArguments) > 0 && string(req.Params.RawArguments) != "{}" {
		t.Errorf("arguments survived: %s", req.Params.RawArguments)
	}
	if req.Params.Meta == nil {
		t.Fatalf("no _meta: %s", out)
	}
	got, ok := Refused(req.Params.Meta.AdditionalFields)
	if !ok || got != want {
		t.Errorf("refusal in _meta = %+v, %v; want %+v\n%s", got, ok, want, out)
	}
}

func TestGuardKeepsTheRestOfTheCall(t *testing.T) {
	out, p := Guard([]byte(call(`{"a":1,"a":2}`)))
	if p == nil {
		t.Fatal("not refused")
	}
	var req struct {
		ID int `json:"id"`
		mcp.CallToolRequest
	}
	if err := json.Unmarshal(out, &req); err != nil {
		t.Fatal(err)
	}
	if req.ID != 7 || req.Params.Name != "upsert_end_user" || req.Params.Meta.ProgressToken != "p1" {
		t.Errorf("id %v, name %q, progress token %v: %s", req.ID, req.Params.Name, req.Params.Meta.ProgressToken, out)
	}
	// A 2026-era call keeps the protocol version mcp-go reads from _meta.
	modern := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`
	out, _ = Guard([]byte(modern))
	want := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","ada-mcp/refused":`
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("rewritten:\n%s\nwant prefix\n%s", out, want)
	}
}

func TestGuardShapesOfParamsAndMeta(t *testing.T) {
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2},"_meta":null}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2},"_meta":{}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"ada-mcp/refused":1},"arguments":{"a":1,"a":2}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1}},"PARAMS":{"arguments":{"b":1}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":null,"params":{"name":"x","arguments":{"b":1}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"b":1}},"params":null}`,
		` {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,{"b":1,"b":1}]}}} trailing`,
	} {
		out, p := Guard([]byte(msg))
		if p == nil {
			t.Errorf("not refused: %s", msg)
			continue
		}
		first := out
		if i := strings.LastIndex(string(out), "}"); strings.HasSuffix(msg, "trailing") {
			first = out[:i+1]
		}
		checkRefusal(t, first, *p)
	}
}

func TestGuardPassesEverythingElseUntouched(t *testing.T) {
	for _, msg := range []string{
		call(`{"external_id":"a","profile":{"first_name":"A","First_Name":"B"}}`), // case matters inside arguments
		call(`{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}`),
		`{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"p","arguments":{"a":"1","a":"2"}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"Tools/Call","params":{"name":"x","arguments":{"a":1,"a":2}}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"a":1,"a":2}}`,
		`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2}}}]`, // mcp-go refuses batches
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2}}`,    // not JSON: the server says so
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":01}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":"` + "\x01" + `"}}}`,
		``, `   `, `null`, `"tools/call"`,
	} {
		out, p := Guard([]byte(msg))
		if p != nil || string(out) != msg {
			t.Errorf("changed: %s\n→ %s (%+v)", msg, out, p)
		}
	}
	// The same slice, not a copy.
	in := []byte(call(`{"a":1}`))
	if out, _ := Guard(in); &out[0] != &in[0] {
		t.Error("an untouched message was copied")
	}
}

// nest is an arguments value n levels deep: {"a":{"a":...{}}}.
func nest(n int) string {
	return strings.Repeat(`{"a":`, n-1) + `{}` + strings.Repeat(`}`, n-1)
}

func TestGuardBoundsDepth(t *testing.T) {
	if _, p := Guard([]byte(call(nest(MaxDepth)))); p != nil {
		t.Fatalf("depth %d refused: %+v", MaxDepth, p)
	}
	out, p := Guard([]byte(call(nest(MaxDepth + 1))))
	if p == nil {
		t.Fatalf("depth %d not refused", MaxDepth+1)
	}
	if want := strings.TrimSuffix(strings.Repeat("a.", MaxDepth), "."); p.Field != want || !strings.Contains(p.Reason, "32 levels") {
		t.Errorf("problem %+v, want field %s", p, want)
	}
	checkRefusal(t, out, *p)
	// Arrays count too, and the path names their indexes.
	arr := `{"x":` + strings.Repeat(`[0,`, MaxDepth) + `1` + strings.Repeat(`]`, MaxDepth) + `}`
	if _, p := Guard([]byte(call(arr))); p == nil || !strings.HasPrefix(p.Field, "x.1.1.1") {
		t.Errorf("deep arrays: %+v", p)
	}
	// Deeper than Go reads at all is not JSON: left for the server to reject.
	deep := call(strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting))
	if out, p := Guard([]byte(deep)); p != nil || string(out) != deep {
		t.Error("a message Go cannot read was rewritten")
	}
}

func TestRefused(t *testing.T) {
	if _, ok := Refused(map[string]any{"progressToken": 1}); ok {
		t.Error("refused without the key")
	}
	p, ok := Refused(map[string]any{MetaKey: "by the client"})
	if !ok || !strings.Contains(p.Field, MetaKey) {
		t.Errorf("a client's own key: %+v %v", p, ok)
	}
}

func TestLeadingID(t *testing.T) {
	for _, tc := range []struct {
		prefix, id string
	}{
		{`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"arguments":{"content_base64":"AAAA`, "42"},
		{`{"jsonrpc":"2.0","ID":"abc","params":`, `"abc"`},
		{` { "method" : "tools/call" , "id" : -1.5e3 , "params": {`, "-1.5e3"},
		{`{"jsonrpc":"2.0","meta":{"x":[1,{"id":9}]},"id":3,"params":`, "3"},
		{`{"jsonrpc":"2.0","method":"tools/call","params":{"arguments":{"a":"`, ""}, // id at the end
		{`{"jsonrpc":"2.0","id":12`, ""},                                            // the number may go on
		{`{"jsonrpc":"2.0","id":"ab`, ""},
		{`{"jsonrpc":"2.0","id":{"a":1},"params":`, ""},
		{`{"jsonrpc":"2.0","id":null,"params":`, ""},
		{`[{"id":1}]`, ""},
		{`{"id`, ""},
	} {
		id, ok := LeadingID([]byte(tc.prefix))
		if string(id) != tc.id || ok != (tc.id != "") {
			t.Errorf("LeadingID(%s) = %s, %v; want %s", tc.prefix, id, ok, tc.id)
		}
	}
}

func TestGuardBoundsValues(t *testing.T) {
	zeros := func(n int) string { return `{"a":[` + strings.TrimSuffix(strings.Repeat("0,", n), ",") + `]}` }
	// The array and its items: MaxValues in all pass.
	if _, p := Guard([]byte(call(zeros(MaxValues - 1)))); p != nil {
		t.Fatalf("%d values refused: %+v", MaxValues, p)
	}
	out, p := Guard([]byte(call(zeros(MaxValues))))
	if p == nil || p.Field != "arguments" || !strings.Contains(p.Reason, "more than 20000 values") {
		t.Fatalf("%d values: %+v", MaxValues+1, p)
	}
	checkRefusal(t, out, *p)
	// Empty objects cost the most for the fewest bytes.
	empties := `{"a":[` + strings.TrimSuffix(strings.Repeat("{},", MaxValues), ",") + `]}`
	if _, p := Guard([]byte(call(empties))); p == nil {
		t.Fatal("empty objects not counted")
	}
}

func TestCheckRenamesUnknownMethods(t *testing.T) {
	for _, tc := range []struct{ msg, want string }{
		{`{"jsonrpc":"2.0","id":1,"method":"ada_live_Q7m2Xv9Lp4RtZk3","params":{}}`,
			`{"jsonrpc":"2.0","id":1,"method":"(a method this server does not serve)","params":{}}`},
		{`{"jsonrpc":"2.0","method":"Tools/Call","ID":"a"}`, `{"jsonrpc":"2.0","method":"(a method this server does not serve)","ID":"a"}`},
		{`{"id":0,"method":"\u0074ools/lisT"}`, `{"id":0,"method":"(a method this server does not serve)"}`},
	} {
		c := Check([]byte(tc.msg))
		if string(c.Msg) != tc.want || !c.RenamedMethod || c.Problem != nil {
			t.Errorf("%s → %s (%+v)", tc.msg, c.Msg, c)
		}
	}
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":1,"method":"\u0074ools/list"}`,
		`{"jsonrpc":"2.0","method":"notifications/whatever"}`, // a notification: nothing is answered
		`{"jsonrpc":"2.0","id":null,"method":"x"}`,
		`{"jsonrpc":"2.0","id":1,"result":{}}`,
		`{"jsonrpc":"2.0","id":1,"method":7}`, // not a string: mcp-go refuses it without repeating it
		`{"jsonrpc":"2.0","id":1,"method":"x"`,
	} {
		if c := Check([]byte(msg)); string(c.Msg) != msg || c.RenamedMethod {
			t.Errorf("changed: %s → %s", msg, c.Msg)
		}
	}
	// A refused tools/call is Guard's answer.
	msg := call(`{"a":1,"a":2}`)
	c := Check([]byte(msg))
	g, p := Guard([]byte(msg))
	if c.Problem == nil || *c.Problem != *p || string(c.Msg) != string(g) {
		t.Errorf("Check %+v, Guard %s %+v", c, g, p)
	}
	for _, m := range ServedMethods() {
		msg := `{"jsonrpc":"2.0","id":1,"method":"` + m + `"}`
		if c := Check([]byte(msg)); c.RenamedMethod {
			t.Errorf("%s renamed", m)
		}
	}
}

// Check gives a request's id as written, the last "id" key's (as
// encoding/json keeps the last), and none when the message is more than
// one JSON value (the server answers that to id null).
func TestCheckID(t *testing.T) {
	for _, c := range []struct{ msg, id string }{
		{`{"jsonrpc":"2.0","id":7,"method":"ping"}`, `7`},
		{`{"jsonrpc":"2.0","method":"ping","id":"a\"b"}` + "\n", `"a\"b"`},
		{`{"jsonrpc":"2.0","id":1,"ID":2,"method":"tools/list"}`, `2`},
		{`{"jsonrpc":"2.0","id":3,"method":"no/such"}`, `3`},
		{`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2}}}`, `4`},
		{`{"jsonrpc":"2.0","id":5,"method":"ping"} x`, ``},
		{`{"jsonrpc":"2.0","id":5,"method":"ping"}{}`, ``},
		{`{"jsonrpc":"2.0","id":null,"method":"ping"}`, ``},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, ``},
		{`{"jsonrpc":"2.0","id":6,"result":{}}`, ``},
		// mcp-go takes a message with a result for an answer, and answers
		// nothing back, even with a method: not a request to wait for.
		{`{"jsonrpc":"2.0","id":8,"method":"ping","result":{}}`, ``},
		{`{"jsonrpc":"2.0","id":9,"method":"ping","Result":0}`, ``},
		{`{"jsonrpc":"2.0","id":10,"method":"ping","result":null}`, `10`},
	} {
		if got := string(Check([]byte(c.msg)).ID); got != c.id {
			t.Errorf("Check(%s).ID = %s, want %s", c.msg, got, c.id)
		}
	}
}
