package adasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
)

// State is the simulator's whole state: what GET /_sandbox/state returns and what PUT
// /_sandbox/state and Options.State load.
//
// A dump (Sim.State) renders every item exactly as Ada's API renders it, in creation order,
// with what the API does not show beside it: the names of an end user's sensitive_metadata keys
// (never their values), whether a conversation is in a handoff, and its visible messages.
//
// Loading (Sim.LoadState) takes a dump back, and is lenient for hand-written fixtures: ids and
// times may be left out (then they come from the seeded id generator and the simulator's
// clock, in the order channels, end users, conversations), and so may most fields (see each
// field). Values follow the API's rules (external_id, metadata types and sizes, content), ids
// are 1-64 characters among A-Z a-z 0-9 _ - and unique in the whole state, and references
// must resolve within the state. Decoding from JSON is strict: an unknown field is an error.
// Every error names the JSON path at fault, e.g.
// `conversations[0].end_user_id: "abc" is not an end user of this state`.
type State struct {
	EndUsers []StateEndUser `json:"end_users,omitzero"`
	// Channels, when not nil (in JSON: when the key is present, even as []), replace the two
	// seeded channels; nil keeps them.
	Channels      []StateChannel      `json:"channels,omitzero"`
	Conversations []StateConversation `json:"conversations,omitzero"`
}

// StateEndUser is Ada's EndUser (GET /v2/end-users/{id}) plus its sensitive_metadata keys.
// Loaded end users never expire, nor do the sensitive values loaded with them.
type StateEndUser struct {
	EndUserID  string       `json:"end_user_id"` // loading: generated when empty
	ExternalID *string      `json:"external_id"`
	Profile    StateProfile `json:"profile"`
	CreatedAt  string       `json:"created_at"` // loading: Ada's layout or RFC 3339; the clock when empty
	UpdatedAt  string       `json:"updated_at"` // loading: created_at when empty
	// SensitiveMetadata is only loaded (write-only, as in the API): a dump never has it.
	SensitiveMetadata map[string]any `json:"sensitive_metadata,omitempty"`
	// SensitiveMetadataKeys are the keys that hold a sensitive value, sorted. Loading gives
	// each key a placeholder value (a dump has no values to give back).
	SensitiveMetadataKeys []string `json:"sensitive_metadata_keys"`
}

// StateProfile is the EndUser's profile, as the API renders it.
type StateProfile struct {
	FirstName        *string               `json:"first_name"`
	LastName         *string               `json:"last_name"`
	DisplayName      *string               `json:"display_name"`
	Avatar           *string               `json:"avatar"`
	Email            *string               `json:"email"`
	Language         *string               `json:"language"`
	Metadata         map[string]any        `json:"metadata"`
	SystemProperties StateSystemProperties `json:"system_properties"`
}

// StateSystemProperties is read-only: the simulator has no Sunshine user ids, so it is null.
type StateSystemProperties struct {
	SunshineUserID *string `json:"sunshine_user_id"`
}

// StateChannel is a channel as GET /v2/channels/ renders it: a custom one with metadata and
// created_at, a native one without.
type StateChannel struct {
	Type         string            `json:"type"` // loading: custom when empty
	ID           string            `json:"id"`   // loading: generated when empty
	Name         string            `json:"name"` // required
	Description  string            `json:"description"`
	Modality     string            `json:"modality"` // loading: messaging when empty
	Capabilities StateCapabilities `json:"capabilities"`
	Metadata     map[string]any    `json:"metadata"`   // custom channels only
	CreatedAt    string            `json:"created_at"` // custom channels only; the clock when empty
}

// StateCapabilities are a channel's capabilities.
type StateCapabilities struct {
	Markdown bool `json:"markdown"`
}

// MarshalJSON renders the channel as Ada does: a native one has no metadata nor created_at.
func (ch StateChannel) MarshalJSON() ([]byte, error) { return marshalRaw(ch.render()) }

// StateConversation is Ada's Conversation (GET /v2/conversations/{id}/) plus its handoff flag
// and its visible messages, in chronological order.
type StateConversation struct {
	ID        string         `json:"id"`          // loading: generated when empty
	ChannelID string         `json:"channel_id"`  // required: a custom channel of the state
	EndUserID string         `json:"end_user_id"` // required: an end user of the state
	Status    string         `json:"status"`      // active (default) or ended
	CreatedAt string         `json:"created_at"`  // loading: the clock when empty
	UpdatedAt string         `json:"updated_at"`  // loading: created_at when empty
	Metadata  map[string]any `json:"metadata"`
	Handoff   bool           `json:"handoff"` // a human agent has it; not for an ended one
	Messages  []StateMessage `json:"messages"`
}

