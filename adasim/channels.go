package adasim

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"time"
)

// Channels (ada-api.md section 2): custom channels are created through the API; native ones
// (Ada's own Web Chat, Email, ...) are read-only.

const (
	channelTypeCustom = "custom"
	channelTypeNative = "native"

	// maxChannelsPerDay: "A maximum of 100 channels can be created per account per day" (create-channel).
	maxChannelsPerDay = 100
)

// modalities: the stored spec lists messaging, email, voice; the create-channel page now also sms.
var modalities = []string{"messaging", "email", "voice", "sms"}

type channel struct {
	id          string
	seq         int
	typ         string
	name        string
	description string
	modality    string
	markdown    bool
	metadata    map[string]any
	createdAt   time.Time
}

type capabilitiesJSON struct {
	Markdown bool `json:"markdown"`
}

// nativeChannelJSON is the native variant of Ada's Channel, which has no
// metadata and no created_at; customChannelJSON is Ada's CustomChannel.
type nativeChannelJSON struct {
	Type         string           `json:"type"`
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Description  string           `json:"description"`
	Modality     string           `json:"modality"`
	Capabilities capabilitiesJSON `json:"capabilities"`
}

type customChannelJSON struct {
	nativeChannelJSON
	Metadata  map[string]any `json:"metadata"`
	CreatedAt string         `json:"created_at"`
}

func (ch *channel) toJSON() any { return ch.toState().render() }

// render is the channel as Ada renders it: Channel for a native one, CustomChannel otherwise.
func (ch StateChannel) render() any {
	common := nativeChannelJSON{Type: ch.Type, ID: ch.ID, Name: ch.Name, Description: ch.Description,
		Modality: ch.Modality, Capabilities: capabilitiesJSON(ch.Capabilities)}
	if ch.Type == channelTypeNative {
		return common
	}
	metadata := ch.Metadata
	if metadata == nil {
		metadata = map[string]any{}
	}
	return customChannelJSON{nativeChannelJSON: common, Metadata: metadata, CreatedAt: ch.CreatedAt}
}

type channelStore struct {
	byID    map[string]*channel
	order   []*channel
	seqs    seqIndex
	created []time.Time // creation times through the API, for the per-day limit
}

func newChannelStore() channelStore {
	return channelStore{byID: map[string]*channel{}, seqs: newSeqIndex()}
}

// addChannel stores a channel, with a new id unless it has one (loaded: see State).
func (s *Sim) addChannel(ch *channel) {
	if ch.id == "" {
		ch.id = s.newID()
	}
	ch.seq = s.channels.seqs.add(ch.id)
	if ch.metadata == nil {
		ch.metadata = map[string]any{}
	}
	s.channels.byID[ch.id] = ch
	s.channels.order = append(s.channels.order, ch)
}

// seedChannels creates Ada's native Web Chat and a custom messaging channel for the sandbox.
func (s *Sim) seedChannels() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addChannel(&channel{typ: channelTypeNative, name: "Web Chat",
		description: "Ada's native web chat (seeded by the simulator)", modality: "messaging",
		markdown: true, createdAt: s.clock.Tick()})
	sandbox := &channel{typ: channelTypeCustom, name: "Sandbox chat",
		description: "Custom messaging channel seeded by the Ada simulator", modality: "messaging",
		createdAt: s.clock.Tick()}
	s.addChannel(sandbox)
	s.defaultChannelID = sandbox.id
}

// getChannels is GET /v2/channels/?type=custom|native[&modality=...]: type is required.
func (s *Sim) getChannels(c *call) (int, any, *apiError) {
	q := c.r.URL.Query()
	typ := q.Get("type")
	if typ != channelTypeCustom && typ != channelTypeNative {
		return 0, nil, badRequest("type is required and must be custom or native.")
	}
	modality := q.Get("modality")
	if q.Has("modality") && !slices.Contains(modalities, modality) {
		return 0, nil, badRequest("modality must be one of messaging, email, voice, sms.")
	}
	p, err := parsePageParams(q)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cursorSeq, err := s.channels.seqs.cursorSeq(p.cursor)
	if err != nil {
		return 0, nil, err
	}
	var matching []*channel
	for _, ch := range s.channels.order {
		if ch.typ == typ && (modality == "" || ch.modality == modality) {
			matching = append(matching, ch)
		}
	}
	start := seqStart(matching, func(ch *channel) int { return ch.seq }, cursorSeq)
	page, next := pageFrom(matching, start, p.limit, func(ch *channel) string { return ch.id })
	body := listPage[any]{Data: make([]any, 0, len(page)), Meta: pageMeta{NextPageURL: nextPageURL(c.r, next, p.limit)}}
	for _, ch := range page {
		body.Data = append(body.Data, ch.toJSON())
	}
	return http.StatusOK, body, nil
}

