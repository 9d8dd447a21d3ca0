package server

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
)

// A method name is whatever the client wrote, a key pasted by mistake
// included: a request for a method the server does not serve is answered
// METHOD_NOT_FOUND without repeating the name, over stdio and over HTTP in
// both eras.
const methodCanary = "ada_live_M3thodCanary9Zq"

func TestUnknownMethodIsNotRepeated(t *testing.T) {
	check := func(t *testing.T, where string, code int, message string) {
		t.Helper()
		if code != mcp.METHOD_NOT_FOUND {
			t.Errorf("%s: code %d, want %d (%s)", where, code, mcp.METHOD_NOT_FOUND, message)
		}
		if strings.Contains(message, methodCanary) || strings.Contains(message, methodCanary[:12]) {
			t.Errorf("%s: the error repeats the method: %s", where, message)
		}
	}
	t.Run("stdio", func(t *testing.T) {
		m, _ := newToolsMCP(t)
		in := `{"jsonrpc":"2.0","id":1,"method":"` + methodCanary + `","params":{}}` + "\n" +
			`{"jsonrpc":"2.0","id":2,"method":"ping"}` + "\n"
		// Requests are served concurrently: the answers come in any order.
		byID := map[string]rpcResponse{}
		for _, r := range serveRaw(t, m, StdioConfig{}, strings.NewReader(in))(2) {
			byID[string(r.ID)] = r
		}
		unknown, ping := byID["1"], byID["2"]
		if unknown.Error == nil || ping.Error != nil || ping.Result == nil {
			t.Fatalf("responses %+v", byID)
		}
		check(t, "stdio", unknown.Error.Code, unknown.Error.Message)
	})
	t.Run("http 2025-11-25", func(t *testing.T) {
		m, _ := newToolsMCP(t)
		r := start(t, Config{Transport: TransportHTTP}, m)
		init := post(t, r.url+"/mcp", []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`), nil)
		sid := init.Header.Get("Mcp-Session-Id")
		if sid == "" {
			t.Fatalf("initialize: %d, no session", init.StatusCode)
		}
		resp := post(t, r.url+"/mcp", []byte(`{"jsonrpc":"2.0","id":2,"method":"`+methodCanary+`","params":{}}`),
			map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"})
		code, msg := rpcErrorOf(t, resp.Body)
		check(t, "http 2025-11-25", code, msg)
	})
	t.Run("http 2026-07-28", func(t *testing.T) {
		m, _ := newToolsMCP(t)
		r := start(t, Config{Transport: TransportHTTP}, m)
		meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
		resp := post(t, r.url+"/mcp", []byte(`{"jsonrpc":"2.0","id":2,"method":"`+methodCanary+`","params":{`+meta+`}}`),
			map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": methodCanary})
		code, msg := rpcErrorOf(t, resp.Body)
		check(t, "http 2026-07-28", code, msg)
	})
}

// rpcErrorOf reads a JSON-RPC error from a response body, plain JSON or
// one server-sent event.
func rpcErrorOf(t *testing.T, body io.Reader) (int, string) {
	t.Helper()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if i := strings.Index(text, "data: "); i >= 0 {
		text = strings.TrimSpace(strings.SplitN(text[i+len("data: "):], "\n", 2)[0])
	}
	var r rpcResponse
	if err := json.Unmarshal([]byte(text), &r); err != nil || r.Error == nil {
		t.Fatalf("not a JSON-RPC error: %v: %.300s", err, b)
	}
	return r.Error.Code, r.Error.Message
}

// Every method jsonscan.Check leaves alone is one mcp-go dispatches
// (renaming one would break it): none is answered "Method X not found"
// (mcp-go answers a capability this server lacks with the same code, and
// its own message).
func TestServedMethodsAreServed(t *testing.T) {
	m, _ := newToolsMCP(t)
	var in strings.Builder
	methods := jsonscan.ServedMethods()
	for i, method := range methods {
		in.WriteString(`{"jsonrpc":"2.0","id":` + strconv.Itoa(i+1) + `,"method":"` + method + `","params":{}}` + "\n")
	}
	for i, r := range serveRaw(t, m, StdioConfig{}, strings.NewReader(in.String()))(len(methods)) {
		if r.Error != nil && strings.HasPrefix(r.Error.Message, "Method ") && strings.HasSuffix(r.Error.Message, " not found") {
			t.Errorf("response %d (of %v): %s", i, methods, r.Error.Message)
		}
	}
}

// A 2026-07-28 request whose Mcp-Method or Mcp-Name header disagrees with
// its body is refused (HEADER_MISMATCH) without quoting either: mcp-go's
// own error would repeat a tool name, URI or method the caller wrote.
func TestHeaderMismatchIsNotRepeated(t *testing.T) {
	m, _ := newToolsMCP(t)
	r := start(t, Config{Transport: TransportHTTP}, m)
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	for _, tc := range []struct{ name, body, method, mcpName string }{
		{"tool name in the body", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"` + methodCanary + `","arguments":{},` + meta + `}}`, "tools/call", "get_capabilities"},
		{"tool name in the header", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_capabilities","arguments":{},` + meta + `}}`, "tools/call", methodCanary},
		{"URI in the body", `{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"` + methodCanary + `",` + meta + `}}`, "resources/read", "ada://x"},
		{"method in the header", `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{` + meta + `}}`, methodCanary, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": tc.method}
			if tc.mcpName != "" {
				h["Mcp-Name"] = tc.mcpName
			}
			resp := post(t, r.url+"/mcp", []byte(tc.body), h)
			if resp.StatusCode != 400 {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			code, msg := rpcErrorOf(t, resp.Body)
			if code != mcp.HEADER_MISMATCH {
				t.Errorf("code %d, want %d (%s)", code, mcp.HEADER_MISMATCH, msg)
			}
			if strings.Contains(msg, methodCanary[:12]) {
				t.Errorf("the error repeats what the caller wrote: %s", msg)
			}
		})
	}
}
