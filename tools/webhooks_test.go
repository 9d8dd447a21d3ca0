package tools_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

func webhookHarness(t *testing.T) *harness {
	t.Helper()
	// Deleting is allowed by the operator here: the gates have tests of their own.
	return newHarness(t, harnessOpts{toolsets: []string{"webhooks"}, allowDestructive: true})
}

// simSecret reads a webhook's current signing secret straight from the
// simulator, as an operator with the API key would.
func simSecret(t *testing.T, h *harness, id string) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/api/v2/webhooks/"+id+"/secret/", nil)
	r.Header.Set("Authorization", "Bearer "+apiKey)
	w := httptest.NewRecorder()
	h.sim.ServeHTTP(w, r)
	var body struct {
		Key string `json:"key"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &body) != nil || !strings.HasPrefix(body.Key, "whsec_") {
		t.Fatalf("GET secret of %s = %d %s", id, w.Code, w.Body)
	}
	return body.Key
}

// noSecrets fails if text holds a signing secret, or any of the given ones.
func noSecrets(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	if strings.Contains(text, "whsec_") {
		t.Errorf("%s carries a signing secret: %s", where, text)
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s carries the secret %s: %s", where, s, text)
		}
	}
}

func createWebhookOK(t *testing.T, h *harness, args map[string]any) (map[string]any, string) {
	t.Helper()
	res := h.Call("create_webhook", args)
	if res.IsError {
		t.Fatalf("create_webhook(%v): %s", args, testclient.Text(res))
	}
	var out map[string]any
	decode(t, res, &out)
	id := str(out, "webhook", "webhook_id")
	if !strings.HasPrefix(id, "ep_") {
		t.Fatalf("create_webhook = %v", out)
	}
	noSecrets(t, "create_webhook's result", testclient.Text(res), simSecret(t, h, id))
	return out, id
}

func TestWebhookLifecycle(t *testing.T) {
	h := webhookHarness(t)

	created, id := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/ada", "description": "CRM sync",
		"event_filters": []string{"v1.conversation.message"}})
	wh := obj(created, "webhook")
	if wh["url"] != "https://hooks.example.com/ada" || wh["description"] != "CRM sync" || wh["enabled"] != true ||
		fmt.Sprint(wh["event_filters"]) != "[v1.conversation.message]" || str(wh, "created_at") == "" {
		t.Fatalf("create_webhook = %v", created)
	}
	if _, has := wh["id"]; has {
		t.Fatalf("the id is webhook_id, not id: %v", wh)
	}

	got := h.OK("get_webhook", map[string]any{"webhook_id": id})
	if str(got, "webhook", "webhook_id") != id || str(got, "webhook", "url") != "https://hooks.example.com/ada" {
		t.Fatalf("get_webhook = %v", got)
	}

	// Partial: only the description changes.
	upd := h.OK("update_webhook", map[string]any{"webhook_id": id, "description": "CRM sync (EU)"})
	wh = obj(upd, "webhook")
	if wh["description"] != "CRM sync (EU)" || wh["url"] != "https://hooks.example.com/ada" || wh["enabled"] != true ||
		fmt.Sprint(wh["event_filters"]) != "[v1.conversation.message]" {
		t.Fatalf("update_webhook(description) = %v", upd)
	}
	// [] is a change (to every event), not an absent field.
	upd = h.OK("update_webhook", map[string]any{"webhook_id": id, "event_filters": []string{}, "enabled": false})
	wh = obj(upd, "webhook")
	if len(list(wh, "event_filters")) != 0 || wh["enabled"] != false || wh["description"] != "CRM sync (EU)" {
		t.Fatalf("update_webhook(event_filters: [], enabled: false) = %v", upd)
	}
	if msg := h.Err("update_webhook", map[string]any{"webhook_id": id, "event_filters": []string{"v1.no_such.event"}}); !strings.Contains(msg, "400") || !strings.Contains(msg, "list_webhook_event_types") {
		t.Fatalf("unknown event type: %s", msg)
	}

	del := h.OK("delete_webhook", map[string]any{"webhook_id": id})
	if str(del, "webhook_id") != id || del["deleted"] != true {
		t.Fatalf("delete_webhook = %v", del)
	}
	if msg := h.Err("get_webhook", map[string]any{"webhook_id": id}); !strings.Contains(msg, "Not found (404)") || !strings.Contains(msg, "list_webhooks") {
		t.Fatalf("get after delete: %s", msg)
	}
	if msg := h.Err("delete_webhook", map[string]any{"webhook_id": id}); !strings.Contains(msg, "404") || !strings.Contains(msg, "already be deleted") {
		t.Fatalf("second delete: %s", msg)
	}
	noSecrets(t, "the logs", h.logs.String())
}

func TestCreateWebhookDefaultsToEveryEventEnabled(t *testing.T) {
	h := webhookHarness(t)
	out, _ := createWebhookOK(t, h, map[string]any{"url": "http://127.0.0.1:9/hook"})
	wh := obj(out, "webhook")
	if wh["enabled"] != true || wh["event_filters"] == nil || len(list(wh, "event_filters")) != 0 {
		t.Fatalf("create_webhook(url) = %v (want enabled, event_filters [])", out)
	}
	off, _ := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/off", "enabled": false})
	if obj(off, "webhook")["enabled"] != false {
		t.Fatalf("create_webhook(enabled: false) = %v", off)
	}
}

func TestListWebhooksPages(t *testing.T) {
	h := webhookHarness(t)
	var want []string
	for i := range 3 {
		_, id := createWebhookOK(t, h, map[string]any{"url": fmt.Sprintf("https://hooks.example.com/%d", i)})
		want = append(want, id)
	}
	var got []string
	next := func(cursor string) map[string]any { return map[string]any{"limit": 2, "cursor": cursor} }
	for i, out := range h.pages(t, "list_webhooks", map[string]any{"limit": 2}, next, 3) {
		if i == 0 && len(list(out, "webhooks")) != 2 {
			t.Fatalf("first page = %v, want 2 webhooks", out)
		}
		for _, w := range list(out, "webhooks") {
			got = append(got, str(w.(map[string]any), "webhook_id"))
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v, want %v in creation order", got, want)
	}
}

func TestListWebhookEventTypes(t *testing.T) {
	h := webhookHarness(t)
	out := h.OK("list_webhook_event_types", nil)
	var names []string
	for _, e := range list(out, "event_types") {
		m := e.(map[string]any)
		if !strings.HasPrefix(str(m, "name"), "v1.") || str(m, "description") == "" {
			t.Fatalf("event type %v", m)
		}
		names = append(names, str(m, "name"))
	}
	for _, want := range []string{"v1.end_user.created", "v1.end_user.updated", "v1.conversation.created", "v1.conversation.message", "v1.conversation.ended"} {
		if !slices.Contains(names, want) {
			t.Errorf("event types %v lack %s", names, want)
		}
	}
	// Not paginated by Ada: one page, has_more false, as every list tool
	// says (TOOLS.md: list tools return items, next_cursor, has_more).
	if out["has_more"] != false || out["next_cursor"] != nil {
		t.Errorf("has_more and next_cursor: %v", out)
	}
}

// secretSink records what rotate_webhook_secret hands it; it holds the
// secrets in own (this server's webhook's).
type secretSink struct {
	mu     sync.Mutex
	own    []string
	values []string
	fail   bool
	// holdsErr: Holds cannot tell (Redis down).
	holdsErr error
	// inHolds, if set, is called inside Holds.
	inHolds func()
}

func (s *secretSink) Holds(_ context.Context, _, secret string) (bool, error) {
	if s.inHolds != nil {
		s.inHolds()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.own, secret), s.holdsErr
}

func (s *secretSink) Keep(_ context.Context, secret string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values = append(s.values, secret)
	if s.fail {
		// A careless sink that quotes the secret: it must still not leak.
		return "", fmt.Errorf("writing %s to /etc/ada-mcp/webhook-secret: %w", secret, errors.New("permission denied"))
	}
	return "/etc/ada-mcp/webhook-secret", nil
}

func TestRotateWebhookSecretStoresItInTheSink(t *testing.T) {
	h := webhookHarness(t)
	_, id := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/ada"})
	old := simSecret(t, h, id)
	sink := &secretSink{own: []string{old}}
	h.deps.WebhookSecrets = sink

	res := h.Call("rotate_webhook_secret", map[string]any{"webhook_id": id})
	text := testclient.Text(res)
	if res.IsError {
		t.Fatal(text)
	}
	var out map[string]any
	decode(t, res, &out)
	if out["rotated"] != true || str(out, "webhook_id") != id || str(out, "secret_written_to") != "/etc/ada-mcp/webhook-secret" || out["note"] != nil {
		t.Fatalf("rotate_webhook_secret = %v", out)
	}
	sink.mu.Lock()
	values := sink.values
	sink.mu.Unlock()
	if len(values) != 1 {
		t.Fatalf("sink got %d secrets, want one", len(values))
	}
	secret := values[0]
	if !strings.HasPrefix(secret, "whsec_") || secret == old || secret != simSecret(t, h, id) {
		t.Fatalf("sink got %q; old secret %q, Ada's now %q", secret, old, simSecret(t, h, id))
	}
	noSecrets(t, "rotate_webhook_secret's result", text, secret, old)
	noSecrets(t, "the logs", h.logs.String(), secret, old)
}

func TestRotateWebhookSecretWithoutASink(t *testing.T) {
	h := webhookHarness(t)
	_, id := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/ada"})
	old := simSecret(t, h, id)
	out := h.OK("rotate_webhook_secret", map[string]any{"webhook_id": id})
	if out["rotated"] != true || out["secret_written_to"] != nil || !strings.Contains(str(out, "note"), "not stored anywhere") ||
		!strings.Contains(str(out, "note"), "dashboard") {
		t.Fatalf("rotate_webhook_secret without a sink = %v", out)
	}
	now := simSecret(t, h, id)
	if now == old {
		t.Fatal("the secret did not change at Ada")
	}
	noSecrets(t, "the logs", h.logs.String(), old, now)
	if msg := h.Err("rotate_webhook_secret", map[string]any{"webhook_id": "ep_2bxE8VNtkWEMpJrMJv74FlSQmqP"}); !strings.Contains(msg, "404") {
		t.Fatalf("rotating an unknown webhook: %s", msg)
	}
}

// Another receiver's webhook: rotated, but its new secret is not written
// over this server's (the webhook's old secret is not the one it holds).
func TestRotateWebhookSecretOfAnotherWebhook(t *testing.T) {
	h := webhookHarness(t)
	_, own := createWebhookOK(t, h, map[string]any{"url": "https://mcp.example.com/webhooks/ada"})
	_, other := createWebhookOK(t, h, map[string]any{"url": "https://other.example.com/hooks"})
	sink := &secretSink{own: []string{simSecret(t, h, own)}}
	h.deps.WebhookSecrets = sink
	old := simSecret(t, h, other)

	out := h.OK("rotate_webhook_secret", map[string]any{"webhook_id": other})
	if out["rotated"] != true || out["secret_written_to"] != nil || !strings.Contains(str(out, "note"), "not this server's own") {
		t.Fatalf("rotate_webhook_secret of another webhook = %v", out)
	}
	if now := simSecret(t, h, other); now == old {
		t.Fatal("the secret did not change at Ada")
	}
	if len(sink.values) != 0 {
		t.Fatalf("another webhook's secret was kept: %d secrets", len(sink.values))
	}
	// An unknown webhook: nothing rotated, nothing kept.
	if msg := h.Err("rotate_webhook_secret", map[string]any{"webhook_id": "ep_2bxE8VNtkWEMpJrMJv74FlSQmqP"}); !strings.Contains(msg, "404") || !strings.Contains(msg, "Nothing was rotated") {
		t.Fatalf("rotating an unknown webhook: %s", msg)
	}
	noSecrets(t, "the logs", h.logs.String(), old, simSecret(t, h, other))
}

func TestRotateWebhookSecretSinkFailure(t *testing.T) {
	h := webhookHarness(t)
	_, id := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/ada"})
	old := simSecret(t, h, id)
	h.deps.WebhookSecrets = &secretSink{own: []string{old}, fail: true}

	msg := h.Err("rotate_webhook_secret", map[string]any{"webhook_id": id})
	now := simSecret(t, h, id)
	if now == old {
		t.Fatal("the secret did not change at Ada")
	}
	for _, want := range []string{id, "was rotated at Ada", "permission denied", "rotate_webhook_secret again", "dashboard"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	// The sink's error quoted the secret; the message keeps the rest of it.
	if !strings.Contains(msg, "/etc/ada-mcp/webhook-secret") {
		t.Errorf("message lost the sink's reason: %s", msg)
	}
	noSecrets(t, "the error", msg, now, old)
	noSecrets(t, "the logs", h.logs.String(), now, old)
}

// When the store cannot tell whether the webhook is this server's own
// (Redis does not answer), nothing is rotated: a rotation of its own
// webhook whose secret it then did not store would stop its deliveries.
func TestRotateWebhookSecretRefusedWhenOwnershipUnknown(t *testing.T) {
	h := webhookHarness(t)
	_, id := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/ada"})
	old := simSecret(t, h, id)
	h.deps.WebhookSecrets = &secretSink{holdsErr: errors.New("redis: connection refused")}

	msg := h.Err("rotate_webhook_secret", map[string]any{"webhook_id": id})
	for _, want := range []string{id, "connection refused", "Nothing was rotated"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if now := simSecret(t, h, id); now != old {
		t.Fatal("the secret was rotated although ownership was unknown")
	}
	noSecrets(t, "the error", msg, old)
}

// Rotations run one at a time: two at once could both take the webhook
// for this server's own and store the secret Ada replaced last.
func TestRotateWebhookSecretOneAtATime(t *testing.T) {
	h := webhookHarness(t)
	_, id := createWebhookOK(t, h, map[string]any{"url": "https://hooks.example.com/ada"})
	var inside, most atomic.Int64
	sink := &secretSink{}
	sink.inHolds = func() {
		n := inside.Add(1)
		defer inside.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(100 * time.Millisecond) // room for another call to come in
	}
	h.deps.WebhookSecrets = sink
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { h.OK("rotate_webhook_secret", map[string]any{"webhook_id": id}) })
	}
	wg.Wait()
	if n := most.Load(); n != 1 {
		t.Fatalf("%d rotations at once", n)
	}
}

func TestWebhookArgumentsAreStrict(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"webhooks"}})
	h.refuses(t, []refusal{
		{"create_webhook", map[string]any{"url": "https://hooks.example.com/ada", "secret": "x"}, "secret"},
		{"create_webhook", map[string]any{"URL": "https://hooks.example.com/ada"}, "URL"},
		{"create_webhook", map[string]any{}, "url"},
		{"create_webhook", map[string]any{"url": "ftp://hooks.example.com/ada"}, "url"},
		{"create_webhook", map[string]any{"url": "/relative/path"}, "url"},
		{"create_webhook", map[string]any{"url": "https://hooks.example.com/ada", "event_filters": []string{""}}, "event_filters"},
		{"update_webhook", map[string]any{"webhook_id": "ep_1"}, "nothing to update"},
		{"update_webhook", map[string]any{"webhook_id": "ep_1", "url": ""}, "url"},
		{"update_webhook", map[string]any{"webhook_id": "ep_1", "enabled": "maybe"}, "enabled"},
		{"get_webhook", map[string]any{"webhook_id": " "}, "webhook_id"},
		{"delete_webhook", map[string]any{"webhook_id": ".."}, "webhook_id"},
		{"rotate_webhook_secret", map[string]any{}, "webhook_id"},
		{"rotate_webhook_secret", map[string]any{"webhook_id": "ep_1", "key": "whsec_abc"}, "key"},
		{"list_webhooks", map[string]any{"limit": 101}, "limit"},
		{"list_webhook_event_types", map[string]any{"limit": 5}, "limit"},
	})
}

func TestWebhooksToolsetIsOptIn(t *testing.T) {
	names := func(h *harness) []string { return toolNames(t, h) }
	all := names(webhookHarness(t))
	// get_capabilities is always there.
	want := "create_webhook,delete_webhook,get_capabilities,get_webhook,list_webhook_event_types,list_webhooks,rotate_webhook_secret,update_webhook"
	if strings.Join(all, ",") != want {
		t.Fatalf("webhooks toolset = %v", all)
	}
	ro := names(newHarness(t, harnessOpts{toolsets: []string{"webhooks"}, readOnly: true}))
	if strings.Join(ro, ",") != "get_capabilities,get_webhook,list_webhook_event_types,list_webhooks" {
		t.Fatalf("read-only webhooks toolset = %v", ro)
	}
	for _, n := range names(newHarness(t, harnessOpts{})) {
		if strings.Contains(n, "webhook") {
			t.Fatalf("default toolsets include %s", n)
		}
	}
}

// A cursor Ada refuses (another listing's, say) gets a hint on what
// cursor takes, on every list tool that passes Ada's cursor through.
func TestForeignCursorHint(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"end_users", "channels", "conversations", "webhooks", "ai_agent"}})
	cid := str(h.OK("start_conversation", map[string]any{"external_id": "cur-1"}), "conversation_id")
	for tool, args := range map[string]map[string]any{
		"list_webhooks":            {"cursor": "6955b90ecf4af631276b1d86"},
		"list_custom_instructions": {"cursor": "ep_2bxE8VNtkWEMpJrMJv74FlSQmqP"},
		"list_end_users":           {"cursor": "not-a-cursor"},
		"list_messages":            {"conversation_id": cid, "cursor": "not-a-cursor"},
	} {
		if msg := h.Err(tool, args); !strings.Contains(msg, "next_cursor this tool returned") {
			t.Errorf("%s with a foreign cursor: %s", tool, msg)
		}
	}
}
