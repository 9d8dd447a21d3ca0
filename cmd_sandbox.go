package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/transcript"
)

const sandboxUsage = `Usage:
  ada-mcp sandbox [--addr 127.0.0.1:8090] [--key K] [--seed N] [--state FILE] [--reply-delay D]

Serves the Ada simulator alone, as an Ada API root at http://ADDR/api, until
interrupted: point curl, another MCP server or a test at it with
ADA_BASE_URL=http://ADDR/api and ADA_API_KEY=K (and ADA_CHANNEL_ID, the
custom channel it prints). Beside the API:
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
	// webhookURL, if set, gets the simulator's webhooks, signed with
	// webhookSecret (ADA_WEBHOOK_SECRET or --webhook-secret-file; else a
	// generated one, printed).
	webhookURL, webhookSecretFile string
	webhookSecretFileFlag         bool // given as a flag, not only in the environment
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
	secretVar(fs, &c.spec.Key, "key", e.getenv("ADA_SANDBOX_KEY"), "the API `key` clients must send as a Bearer token (env ADA_SANDBOX_KEY); default: a random one, printed at start")
	fs.Int64Var(&c.spec.Seed, "seed", 0, "0 picks a new random seed (printed); any other value gives the same ids and logical timestamps every run")
	fs.StringVar(&c.spec.State, "state", "", "a state file (the JSON of GET /_sandbox/state) to start from; reset returns to it")
	fs.StringVar(&c.stateOut, "state-out", "", "write the state to this file when the sandbox stops")
	fs.DurationVar(&c.spec.ReplyDelay, "reply-delay", 0, "how long the simulated AI Agent takes to answer")
	fs.BoolVar(&c.rateLimits, "rate-limits", true, "enforce Ada's rate limits and send its X-RateLimit-* headers, as Ada does")
	fs.StringVar(&c.spec.Agent, "agent", "", "a JSON file scripting the AI Agent's answers ({\"rules\": [{\"match\", \"replies\", \"handoff\"}]})")
	fs.StringVar(&c.webhookURL, "webhook-url", "", "deliver Svix-signed webhooks for every event to this URL (e.g. http://127.0.0.1:8080/webhooks/ada), as Ada does")
	fs.StringVar(&c.webhookSecretFile, "webhook-secret-file", e.getenv("ADA_WEBHOOK_SECRET_FILE"), "with --webhook-url: the signing secret's file (env ADA_WEBHOOK_SECRET_FILE, or the secret itself in ADA_WEBHOOK_SECRET); default: a generated one, printed")
	c.log.addFlags(fs, e, "info")
	err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fs.Visit(func(f *flag.Flag) {
		c.webhookSecretFileFlag = c.webhookSecretFileFlag || f.Name == "webhook-secret-file"
	})
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if err == nil {
		err = errors.Join(e.errs...)
	}
	if err == nil {
		err = c.log.finish()
	}
	if err == nil && !isHostPort(c.addr) {
		err = fmt.Errorf("--addr %q: want host:port, such as 127.0.0.1:8090", c.addr)
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
	hook, generatedSecret, err := c.webhook(std.getenv)
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp sandbox:", err)
		return exitUsage
	}
	c.spec.AgentFlag, c.spec.StateFlag = "--agent", "--state"
	sim, opts, err := openSim(c.spec, func(o *adasim.Options) {
		o.Logger = logger.With("component", "adasim")
		if hook != nil {
			o.Webhooks = []adasim.WebhookEndpoint{*hook}
		}
	})
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp sandbox:", err)
		return exitUsage
	}
	srv, err := adasim.Listen(c.addr, sim)
	if err != nil {
		sim.Close()
		fmt.Fprintln(std.stderr, "ada-mcp sandbox:", &server.AddrError{Flag: "--addr", Addr: c.addr, Err: err})
		return exitUsage
	}
	if !isLoopback(c.addr) {
		logger.Warn("the sandbox listens beyond loopback: anyone who can reach it and holds the key can read and change its state", "addr", c.addr)
	}
	// The base URL goes to stderr for people and scripts; a key that was
	// given is never repeated, a generated one must be, or nobody could call.
	fmt.Fprintf(std.stderr, "ada-mcp sandbox: Ada API at %s (seed %d)\n", srv.BaseURL, opts.Seed)
	// A server pointed here has no default channel unless told: without
	// one, ask_ai_agent cannot start a conversation.
	if ch := sim.DefaultChannelID(); ch != "" {
		fmt.Fprintf(std.stderr, "ada-mcp sandbox: custom channel %s (ADA_CHANNEL_ID for a server pointed here)\n", ch)
	}
	if generatedKey {
		fmt.Fprintf(std.stderr, "ada-mcp sandbox: API key %s (generated; set one with --key or ADA_SANDBOX_KEY)\n", opts.APIKey)
	}
	if hook != nil {
		fmt.Fprintf(std.stderr, "ada-mcp sandbox: webhooks to %s\n", hook.URL)
		if generatedSecret {
			fmt.Fprintf(std.stderr, "ada-mcp sandbox: webhook secret %s (generated; give the receiver the same with ADA_WEBHOOK_SECRET)\n", hook.Secret)
		}
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

// webhook is the endpoint --webhook-url asks for, with its secret: the
// one configured, or one made up (generated reports that, so it is shown).
func (c *sandboxCmd) webhook(getenv func(string) string) (*adasim.WebhookEndpoint, bool, error) {
	if c.webhookURL == "" {
		if c.webhookSecretFile != "" && c.webhookSecretFileFlag {
			return nil, false, errors.New("--webhook-secret-file needs --webhook-url: it signs the webhooks sent there")
		}
		return nil, false, nil
	}
	if !adaclient.IsHTTPURL(c.webhookURL) {
		return nil, false, fmt.Errorf("--webhook-url %q: want an absolute http(s) URL, e.g. http://127.0.0.1:8080/webhooks/ada", c.webhookURL)
	}
	secret := strings.TrimSpace(getenv("ADA_WEBHOOK_SECRET"))
	if c.webhookSecretFile != "" {
		b, err := os.ReadFile(c.webhookSecretFile)
		if err != nil {
			return nil, false, fmt.Errorf("--webhook-secret-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	generated := secret == ""
	if generated {
		key := make([]byte, 24)
		if _, err := rand.Read(key); err != nil {
			return nil, false, err
		}
		secret = "whsec_" + base64.StdEncoding.EncodeToString(key)
	}
	return &adasim.WebhookEndpoint{URL: c.webhookURL, Secret: secret, Description: "ada-mcp sandbox --webhook-url"}, generated, nil
}

// isHostPort reports whether addr is a listen address (a port of 0 to
// 65535, any host): anything else is a usage error, not a failure to listen.
func isHostPort(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	_, err = strconv.ParseUint(port, 10, 16)
	return err == nil
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
