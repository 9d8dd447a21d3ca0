package adasim

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Conversations API (ada-api.md section 2; seed "Conversations getting started").

const (
	statusActive = "active"
	statusEnded  = "ended"

	roleEndUser    = "end_user"
	roleAIAgent    = "ai_agent"
	roleHumanAgent = "human_agent"

	contentText = "text"
	contentFile = "file"
	contentLink = "link"
)

type conversation struct {
	id, channelID, endUserID string
	status                   string
	metadata                 map[string]any
	createdAt, updatedAt     time.Time
	handoff                  bool       // a human agent has the conversation; the AI Agent is silent
	domain                   string     // ai_agent_domain in webhook data: the host it was created on
	messages                 []*message // chronological: by createdAt, then seq
	nextSeq                  int
}

type message struct {
	conversation *conversation
	id           string
	seq          int
	createdAt    time.Time
	role         string
	authorID     *string
	avatar       *string
	displayName  *string
	content      messageContent
	visible      bool // false while the AI Agent is still "typing" (ReplyDelay)
	toHandoff    bool // sent to the human agent (handoff_integration in webhooks)
}

// messageContent is text {type, body}, file {type, url, mime_type, filename} or link
// {type, url, link_text} (MessageLogsContent).
type messageContent struct {
	Type     string
	Body     string
	URL      string
	MimeType string
	Filename string
	LinkText *string
}

func (c messageContent) MarshalJSON() ([]byte, error) {
	switch c.Type {
	case contentFile:
		return json.Marshal(struct {
			Type     string `json:"type"`
			URL      string `json:"url"`
			MimeType string `json:"mime_type"`
			Filename string `json:"filename"`
		}{c.Type, c.URL, c.MimeType, c.Filename})
	case contentLink:
		return json.Marshal(struct {
			Type     string  `json:"type"`
			URL      string  `json:"url"`
			LinkText *string `json:"link_text"`
		}{c.Type, c.URL, c.LinkText})
	default:
		return json.Marshal(struct {
			Type string `json:"type"`
			Body string `json:"body"`
		}{c.Type, c.Body})
	}
}

type conversationJSON struct {
	ID        string         `json:"id"`
	ChannelID string         `json:"channel_id"`
	EndUserID string         `json:"end_user_id"`
	Status    string         `json:"status"`
	CreatedAt string         `json:"created_at"`
	UpdatedAt string         `json:"updated_at"`
	Metadata  map[string]any `json:"metadata"`
}

func (cv *conversation) toJSON() conversationJSON {
	return conversationJSON{ID: cv.id, ChannelID: cv.channelID, EndUserID: cv.endUserID, Status: cv.status,
		CreatedAt: formatTime(cv.createdAt), UpdatedAt: formatTime(cv.updatedAt), Metadata: maps.Clone(cv.metadata)}
}

type authorJSON struct {
	ID          *string `json:"id"`
	Role        string  `json:"role"`
	Avatar      *string `json:"avatar"`
	DisplayName *string `json:"display_name"`
}

// messageJSON is the Message returned by POST .../messages/.
type messageJSON struct {
	ID             string         `json:"id"`
	ConversationID string         `json:"conversation_id"`
	Author         authorJSON     `json:"author"`
	Content        messageContent `json:"content"`
	CreatedAt      string         `json:"created_at"`
	UpdatedAt      string         `json:"updated_at"`
}

// messageLogJSON is an item of GET .../messages/ (MessageLogs).
type messageLogJSON struct {
	Type      string         `json:"type"`
	MessageID string         `json:"message_id"`
	CreatedAt string         `json:"created_at"`
	Author    authorJSON     `json:"author"`
	Content   messageContent `json:"content"`
}

// author is the message's author; the id is the end user's for end_user and null otherwise.
func (m *message) author() authorJSON {
	a := authorJSON{Role: m.role, Avatar: copyString(m.avatar), DisplayName: copyString(m.displayName)}
	if m.role == roleEndUser {
		a.ID = copyString(m.authorID)
	}
	return a
}

