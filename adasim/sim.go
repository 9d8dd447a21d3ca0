package adasim

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Options configures a simulator.
type Options struct {
	// APIKey is required: every request must carry "Authorization: Bearer <APIKey>".
	APIKey string
	// Seed makes ids deterministic for a given request order.
	Seed int64
	// Clock returns the current time. Nil means time.Now, unless Deterministic.
	Clock func() time.Time
	// Deterministic, with Clock nil, uses a logical clock that starts at 2026-01-01T00:00:00Z and
	// advances one second per state change, so a replay is byte-identical.
	Deterministic bool
	// ReplyDelay is how long the simulated AI Agent takes to answer. 0: the reply is stored
	// before the request that caused it returns.
	ReplyDelay time.Duration
	// RateLimits enforces Ada's documented per-instance rate limits (off by default).
	RateLimits bool
	// Logger, if set, gets one debug line per request and one per webhook delivery attempt. It
	// never gets the API key, sensitive_metadata values, a webhook's body, URL or secret.
	Logger *slog.Logger
	// OnEvent, if set, is called for every event Ada would deliver as a webhook, in order,
	// outside the simulator's lock (whatever the webhook endpoints).
	OnEvent func(Event)
	// Webhooks are endpoints registered at start, and again by every Reset, as POST
	// /v2/webhooks/ would (enabled). Events are delivered to them over HTTP, signed as Svix does.
	Webhooks []WebhookEndpoint
	// WebhookClient sends the deliveries. Nil: a client with Ada's 15 s limit that does not
	// follow redirects. Each attempt is bounded by 15 s either way.
	WebhookClient *http.Client
	// WebhookRetrySchedule is how long to wait before each retry of a failed delivery; after
	// the last the message is dropped. Nil: Ada's (Svix's) schedule: immediately, 5 s, 5 min,
	// 30 min, 2 h, 5 h, 10 h, 10 h. Empty (not nil): no retry.
	WebhookRetrySchedule []time.Duration
	// WebhookRotationOverlap is how long, after a secret rotation, deliveries are also signed
	// with the previous secret. 0: 24 hours, as Svix does.
	WebhookRotationOverlap time.Duration
	// WebhookDuplicateEvery, if N > 0, delivers every Nth message of each endpoint twice (the
	// same svix-id and body), so that receivers' deduplication can be tested: Ada delivers at
	// least once.
	WebhookDuplicateEvery int
	// Agent, if set, scripts the AI Agent's answers to end-user text messages (AgentScript).
	Agent *AgentScript
	// ReplyGap is the time between two consecutive replies of a scripted rule, when ReplyDelay
	// is not 0. 0: 100 ms.
	ReplyGap time.Duration
	// KnowledgeArticleLimit is the knowledge base's maximum number of articles, past which a
	// bulk upsert that adds an article is rejected (ada-api.md section 3). 0: Ada's default,
	// 50,000.
	KnowledgeArticleLimit int
	// KnowledgeUpsertFailures are article and tag ids that a bulk upsert answers with success
	// false (created false) and does not write, the rest of the batch being written: Ada's
	// per-item answer has a success flag but Ada does not say when it is false, so this is how
	// a client's handling of a partial success is tested.
	KnowledgeUpsertFailures []string
	// State, if set, is loaded at start (Open) and again by every Reset, instead of the seeded
	// state alone (see State and Sim.LoadState). Open keeps a copy: later changes to it do not
	// matter.
	State *State
	// EnabledInstructionLimit is how many custom instructions may be enabled at once (one more
	// is 409). 0: 20 (Ada does not publish its limit).
	EnabledInstructionLimit int
	// AuditLogDisabled makes the Audit log API answer 404, as Ada does for an account without it.
	AuditLogDisabled bool
}

// Event is something Ada would announce with a webhook. Data marshals (encoding/json) to the
// "data" object of Ada's webhook payload for Type.
type Event struct {
	Type      string
	Timestamp time.Time
	Data      any
}

// The webhook event types the simulator emits.
const (
	EventEndUserCreated           = "v1.end_user.created"
	EventEndUserUpdated           = "v1.end_user.updated"
	EventConversationCreated      = "v1.conversation.created"
	EventConversationMessage      = "v1.conversation.message"
	EventConversationEnded        = "v1.conversation.ended"
	EventConversationHandoffEnded = "v1.conversation.handoff.ended"
)

