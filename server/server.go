// Package server serves the MCP server over HTTP: Streamable HTTP at /mcp
// (the stateless 2026-07-28 era and the older initialize/session era on the
// same endpoint) or legacy HTTP+SSE at /sse and /message, behind bearer
// authentication, Origin checks, limits, health endpoints and a graceful
// shutdown.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// Deps are what the server serves.
type Deps struct {
	// MCP is the MCP server with its tools. New adds its tool middleware
	// to it, so give each Server its own.
	MCP *mcpserver.MCPServer
	// Client is the default Ada client (requests without tenant
	// credentials, /readyz). Nil in multi-tenant mode without a default key.
	Client *adaclient.Client
	// Logger gets structured logs; it should redact (main's does).
	Logger *slog.Logger
	// Webhooks, if set, receives Ada's webhooks at WebhookPath.
	Webhooks http.Handler
	// OnShutdown, if set, is called when a shutdown starts: from then on
	// webhooks are refused (Svix retries them, elsewhere or later).
	OnShutdown func()
}

// Server is one HTTP MCP server. Create it with New, run it with Serve.
type Server struct {
	cfg     Config
	deps    Deps
	logger  *slog.Logger
	auth    bearerAuth
	binder  sessionBinder
	limit   *limiter    // requests in flight per client
	streams *limiter    // streams open per client
	answers *sseAnswers // legacy SSE requests awaiting their answer
	drain   *inflight
	ready   *readiness
	tenants *tenants // nil unless multi-tenant
}

// New checks cfg and prepares the server.
func New(cfg Config, deps Deps) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.MCP == nil {
		return nil, errors.New("server: no MCP server to serve")
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:    cfg,
		deps:   deps,
		logger: logger,
		auth:   newBearerAuth(cfg.AuthToken),
		binder: newSessionBinder(cfg.AuthToken, cfg.maxSessions),
		limit:  newLimiter(cfg.MaxConcurrentPerClient),
		// Open streams are bounded by the same number, counted apart.
		streams: newLimiter(cfg.MaxConcurrentPerClient),
		drain:   newInflight(),
		ready:   newReadiness(deps.Client, logger),
	}
	if cfg.MultiTenant {
		allow, err := newAllowlist(cfg.TenantBaseURLs)
		if err != nil {
			return nil, err
		}
		s.tenants = newTenants(allow, cfg.UserAgent, logger)
	}
	// Counted apart from the tool calls running, which outlive a stream
	// that ends.
	s.answers = newSSEAnswers(newLimiter(cfg.MaxConcurrentPerClient))
	deps.MCP.Use(s.drain.toolMiddleware)
	if cfg.Transport == TransportSSE {
		deps.MCP.Use(s.limit.toolMiddleware)
	}
	return s, nil
}

// ListenAndServe listens on the configured address and serves until ctx
// ends, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := ListenFlag("--addr", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then stops accepting, lets in-flight
// calls finish within the shutdown timeout, and closes. It returns nil
// after a shutdown, or the error that stopped the listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := CheckExposure(ln.Addr().String(), s.cfg.AuthToken); err != nil {
		ln.Close()
		return err
	}
	origins, err := newOriginPolicy(s.cfg.AllowedOrigins, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	handler, closeStreams := s.routes(origins)
	if s.cfg.WebhookAddr != "" && s.deps.Webhooks != nil {
		wln, err := ListenFlag("--webhook-addr", s.cfg.WebhookAddr)
		if err != nil {
			ln.Close()
			return err
		}
		wctx, stopWebhooks := context.WithCancel(context.Background())
		webhooksDone := make(chan struct{})
		go func() { defer close(webhooksDone); s.serveWebhooks(wctx, wln) }()
		defer func() { stopWebhooks(); <-webhooksDone }()
	}

	// Long-lived streams (SSE, legacy GET streams) end when this is
	// cancelled, which shutdown does only after in-flight calls finish.
	streamCtx, cancelStreams := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelStreams()
	srv := newHTTPServer(handler, readTimeout, s.logger)
	srv.BaseContext = func(net.Listener) context.Context { return streamCtx }
	s.logStart(ln.Addr())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		closeStreams()
		return err
	case <-ctx.Done():
	}
	s.shutdown(srv, served, func() { closeStreams(); cancelStreams() })
	return nil
}

