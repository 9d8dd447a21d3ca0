package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/tools"
)

// TestDeveloperGuideFlow walks the seeds' developer guide: look up by
// external_id, create, upsert again, start with context, talk, update
// metadata, end.
func TestDeveloperGuideFlow(t *testing.T) {
	h := newHarness(t, harnessOpts{})

	got := h.OK("lookup_end_user", map[string]any{"external_id": "crm-42"})
	if got["found"] != false || got["end_user"] != nil {
		t.Fatalf("lookup before create = %v", got)
	}

	profile := map[string]any{"first_name": "Ana", "language": "pt-BR", "metadata": map[string]any{"plan_type": "gold", "region": "br"}}
	up := h.OK("upsert_end_user", map[string]any{"external_id": "crm-42", "profile": profile})
	id := str(up, "end_user", "end_user_id")
	if up["created"] != true || id == "" || str(up, "end_user", "profile", "language") != "pt-BR" {
		t.Fatalf("first upsert = %v", up)
	}
	again := h.OK("upsert_end_user", map[string]any{"external_id": "CRM-42", "profile": map[string]any{"last_name": "Silva"}})
	if again["created"] != false || str(again, "end_user", "end_user_id") != id || str(again, "end_user", "profile", "last_name") != "Silva" {
		t.Fatalf("second upsert = %v (want the same user, updated)", again)
	}
	if found := h.OK("lookup_end_user", map[string]any{"external_id": "crm-42"}); str(found, "end_user", "end_user_id") != id {
		t.Fatalf("lookup after create = %v", found)
	}

	conv := h.OK("start_conversation", map[string]any{"end_user_id": id, "metadata": map[string]any{"source": "help_center", "priority": 2}})
	cid := str(conv, "conversation_id")
	if cid == "" || str(conv, "end_user_id") != id || str(conv, "conversation", "status") != "active" {
		t.Fatalf("start_conversation = %v", conv)
	}

	sent := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "Preciso de ajuda com o meu pedido"})
	if str(sent, "message", "role") != "end_user" || str(sent, "message", "author_id") != id {
		t.Fatalf("send_message = %v (want authored by the conversation's end user)", sent)
	}

	msgs := h.OK("list_messages", map[string]any{"conversation_id": cid})
	var sawOurs, sawReply bool
	for _, m := range list(msgs, "messages") {
		mm := m.(map[string]any)
		if mm["message_id"] == str(sent, "message", "message_id") {
			sawOurs = true
		} else if sawOurs && mm["role"] == "ai_agent" {
			sawReply = true
		}
	}
	if !sawOurs || !sawReply {
		t.Fatalf("list_messages lacks our message followed by the AI Agent's reply: %v", msgs)
	}

	upd := h.OK("update_conversation_metadata", map[string]any{"conversation_id": cid, "metadata": map[string]any{"source": nil, "csat_requested": true}})
	md := obj(upd, "conversation", "metadata")
	if _, still := md["source"]; still || md["csat_requested"] != true || md["priority"] != float64(2) {
		t.Fatalf("metadata after update = %v (want source removed, priority kept, csat_requested added)", md)
	}

	end := h.OK("end_conversation", map[string]any{"conversation_id": cid})
	if str(end, "status") != "ended" {
		t.Fatalf("end_conversation = %v", end)
	}
	if got := h.OK("get_conversation", map[string]any{"conversation_id": cid}); str(got, "conversation", "status") != "ended" {
		t.Fatalf("get_conversation after end = %v", got)
	}
	msg := h.Err("send_message", map[string]any{"conversation_id": cid, "body": "still there?"})
	if !strings.Contains(msg, "400") {
		t.Fatalf("message to an ended conversation: %s", msg)
	}
}

