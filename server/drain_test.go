package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestInflightWait(t *testing.T) {
	f := newInflight()
	if !f.wait(context.Background()) {
		t.Fatal("idle tracker did not report drained")
	}
	if !f.enter() {
		t.Fatal("refused while serving")
	}
	f.add()
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
	f.done()
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
