package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	mgomcp "github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// repeated is a reader of n copies of one byte: a huge line that is never
// held anywhere.
type repeated struct {
	b byte
	n int64
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// blocked is an input that stays open, as a host's pipe does, until done
// is closed.
type blocked struct{ done <-chan struct{} }

func (b blocked) Read([]byte) (int, error) {
	<-b.done
	return 0, io.EOF
}

const rawInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}` + "\n" +
	`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"

type rpcResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// serveRaw runs ServeStdio on input and returns a function reading the
// next n responses (with a deadline).
func serveRaw(t *testing.T, m *mcpserver.MCPServer, cfg StdioConfig, input io.Reader) func(n int) []rpcResponse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	outR, outW := io.Pipe()
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = ServeStdio(ctx, m, cfg, io.MultiReader(input, blocked{done}), outW)
		outW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		close(done)
		outR.Close()
		<-served
	})
	lines := make(chan []byte)
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
		close(lines)
	}()
	return func(n int) []rpcResponse {
		t.Helper()
		var out []rpcResponse
		for range n {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("output ended after %d responses", len(out))
				}
				var r rpcResponse
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatalf("output line is not one JSON message: %v: %.200s", err, line)
				}
				out = append(out, r)
			case <-time.After(20 * time.Second):
				t.Fatalf("no response %d within 20s", len(out)+1)
			}
		}
		return out
	}
}

// A line over the limit is answered with a JSON-RPC error carrying its id
// (when the line starts with it) and skipped without ever being held whole;
// the next request on the stream is answered as usual.
func TestStdioSkipsAnOversizedLine(t *testing.T) {
	const huge = 64 << 20 // 64 MiB, the limit being 1 MiB
	for _, tc := range []struct {
		name, head, tail, id string
	}{
		{"id first", `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"blob":"`, `"}}}`, "5"},
		{"id last", `{"method":"tools/call","params":{"name":"echo","arguments":{"blob":"`, `"}},"jsonrpc":"2.0","id":5}`, "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestMCP()
			input := io.MultiReader(strings.NewReader(rawInit+tc.head), &repeated{'A', huge}, strings.NewReader(tc.tail+"\n"+
				`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":{}}}`+"\n"))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			next := serveRaw(t, m, StdioConfig{TooLongHint: "--max-body-bytes raises it"}, input)
			byID := map[string]rpcResponse{}
			for _, r := range next(3) { // in whatever order they were ready
				byID[string(r.ID)] = r
			}
			runtime.ReadMemStats(&after)

			if r := byID["1"]; r.Error != nil || r.Result == nil {
				t.Fatalf("initialize: %+v", r)
			}
			tooLong, echo := byID[tc.id], byID["6"]
			if string(tooLong.ID) != tc.id || tooLong.Error == nil || tooLong.Error.Code != -32600 ||
				!strings.Contains(tooLong.Error.Message, "limit of 1048576 bytes") || !strings.Contains(tooLong.Error.Message, "--max-body-bytes raises it") {
				t.Fatalf("the oversized line got %+v (id %s)", tooLong.Error, tooLong.ID)
			}
			if string(echo.ID) != "6" || echo.Error != nil || !strings.Contains(string(echo.Result), "echo") {
				t.Fatalf("the next request got %+v", echo)
			}
			// Reading 64 MiB allocated a small, fixed amount: chunks, not the line.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d MiB while skipping a %d MiB line", alloc>>20, huge>>20)
			}
		})
	}
}

// A message of exactly the limit passes; one byte more does not.
func TestStdioLimitIsInclusive(t *testing.T) {
	m, _ := newTestMCP()
	msg := func(id int, size int) string {
		head := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{"pad":"`, id)
		tail := `"}}}`
		return head + strings.Repeat("x", size-len(head)-len(tail)) + tail + "\n"
	}
	const limit = 300
	next := serveRaw(t, m, StdioConfig{MaxLineBytes: limit}, strings.NewReader(rawInit+msg(2, limit)+msg(3, limit+1)))
	byID := map[string]rpcResponse{}
	for _, r := range next(3) { // the refusal may come before the call's answer
		byID[string(r.ID)] = r
	}
	if r, ok := byID["2"]; !ok || r.Error != nil {
		t.Errorf("a message of exactly %d bytes: %+v", limit, r)
	}
	if r, ok := byID["3"]; !ok || r.Error == nil {
		t.Errorf("a message of %d bytes: %+v", limit+1, r)
	}
}

// The line guard's errors and mcp-go's responses share stdout: every line
// written is one whole message, however they interleave.
func TestStdioWritesNeverInterleave(t *testing.T) {
	m, _ := newTestMCP()
	var in strings.Builder
	in.WriteString(rawInit)
	const n = 200
	for i := range n {
		fmt.Fprintf(&in, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{}}}`+"\n", 100+i)
		fmt.Fprintf(&in, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{"pad":"%s"}}}`+"\n", 1000+i, strings.Repeat("y", 200))
	}
	next := serveRaw(t, m, StdioConfig{MaxLineBytes: 150}, strings.NewReader(in.String()))
	seen := map[string]bool{}
	for _, r := range next(1 + 2*n) {
		seen[string(r.ID)] = true
	}
	if len(seen) != 1+2*n {
		t.Fatalf("%d distinct ids answered, want %d", len(seen), 1+2*n)
	}
}

