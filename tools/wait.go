package tools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/internal/adatime"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// How a wait for the AI Agent's answer ends.
const (
	// EventQuiet: once a reply has arrived by event, further messages of
	// the same answer are gathered for this long after the latest one.
	EventQuiet = 250 * time.Millisecond
	// PollQuiet: once polls find the answer, they go on until this long
	// has passed without a new message, gathering the rest of it. With the
	// poll interval this bounds how long after the answer is visible the
	// wait ends: interval + PollQuiet (400 ms by default) plus two round
	// trips.
	PollQuiet = 150 * time.Millisecond
	// EventGrace: a wait fed by events falls back to polling when not one
	// event came for the conversation this long after the send (Ada
	// announces the sent message itself, so silence means the webhook is
	// not reaching this server).
	EventGrace = 2 * time.Second
)

// waitResult is what a wait found.
type waitResult struct {
	// replies: the other roles' messages after the one sent and before
	// the next message of its role (nextMessageID), in Ada's order.
	replies []schemas.Message
	// handedOff: a human agent has the conversation, as far as Ada shows
	// it (a human agent replied, or a message event carried the handoff
	// integration).
	handedOff bool
	ended     bool // the conversation ended while waiting
	// uncertain: how many of the first replies may answer something else
	// than the message sent: an earlier message still unanswered when it
	// was sent, or the start of the conversation (the greeting). Ada's
	// messages do not say what they answer, only when they were written.
	uncertain int
	// nextMessageID: a later message of the sender's role (another call or
	// client); the replies after it are left to it.
	nextMessageID string
}

// answer is the replies presumed to answer the message sent: those after
// the ones that may answer something earlier.
func (r waitResult) answer() []schemas.Message { return r.replies[r.uncertain:] }

// pending: no reply presumed to answer the message sent came, though
// replies may hold some that answer something earlier (the greeting).
func (r waitResult) pending() bool { return len(r.answer()) == 0 }

// waitStart is where a wait starts: the event log's end before the
// message was sent, so no event about it is missed.
type waitStart struct {
	cursor events.Cursor
	ok     bool
	// noGreeting: the conversation is new and no greeting came within
	// greetingWait, so its first reply is taken to answer the message.
	noGreeting bool
}

// greetingWait bounds how long ask_ai_agent waits for the greeting of a
// conversation it started before it asks (an AI Agent may have none).
const greetingWait = 5 * time.Second

// waitForGreeting waits until the AI Agent has written in a new
// conversation, or for wait at most. It reports whether the AI Agent is
// taken to greet no one: wait was the whole greetingWait (Deps can shorten
// it), it ran out, and the message list then shows nothing from the AI
// Agent (events may not be reaching the server).
func (e *Env) waitForGreeting(ctx context.Context, conversationID string, wait time.Duration) (none bool) {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if e.greeted(wctx, conversationID) {
		return false
	}
	if wait < e.Deps.greetingWait() || wctx.Err() == nil || ctx.Err() != nil {
		return false // a shortened wait, an error, or the call's own end: nothing learned
	}
	greeted, err := e.listGreeted(ctx, conversationID)
	return err == nil && !greeted
}

