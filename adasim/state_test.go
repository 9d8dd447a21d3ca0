package adasim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// canary is a sensitive_metadata value: it must never come back, in any form.
const canary = "canary-sensitive-7f3a"

// sandboxURL is the URL of one of the sandbox's own endpoints: beside /api, not under it.
func (c *client) sandboxURL(path string) string { return strings.TrimSuffix(c.base, "/api") + path }

// dump is GET /_sandbox/state, byte for byte.
func (c *client) dump() []byte {
	c.t.Helper()
	r := c.do("GET", c.sandboxURL("/_sandbox/state"), nil)
	if r.status != http.StatusOK {
		c.t.Fatalf("GET /_sandbox/state: %d %s", r.status, r.body)
	}
	return r.body
}

// filled is what fill created.
type filled struct {
	ana, bob, channel, handoffConv, endedConv string
}

// fill creates, through the API, every kind of item a dump holds: end users with and without
// sensitive keys, a custom channel with metadata, a conversation in a handoff and an ended one,
// messages of the three roles and of the three content types.
func fill(c *client) filled {
	c.t.Helper()
	var f filled
	f.ana = str(c.createEndUser(object{"external_id": "crm-1", "profile": object{
		"first_name": "Ana", "language": "pt-BR", "email": "ana@example.com",
		"metadata":           object{"plan": "pro", "seats": 3, "vip": true},
		"sensitive_metadata": object{"fields": object{"tier": 2, "ssn": canary}},
	}})["end_user_id"])
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+f.ana, object{"profile": object{
		"last_name": "Silva", "sensitive_metadata": object{"fields": object{"token": canary + "-2"}}}})
	f.bob = str(c.createEndUser(object{"external_id": "Bob&Co", "profile": object{"display_name": "<Bob>"}})["end_user_id"])
	f.channel = str(c.expect(http.StatusCreated, "POST", "/v2/channels/", object{"name": "Support <chat>", "description": "help & more",
		"modality": "messaging", "metadata": object{"f": 2.5, "n": 1, "b": false, "host": "https://example.com"}})["id"])

	f.handoffConv = str(c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID(),
		"end_user_id": f.ana, "metadata": object{"source": "web", "score": 0.5}})["id"])
	msgs := "/v2/conversations/" + f.handoffConv + "/messages/"
	asAna := object{"id": f.ana, "role": "end_user", "display_name": "Ana"}
	c.expect(http.StatusCreated, "POST", msgs, object{"author": asAna, "content": object{"type": "text", "body": "Where is <my> order?"}})
	c.expect(http.StatusCreated, "POST", msgs, object{"author": asAna, "content": object{"type": "text", "body": "I want a human agent"}})
	c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"role": "human_agent", "display_name": "Grace", "avatar": "https://example.com/g.png"},
		"content": object{"type": "text", "body": "Hi Ana, Grace here."}})

	f.endedConv = str(c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{"channel_id": f.channel, "end_user_id": f.bob})["id"])
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+f.endedConv+"/messages/", object{"author": object{"id": f.bob, "role": "end_user"},
		"content": object{"type": "file", "url": "https://files.example.com/r.pdf", "mime_type": "application/pdf", "filename": "r.pdf"}})
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+f.endedConv+"/end/", nil)
	return f
}

// rawDump is a dump with its items kept as bytes.
type rawDump struct {
	EndUsers      []json.RawMessage `json:"end_users"`
	Channels      []json.RawMessage `json:"channels"`
	Conversations []json.RawMessage `json:"conversations"`
}

// rawList is the data of every page of a list, each item as bytes.
func (c *client) rawList(path string) []json.RawMessage {
	c.t.Helper()
	var all []json.RawMessage
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			c.t.Fatal("more than 100 pages")
		}
		r := c.do("GET", path, nil)
		var page struct {
			Data []json.RawMessage
			Meta struct {
				NextPageURL *string `json:"next_page_url"`
			}
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &page) != nil {
			c.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		all = append(all, page.Data...)
		path = ""
		if page.Meta.NextPageURL != nil {
			path = *page.Meta.NextPageURL
		}
	}
	return all
}

// The dump renders every item exactly as the API does, byte for byte, with its extra fields
// after Ada's.
func TestStateDumpIsTheAPIsRendering(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 1})
	f := fill(c)
	var d rawDump
	if err := json.Unmarshal(c.dump(), &d); err != nil {
		t.Fatal(err)
	}

	// An item with extra fields is the API's body without its closing brace, then the extras.
	extends := func(item json.RawMessage, apiBody []byte, extras string) {
		t.Helper()
		want := string(bytes.TrimSuffix(bytes.TrimSpace(apiBody), []byte("}"))) + extras
		if string(item) != want {
			t.Fatalf("dump item\n%s\nwant\n%s", item, want)
		}
	}
	if len(d.EndUsers) != 2 {
		t.Fatalf("%d end users", len(d.EndUsers))
	}
	extends(d.EndUsers[0], c.do("GET", "/v2/end-users/"+f.ana, nil).body, `,"sensitive_metadata_keys":["ssn","tier","token"]}`)
	extends(d.EndUsers[1], c.do("GET", "/v2/end-users/"+f.bob, nil).body, `,"sensitive_metadata_keys":[]}`)

	channels := append(c.rawList("/v2/channels/?type=native"), c.rawList("/v2/channels/?type=custom")...)
	if !slices.EqualFunc(d.Channels, channels, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
		t.Fatalf("channels\n%s\nwant\n%s", d.Channels, channels)
	}
	if !bytes.Contains(d.Channels[2], []byte(`"name":"Support <chat>"`)) {
		t.Fatalf("the channel is HTML-escaped or missing: %s", d.Channels[2])
	}

	for i, id := range []string{f.handoffConv, f.endedConv} {
		var items []string
		for _, m := range c.rawList("/v2/conversations/" + id + "/messages/") {
			items = append(items, string(m))
		}
		messages := "[" + strings.Join(items, ",") + "]"
		extends(d.Conversations[i], c.do("GET", "/v2/conversations/"+id+"/", nil).body,
			fmt.Sprintf(`,"handoff":%t,"messages":%s}`, i == 0, messages))
	}
	roles, types := map[string]bool{}, map[string]bool{}
	for _, cv := range decode[object](t, response{body: c.dump()})["conversations"].([]any) {
		for _, m := range cv.(object)["messages"].([]any) {
			roles[str(m.(object)["author"].(object)["role"])] = true
			types[str(m.(object)["content"].(object)["type"])] = true
		}
	}
	if len(roles) != 3 || len(types) != 3 {
		t.Fatalf("the scenario misses roles %v or content types %v", roles, types)
	}
}