func (m *message) toJSON() messageJSON {
	at := formatTime(m.createdAt)
	return messageJSON{ID: m.id, ConversationID: m.conversation.id, Author: m.author(), Content: m.content, CreatedAt: at, UpdatedAt: at}
}

func (m *message) toLogJSON() messageLogJSON {
	return messageLogJSON{Type: "message_logs", MessageID: m.id, CreatedAt: formatTime(m.createdAt), Author: m.author(), Content: m.content}
}

// addMessage inserts m in chronological order. Callers hold mu.
func (cv *conversation) addMessage(m *message) {
	cv.nextSeq++
	m.seq = cv.nextSeq
	m.conversation = cv
	i := len(cv.messages)
	for i > 0 && cv.messages[i-1].createdAt.After(m.createdAt) {
		i--
	}
	cv.messages = slices.Insert(cv.messages, i, m)
}

// dropMessage removes a message that never became visible. Callers hold mu.
func (cv *conversation) dropMessage(m *message) {
	if i := slices.Index(cv.messages, m); i >= 0 {
		cv.messages = slices.Delete(cv.messages, i, i+1)
	}
}

// emitMessage announces a visible message (v1.conversation.message). Callers hold mu.
func (s *Sim) emitMessage(m *message) {
	cv := m.conversation
	data := conversationMessageData{MessageID: m.id, ConversationID: cv.id, EndUserID: cv.endUserID,
		CreatedAt: formatTime(m.createdAt), Author: m.author(), Content: m.content, AIAgentDomain: cv.domain}
	if m.toHandoff {
		name := handoffIntegration
		data.HandoffIntegration = &name
	}
	if ch := s.channels.byID[cv.channelID]; ch != nil {
		data.Channel = ch.toJSON()
	}
	s.emit(EventConversationMessage, m.createdAt, data)
}

// agentSays stores a message of the AI Agent, visible after ReplyDelay.
func (s *Sim) agentSays(cv *conversation, content messageContent) {
	s.agentSaysAfter(cv, content, s.replyDelay(0))
}

// agentSaysAfter stores a message of the AI Agent. Its id and time are fixed now, so replays
// stay deterministic whatever the delay; it becomes visible after delay. Callers hold mu.
func (s *Sim) agentSaysAfter(cv *conversation, content messageContent, delay time.Duration) {
	name := aiAgentDisplayName
	m := &message{id: s.newID(), createdAt: s.clock.Tick(), role: roleAIAgent, displayName: &name, content: content}
	// An announcement of a handoff is already directed to the handoff
	// integration (an assumption: Ada documents handoff_integration as
	// null only for messages directed to the AI Agent).
	m.toHandoff = cv.handoff
	if delay <= 0 || s.closed {
		m.visible = true
		cv.addMessage(m)
		s.emitMessage(m)
		return
	}
	if !s.clock.logical {
		m.createdAt = m.createdAt.Add(delay) // it is written when it appears
	}
	cv.addMessage(m)
	s.pending[m] = time.AfterFunc(delay, func() { s.deliver(m) })
}

// deliver makes a delayed AI Agent message visible, unless it was dropped meanwhile. Earlier
// pending messages of the conversation appear first: timers that fire close together may run
// out of order.
func (s *Sim) deliver(m *message) {
	s.mu.Lock()
	if _, pending := s.pending[m]; pending {
		for _, earlier := range m.conversation.messages {
			if earlier == m {
				break
			}
			if timer, pending := s.pending[earlier]; pending {
				timer.Stop()
				s.show(earlier)
			}
		}
		s.show(m)
	}
	s.mu.Unlock()
	s.flushEvents()
}

// show makes a pending message visible and announces it. Callers hold mu.
func (s *Sim) show(m *message) {
	delete(s.pending, m)
	m.visible = true
	s.emitMessage(m)
}

// dropPendingReplies cancels the AI Agent's messages not yet visible in cv. Callers hold mu.
func (s *Sim) dropPendingReplies(cv *conversation) {
	for m, timer := range s.pending {
		if m.conversation == cv {
			timer.Stop()
			delete(s.pending, m)
			cv.dropMessage(m)
		}
	}
}

