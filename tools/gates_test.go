package tools_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/tools"
)

// countingSim counts the requests that reached the simulator, by method.
type countingSim struct {
	*adasim.Sim
	mu   sync.Mutex
	seen map[string]int
}

func newCountingSim(t *testing.T) *countingSim {
	sim := adasim.New(adasim.Options{APIKey: apiKey})
	t.Cleanup(sim.Close)
	return &countingSim{Sim: sim, seen: map[string]int{}}
}

func (c *countingSim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.seen[r.Method]++
	c.mu.Unlock()
	c.Sim.ServeHTTP(w, r)
}

func (c *countingSim) count(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[method]
}

// A message the customer reads as a person's is refused unless the
// operator allows it, and nothing reaches Ada.
func TestCustomerVisibleMessagesAreGated(t *testing.T) {
	sim := newCountingSim(t)
	h := newHarness(t, harnessOpts{backend: sim})
	h.deps.DefaultChannelID = sim.DefaultChannelID()
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	posts := sim.count(http.MethodPost)
	msg := h.Err("send_message", map[string]any{"conversation_id": cid, "body": "Hi, Sam from support", "role": "human_agent", "display_name": "Sam"})
	if !strings.Contains(msg, "--allow-customer-messages") || !strings.Contains(msg, "Nothing was sent") {
		t.Fatalf("refusal: %s", msg)
	}
	if sim.count(http.MethodPost) != posts {
		t.Fatal("the refused message reached Ada")
	}
	// An email to the customer and a file posted as a human agent are gated alike.
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"start_email_conversation", map[string]any{"name": "Ana", "subject": "Your order", "reply_to": "ana@example.com", "text": "Hi"}},
		{"upload_attachment", map[string]any{"conversation_id": cid, "content_base64": "aGk=", "filename": "note.txt", "send_as": "human_agent", "display_name": "Sam"}},
	} {
		if msg := h.Err(c.tool, c.args); !strings.Contains(msg, "--allow-customer-messages") {
			t.Fatalf("%s refusal: %s", c.tool, msg)
		}
	}
	if sim.count(http.MethodPost) != posts {
		t.Fatal("a refused email or file reached Ada")
	}
	// The gate comes before the arguments' details: a human agent's
	// message without display_name is refused for the gate, since
	// adding the name would only lead to it.
	if msg := h.Err("send_message", map[string]any{"conversation_id": cid, "body": "Hi", "role": "human_agent"}); !strings.Contains(msg, "--allow-customer-messages") {
		t.Fatalf("refusal without display_name: %s", msg)
	}
	// The end user's own messages are not gated.
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "hello"})

	allowed := newHarness(t, harnessOpts{allowCustomer: true})
	cid = str(allowed.OK("start_conversation", map[string]any{}), "conversation_id")
	allowed.OK("send_message", map[string]any{"conversation_id": cid, "body": "Hi, Sam from support", "role": "human_agent", "display_name": "Sam"})
}

func createHook(t *testing.T, h *harness) string {
	t.Helper()
	return str(h.OK("create_webhook", map[string]any{"url": "https://hooks.example.com/gate"}), "webhook", "webhook_id")
}

// A deletion without a client that can ask the user is refused, naming
// what would go and the flag; with the flag it goes through. end_conversation
// is never gated.
func TestDeletionsNeedConfirmationOrTheFlag(t *testing.T) {
	sim := newCountingSim(t)
	h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"webhooks", "conversations"}})
	h.deps.DefaultChannelID = sim.DefaultChannelID()
	id := createHook(t, h)
	msg := h.Err("delete_webhook", map[string]any{"webhook_id": id})
	if !strings.Contains(msg, id) || !strings.Contains(msg, "--allow-destructive") || !strings.Contains(msg, "elicitation") {
		t.Fatalf("refusal: %s", msg)
	}
	if sim.count(http.MethodDelete) != 0 {
		t.Fatal("a DELETE reached Ada without confirmation")
	}
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	h.OK("end_conversation", map[string]any{"conversation_id": cid})

	allowed := newHarness(t, harnessOpts{toolsets: []string{"webhooks"}, allowDestructive: true})
	allowed.OK("delete_webhook", map[string]any{"webhook_id": createHook(t, allowed)})
}

