package tools_test

import (
	"strings"
	"testing"
)

// handedOff starts a conversation and has the end user ask for a human, which hands it to a
// human agent in the simulator.
func handedOff(t *testing.T, h *harness) string {
	t.Helper()
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "Can I talk to a human, please?"})
	return cid
}

// lastMessage is the conversation's newest message.
func lastMessage(t *testing.T, h *harness, cid string) map[string]any {
	t.Helper()
	msgs := list(h.OK("list_messages", map[string]any{"conversation_id": cid, "limit": 100}), "messages")
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	return msgs[len(msgs)-1].(map[string]any)
}

func TestEndHandoff(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")

	// Not in a handoff: Ada's 422, said plainly.
	msg := h.Err("end_handoff", map[string]any{"conversation_id": cid})
	if want := "Conversation " + cid + " is not in a handoff: nothing to end; the AI Agent already has it."; msg != want {
		t.Fatalf("message = %q, want %q", msg, want)
	}

	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "I want a human agent"})
	// During the handoff the AI Agent is silent: the end user's message stays the last one.
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "hello?"})
	if last := lastMessage(t, h, cid); last["role"] != "end_user" || last["body"] != "hello?" {
		t.Fatalf("during the handoff the last message is %v", last)
	}

	out := h.OK("end_handoff", map[string]any{"conversation_id": cid})
	if str(out, "conversation_id") != cid || str(out, "message") == "" {
		t.Fatalf("end_handoff = %v", out)
	}
	// The AI Agent has the conversation again: it answers.
	reply := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "Where is my order?", "wait_for_reply_seconds": 10})
	var answered bool
	for _, r := range list(reply, "replies") {
		m := r.(map[string]any)
		answered = answered || (m["role"] == "ai_agent" && strings.Contains(str(m, "body"), "Where is my order?"))
	}
	if !answered {
		t.Fatalf("no answer from the AI Agent after end_handoff: %v", reply)
	}
	// Not idempotent: a second call is Ada's 422.
	if msg := h.Err("end_handoff", map[string]any{"conversation_id": cid}); !strings.Contains(msg, "is not in a handoff") {
		t.Fatalf("second end_handoff: %s", msg)
	}
	if msg := h.Err("end_handoff", map[string]any{"conversation_id": "000000000000000000000000"}); !strings.Contains(msg, "Not found (404)") {
		t.Fatalf("unknown conversation: %s", msg)
	}
}

func TestStartEmailConversation(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true})
	out := h.OK("start_email_conversation", map[string]any{"name": "Ana Silva", "subject": "Order 42", "reply_to": "ana@example.com",
		"text": "Where is my order?", "cc": []any{"team@example.com"}, "reply_as": "support@sandbox.ada.support",
		"metadata": map[string]any{"order": 42}})
	cid := str(out, "conversation_id")
	if cid == "" || len(out) != 1 {
		t.Fatalf("start_email_conversation = %v", out)
	}
	conv := h.OK("get_conversation", map[string]any{"conversation_id": cid})
	emailChannels := list(h.OK("list_channels", map[string]any{"type": "native", "modality": "email"}), "channels")
	if len(emailChannels) != 1 || str(emailChannels[0].(map[string]any), "channel_id") != str(conv, "conversation", "channel_id") {
		t.Fatalf("conversation %v is not on the native Email channel %v", conv, emailChannels)
	}
	msgs := list(h.OK("list_messages", map[string]any{"conversation_id": cid}), "messages")
	if len(msgs) != 2 || str(msgs[0].(map[string]any), "body") != "Where is my order?" || str(msgs[1].(map[string]any), "role") != "ai_agent" {
		t.Fatalf("messages = %v: want the inquiry and the AI Agent's answer", msgs)
	}

	// Ada's 422: an address it may not send from.
	msg := h.Err("start_email_conversation", map[string]any{"name": "Bo", "subject": "Hi", "reply_to": "bo@example.com", "reply_as": "help@example.com"})
	if !strings.HasPrefix(msg, "Ada could not start the email conversation (422): ") || !strings.Contains(msg, "Bring Your Own Domain") {
		t.Fatalf("422 message = %s", msg)
	}

	// What Ada would refuse is refused before anything is sent.
	before := h.requests.Load()
	for name, tc := range map[string]struct {
		args map[string]any
		want string
	}{
		"reply_to with a name":              {map[string]any{"name": "Bo", "subject": "Hi", "reply_to": "Bo <bo@example.com>"}, "Invalid reply_to: must be an email address"},
		"cc not an address":                 {map[string]any{"name": "Bo", "subject": "Hi", "reply_to": "bo@example.com", "cc": []any{"bo"}}, "Invalid cc[0]"},
		"text over 10 KB":                   {map[string]any{"name": "Bo", "subject": "Hi", "reply_to": "bo@example.com", "text": strings.Repeat("x", 10<<10+1)}, "Invalid argument text: must be at most 10240 characters long (got 10241)"},
		"text over 10 KB, fewer characters": {map[string]any{"name": "Bo", "subject": "Hi", "reply_to": "bo@example.com", "text": strings.Repeat("é", 6000)}, "Invalid text: is 12000 bytes"},
		"metadata over 4 KB":                {map[string]any{"name": "Bo", "subject": "Hi", "reply_to": "bo@example.com", "metadata": map[string]any{"x": strings.Repeat("x", 4<<10)}}, "Invalid metadata"},
		"no subject":                        {map[string]any{"name": "Bo", "reply_to": "bo@example.com"}, "subject"},
	} {
		if msg := h.Err("start_email_conversation", tc.args); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: message %q lacks %q", name, msg, tc.want)
		}
	}
	if n := h.requests.Load() - before; n != 0 {
		t.Fatalf("%d requests sent for arguments Ada would refuse", n)
	}
}

