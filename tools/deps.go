package tools

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// Defaults for Deps fields left zero.
const (
	DefaultCallTimeout  = 30 * time.Second
	DefaultPollInterval = 250 * time.Millisecond
	// LocalPollInterval suits an Ada on this machine (the sandbox), where
	// a poll costs little and a wait should end soon after the reply is in
	// (at most 20 polls a second, within Ada's 30/s for conversations).
	LocalPollInterval = 50 * time.Millisecond
)

// Deps is what every tool handler shares. Zero fields take defaults; Client
// may be nil when every request brings its own (see WithClient).
type Deps struct {
	// Client is the Ada client for requests that carry none in their context.
	Client *adaclient.Client
	// DefaultChannelID is start_conversation's channel when none is given.
	DefaultChannelID string
	// Redactor scrubs every result, error message and log line.
	Redactor *redact.Redactor
	Logger   *slog.Logger
	// CallTimeout bounds one tool call (send_message adds its wait).
	CallTimeout time.Duration
	// PollInterval is the delay between polls while waiting for a reply
	// without events.
	PollInterval time.Duration
	// AnswerWithin bounds how long after it came in a call that waits for
	// replies answers (zero: 55 s), whatever wait it asked for.
	AnswerWithin time.Duration
	// GreetingWait is how long ask_ai_agent waits for a new conversation's
	// greeting before it takes the AI Agent to have none (zero: 5 s).
	GreetingWait time.Duration
	// Events, if set, is where Ada's webhook events arrive: waits follow it
	// instead of polling.
	Events events.Log
	// EventGrace is how long a wait on Events goes without any event for
	// the conversation before it polls instead (zero: EventGrace).
	EventGrace time.Duration
	// EventsStopped, if set, is closed when events stop arriving (the
	// server shuts down and refuses deliveries): waits then poll.
	EventsStopped <-chan struct{}
	// AllowCustomerMessages lets tools send what a customer reads as a
	// person's (a human agent's message, an email); refused otherwise.
	AllowCustomerMessages bool
	// AllowDestructive lets tools delete without the user's confirmation;
	// otherwise they ask through elicitation, or refuse when the client
	// cannot ask.
	AllowDestructive bool
	// Unfenced: results carry their JSON as plain text, for a client that
	// parses it (--fence-untrusted=false). Otherwise the text of a result
	// holding outside text is fenced as data (fence.go).
	Unfenced bool
	// Replicated: this server is one of several replicas sharing Redis
	// (--redis-url), so a request may reach another replica than the one
	// before it (see canAsk).
	Replicated bool
	// Sandbox: the Ada is the embedded simulator (get_capabilities says so).
	Sandbox bool
	// RateLimits are the client's budget per API group (nil: none), shared
	// by the fleet when RateShared; get_capabilities reports them.
	RateLimits map[string][]adaclient.Limit
	RateShared bool

	// Redeemed, if set, makes each deletion confirmation count once for
	// the whole fleet (fleet.Claims), not once per replica.
	Redeemed ClaimStore

	// confirm signs deletion confirmations (confirmations).
	confirm     *confirmer
	confirmOnce sync.Once
	// surface is what NewServer selected.
	surface surface
	// Transcript, if set, gets one record per tool call, redacted like
	// the call's result.
	Transcript *transcript.Writer
	// WebhookSecrets, if set, keeps the signing secret of this server's own
	// webhook after rotate_webhook_secret (main writes it to
	// --webhook-secret-file and gives it to the receiver); nil: the server
	// stores rotated secrets nowhere.
	WebhookSecrets WebhookSecretStore
	// Now is the current time for rules relative to it (Data Export's 12 months); nil:
	// time.Now. Set it to Ada's clock when that is not this machine's (a test's simulator).
	Now func() time.Time
	// LocalFiles lets upload_attachment read file_path from this machine's
	// disk: only when the server runs locally for one user (stdio). Off,
	// files come inline (content_base64).
	LocalFiles bool

	authors authorCache
	recall  recall
	// rotations makes rotate_webhook_secret one at a time.
	rotations rotationLock
}

// ClaimStore claims a key once among the replicas, until a time.
type ClaimStore interface {
	Claim(ctx context.Context, key string, until time.Time) (bool, error)
}

type clientKey struct{}

