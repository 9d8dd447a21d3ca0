package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// canaryCall is one tools/call of the canary test, or with uri set one
// resources/read.
type canaryCall struct {
	tool string
	args any
	uri  string
}

// name is the tool called, or resources/read.
func (c canaryCall) name() string {
	if c.uri != "" {
		return "resources/read"
	}
	return c.tool
}

// seen collects everything the client got back, to be searched for
// canaries at the end, and which tools each phase called.
type seen struct {
	mu     sync.Mutex
	texts  []evidence
	called map[string]map[string]bool // phase → tool → called
}

type evidence struct{ where, text string }

func newSeen() *seen { return &seen{called: map[string]map[string]bool{}} }

func (s *seen) add(where, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.texts = append(s.texts, evidence{where, text})
}

// record keeps a result's text and structured content, a resource's
// contents, or the JSON-RPC error's text.
func (s *seen) record(phase string, o outcome) {
	where := fmt.Sprintf("%s %s", phase, o.call.name())
	s.mu.Lock()
	if s.called[phase] == nil {
		s.called[phase] = map[string]bool{}
	}
	s.called[phase][o.call.name()] = true
	s.mu.Unlock()
	switch {
	case o.err != nil:
		s.add(where+" (JSON-RPC error)", o.err.Error())
	case o.read != nil:
		b, _ := json.Marshal(o.read)
		s.add(where+" contents", string(b))
	default:
		s.add(where+" text", testclient.Text(o.res))
		b, _ := json.Marshal(o.res.StructuredContent)
		s.add(where+" structured", string(b))
	}
}

