package testclient

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

// ModernCall is one stateless 2026-07-28 tools/call with what a
// multi-round-trip answer carries: inputResponses and requestState (nil
// and "" leave them out). It returns the JSON-RPC result as decoded JSON.
type ModernCall func(tool string, args, responses map[string]any, state string) map[string]any

// Modern serves s over mcp-go's Streamable HTTP handler, for the test, and
// calls its tools as a 2026-07-28 client that declares elicitation when
// elicits is set. The requests are written here: go-sdk's client answers
// an input request itself, where these tests answer it, or replay one.
func Modern(t testing.TB, s *server.MCPServer, elicits bool) ModernCall {
	t.Helper()
	web := httptest.NewServer(server.NewStreamableHTTPServer(s))
	t.Cleanup(web.Close)
	caps := map[string]any{}
	if elicits {
		caps["elicitation"] = map[string]any{}
	}
	return func(tool string, args, responses map[string]any, state string) map[string]any {
		t.Helper()
		params := map[string]any{"name": tool, "arguments": args,
			"_meta": map[string]any{"io.modelcontextprotocol/protocolVersion": "2026-07-28",
				"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "t", "version": "1"},
				"io.modelcontextprotocol/clientCapabilities": caps}}
		if responses != nil {
			params["inputResponses"] = responses
		}
		if state != "" {
			params["requestState"] = state
		}
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
		req, _ := http.NewRequest(http.MethodPost, web.URL, bytes.NewReader(body))
		for k, v := range map[string]string{"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
			"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": tool} {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		text := string(raw)
		if i := strings.Index(text, "data: "); i >= 0 { // an event stream: its first event
			text = strings.TrimSpace(strings.SplitN(text[i+len("data: "):], "\n", 2)[0])
		}
		var out struct {
			Result map[string]any `json:"result"`
		}
		if err := json.Unmarshal([]byte(text), &out); err != nil || out.Result == nil {
			t.Fatalf("%s: %d: %v: %s", tool, resp.StatusCode, err, raw)
		}
		return out.Result
	}
}
