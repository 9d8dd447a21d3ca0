package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
)

// sseAnswers bounds the legacy SSE requests each client has awaiting their
// answer. mcp-go answers POST /message with 202 at once and handles the
// message in a goroutine of its own, which holds the request and then
// waits, without end, for room to queue the answer on the session's
// stream. Unbounded, a client that posts faster than it reads its stream
// piles up goroutines and request bodies until the process runs out of
// memory. So a request counts, up to the client's limit of requests in
// flight, from its POST until its answer is written to the stream (or the
// stream ends), as a Streamable HTTP request counts until it is answered.
type sseAnswers struct {
	limit *limiter

	mu       sync.Mutex
	sessions map[string]*sseAwaited // by session id, while its stream is open
}

// sseAwaited is what a session's stream still owes: answers by the
// canonical form of their JSON-RPC id, counted against the client key of
// the stream's opener.
type sseAwaited struct {
	key string
	ids map[string]int
}

func newSSEAnswers(limit *limiter) *sseAnswers {
	return &sseAnswers{limit: limit, sessions: map[string]*sseAwaited{}}
}

func (a *sseAnswers) opened(sid, key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sessions[sid] = &sseAwaited{key: key, ids: map[string]int{}}
}

// closed releases whatever the session's stream still owed: mcp-go drops
// those answers once the stream is gone.
func (a *sseAnswers) closed(sid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[sid]
	if !ok {
		return
	}
	delete(a.sessions, sid)
	for _, n := range s.ids {
		for range n {
			a.limit.release(s.key)
		}
	}
}

// await counts an answer the session's stream will owe. known is false
// for a session without an open stream (mcp-go refuses the POST then).
func (a *sseAnswers) await(sid, id string) (ok, known bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, known := a.sessions[sid]
	if !known {
		return false, false
	}
	if !a.limit.acquire(s.key) {
		return false, true
	}
	s.ids[id]++
	return true, true
}

// answered releases an answer once written (or never to be).
func (a *sseAnswers) answered(sid, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.sessions[sid]; ok && take(s.ids, id) {
		a.limit.release(s.key)
	}
}

// sseAnswerID is the id of the answer mcp-go will write for a POSTed message,
// and false for a message it answers with nothing (a notification, a
// client's response). It mirrors mcp-go's HandleMessage: it reads the
// first JSON value of the body, and a message it cannot parse is answered
// with a null id.
func sseAnswerID(body []byte) (string, bool) {
	var raw json.RawMessage
	if json.NewDecoder(bytes.NewReader(body)).Decode(&raw) != nil {
		return "", false // answered at once with 400, no stream event
	}
	var m struct {
		JSONRPC string        `json:"jsonrpc"`
		Method  mcp.MCPMethod `json:"method"`
		ID      any           `json:"id,omitempty"`
		Result  any           `json:"result,omitempty"`
	}
	switch {
	case json.Unmarshal(raw, &m) != nil:
		return "null", true
	case m.JSONRPC != mcp.JSONRPC_VERSION:
		return sseIDKey(m.ID), true
	case m.ID == nil:
		var n mcp.JSONRPCNotification
		if json.Unmarshal(raw, &n) != nil {
			return "null", true
		}
		return "", false
	case m.Result != nil:
		return "", false
	}
	return sseIDKey(m.ID), true
}

// sseIDKey is a JSON-RPC id in one form whatever its spelling (1, 1.0, 1e0),
// as mcp-go echoes it.
func sseIDKey(id any) string {
	b, err := json.Marshal(id)
	if err != nil {
		return "null"
	}
	return string(b)
}

// messageMiddleware counts a POST /message that will be answered on the
// stream, and answers 429 when the client already awaits as many answers
// as it may have requests in flight.
func (a *sseAnswers) messageMiddleware(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, buffered := r.Body.(*bufferedBody)
			if r.Method != http.MethodPost || !buffered {
				next.ServeHTTP(w, r)
				return
			}
			id, answers := sseAnswerID(b.data)
			sid := r.URL.Query().Get("sessionId")
			if !answers {
				next.ServeHTTP(w, r)
				return
			}
			ok, known := a.await(sid, id)
			if !known {
				next.ServeHTTP(w, r)
				return
			}
			if !ok {
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "too many requests in flight"),
					slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
				writeError(w, http.StatusTooManyRequests, "too_many_requests",
					fmt.Sprintf("this client already has %d requests in flight; retry after %ds", a.limit.max, retryAfterSeconds))
				return
			}
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			if sw.status != http.StatusAccepted {
				a.answered(sid, id) // refused: no answer will come on the stream
			}
		})
	}
}

type sseStreamKey struct{}

// sseStream is one GET /sse stream: its session id, once mcp-go has made
// it (see Server.sseSessionID), and the answers it writes.
type sseStream struct {
	a   *sseAnswers
	sid string
}

// streamMiddleware follows each SSE stream's writes, releasing each answer
// as it is written, and the rest when the stream ends.
func (a *sseAnswers) streamMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		st := &sseStream{a: a}
		defer func() {
			if st.sid != "" {
				a.closed(st.sid)
			}
		}()
		r = r.WithContext(context.WithValue(r.Context(), sseStreamKey{}, st))
		next.ServeHTTP(&answerWriter{ResponseWriter: w, st: st}, r)
	})
}

// open registers the stream's session; mcp-go calls the session id
// generator in the stream's handler, before it writes anything.
func openSSEStream(r *http.Request, sid string) {
	if st, ok := r.Context().Value(sseStreamKey{}).(*sseStream); ok {
		st.sid = sid
		st.a.opened(sid, clientKey(r.Context(), remoteIP(r)))
	}
}

// answerWriter sees the events of an SSE stream. mcp-go writes each event
// whole in one Write ("event: message\ndata: {...}\n\n"), from the
// stream's handler goroutine.
type answerWriter struct {
	http.ResponseWriter
	st *sseStream
}

func (w *answerWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if w.st.sid != "" {
		for line := range bytes.Lines(p[:n]) {
			if data, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				if id, ok := answerID(bytes.TrimSpace(data)); ok {
					w.st.a.answered(w.st.sid, string(id))
				}
			}
		}
	}
	return n, err
}

func (w *answerWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
