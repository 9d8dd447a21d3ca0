package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
)

// waitEnv is a server over a simulator whose requests are counted, with
// the simulator's events fed to an event log (as webhooks would be) or not.
type waitEnv struct {
	sim     *adasim.Sim
	built   *tools.Built
	posts   atomic.Int64 // POST .../messages/ requests
	lists   atomic.Int64 // GET .../messages/ requests
	replyAt sync.Map     // conversation id → time the AI Agent's latest reply became visible
}

func newWaitEnv(b testing.TB, withEvents bool, replyDelay time.Duration) *waitEnv {
	b.Helper()
	e := &waitEnv{}
	var log events.Log
	var feed func(string, time.Time, any)
	if withEvents {
		log = events.NewMemory(events.Limits{})
		feed = events.Feed(log, func() *redact.Redactor { return e.built.Redactor })
	}
	e.sim = adasim.New(adasim.Options{APIKey: adaKey, ReplyDelay: replyDelay, OnEvent: func(ev adasim.Event) {
		if ev.Type == adasim.EventConversationMessage && strings.Contains(fmt.Sprint(ev.Data), "ai_agent") {
			e.replyAt.Store(conversationOf(ev.Data), time.Now())
		}
		if feed != nil {
			feed(ev.Type, ev.Timestamp, ev.Data)
		}
	}})
	b.Cleanup(e.sim.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/messages/") {
			if r.Method == http.MethodPost {
				e.posts.Add(1)
			} else {
				e.lists.Add(1)
			}
		}
		e.sim.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	var err error
	// The default poll interval, as against a real Ada.
	e.built, err = tools.Build(tools.Config{APIKey: adaKey, BaseURL: srv.URL + "/api", ChannelID: e.sim.DefaultChannelID(), Events: log})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// conversationOf reads the conversation id of a message event's data.
func conversationOf(data any) string {
	s := fmt.Sprintf("%+v", data)
	i := strings.Index(s, "ConversationID:")
	if i < 0 {
		return ""
	}
	s = s[i+len("ConversationID:"):]
	if j := strings.IndexAny(s, " }"); j >= 0 {
		s = s[:j]
	}
	return s
}

// BenchmarkSendMessageWait is one send_message with a wait, the AI Agent
// answering 100 ms later: by events (webhooks, or the sandbox's feed) and
// by polling. It reports the Ada requests each call makes and how long
// after the reply became visible the call returned.
func BenchmarkSendMessageWait(b *testing.B) {
	for _, mode := range []string{"events", "polling"} {
		b.Run(mode, func(b *testing.B) {
			e := newWaitEnv(b, mode == "events", 100*time.Millisecond)
			s := testclient.Connect(b, e.built.MCP, nil)
			var requests, after time.Duration
			var calls int64
			for b.Loop() {
				b.StopTimer()
				cid := s.OK("start_conversation", map[string]any{"external_id": fmt.Sprint("w-", calls)})["conversation_id"].(string)
				for range 100 { // the greeting shows first, as a user sees it
					if len(s.OK("list_messages", map[string]any{"conversation_id": cid})["messages"].([]any)) > 0 {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				p0, l0 := e.posts.Load(), e.lists.Load()
				b.StartTimer()
				res := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "where is my order?", "wait_for_reply_seconds": 10})
				done := time.Now()
				b.StopTimer()
				if r, _ := res["replies"].([]any); len(r) != 1 {
					b.Fatalf("%v", res)
				}
				requests += time.Duration(e.posts.Load() - p0 + e.lists.Load() - l0)
				if at, ok := e.replyAt.Load(cid); ok {
					after += done.Sub(at.(time.Time))
				}
				calls++
				b.StartTimer()
			}
			b.ReportMetric(float64(requests)/float64(calls), "ada_requests/op")
			b.ReportMetric(float64(after.Milliseconds())/float64(calls), "ms_after_reply/op")
		})
	}
}

// BenchmarkConcurrentWaits holds 1000 send_message waits at once on one
// server (the AI Agent is silent: the conversations are handed off) and
// reports the memory and goroutines each costs; all of it must go once
// the waits are cancelled.
func BenchmarkConcurrentWaits(b *testing.B) {
	const waits = 1000
	for _, mode := range []string{"events", "polling"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				e := newWaitEnv(b, mode == "events", 0)
				url := serveHTTP(b, e.built)
				s := connectHTTP(b, url)
				convs := make([]string, waits)
				for i := range convs {
					convs[i] = s.OK("start_conversation", map[string]any{"external_id": fmt.Sprint("c-", i)})["conversation_id"].(string)
					s.OK("send_message", map[string]any{"conversation_id": convs[i], "body": "a human please"}) // silence: a handoff
				}
				runtime.GC()
				before := heapInUse()
				goroutines := runtime.NumGoroutine()
				posts := e.posts.Load()
				ctx, cancel := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				for _, cid := range convs {
					wg.Go(func() {
						_, _ = s.CallTool(ctx, &mcp.CallToolParams{Name: "send_message",
							Arguments: map[string]any{"conversation_id": cid, "body": "anyone?", "wait_for_reply_seconds": 60}})
					})
				}
				for e.posts.Load()-posts < waits { // every call has sent and is waiting
					time.Sleep(5 * time.Millisecond)
				}
				time.Sleep(100 * time.Millisecond)
				runtime.GC()
				perWait := float64(heapInUse()-before) / waits
				perWaitG := float64(runtime.NumGoroutine()-goroutines) / waits
				cancel()
				wg.Wait()
				// Idle keep-alive connections (to the server, and the
				// server's to Ada) are pools, bounded apart: close them.
				httpTransport.CloseIdleConnections()
				e.built.Client.CloseIdleConnections()
				b.ReportMetric(perWait, "heap_bytes/wait")
				b.ReportMetric(perWaitG, "goroutines/wait")
				// Everything a wait held is released.
				for range 300 {
					if runtime.NumGoroutine() <= goroutines+10 {
						break
					}
					time.Sleep(10 * time.Millisecond)
					// Connections turn idle as the server's calls end.
					httpTransport.CloseIdleConnections()
					e.built.Client.CloseIdleConnections()
				}
				if n := runtime.NumGoroutine(); n > goroutines+10 {
					buf := make([]byte, 1<<22)
					buf = buf[:runtime.Stack(buf, true)]
					b.Fatalf("%d goroutines left over after the waits ended (from %d):\n%s", n-goroutines, goroutines, summarize(string(buf)))
				}
			}
		})
	}
}

