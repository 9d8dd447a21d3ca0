package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/tools"
)

// BenchmarkLayers times get_conversation one layer at a time, in process,
// so each layer's cost is the difference from the one below it:
//
//	ada-direct   GET /v2/conversations/{id}/ with net/http (as "direct")
//	adaclient    the same request through adaclient (retries, errors, decoding)
//	tool         our tool handler: arguments, redaction, result, log line
//	mcp-dispatch mcp-go's HandleMessage: JSON-RPC decoding, dispatch, encoding
//	stdio-raw    plus mcp-go's stdio transport and OS pipes, minimal client
//
// The mem/ layers repeat the first three with the simulator's answer
// replayed from memory, so the differences are CPU cost without network
// noise: mem/tool minus mem/adaclient is the tool layer alone.
func BenchmarkLayers(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	client := e.client
	srv, _ := e.mcpServer()
	handler := toolHandler(b, e.deps(), "get_conversation")
	req := e.toolRequest()
	msg := json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_conversation","arguments":` +
		string(req.Params.RawArguments) + `}}`)

	run := func(name string, call func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("ada-direct", func() error { return e.getDirect(ctx) })
	run("adaclient", func() error { _, _, err := client.Conversations.Get(ctx, e.conversation); return err })
	run("tool", callTool(handler, req))
	run("mcp-dispatch", func() error {
		out, err := json.Marshal(srv.HandleMessage(ctx, msg))
		if err != nil {
			return err
		}
		return checkToolResult(out)
	})
	raw := e.rawStdioClients(1)[0]
	run("stdio-raw", func() error { return e.rawStdioCall(raw) })

	// The same layers with Ada's response served from memory: no network,
	// so the differences are our code's CPU cost alone, with little noise.
	for _, l := range e.memLayers(b) {
		run(l.name, l.call)
	}
}

// BenchmarkColdLayers times the mem/ layers of BenchmarkLayers with the
// process idle for 5ms before each call, as it is between an assistant's
// calls to a real Ada: caches have gone cold, and each layer costs several
// times what it does in a tight loop. Run it with a fixed count:
//
//	go test -run '^$' -bench BenchmarkColdLayers -benchtime 400x ./bench
func BenchmarkColdLayers(b *testing.B) {
	e := newEnv(b)
	for _, l := range e.memLayers(b) {
		b.Run(l.name, func(b *testing.B) { afterIdle(b, 5*time.Millisecond, l.call) })
	}
}

// layer is one way to read the benchmark's conversation.
type layer struct {
	name string
	call func() error
}

// memLayers read the conversation with the simulator's answer replayed from
// memory: plain net/http, adaclient, and the get_conversation tool handler.
func (e *env) memLayers(b *testing.B) []layer {
	ctx := context.Background()
	body, err := e.getDirectBody(ctx, e.direct)
	if err != nil {
		b.Fatal(err)
	}
	memHTTP := &http.Client{Transport: memTransport{body}}
	mem, err := adaclient.New(e.simURL, adaKey, adaclient.WithHTTPClient(memHTTP), adaclient.WithLogger(e.logger))
	if err != nil {
		b.Fatal(err)
	}
	deps := e.deps()
	deps.Client = mem
	return []layer{
		{"mem/net-http", func() error { _, err := e.getDirectBody(ctx, memHTTP); return err }},
		{"mem/adaclient", func() error { _, _, err := mem.Conversations.Get(ctx, e.conversation); return err }},
		{"mem/tool", callTool(toolHandler(b, deps, "get_conversation"), e.toolRequest())},
	}
}

// toolRequest is get_conversation on the benchmark's conversation, as
// mcp-go hands it to the tool handler.
func (e *env) toolRequest() mcp.CallToolRequest {
	return mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_conversation",
		Arguments:    map[string]any{"conversation_id": e.conversation},
		RawArguments: json.RawMessage(`{"conversation_id":"` + e.conversation + `"}`)}}
}

// callTool calls a tool handler; an isError result counts as a failure.
func callTool(h toolFunc, req mcp.CallToolRequest) func() error {
	return func() error {
		res, err := h(context.Background(), req)
		if err == nil && res.IsError {
			return errTool
		}
		return err
	}
}

var errTool = errors.New("tool returned isError")

// toolFunc is a tool's handler, as mcp-go calls it.
type toolFunc = func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error)

// toolHandler is the named tool's handler on deps.
func toolHandler(tb testing.TB, deps *tools.Deps, name string) toolFunc {
	_, list, err := tools.NewServer(deps, tools.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range list {
		if t.Name() == name {
			return t.Handler
		}
	}
	tb.Fatalf("no tool %s", name)
	return nil
}

// memTransport answers every request with 200 and the same JSON body.
type memTransport struct{ body []byte }

func (t memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r,
	}, nil
}

// afterIdle makes b.N calls, each after idle (not timed), and reports
// their latency: the cost of a call that finds caches cold.
func afterIdle(b *testing.B, idle time.Duration, call func() error) {
	lat := make([]time.Duration, 0, b.N)
	for range b.N {
		b.StopTimer()
		time.Sleep(idle)
		b.StartTimer()
		t0 := time.Now()
		if err := call(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	report(b, "", lat, 0)
}
