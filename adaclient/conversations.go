package adaclient

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
)

// ConversationsService is Ada's Conversations API (/v2/conversations/).
type ConversationsService struct{ c *Client }

// Conversation statuses and author roles Ada documents. Responses may
// carry others.
const (
	StatusActive = "active"
	StatusEnded  = "ended"

	RoleEndUser    = "end_user"
	RoleAIAgent    = "ai_agent"
	RoleHumanAgent = "human_agent"
)

// Conversation is Ada's Conversation.
type Conversation struct {
	ID        string         `json:"id"`
	ChannelID string         `json:"channel_id"`
	EndUserID string         `json:"end_user_id"`
	Status    string         `json:"status"`
	CreatedAt string         `json:"created_at,omitempty"`
	UpdatedAt string         `json:"updated_at,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
}

// CreateConversationRequest is the body of POST /v2/conversations/. Without
// EndUserID Ada creates a blank end user.
type CreateConversationRequest struct {
	ChannelID string         `json:"channel_id"`
	EndUserID string         `json:"end_user_id,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
}

// Author of a message. ID is the end user's id for role end_user and null
// for the AI Agent and human agents.
type Author struct {
	ID          *string `json:"id"`
	Role        string  `json:"role"`
	Avatar      *string `json:"avatar,omitempty"`
	DisplayName *string `json:"display_name,omitempty"`
}

// Content of a message: text (Body), link (URL, LinkText) or file (URL,
// MimeType, Filename). Unknown content types keep their Type.
type Content struct {
	Type     string `json:"type"`
	Body     string `json:"body,omitempty"`
	URL      string `json:"url,omitempty"`
	LinkText string `json:"link_text,omitempty"`
	MimeType string `json:"mime_type,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// MessageLog is an item of GET .../messages/. Items whose Type is not
// "message_logs" may appear and should be skipped by callers that only want
// messages (IsMessage).
type MessageLog struct {
	Type      string  `json:"type"`
	MessageID string  `json:"message_id"`
	CreatedAt string  `json:"created_at,omitempty"`
	Author    Author  `json:"author"`
	Content   Content `json:"content"`
}

// IsMessage reports whether the item is a message (type message_logs, or
// none given).
func (m *MessageLog) IsMessage() bool { return m.Type == "" || m.Type == "message_logs" }

// IsPresence reports a presence notification's content type: the AI Agent
// is typing. Ada's demo client handles "presence", though its document does
// not list it; such a message announces one, and says nothing itself.
func IsPresence(contentType string) bool { return contentType == "presence" }

// Message is the answer to POST .../messages/.
type Message struct {
	ID             string  `json:"id"`
	ConversationID string  `json:"conversation_id"`
	Author         Author  `json:"author"`
	Content        Content `json:"content"`
	CreatedAt      string  `json:"created_at,omitempty"`
	UpdatedAt      string  `json:"updated_at,omitempty"`
}

// MessageAuthor is the author of a message being sent: role end_user (ID
// required: the conversation's end user) or human_agent (DisplayName
// required). Ada does not accept ai_agent.
type MessageAuthor struct {
	ID          string `json:"id,omitempty"`
	Role        string `json:"role"`
	Avatar      string `json:"avatar,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// SendMessageRequest is the body of POST .../messages/.
type SendMessageRequest struct {
	Author  MessageAuthor `json:"author"`
	Content Content       `json:"content"`
}

// TextMessage builds a text message request.
func TextMessage(author MessageAuthor, body string) *SendMessageRequest {
	return &SendMessageRequest{Author: author, Content: Content{Type: "text", Body: body}}
}

// EndResult is Ada's answer to end and end-handoff: {"message": "..."}.
type EndResult struct {
	Message string `json:"message"`
}

func conversationPath(id string) string { return "/v2/conversations/" + pathEscape(id) + "/" }

// Create starts a conversation on a channel. Not idempotent: it is never
// repeated once it may have reached Ada.
func (s *ConversationsService) Create(ctx context.Context, req *CreateConversationRequest) (*Conversation, *Response, error) {
	if req == nil || req.ChannelID == "" {
		return nil, nil, invalid("channel_id", "is required")
	}
	if err := validateMetadata("metadata", req.Metadata, objectMetadata, false); err != nil {
		return nil, nil, err
	}
	var cv Conversation
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: "/v2/conversations/", body: req, mode: notIdempotent}, &cv)
	if err != nil {
		return nil, r, err
	}
	return &cv, r, nil
}

