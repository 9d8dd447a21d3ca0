package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// sessionBinder binds the session ids of older protocol eras to the caller
// that created them (the MCP security guidance: a session id is not
// authentication). An id is random, followed by an HMAC of the caller's
// principal; a request presenting it under another principal (another
// tenant, say) gets 404, as for an unknown session.
//
// Without this, mcp-go would let any authenticated caller who learns an id
// attach to that session: its Streamable HTTP GET handler does not validate
// Mcp-Session-Id at all, and SSE routes a POST by its sessionId alone.
//
// The ids stay stateless: the HMAC key derives from the auth token, so
// replicas sharing the token accept each other's ids.
type sessionBinder struct {
	// macs holds HMAC states keyed for this binder, for reuse: keying one
	// costs two hash blocks and a few allocations, on every request of a
	// session.
	macs *sync.Pool
	// ended are the ids a client ended with DELETE: answered 404 from then
	// on, as the spec asks, by this replica (the ids are stateless, so
	// another replica still accepts one; see the README).
	ended *endedSessions
	// live bounds the sessions this replica keeps (maxLiveSessions).
	live *liveSessions
}

// endedSessions remembers ended session ids for as long as mcp-go would
// have kept an idle session (sessionIdleTTL), at most maxEndedSessions of
// them: past that the oldest are forgotten (and valid again, as before).
type endedSessions struct {
	mu    sync.Mutex
	at    map[string]time.Time
	order []string // oldest first
	now   func() time.Time
}

const maxEndedSessions = 10000

func (e *endedSessions) add(sid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.at[sid]; ok {
		return
	}
	e.at[sid] = e.now()
	e.order = append(e.order, sid)
	e.expire()
	if len(e.order) > maxEndedSessions {
		delete(e.at, e.order[0])
		e.order = e.order[1:]
	}
}

func (e *endedSessions) has(sid string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expire()
	_, ok := e.at[sid]
	return ok
}

// expire forgets the ids ended longer ago than an idle session lives.
func (e *endedSessions) expire() {
	cutoff := e.now().Add(-sessionIdleTTL)
	for len(e.order) > 0 && e.at[e.order[0]].Before(cutoff) {
		delete(e.at, e.order[0])
		e.order = e.order[1:]
	}
}

const sessionPrefix = "mcp-session-"

// maxSessions bounds the live sessions (0: maxLiveSessions).
func newSessionBinder(token string, maxSessions int) sessionBinder {
	var key []byte
	if token != "" {
		k := sha256.Sum256([]byte("ada-mcp session binding\x00" + token))
		key = k[:]
	} else {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return sessionBinder{macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }},
		ended: &endedSessions{at: map[string]time.Time{}, now: time.Now}, live: newLiveSessions(maxSessions)}
}

func (b sessionBinder) mint(principal string) string {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	nonce := hex.EncodeToString(id)
	return sessionPrefix + nonce + "." + b.mac(principal, nonce)
}

func (b sessionBinder) mac(principal, nonce string) string {
	m := b.macs.Get().(hash.Hash)
	defer b.macs.Put(m)
	m.Reset()
	_, _ = io.WriteString(m, principal)
	_, _ = m.Write([]byte{0})
	_, _ = io.WriteString(m, nonce)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:16])
}

func (b sessionBinder) valid(principal, sid string) bool {
	rest, ok := strings.CutPrefix(sid, sessionPrefix)
	if !ok {
		return false
	}
	nonce, mac, ok := strings.Cut(rest, ".")
	return ok && len(nonce) == 32 && hmac.Equal([]byte(mac), []byte(b.mac(principal, nonce)))
}

// sseSessionID is mcp-go's SSE session id generator.
func (b sessionBinder) sseSessionID(_ context.Context, r *http.Request) (string, error) {
	return b.mint(callerFrom(r.Context()).principal()), nil
}