// tenantClient is a request's own Ada account: its client, and a stable
// name for it (a fingerprint of its credentials), which outlives the
// client (a tenant's client may be rebuilt).
type tenantClient struct {
	client  *adaclient.Client
	account string
	// secrets hides the tenant's own API key, as the server's redactor
	// hides the server's: Ada may echo it back in an error.
	secrets *redact.Redactor
}

// WithClient returns a context whose tool calls use c instead of
// Deps.Client: the hook for per-request Ada credentials in multi-tenant
// HTTP mode. account names the Ada account for what the server keeps per
// account (secrets written, watched conversations): the same credentials,
// the same name; it must not be empty. secrets holds the tenant's API key
// (redact.New(redact.WithSecrets(key)), built once per tenant): results,
// errors, logs and transcripts of its calls hide it.
func WithClient(ctx context.Context, c *adaclient.Client, account string, secrets *redact.Redactor) context.Context {
	return context.WithValue(ctx, clientKey{}, tenantClient{c, "tenant:" + account, secrets})
}

var errNoCredentials = errors.New("no Ada credentials for this request: configure ADA_API_KEY, or in multi-tenant mode send X-Ada-Api-Key and X-Ada-Base-URL (or X-Ada-Bot-Handle)")

func (d *Deps) client(ctx context.Context) (*adaclient.Client, error) {
	if t, ok := ctx.Value(clientKey{}).(tenantClient); ok && t.client != nil {
		return t.client, nil
	}
	if d.Client == nil {
		return nil, errNoCredentials
	}
	return d.Client, nil
}

// account names the Ada account of ctx's call: its tenant's, or "" for
// the server's own.
func (d *Deps) account(ctx context.Context) string {
	if t, ok := ctx.Value(clientKey{}).(tenantClient); ok && t.client != nil {
		return t.account
	}
	return ""
}

// confirmations mints and checks deletion confirmations: with the key
// Build derived from the server's secrets, else a random one.
func (d *Deps) confirmations() *confirmer {
	d.confirmOnce.Do(func() {
		if d.confirm == nil {
			d.confirm = newConfirmer()
		}
	})
	return d.confirm
}

// callRedactor is the redactor of ctx's call: the server's, the tenant's
// own key, and what earlier calls to the account wrote as secret.
func (d *Deps) callRedactor(ctx context.Context) *redact.Redactor {
	red := d.redactor()
	if t, ok := ctx.Value(clientKey{}).(tenantClient); ok && t.client != nil {
		red = red.Merge(t.secrets)
	}
	return d.recall.apply(d.account(ctx), red)
}

func (d *Deps) redactor() *redact.Redactor {
	if d.Redactor == nil {
		return redact.New()
	}
	return d.Redactor
}

func (d *Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// orDefault is v, or def when v is not set (zero or less).
func orDefault(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

func (d *Deps) callTimeout() time.Duration { return orDefault(d.CallTimeout, DefaultCallTimeout) }

func (d *Deps) eventGrace() time.Duration { return orDefault(d.EventGrace, EventGrace) }

func (d *Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// defaultAnswerWithin keeps a call that waits for replies under the 60 s
// after which MCP clients commonly give up on a request (the TypeScript
// SDK's default): past it the host shows a timeout and the replies are
// lost to the assistant; cut short, they come as reply_pending, and
// list_messages reads the later ones.
const defaultAnswerWithin = 55 * time.Second

func (d *Deps) answerWithin() time.Duration { return orDefault(d.AnswerWithin, defaultAnswerWithin) }

func (d *Deps) greetingWait() time.Duration { return orDefault(d.GreetingWait, greetingWait) }

func (d *Deps) pollInterval() time.Duration { return orDefault(d.PollInterval, DefaultPollInterval) }

// authorCache remembers each conversation's end user, which never changes,
// so send_message need not fetch the conversation before every message.
// Keys include the client, so tenants never share entries.
type authorCache struct {
	mu sync.Mutex
	m  map[authorKey]string
}

type authorKey struct {
	client       *adaclient.Client
	conversation string
}

const authorCacheSize = 10000

func (a *authorCache) get(c *adaclient.Client, conversation string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := a.m[authorKey{c, conversation}]
	return id, ok
}

func (a *authorCache) put(c *adaclient.Client, conversation, endUser string) {
	if conversation == "" || endUser == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= authorCacheSize {
		a.m = make(map[authorKey]string) // cheap bound: start over
	}
	a.m[authorKey{c, conversation}] = endUser
}
