package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/tools"
)

// startConv starts a conversation and waits for the AI Agent's greeting,
// as a client that shows the conversation would: a question asked before
// the greeting shows would see the greeting as the first reply.
func startConv(t *testing.T, h *harness) string {
	t.Helper()
	return startConvWith(t, h, map[string]any{"external_id": "wait-" + t.Name()[:min(len(t.Name()), 20)]})
}

// startConvWith is startConv with start_conversation's arguments.
func startConvWith(t *testing.T, h *harness, args map[string]any) string {
	t.Helper()
	cid := str(h.OK("start_conversation", args), "conversation_id")
	for range 500 {
		if len(list(h.OK("list_messages", map[string]any{"conversation_id": cid}), "messages")) > 0 {
			return cid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no greeting within 5 s")
	return ""
}

func replyBodies(m map[string]any) []string {
	var out []string
	for _, r := range list(m, "replies") {
		out = append(out, r.(map[string]any)["body"].(string))
	}
	return out
}

// With events flowing, the wait makes no Ada request at all beyond the
// send: the log holds the conversation from its creation, so it knows what
// came before the message, and the reply comes by event.
func TestReplyByEventsWithoutPolling(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true, replyDelay: 300 * time.Millisecond})
	cid := startConv(t, h)
	before := h.lists.Load()
	res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "Where is my order?", "wait_for_reply_seconds": 10})
	if got := replyBodies(res); len(got) != 1 || !strings.Contains(got[0], "Where is my order?") {
		t.Fatalf("replies %v", got)
	}
	if n := h.lists.Load() - before; n != 0 {
		t.Fatalf("the wait read the message list %d times, want none", n)
	}
}

// A webhook that never arrives (misconfigured, or a stdio server without
// a public endpoint) costs the grace period, then the wait polls.
func TestReplyByPollingWhenNoEventComes(t *testing.T) {
	h := newHarness(t, harnessOpts{replyDelay: 200 * time.Millisecond})
	h.deps.Events = events.NewMemory(events.Limits{}) // nobody feeds it
	h.deps.EventGrace = 100 * time.Millisecond
	cid := startConv(t, h)
	before := h.lists.Load()
	res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "hello?", "wait_for_reply_seconds": 10})
	if got := replyBodies(res); len(got) != 1 {
		t.Fatalf("replies %v", got)
	}
	if n := h.lists.Load() - before; n < 2 {
		t.Fatalf("want polls after the grace period, got %d list reads", n)
	}
	if len(h.logs.Records("no webhook event for the conversation within the grace period; polling instead")) != 1 {
		t.Fatalf("the fallback is not logged:\n%s", h.logs)
	}
}

// An answer already in the message list when the wait starts, with no
// webhook reaching the server, ends the wait at once (a quiet spell and
// one more poll), not when wait_for_reply_seconds runs out: the event loop
// once had no deadline for an answer it had not seen by event.
func TestAnswerFoundBeforeAnyEventEndsTheWait(t *testing.T) {
	h := newHarness(t, harnessOpts{})                 // the AI Agent answers as the message is sent
	h.deps.Events = events.NewMemory(events.Limits{}) // nobody feeds it
	cid := startConv(t, h)
	before := h.lists.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res := h.CallWith(ctx, &mcp.CallToolParams{Name: "send_message",
		Arguments: map[string]any{"conversation_id": cid, "body": "hello?", "wait_for_reply_seconds": 60}})
	if ctx.Err() != nil {
		t.Fatal("the wait ran until the test gave up, not until the answer was in")
	}
	if res.IsError {
		t.Fatal(res)
	}
	var m map[string]any
	testclient.Decode(t, res, &m)
	if got := replyBodies(m); len(got) != 1 {
		t.Fatalf("replies %v", got)
	}
	if n := h.lists.Load() - before; n < 2 {
		t.Fatalf("%d list reads: want the first and one more gathering the rest of the answer", n)
	}
}