// StateMessage is an item of GET /v2/conversations/{id}/messages/ (MessageLogs).
type StateMessage struct {
	Type      string `json:"type"`       // "message_logs"; may be left out
	MessageID string `json:"message_id"` // loading: generated when empty
	// CreatedAt, when empty, is the clock (never before the previous message); times must not
	// go back from one message to the next.
	CreatedAt string       `json:"created_at"`
	Author    StateAuthor  `json:"author"`
	Content   StateContent `json:"content"`
}

// StateAuthor is a message's author. Role is required: end_user, ai_agent or human_agent. ID
// is the end user's for end_user (loading: the conversation's end user when nil) and nil
// otherwise. Loading an ai_agent message without DisplayName names it as the simulator does.
type StateAuthor struct {
	ID          *string `json:"id"`
	Role        string  `json:"role"`
	Avatar      *string `json:"avatar"`
	DisplayName *string `json:"display_name"`
}

// StateContent is a message's content: text {type, body}, file {type, url, mime_type,
// filename} or link {type, url, link_text}.
type StateContent struct {
	Type     string  `json:"type"`
	Body     string  `json:"body"`
	URL      string  `json:"url"`
	MimeType string  `json:"mime_type"`
	Filename string  `json:"filename"`
	LinkText *string `json:"link_text"`
}

// MarshalJSON renders only the fields of the content's type, as the API does.
func (c StateContent) MarshalJSON() ([]byte, error) { return messageContent(c).MarshalJSON() }

// marshalRaw is json.Marshal without HTML escaping, as writeJSON renders responses; an
// encoder that escapes (json.Marshal of a State) still escapes the result.
func marshalRaw(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// State returns the whole state: a deep copy taken under the lock, in creation order.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateLocked()
}

// stateLocked is State; callers hold mu.
func (s *Sim) stateLocked() State {
	s.sweepEndUsers() // what the API would still show
	st := State{
		EndUsers:      make([]StateEndUser, 0, len(s.endUsers.order)),
		Channels:      make([]StateChannel, 0, len(s.channels.order)),
		Conversations: make([]StateConversation, 0, len(s.conversationOrder)),
	}
	for _, u := range s.endUsers.order {
		st.EndUsers = append(st.EndUsers, u.toState())
	}
	for _, ch := range s.channels.order {
		st.Channels = append(st.Channels, ch.toState())
	}
	for _, cv := range s.conversationOrder {
		st.Conversations = append(st.Conversations, cv.toState())
	}
	return st
}

// toState is the EndUser and the names of its sensitive keys; the values stay behind.
func (u *endUser) toState() StateEndUser {
	j := u.toJSON()
	keys := slices.Sorted(maps.Keys(u.sensitive))
	if keys == nil {
		keys = []string{}
	}
	return StateEndUser{EndUserID: j.EndUserID, ExternalID: j.ExternalID, Profile: j.Profile,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, SensitiveMetadataKeys: keys}
}

func (ch *channel) toState() StateChannel {
	st := StateChannel{Type: ch.typ, ID: ch.id, Name: ch.name, Description: ch.description,
		Modality: ch.modality, Capabilities: StateCapabilities{Markdown: ch.markdown}}
	if ch.typ != channelTypeNative {
		st.Metadata = maps.Clone(ch.metadata)
		st.CreatedAt = formatTime(ch.createdAt)
	}
	return st
}

func (cv *conversation) toState() StateConversation {
	j := cv.toJSON()
	st := StateConversation{ID: j.ID, ChannelID: j.ChannelID, EndUserID: j.EndUserID, Status: j.Status,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Metadata: j.Metadata, Handoff: cv.handoff,
		Messages: []StateMessage{}}
	for _, m := range cv.messages {
		if m.visible { // a reply still being "typed" is not in the list yet
			st.Messages = append(st.Messages, m.toState())
		}
	}
	return st
}

func (m *message) toState() StateMessage {
	j := m.toLogJSON()
	content := StateContent(j.Content)
	content.LinkText = copyString(content.LinkText)
	return StateMessage{Type: j.Type, MessageID: j.MessageID, CreatedAt: j.CreatedAt, Author: StateAuthor(j.Author), Content: content}
}

// LoadState replaces the whole state with st: as Reset would (ids, clock, seeded channels and
// pending AI Agent replies start over), then st is loaded. It validates everything first: on
// an error, which names the JSON path at fault, nothing changes. It emits no webhook events
// and keeps the rate-limit counters, the webhook endpoints, the persona, the custom
// instructions and the audit log (not part of a State).
func (s *Sim) LoadState(st State) error {
	fresh, err := s.build(&st)
	if err != nil {
		return err
	}
	s.install(fresh, false, nil)
	return nil
}

