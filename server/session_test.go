package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
)

func TestSessionBinding(t *testing.T) {
	b := newSessionBinder(testToken, 0)
	alice := caller{identity: "token", tenant: "aaaaaaaaaaaa"}.principal()
	bob := caller{identity: "token", tenant: "bbbbbbbbbbbb"}.principal()
	sid := b.mint(alice)
	if !strings.HasPrefix(sid, sessionPrefix) || !b.valid(alice, sid) {
		t.Fatalf("minted id %q is not valid for its principal", sid)
	}
	if b.mint(alice) == sid {
		t.Fatal("two sessions got the same id")
	}
	if b.valid(bob, sid) {
		t.Fatal("another tenant can use the session")
	}
	tampered := sid[:len(sessionPrefix)] + strings.Repeat("0", 32) + sid[len(sessionPrefix)+32:]
	for _, bad := range []string{"", "mcp-session-" + strings.Repeat("0", 32), tampered, sid + "x", "x" + sid} {
		if b.valid(alice, bad) {
			t.Errorf("accepted %q", bad)
		}
	}
	// Replicas sharing the token accept each other's ids; others do not.
	if !newSessionBinder(testToken, 0).valid(alice, sid) {
		t.Error("a replica with the same token rejects the id")
	}
	if newSessionBinder(testToken+"2", 0).valid(alice, sid) || newSessionBinder("", 0).valid(alice, sid) {
		t.Error("a server with another token accepts the id")
	}
}

func TestSessionIDManager(t *testing.T) {
	b := newSessionBinder(testToken, 0)
	req := func(tenant string) *http.Request {
		return withCaller(httptest.NewRequest(http.MethodPost, "/mcp", nil), caller{identity: "token", tenant: tenant})
	}
	var resolver mcpserver.SessionIdManagerResolver = b
	alice, bob := resolver.ResolveSessionIdManager(req("a")), resolver.ResolveSessionIdManager(req("b"))
	sid := alice.Generate()
	if _, err := alice.Validate(sid); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Validate(sid); err == nil {
		t.Fatal("another principal validated the session")
	}
	if _, err := alice.Validate(""); err == nil {
		t.Fatal("a missing session id validated")
	}
	if _, err := bob.Terminate(sid); err == nil {
		t.Fatal("another principal terminated the session")
	}
	if notAllowed, err := resolver.ResolveSessionIdManager(nil).Terminate(sid); notAllowed || err != nil {
		t.Fatal("mcp-go's sweeper could not terminate")
	}
}

func TestCheckSessionMiddleware(t *testing.T) {
	b := newSessionBinder(testToken, 0)
	alice := caller{identity: "token", tenant: "a"}
	sid := b.mint(alice.principal())
	for _, tc := range []struct {
		name      string
		fromQuery bool
		method    string
		version   string // Mcp-Protocol-Version
		who       caller
		sid       string
		want      int
	}{
		{"header, owner", false, http.MethodGet, "", alice, sid, http.StatusOK},
		{"header, other tenant", false, http.MethodGet, "", caller{identity: "token", tenant: "b"}, sid, http.StatusNotFound},
		{"get, none", false, http.MethodGet, "", alice, "", http.StatusBadRequest},
		{"get, none, 2026-07-28 (mcp-go answers it)", false, http.MethodGet, "2026-07-28", alice, "", http.StatusOK},
		{"delete, owner", false, http.MethodDelete, "2025-11-25", alice, sid, http.StatusOK},
		{"delete, none", false, http.MethodDelete, "2025-11-25", alice, "", http.StatusBadRequest},
		{"delete, none, no version header", false, http.MethodDelete, "", alice, "", http.StatusBadRequest},
		{"delete, 2026-07-28 (mcp-go answers it)", false, http.MethodDelete, "2026-07-28", alice, "", http.StatusOK},
		{"query, owner", true, http.MethodPost, "", alice, sid, http.StatusOK},
		{"query, forged", true, http.MethodPost, "", alice, "mcp-session-" + strings.Repeat("1", 32) + ".x", http.StatusNotFound},
	} {
		r := httptest.NewRequest(tc.method, "/mcp", nil)
		if tc.fromQuery && tc.sid != "" {
			r = httptest.NewRequest(tc.method, "/message?sessionId="+tc.sid, nil)
		} else if tc.sid != "" {
			r.Header.Set(mcpserver.HeaderKeySessionID, tc.sid)
		}
		if tc.version != "" {
			r.Header.Set("Mcp-Protocol-Version", tc.version)
		}
		w := serve(b.checkSession(discard, tc.fromQuery)(&okHandler{}), withCaller(r, tc.who))
		if w.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.want)
		}
	}
}