// Get fetches a conversation.
func (s *ConversationsService) Get(ctx context.Context, conversationID string) (*Conversation, *Response, error) {
	if err := validateID("conversation_id", conversationID); err != nil {
		return nil, nil, err
	}
	var cv Conversation
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: conversationPath(conversationID), mode: idempotent}, &cv)
	if err != nil {
		return nil, r, err
	}
	return &cv, r, nil
}

// UpdateMetadata merges metadata into the conversation's; a nil value
// removes the key.
func (s *ConversationsService) UpdateMetadata(ctx context.Context, conversationID string, metadata map[string]any) (*Conversation, *Response, error) {
	if err := validateID("conversation_id", conversationID); err != nil {
		return nil, nil, err
	}
	if len(metadata) == 0 {
		return nil, nil, invalid("metadata", "must have at least one key")
	}
	if err := validateMetadata("metadata", metadata, objectMetadata, true); err != nil {
		return nil, nil, err
	}
	body := struct {
		Metadata map[string]any `json:"metadata"`
	}{metadata}
	var cv Conversation
	r, err := s.c.do(ctx, call{method: http.MethodPatch, path: conversationPath(conversationID), body: body, mode: idempotent}, &cv)
	if err != nil {
		return nil, r, err
	}
	return &cv, r, nil
}

// ListMessages returns one page of the conversation's messages, oldest
// first.
func (s *ConversationsService) ListMessages(ctx context.Context, conversationID string, opts *ListOptions) ([]MessageLog, *Response, error) {
	if err := validateID("conversation_id", conversationID); err != nil {
		return nil, nil, err
	}
	q, err := opts.values(nil)
	if err != nil {
		return nil, nil, err
	}
	return list[MessageLog](s.c, ctx, conversationPath(conversationID)+"messages/", q)
}

// SendMessage posts a message as the end user or a human agent. The AI
// Agent's reply is not in the answer: it arrives later (webhook or
// ListMessages). Not idempotent: after a 5xx or a broken connection the
// error is an *OutcomeUnknownError and nothing is resent.
func (s *ConversationsService) SendMessage(ctx context.Context, conversationID string, req *SendMessageRequest) (*Message, *Response, error) {
	if err := validateID("conversation_id", conversationID); err != nil {
		return nil, nil, err
	}
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	var m Message
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: conversationPath(conversationID) + "messages/", body: req, mode: notIdempotent}, &m)
	if err != nil {
		return nil, r, err
	}
	return &m, r, nil
}

func (m *SendMessageRequest) validate() error {
	if m == nil {
		return invalid("message", "is required")
	}
	switch m.Author.Role {
	case RoleEndUser:
		if err := requireText("author.id", m.Author.ID); err != nil {
			return invalid("author.id", "is required when role is end_user (the conversation's end_user_id)")
		}
	case RoleHumanAgent:
		if err := requireText("author.display_name", m.Author.DisplayName); err != nil {
			return invalid("author.display_name", "is required when role is human_agent")
		}
	default:
		return invalid("author.role", "must be %q or %q (Ada does not accept messages posted as %q)", RoleEndUser, RoleHumanAgent, RoleAIAgent)
	}
	switch m.Content.Type {
	case "text":
		return requireText("content.body", m.Content.Body)
	case "file":
		for _, f := range []struct{ name, v string }{{"content.url", m.Content.URL}, {"content.mime_type", m.Content.MimeType}, {"content.filename", m.Content.Filename}} {
			if err := requireText(f.name, f.v); err != nil {
				return err
			}
		}
		return nil
	}
	return invalid("content.type", "must be \"text\" or \"file\"")
}

