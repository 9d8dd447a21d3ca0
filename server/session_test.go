package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpserver "github.com/mark3labs/mcp-go/server"
)

func TestSessionBinding(t *testing.T) {
	b := newSessionBinder(testToken)
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
	if !newSessionBinder(testToken).valid(alice, sid) {
		t.Error("a replica with the same token rejects the id")
	}
	if newSessionBinder(testToken+"2").valid(alice, sid) || newSessionBinder("").valid(alice, sid) {
		t.Error("a server with another token accepts the id")
	}
}

func TestSessionIDManager(t *testing.T) {
	b := newSessionBinder(testToken)
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
	b := newSessionBinder(testToken)
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
		{"header, none", false, http.MethodGet, "", alice, "", http.StatusOK},
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
