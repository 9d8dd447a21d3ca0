package tools_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/tools"
)

func readResource(t *testing.T, h *harness, uri string) (map[string]any, string) {
	t.Helper()
	res, err := h.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		return nil, err.Error()
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != "application/json" || res.Contents[0].URI != uri {
		t.Fatalf("contents %+v", res.Contents)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(res.Contents[0].Text), &m); err != nil {
		t.Fatal(err)
	}
	return m, res.Contents[0].Text
}

func TestResourcesAreRedacted(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	list, err := h.ListResourceTemplates(context.Background(), nil)
	if err != nil || len(list.ResourceTemplates) != 2 {
		t.Fatalf("%v %v", list, err)
	}
	up := h.OK("upsert_end_user", map[string]any{"external_id": "res-1",
		"profile":            map[string]any{"first_name": "Rui", "metadata": map[string]any{"session_token": "canary-res-session", "plan": "pro"}},
		"sensitive_metadata": map[string]any{"pin": "canary-res-pin"}})
	uid := str(up, "end_user", "end_user_id")
	cid := str(h.OK("start_conversation", map[string]any{"end_user_id": uid}), "conversation_id")
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "card 4242 4242 4242 4242 please", "wait_for_reply_seconds": 5})

	conv, text := readResource(t, h, "ada://conversations/"+cid)
	msgs, _ := conv["messages"].([]any)
	if str(conv, "conversation", "conversation_id") != cid || len(msgs) < 3 {
		t.Fatalf("%s", text)
	}
	user, userText := readResource(t, h, "ada://end-users/"+uid)
	if str(user, "end_user", "profile", "first_name") != "Rui" {
		t.Fatalf("%s", userText)
	}
	for _, leak := range []string{"4242 4242 4242 4242", "canary-res-session", "canary-res-pin"} {
		if strings.Contains(text+userText, leak) {
			t.Errorf("a resource holds %q", leak)
		}
	}
	if _, msg := readResource(t, h, "ada://conversations/nope"); !strings.Contains(msg, "Not found") {
		t.Fatalf("unknown conversation: %q", msg)
	}
}

// A session subscribed to a conversation is told when a message arrives,
// and no longer once it unsubscribes.
func TestSubscriptionNotifiesNewMessages(t *testing.T) {
	// 2026-07-28 clients subscribe in a subscriptions/listen stream,
	// older ones with resources/subscribe.
	for _, version := range []string{"", "2025-11-25"} {
		t.Run("version "+version, func(t *testing.T) { subscriptionNotifies(t, version) })
	}
}