// A dump loads back into a fresh simulator (any seed) and dumps again byte for byte, and the
// loaded state behaves: the handoff holds, the ended conversation stays ended, the clock goes on.
func TestStateRoundTrip(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 7, Deterministic: true})
	f := fill(c)
	first := c.dump()
	goFirst, err := json.Marshal(c.sim.State())
	if err != nil {
		t.Fatal(err)
	}

	var st adasim.State
	if err := json.Unmarshal(first, &st); err != nil {
		t.Fatal(err)
	}
	loaded := newSim(t, adasim.Options{Seed: 99, Deterministic: true})
	if err := loaded.sim.LoadState(st); err != nil {
		t.Fatal(err)
	}
	if second := loaded.dump(); !bytes.Equal(first, second) {
		t.Fatalf("dump after load differs:\n%s\n%s", first, second)
	}
	if goSecond, _ := json.Marshal(loaded.sim.State()); !bytes.Equal(goFirst, goSecond) {
		t.Fatalf("State() after load differs:\n%s\n%s", goFirst, goSecond)
	}
	// The same through PUT: its response is the resulting dump.
	put := newSim(t, adasim.Options{Seed: 3})
	if r := put.do("PUT", put.sandboxURL("/_sandbox/state"), first); r.status != http.StatusOK || !bytes.Equal(r.body, first) {
		t.Fatalf("PUT: %d\n%s", r.status, r.body)
	}

	// The loaded simulator's default channel is the first custom messaging one: the dumped
	// "Sandbox chat", not the seeded channel of its own seed.
	if got := loaded.sim.DefaultChannelID(); got != c.sim.DefaultChannelID() {
		t.Fatalf("DefaultChannelID %s, want %s", got, c.sim.DefaultChannelID())
	}
	if u := loaded.expect(http.StatusOK, "GET", "/v2/end-users/?external_id=CRM-1", nil); u["end_user_id"] != f.ana {
		t.Fatalf("external_id lookup: %v", u)
	}
	before := loaded.messages(f.handoffConv)
	msg := loaded.expect(http.StatusCreated, "POST", "/v2/conversations/"+f.handoffConv+"/messages/", object{
		"author": object{"id": f.ana, "role": "end_user"}, "content": object{"type": "text", "body": "still there?"}})
	if after := loaded.messages(f.handoffConv); len(after) != len(before)+1 {
		t.Fatalf("in a handoff the AI Agent answered: %d messages, then %d", len(before), len(after))
	}
	if last := str(before[len(before)-1]["created_at"]); str(msg["created_at"]) <= last {
		t.Fatalf("a message after the load is dated %s, not after the last loaded one (%s)", msg["created_at"], last)
	}
	loaded.expect(http.StatusOK, "POST", "/v2/conversations/"+f.handoffConv+"/end-handoff/", nil)
	loaded.expectError(http.StatusBadRequest, "bad_request", "POST", "/v2/conversations/"+f.endedConv+"/messages/", object{
		"author": object{"id": f.bob, "role": "end_user"}, "content": object{"type": "text", "body": "hello?"}})
	// A new end user gets a fresh id, and the mapped external_id is still taken.
	if u := loaded.createEndUser(object{"external_id": "someone"}); u["end_user_id"] == f.ana || u["end_user_id"] == f.bob {
		t.Fatalf("a generated id collides: %v", u["end_user_id"])
	}
	loaded.expect(http.StatusOK, "POST", "/v2/end-users/", object{"external_id": "BOB&CO"})
}

