package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
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
		newTool(meta{
			name: "end_handoff", title: "End a handoff", toolset: toolsetConversations, hints: writes,
			description: "Hand a conversation back from the human agent to the AI Agent; it stays open. Fails if it is not in a handoff.",
		}, d, endHandoff),
		newTool(meta{
			name: "upload_attachment", title: "Upload an attachment", toolset: toolsetConversations, hints: writes, customerWhen: "as human_agent",
			description: "Upload a file (max 50 MB: documents, images, audio, video, text, ZIP) to a conversation; Ada accepts uploads only while it is in a handoff. Returns its URL (valid 7 days); with send_as, also posts it as a file message.",
			bulky:       []string{"content_base64"},
		}, d, uploadAttachment),
		newTool(meta{
			name: "start_email_conversation", title: "Start an email conversation", toolset: toolsetConversations, hints: writes, customerWhen: "always",
			description: "Start a conversation on Ada's native Email channel: sends an email the customer reads at reply_to, and the AI Agent answers by email. Returns conversation_id.",
		}, d, startEmailConversation),
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
		var hints []string
		if a.ChannelID == "" && adaclient.IsNotFound(err) {
			hints = append(hints, defaultChannelHint(channel)+" Pass a channel_id from list_channels.")
		}
		if endUserID != "" && a.EndUserID == "" {
			hints = append(hints, fmt.Sprintf("The end user %s is ready: retry with end_user_id %s so no duplicate is made.", endUserID, endUserID))
		}
		if len(hints) > 0 {
			return nil, withHint(err, "%s", strings.Join(hints, " "))
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
		if logs[i].IsMessage() {
			msgs = append(msgs, schemas.MessageFromLog(&logs[i]))
		}
	}
	return &schemas.ListMessagesResult{Messages: msgs, Page: pageOf(r)}, nil
}

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
		res.Replies, res.ReplyPending = w.replies, w.pending()
		res.RepliesMayAnswerEarlier, res.NextMessageID = w.uncertain > 0, w.nextMessageID
		res.HandedOff, res.Ended = w.handedOff, w.ended
	}
	return res, nil
}

func (e *Env) conversationEndUser(ctx context.Context, conversationID string) (string, error) {
	if id, ok := e.Deps.authors.get(e.Client, conversationID); ok {
		return id, nil
	}
	if id := e.endUserFromEvents(ctx, conversationID); id != "" {
		e.Deps.authors.put(e.Client, conversationID, id)
		return id, nil
	}
	cv, _, err := e.Client.Conversations.Get(ctx, conversationID)
	if err != nil {
		return "", err
	}
	e.Deps.authors.put(e.Client, cv.ID, cv.EndUserID)
	return cv.EndUserID, nil
}

// endUserFromEvents is the conversation's end user as its kept webhook
// events say (every conversation event names it), so that a replica other
// than the one that started the conversation need not ask Ada. Only for
// the server's own account: webhooks are its conversations' events.
func (e *Env) endUserFromEvents(ctx context.Context, conversationID string) string {
	log := e.events()
	if log == nil {
		return ""
	}
	evs, err := log.Recent(ctx, events.ConversationKey(conversationID))
	if err != nil {
		return ""
	}
	for _, ev := range evs {
		if ev.ConversationID == conversationID && ev.EndUserID != "" {
			return ev.EndUserID
		}
	}
	return ""
}

func endConversation(ctx context.Context, env *Env, a *schemas.ConversationArgs) (*schemas.EndConversationResult, error) {
	res, _, err := env.Client.Conversations.End(ctx, a.ConversationID)
	if err != nil {
		return nil, err
	}
	return &schemas.EndConversationResult{ConversationID: a.ConversationID, Status: adaclient.StatusEnded, Message: res.Message}, nil
}

func askAIAgent(ctx context.Context, env *Env, a *schemas.AskAIAgentArgs) (*schemas.AskAIAgentResult, error) {
	if a.ConversationID != "" {
		// Checked before anything is written: a conversation that is not
		// this customer's, or is ended, leaves no end user made or changed.
		if err := env.checkAskConversation(ctx, a); err != nil {
			return nil, err
		}
	}
	u, _, err := upsert(ctx, env.Client, a.ExternalID, "", a.Profile.Args(), nil)
	if err != nil {
		return nil, err
	}
	conversationID, noGreeting, err := env.askConversation(ctx, a, u.EndUserID)
	if err != nil {
		return nil, err
	}
	start := env.beforeSend(ctx, conversationID)
	start.noGreeting = noGreeting
	author := adaclient.MessageAuthor{ID: u.EndUserID, Role: adaclient.RoleEndUser}
	m, _, err := env.Client.Conversations.SendMessage(ctx, conversationID, adaclient.TextMessage(author, a.Question))
	if err != nil {
		return nil, withHint(err, "The question may not have been sent: check list_messages of conversation %s before asking again.", conversationID)
	}
	w := env.waitForReplies(ctx, conversationID, m, adaclient.RoleEndUser, a.Wait(), start)
	// The greeting, or an earlier question's answer, is never the answer:
	// it stays in replies, flagged.
	answer := w.answer()
	res := &schemas.AskAIAgentResult{Replies: w.replies, ConversationID: conversationID, EndUserID: u.EndUserID,
		HandedOff: w.handedOff, AnswerPending: w.pending(), RepliesMayAnswerEarlier: w.uncertain > 0, Ended: w.ended}
	var parts []string
	for _, r := range answer {
		if t := strings.TrimSpace(shortLink(r)); t != "" {
			parts = append(parts, t)
		}
	}
	res.Answer = strings.Join(parts, "\n\n")
	return res, nil
}

