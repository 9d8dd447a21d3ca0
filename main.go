// Command ada-mcp is an MCP server that gives AI assistants safe access to
// Ada's public APIs (end users, channels, conversations), over stdio or
// HTTP, against a real Ada AI Agent or the embedded simulator (--sandbox).
// Beside the server it runs the simulator alone (sandbox), calls tools from
// the shell (tools) and runs scripted evaluations (eval).
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/redis/go-redis/v9"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/fleet"
	"github.com/ada-mcp/ada-mcp/internal/privfile"
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
		case "webhooks":
			return runWebhooks(ctx, args[1:], std)
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
		if errors.As(err, new(usageError)) || errors.As(err, new(*server.AddrError)) {
			return exitUsage
		}
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
	// events is where Ada's webhook events are kept, when they can come:
	// from the sandbox, or from Ada over an HTTP transport.
	events events.Log
	redis  *redis.Client
	// budget is the rate budget shared through Redis, when there is one:
	// it logs through the server's logger once that is built.
	budget *fleet.Budget
	// secretFile is --webhook-secret-file; secrets shares rotated webhook
	// secrets among replicas (with Redis).
	secretFile string
	secrets    *fleet.Secrets
	// rcv is the webhook receiver, once serve made it: a rotated secret
	// is added to it.
	rcv *events.Receiver
	// eventsStopped is closed when the server shuts down and refuses
	// webhooks: waits then poll.
	eventsStopped chan struct{}
	stopEvents    sync.Once
}

