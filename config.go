package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/server"
)

// Config is everything the server is started with: flags override
// environment variables. Only this file reads the environment.
type Config struct {
	APIKey    string
	BotHandle string
	BaseURL   string
	ChannelID string
	Toolsets  []string
	ReadOnly  bool

	Sandbox           bool
	SandboxSeed       int64
	SandboxReplyDelay time.Duration

	// Transport is stdio, or one of the HTTP transports that HTTP configures.
	Transport string
	HTTP      server.Config

	LogLevel    slog.Level
	LogFormat   string
	RedactKeys  []string
	CallTimeout time.Duration
	Version     bool
}

// TransportStdio is served by main; the HTTP transports by package server.
const TransportStdio = "stdio"

// loadConfig parses args over the environment given by getenv.
func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("ada-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "ada-mcp: an MCP server for Ada's public APIs.\n\nUsage:\n  ada-mcp --sandbox              # no Ada account needed\n  ADA_API_KEY=... ADA_BOT_HANDLE=... ada-mcp\n\nFlags (each also set by the environment variable shown):\n")
		fs.PrintDefaults()
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	envBool := func(name string) bool {
		b, _ := strconv.ParseBool(getenv(name))
		return b
	}
	// envParse reads a numeric or duration variable; a malformed value is
	// an error, not a silent default.
	var envErrs []error
	envInt := func(name string, def int64) int64 {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("%s: %q is not a whole number", name, v))
		}
		return n
	}
	envDuration := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("%s: %q is not a duration such as 20s", name, v))
		}
		return d
	}
	var toolsets, logLevel, redactKeys, origins, tenantURLs, tokenFile string
	var maxConcurrent int64
	fs.StringVar(&c.APIKey, "api-key", getenv("ADA_API_KEY"), "Ada API key (env ADA_API_KEY; prefer the env var: flags show in process lists)")
	fs.StringVar(&c.BotHandle, "bot-handle", getenv("ADA_BOT_HANDLE"), "Ada bot handle: the API is https://{handle}.ada.support/api (env ADA_BOT_HANDLE)")
	fs.StringVar(&c.BaseURL, "base-url", getenv("ADA_BASE_URL"), "full Ada API base URL, e.g. https://acme.eu.ada.support/api; wins over --bot-handle (env ADA_BASE_URL)")
	fs.StringVar(&c.ChannelID, "channel-id", getenv("ADA_CHANNEL_ID"), "default custom channel for start_conversation (env ADA_CHANNEL_ID)")
	fs.StringVar(&toolsets, "toolsets", env("ADA_MCP_TOOLSETS", "default"), "comma-separated toolsets: end_users, channels, conversations, all, default (env ADA_MCP_TOOLSETS)")
	fs.BoolVar(&c.ReadOnly, "read-only", envBool("ADA_MCP_READ_ONLY"), "register only read-only tools (env ADA_MCP_READ_ONLY)")
	fs.BoolVar(&c.Sandbox, "sandbox", false, "serve against the embedded Ada simulator instead of a real AI Agent (no key needed)")
	fs.Int64Var(&c.SandboxSeed, "sandbox-seed", 0, "with --sandbox: non-zero makes ids and timestamps deterministic, for replayable evaluations")
	fs.DurationVar(&c.SandboxReplyDelay, "sandbox-reply-delay", 0, "with --sandbox: how long the simulated AI Agent takes to answer")
	fs.StringVar(&c.Transport, "transport", TransportStdio, "stdio, sse (legacy HTTP+SSE) or http (Streamable HTTP at /mcp)")
	fs.StringVar(&c.HTTP.Addr, "addr", server.DefaultAddr, "listen address for sse and http; anything but loopback requires an auth token")
	fs.StringVar(&tokenFile, "auth-token-file", getenv("ADA_MCP_AUTH_TOKEN_FILE"), "file holding the bearer token MCP clients must send over sse/http (env ADA_MCP_AUTH_TOKEN_FILE; or the token itself in env ADA_MCP_AUTH_TOKEN)")
	fs.StringVar(&origins, "allowed-origins", getenv("ADA_MCP_ALLOWED_ORIGINS"), "comma-separated browser origins allowed to call over sse/http; other Origin headers get 403 (env ADA_MCP_ALLOWED_ORIGINS)")
	fs.Int64Var(&c.HTTP.MaxBodyBytes, "max-body-bytes", envInt("ADA_MCP_MAX_BODY_BYTES", server.DefaultMaxBodyBytes), "largest accepted request body over sse/http, in bytes (env ADA_MCP_MAX_BODY_BYTES)")
	fs.Int64Var(&maxConcurrent, "max-concurrent-per-client", envInt("ADA_MCP_MAX_CONCURRENT_PER_CLIENT", server.DefaultMaxConcurrentPerClient), "requests one client (identity + IP) may have in flight over sse/http; more get 429 (env ADA_MCP_MAX_CONCURRENT_PER_CLIENT)")
	fs.DurationVar(&c.HTTP.ShutdownTimeout, "shutdown-timeout", envDuration("ADA_MCP_SHUTDOWN_TIMEOUT", server.DefaultShutdownTimeout), "on SIGTERM/SIGINT, how long in-flight calls may finish (env ADA_MCP_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&c.HTTP.MultiTenant, "multi-tenant", envBool("ADA_MCP_MULTI_TENANT"), "over sse/http, take Ada credentials from each request's X-Ada-Api-Key and X-Ada-Base-URL or X-Ada-Bot-Handle headers (env ADA_MCP_MULTI_TENANT)")
	fs.StringVar(&tenantURLs, "tenant-base-urls", getenv("ADA_MCP_TENANT_BASE_URLS"), "comma-separated X-Ada-Base-URL patterns allowed besides "+server.DefaultTenantBaseURL+" (env ADA_MCP_TENANT_BASE_URLS)")
	fs.StringVar(&logLevel, "log-level", env("ADA_MCP_LOG_LEVEL", "info"), "debug, info, warn or error; logs go to stderr (env ADA_MCP_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("ADA_MCP_LOG_FORMAT", "text"), "text or json (env ADA_MCP_LOG_FORMAT)")
	fs.StringVar(&redactKeys, "redact-keys", getenv("ADA_MCP_REDACT_KEYS"), "extra comma-separated metadata key patterns whose values are redacted (env ADA_MCP_REDACT_KEYS)")
	fs.DurationVar(&c.CallTimeout, "call-timeout", 30*time.Second, "time limit of one tool call (send_message adds its wait)")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if c.Version {
		return c, nil // --version needs no Ada key
	}
	if err := errors.Join(envErrs...); err != nil {
		return c, err
	}
	c.HTTP.Transport = c.Transport
	c.HTTP.AllowedOrigins = splitList(origins)
	c.HTTP.TenantBaseURLs = splitList(tenantURLs)
	c.HTTP.MaxConcurrentPerClient = int(maxConcurrent)
	var err error
	if c.HTTP.AuthToken, err = authToken(getenv("ADA_MCP_AUTH_TOKEN"), tokenFile); err != nil {
		return c, err
	}
	c.Toolsets = splitList(toolsets)
	c.RedactKeys = splitList(redactKeys)
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("--log-level: %q is not debug, info, warn or error", logLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("--log-format must be text or json")
	}
	switch c.Transport {
	case TransportStdio, server.TransportSSE, server.TransportHTTP:
	default:
		return c, fmt.Errorf("--transport must be stdio, sse or http, not %q", c.Transport)
	}
	if c.CallTimeout <= 0 {
		return c, errors.New("--call-timeout must be positive")
	}
	if err := c.validateHTTP(); err != nil {
		return c, err
	}
	return c, c.validateAda()
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

// validateHTTP checks the settings of the HTTP transports.
func (c *Config) validateHTTP() error {
	h := c.HTTP
	if c.Transport == TransportStdio {
		if h.MultiTenant {
			return errors.New("--multi-tenant needs --transport http or sse (over stdio the host's environment supplies one Ada key)")
		}
		return nil
	}
	switch {
	// Zero means "default" to package server; from a flag it is a mistake.
	case h.MaxBodyBytes <= 0:
		return errors.New("--max-body-bytes must be positive")
	case h.MaxConcurrentPerClient <= 0:
		return errors.New("--max-concurrent-per-client must be positive")
	case h.ShutdownTimeout <= 0:
		return errors.New("--shutdown-timeout must be positive")
	}
	return h.Validate()
}

// validateAda checks that a real AI Agent is fully described, unless the
// sandbox replaces it.
func (c *Config) validateAda() error {
	if c.Sandbox {
		return nil
	}
	if c.HTTP.MultiTenant && c.APIKey == "" && c.BaseURL == "" && c.BotHandle == "" {
		return nil // every request brings its own credentials
	}
	if c.APIKey == "" {
		return errors.New("no Ada API key: set ADA_API_KEY (and ADA_BOT_HANDLE or ADA_BASE_URL), or run with --sandbox to try the server without an Ada account")
	}
	if c.BaseURL == "" && c.BotHandle == "" {
		return errors.New("no Ada AI Agent: set ADA_BOT_HANDLE (the handle in https://{handle}.ada.support) or ADA_BASE_URL")
	}
	_, err := c.adaBaseURL()
	return err
}

// adaBaseURL is --base-url, else the handle's URL.
func (c *Config) adaBaseURL() (string, error) {
	if c.BaseURL != "" {
		return c.BaseURL, nil
	}
	return adaclient.BaseURLForHandle(c.BotHandle)
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
