package adasim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// eventLog collects what OnEvent receives.
type eventLog struct {
	mu     sync.Mutex
	events []adasim.Event
}

func (l *eventLog) add(e adasim.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// take returns the events since the last take.
func (l *eventLog) take() []adasim.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

func types(events []adasim.Event) string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e.Type)
	}
	return strings.Join(ts, " ")
}

func TestEvents(t *testing.T) {
	var log eventLog
	c := newSim(t, adasim.Options{Deterministic: true, OnEvent: log.add})
	expect := func(want string) []adasim.Event {
		t.Helper()
		got := log.take()
		if types(got) != want {
			t.Fatalf("events %q, want %q", types(got), want)
		}
		for _, e := range got {
			data, err := json.Marshal(e.Data)
			if err != nil {
				t.Fatalf("event data does not marshal: %v", err)
			}
			if strings.Contains(string(data), "SECRET") {
				t.Fatalf("sensitive value in event %s: %s", e.Type, data)
			}
			if e.Timestamp.IsZero() {
				t.Fatalf("event %s without timestamp", e.Type)
			}
		}
		return got
	}
	dataOf := func(e adasim.Event) map[string]any {
		data, _ := json.Marshal(e.Data)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		return m
	}

	u := c.createEndUser(object{"external_id": "e-1", "profile": object{"first_name": "Ana",
		"sensitive_metadata": object{"fields": object{"token": "SECRET"}}}})
	uid := str(u["end_user_id"])
	created := expect("v1.end_user.created")
	if d := dataOf(created[0]); d["end_user_id"] != uid || d["external_id"] != "e-1" {
		t.Fatalf("end_user.created data %v", d)
	}
	c.expect(http.StatusOK, "POST", "/v2/end-users/", object{"external_id": "e-1"})
	expect("") // an existing end user is not created again

	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+uid, object{"external_id": "e-2", "profile": object{"sensitive_metadata": object{"fields": object{"token": "SECRET"}}}})
	expect("") // no profile value changed
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+uid, object{"profile": object{"last_name": "Silva"}})
	if d := dataOf(expect("v1.end_user.updated")[0]); d["profile"].(map[string]any)["last_name"] != "Silva" {
		t.Fatalf("end_user.updated data %v", d)
	}

	conv := c.startConversation(uid)
	cid := str(conv["id"])
	evs := expect("v1.conversation.created v1.conversation.message")
	if d := dataOf(evs[0]); d["conversation_id"] != cid || d["end_user_id"] != uid || d["channel_id"] != c.sim.DefaultChannelID() {
		t.Fatalf("conversation.created data %v", d)
	}
	greeting := dataOf(evs[1])
	if greeting["author"].(map[string]any)["role"] != "ai_agent" || greeting["handoff_integration"] != nil ||
		greeting["channel"].(map[string]any)["type"] != "custom" || greeting["conversation_id"] != cid {
		t.Fatalf("greeting message data %v", greeting)
	}

	auto := c.startConversation("")
	expect("v1.end_user.created v1.conversation.created v1.conversation.message")
	_ = auto

	say := func(body string) {
		c.expect(http.StatusCreated, "POST", "/v2/conversations/"+cid+"/messages/", object{
			"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": body}})
	}
	say("hello")
	evs = expect("v1.conversation.message v1.conversation.message")
	if r0, r1 := dataOf(evs[0])["author"].(map[string]any)["role"], dataOf(evs[1])["author"].(map[string]any)["role"]; r0 != "end_user" || r1 != "ai_agent" {
		t.Fatalf("roles %v %v", r0, r1)
	}
	say("I need a human")
	expect("v1.conversation.message v1.conversation.message")
	say("still there?")
	if d := dataOf(expect("v1.conversation.message")[0]); d["handoff_integration"] == nil {
		t.Fatalf("a message during a handoff has no handoff_integration: %v", d)
	}
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+cid+"/end-handoff/", nil)
	evs = expect("v1.conversation.handoff.ended v1.conversation.message")
	if d := dataOf(evs[0]); d["conversation_id"] != cid || d["end_user_id"] != uid || d["handoff_integration"] == nil {
		t.Fatalf("handoff.ended data %v", d)
	}
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+cid+"/end/", nil)
	evs = expect("v1.conversation.ended v1.conversation.message")
	if d := dataOf(evs[0]); d["conversation_id"] != cid || fmt.Sprint(d["ended_by"]) != fmt.Sprint(map[string]any{"id": uid, "role": "end_user"}) {
		t.Fatalf("conversation.ended data %v", d)
	}
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+cid+"/end/", nil)
	expect("") // ending again announces nothing
}

// TestOnEventMayCallBack checks that OnEvent runs outside the simulator's lock: a callback
// that calls the simulator does not deadlock.
func TestOnEventMayCallBack(t *testing.T) {
	var c *client
	var calls sync.WaitGroup
	var mu sync.Mutex
	seen := 0
	c = newSim(t, adasim.Options{OnEvent: func(e adasim.Event) {
		if e.Type != adasim.EventConversationCreated {
			return
		}
		r := c.do("GET", "/v2/channels/?type=custom", nil)
		mu.Lock()
		defer mu.Unlock()
		if r.status == http.StatusOK {
			seen++
		}
	}})
	calls.Add(1)
	go func() {
		defer calls.Done()
		c.startConversation("")
	}()
	calls.Wait()
	mu.Lock()
	defer mu.Unlock()
	if seen != 1 {
		t.Fatalf("callback saw %d successful calls, want 1", seen)
	}
}
