package server

import (
	"context"
	"net/http"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/tools"
)

// routes builds the handler tree and returns it with a function that ends
// the transport's long-lived streams.
//
//	/healthz, /readyz             no token, no upstream secrets
//	/webhooks/ada                 Ada's signature, not the token → drain → receiver
//	/mcp  or  /sse + /message     origin → auth → tenant → body limit →
//	                              tool-call guard → drain → concurrency →
//	                              session → mcp-go
func (s *Server) routes(origins originPolicy) (http.Handler, func()) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(s.ready, s.drain))
	s.mountWebhooks(mux)

	tenant := refuseTenantHeaders
	if s.tenants != nil {
		tenant = s.tenants.middleware
	}
	guard := func(h http.Handler, mws ...middleware) http.Handler {
		common := []middleware{
			origins.middleware(s.logger),
			s.auth.middleware(s.logger),
			tenant,
			limitBody(s.cfg.MaxBodyBytes, s.logger),
			guardToolCalls(s.logger),
			s.drain.middleware,
		}
		return chain(h, append(common, mws...)...)
	}

	var endStreams func()
	switch s.cfg.Transport {
	case TransportSSE:
		sse := mcpserver.NewSSEServer(s.deps.MCP,
			mcpserver.WithSSEContextFunc(s.toolContext),
			mcpserver.WithSessionIDGenerator(s.sseSessionID),
			mcpserver.WithKeepAliveInterval(keepAliveInterval),
		)
		// The POST only queues the request (202): it counts as in flight
		// until its answer is written to the stream (sseAnswers), and a
		// tool call while it runs (the tool middleware).
		mux.Handle("/sse", guard(sse.SSEHandler(), s.streams.streamMiddleware(s.logger), s.answers.streamMiddleware))
		mux.Handle("/message", guard(sse.MessageHandler(), s.binder.checkSession(s.logger, true), s.answers.messageMiddleware(s.logger)))
		endStreams = sse.CloseSessions
	default:
		// mcp-go serves both eras here: 2026-07-28 requests statelessly,
		// older clients with initialize and Mcp-Session-Id. The session ids
		// are stateless too (see sessionBinder), so any replica sharing the
		// token serves any client.
		h := mcpserver.NewStreamableHTTPServer(s.deps.MCP,
			mcpserver.WithHTTPContextFunc(s.toolContext),
			mcpserver.WithSessionIdManagerResolver(s.binder),
			mcpserver.WithSessionIdleTTL(sessionIdleTTL),
			mcpserver.WithHeartbeatInterval(keepAliveInterval),
			mcpserver.WithStreamableHTTPLogger(s.logger.With("component", "mcp-http")),
		)
		mux.Handle("/mcp", guard(h, onlyMCPMethods, sessionlessCancels, s.limit.middleware(s.logger), s.streams.streamMiddleware(s.logger), s.binder.checkSession(s.logger, false)))
		endStreams = func() { _ = h.Shutdown(context.Background()) } // not started by us: ends sessions and the sweeper
	}
	return accessLog(s.logger)(mux), endStreams
}

// toolContext is mcp-go's per-request context hook: a tenant's Ada client
// replaces the default for the tools, and on SSE the concurrency key rides
// along to the tool middleware.
func (s *Server) toolContext(ctx context.Context, r *http.Request) context.Context {
	c := callerFrom(r.Context())
	if c.client != nil {
		ctx = tools.WithClient(ctx, c.client, c.tenant, c.secrets)
	}
	if s.cfg.Transport == TransportSSE {
		ctx = context.WithValue(ctx, limitKey{}, clientKey(r.Context(), remoteIP(r)))
	}
	return ctx
}

// sseSessionID is mcp-go's SSE session id generator, called as a stream
// opens: the id is bound to the caller, and the stream's answers are
// followed from then on.
func (s *Server) sseSessionID(ctx context.Context, r *http.Request) (string, error) {
	sid, err := s.binder.sseSessionID(ctx, r)
	if err == nil {
		openSSEStream(r, sid)
	}
	return sid, err
}

// onlyMCPMethods answers 405 to a method Streamable HTTP does not use
// (mcp-go answers 404, which reads as "no MCP endpoint here"). HEAD
// passes: mcp-go answers it. CORS preflights never get here.
func onlyMCPMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodHead:
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Allow", "GET, POST, DELETE")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "the MCP endpoint takes POST, GET and DELETE")
		}
	})
}