// sensitive_metadata values never appear in a dump, an error, or the log: only their keys.
func TestStateNeverHoldsSensitiveValues(t *testing.T) {
	var logs safeBuffer
	c := newSim(t, adasim.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	fill(c)
	leaks := func(what string, data []byte) {
		t.Helper()
		if bytes.Contains(data, []byte(canary)) {
			t.Fatalf("%s holds the sensitive value: %s", what, data)
		}
	}
	dump := c.dump()
	leaks("GET /_sandbox/state", dump)
	if !bytes.Contains(dump, []byte(`"sensitive_metadata_keys":["ssn","tier","token"]`)) {
		t.Fatalf("the keys are not in the dump: %s", dump)
	}
	goDump, _ := json.Marshal(c.sim.State())
	leaks("State()", goDump)

	put := func(body string, want int) []byte {
		t.Helper()
		r := c.do("PUT", c.sandboxURL("/_sandbox/state"), body)
		if r.status != want {
			t.Fatalf("PUT %s: %d, want %d: %s", body, r.status, want, r.body)
		}
		leaks("PUT "+body, r.body)
		return r.body
	}
	q := fmt.Sprintf("%q", canary)
	put(`{"end_users":[{"sensitive_metadata":{"ssn":`+q+`}}],"conversations":[{"channel_id":"x","end_user_id":"y"}]}`, http.StatusBadRequest)
	put(`{"end_users":[{"sensitive_metadata":{"ssn":{"v":`+q+`}}}]}`, http.StatusBadRequest)
	put(`{"end_users":[{"sensitive_metadata":{"ssn":[`+q+`]}}]}`, http.StatusBadRequest)
	put(`{"end_users":[{"sensitive_metadata":{"ssn":`+canary+`}}]}`, http.StatusBadRequest) // not JSON
	put(`{"end_users":[{"sensitive_metadata":{"ssn":`+q+`,"bad key":1}}]}`, http.StatusBadRequest)
	put(`{"end_users":[{"sensitive_metadata":{"ssn":`+q+`},"profile":{"sensitive_metadata":{"fields":{"a":`+q+`}}}}]}`, http.StatusBadRequest)
	loadedDump := put(`{"end_users":[{"sensitive_metadata":{"ssn":`+q+`,"n":3},"sensitive_metadata_keys":["pin"]}]}`, http.StatusOK)
	if !bytes.Contains(loadedDump, []byte(`"sensitive_metadata_keys":["n","pin","ssn"]`)) {
		t.Fatalf("loaded keys missing: %s", loadedDump)
	}
	leaks("GET /_sandbox/state after a load", c.dump())

	// Go callers: no error repeats the value, whatever its type.
	for _, v := range []any{canary, []string{canary}, map[string]any{"v": canary}} {
		err := c.sim.LoadState(adasim.State{EndUsers: []adasim.StateEndUser{{SensitiveMetadata: map[string]any{"ssn": v}, EndUserID: "bad/id"}}})
		err2 := c.sim.LoadState(adasim.State{EndUsers: []adasim.StateEndUser{{SensitiveMetadata: map[string]any{"ssn": v, "x": ""}}}})
		if err == nil || err2 == nil {
			t.Fatalf("invalid states loaded: %v, %v", err, err2)
		}
		leaks("a LoadState error", []byte(err.Error()+err2.Error()))
	}
	leaks("the log", []byte(logs.String()))
	if !strings.Contains(logs.String(), "/_sandbox/state") {
		t.Fatalf("sandbox requests are not logged: %s", logs.String())
	}
}

// fixture is a hand-written state: most ids, every time and most fields left out.
const fixture = `{
  "end_users": [
    {"end_user_id": "ana", "external_id": "crm-ana",
     "profile": {"first_name": "Ana", "language": "fr", "metadata": {"plan": "pro", "seats": 3}},
     "sensitive_metadata": {"ssn": "123-45"}, "sensitive_metadata_keys": ["token"]},
    {}
  ],
  "channels": [
    {"id": "mail", "name": "Mail", "modality": "email"},
    {"id": "help", "name": "Help", "description": "Help desk", "metadata": {"tier": 1.5}},
    {"type": "native", "name": "Web Chat", "capabilities": {"markdown": true}}
  ],
  "conversations": [
    {"channel_id": "help", "end_user_id": "ana", "metadata": {"topic": "billing"}, "messages": [
      {"author": {"role": "end_user"}, "content": {"type": "text", "body": "Bonjour"}},
      {"type": "message_logs", "author": {"role": "ai_agent"}, "content": {"type": "text", "body": "Bonjour Ana !"}},
      {"author": {"role": "human_agent", "display_name": "Grace"}, "content": {"type": "link", "url": "https://example.com/faq", "link_text": "FAQ"}},
      {"author": {"role": "end_user", "id": "ana"}, "content": {"type": "file", "url": "https://example.com/a.png", "mime_type": "image/png", "filename": "a.png"}}
    ]},
    {"id": "closed", "channel_id": "help", "end_user_id": "ana", "status": "ended",
     "created_at": "2025-06-01T10:00:00Z", "updated_at": "2025-06-01T10:05:00.123456+00:00"}
  ]
}`

func decodeState(t testing.TB, data string) adasim.State {
	t.Helper()
	var st adasim.State
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// A hand-written fixture loads with its defaults: generated ids, the clock's times, custom
// messaging channels, active conversations, the conversation's end user as author.
func TestStateFixtureDefaults(t *testing.T) {
	st := decodeState(t, fixture)
	c := newSim(t, adasim.Options{Seed: 1, Deterministic: true, State: &st})
	d := decode[object](t, response{body: c.dump()})

	users := d["end_users"].([]any)
	ana, blank := users[0].(object), users[1].(object)
	if ana["end_user_id"] != "ana" || !hexID.MatchString(str(blank["end_user_id"])) {
		t.Fatalf("end user ids %v, %v", ana["end_user_id"], blank["end_user_id"])
	}
	if !reflect.DeepEqual(ana["sensitive_metadata_keys"], []any{"ssn", "token"}) || !reflect.DeepEqual(blank["sensitive_metadata_keys"], []any{}) {
		t.Fatalf("sensitive keys %v, %v", ana["sensitive_metadata_keys"], blank["sensitive_metadata_keys"])
	}
	if !timestamp.MatchString(str(ana["created_at"])) || ana["created_at"] != ana["updated_at"] || ana["created_at"] == blank["created_at"] {
		t.Fatalf("times %v %v %v", ana["created_at"], ana["updated_at"], blank["created_at"])
	}
	if p := ana["profile"].(object); p["first_name"] != "Ana" || p["metadata"].(object)["seats"] != 3.0 || p["last_name"] != nil {
		t.Fatalf("profile %v", p)
	}

	channels := d["channels"].([]any)
	if len(channels) != 3 {
		t.Fatalf("channels %v: the listed ones replace the seeded ones", channels)
	}
	help, native := channels[1].(object), channels[2].(object)
	if help["type"] != "custom" || help["modality"] != "messaging" || help["metadata"].(object)["tier"] != 1.5 || !timestamp.MatchString(str(help["created_at"])) {
		t.Fatalf("custom channel %v", help)
	}
	if _, ok := native["created_at"]; ok || !hexID.MatchString(str(native["id"])) || native["capabilities"].(object)["markdown"] != true {
		t.Fatalf("native channel %v", native)
	}
	if got := c.sim.DefaultChannelID(); got != "help" {
		t.Fatalf("DefaultChannelID %q, want the first custom messaging channel", got)
	}

	convs := d["conversations"].([]any)
	open, closed := convs[0].(object), convs[1].(object)
	if open["status"] != "active" || open["handoff"] != false || !hexID.MatchString(str(open["id"])) || open["end_user_id"] != "ana" {
		t.Fatalf("conversation %v", open)
	}
	if closed["status"] != "ended" || closed["created_at"] != "2025-06-01T10:00:00.000000+00:00" || closed["updated_at"] != "2025-06-01T10:05:00.123456+00:00" {
		t.Fatalf("ended conversation %v", closed)
	}
	messages := open["messages"].([]any)
	var times []string
	for _, m := range messages {
		m := m.(object)
		if m["type"] != "message_logs" || !hexID.MatchString(str(m["message_id"])) {
			t.Fatalf("message %v", m)
		}
		times = append(times, str(m["created_at"]))
	}
	for i := 1; i < len(times); i++ {
		if times[i] <= times[i-1] {
			t.Fatalf("message times %v: one tick each, in file order", times)
		}
	}
	if a := messages[0].(object)["author"].(object); a["id"] != "ana" {
		t.Fatalf("end-user author %v", a)
	}
	if a := messages[1].(object)["author"].(object); a["id"] != nil || a["display_name"] != "Sandbox AI Agent" {
		t.Fatalf("AI Agent author %v", a)
	}
	if content := messages[2].(object)["content"].(object); len(content) != 3 || content["link_text"] != "FAQ" {
		t.Fatalf("link content %v", content)
	}

	// The loaded state works through the API: lookups, pagination in file order, and the AI
	// Agent answers in the loaded end user's language.
	if u := c.expect(http.StatusOK, "GET", "/v2/end-users/?external_id=CRM-ANA", nil); u["end_user_id"] != "ana" {
		t.Fatalf("lookup %v", u)
	}
	page := c.expect(http.StatusOK, "GET", "/v2/end-users/?limit=1", nil)
	if page["data"].([]any)[0].(object)["end_user_id"] != "ana" || !strings.Contains(str(page["meta"].(object)["next_page_url"]), "cursor="+str(blank["end_user_id"])) {
		t.Fatalf("first page %v", page)
	}
	if custom := c.rawList("/v2/channels/?type=custom"); len(custom) != 2 || !bytes.Contains(custom[0], []byte(`"id":"mail"`)) {
		t.Fatalf("custom channels %s", custom)
	}
	convID := str(open["id"])
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+convID+"/messages/", object{
		"author": object{"id": "ana", "role": "end_user"}, "content": object{"type": "text", "body": "Ma facture"}})
	all := c.messages(convID)
	if reply := all[len(all)-1]["content"].(object)["body"]; !strings.HasPrefix(str(reply), "Vous avez écrit") {
		t.Fatalf("reply %v", reply)
	}
	c.expectError(http.StatusBadRequest, "bad_request", "POST", "/v2/conversations/closed/messages/", object{
		"author": object{"id": "ana", "role": "end_user"}, "content": object{"type": "text", "body": "hi"}})
}

// Without "channels" the seeded channels stay; with "channels": [] there are none; the seeded
// "Sandbox chat" stays the default wherever it is listed.
func TestStateChannelsAndDefaultChannel(t *testing.T) {
	seeded := adasim.New(adasim.Options{APIKey: testKey, Seed: 4})
	defer seeded.Close()
	sandboxChat := seeded.DefaultChannelID()

	c := newSim(t, adasim.Options{Seed: 4})
	if err := c.sim.LoadState(decodeState(t, `{"end_users":[{}]}`)); err != nil {
		t.Fatal(err)
	}
	if c.sim.DefaultChannelID() != sandboxChat || len(c.rawList("/v2/channels/?type=native")) != 1 {
		t.Fatalf("without channels: default %s, want the seeded %s", c.sim.DefaultChannelID(), sandboxChat)
	}

	none := decodeState(t, `{"channels":[]}`)
	if none.Channels == nil {
		t.Fatal(`"channels": [] decoded as nil`)
	}
	if err := c.sim.LoadState(none); err != nil {
		t.Fatal(err)
	}
	if c.sim.DefaultChannelID() != "" || len(c.rawList("/v2/channels/?type=custom"))+len(c.rawList("/v2/channels/?type=native")) != 0 {
		t.Fatalf("with channels []: default %q", c.sim.DefaultChannelID())
	}
	if !bytes.Contains(c.dump(), []byte(`"channels":[]`)) {
		t.Fatal(`a dump without channels does not say "channels":[]`)
	}

	listed := decodeState(t, `{"channels":[{"id":"other","name":"Other"},{"id":"`+sandboxChat+`","name":"Sandbox chat"}]}`)
	if err := c.sim.LoadState(listed); err != nil {
		t.Fatal(err)
	}
	if c.sim.DefaultChannelID() != sandboxChat {
		t.Fatalf("default %s, want the seeded Sandbox chat %s", c.sim.DefaultChannelID(), sandboxChat)
	}
}

// Given ids are claimed before any is generated: a generated id never takes one, even the id
// the generator was about to produce.
func TestStateLoadedIDsAreReserved(t *testing.T) {
	probe := newSim(t, adasim.Options{Seed: 5})
	next := str(probe.createEndUser(object{})["end_user_id"]) // the first id after the seeded channels

	c := newSim(t, adasim.Options{Seed: 5})
	if err := c.sim.LoadState(decodeState(t, `{"end_users":[{},{"end_user_id":"`+next+`"}]}`)); err != nil {
		t.Fatal(err)
	}
	var d struct {
		EndUsers []struct {
			ID string `json:"end_user_id"`
		} `json:"end_users"`
	}
	_ = json.Unmarshal(c.dump(), &d)
	if d.EndUsers[0].ID == next || d.EndUsers[1].ID != next {
		t.Fatalf("ids %+v; %s was reserved", d.EndUsers, next)
	}
	if id := str(c.createEndUser(object{})["end_user_id"]); id == next || id == d.EndUsers[0].ID {
		t.Fatalf("a new end user got a loaded id %s", id)
	}
}

func TestStateLoadErrors(t *testing.T) {
	bigMetadata := `{"k":"` + strings.Repeat("x", 4<<10) + `"}`
	cases := []struct{ state, want string }{
		{`{"end_user":[]}`, `end_user: unknown field`},
		{`[]`, `the state must be an object`},
		{`{"end_users":{}}`, `end_users: must be an array`},
		{`{"end_users":[null]}`, `end_users[0]: must be an object`},
		{`{"end_users":[{"profile":{"nickname":"x"}}]}`, `end_users[0].profile.nickname: unknown field`},
		{`{"end_users":[{"profile":{"sensitive_metadata":{}}}]}`, `end_users[0].profile.sensitive_metadata: unknown field`},
		{`{"end_users":[{"external_id":"X"},{"external_id":"y"},{"external_id":"z"},{"external_id":"x"}]}`, `end_users[3].external_id: "x" is already used by end_users[0]`},
		{`{"end_users":[{"external_id":"a<b"}]}`, `end_users[0].external_id: external_id must not contain < or >`},
		{`{"end_users":[{"external_id":""}]}`, `end_users[0].external_id: external_id must not be empty`},
		{`{"end_users":[{"end_user_id":"a/b"}]}`, `end_users[0].end_user_id: "a/b" is not a valid id: 1-64 characters among A-Z a-z 0-9 _ -`},
		{`{"end_users":[{"end_user_id":"u"}],"channels":[{"id":"u","name":"C"}]}`, `end_users[0].end_user_id: "u" is already used by channels[0]`},
		{`{"end_users":[{"end_user_id":"u"},{"end_user_id":"u"}]}`, `end_users[1].end_user_id: "u" is already used by end_users[0]`},
		{`{"end_users":[{"created_at":"yesterday"}]}`, `end_users[0].created_at: "yesterday" is not a time: write 2026-01-01T00:00:00.000000+00:00 or RFC 3339`},
		{`{"end_users":[{"profile":{"metadata":{"score":1.5}}}]}`, `end_users[0].profile.metadata.score: values may only be strings, booleans or integers`},
		{`{"end_users":[{"profile":{"metadata":{"a":{}}}}]}`, `end_users[0].profile.metadata.a: must be a string, a boolean or a number`},
		{`{"end_users":[{"profile":{"first_name":1}}]}`, `end_users[0].profile.first_name: must be a string`},
		{`{"end_users":[{"profile":{"system_properties":{"sunshine_user_id":"s"}}}]}`, `end_users[0].profile.system_properties.sunshine_user_id: must be null: the simulator has no Sunshine users`},
		{`{"end_users":[{"sensitive_metadata_keys":["a b"]}]}`, `end_users[0].sensitive_metadata_keys[0]: "a b" is not a valid key: keys match [A-Za-z0-9_-]+`},
		{`{"end_users":[{"sensitive_metadata_keys":["a","a"]}]}`, `end_users[0].sensitive_metadata_keys[1]: "a" is listed twice`},
		{`{"end_users":[{"sensitive_metadata":{"ssn":""}}]}`, `end_users[0].sensitive_metadata.ssn: values must be non-empty strings, booleans or integers`},
		{`{"channels":[{}]}`, `channels[0].name: is required`},
		{`{"channels":[{"name":5}]}`, `channels[0].name: must be a string`},
		{`{"channels":[{"name":"C","type":"bot"}]}`, `channels[0].type: "bot" is not a channel type: custom or native`},
		{`{"channels":[{"name":"C","modality":"fax"}]}`, `channels[0].modality: "fax" is not a modality: messaging, email, voice or sms`},
		{`{"channels":[{"name":"C","capabilities":{"markdown":"yes"}}]}`, `channels[0].capabilities.markdown: must be a boolean`},
		{`{"channels":[{"name":"C","type":"native","metadata":{"a":1}}]}`, `channels[0].metadata: a native channel has no metadata`},
		{`{"channels":[{"id":"c","name":"C"}],"conversations":[{"channel_id":"c","end_user_id":"abc"}]}`, `conversations[0].end_user_id: "abc" is not an end user of this state`},
		{`{"channels":[{"id":"c","name":"C"}],"end_users":[{"end_user_id":"u"}],"conversations":[{"channel_id":"d","end_user_id":"u"}]}`, `conversations[0].channel_id: "d" is not a channel of this state`},
		{`{"channels":[{"id":"c","name":"C"}],"end_users":[{"end_user_id":"u"}],"conversations":[{"end_user_id":"u"}]}`, `conversations[0].channel_id: is required`},
		{`{"channels":[{"id":"n","type":"native","name":"N"}],"end_users":[{"end_user_id":"u"}],"conversations":[{"channel_id":"n","end_user_id":"u"}]}`, `conversations[0].channel_id: "n" is a native channel: conversations are on custom channels or the native Email channel`},
		{convFixture(`"status":"closed"`), `conversations[0].status: "closed" is not a status: active or ended`},
		{convFixture(`"status":"ended","handoff":true`), `conversations[0].handoff: an ended conversation is not in a handoff`},
		{convFixture(`"handoff":1`), `conversations[0].handoff: must be a boolean`},
		{convFixture(`"metadata":` + bigMetadata), `conversations[0].metadata: exceeds the maximum size of 4 KB`},
		{convFixture(`"messages":[{"author":{"role":"bot"},"content":{"type":"text","body":"x"}}]`), `conversations[0].messages[0].author.role: "bot" is not a role: end_user, ai_agent or human_agent`},
		{convFixture(`"messages":[{"content":{"type":"text","body":"x"}}]`), `conversations[0].messages[0].author.role: is required: end_user, ai_agent or human_agent`},
		{convFixture(`"messages":[{"author":{"role":"end_user","id":"v"},"content":{"type":"text","body":"x"}}]`), `conversations[0].messages[0].author.id: "v" is not the conversation's end user (u)`},
		{convFixture(`"messages":[{"author":{"role":"ai_agent","id":"u"},"content":{"type":"text","body":"x"}}]`), `conversations[0].messages[0].author.id: must be null: only an end user's messages have an author id`},
		{convFixture(`"messages":[{"author":{"role":"ai_agent"},"content":{"type":"text","body":"x"}},{"author":{"role":"ai_agent"},"content":{"type":"text","body":" "}}]`), `conversations[0].messages[1].content.body: must not be empty`},
		{convFixture(`"messages":[{"author":{"role":"ai_agent"},"content":{"type":"text","body":"x","url":"https://x"}}]`), `conversations[0].messages[0].content.url: unknown field`},
		{convFixture(`"messages":[{"author":{"role":"ai_agent"},"content":{"type":"video","url":"https://x"}}]`), `conversations[0].messages[0].content.type: "video" is not a content type: text, file or link`},
		{convFixture(`"messages":[{"author":{"role":"ai_agent"}}]`), `conversations[0].messages[0].content.type: is required: text, file or link`},
		{convFixture(`"messages":[{"author":{"role":"ai_agent"},"content":{"type":"file","url":"ftp://x/y","mime_type":"a/b","filename":"y"}}]`), `conversations[0].messages[0].content.url: must be an absolute http(s) URL`},
		{convFixture(`"messages":[{"type":"message","author":{"role":"ai_agent"},"content":{"type":"text","body":"x"}}]`), `conversations[0].messages[0].type: "message" is not a message type: message_logs, or leave it out`},
		{convFixture(`"messages":[{"message_id":"m","author":{"role":"ai_agent"},"content":{"type":"text","body":"x"}},{"message_id":"m","author":{"role":"ai_agent"},"content":{"type":"text","body":"y"}}]`), `conversations[0].messages[1].message_id: "m" is already used by conversations[0].messages[0]`},
		{convFixture(`"messages":[{"created_at":"2026-02-01T00:00:00Z","author":{"role":"ai_agent"},"content":{"type":"text","body":"x"}},{"created_at":"2026-01-01T00:00:00Z","author":{"role":"ai_agent"},"content":{"type":"text","body":"y"}}]`), `conversations[0].messages[1].created_at: 2026-01-01T00:00:00Z is before the previous message: messages are in chronological order`},
	}
	c := newSim(t, adasim.Options{Seed: 1})
	fill(c)
	before := c.dump()
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			// Go: decoding or loading fails with the path-first message.
			var st adasim.State
			err := json.Unmarshal([]byte(tc.state), &st)
			if err == nil {
				err = c.sim.LoadState(st)
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			// HTTP: 400, Ada's error body with the path in details.
			r := c.do("PUT", c.sandboxURL("/_sandbox/state"), tc.state)
			path, _, hasPath := strings.Cut(tc.want, ": ")
			body := decode[struct {
				Errors []struct {
					Type, Message string
					Details       any
				}
			}](t, r)
			if r.status != http.StatusBadRequest || len(body.Errors) != 1 || body.Errors[0].Message != tc.want {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			if hasPath && !strings.HasPrefix(tc.want, "the state") && (body.Errors[0].Type != "validation_error" || body.Errors[0].Details != path) {
				t.Fatalf("PUT: %s, want validation_error with details %q", r.body, path)
			}
			if after := c.dump(); !bytes.Equal(before, after) {
				t.Fatal("a failed load changed the state")
			}
		})
	}
}