// end_handoff on an ended conversation: Ada answers 422 as for one not in a
// handoff, but "the AI Agent already has it" would be wrong: it says the
// conversation has ended.
func TestEndHandoffOnAnEndedConversation(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	cid := handedOff(t, h)
	h.OK("end_conversation", map[string]any{"conversation_id": cid})
	msg := h.Err("end_handoff", map[string]any{"conversation_id": cid})
	if want := "Conversation " + cid + " has ended: there is no handoff to end, and it takes no more messages."; msg != want {
		t.Fatalf("message = %q, want %q", msg, want)
	}
}

// Empty and blank strings: an optional argument given as "" is left out
// (the schemas' convention); a blank one, or a required one given empty,
// is refused naming the argument before anything reaches Ada.
func TestConversationToolsRefuseBlankArguments(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true})
	cid := startConv(t, h)
	h.refuses(t, []refusal{
		{"ask_ai_agent", map[string]any{"external_id": "", "question": "hi"}, "external_id"},
		{"ask_ai_agent", map[string]any{"external_id": "  ", "question": "hi"}, "external_id"},
		{"ask_ai_agent", map[string]any{"external_id": "b-1", "question": " ", "conversation_id": cid}, "question"},
		{"ask_ai_agent", map[string]any{"external_id": "b-1", "question": "hi", "conversation_id": " "}, "conversation_id: must not be blank"},
		{"send_message", map[string]any{"conversation_id": cid, "body": "hi", "author_id": " "}, "author_id"},
		{"send_message", map[string]any{"conversation_id": cid, "body": " "}, "body"},
		{"send_message", map[string]any{"conversation_id": cid, "body": "hi", "role": "human_agent", "display_name": " "}, "display_name"},
		{"upload_attachment", map[string]any{"conversation_id": cid, "content_base64": "aGk=", "filename": "a.txt", "send_as": "human_agent", "display_name": " "}, "display_name"},
	})
	// "" for an optional argument is as if it were left out.
	res := h.OK("ask_ai_agent", map[string]any{"external_id": "b-2", "question": "hi", "conversation_id": "", "wait_seconds": 5})
	if str(res, "conversation_id") == "" || str(res, "answer") == "" {
		t.Fatalf("%v", res)
	}
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "hi", "author_id": "", "display_name": "", "avatar": ""})
}

// A cursor of only white space is refused before it reaches Ada (which answers it with a
// 400), as blank ids are; "" is a cursor left out.
func TestListToolsRefuseBlankCursors(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"end_users", "channels", "conversations", "ai_agent", "webhooks"}})
	cid := startConv(t, h)
	h.refuses(t, []refusal{
		{"list_end_users", map[string]any{"cursor": " "}, "cursor: must not be blank"},
		{"list_webhooks", map[string]any{"cursor": "  "}, "cursor: must not be blank"},
		{"list_messages", map[string]any{"conversation_id": cid, "cursor": "  "}, "cursor: must not be blank"},
		{"list_channels", map[string]any{"cursor": "\t"}, "cursor: must not be blank"},
		{"list_custom_instructions", map[string]any{"cursor": " \n"}, "cursor: must not be blank"},
	})
	h.OK("list_messages", map[string]any{"conversation_id": cid, "cursor": ""})
	h.OK("list_channels", map[string]any{"cursor": ""})
	h.OK("list_custom_instructions", map[string]any{"cursor": ""})
	h.OK("list_end_users", map[string]any{"cursor": ""})
	h.OK("list_webhooks", map[string]any{"cursor": ""})
}

// A default channel Ada does not know is the operator's mistake: the error
// says it was the server's setting and how to go on without it.
func TestUnknownDefaultChannelIsNamedAsTheServersSetting(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.deps.DefaultChannelID = "no-such-channel"
	msg := h.Err("start_conversation", map[string]any{"external_id": "cust-1"})
	for _, want := range []string{"server's default, no-such-channel (ADA_CHANNEL_ID or --channel-id)", "channel_id from list_channels", "retry with end_user_id"} {
		if !strings.Contains(msg, want) {
			t.Errorf("start_conversation: %q lacks %q", msg, want)
		}
	}
	msg = h.Err("ask_ai_agent", map[string]any{"external_id": "cust-1", "question": "hi"})
	for _, want := range []string{"server's default, no-such-channel (ADA_CHANNEL_ID or --channel-id)", "then pass its conversation_id"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ask_ai_agent: %q lacks %q", msg, want)
		}
	}
	// Without a default, ask_ai_agent says how to get a conversation_id.
	h.deps.DefaultChannelID = ""
	if msg := h.Err("ask_ai_agent", map[string]any{"external_id": "cust-1", "question": "hi"}); !strings.Contains(msg, "start_conversation with a channel_id from list_channels") {
		t.Errorf("ask_ai_agent without a default channel: %q", msg)
	}
	// A channel the assistant named is its own to check.
	if msg := h.Err("start_conversation", map[string]any{"external_id": "cust-1", "channel_id": "no-such-channel"}); strings.Contains(msg, "ADA_CHANNEL_ID") {
		t.Errorf("start_conversation with channel_id: %q blames the server's setting", msg)
	}
}
