package adasim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func TestCreateConversation(t *testing.T) {
	c := newSim(t, adasim.Options{})
	u := c.createEndUser(object{})
	conv := c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{
		"channel_id": c.sim.DefaultChannelID(), "end_user_id": u["end_user_id"],
		"metadata": object{"started_from_help_center": true, "n": 2, "score": 0.5, "s": "x"}})
	if !hexID.MatchString(str(conv["id"])) || conv["channel_id"] != c.sim.DefaultChannelID() ||
		conv["end_user_id"] != u["end_user_id"] || conv["status"] != "active" ||
		!timestamp.MatchString(str(conv["created_at"])) || !timestamp.MatchString(str(conv["updated_at"])) {
		t.Fatalf("conversation %v", conv)
	}
	if fmt.Sprint(conv["metadata"]) != fmt.Sprint(object{"started_from_help_center": true, "n": float64(2), "score": 0.5, "s": "x"}) {
		t.Fatalf("metadata %v", conv["metadata"])
	}
	c.expect(http.StatusOK, "GET", "/v2/conversations/"+str(conv["id"])+"/", nil)

	// Without end_user_id a new blank end user is created, and it exists.
	auto := c.startConversation("")
	if auto["end_user_id"] == u["end_user_id"] || !hexID.MatchString(str(auto["end_user_id"])) {
		t.Fatalf("auto-created end_user_id %v", auto["end_user_id"])
	}
	c.expect(http.StatusOK, "GET", "/v2/end-users/"+str(auto["end_user_id"]), nil)

	// Ada's demo code POSTs without the trailing slash: that works too.
	c.expect(http.StatusCreated, "POST", "/v2/conversations", object{"channel_id": c.sim.DefaultChannelID()})

	native := nativeChannelID(t, c)
	cases := []struct {
		name    string
		body    any
		status  int
		errType string
	}{
		{"no channel_id", object{}, http.StatusBadRequest, "validation_error"},
		{"unknown channel", object{"channel_id": "000000000000000000000000"}, http.StatusNotFound, "not_found"},
		{"native channel", object{"channel_id": native}, http.StatusBadRequest, "validation_error"},
		{"unknown end user", object{"channel_id": c.sim.DefaultChannelID(), "end_user_id": "000000000000000000000000"}, http.StatusNotFound, "not_found"},
		{"metadata object value", object{"channel_id": c.sim.DefaultChannelID(), "metadata": object{"a": []int{1}}}, http.StatusBadRequest, "validation_error"},
		{"metadata over 4 KB", object{"channel_id": c.sim.DefaultChannelID(), "metadata": sizedMetadata(4<<10 + 1)}, http.StatusBadRequest, "validation_error"},
		{"malformed JSON", `{"channel_id":`, http.StatusBadRequest, "bad_request"},
		{"not an object", `["channel_id"]`, http.StatusBadRequest, "bad_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, c.do("POST", "/v2/conversations/", tc.body), tc.status, tc.errType)
		})
	}
	c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID(), "metadata": sizedMetadata(4 << 10)})
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/conversations/000000000000000000000000/", nil)
}

func nativeChannelID(t *testing.T, c *client) string {
	t.Helper()
	page := c.expect(http.StatusOK, "GET", "/v2/channels/?type=native", nil)
	data := page["data"].([]any)
	if len(data) == 0 {
		t.Fatal("no native channel")
	}
	return str(data[0].(object)["id"])
}

func TestPatchConversationMetadataIsAdditive(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{
		"channel_id": c.sim.DefaultChannelID(), "metadata": object{"keep": "me", "drop": 1, "change": false}})
	path := "/v2/conversations/" + str(conv["id"]) + "/"

	got := c.expect(http.StatusOK, "PATCH", path, object{"metadata": object{"drop": nil, "change": true, "new": 0.95, "absent": nil}})
	want := object{"keep": "me", "change": true, "new": 0.95}
	if fmt.Sprint(got["metadata"]) != fmt.Sprint(want) {
		t.Fatalf("metadata %v, want %v", got["metadata"], want)
	}
	if read := c.expect(http.StatusOK, "GET", path, nil); fmt.Sprint(read["metadata"]) != fmt.Sprint(want) {
		t.Fatalf("GET after PATCH: metadata %v", read["metadata"])
	}

	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path, object{})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path, object{"metadata": nil})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path, object{"metadata": object{"a": object{}}})
	// 4 KB applies to the merged result.
	c.expect(http.StatusOK, "PATCH", path, object{"metadata": object{"keep": nil, "change": nil, "new": nil}})
	c.expect(http.StatusOK, "PATCH", path, object{"metadata": sizedMetadata(3 << 10)})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path, object{"metadata": object{"more": strings.Repeat("y", 1<<10)}})
	c.expectError(http.StatusNotFound, "not_found", "PATCH", "/v2/conversations/000000000000000000000000/", object{"metadata": object{}})
}

