package tools

import (
	"context"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetConversations = "conversations"

func conversationTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "start_conversation", title: "Start a conversation", toolset: toolsetConversations, hints: writes,
			description: "Start a conversation with the AI Agent on a custom channel, for an end_user_id or an external_id (+profile) upserted first so the greeting has the context. Returns conversation_id and end_user_id.",
		}, d, startConversation),
		newTool(meta{
			name: "get_conversation", title: "Get a conversation", toolset: toolsetConversations, hints: reads,
			description: "Get a conversation: status (active or ended), channel, end user and metadata.",
		}, d, getConversation),
		newTool(meta{
			name: "update_conversation_metadata", title: "Update conversation metadata", toolset: toolsetConversations, hints: idemWrites,
			description: "Merge keys into a conversation's metadata; a null value removes a key. Returns the conversation.",
		}, d, updateConversationMetadata),
		newTool(meta{
			name: "list_messages", title: "List messages", toolset: toolsetConversations, hints: reads,
			description: "List a conversation's messages (end user, AI Agent, human agent), oldest first, one page at a time.",
		}, d, listMessages),
		newTool(meta{
			name: "send_message", title: "Send a message", toolset: toolsetConversations, hints: writes, customerWhen: "as human_agent",
			description: "Send a text as the end user (default) or a human agent; with wait_for_reply_seconds, return the replies. Not idempotent: if delivery is uncertain, check list_messages before resending.",
		}, d, sendMessage),
		newTool(meta{
			name: "ask_ai_agent", title: "Ask the AI Agent", toolset: toolsetConversations, hints: writes,
			description: "Ask the AI Agent one question as a customer, in one call: finds or creates the end user by external_id, starts (or continues) a conversation, sends, waits. Returns answer and handed_off. For several turns use send_message.",
		}, d, askAIAgent),
		newTool(meta{
			name: "end_conversation", title: "End a conversation", toolset: toolsetConversations, hints: destroys, noConfirm: true,
			description: "End a conversation (status becomes ended; no more messages can be sent).",
		}, d, endConversation),
	}
}

func startConversation(ctx context.Context, env *Env, a *schemas.StartConversationArgs) (*schemas.StartConversationResult, error) {
	channel := a.ChannelID
	if channel == "" {
		channel = env.Deps.DefaultChannelID
	}
	if channel == "" {
		return nil, &schemas.ArgumentError{Field: "channel_id", Reason: "is required: no default channel is configured (ADA_CHANNEL_ID); list_channels shows the custom channels"}
	}
	endUserID, created := a.EndUserID, false
	if a.ExternalID != "" || !a.Profile.Args().IsEmpty() {
		u, c, err := upsert(ctx, env.Client, a.ExternalID, a.EndUserID, a.Profile.Args(), nil)
		if err != nil {
			return nil, err
		}
		endUserID, created = u.EndUserID, c
	}
	cv, _, err := env.Client.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: channel, EndUserID: endUserID, Metadata: a.Metadata})
	if err != nil {
		if endUserID != "" && a.EndUserID == "" {
			return nil, withHint(err, "The end user %s is ready: retry with end_user_id %s so no duplicate is made.", endUserID, endUserID)
		}
		return nil, err
	}
	env.Deps.authors.put(env.Client, cv.ID, cv.EndUserID)
	return &schemas.StartConversationResult{
		ConversationID: cv.ID,
		EndUserID:      cv.EndUserID,
		EndUserCreated: created,
		Conversation:   schemas.ConversationFrom(cv),
	}, nil
}

func getConversation(ctx context.Context, env *Env, a *schemas.ConversationArgs) (*schemas.ConversationResult, error) {
	cv, _, err := env.Client.Conversations.Get(ctx, a.ConversationID)
	if err != nil {
		return nil, err
	}
	env.Deps.authors.put(env.Client, cv.ID, cv.EndUserID)
	return &schemas.ConversationResult{Conversation: schemas.ConversationFrom(cv)}, nil
}

func updateConversationMetadata(ctx context.Context, env *Env, a *schemas.UpdateConversationMetadataArgs) (*schemas.ConversationResult, error) {
	cv, _, err := env.Client.Conversations.UpdateMetadata(ctx, a.ConversationID, a.Metadata)
	if err != nil {
		return nil, err
	}
	return &schemas.ConversationResult{Conversation: schemas.ConversationFrom(cv)}, nil
}

const defaultMessagesPage = 50

func listMessages(ctx context.Context, env *Env, a *schemas.ListMessagesArgs) (*schemas.ListMessagesResult, error) {
	limit := a.Limit
	if limit == 0 {
		limit = defaultMessagesPage
	}
	logs, r, err := env.Client.Conversations.ListMessages(ctx, a.ConversationID, &adaclient.ListOptions{Limit: limit, Cursor: a.Cursor})
	if err != nil {
		return nil, err
	}
	msgs := make([]schemas.Message, 0, len(logs))
	for i := range logs {
		if isMessage(&logs[i]) {
			msgs = append(msgs, schemas.MessageFromLog(&logs[i]))
		}
	}
	return &schemas.ListMessagesResult{Messages: msgs, Page: pageOf(r)}, nil
}

// isMessage skips list items of types other than message_logs, which Ada
// may add.
func isMessage(m *adaclient.MessageLog) bool { return m.Type == "" || m.Type == "message_logs" }

