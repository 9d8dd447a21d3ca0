// Package events receives Ada's webhooks and keeps what they announce
// where waiting tool calls can find it.
//
// Ada announces every end user and conversation change by a webhook that
// Svix delivers and signs. The Receiver (an http.Handler, mounted by the
// server behind its middleware) verifies each delivery, drops duplicates
// (Svix delivers at least once), redacts the payload and appends it to a
// Log, keyed by conversation or end user. A Log is in memory (one process)
// or in Redis (several replicas as one). Waiting code reads a key from a
// cursor and blocks until something newer arrives.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// The event types Ada sends that the server keeps.
const (
	TypeEndUserCreated           = "v1.end_user.created"
	TypeEndUserUpdated           = "v1.end_user.updated"
	TypeConversationCreated      = "v1.conversation.created"
	TypeConversationMessage      = "v1.conversation.message"
	TypeConversationEnded        = "v1.conversation.ended"
	TypeConversationHandoffEnded = "v1.conversation.handoff.ended"
)

// Kept lists the event types the server keeps; `webhooks setup` subscribes
// to these.
var Kept = []string{TypeConversationMessage, TypeConversationCreated, TypeConversationEnded,
	TypeConversationHandoffEnded, TypeEndUserCreated, TypeEndUserUpdated}

// Event is one delivery, as kept.
type Event struct {
	// ID is the delivery's svix-id: the same on every retry of a message,
	// which is what deduplication keys on.
	ID   string    `json:"id"`
	Type string    `json:"type"`
	At   time.Time `json:"at"` // the envelope's timestamp: events are ordered by it
	// ConversationID and EndUserID are read from the data, when present.
	ConversationID string `json:"conversation_id,omitempty"`
	EndUserID      string `json:"end_user_id,omitempty"`
	// Data is the payload's data object, redacted.
	Data json.RawMessage `json:"data"`
}

// Key is where an event is kept: its conversation, or for end-user events
// its end user.
func (e Event) Key() string {
	if e.ConversationID != "" {
		return ConversationKey(e.ConversationID)
	}
	if e.EndUserID != "" {
		return EndUserKey(e.EndUserID)
	}
	return ""
}

// ConversationKey and EndUserKey name the keys of a Log.
func ConversationKey(id string) string { return "conversation:" + id }
func EndUserKey(id string) string      { return "end_user:" + id }

// Message is the data of a v1.conversation.message event, as far as
// waiting needs it.
type Message struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	EndUserID      string `json:"end_user_id"`
	CreatedAt      string `json:"created_at"`
	Author         struct {
		ID          *string `json:"id"`
		Role        string  `json:"role"`
		Avatar      *string `json:"avatar"`
		DisplayName *string `json:"display_name"`
	} `json:"author"`
	Content struct {
		Type     string  `json:"type"`
		Body     string  `json:"body"`
		URL      string  `json:"url"`
		MimeType string  `json:"mime_type"`
		Filename string  `json:"filename"`
		LinkText *string `json:"link_text"`
	} `json:"content"`
	HandoffIntegration *string `json:"handoff_integration"`
}

// Message decodes a v1.conversation.message event's data.
func (e Event) Message() (Message, error) {
	var m Message
	if e.Type != TypeConversationMessage {
		return m, errors.New("events: not a message event")
	}
	err := json.Unmarshal(e.Data, &m)
	return m, err
}

// Cursor is a position in one key of a Log: what Read and Next return
// events after. The zero Cursor is the beginning.
type Cursor string

// Log keeps events by key, bounded in size and age. Implementations are
// safe for concurrent use.
type Log interface {
	// Append keeps e unless an event with its ID was kept before (a
	// duplicate delivery); it reports whether e was new.
	Append(ctx context.Context, e Event) (bool, error)
	// End is the cursor after the newest event of key: events appended
	// later are after it.
	End(ctx context.Context, key string) (Cursor, error)
	// Next returns the events of key after cursor, in the order they were
	// appended, waiting until there is at least one or ctx ends
	// (ctx.Err()). The cursor returned is after the last one.
	Next(ctx context.Context, key string, after Cursor) ([]Event, Cursor, error)
	// Recent returns the events of key kept so far, oldest first, without
	// waiting.
	Recent(ctx context.Context, key string) ([]Event, error)
	// Close releases the log's resources.
	Close() error
}

// Limits bound a Log. Zero fields take the defaults.
type Limits struct {
	// PerKey is the most events kept per key; the oldest go first.
	PerKey int
	// MaxAge is how long an event is kept.
	MaxAge time.Duration
	// Keys is the most keys an in-memory log keeps; the least recently
	// appended key goes first.
	Keys int
	// DedupeFor is how long a delivery's ID is remembered.
	DedupeFor time.Duration
}

// Default limits: a conversation's answer takes seconds, so ten minutes of
// its latest 256 events is plenty; Svix retries a failed delivery for days,
// but a duplicate after a day finds its event long gone from the log.
const (
	DefaultPerKey    = 256
	DefaultMaxAge    = 10 * time.Minute
	DefaultKeys      = 10_000
	DefaultDedupeFor = 24 * time.Hour
)

// WithDefaults fills zero fields with the defaults.
func (l Limits) WithDefaults() Limits {
	if l.PerKey <= 0 {
		l.PerKey = DefaultPerKey
	}
	if l.MaxAge <= 0 {
		l.MaxAge = DefaultMaxAge
	}
	if l.Keys <= 0 {
		l.Keys = DefaultKeys
	}
	if l.DedupeFor <= 0 {
		l.DedupeFor = DefaultDedupeFor
	}
	return l
}