func textContent(body string) messageContent { return messageContent{Type: contentText, Body: body} }

// createConversation is POST /v2/conversations/: 201. channel_id is required and must be a
// custom channel; without end_user_id a new blank end user is created. The AI Agent then greets
// the end user with the context set on them.
func (s *Sim) createConversation(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	channelID, err := obj.requiredString("channel_id", "channel_id")
	if err != nil {
		return 0, nil, err
	}
	endUserID, err := obj.stringField("end_user_id", "end_user_id")
	if err != nil {
		return 0, nil, err
	}
	metadata := map[string]any{}
	if raw, ok := obj["metadata"]; ok && !isNull(raw) {
		if metadata, err = decodeMetadata(raw, "metadata", metadataRules{allowFloat: true}); err != nil {
			return 0, nil, err
		}
		if err := checkMetadataSize(metadata, "metadata", otherMetadataMaxBytes); err != nil {
			return 0, nil, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	ch := s.channels.byID[channelID]
	if ch == nil {
		return 0, nil, notFound("Channel %q not found.", channelID)
	}
	if ch.typ != channelTypeCustom {
		return 0, nil, invalidField("channel_id", "Conversations can only be created on custom channels.")
	}
	var u *endUser
	if endUserID.present && !endUserID.null {
		if u = s.endUsers.byID[endUserID.value]; u == nil {
			return 0, nil, notFound("End user %q not found.", endUserID.value)
		}
	} else {
		u = s.newEndUser(s.clock.Tick(), false)
		s.emit(EventEndUserCreated, u.createdAt, u.toJSON())
	}
	u.attach()

	at := s.clock.Tick()
	cv := &conversation{id: s.newID(), channelID: ch.id, endUserID: u.id, status: statusActive,
		metadata: metadata, createdAt: at, updatedAt: at, domain: c.r.Host}
	s.conversations[cv.id] = cv
	s.conversationOrder = append(s.conversationOrder, cv)
	s.emit(EventConversationCreated, at, conversationCreatedData{ConversationID: cv.id, ChannelID: cv.channelID,
		CreatedAt: formatTime(at), EndUserID: u.id, Metadata: maps.Clone(metadata), AIAgentDomain: cv.domain})
	if !s.silent {
		s.agentSays(cv, textContent(greeting(u)))
	}
	return http.StatusCreated, cv.toJSON(), nil
}

// conversationLocked finds a conversation (404 otherwise). Callers hold mu.
func (s *Sim) conversationLocked(id string) (*conversation, *apiError) {
	cv := s.conversations[id]
	if cv == nil {
		return nil, notFound("Conversation %q not found.", id)
	}
	return cv, nil
}

// getConversation is GET /v2/conversations/{conversation_id}/.
func (s *Sim) getConversation(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, cv.toJSON(), nil
}

// patchConversation is PATCH /v2/conversations/{conversation_id}/: metadata (required) is
// added to the existing metadata; a null value removes a key; the result is at most 4 KB.
func (s *Sim) patchConversation(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	raw, ok := obj["metadata"]
	if !ok || isNull(raw) {
		return 0, nil, invalidField("metadata", "metadata is required.")
	}
	update, err := decodeMetadata(raw, "metadata", metadataRules{allowFloat: true, allowNull: true})
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	merged := mergeMetadata(cv.metadata, update)
	if err := checkMetadataSize(merged, "metadata", otherMetadataMaxBytes); err != nil {
		return 0, nil, err
	}
	cv.metadata = merged
	cv.updatedAt = s.clock.Tick()
	return http.StatusOK, cv.toJSON(), nil
}

// getMessages is GET /v2/conversations/{conversation_id}/messages/: chronological, paginated.
func (s *Sim) getMessages(c *call) (int, any, *apiError) {
	p, err := parsePageParams(c.r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	var visible []*message
	for _, m := range cv.messages {
		if m.visible {
			visible = append(visible, m)
		}
	}
	start := 0
	if p.cursor != "" {
		start = slices.IndexFunc(visible, func(m *message) bool { return m.id == p.cursor })
		if start < 0 {
			return 0, nil, badRequest("cursor %q is not a valid cursor for this list.", p.cursor)
		}
	}
	page, next := pageFrom(visible, start, p.limit, func(m *message) string { return m.id })
	body := listPage[messageLogJSON]{Data: make([]messageLogJSON, 0, len(page)), Meta: pageMeta{NextPageURL: nextPageURL(c.r, next, p.limit)}}
	for _, m := range page {
		body.Data = append(body.Data, m.toLogJSON())
	}
	return http.StatusOK, body, nil
}

// parseMessageRequest validates a MessageCreateRequest: author.role is end_user (author.id
// required) or human_agent (display_name required), never ai_agent; content is text with a
// non-empty body, or file with url, mime_type and filename.
func parseMessageRequest(obj jsonObject) (*message, *apiError) {
	author, _, err := obj.objectField("author", "author")
	if err != nil {
		return nil, err
	}
	if author == nil {
		return nil, invalidField("author", "author is required.")
	}
	m := &message{}
	if m.role, err = author.requiredString("role", "author.role"); err != nil {
		return nil, err
	}
	switch m.role {
	case roleEndUser, roleHumanAgent:
	case roleAIAgent:
		return nil, invalidField("author.role", "Messages cannot be posted as the AI Agent: author.role must be end_user or human_agent.")
	default:
		return nil, invalidField("author.role", "author.role must be end_user or human_agent.")
	}
	for _, f := range []struct {
		key string
		ptr **string
	}{{"id", &m.authorID}, {"avatar", &m.avatar}, {"display_name", &m.displayName}} {
		v, err := author.stringField(f.key, "author."+f.key)
		if err != nil {
			return nil, err
		}
		if v.present && !v.null {
			*f.ptr = &v.value
		}
	}
	if m.role == roleEndUser && m.authorID == nil {
		return nil, invalidField("author.id", "author.id is required when author.role is end_user.")
	}
	if m.role == roleHumanAgent {
		if m.displayName == nil || strings.TrimSpace(*m.displayName) == "" {
			return nil, invalidField("author.display_name", "author.display_name is required when author.role is human_agent.")
		}
		m.authorID = nil // MessageLogs: the id is null for ai_agent and human_agent
	}

	content, _, err := obj.objectField("content", "content")
	if err != nil {
		return nil, err
	}
	if content == nil {
		return nil, invalidField("content", "content is required.")
	}
	if m.content.Type, err = content.requiredString("type", "content.type"); err != nil {
		return nil, err
	}
	switch m.content.Type {
	case contentText:
		if m.content.Body, err = content.requiredString("body", "content.body"); err != nil {
			return nil, err
		}
		if strings.TrimSpace(m.content.Body) == "" {
			return nil, invalidField("content.body", "content.body must not be empty.")
		}
	case contentFile:
		for _, f := range []struct {
			key string
			ptr *string
		}{{"url", &m.content.URL}, {"mime_type", &m.content.MimeType}, {"filename", &m.content.Filename}} {
			if *f.ptr, err = content.requiredString(f.key, "content."+f.key); err != nil {
				return nil, err
			}
			if *f.ptr == "" {
				return nil, invalidField("content."+f.key, "content.%s must not be empty.", f.key)
			}
		}
		if u, parseErr := url.Parse(m.content.URL); parseErr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, invalidField("content.url", "content.url must be an absolute http(s) URL.")
		}
	default:
		return nil, invalidField("content.type", "content.type must be text or file.")
	}
	return m, nil
}

// postMessage is POST /v2/conversations/{conversation_id}/messages/: 201 and the Message. The
// AI Agent's reply is not in the response: it appears in the message list (after ReplyDelay).
func (s *Sim) postMessage(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	m, err := parseMessageRequest(obj)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	if cv.status == statusEnded {
		return 0, nil, badRequest("Conversation %q has ended; no more messages can be added.", cv.id)
	}
	if m.role == roleEndUser && *m.authorID != cv.endUserID {
		return 0, nil, invalidField("author.id", "author.id must be the end user of this conversation (%s).", cv.endUserID)
	}
	m.id = s.newID()
	m.createdAt = s.clock.Tick()
	m.visible = true
	m.toHandoff = cv.handoff
	cv.addMessage(m)
	s.emitMessage(m)

	if m.role == roleEndUser {
		s.answerEndUser(cv, m)
	}
	return http.StatusCreated, m.toJSON(), nil
}

// answerEndUser has the AI Agent answer an end-user message, unless a human agent has the
// conversation. Callers hold mu.
func (s *Sim) answerEndUser(cv *conversation, m *message) {
	if cv.handoff {
		return
	}
	if u := s.endUsers.byID[cv.endUserID]; u != nil {
		replies, handoff := s.respond(u, m.content)
		// The handoff starts when the message is received, even if the replies are still
		// being "typed" (ReplyDelay).
		cv.handoff = handoff
		for i, reply := range replies {
			s.agentSaysAfter(cv, textContent(reply), s.replyDelay(i))
		}
	}
}

// endConversation is POST /v2/conversations/{conversation_id}/end/: 200 {"message"}; ending an
// ended conversation is 200 again. Ending drops pending AI Agent replies and any handoff, and
// the AI Agent posts a CSAT link (Ada "may send CSAT as a link message" at the end).
func (s *Sim) endConversation(c *call) (int, any, *apiError) {
	if _, err := readBody(c.w, c.r); err != nil { // no body is defined; only its size is checked
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	if cv.status != statusEnded {
		s.dropPendingReplies(cv)
		cv.handoff = false
		cv.status = statusEnded
		at := s.clock.Tick()
		cv.updatedAt = at
		endUserID := cv.endUserID
		s.emit(EventConversationEnded, at, conversationEndedData{ConversationID: cv.id, ChannelID: cv.channelID,
			EndUserID: cv.endUserID, CreatedAt: formatTime(cv.createdAt), UpdatedAt: formatTime(at),
			EndedBy: endedByJSON{ID: &endUserID, Role: roleEndUser}, Metadata: maps.Clone(cv.metadata), AIAgentDomain: cv.domain})
		u := s.endUsers.byID[cv.endUserID]
		var language *string
		if u != nil {
			language = u.profile.language
		}
		linkText := textsFor(language).csatLinkText
		csat := &message{id: s.newID(), createdAt: s.clock.Tick(), role: roleAIAgent, visible: true,
			content: messageContent{Type: contentLink, URL: "https://example.ada.support/csat/" + cv.id, LinkText: &linkText}}
		name := aiAgentDisplayName
		csat.displayName = &name
		cv.addMessage(csat)
		s.emitMessage(csat)
	}
	return http.StatusOK, map[string]string{"message": "Conversation ended successfully"}, nil
}

// endHandoff is POST /v2/conversations/{conversation_id}/end-handoff/: 200 {"message"} and the
// AI Agent takes the conversation back; 422 when it is not in a handoff.
func (s *Sim) endHandoff(c *call) (int, any, *apiError) {
	if _, err := readBody(c.w, c.r); err != nil { // no body is defined (Ada's demo sends {})
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	if !cv.handoff {
		return 0, nil, unprocessable("Conversation %q is not in an active handoff state.", cv.id)
	}
	cv.handoff = false
	at := s.clock.Tick()
	s.emit(EventConversationHandoffEnded, at, handoffEndedData{ConversationID: cv.id, EndUserID: cv.endUserID,
		HandoffIntegration: handoffIntegration, AIAgentDomain: cv.domain})
	var language *string
	if u := s.endUsers.byID[cv.endUserID]; u != nil {
		language = u.profile.language
	}
	s.agentSays(cv, textContent(textsFor(language).handoffEnded))
	return http.StatusOK, map[string]string{"message": "Handoff ended successfully"}, nil
}