// convFixture is a state with one conversation, with the given fields, on a custom channel "c"
// for end user "u".
func convFixture(fields string) string {
	return `{"channels":[{"id":"c","name":"C"}],"end_users":[{"end_user_id":"u"}],"conversations":[{"channel_id":"c","end_user_id":"u",` + fields + `}]}`
}

func TestStateMalformedJSON(t *testing.T) {
	c := newSim(t, adasim.Options{})
	before := c.dump()
	for _, body := range []string{`{"end_users":[`, ``, `null`, `  `} {
		checkError(t, c.do("PUT", c.sandboxURL("/_sandbox/state"), body), http.StatusBadRequest, "bad_request")
	}
	if !bytes.Equal(before, c.dump()) {
		t.Fatal("a failed PUT changed the state")
	}
	var st adasim.State
	if err := json.Unmarshal([]byte("null"), &st); err != nil || st.Channels != nil {
		t.Fatalf("null: %v %+v", err, st)
	}
}

// script is a few requests whose answers depend on ids, times and the state; it returns every
// answer, then the dump.
func script(c *client) []byte {
	c.t.Helper()
	var out bytes.Buffer
	record := func(r response) response {
		fmt.Fprintf(&out, "%d %s\n", r.status, r.body)
		return r
	}
	u := decode[object](c.t, record(c.do("POST", "/v2/end-users/", object{"external_id": "script", "profile": object{"first_name": "Zoe"}})))
	conv := decode[object](c.t, record(c.do("POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID(), "end_user_id": u["end_user_id"]})))
	msgs := "/v2/conversations/" + str(conv["id"]) + "/messages/"
	record(c.do("POST", msgs, object{"author": object{"id": u["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "hello"}}))
	record(c.do("GET", msgs, nil))
	record(c.do("POST", "/v2/channels/", object{"name": "n", "description": "d", "modality": "voice"}))
	out.Write(c.dump())
	return out.Bytes()
}

// With the same Options and State, then the same requests, everything is identical: whether
// the state came from Options.State, LoadState or PUT, and whatever happened before the load.
func TestStateLoadIsDeterministic(t *testing.T) {
	opts := adasim.Options{Seed: 11, Deterministic: true}
	st := decodeState(t, fixture)

	withState := opts
	withState.State = &st
	want := script(newSim(t, withState))

	loaded := newSim(t, opts)
	fill(loaded)
	if err := loaded.sim.LoadState(decodeState(t, fixture)); err != nil {
		t.Fatal(err)
	}
	if got := script(loaded); !bytes.Equal(got, want) {
		t.Fatalf("after LoadState:\n%s\nwant\n%s", got, want)
	}

	put := newSim(t, opts)
	script(put)
	put.expect(http.StatusOK, "PUT", put.sandboxURL("/_sandbox/state"), fixture)
	if got := script(put); !bytes.Equal(got, want) {
		t.Fatalf("after PUT:\n%s\nwant\n%s", got, want)
	}
}

// Reset goes back to the state at start: the same requests then get the same answers.
func TestReset(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state *adasim.State
	}{{"seeded", nil}, {"Options.State", func() *adasim.State { st := decodeState(t, fixture); return &st }()}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSim(t, adasim.Options{Seed: 8, Deterministic: true, State: tc.state})
			start := c.dump()
			first := script(c)
			fill(c)
			c.sim.Reset()
			if got := c.dump(); !bytes.Equal(got, start) {
				t.Fatalf("after Reset:\n%s\nwant\n%s", got, start)
			}
			if again := script(c); !bytes.Equal(again, first) {
				t.Fatalf("after Reset:\n%s\nwant\n%s", again, first)
			}
			if r := c.do("POST", c.sandboxURL("/_sandbox/reset"), nil); r.status != http.StatusOK || !bytes.Equal(r.body, start) {
				t.Fatalf("POST /_sandbox/reset: %d\n%s\nwant\n%s", r.status, r.body, start)
			}
		})
	}
}

// Open keeps its own copy of Options.State: changing it afterwards changes no Reset.
func TestOpenCopiesState(t *testing.T) {
	st := decodeState(t, fixture)
	sim, err := adasim.Open(adasim.Options{APIKey: testKey, Seed: 2, Deterministic: true, State: &st})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	start, _ := json.Marshal(sim.State())
	name := "Changed"
	st.EndUsers[0].Profile.FirstName = &name
	st.EndUsers[0].Profile.Metadata["plan"] = "free"
	st.EndUsers = append(st.EndUsers, adasim.StateEndUser{})
	sim.Reset()
	if again, _ := json.Marshal(sim.State()); !bytes.Equal(again, start) {
		t.Fatalf("Reset loaded the changed State:\n%s\nwant\n%s", again, start)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := adasim.Open(adasim.Options{}); err == nil {
		t.Fatal("Open without APIKey succeeded")
	}
	bad := decodeState(t, `{"conversations":[{"channel_id":"x","end_user_id":"y"}]}`)
	const want = `conversations[0].channel_id: "x" is not a channel of this state`
	if _, err := adasim.Open(adasim.Options{APIKey: testKey, State: &bad}); err == nil || err.Error() != want {
		t.Fatalf("Open: %v, want %s", err, want)
	}
	defer func() {
		if p := recover(); p != "adasim: Options.State: "+want {
			t.Fatalf("New panicked with %v", p)
		}
	}()
	adasim.New(adasim.Options{APIKey: testKey, State: &bad})
}

// Go callers may give metadata as any integer or float type; values the API refuses are
// refused.
func TestLoadStateGoValues(t *testing.T) {
	c := newSim(t, adasim.Options{})
	st := adasim.State{
		EndUsers: []adasim.StateEndUser{{EndUserID: "u", Profile: adasim.StateProfile{Metadata: map[string]any{
			"i": 3, "u8": uint8(4), "n": json.Number("5"), "s": "x", "b": true}}}},
		Channels: []adasim.StateChannel{{ID: "c", Name: "C", Metadata: map[string]any{"f": float32(0.5), "i": int32(-1)}}},
	}
	if err := c.sim.LoadState(st); err != nil {
		t.Fatal(err)
	}
	u := c.expect(http.StatusOK, "GET", "/v2/end-users/u", nil)
	if m := u["profile"].(object)["metadata"].(object); m["i"] != 3.0 || m["u8"] != 4.0 || m["n"] != 5.0 {
		t.Fatalf("metadata %v", m)
	}
	for _, v := range []any{1.5, []int{1}, nil, struct{}{}, uint64(1 << 63)} {
		st := adasim.State{EndUsers: []adasim.StateEndUser{{Profile: adasim.StateProfile{Metadata: map[string]any{"k": v}}}}}
		if err := c.sim.LoadState(st); err == nil || !strings.HasPrefix(err.Error(), "end_users[0].profile.metadata.k: ") {
			t.Fatalf("metadata %#v: %v", v, err)
		}
	}
	if err := c.sim.LoadState(adasim.State{Channels: []adasim.StateChannel{{}}}); err == nil || err.Error() != "channels[0].name: is required" {
		t.Fatalf("error %v", err)
	}
}

// Loading emits no webhook events and keeps the rate-limit counters; Reset clears them; the
// sandbox endpoints are not rate-limited.
func TestLoadStateEventsAndRateLimits(t *testing.T) {
	var log eventLog
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now, RateLimits: true, OnEvent: log.add})
	for range 50 {
		c.dump()
	}
	for i := range 30 {
		if r := c.do("GET", "/v2/end-users/", nil); r.status != http.StatusOK {
			t.Fatalf("request %d: %d: sandbox requests were counted", i+1, r.status)
		}
	}
	checkError(t, c.do("GET", "/v2/end-users/", nil), http.StatusTooManyRequests, "too_many_requests")

	if err := c.sim.LoadState(decodeState(t, fixture)); err != nil {
		t.Fatal(err)
	}
	c.expect(http.StatusOK, "PUT", c.sandboxURL("/_sandbox/state"), fixture)
	if events := log.take(); len(events) != 0 {
		t.Fatalf("loading emitted %s", types(events))
	}
	checkError(t, c.do("GET", "/v2/end-users/", nil), http.StatusTooManyRequests, "too_many_requests")

	c.expect(http.StatusOK, "POST", c.sandboxURL("/_sandbox/reset"), nil)
	c.expect(http.StatusOK, "GET", "/v2/end-users/", nil)
	c.createEndUser(object{})
	if got := types(log.take()); got != adasim.EventEndUserCreated {
		t.Fatalf("events after reset %q", got)
	}
}

// Reset and LoadState drop the AI Agent's pending replies: they never appear, nor are announced.
func TestResetDropsPendingReplies(t *testing.T) {
	var log eventLog
	c := newSim(t, adasim.Options{ReplyDelay: 100 * time.Millisecond, OnEvent: log.add})
	conv := c.startConversation("")
	c.sim.Reset()
	log.take()                         // what happened before the reset
	time.Sleep(250 * time.Millisecond) // past the reply delay
	if events := log.take(); len(events) != 0 {
		t.Fatalf("a dropped reply was announced: %s", types(events))
	}
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/conversations/"+str(conv["id"])+"/messages/", nil)

	// Replies after the reset still arrive.
	conv = c.startConversation("")
	waitFor(t, "the greeting", func() bool { return len(c.messages(str(conv["id"]))) == 1 })
}

func TestSandboxEndpoints(t *testing.T) {
	c := newSim(t, adasim.Options{})
	before := c.dump()
	for _, tc := range []struct{ method, path string }{{"GET", "/_sandbox/state"}, {"PUT", "/_sandbox/state"}, {"POST", "/_sandbox/reset"}} {
		for _, auth := range []string{"", "Bearer wrong"} {
			checkError(t, c.doAuth(tc.method, c.sandboxURL(tc.path), `{"channels":[]}`, auth), http.StatusUnauthorized, "unauthorized")
		}
	}
	if !bytes.Equal(before, c.dump()) {
		t.Fatal("an unauthorized PUT changed the state")
	}
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/_sandbox/state", "GET, PUT"}, {"POST", "/_sandbox/state", "GET, PUT"}, {"GET", "/_sandbox/reset", "POST"},
	} {
		r := c.do(tc.method, c.sandboxURL(tc.path), nil)
		checkError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Fatalf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
	for _, path := range []string{"/_sandbox/nope", "/_sandbox/state/", "/_sandbox", "/api/_sandbox/state"} {
		checkError(t, c.do("GET", c.sandboxURL(path), nil), http.StatusNotFound, "not_found")
	}
	huge := append(append([]byte(`{"end_users":[{"external_id":"`), bytes.Repeat([]byte("x"), 32<<20)...), `"}]}`...)
	checkError(t, c.do("PUT", c.sandboxURL("/_sandbox/state"), huge), http.StatusRequestEntityTooLarge, "content_too_large")
	if !bytes.Equal(before, c.dump()) {
		t.Fatal("a refused PUT changed the state")
	}
}

func BenchmarkStateRoundTrip(b *testing.B) {
	c := newSim(b, adasim.Options{Seed: 1, Deterministic: true})
	fill(c)
	target := adasim.New(adasim.Options{APIKey: testKey})
	defer target.Close()
	b.ReportAllocs()
	for b.Loop() {
		data, err := json.Marshal(c.sim.State())
		if err != nil {
			b.Fatal(err)
		}
		var st adasim.State
		if err := json.Unmarshal(data, &st); err != nil {
			b.Fatal(err)
		}
		if err := target.LoadState(st); err != nil {
			b.Fatal(err)
		}
	}
}

// Dumps, loads and resets interleave with API requests and delayed replies (run with -race):
// each takes the state whole, and every request still gets an answer of the API.
func TestStateConcurrentWithRequests(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 6, ReplyDelay: time.Millisecond})
	st := decodeState(t, fixture)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			switch i % 3 {
			case 0:
				c.sim.Reset()
			case 1:
				if err := c.sim.LoadState(st); err != nil {
					t.Error(err)
				}
			default:
				_, _ = json.Marshal(c.sim.State())
			}
		}
	}()
	gc := &client{t: goroutineTB{t}, base: c.base, key: c.key, sim: c.sim}
	for i := range 20 {
		r := gc.do("POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID()})
		if r.status != http.StatusCreated && r.status != http.StatusNotFound { // the channel may be gone
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
		if r.status == http.StatusCreated {
			id := str(decode[object](t, r)["id"])
			gc.do("POST", "/v2/conversations/"+id+"/messages/", object{"author": object{"role": "human_agent", "display_name": "G"},
				"content": object{"type": "text", "body": "hi"}})
		}
		c.dump()
	}
	<-done
}