func subscriptionNotifies(t *testing.T, version string) {
	var mu sync.Mutex
	var updated []string
	h := newHarness(t, harnessOpts{events: true, version: version, client: &mcp.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, r *mcp.ResourceUpdatedNotificationRequest) {
			mu.Lock()
			defer mu.Unlock()
			updated = append(updated, r.Params.URI)
		}}})
	cid := str(h.OK("start_conversation", map[string]any{"external_id": "sub-1"}), "conversation_id")
	uri := "ada://conversations/" + cid
	if err := h.Subscribe(context.Background(), &mcp.SubscribeParams{URI: uri}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(updated)
	}
	// waitFor reports whether count passes n within d.
	waitFor := func(n int, d time.Duration) bool {
		for range int(d / (10 * time.Millisecond)) {
			if count() > n {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		return count() > n
	}
	// The go-sdk client's Subscribe does not wait for the server's
	// acknowledgement of a 2026-07-28 listen stream, and the server handles
	// requests concurrently: a message sent at once may beat the
	// subscription. Once it is in place, every message notifies.
	notified := false
	for i := 0; i < 5 && !notified; i++ {
		h.OK("send_message", map[string]any{"conversation_id": cid, "body": fmt.Sprint("hello ", i)})
		notified = waitFor(0, time.Second)
	}
	mu.Lock()
	if !notified || updated[0] != uri {
		mu.Unlock()
		t.Fatalf("notifications %v", updated)
	}
	mu.Unlock()
	if err := h.Unsubscribe(context.Background(), &mcp.UnsubscribeParams{URI: uri}); err != nil {
		t.Fatal(err)
	}
	// The unsubscription (a cancelled listen stream, or resources/unsubscribe)
	// lands asynchronously too: within a few messages none notifies any more.
	for i := 0; ; i++ {
		time.Sleep(50 * time.Millisecond) // let the last message's notifications land
		before := count()
		h.OK("send_message", map[string]any{"conversation_id": cid, "body": fmt.Sprint("again ", i)})
		if !waitFor(before, 200*time.Millisecond) { // a notification comes within milliseconds
			break
		}
		if i == 5 {
			t.Fatalf("still notified after unsubscribing: %d notifications", count())
		}
	}
}

// Polled (no events): a conversation longer than a page still notifies of
// each new message (the first page's length once stopped changing at
// 100), and a subscription to a conversation Ada does not know stops
// polling at its first 404 instead of spending Ada's budget for ever.
func TestPolledSubscriptions(t *testing.T) {
	defer tools.SetWatchPolling(20*time.Millisecond, 1000)()
	var mu sync.Mutex
	var updated []string
	h := newHarness(t, harnessOpts{version: "2025-11-25", client: &mcp.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, r *mcp.ResourceUpdatedNotificationRequest) {
			mu.Lock()
			defer mu.Unlock()
			updated = append(updated, r.Params.URI)
		}}})
	cid := str(h.OK("start_conversation", map[string]any{"external_id": "long-1"}), "conversation_id")
	for i := range 60 { // with the AI Agent's answers, over 100 messages
		h.OK("send_message", map[string]any{"conversation_id": cid, "body": fmt.Sprint("message ", i)})
	}
	uri := "ada://conversations/" + cid
	if err := h.Subscribe(context.Background(), &mcp.SubscribeParams{URI: uri}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the first polls set the mark
	mu.Lock()
	updated = nil
	mu.Unlock()
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "one more"})
	for i := 0; ; i++ {
		mu.Lock()
		n := len(updated)
		mu.Unlock()
		if n > 0 {
			break
		}
		if i == 200 {
			t.Fatal("no notification for a message in a conversation of over 100 messages")
		}
		time.Sleep(10 * time.Millisecond)
	}

	if err := h.Subscribe(context.Background(), &mcp.SubscribeParams{URI: "ada://conversations/5df263b7db5a7e6ea03fae9b"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the bogus watch's first poll, a 404, ends it
	if err := h.Unsubscribe(context.Background(), &mcp.UnsubscribeParams{URI: uri}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	before := h.lists.Load()
	time.Sleep(300 * time.Millisecond) // fifteen poll intervals
	if n := h.lists.Load() - before; n != 0 {
		t.Fatalf("%d message lists read with no watch left: the unknown conversation is still polled", n)
	}
}

// A conversation resource holds at most five pages of messages: past them
// it says truncated; within them it does not.
func TestConversationResourceIsBounded(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	cid := str(h.OK("start_conversation", map[string]any{"external_id": "bounded-1"}), "conversation_id")
	uri := "ada://conversations/" + cid
	if m, msg := readResource(t, h, uri); m == nil || m["truncated"] == true {
		t.Fatalf("a short conversation: %v %s", m, msg)
	}
	for i := range 260 { // with the AI Agent's answers, over 500 messages
		h.OK("send_message", map[string]any{"conversation_id": cid, "body": fmt.Sprint("m", i)})
	}
	m, msg := readResource(t, h, uri)
	if m == nil || m["truncated"] != true || len(list(m, "messages")) != 500 {
		t.Fatalf("truncated %v, %d messages: %s", m["truncated"], len(list(m, "messages")), msg)
	}
}

// flakyLog is an event log that can fail, as the Redis one does when Redis
// goes away: End and Next then err, and a Next waiting returns at once.
type flakyLog struct {
	events.Log
	mu   sync.Mutex
	down chan struct{} // closed while down
}

func newFlakyLog(inner events.Log) *flakyLog { return &flakyLog{Log: inner} }

func (f *flakyLog) set(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case down && f.down == nil:
		f.down = make(chan struct{})
		close(f.down)
	case !down:
		f.down = nil
	}
}

func (f *flakyLog) isDown() (<-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.down, f.down != nil
}

var errLogDown = errors.New("redis: connection refused")

func (f *flakyLog) End(ctx context.Context, key string) (events.Cursor, error) {
	if _, down := f.isDown(); down {
		return "", errLogDown
	}
	return f.Log.End(ctx, key)
}

func (f *flakyLog) Next(ctx context.Context, key string, after events.Cursor) ([]events.Event, events.Cursor, error) {
	if _, down := f.isDown(); down {
		return nil, after, errLogDown
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // going down ends a wait, as a lost connection does
		for ctx.Err() == nil {
			if _, down := f.isDown(); down {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	evs, cur, err := f.Log.Next(ctx, key, after)
	if _, down := f.isDown(); down {
		return nil, after, errLogDown
	}
	return evs, cur, err
}

// A subscription followed through the event log outlives the log's
// failure: it polls Ada meanwhile (and says so once), and follows the log
// again once it is back.
func TestSubscriptionOutlivesTheEventLog(t *testing.T) {
	defer tools.SetWatchPolling(20*time.Millisecond, 1000)()
	defer tools.SetWatchLogRetry(200 * time.Millisecond)()
	h, flaky, updates := flakyLogHarness(t, false)
	cid := str(h.OK("start_conversation", map[string]any{"external_id": "flaky-1"}), "conversation_id")
	if err := h.Subscribe(context.Background(), &mcp.SubscribeParams{URI: "ada://conversations/" + cid}); err != nil {
		t.Fatal(err)
	}
	notified := func(what string) {
		t.Helper()
		updates.reset()
		h.OK("send_message", map[string]any{"conversation_id": cid, "body": what})
		if !updates.wait() {
			t.Fatalf("no notification for %q", what)
		}
	}
	time.Sleep(100 * time.Millisecond) // the watch follows the log
	notified("with the log")
	before := h.lists.Load()
	flaky.set(true)
	time.Sleep(100 * time.Millisecond)
	notified("while the log is down")
	if h.lists.Load() == before {
		t.Fatal("no poll while the log was down")
	}
	flaky.set(false)
	time.Sleep(500 * time.Millisecond) // past the retry: following the log again
	notified("once the log is back")
	if n := len(h.logs.Records("event log unavailable for a subscription; polling Ada until it is back")); n != 1 {
		t.Fatalf("%d warnings, want one:\n%s", n, h.logs)
	}
}

// While the event log stays down, a subscription polls in segments of
// watchLogRetry between tries of the log: with the defaults (a poll every
// 5 s, the log tried again every 5 s) each segment holds one poll, and a
// poll that only set a baseline never reported a change. The mark carries
// over from one segment to the next.
func TestSubscriptionPollsAcrossLogRetries(t *testing.T) {
	defer tools.SetWatchPolling(30*time.Millisecond, 1000)()
	defer tools.SetWatchLogRetry(30 * time.Millisecond)()
	h, _, updates := flakyLogHarness(t, true)
	cid := str(h.OK("start_conversation", map[string]any{"external_id": "segments-1"}), "conversation_id")
	before := h.lists.Load()
	if err := h.Subscribe(context.Background(), &mcp.SubscribeParams{URI: "ada://conversations/" + cid}); err != nil {
		t.Fatal(err)
	}
	for i := 0; h.lists.Load() < before+3; i++ { // a few segments' polls: the mark is set
		if i == 500 {
			t.Fatal("the subscription does not poll while the log is down")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "while the log stays down"})
	if !updates.wait() {
		t.Fatalf("no notification after %d polls", h.lists.Load()-before)
	}
}

// flakyLogHarness is a harness whose event log can fail (down from the
// start if down), counting the resource-updated notifications it gets.
func flakyLogHarness(t *testing.T, down bool) (*harness, *flakyLog, *updateCount) {
	t.Helper()
	updates := &updateCount{}
	h := newHarness(t, harnessOpts{events: true, version: "2025-11-25", client: &mcp.ClientOptions{
		ResourceUpdatedHandler: func(context.Context, *mcp.ResourceUpdatedNotificationRequest) { updates.n.Add(1) }}})
	flaky := newFlakyLog(h.events)
	flaky.set(down)
	h.deps.Events = flaky
	return h, flaky, updates
}

// updateCount counts notifications; wait polls it for up to 3 s.
type updateCount struct{ n atomic.Int64 }

func (u *updateCount) reset() { u.n.Store(0) }

func (u *updateCount) wait() bool {
	for range 300 {
		if u.n.Load() > 0 {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
