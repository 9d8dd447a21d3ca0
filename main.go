// Command ada-mcp is an MCP server that gives AI assistants safe access to
// Ada's public APIs (end users, channels, conversations), over stdio or
// HTTP, against a real Ada AI Agent or the embedded simulator (--sandbox).
// Beside the server it runs the simulator alone (sandbox), calls tools from
// the shell (tools) and runs scripted evaluations (eval).
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

	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
	"github.com/ada-mcp/ada-mcp/transcript"
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

// Exit codes of every command.
const (
	exitOK    = 0
	exitFail  = 1 // a failure: a tool's error result, a failed scenario, a server error
	exitUsage = 2 // a mistake in the command line or its input files
)

// stdio is a command's standard streams and environment.
type stdio struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run is main without the process: stdout carries only the MCP protocol in
// stdio mode, so everything else goes to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	std := stdio{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) > 0 {
		switch args[0] {
		case "sandbox":
			return runSandbox(ctx, args[1:], std)
		case "tools":
			return runTools(ctx, args[1:], std)
		case "eval":
			return runEval(ctx, args[1:], std)
		}
	}
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "ada-mcp:", err)
		return exitUsage
	}
	if cfg.Version {
		fmt.Fprintln(stdout, "ada-mcp", buildVersion())
		return exitOK
	}
	if err := serve(ctx, cfg, stdin, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "ada-mcp:", err)
		return exitFail
	}
	return exitOK
}

// assembled is the MCP server as configured, with what must be closed
// when it stops.
type assembled struct {
	*tools.Built
	sandbox    *sandbox
	transcript *transcript.Writer
}

// assemble builds the server of cfg: the sandbox if asked for, the
// transcript, the tools. The server, the tools CLI and nothing else use it,
// so they serve the same thing.
func assemble(cfg Config, stderr io.Writer) (*assembled, error) {
	a := &assembled{}
	apiKey, baseURL, channelID := cfg.Ada.APIKey, "", cfg.Ada.ChannelID
	pollInterval := tools.DefaultPollInterval
	if cfg.Sandbox.Enabled {
		sb, err := startSandbox(cfg.Sandbox)
		if err != nil {
			return nil, err
		}
		a.sandbox = sb
		apiKey, baseURL = sb.APIKey, sb.BaseURL
		if channelID == "" {
			channelID = sb.ChannelID
		}
		pollInterval = tools.LocalPollInterval
	} else if apiKey != "" {
		var err error
		if baseURL, err = cfg.Ada.baseURL(); err != nil {
			return nil, err
		}
	}
	if cfg.Transcript != "" {
		w, err := transcript.Create(cfg.Transcript)
		if err != nil {
			a.close(nil)
			return nil, err
		}
		a.transcript = w
	}
	built, err := tools.Build(tools.Config{
		APIKey: apiKey, BaseURL: baseURL, ChannelID: channelID,
		Toolsets: cfg.Ada.Toolsets, ReadOnly: cfg.Ada.ReadOnly, RedactKeys: cfg.Ada.RedactKeys,
		// The bearer token is ours, not Ada's, but just as secret in a log line.
		Secrets:     []string{cfg.HTTP.AuthToken},
		CallTimeout: cfg.Ada.CallTimeout, PollInterval: pollInterval,
		Version: buildVersion(), LogHandler: cfg.Log.handler(stderr), Transcript: a.transcript,
	})
	if err != nil {
		a.close(nil)
		return nil, err
	}
	a.Built = built
	return a, nil
}

// close writes the sandbox's state if asked (--sandbox-state-out) and
// releases everything; failures are logged.
func (a *assembled) close(cfg *Config) {
	if a.sandbox != nil {
		if cfg != nil && cfg.Sandbox.StateOut != "" {
			if err := a.sandbox.writeState(cfg.Sandbox.StateOut, a.redactor()); err != nil {
				a.log().Error("writing the sandbox state", "error", err)
			} else {
				a.log().Info("sandbox state written", "file", cfg.Sandbox.StateOut)
			}
		}
		a.sandbox.Close()
	}
	if err := a.transcript.Close(); err != nil {
		a.log().Error("closing the transcript", "error", err)
	}
}

func (a *assembled) redactor() *redact.Redactor {
	if a.Built == nil {
		return redact.New()
	}
	return a.Redactor
}

func (a *assembled) log() *slog.Logger {
	if a.Built == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

func serve(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	a, err := assemble(cfg, stderr)
	if err != nil {
		return err
	}
	defer a.close(&cfg)
	logger := a.Logger
	logger.Info("ada-mcp starting", "version", buildVersion(), "transport", cfg.Transport, "tools", len(a.Tools),
		"sandbox", cfg.Sandbox.Enabled, "read_only", cfg.Ada.ReadOnly)
	if a.sandbox != nil {
		logger.Info("sandbox", "seed", a.sandbox.Seed, "deterministic", a.sandbox.Deterministic,
			"replay", fmt.Sprintf("--sandbox-seed %d gives the same ids again", a.sandbox.Seed))
	}
	if cfg.Transcript != "" {
		logger.Info("recording tool calls", "transcript", cfg.Transcript)
	}

	if cfg.Transport == TransportStdio {
		if isTerminal(stdin) {
			logger.Info("ada-mcp speaks MCP (JSON-RPC) on stdin/stdout: start it from an MCP host or the MCP Inspector, see the README; Ctrl-C stops it")
		}
		return serveStdio(ctx, a.MCP, logger, stdin, stdout)
	}
	httpConfig := cfg.HTTP
	httpConfig.UserAgent = tools.UserAgent(buildVersion())
	srv, err := server.New(httpConfig, server.Deps{MCP: a.MCP, Client: a.Client, Logger: logger})
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