func TestStartConversationUpsertsByExternalID(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.OK("start_conversation", map[string]any{"external_id": "crm-7", "profile": map[string]any{"first_name": "Ana", "language": "pt-BR"}})
	if conv["end_user_created"] != true {
		t.Fatalf("start_conversation = %v", conv)
	}
	found := h.OK("lookup_end_user", map[string]any{"external_id": "crm-7"})
	if str(found, "end_user", "end_user_id") != str(conv, "end_user_id") {
		t.Fatalf("the conversation's end user is not the one mapped to crm-7: %v vs %v", found, conv)
	}
	// The greeting has the user's context: it is addressed to Ana.
	msgs := h.OK("list_messages", map[string]any{"conversation_id": str(conv, "conversation_id")})
	first, _ := list(msgs, "messages")[0].(map[string]any)
	if first["role"] != "ai_agent" || !strings.Contains(first["body"].(string), "Ana") {
		t.Fatalf("greeting = %v", first)
	}
	again := h.OK("start_conversation", map[string]any{"external_id": "crm-7"})
	if again["end_user_created"] == true || str(again, "end_user_id") != str(conv, "end_user_id") {
		t.Fatalf("second conversation for crm-7 = %v", again)
	}
}

func TestStartConversationNeedsAChannel(t *testing.T) {
	h := newHarness(t, harnessOpts{noDefault: true})
	msg := h.Err("start_conversation", map[string]any{})
	if !strings.Contains(msg, "channel_id") || !strings.Contains(msg, "list_channels") {
		t.Fatalf("message = %s", msg)
	}
	chs := h.OK("list_channels", map[string]any{})
	id := str(list(chs, "channels")[0].(map[string]any), "channel_id")
	if conv := h.OK("start_conversation", map[string]any{"channel_id": id}); str(conv, "end_user_id") == "" {
		t.Fatalf("start on an explicit channel = %v", conv)
	}
}

func TestSendMessageWaitsForTheReply(t *testing.T) {
	var mu sync.Mutex
	var progress []float64
	h := newHarness(t, harnessOpts{replyDelay: 150 * time.Millisecond, client: &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, r.Params.Progress)
			mu.Unlock()
		},
	}})
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	waitForMessages(t, h, cid, 1) // the delayed greeting

	// Without a wait, the reply is not there yet.
	quick := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "first"})
	if quick["replies"] != nil {
		t.Fatalf("no wait, yet replies: %v", quick)
	}
	waitForMessages(t, h, cid, 3) // greeting, "first", its answer

	params := &mcp.CallToolParams{Name: "send_message", Arguments: map[string]any{"conversation_id": cid, "body": "where is my order?", "wait_for_reply_seconds": 10}}
	params.SetProgressToken("wait-1")
	res := h.CallWith(context.Background(), params)
	if res.IsError {
		t.Fatal(res.Content)
	}
	var out struct {
		Message struct {
			MessageID string `json:"message_id"`
		} `json:"message"`
		Replies []struct {
			Role string `json:"role"`
			Body string `json:"body"`
		} `json:"replies"`
		ReplyPending bool `json:"reply_pending"`
	}
	decode(t, res, &out)
	if out.ReplyPending || len(out.Replies) == 0 {
		t.Fatalf("no reply after waiting: %+v", out)
	}
	for _, r := range out.Replies {
		if r.Role != "ai_agent" {
			t.Fatalf("reply from %s: %+v", r.Role, out.Replies)
		}
		if !strings.Contains(r.Body, "where is my order?") {
			t.Fatalf("a reply to another message was returned as a reply to this one: %+v", out.Replies)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(progress) == 0 {
		t.Fatal("no progress notification while waiting")
	}
}

// A message sent before the delayed greeting arrives must still get its
// answer, not just the greeting.
func TestSendMessageWaitSeesPastTheGreeting(t *testing.T) {
	h := newHarness(t, harnessOpts{replyDelay: 100 * time.Millisecond})
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	// Sent halfway through the greeting's delay: the greeting lands first,
	// then, a poll or more later, the answer.
	time.Sleep(50 * time.Millisecond)
	out := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "are you there?", "wait_for_reply_seconds": 10})
	var answered bool
	for _, r := range list(out, "replies") {
		if strings.Contains(str(r.(map[string]any), "body"), "are you there?") {
			answered = true
		}
	}
	if !answered {
		t.Fatalf("replies lack the answer to our message: %v", out)
	}
}

// waitForMessages polls list_messages until the conversation has n
// messages (bounded: it gives up after 5 s).
func waitForMessages(t *testing.T, h *harness, cid string, n int) {
	t.Helper()
	for i := 0; i < 250; i++ {
		if len(list(h.OK("list_messages", map[string]any{"conversation_id": cid}), "messages")) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("conversation never reached %d messages", n)
}

func TestSendMessageWaitEndsWithoutReply(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true})
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	// A human agent's message gets no AI Agent answer in the simulator.
	out := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "hello from support", "role": "human_agent", "display_name": "Sam", "wait_for_reply_seconds": 1})
	if out["reply_pending"] != true || out["replies"] != nil {
		t.Fatalf("send_message = %v, want reply_pending", out)
	}
}

