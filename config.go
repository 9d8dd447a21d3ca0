package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
)

// Config is everything the server is started with: flags override
// environment variables. Only this package reads the environment.
type Config struct {
	Ada     AdaConfig
	Sandbox SandboxConfig
	Log     LogConfig

	// Transport is stdio, or one of the HTTP transports that HTTP configures.
	Transport string
	HTTP      server.Config

	// Transcript is a file that gets one JSON line per tool call.
	Transcript string
	// TranscriptAppend adds to the transcript instead of starting it
	// afresh: `ada-mcp tools call`, one call per process.
	TranscriptAppend bool
	Version          bool
	// Pprof is a loopback address serving net/http/pprof; empty: off.
	Pprof string

	Webhooks WebhookConfig
	// RedisURL makes replicas share the event log and the rate budget.
	RedisURL string
	// RateLimits is the client-side budget per API group; nil: none.
	RateLimits map[string][]adaclient.Limit
	rateLimits string
}

// WebhookConfig is how Ada's webhooks reach this server.
type WebhookConfig struct {
	// Secret is the endpoint's signing secret (whsec_...).
	Secret string
	// SecretFile is where Secret was read from; rotate_webhook_secret
	// writes the new one there.
	SecretFile string
	// Addr is an extra listener for webhooks only.
	Addr string
}

// AdaConfig is how the server reaches Ada and which tools it offers.
type AdaConfig struct {
	APIKey      string
	BotHandle   string
	BaseURL     string
	ChannelID   string
	Toolsets    []string
	ReadOnly    bool
	RedactKeys  []string
	CallTimeout time.Duration
	// The gates: a message a customer reads as a person's, and deletions
	// without the user's confirmation.
	AllowCustomerMessages bool
	AllowDestructive      bool
	// FenceUntrusted wraps the text of results holding outside text as
	// data (tools.Deps.Unfenced is its negation).
	FenceUntrusted bool
	// LocalFiles lets upload_attachment read a file_path over stdio
	// (never over HTTP, where the disk is not the user's).
	LocalFiles bool

	toolsets, redactKeys string // as given, split by finish
}

// SandboxConfig is the embedded simulator that --sandbox serves instead of
// a real AI Agent.
type SandboxConfig struct {
	Enabled    bool
	Seed       int64
	ReplyDelay time.Duration
	// State is a state file (GET /_sandbox/state's JSON) loaded at start.
	State string
	// StateOut gets the simulator's state when the server stops.
	StateOut string
	// Agent is a scripted AI Agent file (pattern → replies, handoffs).
	Agent string
}

// LogConfig is where and how logs go (always stderr).
type LogConfig struct {
	Level  slog.Level
	Format string

	level string
}

// TransportStdio is served by main; the HTTP transports by package server.
const TransportStdio = "stdio"

// env reads the environment given by getenv; a malformed number or
// duration is an error, not a silent default.
type env struct {
	getenv func(string) string
	errs   []error
}

func (e *env) str(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// booleanOr is a boolean that defaults to def; a malformed value is an
// error, so a typo can neither turn a default-on protection off nor leave
// one asked for (ADA_MCP_READ_ONLY=yes) off.
func (e *env) booleanOr(name string, def bool) bool {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not true or false", name, v))
		return def
	}
	return b
}

func (e *env) integer(name string, def int64) int64 {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a whole number", name, v))
	}
	return n
}

func (e *env) duration(name string, def time.Duration) time.Duration {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a duration such as 20s", name, v))
	}
	return d
}

