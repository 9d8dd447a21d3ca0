package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/transcript"
)

const sandboxUsage = `Usage:
  ada-mcp sandbox [--addr 127.0.0.1:8090] [--key K] [--seed N] [--state FILE] [--reply-delay D]

Serves the Ada simulator alone, as an Ada API root at http://ADDR/api, until
interrupted: point curl, another MCP server or a test at it with
ADA_BASE_URL=http://ADDR/api and ADA_API_KEY=K. Beside the API:
  GET  /_sandbox/state   the whole state as JSON (sensitive_metadata: key names only)
  PUT  /_sandbox/state   replace the state with a JSON body of that shape
  POST /_sandbox/reset   back to the state at start
All need the same Bearer key as the API.

Flags:
`

// sandboxCmd is the sandbox command's configuration.
type sandboxCmd struct {
	addr       string
	spec       simSpec
	stateOut   string
	rateLimits bool
	log        LogConfig
}

func runSandbox(ctx context.Context, args []string, std stdio) int {
	var c sandboxCmd
	e := &env{getenv: std.getenv}
	fs := flag.NewFlagSet("ada-mcp sandbox", flag.ContinueOnError)
	fs.SetOutput(std.stderr)
	fs.Usage = func() {
		fmt.Fprint(std.stderr, sandboxUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8090", "listen address; keep it on loopback unless other machines must reach the sandbox")
	fs.StringVar(&c.spec.Key, "key", e.getenv("ADA_SANDBOX_KEY"), "the API key clients must send as a Bearer token (env ADA_SANDBOX_KEY); default: a random one, printed at start")
	fs.Int64Var(&c.spec.Seed, "seed", 0, "0 picks a new random seed (printed); any other value gives the same ids and logical timestamps every run")
	fs.StringVar(&c.spec.State, "state", "", "a state file (the JSON of GET /_sandbox/state) to start from; reset returns to it")
	fs.StringVar(&c.stateOut, "state-out", "", "write the state to this file when the sandbox stops")
	fs.DurationVar(&c.spec.ReplyDelay, "reply-delay", 0, "how long the simulated AI Agent takes to answer")
	fs.BoolVar(&c.rateLimits, "rate-limits", true, "enforce Ada's rate limits and send its X-RateLimit-* headers, as Ada does")
	c.log.addFlags(fs, e, "info")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if err == nil {
		err = errors.Join(e.errs...)
	}
	if err == nil {
		err = c.log.finish()
	}
	if err == nil && c.spec.ReplyDelay < 0 {
		err = errors.New("--reply-delay must not be negative")
	}
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp sandbox:", err)
		return exitUsage
	}
	c.spec.RateLimits = c.rateLimits
	logger := slog.New(c.log.handler(std.stderr))
	generatedKey := c.spec.Key == ""
	sim, opts, err := openSimLogged(c.spec, logger)
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp sandbox:", err)
		return exitUsage
	}
	srv, err := adasim.Listen(c.addr, sim)
	if err != nil {
		sim.Close()
		fmt.Fprintln(std.stderr, "ada-mcp sandbox:", err)
		return exitFail
	}
	if !isLoopback(c.addr) {
		logger.Warn("the sandbox listens beyond loopback: anyone who can reach it and holds the key can read and change its state", "addr", c.addr)
	}
	// The base URL goes to stderr for people and scripts; a key that was
	// given is never repeated, a generated one must be, or nobody could call.
	fmt.Fprintf(std.stderr, "ada-mcp sandbox: Ada API at %s (seed %d)\n", srv.BaseURL, opts.Seed)
	if generatedKey {
		fmt.Fprintf(std.stderr, "ada-mcp sandbox: API key %s (generated; set one with --key or ADA_SANDBOX_KEY)\n", opts.APIKey)
	}
	fmt.Fprintf(std.stderr, "ada-mcp sandbox: state at %s/_sandbox/state; Ctrl-C stops it\n", srv.URL)
	<-ctx.Done()
	code := exitOK
	if c.stateOut != "" {
		// The simulator's own view, as GET /_sandbox/state serves it.
		if err := transcript.WriteState(c.stateOut, sim.State(), nil); err != nil {
			fmt.Fprintln(std.stderr, "ada-mcp sandbox: writing --state-out:", err)
			code = exitFail
		}
	}
	if err := srv.Close(); err != nil {
		logger.Warn("stopping the sandbox", "error", err)
	}
	return code
}

// openSimLogged is openSim with the simulator's debug log of requests.
func openSimLogged(spec simSpec, logger *slog.Logger) (*adasim.Sim, adasim.Options, error) {
	return openSimWith(spec, func(o *adasim.Options) { o.Logger = logger.With("component", "adasim") })
}

// isLoopback reports whether a listen address stays on this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