// checkAskConversation checks that the conversation given is active and
// the customer's, whose external_id must then name its end user already.
func (e *Env) checkAskConversation(ctx context.Context, a *schemas.AskAIAgentArgs) error {
	cv, _, err := e.Client.Conversations.Get(ctx, a.ConversationID)
	if err != nil {
		return err
	}
	if cv.Status == adaclient.StatusEnded {
		return &schemas.ArgumentError{Field: "conversation_id", Reason: "is ended: leave conversation_id out to start a new conversation"}
	}
	u, _, err := e.Client.EndUsers.GetByExternalID(ctx, a.ExternalID)
	switch {
	case adaclient.IsNotFound(err):
		u = &adaclient.EndUser{} // no end user has it: not the conversation's
	case err != nil:
		return err
	}
	if u.EndUserID != cv.EndUserID {
		return &schemas.ArgumentError{Field: "conversation_id", Reason: "belongs to another end user than external_id " + a.ExternalID}
	}
	e.Deps.authors.put(e.Client, cv.ID, cv.EndUserID)
	return nil
}

// askConversation is the conversation to ask in: the one given, which
// must be the customer's and active, or a new one on the default channel,
// with whether the new one's AI Agent greets no one (waitForGreeting).
func (e *Env) askConversation(ctx context.Context, a *schemas.AskAIAgentArgs, endUserID string) (id string, noGreeting bool, err error) {
	if a.ConversationID != "" {
		return a.ConversationID, false, nil // checkAskConversation checked it
	}
	if e.Deps.DefaultChannelID == "" {
		return "", false, &schemas.ArgumentError{Field: "conversation_id", Reason: "is required: no default channel is configured (ADA_CHANNEL_ID) to start a conversation on; start_conversation with a channel_id from list_channels gives one"}
	}
	cv, _, err := e.Client.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: e.Deps.DefaultChannelID, EndUserID: endUserID})
	if err != nil {
		if adaclient.IsNotFound(err) {
			return "", false, withHint(err, "%s Start one with start_conversation and a channel_id from list_channels, then pass its conversation_id.", defaultChannelHint(e.Deps.DefaultChannelID))
		}
		return "", false, err
	}
	e.Deps.authors.put(e.Client, cv.ID, cv.EndUserID)
	// Ada posts the greeting asynchronously: asked before it shows, the
	// question's answer would start with the greeting. Wait a little for it.
	return cv.ID, e.waitForGreeting(ctx, cv.ID, min(a.Wait()/3, e.Deps.greetingWait())), nil
}

// defaultChannelHint says that a channel Ada did not find was the operator's
// setting, not the assistant's: only they can correct it.
func defaultChannelHint(id string) string {
	return fmt.Sprintf("The channel was the server's default, %s (ADA_CHANNEL_ID or --channel-id), which the operator should correct if Ada has no such channel.", id)
}

// shortLink is a message as text: its body, or a link's text and URL.
func shortLink(m schemas.Message) string {
	if m.Body != "" {
		return m.Body
	}
	return strings.TrimSpace(m.LinkText + " " + m.URL)
}

func endHandoff(ctx context.Context, env *Env, a *schemas.ConversationArgs) (*schemas.EndHandoffResult, error) {
	res, _, err := env.Client.Conversations.EndHandoff(ctx, a.ConversationID)
	var unknown *adaclient.OutcomeUnknownError
	switch {
	case adaclient.StatusCode(err) == http.StatusUnprocessableEntity:
		// Ada answers an ended conversation so too: ending it ended the handoff.
		if env.conversationEnded(ctx, a.ConversationID) {
			return nil, plainf(err, "Conversation %s has ended: there is no handoff to end, and it takes no more messages", a.ConversationID)
		}
		return nil, plainf(err, "Conversation %s is not in a handoff: nothing to end; the AI Agent already has it", a.ConversationID)
	case errors.As(err, &unknown):
		return nil, withHint(err, "Calling end_handoff again is safe: if this call took effect, it answers that the conversation is not in a handoff.")
	case err != nil:
		return nil, err
	}
	return &schemas.EndHandoffResult{ConversationID: a.ConversationID, Message: res.Message}, nil
}

