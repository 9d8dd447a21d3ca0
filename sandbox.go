package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	neturl "net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// sandbox is the Ada simulator served on a loopback port for this process.
// It is reached over real HTTP, so the sandbox exercises the same client
// code, retries and validation as a real AI Agent.
type sandbox struct {
	APIKey    string
	BaseURL   string
	ChannelID string
	// Seed is the seed in use: the one given, or the random one picked
	// for seed 0. Deterministic: a seed was given, so the clock is logical.
	Seed          int64
	Deterministic bool
	// Now is the simulator's clock: logical with a seed, so Ada-time
	// rules (Data Export's 12 months) must count on it.
	Now func() time.Time
	srv *adasim.Server
}

// simSpec is what a simulator is started with, from --sandbox-* or the
// sandbox command's flags.
type simSpec struct {
	Key        string // "" picks a random one
	Seed       int64  // 0 picks a random one, with the real clock
	ReplyDelay time.Duration
	State      string // a state file to start from
	RateLimits bool
	Agent      string // a scripted AI Agent (JSON) file
	// AgentFlag and StateFlag name the two files' flags in errors.
	AgentFlag, StateFlag string
}

// openSim creates the simulator of spec, tweak making a last change to its
// options (a logger) when set. Seed 0 means a fresh random seed and the
// real clock, as a real Ada would give: ids differ from run to run. Any
// other seed gives the same ids and logical timestamps every time.
func openSim(spec simSpec, tweak func(*adasim.Options)) (*adasim.Sim, adasim.Options, error) {
	opts := adasim.Options{APIKey: spec.Key, Seed: spec.Seed, Deterministic: spec.Seed != 0,
		ReplyDelay: spec.ReplyDelay, RateLimits: spec.RateLimits}
	if tweak != nil {
		tweak(&opts)
	}
	if opts.APIKey == "" {
		opts.APIKey = randomKey()
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
	}
	if spec.Agent != "" {
		script, err := adasim.ReadAgentScript(spec.Agent)
		if err != nil {
			return nil, opts, fmt.Errorf("%s: %w", spec.AgentFlag, err)
		}
		opts.Agent = script
	}
	if spec.State != "" {
		st, err := adasim.ReadStateFile(spec.State)
		if err != nil {
			return nil, opts, fmt.Errorf("%s: %w", spec.StateFlag, err)
		}
		opts.State = &st
	}
	sim, err := adasim.Open(opts)
	if err != nil && spec.State != "" {
		return nil, opts, fmt.Errorf("%s %s: %w", spec.StateFlag, spec.State, err)
	}
	if err != nil {
		return nil, opts, err
	}
	return sim, opts, nil
}

// startSandbox starts the simulator of cfg; feed, if set, gets every
// event it would announce by webhook.
func startSandbox(cfg SandboxConfig, feed func(adasim.Event)) (*sandbox, error) {
	sim, opts, err := openSim(simSpec{Seed: cfg.Seed, ReplyDelay: cfg.ReplyDelay, State: cfg.State, Agent: cfg.Agent,
		AgentFlag: "--sandbox-agent", StateFlag: "--sandbox-state"},
		func(o *adasim.Options) { o.OnEvent = feed })
	if err != nil {
		return nil, usageError{err} // the files the flags name
	}
	srv, err := adasim.Listen("127.0.0.1:0", sim)
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &sandbox{APIKey: opts.APIKey, BaseURL: srv.BaseURL, ChannelID: sim.DefaultChannelID(),
		Seed: opts.Seed, Deterministic: opts.Deterministic, Now: sim.Now, srv: srv}, nil
}

// writeState saves the simulator's state (what GET /_sandbox/state shows),
// redacted like a tool result: the file leaves the process as a
// transcript does.
func (sb *sandbox) writeState(path string, red *redact.Redactor) error {
	return transcript.WriteState(path, sb.srv.Sim.State(), red)
}

// Close stops the simulator and its listener.
func (sb *sandbox) Close() { sb.srv.Close() }

func randomKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "sandbox_" + hex.EncodeToString(b)
}

// randomSeed is a positive seed short enough to type back in.
func randomSeed() int64 {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return int64(binary.BigEndian.Uint32(b[:])>>1) + 1
}

// deliverTo registers url as a webhook endpoint of the sandbox for the
// events the server keeps, through Ada's own management API, and returns
// its signing secret: secret when one is configured (the endpoint's is
// rotated to it), else the one the simulator made.
func (sb *sandbox) deliverTo(ctx context.Context, c *adaclient.Client, url, secret string) (string, error) {
	hook, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: url, Description: "this ada-mcp's own receiver", EventFilters: events.Kept})
	if err != nil {
		return "", err
	}
	if secret != "" {
		_, err := c.Webhooks.RotateSecret(ctx, hook.ID, secret)
		return secret, err
	}
	s, _, err := c.Webhooks.Secret(ctx, hook.ID)
	if err != nil {
		return "", err
	}
	return s.Key, nil
}

// feedEvents keeps the simulator's events in log (events.Feed).
func feedEvents(log events.Log, red func() *redact.Redactor) func(adasim.Event) {
	feed := events.Feed(log, red)
	return func(ev adasim.Event) { feed(ev.Type, ev.Timestamp, ev.Data) }
}

// connectRedis opens the client of --redis-url and checks Redis answers,
// so a wrong URL stops the server at start, not at the first webhook.
func connectRedis(url string) (*redis.Client, error) {
	opt, err := parseRedisURL(url)
	if err != nil {
		return nil, err
	}
	redisTimeouts(opt, url)
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("--redis-url: Redis at %s does not answer: %w", opt.Addr, err)
	}
	return rdb, nil
}

// redisTimeouts bounds what a Redis that hangs (a partition, a failover)
// costs a call: go-redis's defaults (5 s to dial, 3 s to read, 3 retries)
// would hold each operation for seconds before the replica falls back
// (fleet's health then spares the next calls). The URL's own settings
// (dial_timeout=, read_timeout=, write_timeout=, max_retries=) win.
func redisTimeouts(opt *redis.Options, raw string) {
	q := neturl.Values{}
	if u, err := neturl.Parse(raw); err == nil {
		q = u.Query()
	}
	if !q.Has("dial_timeout") {
		opt.DialTimeout = time.Second
	}
	if !q.Has("read_timeout") {
		opt.ReadTimeout = time.Second // a blocking XREAD adds its own BLOCK to this
	}
	if !q.Has("write_timeout") {
		opt.WriteTimeout = time.Second
	}
	if !q.Has("max_retries") {
		opt.MaxRetries = 1
	}
	opt.DialerRetries = 1
	// A call's deadline bounds its Redis operations too.
	opt.ContextTimeoutEnabled = true
}

// shortHash names what belongs to one Ada AI Agent in shared storage
// without writing its URL there.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