// usageError is a mistake in the command line or in a file it names, found
// while assembling the server rather than while reading the flags: exit
// status 2 all the same.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// assemble builds the server of cfg: the sandbox if asked for, the event
// log, the rate budget, the transcript, the tools. The server and the
// tools CLI use it, so they serve the same thing.
func assemble(cfg Config, stderr io.Writer) (_ *assembled, err error) {
	a := &assembled{eventsStopped: make(chan struct{})}
	defer func() {
		if err != nil {
			_ = a.close(nil)
		}
	}()
	a.secretFile = cfg.Webhooks.SecretFile
	if cfg.RedisURL != "" {
		// go-redis's own messages while it first connects go to the log
		// in its format too (the server's logger, once built, takes over).
		fleet.LogRedisTo(slog.New(redact.NewHandler(cfg.Log.handler(stderr), redact.New(redact.WithSecrets(cfg.Ada.APIKey, cfg.HTTP.AuthToken)))))
		if a.redis, err = connectRedis(cfg.RedisURL); err != nil {
			return nil, err
		}
	}
	stdio := cfg.Transport == TransportStdio || cfg.Transport == ""
	if cfg.Sandbox.Enabled || (!stdio && cfg.Webhooks.Secret != "") {
		a.events = a.eventLog()
	}
	apiKey, baseURL, channelID := cfg.Ada.APIKey, "", cfg.Ada.ChannelID
	pollInterval := tools.DefaultPollInterval
	if cfg.Sandbox.Enabled {
		var feed func(adasim.Event)
		if stdio {
			// No public endpoint over stdio: the simulator's events go
			// straight into the log, so waits need no polling at all.
			feed = feedEvents(a.events, a.redactor)
		}
		if a.sandbox, err = startSandbox(cfg.Sandbox, feed); err != nil {
			return nil, err
		}
		apiKey, baseURL = a.sandbox.APIKey, a.sandbox.BaseURL
		if channelID == "" {
			channelID = a.sandbox.ChannelID
		}
		pollInterval = tools.LocalPollInterval
	} else if apiKey != "" {
		if baseURL, err = cfg.Ada.baseURL(); err != nil {
			return nil, usageError{err}
		}
	}
	if a.redis != nil {
		// Per AI Agent, as the budget: deployments sharing a Redis do not
		// trade webhook secrets.
		a.secrets = fleet.NewSecrets(a.redis, fleetPrefix(baseURL))
	}
	if cfg.Transcript != "" {
		open := transcript.Create
		if cfg.TranscriptAppend {
			open = transcript.Append
		}
		if a.transcript, err = open(cfg.Transcript); err != nil {
			return nil, usageError{err}
		}
	}
	// Over HTTP, replicas redeem each deletion confirmation once between
	// them (a nil *Claims would not be a nil ClaimStore).
	var redeemed tools.ClaimStore
	if a.redis != nil && !stdio {
		redeemed = fleet.NewClaims(a.redis, fleetPrefix(baseURL))
	}
	a.Built, err = tools.Build(tools.Config{
		APIKey: apiKey, BaseURL: baseURL, ChannelID: channelID,
		Toolsets: cfg.Ada.Toolsets, ReadOnly: cfg.Ada.ReadOnly, RedactKeys: cfg.Ada.RedactKeys,
		// The bearer token is ours, not Ada's, but just as secret in a
		// log line; so is the webhook secret.
		Secrets:      []string{cfg.HTTP.AuthToken, cfg.Webhooks.Secret},
		SharedSecret: cfg.HTTP.AuthToken,
		CallTimeout:  cfg.Ada.CallTimeout, PollInterval: pollInterval,
		Version: buildVersion(), LogHandler: cfg.Log.handler(stderr), Transcript: a.transcript,
		Events: a.events, RateBudget: a.rateBudget(cfg, baseURL),
		WebhookSecrets: a.webhookSecrets(cfg), EventsStopped: a.eventsStopped, Redeemed: redeemed,
		AllowCustomerMessages: cfg.Ada.AllowCustomerMessages, AllowDestructive: cfg.Ada.AllowDestructive, Unfenced: !cfg.Ada.FenceUntrusted,
		Sandbox: cfg.Sandbox.Enabled, RateLimits: a.rateLimits(cfg), RateShared: a.redis != nil,
		// A stdio server is one process for one client, Redis or not.
		Replicated: a.redis != nil && !stdio,
		// Over stdio the server runs on the user's machine, for them alone:
		// upload_attachment may read a file_path there, unless told not to.
		LocalFiles: stdio && cfg.Ada.LocalFiles,
		Now:        sandboxNow(a.sandbox),
	})
	if err != nil {
		return nil, usageError{err} // a toolset's or the base URL's name
	}
	if cfg.Sandbox.StateOut != "" {
		// Written when the server stops: a path that cannot be written is
		// found now, not after the run it was to record. Emptied last, once
		// nothing else can stop the start, so a mistake elsewhere leaves the
		// last run's state (and a crash an empty file, never a stale one).
		f, err := privfile.Create(cfg.Sandbox.StateOut)
		if err != nil {
			return nil, usageError{fmt.Errorf("--sandbox-state-out: %w", err)}
		}
		f.Close()
	}
	if a.budget != nil {
		a.budget.SetLogger(a.Logger)
	}
	if a.redis != nil {
		fleet.LogRedisTo(a.Logger)
		if l, ok := a.events.(*fleet.Log); ok {
			l.SetLogger(a.Logger)
		}
	}
	return a, nil
}

// webhookSecrets keeps the secret rotate_webhook_secret made for this
// server's own webhook: in the operator's --webhook-secret-file, and in
// this server's receiver, so deliveries signed with it keep being accepted.
// Nil when there is neither.
func (a *assembled) webhookSecrets(cfg Config) tools.WebhookSecretStore {
	if cfg.Webhooks.SecretFile == "" && a.events == nil {
		return nil
	}
	return &secretStore{file: cfg.Webhooks.SecretFile, a: a}
}

type secretStore struct {
	file string
	a    *assembled

	mu  sync.Mutex
	own map[string]bool // webhook ids found to be this server's own
}

// holdsTimeout bounds the Redis calls of Holds.
const holdsTimeout = 2 * time.Second

// rotationLockTTL is how long the replicas' rotation lock outlives a
// replica that died holding it. A rotation takes a few calls to Ada.
const rotationLockTTL = time.Minute