// addFlags registers how to reach Ada and which tools to serve.
func (c *AdaConfig) addFlags(fs *flag.FlagSet, e *env) {
	c.addAccountFlags(fs, e)
	fs.StringVar(&c.ChannelID, "channel-id", e.getenv("ADA_CHANNEL_ID"), "default custom channel for start_conversation and ask_ai_agent (env ADA_CHANNEL_ID)")
	fs.StringVar(&c.toolsets, "toolsets", e.str("ADA_MCP_TOOLSETS", "default"), "comma-separated toolsets: "+toolsetHelp()+" (env ADA_MCP_TOOLSETS)")
	fs.BoolVar(&c.ReadOnly, "read-only", e.booleanOr("ADA_MCP_READ_ONLY", false), "register only read-only tools; wins over the --allow-* gates (env ADA_MCP_READ_ONLY)")
	fs.BoolVar(&c.AllowCustomerMessages, "allow-customer-messages", e.booleanOr("ADA_MCP_ALLOW_CUSTOMER_MESSAGES", false), "let tools send what a customer reads as a person's: send_message as human_agent, start_email_conversation (env ADA_MCP_ALLOW_CUSTOMER_MESSAGES)")
	fs.BoolVar(&c.AllowDestructive, "allow-destructive", e.booleanOr("ADA_MCP_ALLOW_DESTRUCTIVE", false), "let tools delete without asking the user (otherwise they ask through MCP elicitation, or refuse when the client cannot ask) (env ADA_MCP_ALLOW_DESTRUCTIVE)")
	fs.BoolVar(&c.FenceUntrusted, "fence-untrusted", e.booleanOr("ADA_MCP_FENCE_UNTRUSTED", true), "wrap the text of results holding what end users or other outside sources wrote in <untrusted-data-NONCE> tags, as data the model must not obey; false gives plain JSON text, for a client that parses it (env ADA_MCP_FENCE_UNTRUSTED)")
	fs.BoolVar(&c.LocalFiles, "local-files", e.booleanOr("ADA_MCP_LOCAL_FILES", true), "over stdio, let upload_attachment read a file_path from this machine; never over HTTP (env ADA_MCP_LOCAL_FILES)")
	fs.StringVar(&c.redactKeys, "redact-keys", e.getenv("ADA_MCP_REDACT_KEYS"), "extra comma-separated metadata key patterns whose values are redacted (env ADA_MCP_REDACT_KEYS)")
	fs.DurationVar(&c.CallTimeout, "call-timeout", tools.DefaultCallTimeout, "time limit of one tool call (send_message adds its wait)")
}

// addAccountFlags are the flags that say which Ada AI Agent, with which
// key: all that a command that serves no tools (webhooks setup) takes.
func (c *AdaConfig) addAccountFlags(fs *flag.FlagSet, e *env) {
	secretVar(fs, &c.APIKey, "api-key", e.getenv("ADA_API_KEY"), "Ada API `key` (env ADA_API_KEY; prefer the env var: flags show in process lists)")
	fs.StringVar(&c.BotHandle, "bot-handle", e.getenv("ADA_BOT_HANDLE"), "Ada bot handle: the API is https://{handle}.ada.support/api (env ADA_BOT_HANDLE)")
	secretVar(fs, &c.BaseURL, "base-url", e.getenv("ADA_BASE_URL"), "full Ada API base `URL`, e.g. https://acme.eu.ada.support/api; wins over --bot-handle (env ADA_BASE_URL)")
}

func (c *AdaConfig) finish() error {
	c.Toolsets = splitList(c.toolsets)
	c.RedactKeys = splitList(c.redactKeys)
	if c.CallTimeout <= 0 {
		return errors.New("--call-timeout must be positive")
	}
	// Before anything is opened (a --transcript emptied, a sandbox started).
	if err := tools.ValidateToolsets(c.Toolsets); err != nil {
		return fmt.Errorf("--toolsets: %w", err)
	}
	return nil
}

