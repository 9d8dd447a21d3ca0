package adasim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhooks management API (ada-api.md section 4; Ada's OpenAPI /v2/webhooks...). Ada delivers
// webhooks through Svix: endpoint ids are Svix's (ep_...), signing secrets whsec_...
// Delivery itself is in delivery.go.

// eventAuditLogEmitted is listed by GET /v2/webhooks/event-types/ and may be subscribed to, but
// the simulator never emits it (its audit log, audit.go, is only read through the API).
const eventAuditLogEmitted = "v1.audit_log.emitted"

type eventTypeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// webhookEventTypes are the event types of GET /v2/webhooks/event-types/ (ada-api.md, Events).
var webhookEventTypes = []eventTypeJSON{
	{EventEndUserCreated, "A new end user is created through any supported channel."},
	{EventEndUserUpdated, "A value on an end user's profile changes."},
	{EventConversationCreated, "A new conversation starts on a supported channel."},
	{EventConversationMessage, "A new message is sent in a conversation on a supported channel."},
	{EventConversationEnded, "A conversation ends."},
	{EventConversationHandoffEnded, "A handoff to a human agent ends."},
	{eventAuditLogEmitted, "A configuration change is recorded in the audit log (best effort)."},
}

func knownEventType(name string) bool {
	return slices.ContainsFunc(webhookEventTypes, func(e eventTypeJSON) bool { return e.Name == name })
}

// WebhookEndpoint is an endpoint registered at start (Options.Webhooks), enabled, as POST
// /v2/webhooks/ would register it.
type WebhookEndpoint struct {
	URL         string // required: an absolute http(s) URL
	Secret      string // whsec_ + base64 of 24-64 bytes; empty: generated
	Description string
	// EventFilters are the event types delivered to it; empty: every event.
	EventFilters []string
}

const (
	endpointIDPrefix = "ep_"
	messageIDPrefix  = "msg_"
	secretPrefix     = "whsec_"
	ksuidLength      = 27 // Svix ids are a prefix and a 27-character base62 KSUID
	secretBytes      = 24 // Svix's generated secrets
	minSecretBytes   = 24
	maxSecretBytes   = 64
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// webhook is a registered endpoint. Its fields are guarded by Sim.mu; what delivery needs is
// copied into delivery.target whenever it changes, so that delivery never takes Sim.mu.
type webhook struct {
	id, url, description string
	filters              []string // empty: every event
	enabled              bool
	secret               string // the current secret, whsec_...
	seq                  int
	createdAt, updatedAt time.Time
	delivery             *delivery
}

type webhookJSON struct {
	ID           string   `json:"id"`
	URL          string   `json:"url"`
	Description  string   `json:"description"`
	EventFilters []string `json:"event_filters"`
	Enabled      bool     `json:"enabled"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
}

func (wh *webhook) toJSON() webhookJSON {
	return webhookJSON{ID: wh.id, URL: wh.url, Description: wh.description, EventFilters: slices.Clone(wh.filters),
		Enabled: wh.enabled, CreatedAt: formatTime(wh.createdAt), UpdatedAt: formatTime(wh.updatedAt)}
}

// wants reports whether the endpoint receives events of type eventType.
func (wh *webhook) wants(eventType string) bool {
	return wh.enabled && (len(wh.filters) == 0 || slices.Contains(wh.filters, eventType))
}

// webhookStore holds the endpoints. Its generators are its own, seeded by Options.Seed, so
// that registering endpoints and delivering events never changes the API's ids.
type webhookStore struct {
	byID   map[string]*webhook
	order  []*webhook
	seqs   seqIndex
	rng    *rand.Rand // endpoint ids and secrets
	msgRNG *rand.Rand // message ids (svix-id)
}

func newWebhookStore(seed int64) *webhookStore {
	return &webhookStore{
		byID:   map[string]*webhook{},
		seqs:   newSeqIndex(),
		rng:    rand.New(rand.NewPCG(uint64(seed), 0x5eed_3eb0_0c5e_0001)),
		msgRNG: rand.New(rand.NewPCG(uint64(seed), 0x5eed_3eb0_0c5e_0002)),
	}
}

// svixID is prefix and 27 base62 characters, like Svix's ids.
func svixID(rng *rand.Rand, prefix string) string {
	b := make([]byte, 0, len(prefix)+ksuidLength)
	b = append(b, prefix...)
	for range ksuidLength {
		b = append(b, base62[rng.IntN(len(base62))])
	}
	return string(b)
}

func (st *webhookStore) newSecret() string {
	key := make([]byte, secretBytes)
	for i := range key {
		key[i] = byte(st.rng.Uint32())
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// add stores an endpoint with a new id, and a new secret unless it has one.
func (st *webhookStore) add(wh *webhook) {
	for wh.id == "" || st.byID[wh.id] != nil {
		wh.id = svixID(st.rng, endpointIDPrefix)
	}
	if wh.secret == "" {
		wh.secret = st.newSecret()
	}
	wh.seq = st.seqs.add(wh.id)
	st.byID[wh.id] = wh
	st.order = append(st.order, wh)
}

func (st *webhookStore) remove(wh *webhook) {
	delete(st.byID, wh.id)
	st.order = slices.DeleteFunc(st.order, func(o *webhook) bool { return o == wh })
}

// registerOptionWebhooks adds Options.Webhooks (validated by Open). They take the clock's
// current time without ticking it, so that registering them changes no answer of the API.
func (s *Sim) registerOptionWebhooks() {
	at := s.clock.Now()
	for _, ep := range s.opts.Webhooks {
		wh := &webhook{url: ep.URL, description: ep.Description, filters: dedupe(ep.EventFilters),
			enabled: true, secret: ep.Secret, createdAt: at, updatedAt: at}
		s.hooks.add(wh)
		wh.delivery = newDelivery(s.sender, wh)
	}
}

// validateWebhookOptions checks Options.Webhooks as POST /v2/webhooks/ would.
func validateWebhookOptions(endpoints []WebhookEndpoint) error {
	for i, ep := range endpoints {
		at := fmt.Sprintf("adasim: Options.Webhooks[%d]", i)
		if err := validateWebhookURL(ep.URL); err != nil {
			return fmt.Errorf("%s.URL: %s", at, err.message)
		}
		if ep.Secret != "" {
			if _, err := decodeSecret(ep.Secret); err != nil {
				return fmt.Errorf("%s.Secret: %s", at, err.message)
			}
		}
		if err := validateEventFilters(ep.EventFilters); err != nil {
			return fmt.Errorf("%s.EventFilters: %s", at, err.message)
		}
	}
	return nil
}

func validateWebhookURL(raw string) *apiError {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidField("url", "url must be an absolute http(s) URL.")
	}
	return nil
}

func validateEventFilters(filters []string) *apiError {
	for _, name := range filters {
		if !knownEventType(name) {
			return invalidField("event_filters", "Unknown event type %q: GET /v2/webhooks/event-types/ lists them.", name)
		}
	}
	return nil
}

// decodeSecret returns the signing key of a whsec_ secret: whsec_ then the standard base64 of
// 24 to 64 bytes.
func decodeSecret(secret string) ([]byte, *apiError) {
	encoded, ok := strings.CutPrefix(secret, secretPrefix)
	key, err := base64.StdEncoding.DecodeString(encoded)
	if !ok || err != nil || len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, invalidField("key", "A signing secret must be whsec_ followed by the standard base64 of %d to %d bytes.", minSecretBytes, maxSecretBytes)
	}
	return key, nil
}

// dedupe keeps the first of each event type, in order; never nil (event_filters is an array).
func dedupe(filters []string) []string {
	out := []string{}
	for _, f := range filters {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// webhookFields are the fields of a create or update request; nil: not given.
type webhookFields struct {
	url, description *string
	filters          []string
	setsFilters      bool
	enabled          *bool
}

// parseWebhookFields reads url (an absolute http(s) URL), description, event_filters (known
// event types) and enabled. null is invalid for every one of them; other keys are ignored.
func parseWebhookFields(obj jsonObject) (webhookFields, *apiError) {
	var f webhookFields
	for _, key := range []string{"url", "description"} {
		raw, ok := obj[key]
		if !ok {
			continue
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil || isNull(raw) {
			return f, invalidField(key, "%s must be a string.", key)
		}
		if key == "url" {
			if err := validateWebhookURL(v); err != nil {
				return f, err
			}
			f.url = &v
		} else {
			f.description = &v
		}
	}
	if raw, ok := obj["event_filters"]; ok {
		if err := json.Unmarshal(raw, &f.filters); err != nil || isNull(raw) {
			return f, invalidField("event_filters", "event_filters must be an array of event type names.")
		}
		if err := validateEventFilters(f.filters); err != nil {
			return f, err
		}
		f.filters, f.setsFilters = dedupe(f.filters), true
	}
	if raw, ok := obj["enabled"]; ok {
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil || isNull(raw) {
			return f, invalidField("enabled", "enabled must be a boolean.")
		}
		f.enabled = &v
	}
	return f, nil
}

// webhookLocked finds an endpoint (404 otherwise). Callers hold mu.
func (s *Sim) webhookLocked(id string) (*webhook, *apiError) {
	wh := s.hooks.byID[id]
	if wh == nil {
		return nil, notFound("Webhook %q not found.", id)
	}
	return wh, nil
}

// getWebhooks is GET /v2/webhooks/: every endpoint in creation order, paginated.
func (s *Sim) getWebhooks(c *call) (int, any, *apiError) {
	p, err := parsePageParams(c.r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cursorSeq, err := s.hooks.seqs.cursorSeq(p.cursor)
	if err != nil {
		return 0, nil, err
	}
	start := seqStart(s.hooks.order, func(wh *webhook) int { return wh.seq }, cursorSeq)
	page, next := pageFrom(s.hooks.order, start, p.limit, func(wh *webhook) string { return wh.id })
	body := listPage[webhookJSON]{Data: make([]webhookJSON, 0, len(page)), Meta: pageMeta{NextPageURL: nextPageURL(c.r, next, p.limit)}}
	for _, wh := range page {
		body.Data = append(body.Data, wh.toJSON())
	}
	return http.StatusOK, body, nil
}

// createWebhook is POST /v2/webhooks/: 201 and the Webhook, with a new signing secret.
func (s *Sim) createWebhook(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	f, err := parseWebhookFields(obj)
	if err != nil {
		return 0, nil, err
	}
	if f.url == nil {
		return 0, nil, invalidField("url", "url is required.")
	}
	wh := &webhook{url: *f.url, filters: dedupe(f.filters), enabled: true}
	if f.description != nil {
		wh.description = *f.description
	}
	if f.enabled != nil {
		wh.enabled = *f.enabled
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	wh.createdAt = s.clock.Tick()
	wh.updatedAt = wh.createdAt
	s.hooks.add(wh)
	wh.delivery = newDelivery(s.sender, wh)
	s.startDeliveryLocked(wh)
	return http.StatusCreated, wh.toJSON(), nil
}

// getWebhook is GET /v2/webhooks/{id}.
func (s *Sim) getWebhook(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, err := s.webhookLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wh.toJSON(), nil
}

// patchWebhook is PATCH /v2/webhooks/{id}: only the fields given change. Messages already
// queued keep going to the endpoint, to its new URL; disabling it drops them.
func (s *Sim) patchWebhook(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	f, err := parseWebhookFields(obj)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	wh, err := s.webhookLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	changed := false
	set := func(field *string, v *string) {
		if v != nil && *v != *field {
			*field, changed = *v, true
		}
	}
	set(&wh.url, f.url)
	set(&wh.description, f.description)
	if f.setsFilters && !slices.Equal(f.filters, wh.filters) {
		wh.filters, changed = f.filters, true
	}
	if f.enabled != nil && *f.enabled != wh.enabled {
		wh.enabled, changed = *f.enabled, true
	}
	if changed {
		wh.updatedAt = s.clock.Tick()
		wh.delivery.retarget(wh)
	}
	return http.StatusOK, wh.toJSON(), nil
}

// deleteWebhook is DELETE /v2/webhooks/{id}: 204 without a body; its queued messages are
// dropped.
func (s *Sim) deleteWebhook(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, err := s.webhookLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	s.clock.Tick()
	s.hooks.remove(wh)
	wh.delivery.stop()
	return http.StatusNoContent, nil, nil
}

// getWebhookSecret is GET /v2/webhooks/{id}/secret/: {"key": "whsec_..."}.
func (s *Sim) getWebhookSecret(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, err := s.webhookLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"key": wh.secret}, nil
}

// rotateWebhookSecret is POST /v2/webhooks/{id}/secret/rotate/: the optional key (whsec_ +
// base64 of 24-64 bytes) or a generated one replaces the secret; 200 {} (the new secret is not
// returned). As Svix does, deliveries are signed with the old secret too for
// Options.WebhookRotationOverlap.
func (s *Sim) rotateWebhookSecret(c *call) (int, any, *apiError) {
	obj, err := c.object(true)
	if err != nil {
		return 0, nil, err
	}
	var custom *string
	if raw, ok := obj["key"]; ok {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil || isNull(raw) {
			return 0, nil, invalidField("key", "key must be a string.")
		}
		if _, err := decodeSecret(v); err != nil {
			return 0, nil, err
		}
		custom = &v
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	wh, err := s.webhookLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	if custom != nil {
		wh.secret = *custom
	} else {
		wh.secret = s.hooks.newSecret()
	}
	s.clock.Tick() // a state change, though not of the Webhook object: updated_at stays
	wh.delivery.rotate(wh, time.Now().Add(s.rotationOverlap()))
	return http.StatusOK, struct{}{}, nil
}

// getWebhookEventTypes is GET /v2/webhooks/event-types/.
func (s *Sim) getWebhookEventTypes(*call) (int, any, *apiError) {
	return http.StatusOK, map[string][]eventTypeJSON{"data": slices.Clone(webhookEventTypes)}, nil
}
