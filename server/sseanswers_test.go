package server

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// rawSSE is a legacy SSE client on raw HTTP: the stream's data lines
// arrive on events, and post sends to the session's message endpoint.
type rawSSE struct {
	t       *testing.T
	message string
	events  chan string
	seen    []string // data lines read while awaiting another answer
}

func openRawSSE(t *testing.T, r *running) *rawSSE {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.url+"/sse", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sse = %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	c := &rawSSE{t: t, events: make(chan string, 64)}
	for sc.Scan() {
		if endpoint, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			c.message = r.url + strings.TrimSpace(endpoint)
			break
		}
	}
	if c.message == "" {
		t.Fatal("no endpoint event")
	}
	go func() {
		defer close(c.events)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				c.events <- data
			}
		}
	}()
	return c
}

func (c *rawSSE) post(body string) *http.Response {
	return post(c.t, c.message, []byte(body), map[string]string{"Authorization": "Bearer " + testToken})
}

// awaitAnswer returns the answer with this id, read before (answers to
// concurrent requests come in any order) or read from the stream within
// 30 s.
func (c *rawSSE) awaitAnswer(id string) string {
	c.t.Helper()
	isAnswer := func(data string) bool {
		return strings.Contains(data, `"id":`+id+`,`) && !strings.Contains(data, `"method"`)
	}
	for i, data := range c.seen {
		if isAnswer(data) {
			c.seen = append(c.seen[:i], c.seen[i+1:]...)
			return data
		}
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case data, ok := <-c.events:
			if !ok {
				c.t.Fatalf("the stream ended before the answer to %s", id)
			}
			if isAnswer(data) {
				return data
			}
			c.seen = append(c.seen, data)
		case <-timeout:
			c.t.Fatalf("no answer to %s within 30 s", id)
		}
	}
}

// Over legacy SSE a POST is answered 202 before its request runs, and the
// answer waits for the stream. A request counts as in flight until its
// answer is written, any request, not only tool calls: otherwise a client
// that posts faster than it reads its stream piles up goroutines and
// request bodies without bound.
func TestSSERequestsInFlightAreBounded(t *testing.T) {
	m, slow := newTestMCP()
	r := start(t, Config{Transport: TransportSSE, AuthToken: testToken, MaxConcurrentPerClient: 2}, m)
	c := openRawSSE(t, r)
	if resp := c.post(initialize); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("initialize: %d", resp.StatusCode)
	}
	c.awaitAnswer("1")
	// Notifications get no answer and are not counted.
	for range 3 {
		if resp := c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("notification: %d", resp.StatusCode)
		}
	}
	for _, id := range []string{"2", "3"} {
		if resp := c.post(`{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":{"name":"slow"}}`); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("call %s: %d", id, resp.StatusCode)
		}
		select {
		case <-slow.started:
		case <-time.After(30 * time.Second):
			t.Fatalf("call %s did not start within 30 s", id)
		}
	}
	// Two answers are owed: any third request is refused, whatever its id.
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":4,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":{"x":1},"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":5,"method":7}`,
	} {
		resp := c.post(body)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s over the limit: %d, want 429 with Retry-After", body, resp.StatusCode)
		}
	}
	close(slow.release)
	c.awaitAnswer("2")
	c.awaitAnswer("3")
	// Written answers free their slots; ids are matched however spelled.
	if resp := c.post(`{"jsonrpc":"2.0","id":6.0,"method":"ping"}`); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after the answers: %d", resp.StatusCode)
	}
	c.awaitAnswer("6")
	if resp := c.post(`{"jsonrpc":"2.0","id":7,"method":"ping"}`); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after the ping: %d", resp.StatusCode)
	}
	if resp := c.post(`{"jsonrpc":"2.0","id":8,"method":"ping"}`); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("second ping: %d", resp.StatusCode)
	}
}

func TestSSEAnswerID(t *testing.T) {
	for _, tc := range []struct {
		body, id string
		answered bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, "1", true},
		{`{"jsonrpc":"2.0","id":1e0,"method":"ping"} trailing`, "1", true},
		{`{"jsonrpc":"2.0","id":"a","method":"ping"}`, `"a"`, true},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "", false},
		{`{"jsonrpc":"2.0","id":3,"result":{}}`, "", false},
		{`{"jsonrpc":"1.0","id":3,"method":"ping"}`, "3", true},
		{`{"jsonrpc":"2.0","id":3,"method":5}`, "null", true},
		{`{"jsonrpc":"2.0","method":"x","params":5}`, "null", true},
		{`not json`, "", false},
	} {
		id, answered := sseAnswerID([]byte(tc.body))
		if id != tc.id || answered != tc.answered {
			t.Errorf("sseAnswerID(%s) = %q, %v; want %q, %v", tc.body, id, answered, tc.id, tc.answered)
		}
	}
}

// A JSON-RPC batch (which MCP no longer has) is refused at once as an
// invalid request, on /mcp and on SSE, where mcp-go would answer it on
// the stream with id null and leave each request in it unanswered.
func TestBatchesAreRefused(t *testing.T) {
	const batch = ` [{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]`
	check := func(t *testing.T, resp *http.Response) {
		t.Helper()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
		if code, msg := rpcErrorOf(t, resp.Body); code != mcp.INVALID_REQUEST || !strings.Contains(msg, "batches are not supported") {
			t.Fatalf("error %d %q", code, msg)
		}
	}
	t.Run("sse", func(t *testing.T) {
		m, _ := newTestMCP()
		r := start(t, Config{Transport: TransportSSE, AuthToken: testToken}, m)
		check(t, openRawSSE(t, r).post(batch))
	})
	t.Run("streamable http", func(t *testing.T) {
		m, _ := newTestMCP()
		r := start(t, Config{Transport: TransportHTTP, AuthToken: testToken}, m)
		check(t, post(t, r.url+"/mcp", []byte(batch), map[string]string{"Authorization": "Bearer " + testToken}))
	})
}