// validate checks that a real AI Agent is fully described. multiTenant
// servers may have no default key: every request brings its own.
func (c *AdaConfig) validate(multiTenant bool) error {
	// A key pasted with a line break or a space around it (a host's JSON
	// config, a file) would fail every request, as an unsendable header
	// or a 401; Ada's keys hold neither.
	c.APIKey = strings.TrimSpace(c.APIKey)
	if multiTenant && c.APIKey == "" && c.BaseURL == "" && c.BotHandle == "" {
		return nil
	}
	if strings.ContainsFunc(c.APIKey, unicode.IsControl) {
		return errors.New("--api-key (ADA_API_KEY) holds a control character such as a line break, which no HTTP header can carry: copy the key again")
	}
	if c.APIKey == "" {
		return errors.New("no Ada API key: set ADA_API_KEY (and ADA_BOT_HANDLE or ADA_BASE_URL), or run with --sandbox to try the server without an Ada account")
	}
	if c.BaseURL == "" && c.BotHandle == "" {
		return errors.New("no Ada AI Agent: set ADA_BOT_HANDLE (the handle in https://{handle}.ada.support) or ADA_BASE_URL")
	}
	if c.BaseURL != "" {
		if err := adaclient.CheckBaseURL(c.BaseURL); err != nil {
			return fmt.Errorf("--base-url (ADA_BASE_URL): %w", err)
		}
		return nil
	}
	if _, err := c.baseURL(); err != nil {
		return fmt.Errorf("--bot-handle (ADA_BOT_HANDLE): %w", err)
	}
	return nil
}

// flagsWin applies "flags win over variables" across the handle and the
// base URL: a --bot-handle given on the command line beats an
// ADA_BASE_URL from the environment (--base-url still wins over
// --bot-handle when both are flags). Every command that takes the Ada
// flags calls it after parsing them.
func (c *AdaConfig) flagsWin(fs *flag.FlagSet) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["bot-handle"] && !given["base-url"] {
		c.BaseURL = ""
	}
}

// baseURL is --base-url, else the handle's URL.
func (c *AdaConfig) baseURL() (string, error) {
	if c.BaseURL != "" {
		return c.BaseURL, nil
	}
	return adaclient.BaseURLForHandle(c.BotHandle)
}

// addFlags registers the embedded simulator's flags.
func (c *SandboxConfig) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.Enabled, "sandbox", false, "serve against the embedded Ada simulator instead of a real AI Agent (no key needed)")
	fs.Int64Var(&c.Seed, "sandbox-seed", 0, "with --sandbox: 0 picks a new random seed each start (logged); any other value replays the same ids and logical timestamps")
	fs.DurationVar(&c.ReplyDelay, "sandbox-reply-delay", 0, "with --sandbox: how long the simulated AI Agent takes to answer")
	fs.StringVar(&c.State, "sandbox-state", "", "with --sandbox: a state file (the JSON of GET /_sandbox/state) to start from")
	fs.StringVar(&c.StateOut, "sandbox-state-out", "", "with --sandbox: write the simulator's state (JSON) to this file when the server stops")
	fs.StringVar(&c.Agent, "sandbox-agent", "", "with --sandbox: a JSON file scripting the AI Agent's answers ({\"rules\": [{\"match\": \"(?i)order\", \"replies\": [\"...\"], \"handoff\": false}]})")
}

func (c *SandboxConfig) validate() error {
	if !c.Enabled && (c.State != "" || c.StateOut != "" || c.Seed != 0 || c.ReplyDelay != 0 || c.Agent != "") {
		return errors.New("--sandbox-seed, --sandbox-reply-delay, --sandbox-state, --sandbox-state-out and --sandbox-agent need --sandbox")
	}
	if c.ReplyDelay < 0 {
		return errors.New("--sandbox-reply-delay must not be negative")
	}
	return nil
}

// addFlags registers where logs go and how they look.
func (c *LogConfig) addFlags(fs *flag.FlagSet, e *env, defaultLevel string) {
	fs.StringVar(&c.level, "log-level", e.str("ADA_MCP_LOG_LEVEL", defaultLevel), "debug, info, warn or error; logs go to stderr (env ADA_MCP_LOG_LEVEL)")
	fs.StringVar(&c.Format, "log-format", e.str("ADA_MCP_LOG_FORMAT", "text"), "text or json (env ADA_MCP_LOG_FORMAT)")
}