func TestGreetingUsesEndUserContext(t *testing.T) {
	c := newSim(t, adasim.Options{})
	cases := []struct {
		profile object
		want    string
	}{
		{object{"first_name": "Ana", "language": "pt-BR"}, "Olá Ana!"},
		{object{"first_name": "Jean", "language": "fr"}, "Bonjour Jean !"},
		{object{"first_name": "Lucía", "language": "es-MX"}, "¡Hola Lucía!"},
		{object{"first_name": "Klaus", "language": "de"}, "Hallo Klaus!"},
		{object{"first_name": "Ada"}, "Hi Ada!"},
		{object{"language": "ja"}, "Hi there!"},
	}
	for _, tc := range cases {
		u := c.createEndUser(object{"profile": tc.profile})
		conv := c.startConversation(str(u["end_user_id"]))
		msgs := c.messages(str(conv["id"]))
		if len(msgs) != 1 {
			t.Fatalf("%v: %d messages, want the greeting", tc.profile, len(msgs))
		}
		greet := msgs[0]
		author := greet["author"].(object)
		body := str(greet["content"].(object)["body"])
		if author["role"] != "ai_agent" || author["id"] != nil || !strings.HasPrefix(body, tc.want) {
			t.Errorf("%v: greeting %v, want ai_agent saying %q...", tc.profile, greet, tc.want)
		}
	}
}

func TestMessagesAndAIReply(t *testing.T) {
	c := newSim(t, adasim.Options{})
	u := c.createEndUser(object{"profile": object{"first_name": "Ada"}})
	uid := str(u["end_user_id"])
	conv := c.startConversation(uid)
	path := "/v2/conversations/" + str(conv["id"]) + "/messages/"

	msg := c.expect(http.StatusCreated, "POST", path, object{
		"author":  object{"id": uid, "role": "end_user", "avatar": "https://www.gravatar.com", "display_name": "Ada Lovelace"},
		"content": object{"type": "text", "body": "I need help with my order"}})
	if !hexID.MatchString(str(msg["id"])) || msg["conversation_id"] != conv["id"] || !timestamp.MatchString(str(msg["created_at"])) {
		t.Fatalf("message %v", msg)
	}
	if a := msg["author"].(object); a["id"] != uid || a["role"] != "end_user" || a["display_name"] != "Ada Lovelace" {
		t.Fatalf("author %v", a)
	}
	if strings.Contains(string(c.do("POST", path, object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": "x"}}).body), "ai_agent") {
		t.Fatal("the POST response carries the AI Agent's reply; Ada delivers it separately")
	}

	msgs := c.messages(str(conv["id"]))
	// greeting, message, reply, message, reply
	if len(msgs) != 5 {
		t.Fatalf("%d messages, want 5: %v", len(msgs), msgs)
	}
	roles := []string{}
	for _, m := range msgs {
		if m["type"] != "message_logs" || !hexID.MatchString(str(m["message_id"])) {
			t.Fatalf("item %v", m)
		}
		roles = append(roles, str(m["author"].(object)["role"]))
	}
	if fmt.Sprint(roles) != "[ai_agent end_user ai_agent end_user ai_agent]" {
		t.Fatalf("roles %v", roles)
	}
	if m := msgs[1]; m["author"].(object)["id"] != uid || m["message_id"] != msg["id"] {
		t.Fatalf("end-user item %v", m)
	}
	reply := str(msgs[2]["content"].(object)["body"])
	if !strings.Contains(reply, "I need help with my order") {
		t.Fatalf("reply %q does not quote the message", reply)
	}
	for i := 1; i < len(msgs); i++ {
		if str(msgs[i]["created_at"]) < str(msgs[i-1]["created_at"]) {
			t.Fatalf("messages not chronological: %v", msgs)
		}
	}

	// The same message gets the same reply.
	other := c.startConversation("")
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+str(other["id"])+"/messages/", object{
		"author": object{"id": other["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "I need help with my order"}})
	otherMsgs := c.messages(str(other["id"]))
	if got := str(otherMsgs[2]["content"].(object)["body"]); got != reply {
		t.Fatalf("same input, different reply: %q vs %q", got, reply)
	}

	// File messages keep their shape.
	file := object{"type": "file", "url": "https://files.example.com/a.pdf", "mime_type": "application/pdf", "filename": "a.pdf"}
	got := c.expect(http.StatusCreated, "POST", path, object{"author": object{"id": uid, "role": "end_user"}, "content": file})
	if fmt.Sprint(got["content"]) != fmt.Sprint(file) {
		t.Fatalf("file content %v", got["content"])
	}
}

func TestPostMessageValidation(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.startConversation("")
	uid := str(conv["end_user_id"])
	someoneElse := str(c.createEndUser(object{})["end_user_id"])
	path := "/v2/conversations/" + str(conv["id"]) + "/messages/"
	text := object{"type": "text", "body": "hi"}
	cases := []struct {
		name string
		body any
	}{
		{"ai_agent role", object{"author": object{"role": "ai_agent"}, "content": text}},
		{"unknown role", object{"author": object{"role": "bot"}, "content": text}},
		{"no role", object{"author": object{"id": uid}, "content": text}},
		{"no author", object{"content": text}},
		{"end_user without id", object{"author": object{"role": "end_user"}, "content": text}},
		{"end_user not of this conversation", object{"author": object{"id": someoneElse, "role": "end_user"}, "content": text}},
		{"human_agent without display_name", object{"author": object{"role": "human_agent"}, "content": text}},
		{"no content", object{"author": object{"id": uid, "role": "end_user"}}},
		{"empty body", object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": ""}}},
		{"unknown content type", object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "video", "body": "x"}}},
		{"file without filename", object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "file", "url": "https://x.example/a", "mime_type": "text/plain"}}},
		{"file with relative url", object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "file", "url": "/a", "mime_type": "text/plain", "filename": "a"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, c.do("POST", path, tc.body), http.StatusBadRequest, "validation_error")
		})
	}
	c.expectError(http.StatusNotFound, "not_found", "POST", "/v2/conversations/000000000000000000000000/messages/",
		object{"author": object{"id": uid, "role": "end_user"}, "content": text})
	if n := len(c.messages(str(conv["id"]))); n != 1 {
		t.Fatalf("%d messages after only invalid posts, want the greeting alone", n)
	}
}

