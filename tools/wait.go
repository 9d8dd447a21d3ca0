package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// waitForReplies polls the conversation for messages that follow the one
// just sent and come from another role (the AI Agent's answer to an end
// user, say) until some have arrived and a further poll finds no more, or
// the wait ends. It reports whether the wait ended with nothing. Ada also
// announces messages by webhook; polling needs no public endpoint, which a
// stdio server does not have.
func (e *Env) waitForReplies(ctx context.Context, conversationID, sentID, senderRole string, wait time.Duration) ([]schemas.Message, bool) {
	start := time.Now()
	deadline := start.Add(wait)
	interval := e.Deps.pollInterval()
	w := &replyWatch{sentID: sentID, senderRole: senderRole, seen: map[string]bool{}}
	for {
		added, err := w.poll(ctx, e.Client, conversationID)
		if err != nil || (added == 0 && w.answered()) {
			break
		}
		now := time.Now()
		if !now.Before(deadline) {
			break
		}
		e.progress(ctx, now.Sub(start).Seconds(), wait.Seconds(), fmt.Sprintf("waiting for a reply (%d so far)", len(w.replies)))
		sleep := interval
		if len(w.replies) > 0 {
			sleep = interval / 2 // replies arrived: one short look for more
		}
		if left := deadline.Sub(now); sleep > left {
			sleep = left
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return w.replies, len(w.replies) == 0
		case <-t.C:
		}
		if interval < 4*e.Deps.pollInterval() {
			interval = interval * 3 / 2
		}
	}
	return w.replies, len(w.replies) == 0
}

// replyWatch remembers what earlier polls saw, so each poll re-reads only
// the newest page and reports only new replies.
type replyWatch struct {
	sentID, senderRole string
	cursor             string // cursor of the newest page seen
	sentSeen           bool
	otherBefore        bool // another role wrote before our message
	seen               map[string]bool
	replies            []schemas.Message
}

// answered reports whether the replies so far can be taken as the answer.
// When nobody else had written before our message, the first message after
// it may be the AI Agent's greeting (Ada posts it asynchronously after the
// conversation starts), so one reply is not enough: keep waiting for more
// until the wait ends.
func (w *replyWatch) answered() bool {
	return len(w.replies) > 1 || (len(w.replies) == 1 && w.otherBefore)
}

func (w *replyWatch) poll(ctx context.Context, c *adaclient.Client, conversationID string) (int, error) {
	added := 0
	for {
		logs, r, err := c.Conversations.ListMessages(ctx, conversationID, &adaclient.ListOptions{Cursor: w.cursor})
		if err != nil {
			return added, err
		}
		for i := range logs {
			m := &logs[i]
			if w.seen[m.MessageID] {
				continue
			}
			w.seen[m.MessageID] = true
			if m.MessageID == w.sentID {
				w.sentSeen = true
				continue
			}
			if !isMessage(m) || m.Author.Role == w.senderRole {
				continue
			}
			if !w.sentSeen {
				w.otherBefore = true
				continue
			}
			w.replies = append(w.replies, schemas.MessageFromLog(m))
			added++
		}
		if r.NextCursor == "" {
			return added, nil
		}
		w.cursor = r.NextCursor
	}
}