// validCalls calls every tool of every toolset with arguments it accepts,
// in an order that makes the ids each needs, with canaries where a caller
// would put secrets: sensitive_metadata values and secret-keyed metadata.
// It returns the calls, to be made again against a hostile Ada.
// rotated gets the webhook rotate_webhook_secret rotated, at once (it is
// deleted next), so the test can learn the new secret.
func validCalls(t *testing.T, s *testclient.Session, c canaryValues, hookURL string, saw *seen, rotated func(hookID string)) []canaryCall {
	t.Helper()
	var calls []canaryCall
	call := func(tool string, args map[string]any) map[string]any {
		t.Helper()
		cc := canaryCall{tool: tool, args: args}
		calls = append(calls, cc)
		res := s.Call(tool, args)
		saw.record("valid", outcome{call: cc, res: res})
		if res.IsError {
			t.Errorf("%s(%v) failed: %s", tool, args, testclient.Text(res))
			return map[string]any{}
		}
		var m map[string]any
		testclient.Decode(t, res, &m)
		return m
	}
	secretMeta := func(key string) map[string]any { return map[string]any{key: c.metadata, "plan": "gold"} }
	sensitive := map[string]any{"auth_token": c.sensitive, "session_id": c.session, "account_no": json.Number(c.number)}
	now := time.Now().UTC()

	call("get_capabilities", map[string]any{})
	call("lookup_end_user", map[string]any{"external_id": "canary-user"})
	user := dig(call("upsert_end_user", map[string]any{"external_id": "canary-user",
		"profile": map[string]any{"first_name": "Ana", "email": "ana@example.com", "metadata": secretMeta("password")}, "sensitive_metadata": sensitive}),
		"end_user", "end_user_id")
	call("update_end_user", map[string]any{"end_user_id": user, "profile": map[string]any{"last_name": "Silva"},
		"sensitive_metadata": map[string]any{"auth_token": c.sensitive, "old": nil}})
	call("list_end_users", map[string]any{"limit": 5})

	call("list_channels", map[string]any{})
	channel := dig(call("create_channel", map[string]any{"name": "Canary", "description": "canary channel", "modality": "messaging",
		"metadata": secretMeta("api_token")}), "channel", "channel_id")
	call("update_channel", map[string]any{"channel_id": channel, "markdown": true})

	conv := dig(call("start_conversation", map[string]any{"end_user_id": user, "metadata": secretMeta("secret")}), "conversation_id")
	call("get_conversation", map[string]any{"conversation_id": conv})
	call("update_conversation_metadata", map[string]any{"conversation_id": conv, "metadata": map[string]any{"password": c.metadata, "plan": nil}})
	call("send_message", map[string]any{"conversation_id": conv, "body": "Where is my order?", "wait_for_reply_seconds": 2})
	call("list_messages", map[string]any{"conversation_id": conv})
	handoff := dig(call("start_conversation", map[string]any{"external_id": "canary-user-2",
		"profile": map[string]any{"first_name": "Bo", "metadata": secretMeta("token")}}), "conversation_id")
	call("send_message", map[string]any{"conversation_id": handoff, "body": "Can I talk to a human, please?"})
	call("upload_attachment", map[string]any{"conversation_id": handoff, "filename": "note.txt", "send_as": "human_agent", "display_name": "Sam",
		"content_base64": base64.StdEncoding.EncodeToString([]byte("a note for the customer"))})
	call("end_handoff", map[string]any{"conversation_id": handoff})
	call("start_email_conversation", map[string]any{"name": "Ana", "subject": "Order 42", "reply_to": "ana@example.com",
		"text": "Where is my order?", "metadata": secretMeta("api_key")})
	call("ask_ai_agent", map[string]any{"external_id": "canary-user-3", "question": "Where is my order?", "wait_seconds": 2,
		"profile": map[string]any{"first_name": "Cy", "metadata": secretMeta("auth")}})
	call("end_conversation", map[string]any{"conversation_id": conv})
	// The resources: the end user holds the canaries, the conversation its metadata.
	for _, uri := range []string{"ada://end-users/" + user, "ada://conversations/" + conv} {
		o := run(s.ClientSession, canaryCall{uri: uri})
		calls = append(calls, o.call)
		saw.record("valid", o)
		if o.err != nil {
			t.Errorf("reading %s: %v", uri, o.err)
		}
	}

	call("list_webhook_event_types", map[string]any{})
	hook := dig(call("create_webhook", map[string]any{"url": hookURL, "description": "canary", "event_filters": []any{"v1.conversation.message"}}),
		"webhook", "webhook_id")
	call("get_webhook", map[string]any{"webhook_id": hook})
	call("list_webhooks", map[string]any{})
	call("update_webhook", map[string]any{"webhook_id": hook, "description": "canary, renamed"})
	call("rotate_webhook_secret", map[string]any{"webhook_id": hook})
	rotated(hook)
	call("delete_webhook", map[string]any{"webhook_id": hook})

	call("create_knowledge_source", map[string]any{"id": "kb-canary", "name": "Canary KB", "metadata": secretMeta("token")})
	call("list_knowledge_sources", map[string]any{})
	call("update_knowledge_source", map[string]any{"id": "kb-canary", "name": "Canary KB, renamed"})
	call("upsert_tags", map[string]any{"tags": []any{map[string]any{"id": "t-canary", "name": "Canary"}}})
	call("list_tags", map[string]any{})
	call("upsert_articles", map[string]any{"articles": []any{map[string]any{"id": "a-canary", "name": "Canaries", "content": "About canaries",
		"knowledge_source_id": "kb-canary", "tag_ids": []any{"t-canary"}, "metadata": secretMeta("secret")}}})
	call("list_articles", map[string]any{})
	call("get_article", map[string]any{"id": "a-canary"})
	call("delete_articles", map[string]any{"ids": []any{"a-canary"}})
	call("delete_tags", map[string]any{"ids": []any{"t-canary"}})
	call("delete_knowledge_source", map[string]any{"id": "kb-canary"})

	call("get_persona", map[string]any{})
	call("update_persona", map[string]any{"message_length": "concise"})
	ci := dig(call("create_custom_instruction", map[string]any{"title": "Canary", "text": "Be brief."}), "custom_instruction", "custom_instruction_id")
	call("list_custom_instructions", map[string]any{})
	call("get_custom_instruction", map[string]any{"custom_instruction_id": ci})
	call("update_custom_instruction", map[string]any{"custom_instruction_id": ci, "notes": "canary"})
	call("delete_custom_instruction", map[string]any{"custom_instruction_id": ci})
	vars, _ := call("list_variables", map[string]any{})["variables"].([]any)
	variable := "0"
	if len(vars) > 0 {
		variable = dig(vars[0].(map[string]any), "variable_id")
	}
	call("get_variable", map[string]any{"variable_id": variable})

	call("list_audit_log_events", map[string]any{"start_date": now.Add(-24 * time.Hour).Format(time.RFC3339)})
	call("export_conversations", map[string]any{"start": now.Add(-24 * time.Hour).Format("2006-01-02")})
	call("export_messages", map[string]any{"start": now.Add(-24 * time.Hour).Format("2006-01-02"), "conversation_id": conv})

	job := dig(call("delete_end_user_data", map[string]any{"client_reference": "canary-ref",
		"identifiers": []any{map[string]any{"type": "external_id", "value": "canary-user-3"}}}), "job_id")
	call("get_job_status", map[string]any{"job_id": job})
	return calls
}