// An answer in several messages is returned whole, by events and by polling.
func TestAnswerInSeveralMessagesIsGathered(t *testing.T) {
	script := &adasim.AgentScript{Rules: []adasim.AgentRule{{Match: "(?i)refund", Replies: []string{"I can help with refunds.", "Your order A-1001 qualifies.", "The money is back in 3 days."}}}}
	for name, o := range map[string]harnessOpts{
		"events":  {events: true, replyDelay: 100 * time.Millisecond, script: script},
		"polling": {replyDelay: 100 * time.Millisecond, script: script},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, o)
			cid := startConv(t, h)
			res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "I want a refund", "wait_for_reply_seconds": 10})
			if got := replyBodies(res); len(got) != 3 || got[2] != "The money is back in 3 days." {
				t.Fatalf("replies %v", got)
			}
		})
	}
}

// Progress notifications carry each message as it arrives.
func TestProgressCarriesEachReply(t *testing.T) {
	var mu sync.Mutex
	var notes []string
	h := newHarness(t, harnessOpts{events: true, replyDelay: 50 * time.Millisecond, client: &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			notes = append(notes, r.Params.Message)
		}}})
	cid := startConv(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res := h.CallWith(ctx, &mcp.CallToolParams{Name: "send_message", Meta: mcp.Meta{"progressToken": "p1"},
		Arguments: map[string]any{"conversation_id": cid, "body": "my card is 4242 4242 4242 4242", "wait_for_reply_seconds": 10}})
	if res.IsError {
		t.Fatal(res)
	}
	for range 200 { // notifications may trail the result a little
		mu.Lock()
		n := len(notes)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notes) == 0 || !strings.Contains(notes[0], "reply 1 from ai_agent: You said") {
		t.Fatalf("progress %q", notes)
	}
	// The AI Agent quotes the card number: the notification does not.
	for _, n := range notes {
		if strings.Contains(n, "4242 4242 4242 4242") {
			t.Fatalf("a card number in a progress notification: %q", n)
		}
	}
}

// A wait the client cancels ends on the server at once, not when the
// wait would have.
func TestCancelledWaitEnds(t *testing.T) {
	for _, ev := range []bool{true, false} {
		h := newHarness(t, harnessOpts{events: ev})
		cid := startConv(t, h)
		// In a handoff the AI Agent is silent: the wait can only be cancelled.
		h.OK("send_message", map[string]any{"conversation_id": cid, "body": "I want a human"})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := h.CallTool(ctx, &mcp.CallToolParams{Name: "send_message",
			Arguments: map[string]any{"conversation_id": cid, "body": "silence please", "wait_for_reply_seconds": 60}})
		cancel()
		if err == nil {
			t.Fatal("the client's call did not end with its context")
		}
		ended := false
		for range 500 { // 5 s, far below the 60 s wait
			for _, rec := range h.logs.Records("tool call") {
				if rec["tool"] == "send_message" {
					ended = true
				}
			}
			if ended {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if !ended {
			t.Fatalf("events=%v: the server's wait did not end when the client cancelled", ev)
		}
	}
}

func TestAskAIAgent(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true, replyDelay: 50 * time.Millisecond})
	res := h.OK("ask_ai_agent", map[string]any{"external_id": "ask-1", "question": "Where is my order?", "profile": map[string]any{"first_name": "Ana"}})
	cid, uid := str(res, "conversation_id"), str(res, "end_user_id")
	if cid == "" || uid == "" || !strings.Contains(str(res, "answer"), "Where is my order?") || res["handed_off"] != false {
		t.Fatalf("%v", res)
	}
	// The greeting came before the question: it is not part of the answer.
	if strings.Contains(str(res, "answer"), "Hi Ana") {
		t.Fatalf("the greeting was taken for the answer: %v", res)
	}
	// Continuing the conversation.
	again := h.OK("ask_ai_agent", map[string]any{"external_id": "ask-1", "question": "And when?", "conversation_id": cid})
	if str(again, "conversation_id") != cid || !strings.Contains(str(again, "answer"), "And when?") {
		t.Fatalf("%v", again)
	}
	// Someone else's conversation, and an ended one, are refused.
	if msg := h.Err("ask_ai_agent", map[string]any{"external_id": "ask-2", "question": "hi", "conversation_id": cid}); !strings.Contains(msg, "another end user") {
		t.Fatal(msg)
	}
	// ... before anything is written: no end user ask-2 was made.
	if found := h.OK("lookup_end_user", map[string]any{"external_id": "ask-2"}); found["found"] != false {
		t.Fatalf("the refused call made an end user: %v", found)
	}
	h.OK("end_conversation", map[string]any{"conversation_id": cid})
	if msg := h.Err("ask_ai_agent", map[string]any{"external_id": "ask-1", "question": "hi", "conversation_id": cid}); !strings.Contains(msg, "ended") {
		t.Fatal(msg)
	}
}

