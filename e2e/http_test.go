package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

func skipOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
}

// The official go-sdk client over each transport, each protocol era.
func TestTransportsServeTheEndUserFlow(t *testing.T) {
	skipOnWindows(t)
	for _, tc := range remoteClients {
		t.Run(tc.name, func(t *testing.T) {
			srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", tc.transport)
			s := srv.connect(t, tc.transport, tc.version, auth())
			if got := s.InitializeResult(); got == nil || !strings.Contains(got.Instructions, "lookup_end_user") {
				t.Fatalf("instructions missing: %+v", got)
			}
			want := tc.version
			if want == "" {
				want = "2026-07-28" // mcp-go serves the stateless era on both transports
			}
			if got := s.InitializeResult().ProtocolVersion; got != want {
				t.Fatalf("negotiated %s, want %s", got, want)
			}
			user, _, msgs := endUserFlow(t, s, "crm-"+tc.transport, "Ada", "Where is my parcel?", nil)
			roles := []string{}
			for _, m := range msgs {
				roles = append(roles, m["role"].(string))
				if m["role"] == "end_user" && m["author_id"] != user {
					t.Errorf("end-user message by %v, want %s", m["author_id"], user)
				}
			}
			if strings.Join(roles, ",") != "ai_agent,end_user,ai_agent" {
				t.Fatalf("roles = %v (greeting, our message, reply)", roles)
			}
			if strings.Contains(srv.logs.String(), token) {
				t.Fatal("the auth token reached the logs")
			}
		})
	}
}

// Older clients and 2026-07-28 clients share /mcp. Raw JSON-RPC over HTTP,
// so each era's wire rules are checked as written, not as an SDK does them.
func TestBothProtocolErasOnOneEndpoint(t *testing.T) {
	skipOnWindows(t)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", "http")
	bearer := map[string]string{"Authorization": "Bearer " + token}
	call := `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"list_channels","arguments":{}%s}}`
	withHeaders := func(extra map[string]string) map[string]string {
		h := map[string]string{"Authorization": "Bearer " + token}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}

	t.Run("2025-11-25: initialize, then the session header", func(t *testing.T) {
		resp, body := srv.rawPost(t, "/mcp", `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`, bearer)
		sid := resp.Header.Get("Mcp-Session-Id")
		if resp.StatusCode != http.StatusOK || sid == "" || !strings.Contains(body, `"protocolVersion":"2025-11-25"`) {
			t.Fatalf("initialize: %d %q %s", resp.StatusCode, sid, body)
		}
		session := withHeaders(map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"})
		if resp, _ := srv.rawPost(t, "/mcp", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, session); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("initialized: %d", resp.StatusCode)
		}
		resp, body = srv.rawPost(t, "/mcp", fmt.Sprintf(call, 2, ""), session)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"channels"`) || strings.Contains(body, `"isError":true`) {
			t.Fatalf("tools/call in the session: %d %s", resp.StatusCode, body)
		}
		// The spec's 400, not 404, which would tell the client its session expired.
		if resp, body := srv.rawPost(t, "/mcp", fmt.Sprintf(call, 3, ""), withHeaders(map[string]string{"Mcp-Protocol-Version": "2025-11-25"})); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "missing_session") {
			t.Fatalf("a 2025-11-25 call without its session: %d %s, want 400 missing_session", resp.StatusCode, body)
		}
		req, _ := http.NewRequest(http.MethodDelete, srv.url+"/mcp", nil)
		for k, v := range session {
			req.Header.Set(k, v)
		}
		if resp, _ := do(t, req); resp.StatusCode != http.StatusOK {
			t.Fatalf("DELETE: %d", resp.StatusCode)
		}
	})

	t.Run("2026-07-28: stateless, no initialize", func(t *testing.T) {
		meta := `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
		h := withHeaders(map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "list_channels"})
		resp, body := srv.rawPost(t, "/mcp", fmt.Sprintf(call, 4, meta), h)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Mcp-Session-Id") != "" || !strings.Contains(body, `"channels"`) || strings.Contains(body, `"isError":true`) {
			t.Fatalf("stateless tools/call: %d session=%q %s", resp.StatusCode, resp.Header.Get("Mcp-Session-Id"), body)
		}
		discover := `{"jsonrpc":"2.0","id":5,"method":"server/discover","params":{` + meta[1:] + `}}`
		resp, body = srv.rawPost(t, "/mcp", discover, withHeaders(map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "server/discover"}))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "2026-07-28") || !strings.Contains(body, "2025-11-25") {
			t.Fatalf("server/discover: %d %s", resp.StatusCode, body)
		}
	})
}