func TestArgumentsAreStrict(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true}) // the gate would answer human_agent first
	cases := []struct {
		name, tool string
		args       map[string]any
		want       []string
	}{
		{"unknown key lists the valid ones", "lookup_end_user", map[string]any{"externalId": "x"},
			[]string{"externalId", "valid: end_user_id, external_id"}},
		{"keys are case-sensitive", "lookup_end_user", map[string]any{"External_Id": "x"},
			[]string{"External_Id", "case-sensitive"}},
		{"unknown nested key", "upsert_end_user", map[string]any{"external_id": "x", "profile": map[string]any{"firstname": "A"}},
			[]string{"profile.firstname", "first_name"}},
		{"missing required", "get_conversation", map[string]any{},
			[]string{"conversation_id", "required"}},
		{"wrong type", "list_end_users", map[string]any{"limit": true},
			[]string{"limit"}},
		{"out of range", "list_end_users", map[string]any{"limit": 500},
			[]string{"limit", "must be at most 100 (got 500)"}},
		{"below range", "list_end_users", map[string]any{"limit": 0},
			[]string{"limit", "must be at least 1 (got 0)"}},
		{"too long", "lookup_end_user", map[string]any{"external_id": strings.Repeat("x", 40)},
			[]string{"external_id", "must be at most 36 characters long (got 40)"}},
		{"empty message", "send_message", map[string]any{"conversation_id": "c", "body": ""},
			[]string{"body", "must be at least 1 character long (got 0)"}},
		{"enum", "send_message", map[string]any{"conversation_id": "c", "body": "b", "role": "ai_agent"},
			[]string{"role", `must be one of "end_user", "human_agent"`, `(got "ai_agent")`}},
		{"a long wrong value is not quoted", "send_message", map[string]any{"conversation_id": "c", "body": "b", "role": strings.Repeat("r", 500)},
			[]string{"role", `must be one of "end_user", "human_agent" (got a value of 502 characters)`}},
		{"exactly one id", "lookup_end_user", map[string]any{},
			[]string{"end_user_id or external_id"}},
		{"not both ids", "upsert_end_user", map[string]any{"external_id": "a", "end_user_id": "b"},
			[]string{"not both"}},
		{"metadata value must be scalar", "update_conversation_metadata", map[string]any{"conversation_id": "c", "metadata": map[string]any{"x": []any{1}}},
			[]string{"metadata.x", "want string or number or boolean or null"}},
		{"Ada's limits are checked locally", "lookup_end_user", map[string]any{"external_id": "<b>"},
			[]string{"external_id", "Nothing was sent"}},
		{"human agent needs a name", "send_message", map[string]any{"conversation_id": "c", "body": "b", "role": "human_agent"},
			[]string{"display_name"}},
		{"update with nothing", "update_end_user", map[string]any{"end_user_id": "u"},
			[]string{"nothing to update"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := h.Err(tc.tool, tc.args)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestArgumentSlipsAreForgiven(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for i := 0; i < 3; i++ {
		h.OK("upsert_end_user", map[string]any{"external_id": "u" + string(rune('a'+i))})
	}
	// "2" for an integer and a JSON string for an object are accepted.
	page := h.OK("list_end_users", map[string]any{"limit": "2"})
	if len(list(page, "end_users")) != 2 || page["has_more"] != true || str(page, "next_cursor") == "" {
		t.Fatalf("list_end_users(limit \"2\") = %v", page)
	}
	rest := h.OK("list_end_users", map[string]any{"limit": 2, "cursor": str(page, "next_cursor")})
	if len(list(rest, "end_users")) != 1 || rest["has_more"] != false {
		t.Fatalf("second page = %v", rest)
	}
	up := h.OK("upsert_end_user", map[string]any{"external_id": "ua", "profile": `{"first_name":"Bo"}`})
	if str(up, "end_user", "profile", "first_name") != "Bo" {
		t.Fatalf("profile given as a JSON string = %v", up)
	}
}

func TestUpdateEndUserConflictAndClear(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	a := str(h.OK("upsert_end_user", map[string]any{"external_id": "a-1"}), "end_user", "end_user_id")
	b := str(h.OK("upsert_end_user", map[string]any{"external_id": "b-1"}), "end_user", "end_user_id")
	msg := h.Err("update_end_user", map[string]any{"end_user_id": b, "external_id": "A-1"})
	if !strings.Contains(msg, "409") || !strings.Contains(msg, "lookup_end_user") {
		t.Fatalf("conflict message = %s", msg)
	}
	cleared := h.OK("update_end_user", map[string]any{"end_user_id": a, "external_id": nil})
	if _, has := obj(cleared, "end_user")["external_id"]; has {
		t.Fatalf("external_id not cleared: %v", cleared)
	}
	if moved := h.OK("update_end_user", map[string]any{"end_user_id": b, "external_id": "a-1"}); str(moved, "end_user", "external_id") != "a-1" {
		t.Fatalf("freed external_id not reusable: %v", moved)
	}
	if got := h.OK("lookup_end_user", map[string]any{"end_user_id": "ffffffffffffffffffffffff"}); got["found"] != false {
		t.Fatalf("lookup of an unknown id = %v", got)
	}
}

func TestToolsetsAndReadOnly(t *testing.T) {
	names := func(h *harness) []string { return toolNames(t, h) }
	all := names(newHarness(t, harnessOpts{}))
	if len(all) != 18 {
		t.Fatalf("default tools = %v", all)
	}
	ro := names(newHarness(t, harnessOpts{readOnly: true}))
	want := []string{"get_capabilities", "get_conversation", "list_channels", "list_end_users", "list_messages", "lookup_end_user"}
	if strings.Join(ro, ",") != strings.Join(want, ",") {
		t.Fatalf("read-only tools = %v, want %v", ro, want)
	}
	ch := names(newHarness(t, harnessOpts{toolsets: []string{"channels"}}))
	if strings.Join(ch, ",") != "create_channel,get_capabilities,list_channels,update_channel" {
		t.Fatalf("channels toolset = %v", ch)
	}
	if _, err := tools.Select(tools.Toolsets(&tools.Deps{}), []string{"end_users", "knowledgebase"}, false); err == nil || !strings.Contains(err.Error(), "conversations") {
		t.Fatalf("unknown toolset error = %v", err)
	}
}

// Integers above 2^53 (account numbers in metadata) keep every digit from
// the tool's arguments to Ada and back, although JSON decoders default to
// float64.
func TestLargeIntegersKeepTheirDigits(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const big = "9007199254740993" // 2^53 + 1: float64 would make it ...992
	up := h.Call("upsert_end_user", map[string]any{"external_id": "big-1", "profile": map[string]any{
		"metadata": map[string]any{"account_no": json.Number(big)}}})
	if up.IsError || !strings.Contains(testclient.Text(up), `"account_no":`+big) {
		t.Fatalf("upsert_end_user result = %s", testclient.Text(up))
	}
	id := str(h.OK("lookup_end_user", map[string]any{"external_id": "big-1"}), "end_user", "end_user_id")
	got := h.Call("lookup_end_user", map[string]any{"end_user_id": id})
	if !strings.Contains(testclient.Text(got), `"account_no":`+big) {
		t.Fatalf("stored metadata = %s", testclient.Text(got))
	}
}

// TestResultTextIsNotHTMLEscaped: the text block is read by a model, which
// should see "<" and "&" as the customer wrote them, not \u003c and \u0026.
func TestResultTextIsNotHTMLEscaped(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const note = "<b>Tom & Jerry</b>"
	res := h.Call("upsert_end_user", map[string]any{"external_id": "html-1", "profile": map[string]any{
		"metadata": map[string]any{"note": note}}})
	if res.IsError || !strings.Contains(testclient.Text(res), `"note":"`+note+`"`) {
		t.Fatalf("upsert_end_user result = %s", testclient.Text(res))
	}
}

// Only an uncertain outcome tells the assistant to check before resending;
// a definite rejection would make that advice noise.
func TestSendMessageHintsOnlyWhenDeliveryIsUncertain(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	h.OK("end_conversation", map[string]any{"conversation_id": cid})
	msg := h.Err("send_message", map[string]any{"conversation_id": cid, "body": "still there?"})
	if !strings.Contains(msg, "400") || strings.Contains(msg, "list_messages") {
		t.Fatalf("rejected send = %q, want Ada's 400 without the resend hint", msg)
	}

	sim := adasim.New(adasim.Options{APIKey: apiKey})
	t.Cleanup(sim.Close)
	dropping := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages/") {
			sim.ServeHTTP(httptest.NewRecorder(), r) // Ada applies it, the answer is lost
			panic(http.ErrAbortHandler)
		}
		sim.ServeHTTP(w, r)
	})
	u := newHarness(t, harnessOpts{backend: dropping, noDefault: true})
	ch := sim.DefaultChannelID()
	cid = str(u.OK("start_conversation", map[string]any{"channel_id": ch}), "conversation_id")
	msg = u.Err("send_message", map[string]any{"conversation_id": cid, "body": "hello"})
	if !strings.Contains(msg, "may or may not") || !strings.Contains(msg, "list_messages") {
		t.Fatalf("uncertain send = %q, want the resend hint", msg)
	}
}

