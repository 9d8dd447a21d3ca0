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
		who       caller
		sid       string
		want      int
	}{
		{"header, owner", false, alice, sid, http.StatusOK},
		{"header, other tenant", false, caller{identity: "token", tenant: "b"}, sid, http.StatusNotFound},
		{"header, none", false, alice, "", http.StatusOK},
		{"query, owner", true, alice, sid, http.StatusOK},
		{"query, forged", true, alice, "mcp-session-" + strings.Repeat("1", 32) + ".x", http.StatusNotFound},
	} {
		r := httptest.NewRequest(http.MethodGet, "/mcp", nil)
		if tc.fromQuery && tc.sid != "" {
			r = httptest.NewRequest(http.MethodPost, "/message?sessionId="+tc.sid, nil)
		} else if tc.sid != "" {
			r.Header.Set(mcpserver.HeaderKeySessionID, tc.sid)
		}
		w := serve(b.checkSession(discard, tc.fromQuery)(&okHandler{}), withCaller(r, tc.who))
		if w.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.want)
		}
	}
}