// dig is the string at a path of a decoded result ("" if absent).
func dig(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		o, _ := cur.(map[string]any)
		cur = o[p]
	}
	s, _ := cur.(string)
	return s
}

// badCalls are, for every tool listed, arguments it must refuse, made
// from its input schema with canaries everywhere they stay secret: an
// unknown key that is the API key, every property of the wrong type with
// the bearer token in it (sensitive_metadata and metadata with their own
// canaries), each enum given a long value ending in the API key (error
// messages quote such values), and a few refusals of Validate's; then a
// tool named by the API key, and resource URIs carrying canaries that no
// template matches or whose id Ada does not know (JSON-RPC errors both).
func badCalls(tools []*mcp.Tool, c canaryValues) []canaryCall {
	var out []canaryCall
	for _, tool := range tools {
		b, _ := json.Marshal(tool.InputSchema)
		var schema struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		_ = json.Unmarshal(b, &schema)
		wrong := map[string]any{c.apiKey: c.token}
		enums := map[string]any{}
		for name, prop := range schema.Properties {
			wrong[name] = wrongValue(name, prop, c)
			if _, ok := prop["enum"]; ok {
				enums[name] = strings.Repeat("x", 40) + c.apiKey
			}
		}
		out = append(out, canaryCall{tool: tool.Name, args: wrong})
		if len(enums) > 0 {
			out = append(out, canaryCall{tool: tool.Name, args: enums})
		}
		out = append(out, canaryCall{tool: tool.Name, args: c.token}) // not an object at all
	}
	// Refused by Validate, after the schema.
	out = append(out,
		canaryCall{tool: "upsert_end_user", args: map[string]any{"external_id": "<" + c.sensitive + ">", "sensitive_metadata": map[string]any{"auth_token": c.sensitive}}},
		canaryCall{tool: "update_end_user", args: map[string]any{"end_user_id": c.token}},
		canaryCall{tool: "send_message", args: map[string]any{"conversation_id": c.token, "body": " "}},
		canaryCall{tool: "list_audit_log_events", args: map[string]any{"start_date": c.token, "cursor": c.apiKey}},
		canaryCall{tool: "export_conversations", args: map[string]any{"cursor": "ex1." + c.apiKey + "." + c.token}},
		canaryCall{tool: "create_webhook", args: map[string]any{"url": "ftp://" + c.token + "/x"}},
	)
	out = append(out, canaryCall{tool: c.apiKey, args: map[string]any{}})
	for _, uri := range []string{c.apiKey, "ada://" + c.token, "ada://conversations/" + c.apiKey + "/messages",
		"ada://end-users/" + c.apiKey, "ada://conversations/" + c.token} {
		out = append(out, canaryCall{uri: uri})
	}
	return out
}