// A wait extends the call's time limit by its own length: a reply that
// comes after --call-timeout but within wait_for_reply_seconds is returned.
func TestSendMessageWaitOutlivesTheCallTimeout(t *testing.T) {
	h := newHarness(t, harnessOpts{replyDelay: 600 * time.Millisecond})
	h.deps.CallTimeout = 300 * time.Millisecond
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	out := h.OK("send_message", map[string]any{"conversation_id": cid, "body": "still there?", "wait_for_reply_seconds": 5})
	if len(list(out, "replies")) == 0 {
		t.Fatalf("send_message = %v, want the reply that came after the call timeout", out)
	}
}

// A 2025-03-26 client knows a tool's title only as annotations.title: it
// gets it there; a newer client gets the top-level title alone (the copy
// would cost its context tokens for nothing).
func TestTitlesForOlderClients(t *testing.T) {
	for version, want := range map[string]bool{"2025-03-26": true, "": false} {
		h := newHarness(t, harnessOpts{version: version})
		list, err := h.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tool := range list.Tools {
			if tool.Title == "" {
				t.Fatalf("%s has no title", tool.Name)
			}
			got := tool.Annotations != nil && tool.Annotations.Title == tool.Title
			if got != want {
				t.Errorf("protocol %q: %s annotations.title = %v, want it %v", version, tool.Name, tool.Annotations, want)
			}
		}
	}
}