// A client that can ask its user gets an elicitation naming what will be
// deleted: only an accepted, confirmed answer deletes. In both protocol
// eras: 2026-07-28 multi round-trip requests, and elicitation/create before.
func TestDeletionsAskTheUser(t *testing.T) {
	for _, version := range []string{"", "2025-11-25"} {
		for _, tc := range []struct {
			name    string
			answer  *mcp.ElicitResult
			deleted bool
		}{
			{"accepted", &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, true},
			{"accepted unticked", &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": false}}, false},
			{"declined", &mcp.ElicitResult{Action: "decline"}, false},
			{"cancelled", &mcp.ElicitResult{Action: "cancel"}, false},
		} {
			t.Run(version+" "+tc.name, func(t *testing.T) {
				var asked atomic.Value
				sim := newCountingSim(t)
				h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"webhooks"}, version: version, client: &mcp.ClientOptions{
					ElicitationHandler: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
						asked.Store(r.Params.Message)
						return tc.answer, nil
					}}})
				id := createHook(t, h)
				res := h.Call("delete_webhook", map[string]any{"webhook_id": id})
				msg, _ := asked.Load().(string)
				if !strings.Contains(msg, id) || !strings.Contains(msg, "cannot be undone") {
					t.Fatalf("the user was asked %q", msg)
				}
				if got := sim.count(http.MethodDelete) == 1; got != tc.deleted || res.IsError == tc.deleted {
					t.Fatalf("deleted=%v isError=%v, want deleted=%v", got, res.IsError, tc.deleted)
				}
			})
		}
	}
}

// get_capabilities tells an assistant what it may do before it plans: the
// gates as this client meets them, the toolsets, never the key.
func TestGetCapabilities(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"webhooks"}, events: true})
	caps := h.OK("get_capabilities", map[string]any{})
	b, _ := json.Marshal(caps)
	if strings.Contains(string(b), apiKey) {
		t.Fatal("the API key is in get_capabilities")
	}
	if caps["customer_messages"] != "refused" || caps["deletions"] != "refused" || caps["replies"] != "events" ||
		caps["rate_budget"] != "off" || caps["read_only"] != false || !strings.HasPrefix(str(caps, "ada_host"), "127.0.0.1:") {
		t.Fatalf("%s", b)
	}
	if fmt.Sprint(caps["toolsets"]) != "[core webhooks]" || !strings.Contains(fmt.Sprint(caps["tools"]), "delete_webhook") {
		t.Fatalf("%s", b)
	}
	asking := newHarness(t, harnessOpts{allowCustomer: true, client: &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "decline"}, nil
		}}})
	caps = asking.OK("get_capabilities", map[string]any{})
	if caps["customer_messages"] != "allowed" || caps["deletions"] != "ask_user" || caps["replies"] != "polling" {
		t.Fatalf("%v", caps)
	}
	// --read-only wins over the gates: no tool that sends as a person or
	// deletes is served, so neither is "allowed".
	readOnly := newHarness(t, harnessOpts{readOnly: true, allowCustomer: true, allowDestructive: true})
	caps = readOnly.OK("get_capabilities", map[string]any{})
	if caps["read_only"] != true || caps["customer_messages"] != "refused" || caps["deletions"] != "refused" {
		t.Fatalf("read-only: %v", caps)
	}
	h.deps.RateLimits, h.deps.RateShared = map[string][]adaclient.Limit{"conversations": {{Requests: 30, Per: time.Second}, {Requests: 300, Per: time.Minute}}}, true
	caps = h.OK("get_capabilities", map[string]any{})
	if caps["rate_budget"] != "fleet" || fmt.Sprint(caps["rate_limits"]) != "map[conversations:30/s, 300/min]" {
		t.Fatalf("%v", caps)
	}
}

// A confirmation counts only as the answer to the question this server
// asked about exactly this call (2026-07-28's requestState): an accepting
// answer a client sends unasked, or one given for another webhook, or with
// the state tampered with, or replayed once used, deletes nothing; a
// client that can ask is asked anew, one that cannot is refused.
func TestDeletionConfirmationIsBoundToTheCall(t *testing.T) {
	sim := newCountingSim(t)
	h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"webhooks"}})
	a, b := createHook(t, h), createHook(t, h)
	call := modernDeleteCaller(t, h)
	accept := map[string]any{"confirm_deletion": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
	asked := func(r map[string]any) string {
		t.Helper()
		if r["resultType"] != "input_required" {
			t.Fatalf("not asked: %v", r)
		}
		state, _ := r["requestState"].(string)
		if state == "" {
			t.Fatalf("no requestState: %v", r)
		}
		return state
	}
	deletes := func() int { return sim.count(http.MethodDelete) }

	// A client that cannot elicit, answering unasked: refused.
	if r := call(false, a, accept, ""); r["isError"] != true || !strings.Contains(fmt.Sprint(r["content"]), "--allow-destructive") {
		t.Fatalf("unasked acceptance from a client that cannot elicit: %v", r)
	}
	// One that can: asked (about a), whatever it sent unasked.
	stateA := asked(call(true, a, accept, ""))
	// a's confirmation given for b: b is asked about, not deleted.
	if stateB := asked(call(true, b, accept, stateA)); stateB == stateA {
		t.Fatal("b's question has a's state")
	}
	// A tampered state: asked again.
	asked(call(true, a, accept, stateA[:len(stateA)-2]+"xx"))
	if n := deletes(); n != 0 {
		t.Fatalf("%d DELETEs without a valid confirmation", n)
	}
	// a's own: deleted.
	if r := call(true, a, accept, stateA); r["isError"] == true || r["resultType"] == "input_required" {
		t.Fatalf("confirmed deletion of a: %v", r)
	}
	if n := deletes(); n != 1 {
		t.Fatalf("%d DELETEs, want a's", n)
	}
	// The same acceptance replayed (a's id could be a new webhook's by
	// then, as it can be an article's or a tag's): asked again.
	asked(call(true, a, accept, stateA))
	if n := deletes(); n != 1 {
		t.Fatalf("%d DELETEs: a replayed confirmation deleted again", n)
	}
}