func TestHTTPRejectsWhatItShould(t *testing.T) {
	skipOnWindows(t)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", "http", "--max-body-bytes", "4096", "--log-level", "debug")
	list := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

	for name, h := range map[string]map[string]string{
		"missing token": {},
		"wrong token":   {"Authorization": "Bearer not-the-token-0000000000"},
	} {
		resp, body := srv.rawPost(t, "/mcp", list, h)
		var b map[string]string
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="ada-mcp"`) ||
			json.Unmarshal([]byte(body), &b) != nil || b["error"] != "unauthorized" {
			t.Errorf("%s: %d %q %s", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
	if _, err := srv.dial("http", "", headers{}); err == nil {
		t.Error("the go-sdk client connected without a token")
	}

	resp, body := srv.rawPost(t, "/mcp", list, map[string]string{"Authorization": "Bearer " + token, "Origin": "http://attacker.example"})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "forbidden_origin") {
		t.Errorf("bad Origin: %d %s", resp.StatusCode, body)
	}
	// The server's own loopback origin is fine.
	resp, _ = srv.rawPost(t, "/mcp", list, map[string]string{"Authorization": "Bearer " + token, "Origin": srv.url})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("own origin %s: %d", srv.url, resp.StatusCode)
	}

	big := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"lookup_end_user","arguments":{"external_id":"` + strings.Repeat("x", 5000) + `"}}}`
	resp, body = srv.rawPost(t, "/mcp", big, map[string]string{"Authorization": "Bearer " + token})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "request_too_large") {
		t.Errorf("oversize body: %d %s", resp.StatusCode, body)
	}

	resp, body = srv.rawPost(t, "/mcp", list, map[string]string{"Authorization": "Bearer " + token, "X-Ada-Api-Key": "someone_elses_key_123456"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "multi-tenant mode is off") {
		t.Errorf("tenant headers without multi-tenant mode: %d %s", resp.StatusCode, body)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, body := do(t, mustRequest(t, http.MethodGet, srv.url+path))
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "sandbox_") || strings.Contains(body, token) {
			t.Errorf("%s without a token: %d %s", path, resp.StatusCode, body)
		}
	}
	if l := srv.logs.String(); strings.Contains(l, token) || strings.Contains(l, "someone_elses_key") || strings.Contains(l, "not-the-token") {
		t.Fatal("a token or key reached the logs")
	}
}

