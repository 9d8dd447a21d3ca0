package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	mgomcp "github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// untilCancelled is a tool that never ends on its own (a wait for an AI
// Agent that does not answer): only its context ending it, which it
// reports on ended.
func untilCancelled() (*mcpserver.MCPServer, <-chan struct{}, <-chan struct{}) {
	started, ended := make(chan struct{}, 1), make(chan struct{}, 1)
	m, _ := newTestMCP()
	m.AddTool(mgomcp.NewTool("forever"), func(ctx context.Context, _ mgomcp.CallToolRequest) (*mgomcp.CallToolResult, error) {
		started <- struct{}{}
		<-ctx.Done()
		ended <- struct{}{}
		return mgomcp.NewToolResultText("cancelled"), nil
	})
	return m, started, ended
}

// A call the client gives up on ends on the server, and the server goes
// on serving: the go-sdk client sends notifications/cancelled (stdio and a
// session over Streamable HTTP or SSE) or, over 2026-07-28's stateless
// HTTP, drops the POST, which must cancel the call's context too.
func TestCancelledCallsEndOnTheServer(t *testing.T) {
	for _, tc := range []struct{ transport, version string }{
		{"stdio", ""}, {TransportHTTP, "2025-11-25"}, {TransportHTTP, ""}, {TransportSSE, "2025-11-25"},
	} {
		t.Run(tc.transport+" "+tc.version, func(t *testing.T) {
			m, started, ended := untilCancelled()
			var cs *mcp.ClientSession
			if tc.transport == "stdio" {
				cs = connectStdio(t, m, StdioConfig{})
			} else {
				cs = connect(t, start(t, Config{Transport: tc.transport}, m), tc.transport, tc.version, nil)
			}
			ctx, cancel := context.WithCancel(context.Background())
			failed := make(chan error, 1)
			go func() {
				_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "forever"})
				failed <- err
			}()
			waitFor(t, started, "the call to start")
			cancel()
			waitFor(t, ended, "the server's call to end after the client cancelled it")
			if err := <-failed; err == nil {
				t.Fatal("the cancelled call succeeded")
			}
			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "echo"})
			if err != nil || res.IsError {
				t.Fatalf("after a cancelled call: %v %v", res, err)
			}
		})
	}
}

// waitFor waits for ch, bounded far above what it takes.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Odd requests over stdio each get the answer the spec asks for, with
// their id as sent, and the server goes on serving: ping; a wrong jsonrpc
// version (-32600); a notification's method sent with an id and a method
// this server does not serve, logging/setLevel among them as it declares
// no logging (-32601); a cursor it never gave (-32602); a string id
// with non-ASCII and a line separator.
func TestStdioOddRequests(t *testing.T) {
	m, _ := newTestMCP()
	lines := []string{
		`{"jsonrpc":"2.0","id":2,"method":"ping"}`,
		`{"jsonrpc":"1.0","id":3,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":"h\u00e9llo-\ud83e\udd80-\u2028","method":"ping"}`,
		`{"jsonrpc":"2.0","id":5,"method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"cursor":"!!"}}`,
		`{"jsonrpc":"2.0","id":7,"method":"logging/setLevel","params":{"level":"debug"}}`,
		`{"jsonrpc":"2.0","id":8,"method":"ping"}`,
	}
	want := map[string]int{`2`: 0, `3`: -32600, `"héllo-🦀-` + "\u2028" + `"`: 0, `5`: -32601, `6`: -32602, `7`: -32601, `8`: 0}
	next := serveRaw(t, m, StdioConfig{}, strings.NewReader(rawInit+strings.Join(lines, "\n")+"\n"))
	got := map[string]int{}
	for _, r := range next(1 + len(lines)) {
		var id any
		if err := json.Unmarshal(r.ID, &id); err != nil {
			t.Fatalf("id %s: %v", r.ID, err)
		}
		key, _ := json.Marshal(id)
		code := 0
		if r.Error != nil {
			code = r.Error.Code
			if strings.Contains(r.Error.Message, "notifications/initialized") || strings.Contains(r.Error.Message, "logging/setLevel") {
				t.Errorf("the error repeats the method: %s", r.Error.Message)
			}
		}
		got[strings.ReplaceAll(string(key), `\u2028`, "\u2028")] = code
	}
	delete(got, "1") // initialize
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("answers (id: error code) %v, want %v", got, want)
	}
}

