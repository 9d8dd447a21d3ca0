package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// limitBody reads a POST body in full, within max bytes (413 above), before
// the MCP handler runs. The server's ReadTimeout bounds how long that may
// take; net/http clears that deadline once the body is read, so it never
// cuts an SSE stream or a long tool call.
func limitBody(max int64, logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			// Failures close the connection: otherwise net/http would try
			// to read the rest of a body that may never come.
			tooLarge := func() {
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "body too large"),
					slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				w.Header().Set("Connection", "close")
				writeError(w, http.StatusRequestEntityTooLarge, "request_too_large",
					fmt.Sprintf("the request body is larger than this server's limit of %d bytes", max))
			}
			if r.ContentLength > max {
				tooLarge()
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			switch {
			case err != nil:
				w.Header().Set("Connection", "close")
				writeError(w, http.StatusBadRequest, "bad_request", "the request body could not be read in time")
				return
			case int64(len(body)) > max:
				tooLarge()
				return
			}
			r.Body = newBufferedBody(body)
			r.ContentLength = int64(len(body))
			next.ServeHTTP(w, r)
		})
	}
}

// limiter bounds the requests (or tool calls) each client has in flight. A
// client is its identity, tenant and remote IP; behind a reverse proxy all
// clients share the proxy's IP, so the limit then applies per identity.
type limiter struct {
	max   int
	mu    sync.Mutex
	inUse map[string]int
}

func newLimiter(max int) *limiter { return &limiter{max: max, inUse: map[string]int{}} }

func (l *limiter) acquire(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inUse[key] >= l.max {
		return false
	}
	l.inUse[key]++
	return true
}

func (l *limiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inUse[key]--; l.inUse[key] <= 0 {
		delete(l.inUse, key)
	}
}

func clientKey(ctx context.Context, ip string) string {
	return callerFrom(ctx).principal() + "|" + ip
}

const retryAfterSeconds = 1

// isStream reports whether r opens a stream that lasts as long as the
// client likes: a GET (an SSE stream, Streamable HTTP's standalone one) or
// a 2026-07-28 subscriptions/listen POST.
func isStream(r *http.Request) bool {
	return r.Method == http.MethodGet || isListen(r)
}

// isListen reports whether r is a 2026-07-28 subscriptions/listen POST. The
// Mcp-Method header is trusted only in that protocol, where mcp-go refuses
// a request whose header and body disagree; an older client's header is
// checked against nothing, and would slip any call past the request limit.
func isListen(r *http.Request) bool {
	return r.Method == http.MethodPost && mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) &&
		r.Header.Get(mcp.HeaderMethod) == string(mcp.MethodSubscriptionsListen)
}

// middleware limits requests: on Streamable HTTP a POST lasts as long as
// the call it carries. Streams are counted apart (streamMiddleware), so
// that open streams never use up a client's calls.
func (l *limiter) middleware(logger *slog.Logger) middleware {
	return l.limit(logger, func(r *http.Request) bool { return r.Method == http.MethodPost && !isStream(r) }, "requests in flight")
}

// streamMiddleware limits the streams each client has open: unbounded,
// one client could hold a goroutine and a connection per stream without
// end.
func (l *limiter) streamMiddleware(logger *slog.Logger) middleware {
	return l.limit(logger, isStream, "streams open")
}

func (l *limiter) limit(logger *slog.Logger, counted func(*http.Request) bool, what string) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !counted(r) {
				next.ServeHTTP(w, r)
				return
			}
			key := clientKey(r.Context(), remoteIP(r))
			if !l.acquire(key) {
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "too many "+what),
					slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
				writeError(w, http.StatusTooManyRequests, "too_many_requests",
					fmt.Sprintf("this client already has %d %s; retry after %ds", l.max, what, retryAfterSeconds))
				return
			}
			defer l.release(key)
			next.ServeHTTP(w, r)
		})
	}
}

type limitKey struct{}

// toolMiddleware limits tool calls where the HTTP request does not last as
// long as the call: legacy SSE answers POST /message with 202 at once and
// runs the call in the background, so there the limit becomes an isError
// result the assistant can act on.
func (l *limiter) toolMiddleware(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		key, ok := ctx.Value(limitKey{}).(string)
		if !ok {
			return next(ctx, req)
		}
		if !l.acquire(key) {
			return mcp.NewToolResultError(fmt.Sprintf("too many concurrent tool calls from this client (limit %d): wait for one to finish, then retry", l.max)), nil
		}
		defer l.release(key)
		return next(ctx, req)
	}
}
