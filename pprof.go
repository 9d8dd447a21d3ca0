package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/server"
)

// checkPprofAddr accepts only a loopback host:port: the profiles have no
// authentication and show the server's internals (stacks, heap, timings).
func checkPprofAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--pprof: %q is not host:port, e.g. 127.0.0.1:6060", addr)
	}
	if !server.IsLoopbackAddr(addr) {
		return fmt.Errorf("--pprof: %q is not a loopback address: profiles are served without authentication, so only 127.0.0.1, [::1] or localhost", addr)
	}
	return nil
}

// startPprof serves net/http/pprof on its own listener, apart from MCP
// and its middleware, until the returned stop is called; it returns the
// address it listens on. The command line is left out: it may hold
// --api-key. (Importing net/http/pprof also registers it on
// http.DefaultServeMux, which nothing here serves.)
func startPprof(addr string, logger *slog.Logger) (listening string, stop func(), err error) {
	ln, err := server.ListenFlag("--pprof", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: loopbackHostOnly(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("pprof server", "error", err)
		}
	}()
	logger.Info("serving pprof", "addr", ln.Addr().String(), "path", "/debug/pprof/")
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// loopbackHostOnly refuses a request whose Host is not a loopback name: a
// web page the operator visits could otherwise point a name of its own at
// 127.0.0.1 (DNS rebinding) and read the profiles' stacks and heap.
func loopbackHostOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		ip := net.ParseIP(strings.Trim(host, "[]"))
		if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			http.Error(w, "pprof answers only requests addressed to a loopback host", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