// wrongValue is a value of the wrong type for a property, carrying the
// bearer token, or in (sensitive_)metadata their canaries.
func wrongValue(name string, prop map[string]any, c canaryValues) any {
	switch name {
	case "sensitive_metadata":
		return map[string]any{"auth_token": map[string]any{"deep": c.sensitive}, "session_id": []any{c.session}}
	case "metadata":
		return map[string]any{"password": map[string]any{"deep": c.metadata}}
	}
	switch prop["type"] {
	case "string":
		return []any{c.token}
	case "integer", "number":
		return "not a number " + c.token
	case "boolean", "object", "array":
		return c.token
	}
	return map[string]any{"nested": []any{c.token}}
}

// outcome is one call's answer: a tool's result or a resource's
// contents, or a JSON-RPC error.
type outcome struct {
	call canaryCall
	res  *mcp.CallToolResult
	read *mcp.ReadResourceResult
	err  error
}

// refused: a JSON-RPC error or a tool's isError result.
func (o outcome) refused() bool { return o.err != nil || o.res != nil && o.res.IsError }

// text is what the client got, result text or error.
func (o outcome) text() string {
	switch {
	case o.err != nil:
		return o.err.Error()
	case o.res != nil:
		return testclient.Text(o.res)
	}
	return mustJSON(o.read)
}

// run makes one call.
func run(cs *mcp.ClientSession, c canaryCall) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	o := outcome{call: c}
	if c.uri != "" {
		o.read, o.err = cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: c.uri})
	} else {
		o.res, o.err = cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
	}
	return o
}

// callAll makes calls concurrently (a few at a time, within the server's
// limit per client), recording each.
func callAll(cs *mcp.ClientSession, phase string, calls []canaryCall, saw *seen) []outcome {
	out := make([]outcome, len(calls))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, c := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = run(cs, c)
			saw.record(phase, out[i])
		}()
	}
	wg.Wait()
	return out
}

// missing lists the registered tools a phase did not call.
func (s *seen) missing(phase string, tools []*mcp.Tool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, tool := range tools {
		if !s.called[phase][tool.Name] {
			out = append(out, tool.Name)
		}
	}
	sort.Strings(out)
	return out
}

// customerVisible are the tools the customer-messages gate stops (as
// gatedCalls call them); the other gated tools delete.
var customerVisible = map[string]bool{"send_message": true, "upload_attachment": true, "start_email_conversation": true}

// gatedCalls are calls the closed gates stop, with the canaries the server
// knows (API key, bearer token, webhook secret) where the ids and the text
// go, and a secret-keyed metadata value: a refusal, and the confirmation a
// deletion asks for, name what the call would send or delete.
func gatedCalls(c canaryValues) []canaryCall {
	note := base64.StdEncoding.EncodeToString([]byte("the token is " + c.token))
	return []canaryCall{
		{tool: "send_message", args: map[string]any{"conversation_id": c.token, "body": "Your key is " + c.apiKey, "role": "human_agent", "display_name": "Sam"}},
		{tool: "upload_attachment", args: map[string]any{"conversation_id": c.apiKey, "filename": "note.txt", "send_as": "human_agent",
			"display_name": "Sam", "content_base64": note}},
		{tool: "start_email_conversation", args: map[string]any{"name": "Ana", "subject": "Token " + c.token, "reply_to": "ana@example.com",
			"text": "Key " + c.apiKey, "metadata": map[string]any{"password": c.metadata, "plan": "gold"}}},
		{tool: "delete_webhook", args: map[string]any{"webhook_id": c.apiKey}},
		{tool: "delete_knowledge_source", args: map[string]any{"id": c.token}},
		{tool: "delete_articles", args: map[string]any{"ids": []any{c.apiKey, c.webhook}}},
		{tool: "delete_articles", args: map[string]any{"knowledge_source_id": []any{c.token}, "tag_ids": []any{c.apiKey}}},
		{tool: "delete_tags", args: map[string]any{"ids": []any{c.token, c.apiKey}}},
		{tool: "delete_custom_instruction", args: map[string]any{"custom_instruction_id": c.apiKey}},
		{tool: "delete_end_user_data", args: map[string]any{"client_reference": c.token, "identifiers": []any{
			map[string]any{"type": "external_id", "value": c.apiKey}, map[string]any{"type": "email", "value": c.token + "@example.com"}}}},
	}
}