// The legacy SSE endpoints are guarded like /mcp: the stream and the
// message POSTs need the token, a foreign Origin is refused, and message
// bodies are bounded.
func TestSSERejectsWhatItShould(t *testing.T) {
	skipOnWindows(t)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", "sse", "--max-body-bytes", "4096")
	bearer := "Bearer " + token
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

	get := func(h map[string]string) *http.Response {
		t.Helper()
		req := mustRequest(t, http.MethodGet, srv.url+"/sse")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(nil); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("stream without token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp := get(map[string]string{"Authorization": "Bearer not-the-token-0000000000"}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("stream with a wrong token: %d", resp.StatusCode)
	}
	if resp := get(map[string]string{"Authorization": bearer, "Origin": "http://attacker.example"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("stream from a foreign origin: %d", resp.StatusCode)
	}
	if _, err := srv.dial("sse", "", headers{}); err == nil {
		t.Error("the go-sdk SSE client connected without a token")
	}

	// A real session's message endpoint, from the stream's first event.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.url+"/sse", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	endpoint := ""
	for sc := bufio.NewScanner(resp.Body); endpoint == "" && sc.Scan(); {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			endpoint = data
		}
	}
	if !strings.Contains(endpoint, "sessionId=") {
		t.Fatalf("no endpoint event on the stream, got %q", endpoint)
	}
	path := strings.TrimPrefix(endpoint, srv.url) // absolute or relative

	for name, tc := range map[string]struct {
		h    map[string]string
		body string
		want int
	}{
		"no token":       {nil, initialize, http.StatusUnauthorized},
		"foreign origin": {map[string]string{"Authorization": bearer, "Origin": "http://attacker.example"}, initialize, http.StatusForbidden},
		"oversize body":  {map[string]string{"Authorization": bearer}, `{"pad":"` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge},
		"token":          {map[string]string{"Authorization": bearer}, initialize, http.StatusAccepted},
	} {
		if resp, body := srv.rawPost(t, path, tc.body, tc.h); resp.StatusCode != tc.want {
			t.Errorf("message, %s: %d %s, want %d", name, resp.StatusCode, body, tc.want)
		}
	}
	if strings.Contains(srv.logs.String(), token) {
		t.Fatal("the token reached the logs")
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Thirty-two assistants, one customer each, at once: nobody sees anyone
// else's end user or conversation, over each transport and protocol era
// (the session-based ones route each message by its session id).
func TestConcurrentClientsDoNotCrossTalk(t *testing.T) {
	skipOnWindows(t)
	for _, tc := range remoteClients {
		t.Run(tc.name, func(t *testing.T) {
			srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", tc.transport, "--sandbox-reply-delay", "50ms")
			checkNoCrossTalk(t, srv, tc.transport, tc.version)
		})
	}
}

func checkNoCrossTalk(t *testing.T, srv *httpServer, transport, version string) {
	const clients = 32
	sessions := make([]*testclient.Session, clients)
	for i := range sessions {
		sessions[i] = srv.connect(t, transport, version, auth())
	}
	type outcome struct {
		user, conv string
		msgs       []map[string]any
	}
	results := make([]outcome, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, c, m := endUserFlow(t, sessions[i], fmt.Sprintf("client-%02d", i), fmt.Sprintf("Client%02d", i),
				fmt.Sprintf("question from client-%02d", i), nil)
			results[i] = outcome{u, c, m}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	users, convs := map[string]int{}, map[string]int{}
	for i, r := range results {
		users[r.user]++
		convs[r.conv]++
		if len(r.msgs) != 3 {
			t.Errorf("client %d sees %d messages, want 3: %v", i, len(r.msgs), r.msgs)
		}
		for _, m := range r.msgs {
			body, _ := m["body"].(string)
			if m["role"] == "end_user" && m["author_id"] != r.user {
				t.Errorf("client %d sees a message by %v", i, m["author_id"])
			}
			for j := range clients {
				if j != i && (strings.Contains(body, fmt.Sprintf("client-%02d", j)) || strings.Contains(body, fmt.Sprintf("Client%02d", j))) {
					t.Errorf("client %d sees client %d's text: %q", i, j, body)
				}
			}
		}
		// Each sees its own end user by its own external id.
		found := sessions[i].OK("lookup_end_user", map[string]any{"external_id": fmt.Sprintf("client-%02d", i)})
		if found["end_user"].(map[string]any)["end_user_id"] != r.user {
			t.Errorf("client %d: lookup = %v, want %s", i, found, r.user)
		}
	}
	if len(users) != clients || len(convs) != clients {
		t.Fatalf("%d distinct end users and %d conversations for %d clients", len(users), len(convs), clients)
	}
}

// Over the limit, a client is told to come back later.
func TestPerClientConcurrencyLimit(t *testing.T) {
	skipOnWindows(t)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", "http",
		"--max-concurrent-per-client", "1", "--sandbox-reply-delay", "3s", "--log-level", "debug")
	s := srv.connect(t, "http", "", auth())
	conv := s.OK("start_conversation", map[string]any{"external_id": "limit-1"})
	done := make(chan map[string]any, 1)
	go func() {
		done <- s.OK("send_message", map[string]any{"conversation_id": conv["conversation_id"], "body": "slow one", "wait_for_reply_seconds": 30})
	}()
	srv.logs.waitFor(t, "ada request", func(r map[string]any) bool {
		return r["method"] == "POST" && strings.HasSuffix(r["path"].(string), "/messages/")
	})
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	resp, body := srv.rawPost(t, "/mcp", `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"list_channels","arguments":{},`+meta+`}}`,
		map[string]string{"Authorization": "Bearer " + token, "Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "list_channels"})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "too_many_requests") {
		t.Fatalf("second concurrent call: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if r := <-done; len(r["replies"].([]any)) == 0 {
		t.Fatalf("the first call lost its reply: %v", r)
	}
}

// SIGTERM while send_message waits for a slow AI Agent: the call completes
// with the reply, then the process exits cleanly.
func TestSIGTERMLetsInFlightCallsFinish(t *testing.T) {
	skipOnWindows(t)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--sandbox", "--transport", "http",
		"--sandbox-reply-delay", "4s", "--log-level", "debug")
	s := srv.connect(t, "http", "", auth())
	conv := s.OK("start_conversation", map[string]any{"external_id": "shutdown-1"})
	type outcome struct {
		res *mcp.CallToolResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "send_message",
			Arguments: map[string]any{"conversation_id": conv["conversation_id"], "body": "are you there?", "wait_for_reply_seconds": 30}})
		done <- outcome{res, err}
	}()
	// The message is sent; the call now waits for the reply.
	srv.logs.waitFor(t, "ada request", func(r map[string]any) bool {
		return r["method"] == "POST" && strings.HasSuffix(r["path"].(string), "/messages/")
	})
	exit := make(chan error, 1)
	go func() { exit <- srv.stop(t) }()

	out := <-done
	if out.err != nil || out.res.IsError {
		t.Fatalf("the in-flight call did not complete: %v %+v\nlogs:\n%s", out.err, out.res, srv.logs)
	}
	var sent map[string]any
	testclient.Decode(t, out.res, &sent)
	if replies, _ := sent["replies"].([]any); len(replies) == 0 {
		t.Fatalf("no reply: %v", sent)
	}
	if err := <-exit; err != nil {
		t.Fatalf("exit after SIGTERM: %v\nlogs:\n%s", err, srv.logs)
	}
	shut := srv.logs.waitFor(t, "shutting down", nil)
	if n, _ := shut["tool_calls"].(float64); n < 1 {
		t.Fatalf("shutdown started with nothing in flight, so it proved nothing: %v", shut)
	}
	if stopped := srv.logs.waitFor(t, "stopped", nil); stopped["drained"] != true {
		t.Fatalf("stopped = %v", stopped)
	}
}

func TestRefusesAPublicAddressWithoutToken(t *testing.T) {
	cmd := command(t, "--sandbox", "--transport", "http", "--addr", "0.0.0.0:0")
	out, err := cmd.CombinedOutput()
	if code := exitCode(err); code != 2 || !strings.Contains(string(out), "ADA_MCP_AUTH_TOKEN") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

// The listening line tells an operator whether clients must authenticate.
// Its keys go through the same redaction as every log key, so a key that
// looks secret ("auth_...") would hide the value.
func TestListeningLineSaysWhetherATokenIsRequired(t *testing.T) {
	skipOnWindows(t)
	for _, tc := range []struct {
		env  []string
		want bool
	}{{[]string{"ADA_MCP_AUTH_TOKEN=" + token}, true}, {nil, false}} {
		srv := startHTTP(t, tc.env, "--sandbox", "--transport", "http")
		rec := srv.logs.Records("listening")[0]
		if u, _ := rec["url"].(string); !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/mcp") {
			t.Errorf("listening line url = %#v, want http://127.0.0.1:PORT/mcp", rec["url"])
		}
		if got, ok := rec["bearer_required"].(bool); !ok || got != tc.want {
			t.Errorf("token set %v: listening line bearer_required = %#v, want %v", tc.want, rec["bearer_required"], tc.want)
		}
		warning := "authentication is off: any local process can use this server; set ADA_MCP_AUTH_TOKEN to require a token"
		warned := func() bool { return len(srv.logs.Records(warning)) > 0 }
		if !tc.want { // the warning follows the listening line: give it 2s to arrive
			for i := 0; i < 100 && !warned(); i++ {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if warned := warned(); warned == tc.want {
			t.Errorf("token set %v: warning logged = %v", tc.want, warned)
		}
	}
}

func TestAuthTokenFile(t *testing.T) {
	skipOnWindows(t)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startHTTP(t, nil, "--sandbox", "--transport", "sse", "--auth-token-file", file)
	s := srv.connect(t, "sse", "", auth())
	if r := s.OK("list_channels", map[string]any{}); len(r["channels"].([]any)) == 0 {
		t.Fatalf("list_channels = %v", r)
	}
	if _, err := srv.dial("sse", "", headers{"Authorization": "Bearer " + token + "x"}); err == nil {
		t.Fatal("connected over SSE with a wrong token")
	}
}