// A call's progress notifications reach a client that sent a progress
// token, through every HTTP transport and era (2026-07-28: on the POST's
// own event stream), past the server's middleware; without a token none
// are sent, and neither way is an error. The tool goes on until each
// notification has arrived, as send_message goes on waiting after a reply:
// mcp-go v1.2.1 may drop a notification sent just before the handler
// returns (its forwarder takes it off the channel, then finds the request
// done).
func TestProgressReachesTheClient(t *testing.T) {
	for _, tc := range []struct{ transport, version string }{
		{TransportHTTP, "2025-11-25"}, {TransportHTTP, ""}, {TransportSSE, "2025-11-25"},
	} {
		t.Run(tc.transport+" "+tc.version, func(t *testing.T) {
			received := make(chan float64, 4)
			m, _ := newTestMCP()
			m.AddTool(mgomcp.NewTool("progress"), func(ctx context.Context, req mgomcp.CallToolRequest) (*mgomcp.CallToolResult, error) {
				if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
					return mgomcp.NewToolResultText("no token"), nil
				}
				for i := range 2 {
					err := mcpserver.ServerFromContext(ctx).SendNotificationToClient(ctx, "notifications/progress",
						map[string]any{"progressToken": req.Params.Meta.ProgressToken, "progress": i + 1, "total": 2, "message": "step"})
					if err != nil {
						return mgomcp.NewToolResultError(err.Error()), nil
					}
					select {
					case p := <-received:
						if p != float64(i+1) {
							return mgomcp.NewToolResultError(fmt.Sprintf("progress %v arrived, want %d", p, i+1)), nil
						}
					case <-time.After(20 * time.Second):
						return mgomcp.NewToolResultError("the progress notification never arrived"), nil
					}
				}
				return mgomcp.NewToolResultText("done"), nil
			})
			r := start(t, Config{Transport: tc.transport}, m)
			hc := &http.Client{Transport: &headerTransport{}}
			var tr mcp.Transport = &mcp.StreamableClientTransport{Endpoint: r.url + "/mcp", HTTPClient: hc}
			if tc.transport == TransportSSE {
				tr = &mcp.SSEClientTransport{Endpoint: r.url + "/sse", HTTPClient: hc}
			}
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "server-test", Version: "1"}, &mcp.ClientOptions{
				ProgressNotificationHandler: func(_ context.Context, p *mcp.ProgressNotificationClientRequest) {
					received <- p.Params.Progress
				}}).Connect(context.Background(), tr, &mcp.ClientSessionOptions{ProtocolVersion: tc.version})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cs.Close() })

			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "progress"})
			if err != nil || res.IsError {
				t.Fatalf("without a token: %v %v", res, err)
			}
			params := &mcp.CallToolParams{Name: "progress"}
			params.SetProgressToken("p-1")
			res, err = cs.CallTool(context.Background(), params)
			if err != nil || res.IsError {
				t.Fatalf("with a token: %v %v", res.GetError(), err)
			}
			if text := res.Content[0].(*mcp.TextContent).Text; text != "done" {
				t.Fatalf("with a token: %s", text)
			}
			if n := len(received); n != 0 {
				t.Fatalf("%d progress notifications more than sent", n)
			}
		})
	}
}

// An integer id beyond 2^53 is refused to that very id, over stdio and
// HTTP: mcp-go would answer to the float64 it decodes it into, an id the
// client never sent, and the client would wait for its answer forever.
// Ids it holds exactly, and strings, are served as usual.
func TestHugeIntegerIDsAreRefusedToTheirOwnID(t *testing.T) {
	const huge, overflow = `9007199254740993`, `123456789012345678901234567890`
	m, _ := newTestMCP()
	ping := func(id string) string { return `{"jsonrpc":"2.0","id":` + id + `,"method":"ping"}` }
	next := serveRaw(t, m, StdioConfig{}, strings.NewReader(rawInit+ping(huge)+"\n"+ping(overflow)+"\n"+ping("-"+huge)+"\n"+ping(`9007199254740992`)+"\n"+ping(`"`+huge+`"`)+"\n"))
	got := map[string]int{}
	for _, r := range next(6) {
		code := 0
		if r.Error != nil {
			code = r.Error.Code
		}
		got[string(r.ID)] = code
	}
	want := map[string]int{`1`: 0, huge: -32600, overflow: -32600, "-" + huge: -32600, `9007199254740992`: 0, `"` + huge + `"`: 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("stdio answers (id: code) %v, want %v", got, want)
	}

	r := start(t, Config{Transport: TransportHTTP}, m)
	req, _ := http.NewRequest(http.MethodPost, r.url+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":`+huge+`,"method":"tools/call","params":{"name":"echo","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "echo")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out rpcResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || string(out.ID) != huge || out.Error == nil || out.Error.Code != -32600 {
		t.Fatalf("HTTP: %d %s %+v %v", resp.StatusCode, out.ID, out.Error, err)
	}
}

// Without a session (2026-07-28), a notifications/cancelled cancels
// nothing, whoever sends it: mcp-go would key it by the request id alone,
// so one client could cancel another's call (clients number their
// requests from 1). It is acknowledged (202), with or without _meta (go-sdk
// sends none, and closes its session on the 400 mcp-go answers). The call
// goes on until its own client drops the POST.
func TestSessionlessCancelsCancelNothing(t *testing.T) {
	const meta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	m, started, ended := untilCancelled()
	r := start(t, Config{Transport: TransportHTTP}, m)
	post := func(ctx context.Context, method, name, body string, headers bool) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.url+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if headers {
			req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
			req.Header.Set("Mcp-Method", method)
			if name != "" {
				req.Header.Set("Mcp-Name", name)
			}
		}
		return http.DefaultClient.Do(req)
	}
	ctx, drop := context.WithCancel(context.Background())
	defer drop()
	go func() {
		resp, err := post(ctx, "tools/call", "forever", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"forever","arguments":{},`+meta+`}}`, true)
		if err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, started, "the call to start")
	for _, c := range []struct {
		body    string
		headers bool
	}{
		{`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,` + meta + `}}`, true},
		{`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}`, true},
		{`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,` + meta + `}}`, false},
	} {
		resp, err := post(context.Background(), "notifications/cancelled", "", c.body, c.headers)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if c.headers && resp.StatusCode != http.StatusAccepted {
			t.Errorf("%s: %d, want 202", c.body, resp.StatusCode)
		}
	}
	// The call still runs: only its own client's dropping it ends it. (A
	// call answered after the notifications gives a cancellation time to
	// show.)
	resp, err := post(context.Background(), "tools/call", "echo", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{},`+meta+`}}`, true)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ping: %v %v", resp, err)
	}
	resp.Body.Close()
	select {
	case <-ended:
		t.Fatal("another client's notifications/cancelled cancelled the call")
	default:
	}
	drop()
	waitFor(t, ended, "the call to end once its POST was dropped")
}
