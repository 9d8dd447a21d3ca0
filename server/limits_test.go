package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// bodyEcho answers with the body it read.
var bodyEcho = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	_, _ = w.Write(b)
})

func TestLimitBody(t *testing.T) {
	h := limitBody(16, discard)(bodyEcho)

	w := serve(h, httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{"jsonrpc":"2"}`)))
	if w.Code != http.StatusOK || w.Body.String() != `{"jsonrpc":"2"}` {
		t.Fatalf("within the limit: %d %q", w.Code, w.Body)
	}

	w = serve(h, httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(strings.Repeat("x", 17))))
	if w.Code != http.StatusRequestEntityTooLarge || errorCode(t, w) != "request_too_large" {
		t.Fatalf("declared length over the limit: %d %s", w.Code, w.Body)
	}

	// No Content-Length (chunked): caught while reading.
	r := httptest.NewRequest(http.MethodPost, "/mcp", io.MultiReader(strings.NewReader(strings.Repeat("x", 10)), strings.NewReader(strings.Repeat("y", 10))))
	r.ContentLength = -1
	w = serve(h, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed body over the limit: %d %s", w.Code, w.Body)
	}

	if w = serve(h, httptest.NewRequest(http.MethodGet, "/sse", nil)); w.Code != http.StatusOK {
		t.Fatalf("GET: %d", w.Code)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2)
	for range 2 {
		if !l.acquire("a") {
			t.Fatal("under the limit")
		}
	}
	if l.acquire("a") {
		t.Fatal("a third concurrent request was admitted")
	}
	if !l.acquire("b") {
		t.Fatal("another client shares the first one's limit")
	}
	l.release("a")
	if !l.acquire("a") {
		t.Fatal("a released slot was not reused")
	}
	l.release("a")
	l.release("a")
	l.release("b")
	if len(l.inUse) != 0 {
		t.Fatalf("released keys kept: %v", l.inUse)
	}
}

func TestLimiterMiddleware(t *testing.T) {
	l := newLimiter(1)
	entered, release := make(chan struct{}), make(chan struct{})
	blocking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	h := l.middleware(discard)(blocking)
	req := func(method, ip string) *http.Request {
		r := httptest.NewRequest(method, "/mcp", nil)
		r.RemoteAddr = ip + ":5000"
		return withCaller(r, caller{identity: "token"})
	}

	done := make(chan int)
	go func() { done <- serve(h, req(http.MethodPost, "10.0.0.1")).Code }()
	<-entered

	w := serve(h, req(http.MethodPost, "10.0.0.1"))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" || errorCode(t, w) != "too_many_requests" {
		t.Fatalf("second concurrent POST: %d %v %s", w.Code, w.Header(), w.Body)
	}

	// Another address, and GET streams, are not limited by this client's POST.
	go func() { done <- serve(h, req(http.MethodPost, "10.0.0.2")).Code }()
	<-entered
	go func() { done <- serve(h, req(http.MethodGet, "10.0.0.1")).Code }()
	<-entered
	close(release)
	for range 3 {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
}

// Streams (GETs, 2026-07-28 subscriptions/listen POSTs) are bounded per
// client too, counted apart from requests: open streams never use up a
// client's calls, and a client cannot open them without end.
func TestStreamLimit(t *testing.T) {
	requests, streams := newLimiter(1), newLimiter(1)
	entered, release := make(chan struct{}), make(chan struct{})
	blocking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	h := chain(blocking, requests.middleware(discard), streams.streamMiddleware(discard))
	req := func(method string, listen bool) *http.Request {
		r := withCaller(httptest.NewRequest(method, "/mcp", nil), caller{identity: "token"})
		if listen {
			r.Header.Set(mcp.HeaderProtocolVersion, "2026-07-28")
			r.Header.Set(mcp.HeaderMethod, string(mcp.MethodSubscriptionsListen))
		}
		return r
	}
	done := make(chan int, 3)
	go func() { done <- serve(h, req(http.MethodGet, false)).Code }()
	<-entered
	for _, r := range []*http.Request{req(http.MethodGet, false), req(http.MethodPost, true)} {
		if w := serve(h, r); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "streams open") {
			t.Fatalf("%s stream over the limit: %d %s", r.Method, w.Code, w.Body)
		}
	}
	go func() { done <- serve(h, req(http.MethodPost, false)).Code }() // a call, beside the stream
	<-entered
	// An older client's call that names itself a listen stream (its header
	// checked against nothing) is a request all the same: over the limit.
	forged := req(http.MethodPost, true)
	forged.Header.Set(mcp.HeaderProtocolVersion, "2025-11-25")
	if w := serve(h, forged); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "requests in flight") {
		t.Fatalf("a forged Mcp-Method: %d %s", w.Code, w.Body)
	}
	close(release)
	for range 2 {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
}

func TestLimiterToolMiddleware(t *testing.T) {
	l := newLimiter(1)
	ctx := context.WithValue(context.Background(), limitKey{}, "token||127.0.0.1")
	var inner *mcp.CallToolResult
	handler := l.toolMiddleware(func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		// While this call runs, the same client's next one is refused.
		inner, _ = l.toolMiddleware(func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			t.Fatal("the over-limit call ran")
			return nil, nil
		})(ctx, req)
		return mcp.NewToolResultText("done"), nil
	})
	res, err := handler(ctx, mcp.CallToolRequest{})
	if err != nil || res.IsError {
		t.Fatalf("first call: %v %v", res, err)
	}
	if inner == nil || !inner.IsError {
		t.Fatalf("over-limit call = %+v, want an isError result", inner)
	}
	if _, err := handler(ctx, mcp.CallToolRequest{}); err != nil {
		t.Fatal("the slot was not released")
	}
}

// The server's read timeout cuts off a client that stalls in its body,
// and does not outlive the body: a handler that runs longer (an SSE stream,
// a send_message wait) keeps its request context.
func TestReadTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	handlerCtxErr := make(chan error, 1)
	h := limitBody(1<<10, discard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * timeout) // outlive the read deadline
		handlerCtxErr <- r.Context().Err()
		w.WriteHeader(http.StatusOK)
	}))
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newHTTPServer(h, timeout, discard)
	srv.Start()
	t.Cleanup(srv.Close)

	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"jsonrpc":"2.0"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := <-handlerCtxErr; err != nil {
		t.Fatalf("the request context ended while the handler ran: %v", err)
	}

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial\":")
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // bounds the test; not an assertion
	got, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(got), "HTTP/1.1 400") {
		t.Fatalf("stalled body answered %q, want 400", got)
	}
}

// Request headers are cut at 64 KiB, as the README says, with the 4 KiB
// net/http allows over MaxHeaderBytes counted in.
func TestHeaderLimitIs64KiB(t *testing.T) {
	m, _ := newTestMCP()
	r := start(t, Config{Transport: TransportHTTP}, m)
	status := func(n int) int {
		req, _ := http.NewRequest(http.MethodGet, r.url+"/healthz", nil)
		req.Header.Set("X-Pad", strings.Repeat("a", n))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := status(62 << 10); code != http.StatusOK {
		t.Errorf("62 KiB of headers: %d", code)
	}
	if code := status(65 << 10); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("65 KiB of headers: %d, want 431", code)
	}
}