func TestHandoff(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.startConversation("")
	id, uid := str(conv["id"]), str(conv["end_user_id"])
	msgs := "/v2/conversations/" + id + "/messages/"
	endHandoff := "/v2/conversations/" + id + "/end-handoff/"
	say := func(body string) {
		t.Helper()
		c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": body}})
	}

	c.expectError(http.StatusUnprocessableEntity, "unprocessable_entity", "POST", endHandoff, nil)

	say("Can I talk to a HUMAN, please?")
	all := c.messages(id)
	if last := str(all[len(all)-1]["content"].(object)["body"]); !strings.Contains(last, "connecting you with a human agent") {
		t.Fatalf("reply to a handoff request: %q", last)
	}
	// During the handoff the AI Agent is silent; the human agent answers.
	before := len(c.messages(id))
	say("hello? anyone?")
	c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"role": "human_agent", "display_name": "Grace"}, "content": object{"type": "text", "body": "Hi, Grace here."}})
	all = c.messages(id)
	if len(all) != before+2 {
		t.Fatalf("%d messages, want %d: the AI Agent must not answer during a handoff", len(all), before+2)
	}
	human := all[len(all)-1]
	if a := human["author"].(object); a["role"] != "human_agent" || a["id"] != nil || a["display_name"] != "Grace" {
		t.Fatalf("human agent item %v", human)
	}

	c.expect(http.StatusOK, "POST", endHandoff, object{})
	c.expectError(http.StatusUnprocessableEntity, "unprocessable_entity", "POST", endHandoff, object{})
	say("thanks")
	all = c.messages(id)
	if last := all[len(all)-1]; last["author"].(object)["role"] != "ai_agent" || !strings.Contains(str(last["content"].(object)["body"]), "thanks") {
		t.Fatalf("after end-handoff the AI Agent should answer again; last message %v", last)
	}
	// "agent" and "person" are triggers too, as words only.
	say("agentic workflows are neat")
	if c.expect(http.StatusOK, "GET", "/v2/conversations/"+id+"/", nil)["status"] != "active" {
		t.Fatal("status changed")
	}
	c.expectError(http.StatusUnprocessableEntity, "unprocessable_entity", "POST", endHandoff, nil)
	say("a real person")
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+id+"/end-handoff", nil) // demo spelling
	c.expectError(http.StatusNotFound, "not_found", "POST", "/v2/conversations/000000000000000000000000/end-handoff/", nil)
}

