package server

import (
	"context"
	"net"
	"net/http"
	"time"
)

// WebhookPath is where Ada's webhooks are received, on the MCP listener
// and on Config.WebhookAddr. Ada's signature authenticates a delivery, not
// the MCP bearer token, and no browser sends one, so neither the token nor
// the Origin check applies there.
const WebhookPath = "/webhooks/ada"

// mountWebhooks serves the receiver on mux, if there is one. A shutdown
// refuses new deliveries with 503, which Svix retries later.
func (s *Server) mountWebhooks(mux *http.ServeMux) {
	if s.deps.Webhooks != nil {
		mux.Handle(WebhookPath, chain(s.deps.Webhooks, s.drain.middleware))
	}
}

// serveWebhooks serves only the receiver and /healthz on its own listener
// until ctx ends.
func (s *Server) serveWebhooks(ctx context.Context, ln net.Listener) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	s.mountWebhooks(mux)
	srv := newHTTPServer(accessLog(s.logger)(mux), readTimeout, s.logger)
	s.logger.Info("receiving webhooks", "addr", ln.Addr().String(), "path", WebhookPath)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			s.logger.Error("webhook listener stopped", "error", err.Error())
		}
	}()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	<-done
}
