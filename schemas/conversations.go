package schemas

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// Conversation is a conversation as tools return it.
type Conversation struct {
	ConversationID string   `json:"conversation_id" jsonschema:"required"`
	ChannelID      string   `json:"channel_id,omitempty"`
	EndUserID      string   `json:"end_user_id,omitempty"`
	Status         string   `json:"status,omitempty" jsonschema_description:"active or ended."`
	Metadata       Metadata `json:"metadata,omitempty"`
	CreatedAt      string   `json:"created_at,omitempty"`
	UpdatedAt      string   `json:"updated_at,omitempty"`
}

// ConversationFrom converts Ada's conversation.
func ConversationFrom(c *adaclient.Conversation) Conversation {
	return Conversation{ConversationID: c.ID, ChannelID: c.ChannelID, EndUserID: c.EndUserID, Status: c.Status,
		Metadata: Metadata(c.Metadata), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Message is one message, flattened for reading.
type Message struct {
	MessageID   string `json:"message_id" jsonschema:"required"`
	Role        string `json:"role" jsonschema:"required" jsonschema_description:"end_user, ai_agent or human_agent."`
	AuthorID    string `json:"author_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Type        string `json:"type" jsonschema:"required" jsonschema_description:"text, link or file."`
	Body        string `json:"body,omitempty"`
	URL         string `json:"url,omitempty"`
	LinkText    string `json:"link_text,omitempty"`
	MimeType    string `json:"mime_type,omitempty"`
	Filename    string `json:"filename,omitempty"`
	CreatedAt   string `json:"created_at,omitempty"`
}

func message(id string, a adaclient.Author, c adaclient.Content, createdAt string) Message {
	return Message{MessageID: id, Role: a.Role, AuthorID: str(a.ID), DisplayName: str(a.DisplayName),
		Type: c.Type, Body: c.Body, URL: c.URL, LinkText: c.LinkText, MimeType: c.MimeType, Filename: c.Filename,
		CreatedAt: createdAt}
}

// MessageFromLog converts an item of Ada's message list.
func MessageFromLog(m *adaclient.MessageLog) Message {
	return message(m.MessageID, m.Author, m.Content, m.CreatedAt)
}

// MessageFromSent converts Ada's answer to a sent message.
func MessageFromSent(m *adaclient.Message) Message {
	return message(m.ID, m.Author, m.Content, m.CreatedAt)
}

// StartConversationArgs are start_conversation's arguments.
type StartConversationArgs struct {
	ChannelID  string      `json:"channel_id,omitempty" jsonschema_description:"Custom channel; default: the configured one."`
	EndUserID  string      `json:"end_user_id,omitempty"`
	ExternalID string      `json:"external_id,omitempty" jsonschema:"maxLength=36" jsonschema_description:"Your id for the user: upserted first."`
	Profile    *ProfileSet `json:"profile,omitempty" jsonschema_description:"Set first, so the greeting uses it."`
	Metadata   Metadata    `json:"metadata,omitempty" jsonschema_description:"Max 4 KB (not metavariables: those are profile.metadata)."`
}

func (a *StartConversationArgs) Validate() error {
	if a.EndUserID != "" && a.ExternalID != "" {
		return argErr("end_user_id", "give either end_user_id or external_id, not both")
	}
	return nil
}

// StartConversationResult is start_conversation's result.
type StartConversationResult struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
	EndUserID      string `json:"end_user_id" jsonschema:"required"`
	// EndUserCreated is set when the call created the end user.
	EndUserCreated bool         `json:"end_user_created,omitempty"`
	Conversation   Conversation `json:"conversation" jsonschema:"required"`
}

// ConversationArgs name one conversation.
type ConversationArgs struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
}

// ConversationResult wraps one conversation.
type ConversationResult struct {
	Conversation Conversation `json:"conversation" jsonschema:"required"`
}

// UpdateConversationMetadataArgs are update_conversation_metadata's arguments.
type UpdateConversationMetadataArgs struct {
	ConversationID string        `json:"conversation_id" jsonschema:"required"`
	Metadata       MetadataPatch `json:"metadata" jsonschema:"required" jsonschema_description:"Merged into the existing metadata; null removes a key."`
}

// ListMessagesArgs are list_messages' arguments.
type ListMessagesArgs struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
	Limit          int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=50"`
	Cursor         string `json:"cursor,omitempty"`
}

func (a *ListMessagesArgs) Validate() error { return validateCursor(a.Cursor) }

// ListMessagesResult is list_messages' result.
type ListMessagesResult struct {
	Messages []Message `json:"messages" jsonschema:"required" jsonschema_description:"Oldest first."`
	Page
}

// MaxWaitForReplySeconds bounds send_message's wait.
const MaxWaitForReplySeconds = 60

// SendMessageArgs are send_message's arguments.
type SendMessageArgs struct {
	ConversationID      string `json:"conversation_id" jsonschema:"required"`
	Body                string `json:"body" jsonschema:"required,minLength=1,maxLength=32768"`
	Role                string `json:"role,omitempty" jsonschema:"enum=end_user,enum=human_agent,default=end_user"`
	AuthorID            string `json:"author_id,omitempty" jsonschema_description:"Defaults to the conversation's end user."`
	DisplayName         string `json:"display_name,omitempty" jsonschema_description:"Required for human_agent."`
	Avatar              string `json:"avatar,omitempty"`
	WaitForReplySeconds int    `json:"wait_for_reply_seconds,omitempty" jsonschema:"minimum=0,maximum=60" jsonschema_description:"Wait this long for the replies."`
}

func (a *SendMessageArgs) Validate() error {
	if err := validateID("conversation_id", a.ConversationID, ""); err != nil {
		return err
	}
	if isBlank(a.Body) {
		return argErr("body", "must not be blank")
	}
	if isBlank(a.AuthorID) {
		return argErr("author_id", "must not be blank; leave it out for the conversation's end user")
	}
	if a.Role == adaclient.RoleHumanAgent && strings.TrimSpace(a.DisplayName) == "" {
		return argErr("display_name", "is required when role is human_agent")
	}
	if a.WaitForReplySeconds < 0 || a.WaitForReplySeconds > MaxWaitForReplySeconds {
		return argErr("wait_for_reply_seconds", "must be between 0 and %d", MaxWaitForReplySeconds)
	}
	return nil
}

// CustomerVisible: a human agent's message is read by the customer as a
// person's.
func (a *SendMessageArgs) CustomerVisible() bool { return a.Role == adaclient.RoleHumanAgent }

// ExtraTime lets the call outlive the usual timeout by the wait.
func (a *SendMessageArgs) ExtraTime() time.Duration {
	return time.Duration(a.WaitForReplySeconds) * time.Second
}

// SentMessage is what Ada made of a sent message: the sender knows the rest.
type SentMessage struct {
	MessageID string `json:"message_id" jsonschema:"required"`
	Role      string `json:"role" jsonschema:"required"`
	AuthorID  string `json:"author_id,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
}

// SentFrom is the sent message's id, role, author and time.
func SentFrom(m *adaclient.Message) SentMessage {
	s := MessageFromSent(m)
	return SentMessage{MessageID: s.MessageID, Role: s.Role, AuthorID: s.AuthorID, CreatedAt: s.CreatedAt}
}

// SendMessageResult is send_message's result.
type SendMessageResult struct {
	Message SentMessage `json:"message" jsonschema:"required"`
	Replies []Message   `json:"replies,omitempty" jsonschema_description:"Replies that arrived while waiting."`
	// ReplyPending is set when a wait ended with no reply to the message
	// yet: replies may still hold ones flagged as answering earlier.
	ReplyPending bool `json:"reply_pending,omitempty"`
	// RepliesMayAnswerEarlier: Ada does not say which message a reply
	// answers; the first replies may answer an earlier message still
	// unanswered when this one was sent, or be the greeting.
	RepliesMayAnswerEarlier bool `json:"replies_may_answer_earlier,omitempty" jsonschema_description:"The first replies may answer an earlier unanswered message, or be the greeting."`
	// NextMessageID: another message of the same role followed this one
	// (another call or client); replies after it are left to it.
	NextMessageID string `json:"next_message_id,omitempty" jsonschema_description:"A later message of the same role; replies after it are not here."`
	HandedOff     bool   `json:"handed_off,omitempty" jsonschema_description:"A human agent has the conversation."`
	Ended         bool   `json:"ended,omitempty" jsonschema_description:"The conversation ended: send no more."`
}

// EndConversationResult is end_conversation's result.
type EndConversationResult struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
	Status         string `json:"status" jsonschema:"required"`
	Message        string `json:"message,omitempty"`
}

// AskAIAgentArgs are ask_ai_agent's arguments.
type AskAIAgentArgs struct {
	ExternalID     string      `json:"external_id" jsonschema:"required,maxLength=36" jsonschema_description:"Your id for the customer."`
	Question       string      `json:"question" jsonschema:"required,minLength=1,maxLength=32768"`
	Profile        *ProfileSet `json:"profile,omitempty"`
	ConversationID string      `json:"conversation_id,omitempty" jsonschema_description:"Continue this conversation; default: a new one."`
	WaitSeconds    int         `json:"wait_seconds,omitempty" jsonschema:"minimum=1,maximum=60,default=30"`
}

// DefaultAskWaitSeconds is ask_ai_agent's wait when none is given.
const DefaultAskWaitSeconds = 30

func (a *AskAIAgentArgs) Validate() error {
	if strings.TrimSpace(a.ExternalID) == "" {
		return argErr("external_id", "is required: your id for the customer")
	}
	if isBlank(a.Question) {
		return argErr("question", "must not be blank")
	}
	if isBlank(a.ConversationID) {
		return argErr("conversation_id", "must not be blank; leave it out to start a new conversation")
	}
	if a.WaitSeconds < 0 || a.WaitSeconds > MaxWaitForReplySeconds {
		return argErr("wait_seconds", "must be between 1 and %d", MaxWaitForReplySeconds)
	}
	return nil
}

// Wait is the wait asked for, or the default.
func (a *AskAIAgentArgs) Wait() time.Duration {
	if a.WaitSeconds <= 0 {
		return DefaultAskWaitSeconds * time.Second
	}
	return time.Duration(a.WaitSeconds) * time.Second
}

// ExtraTime lets the call outlive the usual timeout by the wait.
func (a *AskAIAgentArgs) ExtraTime() time.Duration { return a.Wait() }

// AskAIAgentResult is ask_ai_agent's result.
type AskAIAgentResult struct {
	// Answer is the replies' text, one paragraph per message.
	Answer         string    `json:"answer"`
	Replies        []Message `json:"replies,omitempty"`
	ConversationID string    `json:"conversation_id" jsonschema:"required"`
	EndUserID      string    `json:"end_user_id" jsonschema:"required"`
	HandedOff      bool      `json:"handed_off" jsonschema_description:"A human agent has the conversation (as far as Ada shows it)."`
	// AnswerPending is set when no answer came within the wait (replies
	// may still hold the greeting or an earlier question's answer).
	AnswerPending bool `json:"answer_pending,omitempty"`
	// RepliesMayAnswerEarlier: some replies were left out of answer as
	// the greeting or an earlier question's answer; Ada does not say which
	// message a reply answers.
	RepliesMayAnswerEarlier bool `json:"replies_may_answer_earlier,omitempty" jsonschema_description:"The first replies were taken for the greeting or an earlier answer, not in answer."`
	Ended                   bool `json:"ended,omitempty" jsonschema_description:"The conversation ended."`
}

// EndHandoffResult is end_handoff's result.
type EndHandoffResult struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
	Message        string `json:"message,omitempty"`
}

// UploadAttachmentArgs are upload_attachment's arguments: the file from
// the server's disk (file_path) or inline (content_base64 + filename).
type UploadAttachmentArgs struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
	FilePath       string `json:"file_path,omitempty" jsonschema_description:"Absolute path on the server's machine (local stdio server only)."`
	ContentBase64  string `json:"content_base64,omitempty" jsonschema:"maxLength=75497472" jsonschema_description:"The file in base64, with filename."`
	Filename       string `json:"filename,omitempty" jsonschema_description:"Default: file_path's name."`
	ContentType    string `json:"content_type,omitempty" jsonschema_description:"Default: from the extension."`
	SendAs         string `json:"send_as,omitempty" jsonschema:"enum=end_user,enum=human_agent" jsonschema_description:"Then post it as a file message from this author."`
	DisplayName    string `json:"display_name,omitempty" jsonschema_description:"Required for human_agent."`

	content []byte // content_base64 decoded by Validate
}

// Validate checks, before anything is read or sent: one source of the
// file; file names (file_path's and filename) with a type Ada accepts; content_base64 that decodes
// to 1 byte to 50 MB; a MIME type's shape; display_name for human_agent.
func (a *UploadAttachmentArgs) Validate() error {
	if err := exactlyOne("file_path", "content_base64", a.FilePath, a.ContentBase64); err != nil {
		return err
	}
	if a.ContentBase64 != "" && a.Filename == "" {
		return argErr("filename", "is required with content_base64")
	}
	// file_path's own name is checked too, whatever filename says: the
	// server reads only files of the types Ada accepts (not /etc/shadow
	// uploaded as x.png). Before the local-files check, on every transport.
	if a.FilePath != "" {
		if err := adaclient.ValidateAttachmentName("file_path", filepath.Base(a.FilePath)); err != nil {
			return err
		}
	}
	if a.Filename != "" {
		if err := adaclient.ValidateAttachmentName("filename", a.Filename); err != nil {
			return err
		}
	}
	if a.ContentType != "" {
		if err := adaclient.ValidateContentType("content_type", a.ContentType); err != nil {
			return err
		}
	}
	if a.SendAs == adaclient.RoleHumanAgent && strings.TrimSpace(a.DisplayName) == "" {
		return argErr("display_name", "is required when send_as is human_agent")
	}
	if a.ContentBase64 != "" {
		data, err := decodeBase64(a.ContentBase64)
		if err != nil {
			return err
		}
		a.content = data
	}
	return nil
}

// base64URLToStd reads the URL-safe alphabet as the standard one.
var base64URLToStd = strings.NewReplacer("-", "+", "_", "/")

// decodeBase64 reads base64 (standard or URL-safe alphabet), padded or not,
// ignoring whitespace (line breaks); the size is checked before decoding.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(base64URLToStd.Replace(s), "=")
	if n := base64.RawStdEncoding.DecodedLen(len(s)); n > adaclient.MaxAttachmentBytes {
		return nil, argErr("content_base64", "decodes to about %d bytes; Ada accepts at most 50 MB (%d bytes)", n, adaclient.MaxAttachmentBytes)
	}
	data, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, argErr("content_base64", "is not valid base64")
	}
	if len(data) == 0 {
		return nil, argErr("content_base64", "is empty")
	}
	return data, nil
}

// Name is the file's name: filename, else file_path's base name.
func (a *UploadAttachmentArgs) Name() string {
	if a.Filename != "" {
		return a.Filename
	}
	return filepath.Base(a.FilePath)
}

// Upload is the file to send: content, or else the decoded content_base64.
func (a *UploadAttachmentArgs) Upload(content []byte) *adaclient.AttachmentUpload {
	if content == nil {
		content = a.content
	}
	return &adaclient.AttachmentUpload{Filename: a.Name(), ContentType: a.ContentType, Data: content}
}

// UploadAttachmentResult is upload_attachment's result.
type UploadAttachmentResult struct {
	URL       string `json:"url" jsonschema:"required"`
	MimeType  string `json:"mime_type" jsonschema:"required"`
	Filename  string `json:"filename" jsonschema:"required"`
	MessageID string `json:"message_id,omitempty"`
}

// StartEmailConversationArgs are start_email_conversation's arguments.
type StartEmailConversationArgs struct {
	Name     string   `json:"name" jsonschema:"required,minLength=1" jsonschema_description:"The customer's full name."`
	Subject  string   `json:"subject" jsonschema:"required,minLength=1"`
	ReplyTo  string   `json:"reply_to" jsonschema:"required" jsonschema_description:"The customer's email address."`
	Text     string   `json:"text,omitempty" jsonschema:"maxLength=10240" jsonschema_description:"The customer's inquiry (max 10 KB)."`
	ReplyAs  string   `json:"reply_as,omitempty" jsonschema_description:"Sender address; default: Ada's."`
	CC       []string `json:"cc,omitempty"`
	Metadata Metadata `json:"metadata,omitempty" jsonschema_description:"Metavariables (max 4 KB)."`
}

// Request converts the arguments.
func (a *StartEmailConversationArgs) Request() *adaclient.EmailConversationRequest {
	return &adaclient.EmailConversationRequest{Name: a.Name, Subject: a.Subject, ReplyTo: a.ReplyTo, Text: a.Text,
		ReplyAs: a.ReplyAs, CC: a.CC, Metadata: a.Metadata}
}

// Validate checks what Ada would reject (see EmailConversationRequest.Validate).
func (a *StartEmailConversationArgs) Validate() error { return a.Request().Validate() }

// StartEmailConversationResult is start_email_conversation's result.
type StartEmailConversationResult struct {
	ConversationID string `json:"conversation_id" jsonschema:"required"`
}

// CustomerVisible: a file posted as a human agent is read by the customer as
// a person's.
func (a *UploadAttachmentArgs) CustomerVisible() bool { return a.SendAs == adaclient.RoleHumanAgent }

// CustomerVisible: the conversation starts with an email to the customer.
func (a *StartEmailConversationArgs) CustomerVisible() bool { return true }

// ConversationResource is what the resource ada://conversations/{id} holds.
type ConversationResource struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
	// Truncated: the conversation has more messages than the resource holds.
	Truncated bool `json:"truncated,omitempty"`
}