// Holds: webhookID was found to be this server's own before (by this
// process, or by a replica through Redis), or secret is one it verifies
// with, the file holds now (it may have been rewritten since the start, by
// a rotation elsewhere) or the replicas shared. The webhook is then
// remembered as its own, so that a retry after a rotation whose secret
// could not be stored still knows it. An error: Redis did not answer.
func (s *secretStore) Holds(ctx context.Context, webhookID, secret string) (bool, error) {
	if s.remembered(webhookID) {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, holdsTimeout)
	defer cancel()
	held, err := s.holds(ctx, secret)
	if err != nil {
		return false, err
	}
	if !held && s.a.secrets != nil {
		if held, err = s.a.secrets.IsOwn(ctx, webhookID); err != nil {
			return false, err
		}
	}
	if !held {
		return false, nil
	}
	if s.a.secrets != nil {
		if err := s.a.secrets.MarkOwn(ctx, webhookID); err != nil {
			return false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.own == nil {
		s.own = map[string]bool{}
	}
	s.own[webhookID] = true
	return true, nil
}

func (s *secretStore) remembered(webhookID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.own[webhookID]
}

// holds reports whether secret is one the receiver, the file or the
// replicas hold.
func (s *secretStore) holds(ctx context.Context, secret string) (bool, error) {
	if secret == "" {
		return false, nil
	}
	if s.a.rcv != nil && s.a.rcv.Knows(secret) {
		return true, nil
	}
	others, err := s.a.otherSecrets(ctx)
	for _, o := range others {
		if subtle.ConstantTimeCompare([]byte(o), []byte(secret)) == 1 {
			return true, nil
		}
	}
	return false, err
}

// LockRotation makes rotations one at a time across the replicas
// (tools.RotationLocker); without Redis there is nothing to share.
func (s *secretStore) LockRotation(ctx context.Context) (func(), error) {
	if s.a.secrets == nil {
		return func() {}, nil
	}
	return s.a.secrets.LockRotation(ctx, rotationLockTTL)
}

// otherSecrets are the webhook secrets rotations made elsewhere, newest
// first: the secret file as it is now (shared, or rewritten since the
// start) and, among replicas, those shared through Redis. When Redis
// fails, the file's secret comes with the error.
func (a *assembled) otherSecrets(ctx context.Context) ([]string, error) {
	var out []string
	if a.secretFile != "" {
		if b, err := os.ReadFile(a.secretFile); err == nil {
			if sec := strings.TrimSpace(string(b)); sec != "" {
				out = append(out, sec)
			}
		}
	}
	if a.secrets != nil {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		shared, err := a.secrets.List(ctx)
		if err != nil {
			return out, err
		}
		for _, sec := range shared {
			if !slices.Contains(out, sec) {
				out = append(out, sec)
			}
		}
	}
	return out, nil
}

func (s *secretStore) Keep(ctx context.Context, secret string) (string, error) {
	var where []string
	if s.file != "" {
		if err := privfile.Write(s.file, []byte(secret+"\n")); err != nil {
			return "", fmt.Errorf("writing %s: %w", s.file, err)
		}
		where = append(where, s.file)
	}
	if s.a.rcv != nil {
		if err := s.a.rcv.AddSecret(secret); err != nil {
			return "", err
		}
		where = append(where, "this server's webhook receiver (in memory)")
	}
	if s.a.secrets != nil {
		if err := s.a.secrets.Add(ctx, secret); err != nil {
			return "", fmt.Errorf("%w (kept in %s, but the other replicas do not have it)", err, strings.Join(where, " and "))
		}
		where = append(where, "the other replicas (through Redis)")
	}
	if len(where) == 0 {
		return "", errors.New("no --webhook-secret-file and no webhook receiver to keep it")
	}
	return strings.Join(where, " and "), nil
}

// eventLog is the log of Ada's webhook events: shared through Redis, or
// this process's.
func (a *assembled) eventLog() events.Log {
	if a.redis != nil {
		return fleet.NewLog(a.redis, "ada-mcp:", events.Limits{})
	}
	return events.NewMemory(events.Limits{})
}

// rateBudget keeps requests under Ada's limits: fleet-wide through Redis,
// else for this process. A sandbox enforces none, so none is kept for it.
func (a *assembled) rateBudget(cfg Config, baseURL string) adaclient.RateBudget {
	if cfg.RateLimits == nil || cfg.Sandbox.Enabled {
		return nil
	}
	if a.redis != nil {
		// Ada's limits are per AI Agent: replicas serving the same one share.
		a.budget = fleet.NewBudget(a.redis, fleetPrefix(baseURL), cfg.RateLimits)
		return a.budget
	}
	return adaclient.NewLocalBudget(cfg.RateLimits)
}

// fleetPrefix is the Redis prefix of what the replicas of one AI Agent
// share (the rate budget, webhook secrets), apart from another's.
func fleetPrefix(baseURL string) string {
	return "ada-mcp:" + shortHash(sameAda(baseURL)) + ":"
}

// sameAda is a base URL as every replica names it: the budget is shared by
// the replicas of one AI Agent however each spells its URL (a trailing
// slash, the host's case; --bot-handle gives the same URL).
func sameAda(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return baseURL
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	return u.String()
}

// rateLimits are the limits the budget keeps (none for a sandbox).
func (a *assembled) rateLimits(cfg Config) map[string][]adaclient.Limit {
	if cfg.Sandbox.Enabled {
		return nil
	}
	return cfg.RateLimits
}

// close writes the sandbox's state if asked (--sandbox-state-out) and
// releases everything. Failures are logged, and the first of those that
// lose a record of the run (the state, the transcript) is returned, so the
// command does not end in success without them.
func (a *assembled) close(cfg *Config) error {
	var lost error
	if a.sandbox != nil {
		if cfg != nil && cfg.Sandbox.StateOut != "" {
			if err := a.sandbox.writeState(cfg.Sandbox.StateOut, a.redactor()); err != nil {
				a.log().Error("writing the sandbox state", "error", err)
				lost = fmt.Errorf("--sandbox-state-out: %w", err)
			} else {
				a.log().Info("sandbox state written", "file", cfg.Sandbox.StateOut)
			}
		}
		a.sandbox.Close()
	}
	if err := a.transcript.Close(); err != nil {
		a.log().Error("closing the transcript", "error", err)
		if lost == nil {
			lost = fmt.Errorf("--transcript: %w", err)
		}
	}
	if a.redis != nil {
		a.redis.Close()
	}
	return lost
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

func serve(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	a, err := assemble(cfg, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if lost := a.close(&cfg); err == nil {
			err = lost
		}
	}()
	logger := a.Logger
	logger.Info("ada-mcp starting", "version", buildVersion(), "transport", cfg.Transport, "tools", len(a.Tools),
		"sandbox", cfg.Sandbox.Enabled, "read_only", cfg.Ada.ReadOnly, "redis", a.redis != nil, "ada_host", a.adaHost())
	if a.lacksDefaultChannel(cfg) {
		logger.Warn("no default channel: start_conversation needs a channel_id and ask_ai_agent cannot start a conversation; set ADA_CHANNEL_ID or --channel-id (list_channels shows the custom channels)")
	}
	if a.sandbox != nil {
		logger.Info("sandbox", "seed", a.sandbox.Seed, "deterministic", a.sandbox.Deterministic,
			"replay", fmt.Sprintf("--sandbox-seed %d gives the same ids again", a.sandbox.Seed))
	}
	if cfg.Transcript != "" {
		logger.Info("recording tool calls", "transcript", cfg.Transcript)
	}
	if cfg.Pprof != "" {
		_, stopPprof, err := startPprof(cfg.Pprof, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	if cfg.Transport == TransportStdio {
		if isTerminal(stdin) {
			logger.Info("ada-mcp speaks MCP (JSON-RPC) on stdin/stdout: start it from an MCP host or the MCP Inspector, see the README; Ctrl-C stops it")
		}
		return serveStdio(ctx, a.MCP, cfg, logger, stdin, stdout)
	}
	ln, err := server.ListenFlag("--addr", cfg.HTTP.Addr)
	if err != nil {
		return err
	}
	receiver, err := a.receiver(ctx, cfg, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	httpConfig := cfg.HTTP
	httpConfig.UserAgent = tools.UserAgent(buildVersion())
	httpConfig.WebhookAddr = cfg.Webhooks.Addr
	deps := server.Deps{MCP: a.MCP, Client: a.Client, Logger: logger,
		OnShutdown: func() { a.stopEvents.Do(func() { close(a.eventsStopped) }) }}
	if receiver != nil {
		deps.Webhooks = receiver
	}
	srv, err := server.New(httpConfig, deps)
	if err != nil {
		ln.Close()
		return err
	}
	return srv.Serve(ctx, ln)
}

// adaHost is the Ada the server talks to, for the start line: which AI
// Agent a key and handle reached is the first thing to check.
func (a *assembled) adaHost() string {
	if a.Client == nil {
		return "" // multi-tenant without a default key
	}
	return a.Client.Host()
}

// lacksDefaultChannel reports a server that starts conversations with no
// channel to start them on (the sandbox always has its own).
func (a *assembled) lacksDefaultChannel(cfg Config) bool {
	if cfg.Sandbox.Enabled || cfg.Ada.ChannelID != "" || a.Client == nil {
		return false
	}
	return slices.ContainsFunc(a.Tools, func(t tools.Tool) bool {
		return t.Definition.Name == "ask_ai_agent" || t.Definition.Name == "start_conversation"
	})
}

// receiver is the webhook receiver of an HTTP server, when webhooks can
// come: a secret is configured, or the sandbox, which is wired to deliver
// its own webhooks here so the whole loop runs offline.
func (a *assembled) receiver(ctx context.Context, cfg Config, addr net.Addr) (*events.Receiver, error) {
	if a.events == nil {
		return nil, nil
	}
	secret := cfg.Webhooks.Secret
	if a.sandbox != nil {
		var err error
		if secret, err = a.sandbox.deliverTo(ctx, a.Client, webhookURL(addr), secret); err != nil {
			return nil, fmt.Errorf("sandbox webhooks: %w", err)
		}
	}
	rcv, err := events.NewReceiver(events.ReceiverConfig{Secret: secret, Log: a.events, Redactor: a.Redactor,
		Logger: a.Logger.With("component", "webhooks"), MoreSecrets: a.otherSecrets})
	if err != nil {
		return nil, err
	}
	a.rcv = rcv
	a.Logger.Info("receiving Ada's webhooks", "path", server.WebhookPath, "signing_key_from", signingKeySource(cfg, a.sandbox != nil),
		"extra_addr", cfg.Webhooks.Addr, "shared_log", a.redis != nil)
	return rcv, nil
}

// webhookURL is where a sandbox on this machine delivers: the listener's
// port on loopback.
func webhookURL(addr net.Addr) string {
	port := "80"
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	return "http://127.0.0.1:" + port + server.WebhookPath
}

func serveStdio(ctx context.Context, s *mcpserver.MCPServer, cfg Config, logger *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	return server.ServeStdio(ctx, s, stdioConfig(cfg, logger), stdin, stdout)
}

// stdioConfig applies the HTTP transports' bounds to stdio: one message's
// size, how many of the one client's calls run at once, and how long the
// calls in flight may go on once the input ends.
func stdioConfig(cfg Config, logger *slog.Logger) server.StdioConfig {
	return server.StdioConfig{
		MaxLineBytes:  cfg.HTTP.MaxBodyBytes,
		TooLongHint:   stdioTooLongHint,
		Logger:        logger,
		MaxConcurrent: cfg.HTTP.MaxConcurrentPerClient,
		// Input that ends (a script's pipe, a host closing stdin to stop the
		// server) lets the calls in flight answer first, as a shutdown does.
		DrainTimeout: cfg.HTTP.ShutdownTimeout,
	}
}

// stdioTooLongHint ends the error a line over --max-body-bytes gets. Files
// are the usual reason, and over stdio upload_attachment reads them from
// disk.
const stdioTooLongHint = "--max-body-bytes (ADA_MCP_MAX_BODY_BYTES) raises it; upload_attachment takes a large file as file_path instead of content_base64"

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

// sandboxNow is the sandbox's clock, or nil (this machine's) against a real Ada.
func sandboxNow(sb *sandbox) func() time.Time {
	if sb == nil {
		return nil
	}
	return sb.Now
}

// signingKeySource says where the webhook signing secret came from, for
// the start-up log: a key named like "secret" would be redacted whole.
func signingKeySource(cfg Config, sandbox bool) string {
	switch {
	case cfg.Webhooks.SecretFile != "":
		return cfg.Webhooks.SecretFile
	case cfg.Webhooks.Secret != "":
		return "ADA_WEBHOOK_SECRET"
	case sandbox:
		return "the sandbox (a secret made for this run)"
	}
	return "none"
}
