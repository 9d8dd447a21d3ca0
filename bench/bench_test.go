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
	"os"
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
	simSrv := httptest.NewUnstartedServer(withLatency(b, sim))
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

// withLatency delays each of the simulator's answers by BENCH_ADA_LATENCY
// (a Go duration; none by default), to compare MCP's cost with an Ada that
// answers in realistic time rather than in microseconds.
func withLatency(b testing.TB, h http.Handler) http.Handler {
	v := os.Getenv("BENCH_ADA_LATENCY")
	if v == "" {
		return h
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		b.Fatalf("BENCH_ADA_LATENCY=%q: want a duration such as 20ms", v)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		h.ServeHTTP(w, r)
	})
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

// caller makes one benchmark call as client number client.
type caller func(ctx context.Context, client int) error

// measure runs b.N calls spread over clients goroutines (client i uses
// call(i)) and reports latency percentiles and throughput.
func measure(b *testing.B, clients int, call caller) {
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
	report(b, "", slices.Concat(lat...), elapsed)
}

// interleave measures modes with one client, call by call in turn (b.N
// turns), so that drift over the run (other load on a shared machine, the
// heap growing, a neighbour's timer) falls on every mode alike and the
// ratios stay comparable. The order rotates each turn, so no mode always
// follows the same one. Each mode's metrics are prefixed "<mode>:".
func interleave(b *testing.B, modes []mode) {
	ctx := context.Background()
	calls := make([]caller, len(modes))
	for i, m := range modes {
		calls[i] = m.setup(b, 1)
		if err := calls[i](ctx, 0); err != nil { // warm connections and caches
			b.Fatal(err)
		}
	}
	lat := make([][]time.Duration, len(modes))
	for i := range lat {
		lat[i] = make([]time.Duration, 0, b.N)
	}
	b.ResetTimer()
	for turn := range b.N {
		for j := range modes {
			i := (turn + j) % len(modes)
			t0 := time.Now()
			if err := calls[i](ctx, 0); err != nil {
				b.Fatal(err)
			}
			lat[i] = append(lat[i], time.Since(t0))
		}
	}
	b.StopTimer()
	for i, m := range modes {
		report(b, m.name+":", lat[i], 0)
	}
}

// report reports latency percentiles and throughput of calls that took
// elapsed in all, with units prefixed by prefix. An elapsed of 0 means the
// calls' own time: one client's calls, measured among other work.
func report(b *testing.B, prefix string, lat []time.Duration, elapsed time.Duration) {
	if len(lat) == 0 {
		return
	}
	if elapsed == 0 {
		for _, d := range lat {
			elapsed += d
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(pct(0.50), prefix+"p50-us")
	b.ReportMetric(pct(0.99), prefix+"p99-us")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), prefix+"calls/s")
}

// mode is one way to make the benchmark's call. setup opens what clients
// concurrent clients need (sessions, pipes) and returns their caller.
type mode struct {
	name   string
	client string // net/http, go-sdk or minimal
	setup  func(b *testing.B, clients int) caller
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
//
// clients=1/minimal interleaves direct with the minimal and floor modes,
// call by call (see interleave); clients=1/go-sdk does the same with the
// go-sdk modes, apart, so that the SDK client's garbage collection does not
// slow the direct calls the ratios divide by. <mode>/clients=32 runs 32
// clients at once, each with its own session (stdio: its own server, as
// each host runs its own process).
func BenchmarkGetConversation(b *testing.B) {
	e := newEnv(b)
	modes := e.modes()
	for _, group := range []string{"minimal", "go-sdk"} {
		b.Run("clients=1/"+group, func(b *testing.B) {
			var in []mode
			for _, m := range modes {
				if m.client == group || group == "minimal" && m.name == "direct" {
					in = append(in, m)
				}
			}
			interleave(b, in)
		})
	}
	for _, m := range modes {
		b.Run(m.name+"/clients=32", func(b *testing.B) { measure(b, 32, m.setup(b, 32)) })
	}
}

func (e *env) modes() []mode {
	return []mode{
		{"direct", "net/http", func(*testing.B, int) caller {
			return func(ctx context.Context, _ int) error { return e.getDirect(ctx) }
		}},
		{"http", "go-sdk", func(_ *testing.B, clients int) caller {
			sessions := e.httpSessions("", clients)
			return func(ctx context.Context, c int) error { return getViaMCP(ctx, sessions[c], e.conversation) }
		}},
		{"http-2025", "go-sdk", func(_ *testing.B, clients int) caller {
			sessions := e.httpSessions("2025-11-25", clients)
			return func(ctx context.Context, c int) error { return getViaMCP(ctx, sessions[c], e.conversation) }
		}},
		{"stdio", "go-sdk", func(_ *testing.B, clients int) caller {
			sessions := e.stdioSessions(clients)
			return func(ctx context.Context, c int) error { return getViaMCP(ctx, sessions[c], e.conversation) }
		}},
		{"http-raw", "minimal", func(*testing.B, int) caller {
			return func(ctx context.Context, _ int) error { return e.rawCall(ctx, e.mcpURL, "get_conversation") }
		}},
		{"http-raw-2025", "minimal", func(b *testing.B, _ int) caller {
			sid := e.rawSession(b, e.mcpURL)
			return func(ctx context.Context, _ int) error {
				return e.rawSessionCall(ctx, e.mcpURL, sid, "get_conversation")
			}
		}},
		{"stdio-raw", "minimal", func(_ *testing.B, clients int) caller {
			raws := e.rawStdioClients(clients)
			return func(_ context.Context, c int) error { return e.rawStdioCall(raws[c]) }
		}},
		{"http-floor", "minimal", func(*testing.B, int) caller {
			return func(ctx context.Context, _ int) error { return e.rawCall(ctx, e.bareURL, floorTool) }
		}},
		{"http-floor-2025", "minimal", func(b *testing.B, _ int) caller {
			sid := e.rawSession(b, e.bareURL)
			return func(ctx context.Context, _ int) error { return e.rawSessionCall(ctx, e.bareURL, sid, floorTool) }
		}},
		{"stdio-floor", "minimal", func(_ *testing.B, clients int) caller {
			raws := e.rawStdioClients(clients)
			return func(_ context.Context, c int) error { return e.rawStdioCallTool(raws[c], floorTool) }
		}},
	}
}
