package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
)

const (
	adaKey    = "ada_bench_key_0123456789abcdef"
	authToken = "bench_token_0123456789abcdef0123"
)

// env is one simulator, one conversation, and the ways to read it.
// Sessions are opened on first use and kept across b.N rounds.
type env struct {
	simURL, conversation string
	direct               *http.Client
	mcpURL               string // ada-mcp's Streamable HTTP server, auth on
	bareURL              string // mcp-go's Streamable HTTP handler alone
	client               *adaclient.Client
	logger               *slog.Logger
	deps                 func() *tools.Deps // for each new MCP server

	simConns atomic.Int64 // connections the simulator accepted

	parent testing.TB // owns every session: sub-benchmarks run several times
	mu     sync.Mutex
	https  map[string][]*mcp.ClientSession // by protocol version
	stdio  []*mcp.ClientSession
	raw    []*rawStdio
	// rawSessionIDs: 2025-11-25 sessions opened by a minimal client, by URL.
	rawSessionIDs map[string]string
}

func newEnv(b testing.TB) *env {
	b.Helper()
	sim := adasim.New(adasim.Options{APIKey: adaKey})
	b.Cleanup(sim.Close)
	e := &env{parent: b, https: map[string][]*mcp.ClientSession{}, rawSessionIDs: map[string]string{}}
	simSrv := httptest.NewUnstartedServer(sim)
	simSrv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			e.simConns.Add(1)
		}
	}
	simSrv.Start()
	b.Cleanup(simSrv.Close)
	e.simURL = simSrv.URL + "/api"
	// The direct caller gets the same connection pooling our client has.
	e.direct = &http.Client{Transport: httpTransport}

	red := redact.New(redact.WithSecrets(adaKey, authToken))
	logger := slog.New(redact.NewHandler(slog.NewTextHandler(io.Discard, nil), red)) // as in production, at info
	client, err := adaclient.New(e.simURL, adaKey, adaclient.WithLogger(logger))
	if err != nil {
		b.Fatal(err)
	}
	e.client, e.logger = client, logger
	e.deps = func() *tools.Deps {
		return &tools.Deps{Client: client, DefaultChannelID: sim.DefaultChannelID(), Redactor: red, Logger: logger}
	}

	// Streamable HTTP, with authentication on: the production path.
	httpMCP, _ := e.mcpServer()
	srv, err := server.New(server.Config{Transport: server.TransportHTTP, AuthToken: authToken, MaxConcurrentPerClient: 64},
		server.Deps{MCP: httpMCP, Client: client, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	b.Cleanup(func() { stop(); <-served })
	e.mcpURL = "http://" + ln.Addr().String() + "/mcp"

	// The floor: mcp-go's handler with none of our middleware in front.
	bareMCP, _ := e.mcpServer()
	bare := httptest.NewServer(mcpserver.NewStreamableHTTPServer(bareMCP))
	b.Cleanup(bare.Close)
	e.bareURL = bare.URL + "/mcp"

	s := e.httpSessions("", 1)[0]
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: "start_conversation", Arguments: map[string]any{"external_id": "bench-user"}})
	if err != nil || res.IsError {
		b.Fatalf("start_conversation: %v %v", err, res)
	}
	e.conversation = res.StructuredContent.(map[string]any)["conversation_id"].(string)
	return e
}

type bearer struct{ token string }

func (t bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return httpTransport.RoundTrip(r)
}

var httpTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}()

// httpSessions are n go-sdk sessions over Streamable HTTP at a protocol
// version ("" = 2026-07-28, stateless; "2025-11-25" = initialize + session).
func (e *env) httpSessions(version string, n int) []*mcp.ClientSession {
	b := e.parent
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.https[version]) < n {
		tr := &mcp.StreamableClientTransport{Endpoint: e.mcpURL, HTTPClient: &http.Client{Transport: bearer{authToken}}}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).
			Connect(context.Background(), tr, &mcp.ClientSessionOptions{ProtocolVersion: version})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cs.Close() })
		e.https[version] = append(e.https[version], cs)
	}
	return e.https[version][:n]
}

// stdioSessions: one MCP server per client, as each host runs its own
// process (mcp-go's stdio session id is fixed, so a server takes one client).
func (e *env) stdioSessions(n int) []*mcp.ClientSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.stdio) < n {
		s, _ := e.mcpServer()
		e.stdio = append(e.stdio, testclient.Connect(e.parent, s, nil).ClientSession)
	}
	return e.stdio[:n]
}

func (e *env) getDirect(ctx context.Context) error {
	_, err := e.getDirectBody(ctx, e.direct)
	return err
}

// getDirectBody makes the direct call with hc and returns the body it decoded.
func (e *env) getDirectBody(ctx context.Context, hc *http.Client) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.simURL+"/v2/conversations/"+e.conversation+"/", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+adaKey)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	var v map[string]any
	if err == nil {
		err = json.Unmarshal(body, &v)
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET conversation: %d %v", resp.StatusCode, err)
	}
	return body, nil
}

