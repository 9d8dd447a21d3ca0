package server

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// An older client's initialize starts a session mcp-go holds state for
// until it is DELETEd or idles for half an hour: past the bound a new one
// is refused (503, Retry-After), sessions already open go on, and ending
// one makes room again.
func TestLegacySessionsAreBounded(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken, maxSessions: 3}, m)
	h := map[string]string{"Authorization": "Bearer " + testToken, "Mcp-Protocol-Version": "2025-11-25"}
	with := func(sid string) map[string]string {
		out := map[string]string{"Mcp-Session-Id": sid}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	var sids []string
	for range 3 {
		resp := post(t, r.url+"/mcp", []byte(initialize), h)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Mcp-Session-Id") == "" {
			t.Fatalf("initialize under the bound: %d", resp.StatusCode)
		}
		sids = append(sids, resp.Header.Get("Mcp-Session-Id"))
	}
	for range 5 {
		if resp := post(t, r.url+"/mcp", []byte(initialize), h); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("initialize over the bound: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	list := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	if resp := post(t, r.url+"/mcp", list, with(sids[0])); resp.StatusCode != http.StatusOK {
		t.Fatalf("a session already open, at the bound: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodDelete, r.url+"/mcp", nil)
	for k, v := range with(sids[1]) {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp := post(t, r.url+"/mcp", []byte(initialize), h); resp.StatusCode != http.StatusOK {
		t.Fatalf("initialize after a DELETE made room: %d", resp.StatusCode)
	}
}

// A session idle as long as mcp-go keeps one leaves the count when room
// is needed: the bound never locks out clients for good.
func TestLiveSessionsForgetIdleOnes(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newLiveSessions(2)
	l.now = func() time.Time { return now }
	l.add("a", "")
	l.add("b", "")
	if l.room("") || l.touch("c", "") {
		t.Fatal("room past the bound")
	}
	now = now.Add(sessionIdleTTL / 2)
	l.touch("a", "") // a is in use
	now = now.Add(sessionIdleTTL/2 + time.Second)
	if !l.touch("c", "") || l.touch("d", "") {
		t.Fatal("the idle session b was not forgotten, or the busy one a was")
	}
}

// In multi-tenant mode one tenant holds at most a tenth of the sessions:
// it cannot lock the others out of new ones; the server's own token's
// callers share the whole bound.
func TestLiveSessionsShareAmongTenants(t *testing.T) {
	l := newLiveSessions(20)
	for i := range 2 {
		if !l.room("tenant-a") {
			t.Fatalf("tenant a refused its session %d", i+1)
		}
		l.add(fmt.Sprintf("a%d", i), "tenant-a")
	}
	if l.room("tenant-a") || l.touch("a-elsewhere", "tenant-a") {
		t.Fatal("tenant a went past its share of 2")
	}
	if !l.room("tenant-b") {
		t.Fatal("tenant b locked out by tenant a")
	}
	l.end("a0")
	if !l.room("tenant-a") {
		t.Fatal("an ended session did not give tenant a room")
	}
	for i := range 17 {
		l.add(fmt.Sprintf("own%d", i), "")
	}
	if !l.room("") {
		t.Fatal("the server's own callers do not share the whole bound")
	}
	l.add("own17", "")
	l.add("own18", "")
	if l.room("") || l.room("tenant-b") {
		t.Fatalf("room past the bound of 20 (%d sessions)", len(l.seen))
	}
}
