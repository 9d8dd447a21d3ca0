// Command minimal is the bare mcp-go server the child-process benchmark
// holds ada-mcp against: one tool, lookup_end_user, whose handler makes the
// same Ada request with net/http and returns the body as text. No argument
// checks beyond a required string, no retries, redaction, logs or limits:
// what is left is mcp-go and the transport.
//
// It is started like ada-mcp (ADA_API_KEY, ADA_BASE_URL, ADA_MCP_AUTH_TOKEN,
// --transport, --addr, --pprof), and like ada-mcp's it reuses connections
// to Ada.
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"

	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/bench/internal/bare"
)

func main() {
	transport := flag.String("transport", "stdio", "stdio or http (Streamable HTTP at /mcp)")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address for http")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *transport, *addr, *pprofAddr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "minimal:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, transport, addr, pprofAddr string) error {
	base, key := os.Getenv("ADA_BASE_URL"), os.Getenv("ADA_API_KEY")
	if base == "" || key == "" {
		return errors.New("set ADA_BASE_URL and ADA_API_KEY")
	}
	if pprofAddr != "" {
		if err := servePprof(pprofAddr); err != nil {
			return err
		}
	}
	s := server.NewMCPServer("minimal", "1", server.WithToolCapabilities(false))
	// Keep-alive with a pool as large as the benchmark's concurrency, as
	// ada-mcp's client has: the default 2 idle connections per host would
	// measure reconnecting.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	s.AddTool(bare.Tool(), bare.Lookup(base, key, &http.Client{Transport: t}))

	switch transport {
	case "stdio":
		err := server.NewStdioServer(s).Listen(ctx, os.Stdin, os.Stdout)
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	case "http":
		return serveHTTP(ctx, s, addr, os.Getenv("ADA_MCP_AUTH_TOKEN"))
	}
	return fmt.Errorf("--transport must be stdio or http, not %q", transport)
}

// serveHTTP serves mcp-go's Streamable HTTP handler at /mcp, behind a bare
// bearer check when a token is set (ada-mcp's auth does more: identities,
// Origin, limits, session binding; that is part of what is measured).
func serveHTTP(ctx context.Context, s *server.MCPServer, addr, token string) error {
	var h http.Handler = server.NewStreamableHTTPServer(s)
	if token != "" {
		h = bearer(token, h)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	srv := &http.Server{Addr: addr, Handler: mux}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func bearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// servePprof serves the profiles on their own listener, as ada-mcp's
// --pprof does, so both servers carry the same profiling cost.
func servePprof(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}