// modernDeleteCaller calls delete_webhook as a 2026-07-28 client over
// Streamable HTTP (raw JSON-RPC: the go-sdk client answers the question
// itself), with or without elicitation, an answer and a requestState.
func modernDeleteCaller(t *testing.T, h *harness) func(elicits bool, id string, responses map[string]any, state string) map[string]any {
	t.Helper()
	s, _, err := tools.NewServer(h.deps, tools.Options{Version: "test", Toolsets: []string{"webhooks"}})
	if err != nil {
		t.Fatal(err)
	}
	asking, silent := testclient.Modern(t, s, true), testclient.Modern(t, s, false)
	return func(elicits bool, id string, responses map[string]any, state string) map[string]any {
		t.Helper()
		call := silent
		if elicits {
			call = asking
		}
		return call("delete_webhook", map[string]any{"webhook_id": id}, responses, state)
	}
}

// fakeClaims stands for the replicas' shared claims (fleet.Claims).
type fakeClaims struct {
	mu      sync.Mutex
	claimed map[string]bool
	// taken: another replica claimed every key already; err: the store
	// is down.
	taken bool
	err   error
}

func (f *fakeClaims) Claim(_ context.Context, key string, _ time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return false, f.err
	}
	fresh := !f.taken && !f.claimed[key]
	f.claimed[key] = true
	return fresh, nil
}

func (f *fakeClaims) set(taken bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taken, f.err = taken, err
}

// Among replicas, an acceptance another replica redeemed is not redeemed
// again by this one, which has not seen it itself: the user is asked
// again. With the shared store down the deletion is refused, not risked.
func TestDeletionConfirmationIsRedeemedOnceByTheFleet(t *testing.T) {
	sim := newCountingSim(t)
	h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"webhooks"}})
	claims := &fakeClaims{claimed: map[string]bool{}}
	h.deps.Redeemed = claims
	id := createHook(t, h)
	call := modernDeleteCaller(t, h)
	accept := map[string]any{"confirm_deletion": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
	ask := func() string {
		t.Helper()
		state, _ := call(true, id, nil, "")["requestState"].(string)
		if state == "" {
			t.Fatal("not asked")
		}
		return state
	}

	claims.set(false, errors.New("redis down"))
	if r := call(true, id, accept, ask()); r["isError"] != true || !strings.Contains(fmt.Sprint(r["content"]), "Nothing was deleted") {
		t.Fatalf("with the shared store down: %v", r)
	}
	claims.set(true, nil)
	if r := call(true, id, accept, ask()); r["resultType"] != "input_required" {
		t.Fatalf("an acceptance another replica redeemed was redeemed again: %v", r)
	}
	if n := sim.count(http.MethodDelete); n != 0 {
		t.Fatalf("%d DELETEs", n)
	}
	claims.set(false, nil)
	if r := call(true, id, accept, ask()); r["isError"] == true || r["resultType"] == "input_required" {
		t.Fatalf("a fresh confirmation: %v", r)
	}
	if n := sim.count(http.MethodDelete); n != 1 {
		t.Fatalf("%d DELETEs, want 1", n)
	}
}

// Among replicas (--redis-url), a deletion is confirmed only with a
// 2026-07-28 client: an older one's answer is a POST of its own that a
// balancer may hand to another replica, while the call waits for it.
func TestReplicasAskOnlyModernClients(t *testing.T) {
	for _, tc := range []struct {
		version string
		asked   bool
	}{{"", true}, {"2025-11-25", false}} {
		var asked atomic.Int64
		sim := newCountingSim(t)
		h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"webhooks"}, version: tc.version, client: &mcp.ClientOptions{
			ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
				asked.Add(1)
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
			}}})
		h.deps.Replicated = true
		res := h.Call("delete_webhook", map[string]any{"webhook_id": createHook(t, h)})
		if got := asked.Load() == 1; got != tc.asked || res.IsError == tc.asked {
			t.Fatalf("version %q: asked %v, isError %v: %s", tc.version, got, res.IsError, testclient.Text(res))
		}
		caps := h.OK("get_capabilities", map[string]any{})
		if want := map[bool]string{true: "ask_user", false: "refused"}[tc.asked]; caps["deletions"] != want {
			t.Fatalf("version %q: get_capabilities deletions %v, want %s", tc.version, caps["deletions"], want)
		}
		if !tc.asked && !strings.Contains(testclient.Text(res), "several replicas") {
			t.Fatalf("the refusal does not say why: %s", testclient.Text(res))
		}
	}
}
