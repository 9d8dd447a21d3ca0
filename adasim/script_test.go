package adasim_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// testScript is like the example of doc.go, with a rule more for the cases below.
const testScript = `{
  "rules": [
    {"match": "(?i)\\brefund\\b", "replies": ["I can help with refunds.", "What is your order number?", "It starts with #."]},
    {"match": "(?i)talk to sales", "replies": ["Connecting you to our sales team."], "handoff": true},
    {"match": "^lawyer$", "handoff": true},
    {"match": "(?i)are you an agent", "replies": ["I am a scripted AI Agent."]}
  ]
}`

func mustScript(t testing.TB, src string) *adasim.AgentScript {
	t.Helper()
	sc, err := adasim.ParseAgentScript([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestParseAgentScript(t *testing.T) {
	sc := mustScript(t, testScript)
	if len(sc.Rules) != 4 || sc.Rules[0].Match != `(?i)\brefund\b` || len(sc.Rules[0].Replies) != 3 ||
		!sc.Rules[1].Handoff || !sc.Rules[2].Handoff || sc.Rules[2].Replies != nil || sc.Rules[3].Handoff {
		t.Fatalf("parsed %+v", sc)
	}
	if sc := mustScript(t, `{"rules": []}`); sc.Rules == nil || len(sc.Rules) != 0 {
		t.Fatalf("empty script %+v", sc)
	}
	for _, tc := range []struct{ src, want string }{
		{`not json`, "not an agent script"},
		{`{}`, "rules: required"},
		{`{"rules": null}`, "rules: required"},
		{`{"rule": []}`, `unknown field "rule"`},
		{`{"rules": []} {}`, "after the JSON value"},
		{`{"rules": [{"match": "a", "replies": ["x"], "reply": "y"}]}`, `rules[0]: json: unknown field "reply"`},
		{`{"rules": [{"match": "a", "replies": "x"}]}`, "rules[0]: json: cannot unmarshal"},
		{`{"rules": [{"replies": ["x"]}]}`, "rules[0].match: required"},
		{`{"rules": [{"match": "a", "replies": ["x"]}, {"match": "(b"}]}`, "rules[1].match: error parsing regexp"},
		{`{"rules": [{"match": "a", "replies": ["x"]}, {"match": "b"}]}`, "rules[1].replies: at least one reply"},
		{`{"rules": [{"match": "a", "replies": []}]}`, "rules[0].replies: at least one reply"},
		{`{"rules": [{"match": "a", "replies": ["x", " "]}]}`, "rules[0].replies[1]: must not be empty"},
	} {
		if _, err := adasim.ParseAgentScript([]byte(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseAgentScript(%s): %v, want an error containing %q", tc.src, err, tc.want)
		}
	}
}

func TestReadAgentScript(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "agent.json"), filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(testScript), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"rules": [{"match": "["}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if sc, err := adasim.ReadAgentScript(good); err != nil || len(sc.Rules) != 4 {
		t.Fatalf("ReadAgentScript: %+v, %v", sc, err)
	}
	if _, err := adasim.ReadAgentScript(bad); err == nil || !strings.HasPrefix(err.Error(), bad+": rules[0].match: ") {
		t.Fatalf("ReadAgentScript(bad): %v", err)
	}
	if _, err := adasim.ReadAgentScript(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("ReadAgentScript of a missing file succeeded")
	}
}

func TestOpenChecksAgentScript(t *testing.T) {
	sc := &adasim.AgentScript{Rules: []adasim.AgentRule{{Match: "ok", Replies: []string{"fine"}}, {Match: "(", Replies: []string{"x"}}}}
	_, err := adasim.Open(adasim.Options{APIKey: testKey, Agent: sc})
	if err == nil || !strings.Contains(err.Error(), "Options.Agent: rules[1].match") {
		t.Fatalf("Open: %v", err)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "rules[1].match") {
			t.Fatalf("New panicked with %v", p)
		}
	}()
	adasim.New(adasim.Options{APIKey: testKey, Agent: sc})
}

// conversationWith starts a conversation for an end user with that language.
func conversationWith(c *client, language string) (endUserID, conversationID string) {
	c.t.Helper()
	u := c.createEndUser(object{"profile": object{"language": language}})
	return str(u["end_user_id"]), str(c.startConversation(str(u["end_user_id"]))["id"])
}

// say posts an end-user text message.
func say(c *client, endUserID, conversationID, body string) {
	c.t.Helper()
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+conversationID+"/messages/", object{
		"author": object{"id": endUserID, "role": "end_user"}, "content": object{"type": "text", "body": body}})
}

// bodiesSince are the message bodies (link text for a link) from the nth message on.
func bodiesSince(c *client, conversationID string, n int) []string {
	c.t.Helper()
	var out []string
	for _, m := range c.messages(conversationID)[n:] {
		content := m["content"].(object)
		out = append(out, str(content["body"])+str(content["link_text"]))
	}
	return out
}

func TestScriptedAgent(t *testing.T) {
	var log eventLog
	c := newSim(t, adasim.Options{Deterministic: true, OnEvent: log.add, Agent: mustScript(t, testScript)})
	uid, cid := conversationWith(c, "fr")
	seen := 1 // the greeting
	// exchange says body and checks the replies: each begins with its want.
	exchange := func(body string, want ...string) {
		t.Helper()
		log.take()
		say(c, uid, cid, body)
		got := bodiesSince(c, cid, seen)
		ok := len(got) == 1+len(want) && got[0] == body
		for i := 0; ok && i < len(want); i++ {
			ok = strings.HasPrefix(got[i+1], want[i])
		}
		if !ok {
			t.Fatalf("after %q: %q, want %q", body, got[1:], want)
		}
		seen += len(got)
		// One v1.conversation.message per message, in order.
		events := log.take()
		if strings.TrimSpace(strings.Repeat(adasim.EventConversationMessage+" ", len(got))) != types(events) {
			t.Fatalf("events %q for %d messages", types(events), len(got))
		}
	}
	endHandoff := func(want int) {
		t.Helper()
		c.expect(want, "POST", "/v2/conversations/"+cid+"/end-handoff/", nil)
		if want == http.StatusOK {
			if got := bodiesSince(c, cid, seen); len(got) != 1 || !strings.HasPrefix(got[0], "L'agent humain a quitté") {
				t.Fatalf("after end-handoff: %q", got)
			}
			seen++
		}
	}

	exchange("I want a REFUND please", "I can help with refunds.", "What is your order number?", "It starts with #.")
	exchange("hello", "Vous avez écrit") // no rule matches: the built-in answer
	// A rule wins over the built-in handoff words.
	exchange("are you an agent?", "I am a scripted AI Agent.")
	endHandoff(http.StatusUnprocessableEntity)

	// A rule that hands off: its replies, then a human has the conversation.
	exchange("I'd like to talk to sales", "Connecting you to our sales team.")
	if st := c.sim.State(); !st.Conversations[0].Handoff {
		t.Fatal("not in a handoff")
	}
	exchange("anyone there?") // the AI Agent is silent during a handoff
	endHandoff(http.StatusOK)
	exchange("refund", "I can help with refunds.", "What is your order number?", "It starts with #.")

	// A handoff rule without replies announces it as the built-in handoff does.
	exchange("lawyer", "Je vous mets en relation avec un agent humain. Merci de rester dans cette conversation.")
	endHandoff(http.StatusOK)
	// Unmatched, the built-in handoff words still work.
	exchange("I need a person", "Je vous mets en relation avec un agent humain.")
	endHandoff(http.StatusOK)
}

func TestScriptedAgentFallsBack(t *testing.T) {
	c := newSim(t, adasim.Options{Agent: mustScript(t, `{"rules": [{"match": "pdf|.", "replies": ["scripted"]}]}`)})
	uid, cid := conversationWith(c, "en")
	// A file is not a text message: the built-in answer, whatever the rules.
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+cid+"/messages/", object{"author": object{"id": uid, "role": "end_user"},
		"content": object{"type": "file", "url": "https://files.example.com/r.pdf", "mime_type": "application/pdf", "filename": "r.pdf"}})
	if got := bodiesSince(c, cid, 2); len(got) != 1 || got[0] != `Thanks, I received your file "r.pdf".` {
		t.Fatalf("file answer %q", got)
	}
	// The rule matches anything, even a request for a human: no handoff.
	say(c, uid, cid, "human")
	if got := bodiesSince(c, cid, 4); len(got) != 1 || got[0] != "scripted" {
		t.Fatalf("answer %q", got)
	}
}

// The first reply comes after ReplyDelay, each next one ReplyGap later (100 ms by default).
func TestScriptedAgentReplyTiming(t *testing.T) {
	for _, tc := range []struct {
		name       string
		delay, gap time.Duration
		wantGap    time.Duration
	}{
		{"gap", 30 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond},
		{"default gap", 10 * time.Millisecond, 0, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var arrivals []time.Time
			c := newSim(t, adasim.Options{ReplyDelay: tc.delay, ReplyGap: tc.gap, Agent: mustScript(t, testScript),
				OnEvent: func(e adasim.Event) {
					mu.Lock()
					defer mu.Unlock()
					arrivals = append(arrivals, time.Now())
				}})
			uid, cid := conversationWith(c, "en")
			waitFor(t, "the greeting", func() bool { return len(c.messages(cid)) == 1 })
			mu.Lock()
			arrivals = nil
			mu.Unlock()

			posted := time.Now()
			say(c, uid, cid, "refund")
			if got := bodiesSince(c, cid, 1); len(got) != 1 {
				t.Fatalf("replies visible at once: %q", got)
			}
			waitFor(t, "three replies", func() bool { return len(c.messages(cid)) == 5 })
			if got := bodiesSince(c, cid, 2); !slices.Equal(got, []string{"I can help with refunds.", "What is your order number?", "It starts with #."}) {
				t.Fatalf("replies %q", got)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(arrivals) != 4 { // the end user's message, then the replies
				t.Fatalf("%d events", len(arrivals))
			}
			for i, at := range arrivals[1:] {
				if earliest := posted.Add(tc.delay + time.Duration(i)*tc.wantGap); at.Before(earliest) {
					t.Fatalf("reply %d after %v, want at least %v", i, at.Sub(posted), earliest.Sub(posted))
				}
			}
			var times []string
			for _, m := range c.messages(cid)[2:] {
				times = append(times, str(m["created_at"]))
			}
			if !slices.IsSorted(times) || times[0] == times[1] || times[1] == times[2] {
				t.Fatalf("created_at %v", times)
			}
		})
	}
}

// The same script, seed and requests give the same conversation, byte for byte.
func TestScriptedAgentIsDeterministic(t *testing.T) {
	run := func() string {
		c := newSim(t, adasim.Options{Seed: 11, Deterministic: true, Agent: mustScript(t, testScript)})
		uid, cid := conversationWith(c, "en")
		for _, body := range []string{"refund", "hello", "talk to sales"} {
			say(c, uid, cid, body)
		}
		return string(c.do("GET", "/v2/conversations/"+cid+"/messages/", nil).body)
	}
	if a, b := run(), run(); a != b {
		t.Fatalf("two runs differ:\n%s\n%s", a, b)
	}
}

// An AI Agent set up without a greeting (greeting: false) writes nothing
// when a conversation starts, and still answers.
func TestScriptWithoutGreeting(t *testing.T) {
	sc := mustScript(t, `{"greeting": false, "rules": [{"match": "order", "replies": ["It ships tomorrow."]}]}`)
	if sc.Greeting == nil || *sc.Greeting {
		t.Fatalf("parsed greeting %v", sc.Greeting)
	}
	c := newSim(t, adasim.Options{Deterministic: true, Agent: sc})
	uid, cid := conversationWith(c, "en")
	if msgs := c.messages(cid); len(msgs) != 0 {
		t.Fatalf("a conversation without a greeting starts with %d messages", len(msgs))
	}
	say(c, uid, cid, "where is my order")
	if got := bodiesSince(c, cid, 0); !slices.Equal(got, []string{"where is my order", "It ships tomorrow."}) {
		t.Fatalf("messages %q", got)
	}
	// greeting: true, or left out, greets.
	for _, src := range []string{`{"greeting": true, "rules": []}`, `{"rules": []}`} {
		c := newSim(t, adasim.Options{Agent: mustScript(t, src)})
		if _, cid := conversationWith(c, "en"); len(c.messages(cid)) != 1 {
			t.Fatalf("%s: no greeting", src)
		}
	}
}
