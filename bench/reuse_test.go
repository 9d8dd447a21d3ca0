package bench

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// countingTransport counts the connections a client opens.
type countingTransport struct{ fresh *atomic.Int64 }

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		if !i.Reused {
			t.fresh.Add(1)
		}
	}}))
	r.Header.Set("Authorization", "Bearer "+authToken)
	return httpTransport.RoundTrip(r)
}

// Sequential tool calls reuse one connection from the client to the server
// and one from the server to Ada: a new TCP connection per call would
// dominate the benchmark (and the latency seen against a real AI Agent,
// where each one is also a TLS handshake).
func TestConnectionsAreReused(t *testing.T) {
	e := newEnv(t)
	var fresh atomic.Int64
	tr := &mcp.StreamableClientTransport{Endpoint: e.mcpURL, HTTPClient: &http.Client{Transport: countingTransport{&fresh}}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "reuse", Version: "1"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	simBefore := e.simConns.Load()
	for range 100 {
		if err := getViaMCP(context.Background(), cs, e.conversation); err != nil {
			t.Fatal(err)
		}
	}
	if n := fresh.Load(); n > 1 {
		t.Errorf("100 calls opened %d connections to the MCP server, want 1", n)
	}
	if n := e.simConns.Load() - simBefore; n > 0 {
		t.Errorf("100 calls opened %d new connections to Ada, want 0 (the setup's is reused)", n)
	}
}