// Ada shows a handoff in its webhook events (handoff_integration on the
// conversation's messages); without events a handoff shows only once a
// human agent writes.
func TestAskAIAgentHandoff(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true})
	res := h.OK("ask_ai_agent", map[string]any{"external_id": "ask-h", "question": "I want to talk to a human", "wait_seconds": 5})
	if res["handed_off"] != true || !strings.Contains(str(res, "answer"), "human agent") {
		t.Fatalf("%v", res)
	}
}

// Webhooks may arrive out of order: the replies come back in the order
// Ada wrote them.
func TestRepliesArrivingOutOfOrderAreOrdered(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true, replyDelay: 300 * time.Millisecond,
		script: &adasim.AgentScript{Rules: []adasim.AgentRule{{Match: "ping", Replies: []string{"one", "two"}}}}})
	cid := startConv(t, h)
	// Hold the two replies back and deliver them reversed, by hand.
	held := h.events
	h.deps.Events = events.NewMemory(events.Limits{})
	mirror := h.deps.Events
	cur, _ := held.End(context.Background(), events.ConversationKey(cid))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var got []events.Event
		for len(got) < 3 { // our message, then the two replies
			evs, next, err := held.Next(ctx, events.ConversationKey(cid), cur)
			if err != nil {
				return
			}
			cur, got = next, append(got, evs...)
		}
		for i := len(got) - 1; i >= 0; i-- {
			_, _ = mirror.Append(ctx, got[i])
		}
	}()
	before := h.lists.Load()
	res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "ping", "wait_for_reply_seconds": 10})
	if got := replyBodies(res); len(got) != 2 || got[0] != "one" || got[1] != "two" {
		t.Fatalf("replies %v", got)
	}
	if n := h.lists.Load() - before; n != 1 {
		t.Fatalf("%d list reads: the replies came by polling, not by the reversed events", n)
	}
}

// When the server shuts down it refuses webhooks: a wait that follows
// events switches to polling for the rest of it, so it still ends with the
// reply.
func TestWaitPollsOnceEventsStop(t *testing.T) {
	h := newHarness(t, harnessOpts{replyDelay: 300 * time.Millisecond})
	h.deps.Events = events.NewMemory(events.Limits{}) // nothing will come
	h.deps.EventGrace = time.Minute                   // so only the stop can end the following
	stopped := make(chan struct{})
	h.deps.EventsStopped = stopped
	cid := startConv(t, h)
	time.AfterFunc(100*time.Millisecond, func() { close(stopped) })
	res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "still there?", "wait_for_reply_seconds": 30})
	if got := replyBodies(res); len(got) != 1 {
		t.Fatalf("replies %v", got)
	}
}

// Another replica (a server with its own caches, sharing the event log)
// sends in a conversation it did not start with one Ada request: the
// author comes from the conversation's kept events, not a GET.
func TestAnotherReplicaSendsWithOneRequest(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true, replyDelay: 50 * time.Millisecond})
	cid := startConv(t, h)
	other := &tools.Deps{Client: h.deps.Client, Redactor: h.deps.Redactor, Logger: h.deps.Logger, PollInterval: 20 * time.Millisecond,
		CallTimeout: 20 * time.Second, Events: h.events, DefaultChannelID: h.deps.DefaultChannelID}
	s, _, err := tools.NewServer(other, tools.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	replica := testclient.ConnectVersion(t, s, nil, "")
	before := h.requests.Load()
	res := replica.OK("send_message", map[string]any{"conversation_id": cid, "body": "Where is my order?", "wait_for_reply_seconds": 10})
	if got := replyBodies(res); len(got) != 1 {
		t.Fatalf("replies %v", got)
	}
	if n := h.requests.Load() - before; n != 1 {
		t.Fatalf("%d Ada requests, want 1 (the send)", n)
	}
}