func (c *LogConfig) finish() error {
	if err := c.Level.UnmarshalText([]byte(c.level)); err != nil {
		return fmt.Errorf("--log-level: %q is not debug, info, warn or error", c.level)
	}
	if c.Format != "text" && c.Format != "json" {
		return fmt.Errorf("--log-format must be text or json")
	}
	return nil
}

// handler is the slog handler that writes to w (stderr) as configured.
func (c LogConfig) handler(w io.Writer) slog.Handler {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// httpFlags are the HTTP transports' settings as given, before checks.
type httpFlags struct {
	origins, tenantURLs, tokenFile string
	maxConcurrent                  int64
}

// addHTTPFlags registers the transport and the HTTP transports' settings.
func (c *Config) addHTTPFlags(fs *flag.FlagSet, e *env, h *httpFlags) {
	fs.StringVar(&c.Transport, "transport", TransportStdio, "stdio, sse (legacy HTTP+SSE) or http (Streamable HTTP at /mcp)")
	fs.StringVar(&c.HTTP.Addr, "addr", server.DefaultAddr, "listen address for sse and http; anything but loopback requires an auth token")
	fs.StringVar(&h.tokenFile, "auth-token-file", e.getenv("ADA_MCP_AUTH_TOKEN_FILE"), "file holding the bearer token MCP clients must send over sse/http (env ADA_MCP_AUTH_TOKEN_FILE; or the token itself in env ADA_MCP_AUTH_TOKEN)")
	fs.StringVar(&h.origins, "allowed-origins", e.getenv("ADA_MCP_ALLOWED_ORIGINS"), "comma-separated browser origins allowed to call over sse/http; other Origin headers get 403 (env ADA_MCP_ALLOWED_ORIGINS)")
	fs.Int64Var(&c.HTTP.MaxBodyBytes, "max-body-bytes", e.integer("ADA_MCP_MAX_BODY_BYTES", server.DefaultMaxBodyBytes), "largest accepted request: a body over sse/http, a line (one message) over stdio, in bytes (env ADA_MCP_MAX_BODY_BYTES)")
	fs.Int64Var(&h.maxConcurrent, "max-concurrent-per-client", e.integer("ADA_MCP_MAX_CONCURRENT_PER_CLIENT", server.DefaultMaxConcurrentPerClient), "requests one client (identity + IP) may have in flight over sse/http, and streams it may hold open (counted apart), more get 429; over stdio, tool calls run at once (at most 100), more wait (env ADA_MCP_MAX_CONCURRENT_PER_CLIENT)")
	fs.DurationVar(&c.HTTP.ShutdownTimeout, "shutdown-timeout", e.duration("ADA_MCP_SHUTDOWN_TIMEOUT", server.DefaultShutdownTimeout), "on SIGTERM/SIGINT, how long in-flight calls may finish (env ADA_MCP_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&c.HTTP.MultiTenant, "multi-tenant", e.booleanOr("ADA_MCP_MULTI_TENANT", false), "over sse/http, take Ada credentials from each request's X-Ada-Api-Key and X-Ada-Base-URL or X-Ada-Bot-Handle headers (env ADA_MCP_MULTI_TENANT)")
	fs.StringVar(&h.tenantURLs, "tenant-base-urls", e.getenv("ADA_MCP_TENANT_BASE_URLS"), "comma-separated X-Ada-Base-URL patterns allowed besides "+server.DefaultTenantBaseURL+" (env ADA_MCP_TENANT_BASE_URLS)")
}

// loadConfig parses the server's args over the environment given by getenv.
func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	e := &env{getenv: getenv}
	fs := flag.NewFlagSet("ada-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "ada-mcp: an MCP server for Ada's public APIs.\n\nUsage:\n  ada-mcp --sandbox              # no Ada account needed\n  ADA_API_KEY=... ADA_BOT_HANDLE=... ada-mcp\n\nCommands beside the server (each has --help):\n  ada-mcp sandbox    the Ada simulator alone, as an Ada API root over HTTP\n  ada-mcp tools      list the tools, or call one from the shell\n  ada-mcp eval       run scenario files, or grade a recorded transcript\n  ada-mcp webhooks   setup: register this server's webhook receiver with Ada\n\nFlags (each also set by the environment variable shown):\n")
		fs.PrintDefaults()
	}
	var h httpFlags
	c.Ada.addFlags(fs, e)
	c.Sandbox.addFlags(fs)
	c.addHTTPFlags(fs, e, &h)
	c.Log.addFlags(fs, e, "info")
	fs.StringVar(&c.Transcript, "transcript", e.getenv("ADA_MCP_TRANSCRIPT"), "write one JSON line per tool call to this file, redacted like results (env ADA_MCP_TRANSCRIPT)")
	c.addFleetFlags(fs, e)
	fs.StringVar(&c.Pprof, "pprof", e.getenv("ADA_MCP_PPROF"), "serve Go's profiles (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060; off by default (env ADA_MCP_PPROF)")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	if err := parseFlags(fs, args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if c.Version {
		return c, nil // --version needs no Ada key
	}
	if err := errors.Join(e.errs...); err != nil {
		return c, err
	}
	c.Ada.flagsWin(fs)
	c.HTTP.Transport = c.Transport
	c.HTTP.AllowedOrigins = splitList(h.origins)
	c.HTTP.TenantBaseURLs = splitList(h.tenantURLs)
	c.HTTP.MaxConcurrentPerClient = int(h.maxConcurrent)
	var err error
	if c.HTTP.AuthToken, err = authToken(getenv("ADA_MCP_AUTH_TOKEN"), h.tokenFile); err != nil {
		return c, err
	}
	if err := c.Ada.finish(); err != nil {
		return c, err
	}
	if err := c.Log.finish(); err != nil {
		return c, err
	}
	if c.Pprof != "" {
		if err := checkPprofAddr(c.Pprof); err != nil {
			return c, err
		}
	}
	switch c.Transport {
	case TransportStdio, server.TransportSSE, server.TransportHTTP:
	default:
		return c, fmt.Errorf("--transport must be stdio, sse or http, not %q", c.Transport)
	}
	if err := c.validateHTTP(); err != nil {
		return c, err
	}
	if err := c.Sandbox.validate(); err != nil {
		return c, err
	}
	if err := c.finishFleet(getenv); err != nil {
		return c, err
	}
	if c.Sandbox.Enabled {
		return c, nil
	}
	return c, c.Ada.validate(c.HTTP.MultiTenant)
}

// addFleetFlags registers webhooks, Redis and the rate budget: what makes
// replicas one fleet.
func (c *Config) addFleetFlags(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.Webhooks.SecretFile, "webhook-secret-file", e.getenv("ADA_WEBHOOK_SECRET_FILE"), "file holding Ada's webhook signing secret (whsec_...); or the secret itself in env ADA_WEBHOOK_SECRET. Enables POST "+server.WebhookPath+" over sse/http (env ADA_WEBHOOK_SECRET_FILE)")
	fs.StringVar(&c.Webhooks.Addr, "webhook-addr", e.getenv("ADA_MCP_WEBHOOK_ADDR"), "also receive webhooks on this address, apart from MCP (env ADA_MCP_WEBHOOK_ADDR)")
	secretVar(fs, &c.RedisURL, "redis-url", e.getenv("ADA_MCP_REDIS_URL"), "`URL` of Redis, redis://host:6379/0: replicas share the webhook event log and Ada's rate budget (env ADA_MCP_REDIS_URL)")
	fs.StringVar(&c.rateLimits, "rate-limits", e.str("ADA_MCP_RATE_LIMITS", "default"), "client-side budget per API group: default (Ada's: end_users and conversations 30/s+300/m, audit_log 10/s+120/m, other 10/s+100/m), off, or limits for some groups, e.g. conversations=20/s+200/m,other=5/s (the others keep Ada's) (env ADA_MCP_RATE_LIMITS)")
}

func (c *Config) finishFleet(getenv func(string) string) error {
	secret := strings.TrimSpace(getenv("ADA_WEBHOOK_SECRET"))
	if c.Webhooks.SecretFile != "" {
		if secret != "" {
			return errors.New("set ADA_WEBHOOK_SECRET or --webhook-secret-file (ADA_WEBHOOK_SECRET_FILE), not both")
		}
		b, err := os.ReadFile(c.Webhooks.SecretFile)
		if err != nil && !(c.Sandbox.Enabled && errors.Is(err, os.ErrNotExist)) {
			return fmt.Errorf("--webhook-secret-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret != "" && !strings.HasPrefix(secret, "whsec_") {
		return errors.New("the webhook secret must start with whsec_ (Ada's dashboard or `ada-mcp webhooks setup` gives it)")
	}
	c.Webhooks.Secret = secret
	if c.Webhooks.Addr != "" && c.Transport == TransportStdio {
		return errors.New("--webhook-addr needs --transport http or sse")
	}
	if c.RedisURL != "" {
		if _, err := parseRedisURL(c.RedisURL); err != nil {
			return err
		}
	}
	limits, err := parseRateLimits(c.rateLimits)
	if err != nil {
		return fmt.Errorf("--rate-limits: %w", err)
	}
	c.RateLimits = limits
	return nil
}

// parseRateLimits reads "default", "off" or
// "group=N/unit[+N/unit],..." with units s, m and h. The groups named get
// the limits given; the others keep Ada's (a group left out of a spec is
// not a group left unpaced), and a name that is not a group is an error.
func parseRateLimits(s string) (map[string][]adaclient.Limit, error) {
	switch strings.TrimSpace(s) {
	case "", "default":
		return adaclient.DefaultLimits(), nil
	case "off", "none":
		return nil, nil
	}
	out := adaclient.DefaultLimits()
	set := map[string]bool{}
	for _, part := range splitList(s) {
		group, spec, ok := strings.Cut(part, "=")
		group = strings.TrimSpace(group)
		if !ok || group == "" {
			return nil, fmt.Errorf("%q: want group=N/unit, e.g. conversations=30/s+300/m", part)
		}
		if _, known := out[group]; !known {
			groups := slices.Sorted(maps.Keys(out))
			return nil, fmt.Errorf("%q: no such group; the groups are %s", group, strings.Join(groups, ", "))
		}
		if !set[group] { // replace Ada's limits, once
			out[group], set[group] = nil, true
		}
		for _, w := range strings.Split(spec, "+") {
			n, unit, ok := strings.Cut(strings.TrimSpace(w), "/")
			count, err := strconv.Atoi(n)
			per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "min": time.Minute, "h": time.Hour}[unit]
			if !ok || err != nil || count < 1 || per == 0 {
				return nil, fmt.Errorf("%q: want N/s, N/m or N/h with N at least 1", w)
			}
			out[group] = append(out[group], adaclient.Limit{Requests: count, Per: per})
		}
	}
	return out, nil
}

// authToken is ADA_MCP_AUTH_TOKEN or the trimmed contents of the token
// file; setting both is a mistake worth stopping for.
func authToken(fromEnv, file string) (string, error) {
	fromEnv = strings.TrimSpace(fromEnv)
	if file == "" {
		return fromEnv, nil
	}
	if fromEnv != "" {
		return "", errors.New("set ADA_MCP_AUTH_TOKEN or --auth-token-file (ADA_MCP_AUTH_TOKEN_FILE), not both")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--auth-token-file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("--auth-token-file: %s is empty", file)
	}
	return token, nil
}

// validateHTTP checks the settings of the HTTP transports (and the message
// limit, which stdio shares).
func (c *Config) validateHTTP() error {
	h := c.HTTP
	if h.MaxBodyBytes <= 0 {
		// Zero means "default" to package server; from a flag it is a mistake.
		return errors.New("--max-body-bytes must be positive")
	}
	switch { // stdio uses both too: its workers, and how long calls may finish
	case h.MaxConcurrentPerClient <= 0:
		return errors.New("--max-concurrent-per-client must be positive")
	case h.ShutdownTimeout <= 0:
		return errors.New("--shutdown-timeout must be positive")
	}
	if c.Transport == TransportStdio {
		if h.MultiTenant {
			return errors.New("--multi-tenant needs --transport http or sse (over stdio the host's environment supplies one Ada key)")
		}
		return nil
	}
	return h.Validate()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// toolsetHelp names the toolsets for --toolsets' help: the defaults, the
// opt-in ones, all and default.
func toolsetHelp() string {
	var on, optIn []string
	for _, ts := range tools.Toolsets(nil) {
		switch {
		case ts.Always:
		case ts.Default:
			on = append(on, ts.Name)
		default:
			optIn = append(optIn, ts.Name)
		}
	}
	return strings.Join(on, ", ") + " (on by default); " + strings.Join(optIn, ", ") + " (opt-in); all; default"
}

// parseRedisURL is redis.ParseURL with an error that never quotes the URL:
// any part of it can hold Redis's password (redis://:PASSWORD@host, or a
// password pasted into the path or an option by mistake), and the parser's
// errors quote the part they reject.
func parseRedisURL(raw string) (*redis.Options, error) {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return nil, errors.New("--redis-url: " + redisURLProblem(err))
	}
	return opt, nil
}

// redisURLProblem names what is wrong with a Redis URL from the error of
// redis.ParseURL, in fixed words. An error it does not know gets a generic
// message rather than its own text.
func redisURLProblem(err error) string {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	for _, p := range [...]struct{ says, problem string }{
		{"invalid port", "invalid port (want redis://host:6379)"},
		{"invalid URL escape", "invalid %-escape (write a '%' in the password as %25)"},
		{"in host name", "invalid host"},
		{"invalid userinfo", "invalid user or password (percent-escape spaces and other special characters)"},
		{"missing protocol scheme", "missing scheme (want redis://, rediss:// or unix://)"},
		{"first path segment in URL cannot contain colon", "missing scheme (want redis://, rediss:// or unix://)"},
		{"invalid URL scheme", "unsupported scheme (want redis://, rediss:// or unix://)"},
		{"invalid database number", "invalid database number (want a number: redis://host:6379/0)"},
		{"invalid URL path", "invalid path (want nothing or a database number: redis://host:6379/0)"},
		{"empty unix socket path", "missing socket path (want unix:///path/to/redis.sock)"},
		{"unexpected option", "unknown query option"},
		// "redis: invalid <option> number|duration|boolean: ..."
		{" number: ", "invalid query option value (want a number)"},
		{" duration: ", "invalid query option value (want a duration such as 3s)"},
		{" boolean: ", "invalid query option value (want true or false)"},
	} {
		if strings.Contains(msg, p.says) {
			return p.problem
		}
	}
	return "not a valid Redis URL (want redis://[:password@]host:port/db)"
}

// secretVar defines a string flag whose default (from the environment: a
// key, a URL that may hold a password) --help and usage errors never print,
// as flag.PrintDefaults prints every other default.
func secretVar(fs *flag.FlagSet, p *string, name, value, usage string) {
	*p = value
	fs.Var(secretValue{p}, name, usage)
}

type secretValue struct{ p *string }

func (secretValue) String() string       { return "" }
func (s secretValue) Set(v string) error { *s.p = v; return nil }