// greeted waits until the AI Agent writes in a new conversation (true), or
// ctx ends or Ada fails (false). The conversation is new, so its events
// are read from the beginning.
func (e *Env) greeted(ctx context.Context, conversationID string) bool {
	if log := e.events(); log != nil {
		cur := events.Cursor("")
		for {
			evs, next, err := log.Next(ctx, events.ConversationKey(conversationID), cur)
			if err != nil {
				return false
			}
			cur = next
			for _, ev := range evs {
				if m, err := ev.Message(); err == nil && m.Author.Role == adaclient.RoleAIAgent && !adaclient.IsPresence(m.Content.Type) {
					return true
				}
			}
		}
	}
	for {
		greeted, err := e.listGreeted(ctx, conversationID)
		if err != nil || greeted {
			return greeted
		}
		t := time.NewTimer(e.Deps.pollInterval())
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// listGreeted reads the message list once: has the AI Agent written?
func (e *Env) listGreeted(ctx context.Context, conversationID string) (bool, error) {
	logs, _, err := e.Client.Conversations.ListMessages(ctx, conversationID, nil)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(logs, func(m adaclient.MessageLog) bool {
		return m.IsMessage() && m.Author.Role == adaclient.RoleAIAgent && !adaclient.IsPresence(m.Content.Type)
	}), nil
}

// events is the event log a call may wait on: the server's, which Ada's
// webhooks fill with its own account's conversations, and only for a call
// to that account. A tenant's call polls its own Ada: with the log, a
// tenant whose Ada answered for a conversation id of the operator's
// (a base URL it controls) would be given that conversation's messages.
func (e *Env) events() events.Log {
	if e.Client != e.Deps.Client {
		return nil
	}
	return e.Deps.Events
}

// beforeSend notes the event log's end for the conversation, when the
// server has a log.
func (e *Env) beforeSend(ctx context.Context, conversationID string) waitStart {
	log := e.events()
	if log == nil {
		return waitStart{}
	}
	c, err := log.End(ctx, events.ConversationKey(conversationID))
	if err != nil {
		e.Deps.logger().Log(ctx, logLevelFor(err), "event log unavailable; waiting by polling", "error", err.Error())
		return waitStart{}
	}
	return waitStart{cursor: c, ok: true}
}

// waitForReplies returns the messages from other roles (the AI Agent's
// answer to an end user, say) that follow the one just sent, once they
// have arrived and a short quiet spell has passed, or when the wait ends.
// It reads the message list once, then follows the conversation's events
// when the server receives Ada's webhooks, and polls otherwise (or when no
// event comes within EventGrace). The wait ends by Deps.AnswerWithin after
// the call came in, whatever wait was asked.
func (e *Env) waitForReplies(ctx context.Context, conversationID string, sent *adaclient.Message, senderRole string, wait time.Duration, start waitStart) waitResult {
	startedAt := time.Now()
	if !e.start.IsZero() {
		wait = max(min(wait, e.Deps.answerWithin()-time.Since(e.start)), 0)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	w := &replyWatch{sentID: sent.ID, sentAt: parseTime(sent.CreatedAt), senderRole: senderRole, seen: map[string]bool{}, noGreeting: start.noGreeting,
		progress: func(m schemas.Message, n int) {
			e.progress(ctx, time.Since(startedAt).Seconds(), wait.Seconds(), fmt.Sprintf("reply %d from %s: %s", n, m.Role, shortText(m)))
		}}
	// What came before our message decides whether one reply is the
	// answer (see answered): the event log knows when it holds the whole
	// conversation; else one read of the message list tells.
	if !start.ok || !e.fromHistory(ctx, conversationID, w) {
		if _, err := w.poll(ctx, e.Client, conversationID); err != nil {
			return w.finish()
		}
	}
	if start.ok && !w.done() {
		if e.followEvents(ctx, conversationID, w, start.cursor) {
			return w.finish()
		}
	}
	e.pollReplies(ctx, conversationID, w)
	e.checkEnded(parent, conversationID, w)
	return w.finish()
}

// checkEnded asks Ada once whether the conversation ended during a wait
// that polled: only events announce the end.
func (e *Env) checkEnded(ctx context.Context, conversationID string, w *replyWatch) {
	if w.result.ended || ctx.Err() != nil {
		return
	}
	w.result.ended = e.conversationEnded(ctx, conversationID)
}

// finish is the result: the replies before the next message of the
// sender's role, in the order Ada wrote them (webhooks may arrive out of
// order), and how many of them may answer something earlier.
func (w *replyWatch) finish() waitResult {
	res := w.result
	res.replies = w.ours()
	slices.SortStableFunc(res.replies, func(a, b schemas.Message) int {
		return parseTime(a.CreatedAt).Compare(parseTime(b.CreatedAt))
	})
	if len(res.replies) > 0 {
		res.uncertain = min(w.uncertain(), len(res.replies))
	}
	res.nextMessageID = w.nextID
	return res
}

// fromHistory takes the conversation's events kept so far, when they are
// its whole history (its creation is among them: nothing was trimmed), and
// reports whether they were.
func (e *Env) fromHistory(ctx context.Context, conversationID string, w *replyWatch) bool {
	evs, err := e.events().Recent(ctx, events.ConversationKey(conversationID))
	if err != nil || !slices.ContainsFunc(evs, func(ev events.Event) bool { return ev.Type == events.TypeConversationCreated }) {
		return false
	}
	slices.SortStableFunc(evs, func(a, b events.Event) int { return a.At.Compare(b.At) })
	for _, ev := range evs {
		w.event(ev)
	}
	return true
}

// followEvents waits on the event log. It reports false when no event at
// all came within EventGrace, so the caller polls instead.
func (e *Env) followEvents(ctx context.Context, conversationID string, w *replyWatch, cur events.Cursor) bool {
	key := events.ConversationKey(conversationID)
	// When events stop arriving (a shutdown), the rest of the wait polls.
	stopped := e.Deps.EventsStopped
	if stopped != nil {
		var stopFollowing context.CancelFunc
		ctx, stopFollowing = context.WithCancel(ctx)
		defer stopFollowing()
		go func() {
			select {
			case <-stopped:
				stopFollowing()
			case <-ctx.Done():
			}
		}()
	}
	isStopped := func() bool {
		select {
		case <-stopped:
			return true
		default:
			return false
		}
	}
	graceEnd := time.Now().Add(e.Deps.eventGrace())
	var quietEnd time.Time
	if w.answered() { // the first read of the list found it
		quietEnd = time.Now().Add(EventQuiet)
	}
	sawEvent := false
	for {
		until := time.Time{}
		switch {
		case w.answered():
			until = quietEnd
		case !sawEvent:
			until = graceEnd
		}
		nctx, cancel := ctx, context.CancelFunc(func() {})
		if !until.IsZero() {
			nctx, cancel = context.WithDeadline(ctx, until)
		}
		evs, next, err := e.events().Next(nctx, key, cur)
		cancel()
		switch {
		case stopped != nil && isStopped():
			e.Deps.logger().Info("the server is shutting down and refuses webhooks; polling for the rest of the wait")
			return w.done()
		case ctx.Err() != nil:
			return true // the wait is over (or cancelled)
		case errors.Is(err, context.DeadlineExceeded):
			if sawEvent {
				return true
			}
			if w.answered() {
				// No event yet (webhooks may be late or not reaching us):
				// polling gathers the rest of the answer.
				return false
			}
			e.Deps.logger().Info("no webhook event for the conversation within the grace period; polling instead",
				"grace", e.Deps.eventGrace().String())
			return false
		case err != nil:
			e.Deps.logger().Log(ctx, logLevelFor(err), "event log failed; polling instead", "error", err.Error())
			return false
		}
		cur, sawEvent = next, true
		slices.SortStableFunc(evs, func(a, b events.Event) int { return a.At.Compare(b.At) })
		for _, ev := range evs {
			w.event(ev)
		}
		if w.done() {
			return true
		}
		if w.answered() {
			quietEnd = time.Now().Add(EventQuiet)
		}
	}
}

// pollReplies polls the message list every poll interval until the answer
// is in and polls for PollQuiet after the latest reply find nothing new.
func (e *Env) pollReplies(ctx context.Context, conversationID string, w *replyWatch) {
	interval := e.Deps.pollInterval()
	lastNew := time.Now()
	for !w.done() {
		sleep := interval
		if w.answered() {
			sleep = min(interval, max(PollQuiet-time.Since(lastNew), 0))
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		added, err := w.poll(ctx, e.Client, conversationID)
		if err != nil {
			return
		}
		if added > 0 {
			lastNew = time.Now()
		} else if w.answered() && time.Since(lastNew) >= PollQuiet {
			return
		}
	}
}

// replyWatch gathers the replies to one sent message from polls and
// events, each message once.
type replyWatch struct {
	sentID, senderRole string
	sentAt             time.Time
	cursor             string // cursor of the newest message page seen
	sentSeen           bool
	otherBefore        bool // another role wrote before our message
	noGreeting         bool // the conversation has no greeting (waitStart)
	// earlier: the messages written before ours, in any order.
	earlier []earlierMessage
	// nextAt, nextID: the first message of our role written after ours.
	nextAt   time.Time
	nextID   string
	seen     map[string]bool
	progress func(m schemas.Message, n int)
	result   waitResult
}

type earlierMessage struct {
	role string
	at   time.Time
}

// uncertain is how many replies may come before the answer to ours: the
// greeting when nobody else had written yet (Ada posts it asynchronously
// after the conversation starts), and one answer for each message of our
// role still unanswered when ours was sent (the AI Agent answers in turn;
// a reply does not say which message it answers).
func (w *replyWatch) uncertain() int {
	n := 0
	if !w.otherBefore && !w.noGreeting {
		n++
	}
	earlier := slices.Clone(w.earlier)
	slices.SortStableFunc(earlier, func(a, b earlierMessage) int { return a.at.Compare(b.at) })
	for i := len(earlier) - 1; i >= 0 && earlier[i].role == w.senderRole; i-- {
		n++
	}
	return n
}

// ours is the replies written before the next message of our role: those
// after it belong to that message's wait.
func (w *replyWatch) ours() []schemas.Message {
	if w.nextAt.IsZero() {
		return slices.Clone(w.result.replies)
	}
	var out []schemas.Message
	for _, m := range w.result.replies {
		if w.beforeNext(m) {
			out = append(out, m)
		}
	}
	return out
}

func (w *replyWatch) beforeNext(m schemas.Message) bool {
	at := parseTime(m.CreatedAt)
	return w.nextAt.IsZero() || at.IsZero() || at.Before(w.nextAt)
}

// answered reports whether the replies so far can be taken as the answer:
// there are more than may answer something earlier (see uncertain), or a
// later message of our role closed the replies to ours. Otherwise keep
// waiting for more until the wait ends.
func (w *replyWatch) answered() bool {
	return !w.nextAt.IsZero() || len(w.ours()) > w.uncertain()
}

// done: nothing more will come (the conversation ended).
func (w *replyWatch) done() bool { return w.result.ended }

// add takes a message in list order (before reports that it precedes
// ours); it reports whether it was a new reply.
func (w *replyWatch) add(m schemas.Message, before bool) bool {
	if w.seen[m.MessageID] || adaclient.IsPresence(m.Type) {
		return false
	}
	w.seen[m.MessageID] = true
	switch {
	case m.MessageID == w.sentID:
		w.sentSeen = true
		return false
	case before:
		w.earlier = append(w.earlier, earlierMessage{role: m.Role, at: parseTime(m.CreatedAt)})
		if m.Role != w.senderRole {
			w.otherBefore = true
		}
		return false
	case m.Role == w.senderRole:
		// Another call or client wrote after ours: what follows answers it.
		if at := parseTime(m.CreatedAt); !at.IsZero() && (w.nextAt.IsZero() || at.Before(w.nextAt)) {
			w.nextAt, w.nextID = at, m.MessageID
		}
		return false
	}
	if m.Role == adaclient.RoleHumanAgent {
		w.result.handedOff = true
	}
	w.result.replies = append(w.result.replies, m)
	if !w.beforeNext(m) {
		return false
	}
	if w.progress != nil {
		w.progress(m, len(w.ours()))
	}
	return true
}

func (w *replyWatch) poll(ctx context.Context, c *adaclient.Client, conversationID string) (int, error) {
	added := 0
	for {
		logs, r, err := c.Conversations.ListMessages(ctx, conversationID, &adaclient.ListOptions{Cursor: w.cursor})
		if err != nil {
			return added, err
		}
		for i := range logs {
			if !logs[i].IsMessage() {
				continue
			}
			m := schemas.MessageFromLog(&logs[i])
			if w.add(m, m.MessageID != w.sentID && (!w.sentSeen || w.before(m.CreatedAt))) {
				added++
			}
		}
		if r.NextCursor == "" {
			return added, nil
		}
		w.cursor = r.NextCursor
	}
}

// event takes one event of the conversation.
func (w *replyWatch) event(ev events.Event) {
	switch ev.Type {
	case events.TypeConversationEnded:
		w.result.ended = true
	case events.TypeConversationMessage:
		m, err := ev.Message()
		if err != nil {
			return
		}
		if m.HandoffIntegration != nil && *m.HandoffIntegration != "" {
			w.result.handedOff = true
		}
		w.add(messageFromEvent(m), w.before(m.CreatedAt))
	}
}

// before reports whether a message was written before ours: one that
// shows up only later (the greeting, posted asynchronously) is not a reply.
func (w *replyWatch) before(createdAt string) bool {
	at := parseTime(createdAt)
	return !w.sentAt.IsZero() && !at.IsZero() && at.Before(w.sentAt)
}

func messageFromEvent(m events.Message) schemas.Message {
	a, c := m.Author, m.Content
	linkText := ""
	if c.LinkText != nil {
		linkText = *c.LinkText
	}
	out := schemas.Message{MessageID: m.MessageID, Role: a.Role, Type: c.Type, Body: c.Body, URL: c.URL, LinkText: linkText,
		MimeType: c.MimeType, Filename: c.Filename, CreatedAt: m.CreatedAt}
	if a.ID != nil {
		out.AuthorID = *a.ID
	}
	if a.DisplayName != nil {
		out.DisplayName = *a.DisplayName
	}
	return out
}

func parseTime(s string) time.Time {
	t, _ := adatime.Parse(s) // Ada writes some without a zone: UTC
	return t
}

// shortText is a message's text for a progress notification, on one line.
func shortText(m schemas.Message) string {
	text := m.Body
	if text == "" {
		text = strings.TrimSpace(m.LinkText + " " + m.URL + m.Filename)
	}
	text = strings.Join(strings.Fields(text), " ")
	text, _ = redact.Cut(text, 199) // between words: half a secret would pass redaction
	return text
}

// logLevelFor is the level of a wait's line about the event log failing:
// debug when the log has already reported the outage (events.ErrUnavailable,
// said once), so that an outage is not one warning a call.
func logLevelFor(err error) slog.Level {
	if errors.Is(err, events.ErrUnavailable) {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}