// Sim is the simulator. It implements http.Handler; all its state is in memory behind one mutex.
type Sim struct {
	opts  Options
	clock *clock

	mu      sync.Mutex
	rng     *rand.Rand
	usedIDs map[string]struct{}
	closed  bool

	endUsers          endUserStore
	channels          channelStore
	conversations     map[string]*conversation
	conversationOrder []*conversation          // creation order, for State
	pending           map[*message]*time.Timer // delayed AI Agent replies not yet visible
	jobs              *jobStore                // bulk end-user deletion jobs (compliance.go)
	attachments       attachmentStore          // uploaded files (attachments.go)
	limiter           *rateLimiter

	defaultChannelID string
	initial          *State // a copy of Options.State, which Reset loads again

	outbox     []Event // events emitted under mu, delivered by flushEvents
	delivering bool    // a goroutine is running flushEvents' delivery loop

	knowledge *knowledgeStore // knowledge sources, articles and tags (knowledge.go)

	hooks   *webhookStore  // the webhook endpoints (webhooks.go)
	sender  *sender        // how they are delivered to (delivery.go)
	workers sync.WaitGroup // every endpoint's delivery goroutine, for Close
	agent   []agentRule    // Options.Agent, compiled
	silent  bool           // Options.Agent says greeting: false

	aiAgent  *aiAgentStore // the persona and custom instructions (aiagent.go)
	auditLog *auditStore   // the simulator's own writes (audit.go)
}

// New returns a simulator seeded with one native channel ("Web Chat") and one custom messaging
// channel ("Sandbox chat", see DefaultChannelID), then Options.State if set. It panics where
// Open returns an error: without opts.APIKey, or with an invalid opts.State.
func New(opts Options) *Sim {
	s, err := Open(opts)
	if _, invalidState := errors.AsType[*stateError](err); invalidState {
		panic("adasim: Options.State: " + err.Error())
	}
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Open is New returning an error instead of panicking: opts.APIKey is empty, or opts.State is
// not a valid state (then the error is LoadState's, naming the JSON path at fault).
func Open(opts Options) (*Sim, error) {
	if opts.APIKey == "" {
		return nil, errors.New("adasim: Options.APIKey is required")
	}
	if err := validateWebhookOptions(opts.Webhooks); err != nil {
		return nil, err
	}
	var agent []agentRule
	if opts.Agent != nil {
		var err error
		if agent, err = opts.Agent.compile(); err != nil {
			return nil, fmt.Errorf("adasim: Options.Agent: %w", err)
		}
	}
	// Copies: later changes to the caller's slices do not matter.
	opts.Webhooks = slices.Clone(opts.Webhooks)
	for i := range opts.Webhooks {
		opts.Webhooks[i].EventFilters = slices.Clone(opts.Webhooks[i].EventFilters)
	}
	opts.WebhookRetrySchedule = slices.Clone(opts.WebhookRetrySchedule)
	s := newSim(opts, newSender(opts))
	s.agent = agent
	s.silent = opts.Agent != nil && opts.Agent.Greeting != nil && !*opts.Agent.Greeting
	if opts.State != nil {
		// Load a copy, the one Reset loads again, so that both start from the same state.
		initial := opts.State.clone()
		if err := s.load(initial); err != nil {
			return nil, err
		}
		s.initial = &initial
	}
	s.mu.Lock()
	for _, wh := range s.hooks.order {
		s.startDeliveryLocked(wh)
	}
	s.mu.Unlock()
	return s, nil
}

// newSim is the state New starts from: the seeded channels and Options.Webhooks, nothing else.
// Its webhooks will send with snd (the simulator's, so that Close reaches every connection).
func newSim(opts Options, snd *sender) *Sim {
	s := &Sim{
		opts:          opts,
		clock:         newClock(opts.Clock, opts.Deterministic),
		rng:           rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed_ada0_5eed_ada0)),
		usedIDs:       map[string]struct{}{},
		endUsers:      newEndUserStore(),
		channels:      newChannelStore(),
		conversations: map[string]*conversation{},
		pending:       map[*message]*time.Timer{},
		knowledge:     newKnowledgeStore(),
		jobs:          newJobStore(),
		attachments:   newAttachmentStore(),
		hooks:         newWebhookStore(opts.Seed),
		sender:        snd,
		aiAgent:       newAIAgentStore(opts.Seed),
		auditLog:      newAuditStore(opts.Seed),
	}
	if opts.RateLimits {
		s.limiter = newRateLimiter()
	}
	s.seedChannels()
	s.registerOptionWebhooks()
	return s
}