// A session its client ended with DELETE is answered 404 from then on, as
// the spec asks (the ids are stateless: the binder remembers the ended
// ones), and the ended ids are forgotten once an idle session would be.
func TestDeletedSessionIsGone(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken}, m)
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	resp := post(t, r.url+"/mcp", []byte(init), auth)
	sid := resp.Header.Get(mcpserver.HeaderKeySessionID)
	if resp.StatusCode != http.StatusOK || sid == "" {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, sid)
	}
	withSession := map[string]string{"Authorization": "Bearer " + testToken, mcpserver.HeaderKeySessionID: sid, "Mcp-Protocol-Version": "2025-11-25"}
	list := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	if resp := post(t, r.url+"/mcp", list, withSession); resp.StatusCode != http.StatusOK {
		t.Fatalf("tools/list in the session: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodDelete, r.url+"/mcp", nil)
	for k, v := range withSession {
		req.Header.Set(k, v)
	}
	del, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	del.Body.Close()
	if del.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d", del.StatusCode)
	}
	if resp := post(t, r.url+"/mcp", list, withSession); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("tools/list after DELETE: %d, want 404", resp.StatusCode)
	}

	now := time.Now()
	e := &endedSessions{at: map[string]time.Time{}, now: func() time.Time { return now }}
	e.add("a")
	now = now.Add(sessionIdleTTL + time.Second)
	if e.has("a") || len(e.order) != 0 {
		t.Fatal("an ended id outlived an idle session")
	}
	for i := range maxEndedSessions + 1 {
		e.add(fmt.Sprint(i))
	}
	if e.has("0") || !e.has(fmt.Sprint(maxEndedSessions)) || len(e.at) != maxEndedSessions {
		t.Fatalf("bound: %d kept", len(e.at))
	}
}

// An older client's POST without Mcp-Session-Id (other than initialize)
// is a 400, as the spec asks, not mcp-go's 404 "Invalid session ID", which
// tells a client its session expired; 2026-07-28 requests need none.
func TestPostWithoutSessionIsBadRequest(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken}, m)
	auth := "Bearer " + testToken
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	for _, tc := range []struct {
		name, body, version, method string
		want                        int
	}{
		{"request", `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, "2025-11-25", "", http.StatusBadRequest},
		{"request, no version header", `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, "", "", http.StatusBadRequest},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, "2025-11-25", "", http.StatusBadRequest},
		{"initialize", initialize, "", "", http.StatusOK},
		{"2026-07-28", `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{` + meta + `}}`, "2026-07-28", "tools/list", http.StatusOK},
	} {
		h := map[string]string{"Authorization": auth}
		if tc.version != "" {
			h["Mcp-Protocol-Version"] = tc.version
		}
		if tc.method != "" {
			h["Mcp-Method"] = tc.method
		}
		resp := post(t, r.url+"/mcp", []byte(tc.body), h)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
			continue
		}
		if tc.want == http.StatusBadRequest {
			var b errorBody
			if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || b.Error != "missing_session" {
				t.Errorf("%s: body %+v, %v; want missing_session", tc.name, b, err)
			}
		}
	}
}

// Methods the endpoint does not serve get 405 naming the ones it does,
// not mcp-go's 404, which reads as "no MCP endpoint here".
func TestUnsupportedMethodIs405(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken}, m)
	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodOptions} {
		req, _ := http.NewRequest(method, r.url+"/mcp", strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST, DELETE" {
			t.Errorf("%s: %d, Allow %q; want 405 with Allow: GET, POST, DELETE", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

// A GET stream belongs to a session: without Mcp-Session-Id an older
// client's GET is 400, not a stream on a session nobody else can reach.
func TestGetWithoutSessionIsBadRequest(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken}, m)
	req, _ := http.NewRequest(http.MethodGet, r.url+"/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b errorBody
	if resp.StatusCode != http.StatusBadRequest || json.NewDecoder(resp.Body).Decode(&b) != nil || b.Error != "missing_session" {
		t.Fatalf("status %d, body %+v; want 400 missing_session", resp.StatusCode, b)
	}
}
