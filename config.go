package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
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

	Transport string
	Addr      string

	LogLevel    slog.Level
	LogFormat   string
	RedactKeys  []string
	CallTimeout time.Duration
	Version     bool
}

// Transports.
const (
	TransportStdio = "stdio"
	TransportSSE   = "sse"
	TransportHTTP  = "http"
)

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
	var toolsets, logLevel, redactKeys string
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
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address for sse and http")
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
	c.Toolsets = splitList(toolsets)
	c.RedactKeys = splitList(redactKeys)
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("--log-level: %q is not debug, info, warn or error", logLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("--log-format must be text or json")
	}
	switch c.Transport {
	case TransportStdio, TransportSSE, TransportHTTP:
	default:
		return c, fmt.Errorf("--transport must be stdio, sse or http, not %q", c.Transport)
	}
	if c.CallTimeout <= 0 {
		return c, errors.New("--call-timeout must be positive")
	}
	return c, c.validateAda()
}

// validateAda checks that a real AI Agent is fully described, unless the
// sandbox replaces it.
func (c *Config) validateAda() error {
	if c.Sandbox {
		return nil
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