// twoAnswers scripts an AI Agent that answers "first" and "second" each
// with a text of its own, so a test can tell whose reply is whose.
var twoAnswers = &adasim.AgentScript{Rules: []adasim.AgentRule{
	{Match: "first", Replies: []string{"answer one"}},
	{Match: "second", Replies: []string{"answer two"}},
}}

// createdAt is the created_at of the conversation's message with body.
func createdAt(t *testing.T, h *harness, cid, body string) string {
	t.Helper()
	for _, m := range list(h.OK("list_messages", map[string]any{"conversation_id": cid, "limit": 100}), "messages") {
		if mm := m.(map[string]any); mm["body"] == body {
			return str(mm, "created_at")
		}
	}
	t.Fatalf("no message %q", body)
	return ""
}

// A reply to an earlier message that comes after the next one was sent
// is not silently taken for the next one's answer: Ada does not say which
// message a reply answers, so the wait goes on for the next answer and
// the result says the first replies may answer the earlier message. Once
// the wait ended with the late reply alone, more than a quiet spell before
// the answer to its own message.
func TestLateReplyToAnEarlierMessageIsFlagged(t *testing.T) {
	for name, ev := range map[string]bool{"events": true, "polling": false} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{events: ev, replyDelay: 1500 * time.Millisecond, script: twoAnswers})
			cid := startConv(t, h)
			h.OK("send_message", map[string]any{"conversation_id": cid, "body": "first"})
			time.Sleep(500 * time.Millisecond) // the two answers come this far apart: more than a quiet spell
			res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "second", "wait_for_reply_seconds": 20})
			if createdAt(t, h, cid, "answer one") < createdAt(t, h, cid, "second") {
				t.Skip("the machine is too slow: the first answer came before the second message")
			}
			got := replyBodies(res)
			if !slices.Contains(got, "answer two") || res["replies_may_answer_earlier"] != true {
				t.Fatalf("replies %v, result %v: want the second message's answer, flagged", got, res)
			}
		})
	}
}

// Two calls sending in the same conversation at once each get the replies
// between their message and the next one of the same role, not the
// other's answer.
func TestConcurrentSendsDoNotTakeEachOthersReplies(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true, replyDelay: time.Second, script: twoAnswers})
	cid := startConv(t, h)
	first := make(chan map[string]any, 1)
	go func() {
		first <- h.OK("send_message", map[string]any{"conversation_id": cid, "body": "first", "wait_for_reply_seconds": 20})
	}()
	for i := 0; ; i++ { // until the first message is in
		if i == 500 {
			t.Fatal("the first message never showed")
		}
		if slices.ContainsFunc(list(h.OK("list_messages", map[string]any{"conversation_id": cid}), "messages"), func(m any) bool {
			return m.(map[string]any)["body"] == "first"
		}) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	second := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "second", "wait_for_reply_seconds": 20})
	one := <-first
	if got := replyBodies(one); slices.Contains(got, "answer two") {
		t.Fatalf("the first call took the second message's answer: %v", one)
	}
	if str(one, "next_message_id") != str(second, "message", "message_id") {
		t.Fatalf("the first call does not name the message that closed its replies: %v", one)
	}
	if got := replyBodies(second); !slices.Contains(got, "answer two") {
		t.Fatalf("the second call lacks its answer: %v", second)
	}
}

// send_message says when the conversation was handed off or ended during
// the wait, so the assistant does not go on sending.
func TestSendMessageSaysHandedOffOrEnded(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true})
	cid := startConv(t, h)
	res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "I want a human", "wait_for_reply_seconds": 10})
	if res["handed_off"] != true {
		t.Fatalf("handed_off missing: %v", res)
	}
	for name, ev := range map[string]bool{"events": true, "polling": false} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{events: ev, replyDelay: time.Hour}) // the AI Agent does not answer in time
			cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
			done := make(chan map[string]any, 1)
			go func() {
				done <- h.OK("send_message", map[string]any{"conversation_id": cid, "body": "anyone?", "wait_for_reply_seconds": 3})
			}()
			for i := 0; ; i++ {
				if i == 500 {
					t.Fatal("the message never showed")
				}
				if len(list(h.OK("list_messages", map[string]any{"conversation_id": cid}), "messages")) > 0 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			h.OK("end_conversation", map[string]any{"conversation_id": cid})
			if res := <-done; res["ended"] != true {
				t.Fatalf("ended missing: %v", res)
			}
		})
	}
}