// DefaultChannelID is the id of the seeded custom messaging channel "Sandbox chat", so that a
// conversation can be started without creating a channel first. After a load (LoadState,
// Options.State) it is that channel if the state still has it, else the state's first custom
// messaging channel, else "".
func (s *Sim) DefaultChannelID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.defaultChannelID
}

// Now is the simulator's current time: the logical clock's with a seed, else the real one.
// A client that reasons about Ada's time (Data Export's 12 months) uses it in a sandbox.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock.Now()
}

// Close stops the AI Agent's pending delayed replies and webhook delivery; replies, queued
// webhooks and their retries are dropped, and Close returns once every delivery goroutine has
// ended. Requests are still served afterwards, with replies stored at once and no webhook
// delivered (OnEvent still called). Close is safe to call more than once.
func (s *Sim) Close() {
	s.mu.Lock()
	s.closed = true
	for msg, timer := range s.pending {
		timer.Stop()
		msg.conversation.dropMessage(msg)
		delete(s.pending, msg)
	}
	for _, wh := range s.hooks.order {
		wh.delivery.stop()
	}
	s.mu.Unlock()
	s.workers.Wait() // outside mu; the goroutines never take it
	s.sender.closeIdleConnections()
}

// newID returns a fresh 24-hex-digit id, like Ada's, from the seeded generator. Callers hold mu.
func (s *Sim) newID() string {
	for {
		var b [12]byte
		binary.BigEndian.PutUint64(b[:8], s.rng.Uint64())
		binary.BigEndian.PutUint32(b[8:], s.rng.Uint32())
		id := hex.EncodeToString(b[:])
		if _, used := s.usedIDs[id]; !used {
			s.usedIDs[id] = struct{}{}
			return id
		}
	}
}

// emit queues an event where Ada would fire a webhook: for the endpoints that want it
// (delivery.go), and for OnEvent, which flushEvents calls once mu is released. Callers hold mu.
func (s *Sim) emit(eventType string, at time.Time, data any) {
	e := Event{Type: eventType, Timestamp: at, Data: data}
	s.queueWebhooks(e)
	if s.opts.OnEvent != nil {
		s.outbox = append(s.outbox, e)
	}
}

// flushEvents delivers queued events to OnEvent, in order, without holding mu. One goroutine
// delivers at a time; events queued meanwhile (even by requests a callback makes) are delivered
// by that goroutine's loop, so a callback may call the simulator without deadlocking.
func (s *Sim) flushEvents() {
	if s.opts.OnEvent == nil {
		return
	}
	s.mu.Lock()
	if s.delivering {
		s.mu.Unlock()
		return
	}
	s.delivering = true
	for len(s.outbox) > 0 {
		events := s.outbox
		s.outbox = nil
		s.mu.Unlock()
		for _, e := range events {
			s.opts.OnEvent(e)
		}
		s.mu.Lock()
	}
	s.delivering = false
	s.mu.Unlock()
}

// clock is the simulator's time: a function of real (or injected) time, or a logical clock.
type clock struct {
	now     func() time.Time
	logical bool
	next    time.Time // logical: the time the next state change gets
}

// logicalEpoch is where the deterministic clock starts; logicalStep is how far each state
// change moves it.
var logicalEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const logicalStep = time.Second

func newClock(now func() time.Time, deterministic bool) *clock {
	if now == nil && deterministic {
		return &clock{logical: true, next: logicalEpoch}
	}
	if now == nil {
		now = time.Now
	}
	return &clock{now: now}
}

// Now is the current time, for reads (expiry, rate windows). Callers hold mu.
func (c *clock) Now() time.Time {
	if c.logical {
		return c.next
	}
	return c.now().UTC().Truncate(time.Microsecond)
}

// Tick is the time of a state change; the logical clock advances past it. Callers hold mu.
func (c *clock) Tick() time.Time {
	if c.logical {
		t := c.next
		c.next = c.next.Add(logicalStep)
		return t
	}
	return c.Now()
}

// timestampLayout is how Ada writes times, e.g. 2026-01-01T00:00:00.000000+00:00.
const timestampLayout = "2006-01-02T15:04:05.000000-07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timestampLayout) }
