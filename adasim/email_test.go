package adasim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func TestEmailConversation(t *testing.T) {
	var mu sync.Mutex
	var events []string
	c := newSim(t, adasim.Options{Seed: 5, OnEvent: func(e adasim.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.Type)
	}})
	seededDefault := c.sim.DefaultChannelID()
	if n := len(c.expect(http.StatusOK, "GET", "/v2/channels/?type=native&modality=email", nil)["data"].([]any)); n != 0 {
		t.Fatalf("%d native email channels before the first email conversation, want 0 (created on first use)", n)
	}
	known := c.createEndUser(object{"profile": object{"email": "Ana@Example.com", "first_name": "Ana"}})

	got := c.expect(http.StatusOK, "POST", "/v2/conversations/email/", object{"name": "Ana Silva", "subject": "Order 42",
		"reply_to": "ana@example.com", "text": "Where is my order?", "metadata": object{"order": 42}})
	convID := str(got["conversation_id"])
	if !hexID.MatchString(convID) || len(got) != 1 {
		t.Fatalf("answer %v, want only conversation_id", got)
	}
	conv := c.expect(http.StatusOK, "GET", "/v2/conversations/"+convID+"/", nil)
	if conv["end_user_id"] != known["end_user_id"] || conv["status"] != "active" || conv["metadata"].(object)["order"] != float64(42) {
		t.Fatalf("conversation %v: want the end user whose email is reply_to", conv)
	}
	emailChannels := c.expect(http.StatusOK, "GET", "/v2/channels/?type=native&modality=email", nil)["data"].([]any)
	if len(emailChannels) != 1 || emailChannels[0].(object)["id"] != conv["channel_id"] {
		t.Fatalf("native email channels %v, conversation on %v", emailChannels, conv["channel_id"])
	}
	msgs := c.messages(convID)
	if len(msgs) != 2 || msgs[0]["author"].(object)["role"] != "end_user" || msgs[0]["content"].(object)["body"] != "Where is my order?" ||
		msgs[1]["author"].(object)["role"] != "ai_agent" || !strings.Contains(str(msgs[1]["content"].(object)["body"]), "Where is my order?") {
		t.Fatalf("messages %v: want the inquiry, then the AI Agent's answer", msgs)
	}
	mu.Lock()
	if strings.Join(events, ",") != "v1.end_user.created,v1.conversation.created,v1.conversation.message,v1.conversation.message" {
		t.Fatalf("events %v", events)
	}
	mu.Unlock()

	// A new address makes a new end user; without text the subject is the inquiry. The same
	// Email channel is used, and the seeded ids did not move.
	other := c.expect(http.StatusOK, "POST", "/v2/conversations/email/", object{"name": "Bo", "subject": "Refund", "reply_to": "bo@example.com",
		"reply_as": "Help@Sandbox.Ada.Support", "cc": []string{"team@example.com"}})
	otherConv := c.expect(http.StatusOK, "GET", "/v2/conversations/"+str(other["conversation_id"])+"/", nil)
	bo := c.expect(http.StatusOK, "GET", "/v2/end-users/"+str(otherConv["end_user_id"]), nil)
	if otherConv["channel_id"] != conv["channel_id"] || bo["profile"].(object)["email"] != "bo@example.com" || bo["profile"].(object)["display_name"] != "Bo" {
		t.Fatalf("second email conversation %v, end user %v", otherConv, bo)
	}
	if body := c.messages(str(other["conversation_id"]))[0]["content"].(object)["body"]; body != "Refund" {
		t.Fatalf("first message %v, want the subject", body)
	}
	if c.sim.DefaultChannelID() != seededDefault {
		t.Fatal("the default channel moved")
	}

	// A handoff asked for by email works as on any channel.
	h := c.expect(http.StatusOK, "POST", "/v2/conversations/email/", object{"name": "Cy", "subject": "s", "reply_to": "cy@example.com", "text": "I need a human"})
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+str(h["conversation_id"])+"/end-handoff/", nil)

	// Conversations API rules stay: no conversation created on the native Email channel.
	checkError(t, c.do("POST", "/v2/conversations/", object{"channel_id": conv["channel_id"]}), http.StatusBadRequest, "validation_error")
}

func TestEmailConversationRules(t *testing.T) {
	c := newSim(t, adasim.Options{})
	valid := func(extra object) object {
		body := object{"name": "Ana", "subject": "Hi", "reply_to": "ana@example.com"}
		for k, v := range extra {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return body
	}
	cases := []struct {
		name    string
		body    any
		status  int
		errType string
	}{
		{"no name", valid(object{"name": nil}), http.StatusBadRequest, "validation_error"},
		{"empty subject", valid(object{"subject": " "}), http.StatusBadRequest, "validation_error"},
		{"no reply_to", valid(object{"reply_to": nil}), http.StatusBadRequest, "validation_error"},
		{"reply_to not an address", valid(object{"reply_to": "Ana <ana@example.com>"}), http.StatusBadRequest, "validation_error"},
		{"text over 10 KB", valid(object{"text": strings.Repeat("é", 5<<10+1)}), http.StatusBadRequest, "validation_error"},
		{"reply_as not an address", valid(object{"reply_as": "support"}), http.StatusBadRequest, "validation_error"},
		{"cc not addresses", valid(object{"cc": []string{"x"}}), http.StatusBadRequest, "validation_error"},
		{"cc not an array", valid(object{"cc": "a@example.com"}), http.StatusBadRequest, "validation_error"},
		{"metadata object value", valid(object{"metadata": object{"a": object{}}}), http.StatusBadRequest, "validation_error"},
		{"metadata over 4 KB", valid(object{"metadata": sizedMetadata(4<<10 + 1)}), http.StatusBadRequest, "validation_error"},
		{"reply_as elsewhere", valid(object{"reply_as": "support@example.com"}), http.StatusUnprocessableEntity, "unprocessable_entity"},
		{"malformed JSON", `{"name":`, http.StatusBadRequest, "bad_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, c.do("POST", "/v2/conversations/email/", tc.body), tc.status, tc.errType)
		})
	}
	c.expect(http.StatusOK, "POST", "/v2/conversations/email/", valid(object{"text": strings.Repeat("x", 10<<10)}))
}

// A dump with an email conversation loads back: the native Email channel holds it, and later
// email conversations use that channel.
func TestEmailConversationStateRoundTrip(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 9, Deterministic: true})
	c.expect(http.StatusOK, "POST", "/v2/conversations/email/", object{"name": "Ana", "subject": "Hi", "reply_to": "ana@example.com"})
	dump := c.dump()
	var st adasim.State
	if err := json.Unmarshal(dump, &st); err != nil {
		t.Fatal(err)
	}
	if err := c.sim.LoadState(st); err != nil {
		t.Fatalf("loading a dump with an email conversation: %v", err)
	}
	if again := c.dump(); !bytes.Equal(again, dump) {
		t.Fatalf("the state changed in a round trip:\n%s\n%s", dump, again)
	}
	c.expect(http.StatusOK, "POST", "/v2/conversations/email/", object{"name": "Bo", "subject": "Hi", "reply_to": "bo@example.com"})
	if n := len(c.expect(http.StatusOK, "GET", "/v2/channels/?type=native&modality=email", nil)["data"].([]any)); n != 1 {
		t.Fatalf("%d native email channels, want 1", n)
	}
}
