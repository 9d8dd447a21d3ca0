package tools

import (
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/schemas"
)

// Messages' created_at come from Ada with a zone or without one (UTC):
// both order the same, where a zoneless one once read as the zero time, and
// every earlier message as "after" the one just sent.
func TestParseTimeReadsAdasZonelessTimes(t *testing.T) {
	zoneless, zoned := parseTime("2023-12-08T19:06:04.890000"), parseTime("2023-12-08T19:06:04.890000+00:00")
	if zoneless.IsZero() || !zoneless.Equal(zoned) {
		t.Fatalf("zoneless %v, zoned %v", zoneless, zoned)
	}
	if want := time.Date(2023, 12, 8, 19, 6, 4, 890000000, time.UTC); !zoneless.Equal(want) {
		t.Fatalf("%v, want %v", zoneless, want)
	}
}

// A wait that got only replies that may answer something earlier (the
// greeting) is still pending: send_message's reply_pending and
// ask_ai_agent's answer_pending say so alike.
func TestWaitPendingIgnoresEarlierReplies(t *testing.T) {
	greeting := schemas.Message{MessageID: "m0", Role: "ai_agent"}
	answer := schemas.Message{MessageID: "m2", Role: "ai_agent"}
	for _, c := range []struct {
		w    waitResult
		want bool
	}{
		{waitResult{}, true},
		{waitResult{replies: []schemas.Message{greeting}, uncertain: 1}, true},
		{waitResult{replies: []schemas.Message{greeting, answer}, uncertain: 1}, false},
		{waitResult{replies: []schemas.Message{answer}}, false},
	} {
		if got := c.w.pending(); got != c.want {
			t.Errorf("%d replies, %d uncertain: pending %v, want %v", len(c.w.replies), c.w.uncertain, got, c.want)
		}
	}
}

// A presence notification (the AI Agent typing) is neither a reply nor
// the answer: the wait goes on for the message it announces.
func TestPresenceIsNoReply(t *testing.T) {
	w := &replyWatch{sentID: "m1", senderRole: "end_user", otherBefore: true, seen: map[string]bool{}}
	if w.add(schemas.Message{MessageID: "p1", Role: "ai_agent", Type: "presence"}, false) || w.answered() || len(w.result.replies) != 0 {
		t.Fatalf("a presence notification counted as a reply: %+v", w.result)
	}
	if !w.add(schemas.Message{MessageID: "m2", Role: "ai_agent", Type: "text", Body: "Here it is."}, false) || !w.answered() {
		t.Fatalf("the reply after it did not answer: %+v", w.result)
	}
}