// BenchmarkIdleSSEStreams opens 200 legacy SSE streams and reports the
// memory and goroutines each idle stream holds.
func BenchmarkIdleSSEStreams(b *testing.B) {
	const streams = 200
	for b.Loop() {
		e := newWaitEnv(b, false, 0)
		srv, err := server.New(server.Config{Transport: server.TransportSSE, AuthToken: authToken, MaxConcurrentPerClient: 4 * streams},
			server.Deps{MCP: e.built.MCP, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		url := serve(b, srv)
		runtime.GC()
		before, goroutines := heapInUse(), runtime.NumGoroutine()
		var bodies []io.Closer
		for range streams {
			req, _ := http.NewRequest(http.MethodGet, url+"/sse", nil)
			req.Header.Set("Authorization", "Bearer "+authToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("%v %v", err, resp)
			}
			buf := make([]byte, 256)
			_, _ = resp.Body.Read(buf) // the endpoint event: the stream is open
			bodies = append(bodies, resp.Body)
		}
		runtime.GC()
		b.ReportMetric(float64(heapInUse()-before)/streams, "heap_bytes/stream")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/streams, "goroutines/stream")
		for _, c := range bodies {
			c.Close()
		}
	}
}

func heapInUse() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// serveHTTP serves built over Streamable HTTP with room for many calls at
// once from one client.
func serveHTTP(b testing.TB, built *tools.Built) string {
	b.Helper()
	srv, err := server.New(server.Config{Transport: server.TransportHTTP, AuthToken: authToken, MaxConcurrentPerClient: 4000},
		server.Deps{MCP: built.MCP, Client: built.Client, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return serve(b, srv) + "/mcp"
}

// serve runs srv on a loopback port until cleanup.
func serve(b testing.TB, srv *server.Server) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, ln) }()
	b.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

func connectHTTP(b testing.TB, url string) *testclient.Session {
	b.Helper()
	hc := &http.Client{Transport: bearer{token: authToken}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).
		Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cs.Close() })
	return testclient.Wrap(b, cs)
}

// summarize counts goroutines by the first frame of ours or of the library
// that holds them.
func summarize(stacks string) string {
	counts := map[string]int{}
	for _, g := range strings.Split(stacks, "\n\n") {
		lines := strings.Split(g, "\n")
		key := ""
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "runtime.") || strings.HasPrefix(l, "internal/") || strings.HasPrefix(l, "sync.") || strings.HasPrefix(l, "created by") {
				continue
			}
			if i := strings.LastIndex(l, "("); i > 0 {
				l = l[:i]
			}
			key = l
			break
		}
		counts[key]++
	}
	var out []string
	for k, n := range counts {
		if n > 3 {
			out = append(out, fmt.Sprintf("%5d %s", n, k))
		}
	}
	return strings.Join(out, "\n")
}
