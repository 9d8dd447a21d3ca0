package adasim

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/mail"
	"strings"
)

// Email conversations (ada-api.md section 2; Ada's create-email-conversation operation): POST
// /v2/conversations/email/ starts a conversation with a customer on Ada's native Email channel
// and answers 200 {conversation_id}. Only the AI Agent's default address or a BYOD-configured
// one may be the sender (reply_as); another is 422.

const (
	// maxEmailTextBytes: "The customer's inquiry, limited to 10 KB" (KB as 1024 bytes).
	maxEmailTextBytes = 10 << 10
	// sandboxEmailDomain stands for the addresses configured through Bring Your Own Domain:
	// reply_as must be empty (Ada's default address) or an address on it (an assumption).
	sandboxEmailDomain = "sandbox.ada.support"
)

// emailConversationRequest is a decoded EmailConversationCreateRequest.
type emailConversationRequest struct {
	name, subject, replyTo, text string
	metadata                     map[string]any
}

// parseEmailConversation checks the request: name, subject and reply_to (an email address)
// required, text at most 10 KB, reply_as and cc email addresses, metadata at most 4 KB of
// string|boolean|integer|number values: 400 otherwise. reply_as on another domain than the
// sandbox's is 422 (valid, but not an address this AI Agent can send from).
func parseEmailConversation(obj jsonObject) (*emailConversationRequest, *apiError) {
	req := &emailConversationRequest{metadata: map[string]any{}}
	for _, f := range []struct {
		key string
		ptr *string
	}{{"name", &req.name}, {"subject", &req.subject}, {"reply_to", &req.replyTo}} {
		v, err := obj.requiredString(f.key, f.key)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(v) == "" {
			return nil, invalidField(f.key, "%s must not be empty.", f.key)
		}
		*f.ptr = v
	}
	if !isEmailAddress(req.replyTo) {
		return nil, invalidField("reply_to", "reply_to must be an email address.")
	}
	text, err := obj.stringField("text", "text")
	if err != nil {
		return nil, err
	}
	req.text = text.value
	if len(req.text) > maxEmailTextBytes {
		return nil, invalidField("text", "text is limited to 10 KB.")
	}
	replyAs, err := obj.stringField("reply_as", "reply_as")
	if err != nil {
		return nil, err
	}
	if replyAs.value != "" && !isEmailAddress(replyAs.value) {
		return nil, invalidField("reply_as", "reply_as must be an email address.")
	}
	if raw, ok := obj["cc"]; ok && !isNull(raw) {
		var cc []string
		if json.Unmarshal(raw, &cc) != nil {
			return nil, invalidField("cc", "cc must be an array of email addresses.")
		}
		for _, addr := range cc {
			if !isEmailAddress(addr) {
				return nil, invalidField("cc", "cc must be an array of email addresses.")
			}
		}
	}
	if raw, ok := obj["metadata"]; ok && !isNull(raw) {
		if req.metadata, err = decodeMetadata(raw, "metadata", metadataRules{allowFloat: true}); err != nil {
			return nil, err
		}
		if err := checkMetadataSize(req.metadata, "metadata", otherMetadataMaxBytes); err != nil {
			return nil, err
		}
	}
	if replyAs.value != "" {
		_, domain, _ := strings.Cut(replyAs.value, "@")
		if !strings.EqualFold(domain, sandboxEmailDomain) {
			return nil, unprocessable("reply_as %q is not an email address this AI Agent can send from: use the default Ada address (leave reply_as out) or one configured through Bring Your Own Domain (in the simulator: @%s).", replyAs.value, sandboxEmailDomain)
		}
	}
	return req, nil
}

// isEmailAddress accepts a bare address, name@domain.
func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(a.Address, "@")
}

// createEmailConversation is POST /v2/conversations/email/: 200 {conversation_id}. The
// conversation is on the native Email channel (created on first use, so that the seeded ids
// never change); its end user is the one whose profile email is reply_to (case-insensitively,
// the first created), else a new one with that email and name as display_name. The inquiry
// (text, or the subject when there is none) is the end user's first message, which the AI
// Agent answers as any other.
func (s *Sim) createEmailConversation(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	req, err := parseEmailConversation(obj)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	ch := s.emailChannelLocked()
	u := s.endUserByEmailLocked(req.replyTo)
	if u == nil {
		u = s.newEndUser(s.clock.Tick(), false)
		email, name := req.replyTo, req.name
		u.profile.email, u.profile.displayName = &email, &name
		s.emit(EventEndUserCreated, u.createdAt, u.toJSON())
	}
	u.attach()

	at := s.clock.Tick()
	cv := &conversation{id: s.newID(), channelID: ch.id, endUserID: u.id, status: statusActive,
		metadata: req.metadata, createdAt: at, updatedAt: at, domain: c.r.Host}
	s.conversations[cv.id] = cv
	s.conversationOrder = append(s.conversationOrder, cv)
	s.emit(EventConversationCreated, at, conversationCreatedData{ConversationID: cv.id, ChannelID: cv.channelID,
		CreatedAt: formatTime(at), EndUserID: u.id, Metadata: maps.Clone(req.metadata), AIAgentDomain: cv.domain})

	body := req.text
	if strings.TrimSpace(body) == "" {
		body = req.subject
	}
	authorID, name := u.id, req.name
	m := &message{id: s.newID(), createdAt: s.clock.Tick(), role: roleEndUser, authorID: &authorID,
		displayName: &name, content: textContent(body), visible: true}
	cv.addMessage(m)
	s.emitMessage(m)
	s.answerEndUser(cv, m)
	return http.StatusOK, map[string]string{"conversation_id": cv.id}, nil
}

// emailChannelLocked is Ada's native Email channel, created the first time it is needed. Callers
// hold mu.
func (s *Sim) emailChannelLocked() *channel {
	for _, ch := range s.channels.order {
		if ch.typ == channelTypeNative && ch.modality == "email" {
			return ch
		}
	}
	ch := &channel{typ: channelTypeNative, name: "Email",
		description: "Ada's native Email channel (created by the simulator on first use)", modality: "email",
		createdAt: s.clock.Tick()}
	s.addChannel(ch)
	return ch
}

// endUserByEmailLocked is the first end user whose profile email is addr, case-insensitively.
// Callers hold mu.
func (s *Sim) endUserByEmailLocked(addr string) *endUser {
	for _, u := range s.endUsers.order {
		if u.profile.email != nil && strings.EqualFold(*u.profile.email, addr) {
			return u
		}
	}
	return nil
}
