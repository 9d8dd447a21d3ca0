package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/tools"
)

const simKey = "ada_test_key_0123456789"

// countingAda is the simulator, counting the requests that reach it.
type countingAda struct {
	sim      *adasim.Sim
	requests atomic.Int64
}

func (c *countingAda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.requests.Add(1)
	c.sim.ServeHTTP(w, r)
}

// newToolsMCP is our real MCP server, its tools talking to a counted
// simulator.
func newToolsMCP(t *testing.T) (*mcpserver.MCPServer, *countingAda) {
	t.Helper()
	ada := &countingAda{sim: adasim.New(adasim.Options{APIKey: simKey})}
	t.Cleanup(ada.sim.Close)
	srv := httptest.NewServer(ada)
	t.Cleanup(srv.Close)
	client, err := adaclient.New(srv.URL+"/api", simKey)
	if err != nil {
		t.Fatal(err)
	}
	deps := &tools.Deps{Client: client, Redactor: redact.New(redact.WithSecrets(simKey)), Logger: discard,
		DefaultChannelID: ada.sim.DefaultChannelID(), PollInterval: 10 * time.Millisecond}
	m, _, err := tools.NewServer(deps, tools.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return m, ada
}

// connectStdio serves m with ServeStdio through pipes and connects the
// go-sdk client to it.
func connectStdio(t *testing.T, m *mcpserver.MCPServer, cfg StdioConfig) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ServeStdio(ctx, m, cfg, inR, outW)
		outW.Close()
	}()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "guard-test", Version: "1"}, nil).
		Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		cancel()
		t.Fatalf("connect over stdio: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		cancel()
		inR.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the stdio server did not stop")
		}
	})
	return cs
}

// callRaw calls a tool with arguments given as raw JSON, which the go-sdk
// client sends as they are, duplicate keys included.
func callRaw(t *testing.T, cs *mcp.ClientSession, tool, args string) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	return res
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// nested is an object n levels deep (the outermost is level 1).
func nested(n int) string {
	return strings.Repeat(`{"a":`, n-1) + `{}` + strings.Repeat(`}`, n-1)
}

// A key given twice, at the top of the arguments or deep inside, and
// arguments nested too deep, are refused by the tool on every transport,
// naming the key, and nothing reaches Ada.
func TestDuplicateKeysRefusedOnEveryTransport(t *testing.T) {
	transports := []struct {
		name    string
		connect func(t *testing.T, m *mcpserver.MCPServer) *mcp.ClientSession
	}{
		{"stdio", func(t *testing.T, m *mcpserver.MCPServer) *mcp.ClientSession {
			return connectStdio(t, m, StdioConfig{})
		}},
		{"http 2025-11-25", func(t *testing.T, m *mcpserver.MCPServer) *mcp.ClientSession {
			return connect(t, start(t, Config{Transport: TransportHTTP}, m), TransportHTTP, "2025-11-25", nil)
		}},
		{"http 2026-07-28", func(t *testing.T, m *mcpserver.MCPServer) *mcp.ClientSession {
			return connect(t, start(t, Config{Transport: TransportHTTP}, m), TransportHTTP, "2026-07-28", nil)
		}},
		{"sse", func(t *testing.T, m *mcpserver.MCPServer) *mcp.ClientSession {
			return connect(t, start(t, Config{Transport: TransportSSE}, m), TransportSSE, "", nil)
		}},
	}
	refusals := []struct {
		name, args string
		want       []string
	}{
		{"top level", `{"external_id":"cust-1","external_id":"cust-2"}`,
			[]string{"Invalid argument external_id:", "appears twice"}},
		{"nested", `{"external_id":"cust-1","profile":{"first_name":"Ana","first_name":"Bea"}}`,
			[]string{"Invalid argument profile.first_name:", "appears twice"}},
		{"too deep", `{"external_id":"cust-1","profile":` + nested(32) + `}`,
			[]string{"Invalid argument profile." + strings.Repeat("a.", 30) + "a:", "deeper than 32 levels"}},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			m, ada := newToolsMCP(t)
			cs := tr.connect(t, m)
			for _, rc := range refusals {
				res := callRaw(t, cs, "upsert_end_user", rc.args)
				msg := resultText(res)
				if !res.IsError {
					t.Fatalf("%s: not refused: %s", rc.name, msg)
				}
				for _, w := range rc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: %q lacks %q", rc.name, msg, w)
					}
				}
			}
			if n := ada.requests.Load(); n != 0 {
				t.Fatalf("%d requests reached Ada", n)
			}
			// 32 levels in all pass the guard; the schema then names the unknown key.
			msg := resultText(callRaw(t, cs, "upsert_end_user", `{"external_id":"cust-1","profile":`+nested(31)+`}`))
			if strings.Contains(msg, "deeper") || !strings.Contains(msg, "profile.a") {
				t.Errorf("31 levels under profile: %s", msg)
			}
			// The same call without the duplicate goes through.
			if res := callRaw(t, cs, "upsert_end_user", `{"external_id":"cust-1","profile":{"first_name":"Ana"}}`); res.IsError {
				t.Fatalf("a clean call failed: %s", resultText(res))
			}
			if ada.requests.Load() == 0 {
				t.Fatal("the clean call did not reach Ada")
			}
		})
	}
}
