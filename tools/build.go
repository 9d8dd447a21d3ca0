package tools

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// Config is what a served MCP server is built from. main fills it from
// flags; the evaluation runner fills it once per run, so both serve the
// same server: the same tools, validation, redaction and logs.
type Config struct {
	// APIKey and BaseURL reach Ada. Without a key there is no default
	// client: every request must bring its own (multi-tenant HTTP).
	APIKey, BaseURL string
	// ChannelID is start_conversation's default channel.
	ChannelID string
	Toolsets  []string
	ReadOnly  bool
	// RedactKeys are metadata key patterns hidden besides the defaults.
	RedactKeys []string
	// Secrets are values hidden everywhere besides the API key (the HTTP
	// transports' bearer token, say).
	Secrets []string
	// SharedSecret is a secret every replica has (the HTTP bearer token):
	// with the API key it keys deletion confirmations, so that one replica
	// accepts the user's answer to a question another asked.
	SharedSecret string
	CallTimeout  time.Duration // zero: DefaultCallTimeout
	PollInterval time.Duration // zero: DefaultPollInterval
	Version      string
	// LogHandler gets the server's logs, wrapped in redaction; nil
	// discards them.
	LogHandler slog.Handler
	// Transcript, if set, records every tool call.
	Transcript *transcript.Writer
	// Retry overrides the Ada client's retry policy (tests); nil keeps the
	// default.
	Retry *adaclient.RetryPolicy
	// HTTPClient, if set, carries the Ada client's requests (an embedder's
	// transport, or a benchmark's canned Ada); nil: adaclient's own.
	HTTPClient *http.Client
	// RateBudget paces the Ada client (adaclient.NewLocalBudget, or a
	// shared one); nil does not pace.
	RateBudget adaclient.RateBudget
	// Events is where Ada's webhook events arrive; nil: waits poll.
	Events events.Log
	// WebhookSecrets keeps the secret rotate_webhook_secret made for this
	// server's own webhook (Deps.WebhookSecrets); nil: none is kept.
	WebhookSecrets WebhookSecretStore
	// Redeemed makes deletion confirmations single-use fleet-wide
	// (Deps.Redeemed); nil: per process.
	Redeemed ClaimStore
	// EventsStopped is closed when events stop arriving (Deps.EventsStopped).
	EventsStopped <-chan struct{}
	// The gates (Deps.AllowCustomerMessages, Deps.AllowDestructive).
	AllowCustomerMessages, AllowDestructive bool
	// Unfenced turns off the fence around results' text (Deps.Unfenced).
	Unfenced bool
	// Sandbox, RateLimits and RateShared are reported by get_capabilities.
	Sandbox    bool
	RateLimits map[string][]adaclient.Limit
	RateShared bool
	// Replicated: one of several replicas sharing Redis (Deps.Replicated).
	Replicated bool
	// Now is Ada's current time (Deps.Now); nil: this machine's.
	Now func() time.Time
	// LocalFiles lets upload_attachment read the server's disk (Deps.LocalFiles): stdio only.
	LocalFiles bool
}

// Built is a server ready to be served over any transport.
type Built struct {
	MCP   *server.MCPServer
	Tools []Tool
	// Client is the default Ada client; nil without an API key.
	Client   *adaclient.Client
	Logger   *slog.Logger
	Redactor *redact.Redactor
}

// Build assembles the MCP server from cfg.
func Build(cfg Config) (*Built, error) {
	red := redact.New(
		redact.WithSecretKeyPatterns(append(redact.DefaultSecretKeyPatterns(), cfg.RedactKeys...)...),
		redact.WithSecrets(append([]string{cfg.APIKey}, cfg.Secrets...)...))
	h := cfg.LogHandler
	if h == nil {
		h = slog.DiscardHandler
	}
	logger := slog.New(redact.NewHandler(h, red))
	b := &Built{Logger: logger, Redactor: red}
	if cfg.APIKey != "" {
		opts := []adaclient.Option{
			adaclient.WithLogger(logger.With("component", "adaclient")),
			adaclient.WithUserAgent(UserAgent(cfg.Version)),
		}
		if cfg.Retry != nil {
			opts = append(opts, adaclient.WithRetryPolicy(*cfg.Retry))
		}
		if cfg.HTTPClient != nil {
			opts = append(opts, adaclient.WithHTTPClient(cfg.HTTPClient))
		}
		if cfg.RateBudget != nil {
			opts = append(opts, adaclient.WithRateBudget(cfg.RateBudget))
		}
		if cfg.Now != nil { // a seeded sandbox's logical clock
			opts = append(opts, adaclient.WithClock(cfg.Now))
		}
		var err error
		if b.Client, err = adaclient.New(cfg.BaseURL, cfg.APIKey, opts...); err != nil {
			return nil, err
		}
	}
	deps := &Deps{Client: b.Client, DefaultChannelID: cfg.ChannelID, Redactor: red, Logger: logger,
		CallTimeout: cfg.CallTimeout, PollInterval: cfg.PollInterval, Transcript: cfg.Transcript, Events: cfg.Events,
		WebhookSecrets: cfg.WebhookSecrets, EventsStopped: cfg.EventsStopped, Redeemed: cfg.Redeemed,
		AllowCustomerMessages: cfg.AllowCustomerMessages, AllowDestructive: cfg.AllowDestructive, Unfenced: cfg.Unfenced,
		Sandbox: cfg.Sandbox, RateLimits: cfg.RateLimits, RateShared: cfg.RateShared, Replicated: cfg.Replicated, LocalFiles: cfg.LocalFiles, Now: cfg.Now}
	// Replicas sharing the Ada key and the bearer token accept each
	// other's deletion confirmations.
	deps.confirm = newConfirmer(cfg.APIKey, cfg.SharedSecret)
	var err error
	b.MCP, b.Tools, err = NewServer(deps, Options{Version: cfg.Version, Toolsets: cfg.Toolsets, ReadOnly: cfg.ReadOnly})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// UserAgent is what ada-mcp sends to Ada.
func UserAgent(version string) string { return "ada-mcp/" + version }
