package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	adaserver "github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
)

// The minimal clients below send the same tools/call as the go-sdk client
// and decode just enough of the answer to check it: what is left is the
// server's own cost, comparable with the equally minimal direct call.

// rawStdio is a minimal client over OS pipes to an in-process stdio
// server, served as main serves it (with the line guard).
type rawStdio struct {
	w *os.File
	r *bufio.Reader
}

func startRawStdio(b testing.TB, s *server.MCPServer) *rawStdio {
	b.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = adaserver.ServeStdio(ctx, s, adaserver.StdioConfig{}, inR, outW)
	}()
	b.Cleanup(func() {
		cancel()
		inW.Close() // EOF ends Listen
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			b.Error("stdio server did not stop within 5s")
		}
		inR.Close()
		outW.Close()
		outR.Close()
	})
	c := &rawStdio{w: inW, r: bufio.NewReader(outR)}
	if _, err := c.roundTrip(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`); err != nil {
		b.Fatal(err)
	}
	if _, err := inW.WriteString(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"); err != nil {
		b.Fatal(err)
	}
	return c
}

// roundTrip writes one request line and reads lines until its response,
// which it decodes once (notifications, without an id, are skipped).
func (c *rawStdio) roundTrip(req string) (*reply, error) {
	if _, err := c.w.WriteString(req + "\n"); err != nil {
		return nil, err
	}
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		var msg reply
		if err := json.Unmarshal(line, &msg); err != nil {
			return nil, fmt.Errorf("decoding %.200s: %w", line, err)
		}
		if len(msg.ID) > 0 {
			msg.line = line
			return &msg, nil
		}
	}
}

func (e *env) rawStdioClients(n int) []*rawStdio {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.raw) < n {
		s, _ := e.mcpServer()
		e.raw = append(e.raw, startRawStdio(e.parent, s))
	}
	return e.raw[:n]
}

func (e *env) rawStdioCall(c *rawStdio) error { return e.rawStdioCallTool(c, "get_conversation") }

func (e *env) rawStdioCallTool(c *rawStdio, tool string) error {
	msg, err := c.roundTrip(e.toolCall(tool, ""))
	if err != nil {
		return err
	}
	return msg.check()
}

// rawSession opens (once per endpoint) a 2025-11-25 session over
// Streamable HTTP at url.
func (e *env) rawSession(b testing.TB, url string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if sid := e.rawSessionIDs[url]; sid != "" {
		return sid
	}
	resp, err := e.postMCP(context.Background(), url, `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || sid == "" {
		b.Fatalf("initialize: %d, session %q", resp.StatusCode, sid)
	}
	hdr := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
	resp, err = e.postMCP(context.Background(), url, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, hdr)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	e.rawSessionIDs[url] = sid
	return sid
}

// rawSessionCall calls tool at url in session sid.
func (e *env) rawSessionCall(ctx context.Context, url, sid, tool string) error {
	return e.postToolCall(ctx, url, e.toolCall(tool, ""), map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"})
}

// rawCall calls tool at url as one 2026-07-28 request: no session, the
// protocol version and client in _meta, method and tool mirrored in headers.
func (e *env) rawCall(ctx context.Context, url, tool string) error {
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	return e.postToolCall(ctx, url, e.toolCall(tool, meta),
		map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": tool})
}

// toolCall is a tools/call request for tool on the benchmark's
// conversation, with extra params fields (e.g. _meta) if given.
func (e *env) toolCall(tool, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{"conversation_id":"` + e.conversation + `"}` + extra + `}}`
}

func (e *env) postToolCall(ctx context.Context, url, body string, headers map[string]string) error {
	resp, err := e.postMCP(ctx, url, body, headers)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("raw tools/call: %d", resp.StatusCode)
	}
	return checkToolResult(b)
}

func (e *env) postMCP(ctx context.Context, url, body string, headers map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+authToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.direct.Do(req)
}

// reply is just enough of a JSON-RPC response to tell a successful tool
// call: the answer is decoded once, as the direct call decodes Ada's.
type reply struct {
	ID     json.RawMessage `json:"id"`
	Result *struct {
		IsError bool `json:"isError"`
	} `json:"result"`
	line []byte
}

func (r *reply) check() error {
	if r.Result == nil || r.Result.IsError {
		return fmt.Errorf("tools/call failed: %.200s", r.line)
	}
	return nil
}

func checkToolResult(b []byte) error {
	r := reply{line: b}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("tools/call failed: %v %.200s", err, b)
	}
	return r.check()
}

// floorTool is registered on the benchmark's servers only: it makes the
// direct call and returns Ada's body as it is, as structured content and
// text like our tools, so calling it measures mcp-go, the transport and the
// same payload with none of our code (arguments, adaclient, redaction, log).
const floorTool = "bench_floor"

// mcpServer is a new ada-mcp server on the benchmark's simulator, with the
// floor tool added.
func (e *env) mcpServer() (*server.MCPServer, []tools.Tool) {
	s, list, err := tools.NewServer(e.deps(), tools.Options{Version: "bench"})
	if err != nil {
		e.parent.Fatal(err)
	}
	e.addFloorTool(s)
	return s, list
}

func (e *env) addFloorTool(s *server.MCPServer) {
	tool := mcp.NewToolWithRawSchema(floorTool, "benchmark only", json.RawMessage(`{"type":"object"}`))
	s.AddTool(tool, func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		body, err := e.getDirectBody(ctx, e.direct)
		if err != nil {
			return nil, err
		}
		return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(string(body))}, StructuredContent: json.RawMessage(body)}, nil
	})
}