// Over stdio, a file within the limit uploads inline; one over it is
// refused as a protocol error that says what to do, and the session goes
// on (upload_attachment also takes file_path over stdio).
func TestStdioUploadWithinAndOverTheLimit(t *testing.T) {
	m, ada := newToolsMCP(t)
	cs := connectStdio(t, m, StdioConfig{TooLongHint: "upload_attachment takes a large file as file_path"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call := func(tool string, args map[string]any) (*mcp.CallToolResult, error) {
		return cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	}
	res, err := call("start_conversation", map[string]any{})
	if err != nil || res.IsError {
		t.Fatalf("start_conversation: %v %s", err, resultText(res))
	}
	var conv struct {
		ConversationID string `json:"conversation_id"`
	}
	sc, _ := json.Marshal(res.StructuredContent) // the text is fenced untrusted data
	_ = json.Unmarshal(sc, &conv)
	// Ada accepts uploads during a handoff, which the simulator starts on request.
	if res, err := call("send_message", map[string]any{"conversation_id": conv.ConversationID, "body": "Can I talk to a human, please?"}); err != nil || res.IsError {
		t.Fatalf("send_message: %v %s", err, resultText(res))
	}
	file := bytes.Repeat([]byte("0123456789abcdef"), 700<<10/16) // 700 KiB: about 933 KiB as base64
	up := func(data []byte) (*mcp.CallToolResult, error) {
		return call("upload_attachment", map[string]any{"conversation_id": conv.ConversationID,
			"content_base64": base64.StdEncoding.EncodeToString(data), "filename": "log.txt"})
	}
	if res, err := up(file); err != nil || res.IsError {
		t.Fatalf("an upload within the limit: %v %s", err, resultText(res))
	}
	posts := ada.requests.Load()
	_, err = up(append(file, file...))
	if err == nil || !strings.Contains(err.Error(), "limit of 1048576 bytes") || !strings.Contains(err.Error(), "file_path") {
		t.Fatalf("an upload over the limit: %v", err)
	}
	if ada.requests.Load() != posts {
		t.Fatal("the oversized upload reached Ada")
	}
	if res, err := up(file[:1024]); err != nil || res.IsError {
		t.Fatalf("the session after the refusal: %v %s", err, resultText(res))
	}
}

// Tool calls run at once up to MaxConcurrent (32 unless set), not on
// mcp-go's five workers: calls that wait long (send_message with a wait,
// ask_ai_agent) must not hold back the ones behind them.
func TestStdioRunsManyCallsAtOnce(t *testing.T) {
	m, st := newTestMCP()
	var in strings.Builder
	in.WriteString(rawInit)
	const held = 8 // more than mcp-go's default pool; st.started holds 8
	for i := range held {
		fmt.Fprintf(&in, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"slow","arguments":{}}}`+"\n", 100+i)
	}
	in.WriteString(`{"jsonrpc":"2.0","id":200,"method":"tools/call","params":{"name":"echo","arguments":{}}}` + "\n")
	next := serveRaw(t, m, StdioConfig{}, strings.NewReader(in.String()))
	for i := range held {
		select {
		case <-st.started:
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d slow calls started", i, held)
		}
	}
	// While the slow calls are held, initialize and the echo call answer
	// (in either order: mcp-go may write the quick call's answer first).
	ids := map[string]bool{}
	for _, r := range next(2) {
		if r.Error != nil {
			t.Fatalf("answer %s: %v", r.ID, r.Error)
		}
		ids[string(r.ID)] = true
	}
	if !ids["1"] || !ids["200"] {
		t.Fatalf("answers %v while the slow calls run; want initialize's (1) and the echo call's (200)", ids)
	}
	close(st.release)
	if got := len(next(held)); got != held {
		t.Fatalf("%d slow calls answered, want %d", got, held)
	}
}

func TestStdioWorkers(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, DefaultMaxConcurrentPerClient}, {-1, DefaultMaxConcurrentPerClient}, {1, 1}, {64, 64}, {500, maxStdioWorkers}} {
		if got := stdioWorkers(c.in); got != c.want {
			t.Errorf("stdioWorkers(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// When the input ends (a script's pipe, a host closing stdin), the calls
// in flight still answer, within DrainTimeout, before the server returns;
// a call longer than that is cut when it passes.
func TestStdioInputEndLetsCallsAnswer(t *testing.T) {
	m := slowToolServer()
	m.AddTool(mgomcp.NewTool("stuck"), func(ctx context.Context, _ mgomcp.CallToolRequest) (*mgomcp.CallToolResult, error) {
		<-ctx.Done()
		return mgomcp.NewToolResultError("cancelled"), nil
	})
	call := func(id int, name string) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":{}}}`+"\n", id, name)
	}
	serve := func(drain time.Duration, input string) string {
		var out syncBuffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := ServeStdio(ctx, m, StdioConfig{DrainTimeout: drain}, strings.NewReader(input), &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if out := serve(10*time.Second, rawInit+call(2, "slow")+call(3, "slow")); strings.Count(out, "done slowly") != 2 {
		t.Fatalf("the calls in flight did not answer before the end:\n%s", out)
	}
	// Bounded: a call that would never end is cut once DrainTimeout passes.
	if out := serve(100*time.Millisecond, rawInit+call(2, "stuck")); strings.Contains(out, "done") {
		t.Fatalf("%s", out)
	}
}

// The end of the input waits for the requests in flight by id, not by a
// count of answers: an answer to a line that was no request (a parse
// error, answered to id null) does not stand in for the call still
// running.
func TestStdioInputEndWaitsForTheRequestNotAnAnswerCount(t *testing.T) {
	m := slowToolServer()
	input := rawInit +
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":{}}}` + "\n" +
		"not json\n" // answered at once, with id null
	var out syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ServeStdio(ctx, m, StdioConfig{DrainTimeout: 10 * time.Second}, strings.NewReader(input), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "done slowly") {
		t.Fatalf("the call in flight was cut when the input ended:\n%s", out.String())
	}
}

// slowToolServer serves "slow", which answers "done slowly" after 200 ms,
// or "cancelled" when its context ends first.
func slowToolServer() *mcpserver.MCPServer {
	m := mcpserver.NewMCPServer("t", "1", mcpserver.WithToolCapabilities(false))
	m.AddTool(mgomcp.NewTool("slow"), func(ctx context.Context, _ mgomcp.CallToolRequest) (*mgomcp.CallToolResult, error) {
		select {
		case <-time.After(200 * time.Millisecond):
			return mgomcp.NewToolResultText("done slowly"), nil
		case <-ctx.Done():
			return mgomcp.NewToolResultError("cancelled"), nil
		}
	})
	return m
}

// Requests are tracked by id: an answer counts for its own request only,
// once, and an id is the same however the client spelt it.
func TestUnansweredTracksIDs(t *testing.T) {
	var u unanswered
	pending := func() int {
		u.mu.Lock()
		defer u.mu.Unlock()
		return u.n
	}
	u.request([]byte(`1`))
	u.request([]byte(`"two"`))
	u.answer([]byte(`1`))
	u.answer([]byte(`1`))     // answered twice
	u.answer([]byte(`99`))    // no such request
	u.answer([]byte(`"one"`)) // no such request
	if n := pending(); n != 1 {
		t.Fatalf("%d pending, want 1 (\"two\")", n)
	}
	u.answer([]byte(`"two"`))
	if n := pending(); n != 0 {
		t.Fatalf("%d pending, want 0", n)
	}
	// mcp-go answers with the id as encoding/json writes it.
	for _, c := range []struct{ sent, answered string }{
		{`1.0`, `1`},
		{`1e2`, `100`},
		{`"a\u0062"`, `"ab"`},
		{`"<&>"`, `"\u003c\u0026\u003e"`},
		{`"` + strings.Repeat("x", 100) + `"`, `"` + strings.Repeat("x", 100) + `"`},
		{`12345678901234567890`, `12345678901234567000`},
	} {
		u.request([]byte(c.sent))
		u.answer([]byte(c.answered))
		if n := pending(); n != 0 {
			t.Errorf("%s answered as %s: still pending", c.sent, c.answered)
			u = unanswered{}
		}
	}
	// The same id twice in flight needs two answers.
	u.request([]byte(`5`))
	u.request([]byte(`5`))
	u.answer([]byte(`5`))
	if n := pending(); n != 1 {
		t.Fatalf("%d pending, want 1", n)
	}
}

// Tracking runs on every stdio message: a request with a short id and its
// answer allocate nothing.
func TestStdioTrackingAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool allocate")
	}
	out := &lockedWriter{w: io.Discard, answered: &unanswered{}}
	g := &lineGuard{out: out, answers: out.answered, logger: slog.New(slog.DiscardHandler)}
	req := []byte(`{"jsonrpc":"2.0","id":"c0ffee-42","method":"tools/list"}` + "\n")
	ans := []byte(`{"jsonrpc":"2.0","id":"c0ffee-42","result":{"tools":[]}}` + "\n")
	g.guard(req)
	out.Write(ans) // the map's first entry
	allocs := testing.AllocsPerRun(100, func() {
		g.guard(req)
		out.Write(ans)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per request and answer", allocs)
	}
	if out.answered.n != 0 {
		t.Fatalf("%d pending", out.answered.n)
	}
}