func TestEndConversation(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.startConversation("")
	id, uid := str(conv["id"]), str(conv["end_user_id"])
	end := "/v2/conversations/" + id + "/end/"

	got := c.expect(http.StatusOK, "POST", end, nil)
	if str(got["message"]) == "" {
		t.Fatalf("end response %v, want {message}", got)
	}
	read := c.expect(http.StatusOK, "GET", "/v2/conversations/"+id+"/", nil)
	if read["status"] != "ended" {
		t.Fatalf("status %v, want ended", read["status"])
	}
	c.expect(http.StatusOK, "POST", end, nil) // idempotent
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+id+"/end", nil)
	c.expectError(http.StatusBadRequest, "bad_request", "POST", "/v2/conversations/"+id+"/messages/",
		object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": "still there?"}})
	c.expectError(http.StatusNotFound, "not_found", "POST", "/v2/conversations/000000000000000000000000/end/", nil)

	// Ada may send CSAT as a link message at the end.
	msgs := c.messages(id)
	last := msgs[len(msgs)-1]["content"].(object)
	if last["type"] != "link" || !strings.HasPrefix(str(last["url"]), "https://") || str(last["link_text"]) == "" {
		t.Fatalf("last message content %v, want a CSAT link", last)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages after ending twice, want greeting + one CSAT link", len(msgs))
	}
}

func TestDelayedReplies(t *testing.T) {
	c := newSim(t, adasim.Options{ReplyDelay: 30 * time.Millisecond})
	conv := c.startConversation("")
	id, uid := str(conv["id"]), str(conv["end_user_id"])
	waitFor(t, "the greeting", func() bool { return len(c.messages(id)) == 1 })

	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+id+"/messages/", object{
		"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": "ping"}})
	waitFor(t, "the reply", func() bool { return len(c.messages(id)) == 3 })
	msgs := c.messages(id)
	if msgs[2]["author"].(object)["role"] != "ai_agent" || !strings.Contains(str(msgs[2]["content"].(object)["body"]), "ping") {
		t.Fatalf("reply %v", msgs[2])
	}
}

func TestDelayedReplyIsNotImmediate(t *testing.T) {
	// A delay far longer than the test: the reply must not be there yet, and Close drops it.
	c := newSim(t, adasim.Options{ReplyDelay: time.Hour})
	conv := c.startConversation("")
	id := str(conv["id"])
	if n := len(c.messages(id)); n != 0 {
		t.Fatalf("%d messages right after creation with a 1 h ReplyDelay, want 0", n)
	}
	c.sim.Close()
	c.sim.Close() // safe twice
	if n := len(c.messages(id)); n != 0 {
		t.Fatalf("%d messages after Close, want the pending greeting dropped", n)
	}
	// After Close the simulator still answers, with replies stored at once.
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+id+"/messages/", object{
		"author": object{"id": conv["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "hi"}})
	if n := len(c.messages(id)); n != 2 {
		t.Fatalf("%d messages, want message + reply", n)
	}
}

func TestMessagePagination(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.startConversation("")
	id, uid := str(conv["id"]), str(conv["end_user_id"])
	for i := range 12 {
		c.expect(http.StatusCreated, "POST", "/v2/conversations/"+id+"/messages/", object{
			"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": fmt.Sprint("message ", i)}})
	}
	all := c.messages(id) // 1 + 12*2 = 25 with the default limit, one page
	if len(all) != 25 {
		t.Fatalf("%d messages, want 25", len(all))
	}
	var walked []string
	next := "/v2/conversations/" + id + "/messages/?limit=4"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, m := range page["data"].([]any) {
			walked = append(walked, str(m.(object)["message_id"]))
		}
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	var want []string
	for _, m := range all {
		want = append(want, str(m["message_id"]))
	}
	if fmt.Sprint(walked) != fmt.Sprint(want) {
		t.Fatalf("walked %v, want %v", walked, want)
	}
	c.expectError(http.StatusBadRequest, "bad_request", "GET", "/v2/conversations/"+id+"/messages/?limit=101", nil)
	c.expectError(http.StatusBadRequest, "bad_request", "GET", "/v2/conversations/"+id+"/messages/?cursor=000000000000000000000000", nil)
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/conversations/000000000000000000000000/messages/", nil)
}

func TestHandoffTriggerWords(t *testing.T) {
	c := newSim(t, adasim.Options{})
	cases := []struct {
		text    string
		handoff bool
	}{
		{"HUMAN please", true},
		{"Agent!", true},
		{"can a real person help", true},
		{"talk to an AI-agent?", true},
		{"agentic workflows", false},
		{"humanity", false},
		{"my personal data", false},
		{"hello", false},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			conv := c.startConversation("")
			id := str(conv["id"])
			c.expect(http.StatusCreated, "POST", "/v2/conversations/"+id+"/messages/", object{
				"author": object{"id": conv["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": tc.text}})
			r := c.do("POST", "/v2/conversations/"+id+"/end-handoff/", nil)
			if got := r.status == http.StatusOK; got != tc.handoff {
				t.Fatalf("end-handoff status %d: handoff %v, want %v", r.status, got, tc.handoff)
			}
		})
	}
}