// createChannel is POST /v2/channels/: 201 and a custom channel. name, description and
// modality are required; metadata is at most 4 KB of string|boolean|integer|number values.
func (s *Sim) createChannel(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	ch := &channel{typ: channelTypeCustom}
	if ch.name, err = obj.requiredString("name", "name"); err != nil {
		return 0, nil, err
	}
	if ch.name == "" {
		return 0, nil, invalidField("name", "name must not be empty.")
	}
	if ch.description, err = obj.requiredString("description", "description"); err != nil {
		return 0, nil, err
	}
	if ch.modality, err = obj.requiredString("modality", "modality"); err != nil {
		return 0, nil, err
	}
	if !slices.Contains(modalities, ch.modality) {
		return 0, nil, invalidField("modality", "modality must be one of messaging, email, voice, sms.")
	}
	// type, id and created_at are read-only; other unknown fields (Ada's demo sends "status")
	// are ignored.
	if t, err := obj.stringField("type", "type"); err != nil || (t.present && !t.null && t.value != channelTypeCustom) {
		return 0, nil, invalidField("type", "Only custom channels can be created.")
	}
	if ch.markdown, _, err = parseCapabilities(obj, false); err != nil {
		return 0, nil, err
	}
	if raw, ok := obj["metadata"]; ok && !isNull(raw) {
		m, err := decodeMetadata(raw, "metadata", metadataRules{allowFloat: true})
		if err != nil {
			return 0, nil, err
		}
		if err := checkMetadataSize(m, "metadata", otherMetadataMaxBytes); err != nil {
			return 0, nil, err
		}
		ch.metadata = m
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	recent := s.channels.created[:0]
	for _, t := range s.channels.created {
		if now.Before(t.Add(24 * time.Hour)) {
			recent = append(recent, t)
		}
	}
	s.channels.created = recent
	if len(recent) >= maxChannelsPerDay {
		wait := recent[0].Add(24 * time.Hour).Sub(now)
		return 0, nil, tooManyRequests(int(math.Ceil(wait.Seconds())), "At most %d channels can be created per day.", maxChannelsPerDay)
	}
	ch.createdAt = s.clock.Tick()
	s.channels.created = append(s.channels.created, ch.createdAt)
	s.addChannel(ch)
	s.audit(auditChannel, ch.id, ch.name, activityCreated)
	return http.StatusCreated, ch.toJSON(), nil
}

// parseCapabilities reads capabilities {markdown}, required on PATCH and optional on create;
// set reports whether markdown was given (fields left out keep their value).
func parseCapabilities(obj jsonObject, required bool) (markdown, set bool, err *apiError) {
	caps, _, err := obj.objectField("capabilities", "capabilities")
	if err != nil {
		return false, false, err
	}
	if caps == nil {
		if required {
			return false, false, invalidField("capabilities", "capabilities is required.")
		}
		return false, false, nil
	}
	raw, ok := caps["markdown"]
	if !ok {
		return false, false, nil
	}
	if isNull(raw) || json.Unmarshal(raw, &markdown) != nil {
		return false, false, invalidField("capabilities.markdown", "capabilities.markdown must be a boolean.")
	}
	return markdown, true, nil
}

// patchChannel is PATCH /v2/channels/{channel_id}: only a custom channel's capabilities change;
// fields left out keep their value; a native channel is 400.
func (s *Sim) patchChannel(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	markdown, setsMarkdown, err := parseCapabilities(obj, true)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels.byID[c.id]
	if ch == nil {
		return 0, nil, notFound("Channel %q not found.", c.id)
	}
	if ch.typ == channelTypeNative {
		return 0, nil, invalidField("channel_id", "Native channels are read-only; only custom channels can be updated.")
	}
	if setsMarkdown && ch.markdown != markdown {
		s.clock.Tick()
		ch.markdown = markdown
		s.audit(auditChannel, ch.id, ch.name, activityUpdated)
	}
	return http.StatusOK, ch.toJSON(), nil
}