// End-user metadata takes integers, not decimals: the schema says integer,
// a decimal is refused before Ada, and a whole number JSON writes as 1.0 or
// 1e3 is sent as an integer (Ada refuses 1.0 as a decimal).
func TestEndUserMetadataIntegers(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	// Raw, so that 1.0 reaches the server as written (a Go map would send 1).
	args := json.RawMessage(`{"external_id":"ints-1","profile":{"metadata":{"a":1.0,"b":1e3,"c":"x"}},"sensitive_metadata":{"pin":12.0}}`)
	up := h.OK("upsert_end_user", args)
	if m := obj(up, "end_user", "profile", "metadata"); fmt.Sprint(m["a"], m["b"]) != "1 1000" {
		t.Fatalf("metadata = %v", m)
	}
	if msg := h.Err("upsert_end_user", map[string]any{"external_id": "ints-2", "profile": map[string]any{"metadata": map[string]any{"a": 1.5}}}); !strings.Contains(msg, "metadata") {
		t.Fatalf("a decimal: %s", msg)
	}
}

// A key in both metadata and sensitive_metadata is Ada's rule for a new
// end user only: upserting an existing one with it updates it; a new one
// is refused, saying why.
func TestUpsertSharedKeyOnAnExistingUser(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.OK("upsert_end_user", map[string]any{"external_id": "shared-1"})
	both := func(id string) map[string]any {
		return map[string]any{"external_id": id, "profile": map[string]any{"metadata": map[string]any{"tier": "gold"}},
			"sensitive_metadata": map[string]any{"tier": "secret-tier"}}
	}
	up := h.OK("upsert_end_user", both("shared-1"))
	if up["created"] != false || obj(up, "end_user", "profile", "metadata")["tier"] != "gold" {
		t.Fatalf("existing user: %v", up)
	}
	if msg := h.Err("upsert_end_user", both("shared-2")); !strings.Contains(msg, "distinct") {
		t.Fatalf("new user: %s", msg)
	}
}
