package server

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

// slowTool blocks until released, so a test controls exactly when a call
// is in flight.
type slowTool struct {
	started chan struct{}
	release chan struct{}
}

func newTestMCP() (*mcpserver.MCPServer, *slowTool) {
	st := &slowTool{started: make(chan struct{}, 8), release: make(chan struct{})}
	m := mcpserver.NewMCPServer("test", "1", mcpserver.WithToolCapabilities(false))
	m.AddTool(mcpgo.NewTool("slow", mcpgo.WithDescription("blocks until released")),
		func(ctx context.Context, _ mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
			st.started <- struct{}{}
			select {
			case <-st.release:
				return mcpgo.NewToolResultText("finished"), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
	m.AddTool(mcpgo.NewTool("waits", mcpgo.WithDescription("waits until its context ends, then answers")),
		func(ctx context.Context, _ mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
			st.started <- struct{}{}
			<-ctx.Done()
			return mcpgo.NewToolResultText("cut short: " + context.Cause(ctx).Error()), nil
		})
	m.AddTool(mcpgo.NewTool("echo", mcpgo.WithDescription("answers at once")),
		func(context.Context, mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
			return mcpgo.NewToolResultText("echo"), nil
		})
	return m, st
}

type running struct {
	s      *Server
	url    string
	stop   context.CancelFunc
	served chan error
	logs   *testlog.Buffer
}

func start(t *testing.T, cfg Config, m *mcpserver.MCPServer) *running {
	t.Helper()
	logs := &testlog.Buffer{}
	s, err := New(cfg, Deps{MCP: m, Logger: testLogger(logs)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &running{s: s, url: "http://" + ln.Addr().String(), stop: stop, served: make(chan error, 1), logs: logs}
	go func() { r.served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-r.served:
		case <-time.After(30 * time.Second):
			t.Error("the server did not stop")
		}
	})
	return r
}

// headerTransport adds headers to every request, as mcp-remote's --header
// and VS Code's "headers" do, and reports when a GET stream opened.
type headerTransport struct {
	headers    map[string]string
	streamOpen chan struct{} // optional
}

func (h *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.headers {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Method == http.MethodGet && resp.StatusCode == http.StatusOK && h.streamOpen != nil {
		select {
		case h.streamOpen <- struct{}{}:
		default:
		}
	}
	return resp, err
}

func bearer(token string) *headerTransport {
	return &headerTransport{headers: map[string]string{"Authorization": "Bearer " + token}}
}

func connect(t *testing.T, r *running, transport, version string, headers *headerTransport) *mcp.ClientSession {
	t.Helper()
	if headers == nil {
		headers = &headerTransport{}
	}
	hc := &http.Client{Transport: headers}
	var tr mcp.Transport = &mcp.StreamableClientTransport{Endpoint: r.url + "/mcp", HTTPClient: hc}
	if transport == TransportSSE {
		tr = &mcp.SSEClientTransport{Endpoint: r.url + "/sse", HTTPClient: hc}
	}
	// Not a context with a deadline: go-sdk's SSE transport ties the
	// stream's lifetime to the context given to Connect.
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "server-test", Version: "1"}, nil).
		Connect(context.Background(), tr, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// outcome is a tool call's answer or error.
type outcome struct {
	res *mcp.CallToolResult
	err error
}

// callInBackground calls the tool and delivers its outcome, so that the
// test can stop the server meanwhile.
func callInBackground(cs *mcp.ClientSession, tool string) <-chan outcome {
	result := make(chan outcome, 1)
	go func() {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool})
		result <- outcome{res, err}
	}()
	return result
}

// eventually polls cond a bounded number of times.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}

func TestGracefulShutdownLetsInFlightCallsFinish(t *testing.T) {
	for _, tc := range []struct{ transport, version string }{
		{TransportHTTP, "2026-07-28"},
		{TransportHTTP, "2025-11-25"},
		{TransportSSE, "2025-11-25"},
	} {
		t.Run(tc.transport+"/"+tc.version, func(t *testing.T) {
			m, slow := newTestMCP()
			r := start(t, Config{Transport: tc.transport, AuthToken: testToken}, m)
			headers := bearer(testToken)
			headers.streamOpen = make(chan struct{}, 1)
			cs := connect(t, r, tc.transport, tc.version, headers)
			if tc.transport == TransportSSE || tc.version < "2026-07-28" {
				// Older clients hold a GET stream (SSE, or go-sdk's standalone
				// stream) that must be up before the shutdown starts.
				<-headers.streamOpen
			}

			result := callInBackground(cs, "slow")
			<-slow.started

			r.stop() // what SIGTERM does in main
			eventually(t, "draining starts", r.s.drain.isDraining)

			// No new work is admitted while the call finishes.
			req, _ := http.NewRequest(http.MethodGet, r.url+"/readyz", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("readyz while draining = %d", resp.StatusCode)
				}
			}

			close(slow.release)
			out := <-result
			if out.err != nil {
				t.Fatalf("the in-flight call failed: %v\n%s", out.err, r.logs)
			}
			if out.res.IsError || len(out.res.Content) == 0 || out.res.Content[0].(*mcp.TextContent).Text != "finished" {
				t.Fatalf("result = %+v", out.res)
			}
			select {
			case err := <-r.served:
				if err != nil {
					t.Fatalf("Serve = %v", err)
				}
				r.served <- nil // for cleanup
			case <-time.After(30 * time.Second):
				t.Fatal("Serve did not return after the last call finished")
			}
			if !strings.Contains(r.logs.String(), `"drained":true`) {
				t.Errorf("logs do not report a clean drain:\n%s", r.logs)
			}
		})
	}
}

func TestShutdownTimeoutClosesWhatIsLeft(t *testing.T) {
	m, slow := newTestMCP()
	t.Cleanup(func() { close(slow.release) })
	r := start(t, Config{Transport: TransportHTTP, ShutdownTimeout: 200 * time.Millisecond}, m)
	cs := connect(t, r, TransportHTTP, "", nil)
	result := callInBackground(cs, "slow")
	<-slow.started
	r.stop()
	select {
	case err := <-r.served:
		r.served <- err
	case <-time.After(30 * time.Second):
		t.Fatal("Serve ignored the shutdown timeout")
	}
	if out := <-result; out.err == nil {
		t.Fatal("a call cut by the shutdown timeout reported success")
	}
	if !strings.Contains(r.logs.String(), "shutdown timeout reached") {
		t.Errorf("no log line about the forced close:\n%s", r.logs)
	}
}

// A call still waiting near the end of the shutdown timeout is cut, and
// its answer reaches the client before the connection closes: a cut
// connection once left a raw client a 200 with an empty body.
func TestShutdownCutsWaitingCallsSoTheyAnswer(t *testing.T) {
	for _, version := range []string{"2026-07-28", "2025-11-25"} {
		t.Run(version, func(t *testing.T) {
			m, st := newTestMCP()
			r := start(t, Config{Transport: TransportHTTP, ShutdownTimeout: 2 * time.Second}, m)
			cs := connect(t, r, TransportHTTP, version, nil)
			result := callInBackground(cs, "waits")
			<-st.started
			r.stop()
			out := <-result
			if out.err != nil || out.res.IsError || out.res.Content[0].(*mcp.TextContent).Text != "cut short: the server is shutting down" {
				t.Fatalf("the cut call's answer: %+v %v\n%s", out.res, out.err, r.logs)
			}
			select {
			case err := <-r.served:
				r.served <- err
			case <-time.After(30 * time.Second):
				t.Fatal("Serve did not return")
			}
			if !strings.Contains(r.logs.String(), "ending the calls still running") || !strings.Contains(r.logs.String(), `"drained":true`) {
				t.Errorf("logs:\n%s", r.logs)
			}
		})
	}
}

func post(t *testing.T, url string, body []byte, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// The checks run in an order that never does work for a caller who
// should not get it: origin, then token, then the body is read.
func TestMiddlewareOrder(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken, MaxBodyBytes: 64}, m)
	big := bytes.Repeat([]byte("x"), 1024)
	auth := map[string]string{"Authorization": "Bearer " + testToken}

	if resp := post(t, r.url+"/mcp", big, map[string]string{"Origin": "http://evil.example"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bad origin, no token: %d, want 403", resp.StatusCode)
	}
	if resp := post(t, r.url+"/mcp", big, nil); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token, big body: %d, want 401", resp.StatusCode)
	}
	if resp := post(t, r.url+"/mcp", big, auth); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("token, big body: %d, want 413", resp.StatusCode)
	}
	// Health needs no token.
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(r.url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s = %d", p, resp.StatusCode)
		}
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// In multi-tenant mode a legacy session belongs to the tenant that opened
// it: another tenant presenting its id is told the session does not exist,
// on POST and on the GET stream (which mcp-go itself never validates).
func TestLegacySessionsAreBoundToTheirTenant(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken, MultiTenant: true, TenantBaseURLs: []string{"http://127.0.0.1:9/api"}}, m)
	tenant := func(key string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + testToken, HeaderAdaAPIKey: key, HeaderAdaBaseURL: "http://127.0.0.1:9/api",
			"Mcp-Protocol-Version": "2025-11-25"}
	}
	alice, bob := tenant("alice_key_0123456789"), tenant("bob_key_0123456789ab")
	resp := post(t, r.url+"/mcp", []byte(initialize), alice)
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || sid == "" {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, sid)
	}
	list := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	with := func(h map[string]string) map[string]string {
		out := map[string]string{"Mcp-Session-Id": sid}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	if resp := post(t, r.url+"/mcp", list, with(alice)); resp.StatusCode != http.StatusOK {
		t.Fatalf("owner's tools/list: %d", resp.StatusCode)
	}
	if resp := post(t, r.url+"/mcp", list, with(bob)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another tenant's tools/list on the session: %d, want 404", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, r.url+"/mcp", nil)
	for k, v := range with(bob) {
		req.Header.Set(k, v)
	}
	req.Header.Set("Accept", "text/event-stream")
	getResp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, getResp.Body)
	getResp.Body.Close()
	if getResp.StatusCode != http.StatusNotFound {
		t.Fatalf("another tenant's GET stream on the session: %d, want 404", getResp.StatusCode)
	}
	if strings.Contains(r.logs.String(), "alice_key") || strings.Contains(r.logs.String(), "bob_key") {
		t.Fatal("a tenant key reached the logs")
	}
}

func TestServeRefusesAPublicListenerWithoutToken(t *testing.T) {
	m, _ := newTestMCP()
	s, err := New(Config{Transport: TransportHTTP}, Deps{MCP: m})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := &fakeAddrListener{Listener: ln, addr: &net.TCPAddr{IP: net.IPv4zero, Port: 8080}}
	if err := s.Serve(context.Background(), public); err == nil || !strings.Contains(err.Error(), "without authentication") {
		t.Fatalf("Serve = %v", err)
	}
	if _, err := New(Config{Transport: TransportHTTP, Addr: "0.0.0.0:8080"}, Deps{MCP: m}); err == nil {
		t.Fatal("New accepted a public address without a token")
	}
}

type fakeAddrListener struct {
	net.Listener
	addr net.Addr
}

func (l *fakeAddrListener) Addr() net.Addr { return l.addr }
