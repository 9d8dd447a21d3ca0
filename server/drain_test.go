package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestInflightWait(t *testing.T) {
	f := newInflight()
	if !f.wait(context.Background()) {
		t.Fatal("idle tracker did not report drained")
	}
	if !f.enter() {
		t.Fatal("refused while serving")
	}
	call := f.addCall(func(error) {})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if f.wait(cancelled) {
		t.Fatal("reported drained with work in flight")
	}

	f.startDraining()
	if f.enter() {
		t.Fatal("admitted a new request while draining")
	}
	waited := make(chan bool)
	go func() { waited <- f.wait(context.Background()) }()
	f.done()
	f.doneCall(call)
	if !<-waited {
		t.Fatal("wait did not return once drained")
	}
}

func TestInflightMiddlewareWhileDraining(t *testing.T) {
	f := newInflight()
	next := &okHandler{}
	h := f.middleware(next)
	if w := serve(h, httptest.NewRequest(http.MethodPost, "/mcp", nil)); w.Code != http.StatusOK {
		t.Fatalf("serving: %d", w.Code)
	}
	if f.count() != 0 {
		t.Fatalf("count after the request = %d", f.count())
	}
	f.startDraining()
	w := serve(h, httptest.NewRequest(http.MethodPost, "/mcp", nil))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || errorCode(t, w) != "shutting_down" {
		t.Fatalf("POST while draining: %d %v", w.Code, w.Header())
	}
	if w := serve(h, httptest.NewRequest(http.MethodGet, "/mcp", nil)); w.Code != http.StatusOK {
		t.Fatalf("a legacy stream reconnecting while draining: %d", w.Code)
	}
}

// A subscriptions/listen stream is not waited for: an idle one held every
// shutdown for its whole timeout. A new one is refused while draining.
func TestListenStreamsAreNotCounted(t *testing.T) {
	f := newInflight()
	entered := make(chan struct{})
	release := make(chan struct{})
	h := f.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}))
	listen := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Header.Set(mcp.HeaderProtocolVersion, "2026-07-28")
		r.Header.Set(mcp.HeaderMethod, string(mcp.MethodSubscriptionsListen))
		return r
	}
	go serve(h, listen())
	<-entered
	if n := f.count(); n != 0 {
		t.Fatalf("an open listen stream counts %d", n)
	}
	f.startDraining()
	close(release)
	if w := serve(f.middleware(&okHandler{}), listen()); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("a new listen stream while draining: %d", w.Code)
	}
}