// End ends the conversation. Ending is idempotent, so it is retried like a
// GET.
func (s *ConversationsService) End(ctx context.Context, conversationID string) (*EndResult, *Response, error) {
	return s.post(ctx, conversationID, "end/", idempotent)
}

// EndHandoff returns a conversation in a human handoff to the AI Agent. A
// 422 means it was not in an active handoff. Not repeated after a 5xx: a
// resend after success would answer 422.
func (s *ConversationsService) EndHandoff(ctx context.Context, conversationID string) (*EndResult, *Response, error) {
	return s.post(ctx, conversationID, "end-handoff/", notIdempotent)
}

func (s *ConversationsService) post(ctx context.Context, conversationID, action string, mode retryMode) (*EndResult, *Response, error) {
	if err := validateID("conversation_id", conversationID); err != nil {
		return nil, nil, err
	}
	var res EndResult
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: conversationPath(conversationID) + action, mode: mode}, &res)
	if err != nil {
		return nil, r, err
	}
	return &res, r, nil
}

// MaxEmailTextBytes is Ada's limit on an email conversation's text: 10 KB.
const MaxEmailTextBytes = 10 * 1024

// EmailConversationRequest is the body of POST /v2/conversations/email/:
// a conversation on Ada's native Email channel, whose AI Agent replies by
// email to ReplyTo.
type EmailConversationRequest struct {
	Name    string `json:"name"`     // the customer's full name
	Subject string `json:"subject"`  // also the subject of the AI Agent's reply
	ReplyTo string `json:"reply_to"` // the customer's email address
	Text    string `json:"text,omitempty"`
	// ReplyAs is the company address to reply from: Ada's default when
	// empty, else one configured through Bring Your Own Domain.
	ReplyAs  string         `json:"reply_as,omitempty"`
	CC       []string       `json:"cc,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"` // at most 4 KB; metavariables
}

// EmailConversation is Ada's answer to an email conversation: its id.
type EmailConversation struct {
	ConversationID string `json:"conversation_id"`
}

// Validate checks what Ada would refuse: name and subject required,
// reply_to, reply_as and cc email addresses, text at most 10 KB, metadata
// at most 4 KB of scalar values.
func (r *EmailConversationRequest) Validate() error {
	if r == nil {
		return invalid("request", "is required")
	}
	for _, f := range []struct{ name, v string }{{"name", r.Name}, {"subject", r.Subject}} {
		if err := requireText(f.name, f.v); err != nil {
			return err
		}
	}
	if err := validateEmail("reply_to", r.ReplyTo); err != nil {
		return err
	}
	if r.ReplyAs != "" {
		if err := validateEmail("reply_as", r.ReplyAs); err != nil {
			return err
		}
	}
	for i, cc := range r.CC {
		if err := validateEmail(fmt.Sprintf("cc[%d]", i), cc); err != nil {
			return err
		}
	}
	if n := len(r.Text); n > MaxEmailTextBytes {
		return invalid("text", "is %d bytes; Ada accepts at most 10 KB (%d bytes)", n, MaxEmailTextBytes)
	}
	return validateMetadata("metadata", r.Metadata, objectMetadata, false)
}

// validateEmail accepts a bare address (name@domain), as Ada's email
// fields hold.
func validateEmail(field, addr string) error {
	if strings.TrimSpace(addr) == "" {
		return invalid(field, "is required")
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(addr) {
		return invalid(field, "must be an email address such as name@example.com")
	}
	return nil
}

// CreateEmail starts a conversation on Ada's native Email channel (not a
// custom one): the AI Agent answers the customer by email. Ada answers 200
// and the conversation's id; 422 when it cannot (reply_as not an address it
// may send from). Not idempotent: it sends an email each time, so it is
// never repeated once it may have reached Ada.
func (s *ConversationsService) CreateEmail(ctx context.Context, req *EmailConversationRequest) (*EmailConversation, *Response, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	var out EmailConversation
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: "/v2/conversations/email/", body: req, mode: notIdempotent}, &out)
	if err != nil {
		return nil, r, err
	}
	return &out, r, nil
}