func sendMessage(ctx context.Context, env *Env, a *schemas.SendMessageArgs) (*schemas.SendMessageResult, error) {
	role := a.Role
	if role == "" {
		role = adaclient.RoleEndUser
	}
	author := adaclient.MessageAuthor{ID: a.AuthorID, Role: role, Avatar: a.Avatar, DisplayName: a.DisplayName}
	if role == adaclient.RoleEndUser && author.ID == "" {
		id, err := env.conversationEndUser(ctx, a.ConversationID)
		if err != nil {
			return nil, err
		}
		author.ID = id
	}
	var start waitStart
	if a.WaitForReplySeconds > 0 {
		start = env.beforeSend(ctx, a.ConversationID)
	}
	m, _, err := env.Client.Conversations.SendMessage(ctx, a.ConversationID, adaclient.TextMessage(author, a.Body))
	if err != nil {
		return nil, hintIfUncertain(err, "Check list_messages before sending it again.")
	}
	res := &schemas.SendMessageResult{Message: schemas.SentFrom(m)}
	if a.WaitForReplySeconds > 0 {
		w := env.waitForReplies(ctx, a.ConversationID, m, role, a.ExtraTime(), start)
		res.Replies, res.ReplyPending = w.replies, len(w.replies) == 0
	}
	return res, nil
}

func (e *Env) conversationEndUser(ctx context.Context, conversationID string) (string, error) {
	if id, ok := e.Deps.authors.get(e.Client, conversationID); ok {
		return id, nil
	}
	cv, _, err := e.Client.Conversations.Get(ctx, conversationID)
	if err != nil {
		return "", err
	}
	e.Deps.authors.put(e.Client, cv.ID, cv.EndUserID)
	return cv.EndUserID, nil
}

func endConversation(ctx context.Context, env *Env, a *schemas.ConversationArgs) (*schemas.EndConversationResult, error) {
	res, _, err := env.Client.Conversations.End(ctx, a.ConversationID)
	if err != nil {
		return nil, err
	}
	return &schemas.EndConversationResult{ConversationID: a.ConversationID, Status: adaclient.StatusEnded, Message: res.Message}, nil
}

func askAIAgent(ctx context.Context, env *Env, a *schemas.AskAIAgentArgs) (*schemas.AskAIAgentResult, error) {
	u, _, err := upsert(ctx, env.Client, a.ExternalID, "", a.Profile.Args(), nil)
	if err != nil {
		return nil, err
	}
	conversationID, err := env.askConversation(ctx, a, u.EndUserID)
	if err != nil {
		return nil, err
	}
	start := env.beforeSend(ctx, conversationID)
	author := adaclient.MessageAuthor{ID: u.EndUserID, Role: adaclient.RoleEndUser}
	m, _, err := env.Client.Conversations.SendMessage(ctx, conversationID, adaclient.TextMessage(author, a.Question))
	if err != nil {
		return nil, withHint(err, "The question may not have been sent: check list_messages of conversation %s before asking again.", conversationID)
	}
	w := env.waitForReplies(ctx, conversationID, m, adaclient.RoleEndUser, a.Wait(), start)
	res := &schemas.AskAIAgentResult{Replies: w.replies, ConversationID: conversationID, EndUserID: u.EndUserID,
		HandedOff: w.handedOff, AnswerPending: len(w.replies) == 0}
	var parts []string
	for _, r := range w.replies {
		if t := strings.TrimSpace(shortLink(r)); t != "" {
			parts = append(parts, t)
		}
	}
	res.Answer = strings.Join(parts, "\n\n")
	return res, nil
}

// askConversation is the conversation to ask in: the one given, which
// must be the customer's and active, or a new one on the default channel.
func (e *Env) askConversation(ctx context.Context, a *schemas.AskAIAgentArgs, endUserID string) (string, error) {
	if a.ConversationID != "" {
		cv, _, err := e.Client.Conversations.Get(ctx, a.ConversationID)
		if err != nil {
			return "", err
		}
		switch {
		case cv.EndUserID != endUserID:
			return "", &schemas.ArgumentError{Field: "conversation_id", Reason: "belongs to another end user than external_id " + a.ExternalID}
		case cv.Status == adaclient.StatusEnded:
			return "", &schemas.ArgumentError{Field: "conversation_id", Reason: "is ended: leave conversation_id out to start a new conversation"}
		}
		return cv.ID, nil
	}
	if e.Deps.DefaultChannelID == "" {
		return "", &schemas.ArgumentError{Field: "conversation_id", Reason: "is required: no default channel is configured (ADA_CHANNEL_ID) to start a conversation on"}
	}
	cv, _, err := e.Client.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: e.Deps.DefaultChannelID, EndUserID: endUserID})
	if err != nil {
		return "", err
	}
	e.Deps.authors.put(e.Client, cv.ID, cv.EndUserID)
	// Ada posts the greeting asynchronously: asked before it shows, the
	// question's answer would start with the greeting. Wait a little for it.
	e.waitForGreeting(ctx, cv.ID, min(a.Wait()/3, greetingWait))
	return cv.ID, nil
}

// shortLink is a message as text: its body, or a link's text and URL.
func shortLink(m schemas.Message) string {
	if m.Body != "" {
		return m.Body
	}
	return strings.TrimSpace(m.LinkText + " " + m.URL)
}
