// Package testclient connects the official MCP Go SDK client
// (github.com/modelcontextprotocol/go-sdk), a client we did not write, to
// our server in tests, and offers small helpers to call tools.
package testclient

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Session is a go-sdk client session that checks every successful tool
// result against the tool's declared output schema, as the TypeScript SDK
// (and so most MCP hosts) does; the go-sdk client itself does not.
type Session struct {
	*mcp.ClientSession
	t       testing.TB
	outputs map[string]*jsonschema.Schema
	// fenced: the server said (in its instructions) that it fences
	// results holding outside text; every nonce seen must be new.
	fenced bool
	mu     sync.Mutex
	nonces map[string]bool
}

// OwnData are the tools whose results hold only the server's own data: the
// only ones whose text is plain JSON when the server fences.
var OwnData = map[string]bool{"get_capabilities": true}

// Connect serves s over its stdio transport through in-memory pipes and
// returns a go-sdk client session on it. Everything stops at test cleanup.
func Connect(t testing.TB, s *server.MCPServer, opts *mcp.ClientOptions) *Session {
	t.Helper()
	return ConnectVersion(t, s, opts, "")
}

// ConnectVersion is Connect with the protocol version the client asks for
// ("" for its newest).
func ConnectVersion(t testing.TB, s *server.MCPServer, opts *mcp.ClientOptions, version string) *Session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	clientToServerR, clientToServerW := io.Pipe()
	serverToClientR, serverToClientW := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.NewStdioServer(s).Listen(ctx, clientToServerR, serverToClientW)
		serverToClientW.Close()
	}()
	c := mcp.NewClient(&mcp.Implementation{Name: "go-sdk-test", Version: "1"}, opts)
	cs, err := c.Connect(ctx, &mcp.IOTransport{Reader: serverToClientR, Writer: clientToServerW}, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		cancel()
		t.Fatalf("connecting the go-sdk client: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		cancel()
		clientToServerR.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("stdio server did not stop within 5s")
		}
	})
	return Wrap(t, cs)
}

// Wrap adds output-schema checking to any go-sdk session (stdio, SSE,
// Streamable HTTP).
func Wrap(t testing.TB, cs *mcp.ClientSession) *Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	s := &Session{ClientSession: cs, t: t, outputs: map[string]*jsonschema.Schema{}, nonces: map[string]bool{}}
	if init := cs.InitializeResult(); init != nil {
		s.fenced = strings.Contains(init.Instructions, "<untrusted-data-")
	}
	for _, tool := range list.Tools {
		if tool.OutputSchema == nil {
			continue
		}
		b, err := json.Marshal(tool.OutputSchema)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s output schema: %v", tool.Name, err)
		}
		c := jsonschema.NewCompiler()
		url := "mem:///" + tool.Name + ".json"
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		if s.outputs[tool.Name], err = c.Compile(url); err != nil {
			t.Fatalf("%s output schema does not compile: %v", tool.Name, err)
		}
	}
	return s
}

// Call calls a tool; a protocol error fails the test (our server only
// returns one for a bug), and so does a success whose structured content
// breaks the tool's output schema.
func (s *Session) Call(name string, args any) *mcp.CallToolResult {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	return s.CallWith(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
}

// CallWith is Call with the caller's context and parameters (a progress
// token, say).
func (s *Session) CallWith(ctx context.Context, p *mcp.CallToolParams) *mcp.CallToolResult {
	s.t.Helper()
	res, err := s.CallTool(ctx, p)
	if err != nil {
		s.t.Fatalf("%s: protocol error: %v", p.Name, err)
	}
	if !res.IsError {
		s.checkFence(p.Name, res)
		if sch := s.outputs[p.Name]; sch != nil {
			b, _ := json.Marshal(res.StructuredContent)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				s.t.Fatalf("%s: structured content is not JSON: %v", p.Name, err)
			}
			if err := sch.Validate(doc); err != nil {
				s.t.Fatalf("%s: structured content breaks the output schema: %v\n%s", p.Name, err, b)
			}
		}
	}
	return res
}

// checkFence checks that a successful result's text is fenced exactly when
// it should be, with a nonce never seen before in this session.
func (s *Session) checkFence(name string, res *mcp.CallToolResult) {
	s.t.Helper()
	text := Text(res)
	_, nonce, _, fenced := Unfence(text)
	want := s.fenced && !OwnData[name]
	if fenced != want {
		s.t.Fatalf("%s: text fenced = %v, want %v (server fences: %v):\n%s", name, fenced, want, s.fenced, text)
	}
	if !fenced {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonces[nonce] {
		s.t.Fatalf("%s: the fence's nonce %s was used before in this session", name, nonce)
	}
	s.nonces[nonce] = true
}

// Unfence splits a fenced text content: a note line, then the JSON between
// <untrusted-data-NONCE> and </untrusted-data-NONCE> on lines of their own,
// NONCE at least 8 hex digits that the JSON does not contain. ok is false
// for any other text. (Written from the README, not from the server's code.)
func Unfence(text string) (note, nonce, doc string, ok bool) {
	m := fenceOpen.FindStringSubmatch(text)
	if m == nil {
		return "", "", "", false
	}
	note, nonce = m[1], m[2]
	doc, ok = strings.CutSuffix(text[len(m[0]):], "\n</untrusted-data-"+nonce+">")
	if !ok || strings.Contains(doc, nonce) || strings.HasPrefix(note, "{") {
		return "", "", "", false
	}
	return note, nonce, doc, true
}

var fenceOpen = regexp.MustCompile(`\A([^\n]+)\n<untrusted-data-([0-9a-f]{8,})>\n`)

// OK calls a tool, fails the test on an isError result, and decodes the
// structured content into a generic map.
func (s *Session) OK(name string, args any) map[string]any {
	s.t.Helper()
	res := s.Call(name, args)
	if res.IsError {
		s.t.Fatalf("%s(%v) failed: %s", name, args, Text(res))
	}
	var m map[string]any
	Decode(s.t, res, &m)
	return m
}

// Err calls a tool that must fail with an isError result and returns its
// message.
func (s *Session) Err(name string, args any) string {
	s.t.Helper()
	res := s.Call(name, args)
	if !res.IsError {
		s.t.Fatalf("%s(%v) succeeded, want an isError result: %s", name, args, Text(res))
	}
	return Text(res)
}

// Decode re-encodes the structured content into v, and checks the text
// content carries the same JSON, plain or fenced.
func Decode(t testing.TB, res *mcp.CallToolResult, v any) {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("structured content %s: %v", b, err)
	}
	text := Text(res)
	if _, _, doc, ok := Unfence(text); ok {
		text = doc
	}
	var fromText, fromStructured any
	if err := json.Unmarshal([]byte(text), &fromText); err != nil {
		t.Fatalf("text content is not the JSON result: %q", Text(res))
	}
	_ = json.Unmarshal(b, &fromStructured)
	if !reflect.DeepEqual(fromText, fromStructured) {
		t.Fatalf("text content differs from structured content:\n%s\n%s", Text(res), b)
	}
}

// Text joins the text content blocks.
func Text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}