// checkSession answers 404 to a request whose session id (header on
// Streamable HTTP, sessionId query on SSE) belongs to another caller, and
// 400 to a Streamable HTTP DELETE of an older client that names no session
// (mcp-go would answer 500).
func (b sessionBinder) checkSession(logger *slog.Logger, fromQuery bool) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sid := r.Header.Get(mcpserver.HeaderKeySessionID)
			if fromQuery {
				sid = r.URL.Query().Get("sessionId")
			}
			if !fromQuery && sid == "" && r.Method == http.MethodDelete && !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
				writeError(w, http.StatusBadRequest, "missing_session", "DELETE ends a session: send its Mcp-Session-Id header")
				return
			}
			if !fromQuery && sid == "" && r.Method == http.MethodGet && !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
				// mcp-go would open a stream on a session of its own making,
				// which nothing else can reach: a stream belongs to a session.
				writeError(w, http.StatusBadRequest, "missing_session",
					"GET opens a session's stream: send the Mcp-Session-Id header that initialize returned")
				return
			}
			if !fromQuery && sid == "" && r.Method == http.MethodPost && needsSession(r) {
				writeError(w, http.StatusBadRequest, "missing_session",
					"send the Mcp-Session-Id header that initialize returned (or initialize first)")
				return
			}
			if sid != "" && (!b.valid(callerFrom(r.Context()).principal(), sid) || b.ended.has(sid)) {
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "session of another caller or unknown"),
					slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				writeError(w, http.StatusNotFound, "session_not_found", "unknown session: start a new one (initialize again)")
				return
			}
			// Streamable HTTP only: an SSE session lives as long as its
			// stream, which the stream limit bounds.
			if !fromQuery && !b.roomFor(r, sid) {
				logger.LogAttrs(r.Context(), slog.LevelWarn, "request rejected", slog.String("reason", "too many sessions"),
					slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				w.Header().Set("Retry-After", "60")
				writeError(w, http.StatusServiceUnavailable, "too_many_sessions",
					"this server holds as many sessions as it may: retry later, or end sessions you no longer use (DELETE)")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// roomFor reports whether the request may go on without a session past
// maxLiveSessions: an older client's initialize starts one, and a session
// id not seen here (started on another replica) is one more to hold.
func (b sessionBinder) roomFor(r *http.Request, sid string) bool {
	caller := callerFrom(r.Context()).tenant
	if sid != "" {
		return b.live.touch(sid, caller)
	}
	return r.Method != http.MethodPost || !legacyInitialize(r) || b.live.room(caller)
}

// legacyInitialize reports whether a POST is an older client's
// initialize, which starts a session. Its body is buffered.
func legacyInitialize(r *http.Request) bool {
	m, ok := legacyMessage(r)
	return ok && m.Method == mcp.MethodInitialize
}

// needsSession reports whether a POST without Mcp-Session-Id is an older
// client's request or notification other than initialize, which the spec
// answers with 400; mcp-go answers 404, which tells a client that its
// session expired. Read only for such POSTs: the body is buffered.
func needsSession(r *http.Request) bool {
	m, ok := legacyMessage(r)
	return ok && m.Method != "" && m.Method != mcp.MethodInitialize && !mcp.IsModernProtocol(m.Params.Meta.ProtocolVersion())
}

// legacyBody is what legacyMessage reads of a message.
type legacyBody struct {
	Method mcp.MCPMethod `json:"method"`
	Params struct {
		Meta *mcp.Meta `json:"_meta"`
	} `json:"params"`
}

// legacyMessage reads the buffered body of a POST that does not declare
// the 2026-07-28 protocol in its header; ok is false for one that does, an
// unbuffered body, or one that does not parse (mcp-go answers that).
func legacyMessage(r *http.Request) (m legacyBody, ok bool) {
	if mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
		return m, false
	}
	b, buffered := r.Body.(*bufferedBody)
	if !buffered {
		return m, false
	}
	return m, json.Unmarshal(b.data, &m) == nil
}

// ResolveSessionIdManager makes sessionBinder mcp-go's session id manager
// for Streamable HTTP: per request, bound to its caller.
func (b sessionBinder) ResolveSessionIdManager(r *http.Request) mcpserver.SessionIdManager {
	if r == nil {
		// mcp-go's sweeper and CloseSessions: terminating is always allowed.
		return boundSessions{live: b.live}
	}
	c := callerFrom(r.Context())
	return boundSessions{b: &b, principal: c.principal(), tenant: c.tenant}
}

type boundSessions struct {
	b         *sessionBinder
	principal string
	tenant    string        // the caller's, for the live sessions' shares
	live      *liveSessions // the sweeper's: what it forgets leaves the count
}

var errInvalidSession = errors.New("invalid session id")

func (s boundSessions) Generate() string {
	if s.b == nil {
		return "" // not reached: mcp-go only generates ids while serving a request
	}
	sid := s.b.mint(s.principal)
	s.b.live.add(sid, s.tenant) // roomFor made room for it
	return sid
}

func (s boundSessions) Validate(sid string) (bool, error) {
	if s.b == nil || !s.b.valid(s.principal, sid) {
		return false, errInvalidSession
	}
	return s.b.ended.has(sid), nil
}

func (s boundSessions) Terminate(sid string) (bool, error) {
	if s.b == nil {
		if s.live != nil {
			s.live.end(sid) // mcp-go's sweeper: nothing to remember
		}
		return false, nil
	}
	if !s.b.valid(s.principal, sid) {
		return false, errInvalidSession
	}
	s.b.ended.add(sid)
	s.b.live.end(sid)
	return false, nil
}