func getViaMCP(ctx context.Context, cs *mcp.ClientSession, conversation string) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_conversation", Arguments: map[string]any{"conversation_id": conversation}})
	if err != nil {
		return err
	}
	if res.IsError {
		return fmt.Errorf("get_conversation: isError")
	}
	return nil
}

// measure runs b.N calls spread over clients goroutines (client i uses
// call(i)) and reports latency percentiles and throughput.
func measure(b *testing.B, clients int, call func(ctx context.Context, client int) error) {
	ctx := context.Background()
	for c := range clients { // warm connections and caches
		if err := call(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		n := b.N / clients
		if c < b.N%clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[c] = make([]time.Duration, 0, n)
			for range n {
				t0 := time.Now()
				if err := call(ctx, c); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(pct(0.50), "p50-us")
	b.ReportMetric(pct(0.99), "p99-us")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "calls/s")
}

// BenchmarkGetConversation: get_conversation maps to exactly one Ada
// request, GET /v2/conversations/{id}/, which "direct" makes itself.
//
//	direct         the GET, decoded into a map, with a pooled net/http client
//	http           the tool over Streamable HTTP (auth on), official go-sdk
//	               client, protocol 2026-07-28 (stateless)
//	http-2025      the same, protocol 2025-11-25 (initialize + session)
//	stdio          the tool over stdio pipes, official go-sdk client
//	http-raw       http from a minimal client: one POST, the result decoded
//	               just enough to check isError, like direct
//	http-raw-2025  the same in one 2025-11-25 session shared by all clients
//	stdio-raw      stdio from a minimal client over OS pipes
//	http-floor     http-raw calling a bench-only tool that just makes the
//	               direct call, served by mcp-go's handler with none of our
//	               middleware: what mcp-go costs with no code of ours
//	http-floor-2025  the same in a 2025-11-25 session
//	stdio-floor    the same over stdio
//
// The minimal clients cost about what the direct one does, so their rows
// show the server's own cost; the go-sdk rows add the SDK client's.
// clients=N runs N clients at once, each with its own session (stdio: its
// own server, as each host runs its own process).
func BenchmarkGetConversation(b *testing.B) {
	e := newEnv(b)
	for _, clients := range []int{1, 32} {
		b.Run(fmt.Sprintf("direct/clients=%d", clients), func(b *testing.B) {
			measure(b, clients, func(ctx context.Context, _ int) error { return e.getDirect(ctx) })
		})
		b.Run(fmt.Sprintf("http/clients=%d", clients), func(b *testing.B) {
			sessions := e.httpSessions("", clients)
			measure(b, clients, func(ctx context.Context, c int) error { return getViaMCP(ctx, sessions[c], e.conversation) })
		})
		b.Run(fmt.Sprintf("http-2025/clients=%d", clients), func(b *testing.B) {
			sessions := e.httpSessions("2025-11-25", clients)
			measure(b, clients, func(ctx context.Context, c int) error { return getViaMCP(ctx, sessions[c], e.conversation) })
		})
		b.Run(fmt.Sprintf("stdio/clients=%d", clients), func(b *testing.B) {
			sessions := e.stdioSessions(clients)
			measure(b, clients, func(ctx context.Context, c int) error { return getViaMCP(ctx, sessions[c], e.conversation) })
		})
		b.Run(fmt.Sprintf("http-raw/clients=%d", clients), func(b *testing.B) {
			measure(b, clients, func(ctx context.Context, _ int) error { return e.rawCall(ctx, e.mcpURL, "get_conversation") })
		})
		b.Run(fmt.Sprintf("http-raw-2025/clients=%d", clients), func(b *testing.B) {
			sid := e.rawSession(b, e.mcpURL)
			measure(b, clients, func(ctx context.Context, _ int) error {
				return e.rawSessionCall(ctx, e.mcpURL, sid, "get_conversation")
			})
		})
		b.Run(fmt.Sprintf("stdio-raw/clients=%d", clients), func(b *testing.B) {
			raws := e.rawStdioClients(clients)
			measure(b, clients, func(_ context.Context, c int) error { return e.rawStdioCall(raws[c]) })
		})
		b.Run(fmt.Sprintf("http-floor/clients=%d", clients), func(b *testing.B) {
			measure(b, clients, func(ctx context.Context, _ int) error { return e.rawCall(ctx, e.bareURL, floorTool) })
		})
		b.Run(fmt.Sprintf("http-floor-2025/clients=%d", clients), func(b *testing.B) {
			sid := e.rawSession(b, e.bareURL)
			measure(b, clients, func(ctx context.Context, _ int) error { return e.rawSessionCall(ctx, e.bareURL, sid, floorTool) })
		})
		b.Run(fmt.Sprintf("stdio-floor/clients=%d", clients), func(b *testing.B) {
			raws := e.rawStdioClients(clients)
			measure(b, clients, func(_ context.Context, c int) error { return e.rawStdioCallTool(raws[c], floorTool) })
		})
	}
}
