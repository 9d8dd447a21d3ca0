package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// inflight counts the MCP POSTs and tool calls in progress, so shutdown can
// wait for them. Once draining, new POSTs are refused; calls already
// admitted still count.
type inflight struct {
	mu       sync.Mutex
	n        int
	draining bool
	changed  chan struct{} // closed and replaced whenever n drops
	// calls end the tool calls in flight (cut), by id.
	calls  map[uint64]context.CancelCauseFunc
	lastID uint64
}

// errShutdown is why a call was cut: the server is stopping and its
// shutdown timeout is nearly over.
var errShutdown = errors.New("the server is shutting down")

func newInflight() *inflight { return &inflight{changed: make(chan struct{})} }

// enter admits a new request unless shutdown has started.
func (f *inflight) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.draining {
		return false
	}
	f.n++
	return true
}

// addCall counts a tool call (admitted earlier, with its POST) and keeps
// its cancel for cut; doneCall ends what addCall began.
func (f *inflight) addCall(cancel context.CancelCauseFunc) (id uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.lastID++
	if f.calls == nil {
		f.calls = map[uint64]context.CancelCauseFunc{}
	}
	f.calls[f.lastID] = cancel
	return f.lastID
}

func (f *inflight) doneCall(id uint64) {
	f.mu.Lock()
	delete(f.calls, id)
	f.mu.Unlock()
	f.done()
}

func (f *inflight) done() {
	f.mu.Lock()
	f.n--
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

// Count is the number of requests and calls in flight.
func (f *inflight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// calling is the number of tool calls in flight (a call over Streamable
// HTTP is also its POST, in count).
func (f *inflight) calling() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *inflight) isDraining() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.draining
}

func (f *inflight) startDraining() {
	f.mu.Lock()
	f.draining = true
	f.mu.Unlock()
}

// wait returns true once nothing is in flight, false if ctx ends first.
func (f *inflight) wait(ctx context.Context) bool {
	for {
		f.mu.Lock()
		n, changed := f.n, f.changed
		f.mu.Unlock()
		if n == 0 {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// middleware counts POSTs (not subscriptions/listen streams) and answers
// 503 to new ones once draining. GETs pass: a legacy client whose stream
// reconnects during the drain would otherwise abandon its session,
// in-flight calls included. (New connections are refused anyway: shutdown
// closes the listener first.)
func (f *inflight) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if isListen(r) {
			// A 2026-07-28 listen stream lasts as long as the client likes:
			// counted, an idle one held every shutdown for its full timeout.
			// Shutdown ends the open ones once the calls are done.
			if f.isDraining() {
				shuttingDown(w)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if !f.enter() {
			shuttingDown(w)
			return
		}
		defer f.done()
		next.ServeHTTP(w, r)
	})
}

func shuttingDown(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	writeError(w, http.StatusServiceUnavailable, "shutting_down", "the server is shutting down; retry on another instance")
}

// toolMiddleware counts tool calls, which on legacy SSE outlive their POST,
// and lets cut end them.
func (f *inflight) toolMiddleware(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		defer f.doneCall(f.addCall(cancel))
		return next(ctx, req)
	}
}

// cut ends the tool calls in flight: their contexts are cancelled, so a
// wait returns what it has (send_message: the message, reply_pending) and
// the answer is written while the connection is still open, rather than
// the connection being closed under the call. It returns how many.
func (f *inflight) cut() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, cancel := range f.calls {
		cancel(errShutdown)
	}
	return len(f.calls)
}