// quietAbout has the AI Agent ignore the end user's messages holding
// text: the backend posts them as a human agent's, which it does not answer.
func quietAbout(sim http.Handler, text string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages/") {
			body, _ := io.ReadAll(r.Body)
			if bytes.Contains(body, []byte(text)) {
				var req map[string]any
				if err := json.Unmarshal(body, &req); err == nil {
					req["author"] = map[string]any{"role": "human_agent", "display_name": "Quiet"}
					body, _ = json.Marshal(req)
				}
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		sim.ServeHTTP(w, r)
	})
}

// A slow AI Agent greets after ask_ai_agent has sent the question: the
// greeting is never the answer. When the answer does not come within the
// wait, the result says so; when it does, the greeting is not part of it.
func TestAskAIAgentNeverAnswersWithTheGreeting(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: apiKey, ReplyDelay: 2 * time.Second})
	t.Cleanup(sim.Close)
	h := newHarness(t, harnessOpts{backend: quietAbout(sim, "unanswered")})
	h.deps.DefaultChannelID = sim.DefaultChannelID()
	// The question goes after a third of the wait (1 s), the greeting
	// shows at 2 s, the wait ends at 4 s.
	res := h.OK("ask_ai_agent", map[string]any{"external_id": "slow-1", "question": "unanswered question", "wait_seconds": 3,
		"profile": map[string]any{"first_name": "Ana"}})
	if strings.Contains(str(res, "answer"), "Hi Ana") || res["answer_pending"] != true {
		t.Fatalf("the greeting was taken for the answer: %v", res)
	}
	if len(list(res, "replies")) > 0 && res["replies_may_answer_earlier"] != true {
		t.Fatalf("the greeting in replies is not flagged: %v", res)
	}
	// Question at 1.7 s, greeting at 2 s, answer at 3.7 s, end of the wait at 6.7 s.
	res = h.OK("ask_ai_agent", map[string]any{"external_id": "slow-2", "question": "Where is my order?", "wait_seconds": 5,
		"profile": map[string]any{"first_name": "Bo"}})
	if a := str(res, "answer"); strings.Contains(a, "Hi Bo") || !strings.Contains(a, "Where is my order?") || res["answer_pending"] == true {
		t.Fatalf("answer %q: want the answer without the greeting (%v)", a, res)
	}
}

// An AI Agent set up without a greeting: once the whole greeting wait has
// passed with nothing from it, ask_ai_agent takes the first reply for the
// answer, by polling and by events alike.
func TestAskAIAgentWithoutGreeting(t *testing.T) {
	script, err := adasim.ParseAgentScript([]byte(`{"greeting": false, "rules": [{"match": "order", "replies": ["It ships tomorrow."]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, byEvents := range []bool{false, true} {
		h := newHarness(t, harnessOpts{script: script, events: byEvents, replyDelay: 100 * time.Millisecond})
		h.deps.GreetingWait = 200 * time.Millisecond
		res := h.OK("ask_ai_agent", map[string]any{"external_id": fmt.Sprintf("nogreet-%v", byEvents), "question": "Where is my order?", "wait_seconds": 5})
		if a := str(res, "answer"); a != "It ships tomorrow." || res["answer_pending"] == true || res["replies_may_answer_earlier"] == true {
			t.Fatalf("events %v: answer %q, want the reply, not pending or flagged: %v", byEvents, a, res)
		}
	}
}

// A call that waits answers within Deps.AnswerWithin of its start (55 s by
// default, under the 60 s after which MCP clients commonly give up): a
// reply that would come later, though within the wait asked for, is left
// for list_messages, and the result says it is pending.
func TestWaitEndsInTimeForTheClient(t *testing.T) {
	h := newHarness(t, harnessOpts{replyDelay: 2 * time.Second})
	h.deps.AnswerWithin = 300 * time.Millisecond
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	res := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "hello", "wait_for_reply_seconds": 10})
	if res["reply_pending"] != true || len(list(res, "replies")) > 1 {
		t.Fatalf("a reply 2 s after the send came within a 300 ms budget, or it is not pending: %v", res)
	}
}