// newHTTPServer has the timeouts and limits. There is no WriteTimeout: SSE
// streams and streamed tool results (send_message waits up to a minute)
// must not be cut. ReadTimeout does not cut them either: net/http lifts the
// read deadline once a request's body has been read.
func newHTTPServer(h http.Handler, readTimeout time.Duration, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.With("component", "http").Handler(), slog.LevelWarn),
	}
}

func (s *Server) logStart(addr net.Addr) {
	endpoint := "/mcp"
	if s.cfg.Transport == TransportSSE {
		endpoint = "/sse"
	}
	// url is what a client configuration takes (behind TLS, the proxy's).
	s.logger.Info("listening", "transport", s.cfg.Transport, "addr", addr.String(), "endpoint", endpoint, "url", "http://"+addr.String()+endpoint,
		"bearer_required", s.auth.on, "multi_tenant", s.cfg.MultiTenant, "allowed_origins", len(s.cfg.AllowedOrigins))
	if !s.auth.on {
		s.logger.Warn("authentication is off: any local process can use this server; set ADA_MCP_AUTH_TOKEN to require a token")
	}
}

// flushGrace is how long streams stay open after the last call ends. On
// legacy SSE a call's result is queued for the client's stream just after
// its handler returns, and mcp-go gives no signal once it is written; and
// clients that see their stream end before reading a POST's answer may
// drop the session, answer included.
const flushGrace = 250 * time.Millisecond

// shutdown stops accepting connections, waits for in-flight calls within
// the shutdown timeout, then ends the streams and closes what is left.
func (s *Server) shutdown(srv *http.Server, served <-chan error, endStreams func()) {
	start := time.Now()
	s.drain.startDraining()
	if s.deps.OnShutdown != nil {
		s.deps.OnShutdown()
	}
	s.logger.Info("shutting down", "tool_calls", s.drain.calling(), "requests_and_calls", s.drain.count(), "timeout", s.cfg.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()

	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(ctx) }() // closes the listener and idle connections at once
	// Calls still running near the end are cut (their waits return what
	// they have), so that each answers before its connection is closed.
	cutCtx, cancelCut := context.WithTimeout(ctx, s.cfg.ShutdownTimeout-cutMargin(s.cfg.ShutdownTimeout))
	drained := s.waitDrained(cutCtx)
	cancelCut()
	if !drained && ctx.Err() == nil {
		s.logger.Warn("shutdown timeout nearly reached: ending the calls still running so they answer", "calls", s.drain.cut())
		drained = s.waitDrained(ctx)
	}
	endStreams()
	if err := <-stopped; err != nil {
		_ = srv.Close()
		s.logger.Warn("shutdown timeout reached: closed the remaining connections", "tool_calls", s.drain.calling(), "requests_and_calls", s.drain.count())
	}
	<-served
	s.logger.Info("stopped", "drained", drained, "duration", time.Since(start).Round(time.Millisecond))
}

// cutMargin is how long before the shutdown timeout the calls still
// running are cut: time for them to answer and the answers to be written.
func cutMargin(timeout time.Duration) time.Duration {
	return min(2*time.Second, timeout/4)
}

// waitDrained returns true once nothing has been in flight for flushGrace
// (a call that starts meanwhile, such as an SSE call whose POST was already
// answered, restarts the wait), false if the shutdown timeout ends first.
func (s *Server) waitDrained(ctx context.Context) bool {
	for {
		if !s.drain.wait(ctx) {
			return false
		}
		t := time.NewTimer(flushGrace)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
		if s.drain.count() == 0 {
			return true
		}
	}
}