// conversationEnded reports whether Ada says the conversation has ended
// (false when it cannot tell).
func (e *Env) conversationEnded(ctx context.Context, conversationID string) bool {
	cv, _, err := e.Client.Conversations.Get(ctx, conversationID)
	return err == nil && cv.Status == adaclient.StatusEnded
}

func uploadAttachment(ctx context.Context, env *Env, a *schemas.UploadAttachmentArgs) (*schemas.UploadAttachmentResult, error) {
	var content []byte
	if a.FilePath != "" {
		if !env.Deps.LocalFiles {
			return nil, &schemas.ArgumentError{Field: "file_path", Reason: "is not read by this server (only over stdio, and not with --local-files=false); send the file as content_base64 with filename instead"}
		}
		var err error
		if content, err = readLocalFile(a.FilePath); err != nil {
			return nil, err
		}
	}
	// The message's author is known before the upload, so a wrong
	// conversation id fails before a file is stored.
	var author adaclient.MessageAuthor
	if a.SendAs != "" {
		author = adaclient.MessageAuthor{Role: a.SendAs, DisplayName: a.DisplayName}
		if a.SendAs == adaclient.RoleEndUser {
			id, err := env.conversationEndUser(ctx, a.ConversationID)
			if err != nil {
				return nil, err
			}
			author.ID = id
		}
	}
	att, _, err := env.Client.Conversations.UploadAttachment(ctx, a.ConversationID, a.Upload(content))
	if adaclient.StatusCode(err) == http.StatusBadRequest {
		return nil, withHint(err, "Ada accepts uploads only while the conversation is in a handoff (a human agent has it).")
	}
	if err != nil {
		return nil, err
	}
	res := &schemas.UploadAttachmentResult{URL: att.URL, MimeType: att.MimeType, Filename: att.Filename}
	if a.SendAs != "" {
		m, _, err := env.Client.Conversations.SendMessage(ctx, a.ConversationID, adaclient.FileMessage(author, att))
		if err != nil {
			return nil, withHint(err, "The file was uploaded (url %s) but its message may not have been posted: check list_messages before trying again.", att.URL)
		}
		res.MessageID = m.ID
	}
	return res, nil
}

// readLocalFile reads an upload from this machine's disk: an absolute
// path to a regular file of 1 byte to 50 MB. Its content is never logged.
func readLocalFile(path string) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return &schemas.ArgumentError{Field: "file_path", Reason: fmt.Sprintf(format, args...)}
	}
	if !filepath.IsAbs(path) {
		return nil, bad("must be an absolute path")
	}
	cannotRead := func(err error) error {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return bad("cannot be read: %v", err)
	}
	// A link is judged by the file it leads to: notes.txt linked to
	// /etc/shadow is not a text file.
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, cannotRead(err)
	}
	if err := adaclient.ValidateAttachmentName("file_path", filepath.Base(real)); err != nil {
		return nil, err
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, cannotRead(err)
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, bad("cannot be read: %v", err)
	case !st.Mode().IsRegular():
		return nil, bad("is not a regular file")
	case st.Size() == 0:
		return nil, bad("is empty")
	case st.Size() > adaclient.MaxAttachmentBytes:
		return nil, bad("is %d bytes; Ada accepts at most 50 MB (%d bytes)", st.Size(), adaclient.MaxAttachmentBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, adaclient.MaxAttachmentBytes+1))
	if err != nil {
		return nil, bad("cannot be read: %v", err)
	}
	if len(data) > adaclient.MaxAttachmentBytes {
		return nil, bad("is over 50 MB")
	}
	return data, nil
}

func startEmailConversation(ctx context.Context, env *Env, a *schemas.StartEmailConversationArgs) (*schemas.StartEmailConversationResult, error) {
	out, _, err := env.Client.Conversations.CreateEmail(ctx, a.Request())
	var ada *adaclient.ErrorResponse
	var unknown *adaclient.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		return nil, withHint(err, "The email may have been sent: check with the customer or in Ada before starting another.")
	case errors.As(err, &ada) && ada.StatusCode == http.StatusUnprocessableEntity:
		msg := "Ada could not start the email conversation (422): " + strings.TrimSuffix(ada.Message(), ".")
		if a.ReplyAs != "" {
			msg += ". reply_as must be an address Ada may send from: leave it out for Ada's default, or use one set up through Bring Your Own Domain"
		}
		return nil, plainf(err, "%s", msg)
	case err != nil:
		return nil, err
	}
	return &schemas.StartEmailConversationResult{ConversationID: out.ConversationID}, nil
}
