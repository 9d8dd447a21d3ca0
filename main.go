// Command ada-mcp is an MCP server that gives AI assistants safe access to
// Ada's public APIs (end users, channels, conversations), over stdio or
// HTTP, against a real Ada AI Agent or the embedded simulator (--sandbox).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal starts a graceful shutdown; a second one kills at once.
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// run is main without the process: stdout carries only the MCP protocol in
// stdio mode, so everything else goes to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ada-mcp:", err)
		return 2
	}
	if cfg.Version {
		fmt.Fprintln(stdout, "ada-mcp", buildVersion())
		return 0
	}
	if err := serve(ctx, cfg, stdin, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "ada-mcp:", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	apiKey, baseURL, channelID := cfg.APIKey, "", cfg.ChannelID
	if cfg.Sandbox {
		sb, err := startSandbox(cfg)
		if err != nil {
			return err
		}
		defer sb.Close()
		apiKey, baseURL = sb.APIKey, sb.BaseURL
		if channelID == "" {
			channelID = sb.ChannelID
		}
	} else if apiKey != "" {
		var err error
		if baseURL, err = cfg.adaBaseURL(); err != nil {
			return err
		}
	}

	// The auth token is ours, not Ada's, but just as secret in a log line.
	red := redact.New(redact.WithSecretKeyPatterns(append(redact.DefaultSecretKeyPatterns(), cfg.RedactKeys...)...), redact.WithSecrets(apiKey, cfg.HTTP.AuthToken))
	logger := newLogger(cfg, stderr, red)
	userAgent := "ada-mcp/" + buildVersion()
	// No default client only in multi-tenant mode without a key: every
	// request then brings its own.
	var client *adaclient.Client
	if apiKey != "" {
		var err error
		client, err = adaclient.New(baseURL, apiKey,
			adaclient.WithLogger(logger.With("component", "adaclient")),
			adaclient.WithUserAgent(userAgent))
		if err != nil {
			return err
		}
	}
	deps := &tools.Deps{Client: client, DefaultChannelID: channelID, Redactor: red, Logger: logger, CallTimeout: cfg.CallTimeout}
	mcpServer, selected, err := tools.NewServer(deps, tools.Options{Version: buildVersion(), Toolsets: cfg.Toolsets, ReadOnly: cfg.ReadOnly})
	if err != nil {
		return err
	}
	logger.Info("ada-mcp starting", "version", buildVersion(), "transport", cfg.Transport, "tools", len(selected),
		"sandbox", cfg.Sandbox, "read_only", cfg.ReadOnly)

	if cfg.Transport == TransportStdio {
		if isTerminal(stdin) {
			logger.Info("ada-mcp speaks MCP (JSON-RPC) on stdin/stdout: start it from an MCP host or the MCP Inspector, see the README; Ctrl-C stops it")
		}
		return serveStdio(ctx, mcpServer, logger, stdin, stdout)
	}
	httpConfig := cfg.HTTP
	httpConfig.UserAgent = userAgent
	srv, err := server.New(httpConfig, server.Deps{MCP: mcpServer, Client: client, Logger: logger})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx)
}

func serveStdio(ctx context.Context, s *mcpserver.MCPServer, logger *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	stdio := mcpserver.NewStdioServer(s)
	stdio.SetErrorLogger(log.New(slogWriter{logger}, "", 0))
	err := stdio.Listen(ctx, stdin, stdout)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

func newLogger(cfg Config, stderr io.Writer, red *redact.Redactor) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return slog.New(redact.NewHandler(h, red))
}

// isTerminal reports whether r is an interactive terminal, i.e. a person
// ran the server by hand rather than an MCP host.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// slogWriter adapts mcp-go's *log.Logger output to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("mcp transport", "detail", string(p))
	return len(p), nil
}