// Reset returns the simulator to the state New or Open produced: ids reseeded from
// Options.Seed, the logical clock restarted, the seeded channels (same ids) or Options.State
// loaded again, pending AI Agent replies dropped, rate-limit counters cleared, the webhook
// endpoints back to Options.Webhooks (same ids and secrets; queued deliveries dropped), the
// persona back to its default, no custom instruction and an empty audit log.
func (s *Sim) Reset() { s.reset(nil) }

func (s *Sim) reset(dump *State) {
	fresh, err := s.build(s.initial)
	if err != nil {
		// Open loaded this very copy without error, and loading depends on nothing else.
		panic("adasim: reloading Options.State: " + err.Error())
	}
	s.install(fresh, true, dump)
}

// build makes the state New makes and loads st (if not nil) into it, away from s: a failed
// load leaves s as it was.
func (s *Sim) build(st *State) (*Sim, error) {
	fresh := newSim(s.opts, s.sender)
	if st != nil {
		if err := fresh.load(*st); err != nil {
			return nil, err
		}
	}
	return fresh, nil
}

// install replaces s's state with fresh's (from build). The AI Agent's pending replies are
// dropped; a reset also clears the rate-limit counters (and the channels-per-day count), which
// a load keeps. dump, if not nil, receives the new state, taken under the same lock.
func (s *Sim) install(fresh *Sim, reset bool, dump *State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, timer := range s.pending {
		timer.Stop() // a timer that already fired finds its message gone from s.pending
	}
	createdChannels := s.channels.created
	s.clock, s.rng, s.usedIDs = fresh.clock, fresh.rng, fresh.usedIDs
	s.endUsers, s.channels = fresh.endUsers, fresh.channels
	s.conversations, s.conversationOrder = fresh.conversations, fresh.conversationOrder
	s.pending = fresh.pending
	s.jobs = fresh.jobs // deletion jobs name the data they erase: they go with it
	s.defaultChannelID = fresh.defaultChannelID
	if reset && s.limiter != nil {
		*s.limiter = *newRateLimiter() // in place: serve reads the pointer without mu
	}
	if reset {
		// The knowledge base is not part of a State either: a load keeps it, a reset empties it.
		s.knowledge = fresh.knowledge
		// The persona, custom instructions and audit log are not part of a State either: a
		// load keeps them, a reset starts them over.
		s.aiAgent, s.auditLog = fresh.aiAgent, fresh.auditLog
		// Back to Options.Webhooks; the old endpoints' queued messages are dropped. A load
		// keeps the endpoints: they are not part of a State.
		for _, wh := range s.hooks.order {
			wh.delivery.stop()
		}
		s.hooks = fresh.hooks
		for _, wh := range s.hooks.order {
			s.startDeliveryLocked(wh)
		}
	}
	if !reset {
		s.channels.created = createdChannels
		// Uploaded files are not part of a State: a load keeps them (their ids stay taken), a
		// reset drops them.
		for id := range s.attachments.byID {
			s.usedIDs[id] = struct{}{}
		}
	} else {
		s.attachments = fresh.attachments
	}
	if dump != nil {
		*dump = s.stateLocked()
	}
}

// clone is a deep copy: Open keeps one of Options.State, for Reset.
func (st State) clone() State {
	out := State{EndUsers: slices.Clone(st.EndUsers), Channels: slices.Clone(st.Channels),
		Conversations: slices.Clone(st.Conversations)}
	for i := range out.EndUsers {
		u := &out.EndUsers[i]
		u.ExternalID = copyString(u.ExternalID)
		p := &u.Profile
		for _, f := range []**string{&p.FirstName, &p.LastName, &p.DisplayName, &p.Avatar, &p.Email, &p.Language, &p.SystemProperties.SunshineUserID} {
			*f = copyString(*f)
		}
		p.Metadata = maps.Clone(p.Metadata)
		u.SensitiveMetadata = maps.Clone(u.SensitiveMetadata)
		u.SensitiveMetadataKeys = slices.Clone(u.SensitiveMetadataKeys)
	}
	for i := range out.Channels {
		out.Channels[i].Metadata = maps.Clone(out.Channels[i].Metadata)
	}
	for i := range out.Conversations {
		cv := &out.Conversations[i]
		cv.Metadata = maps.Clone(cv.Metadata)
		cv.Messages = slices.Clone(cv.Messages)
		for j := range cv.Messages {
			m := &cv.Messages[j]
			m.Author.ID, m.Author.Avatar, m.Author.DisplayName = copyString(m.Author.ID), copyString(m.Author.Avatar), copyString(m.Author.DisplayName)
			m.Content.LinkText = copyString(m.Content.LinkText)
		}
	}
	return out
}

// ReadStateFile reads a state file: the JSON of GET /_sandbox/state, or a hand-written
// fixture of that shape. Errors start with the path.
func ReadStateFile(path string) (State, error) {
	var st State
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("%s: not a sandbox state (the JSON of GET /_sandbox/state): %w", path, err)
	}
	return st, nil
}
