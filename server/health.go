package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// healthz is liveness: the process serves HTTP. It calls nothing upstream.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is whether Ada accepts the configured key, checked at most
// once per ttl so that frequent probes cannot spend Ada's rate limit.
type readiness struct {
	check  func(context.Context) error // nil: nothing to check (multi-tenant without a default key)
	ttl    time.Duration
	now    func() time.Time
	logger *slog.Logger

	mu      sync.Mutex // held during a check: concurrent probes share it
	checked bool
	at      time.Time
	err     error
}

func newReadiness(client *adaclient.Client, logger *slog.Logger) *readiness {
	r := &readiness{ttl: readyCacheTTL, now: time.Now, logger: logger}
	if client != nil {
		r.check = client.Check
	}
	return r
}

func (r *readiness) status(ctx context.Context) error {
	if r.check == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checked && r.now().Sub(r.at) < r.ttl {
		return r.err
	}
	// A prober hanging up must not turn into a cached failure.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyCheckTimeout)
	defer cancel()
	err := r.check(cctx)
	if err != nil && (!r.checked || r.err == nil) {
		r.logger.LogAttrs(ctx, slog.LevelWarn, "not ready: the Ada check failed", slog.String("error", err.Error()))
	}
	if err == nil && r.checked && r.err != nil {
		r.logger.LogAttrs(ctx, slog.LevelInfo, "ready again: Ada answers")
	}
	r.checked, r.at, r.err = true, r.now(), err
	return err
}

// notReadyReason says why without echoing anything Ada or the network
// said, which might carry a host name or a request detail.
func notReadyReason(err error) string {
	var er *adaclient.ErrorResponse
	switch {
	case errors.As(err, &er) && (er.StatusCode == http.StatusUnauthorized || er.StatusCode == http.StatusForbidden):
		return fmt.Sprintf("Ada rejected the configured API key (HTTP %d)", er.StatusCode)
	case errors.As(err, &er) && er.StatusCode == http.StatusTooManyRequests:
		return "Ada is rate limiting the configured API key (HTTP 429)"
	case errors.As(err, &er):
		return fmt.Sprintf("Ada answered the readiness check with HTTP %d", er.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("Ada did not answer within %s", readyCheckTimeout)
	default:
		return "Ada is unreachable"
	}
}

// readyz is readiness: 200 when Ada answers with the configured key (or in
// multi-tenant mode without one), 503 with a reason otherwise or while
// shutting down.
func readyz(r *readiness, drain *inflight) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if drain.isDraining() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "shutting_down"})
			return
		}
		if err := r.status(req.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not_ready", "reason": notReadyReason(err)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}
