package adasim_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

var (
	messageID         = regexp.MustCompile(`^msg_[0-9A-Za-z]{27}$`)
	envelopeTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$`) // no zone, as Ada writes it
)

// The secret of Svix's published example.
const svixExampleSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// verify checks a delivery as Svix's libraries do, written here from Svix's documentation: the
// timestamp within 5 minutes of now, and one of the space-separated "v1,<base64>" signatures the
// HMAC-SHA256 of "{svix-id}.{svix-timestamp}.{body}" keyed with the secret's base64 part.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	ts, err := strconv.ParseInt(h.Get("svix-timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("svix-timestamp %q", h.Get("svix-timestamp"))
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("svix-timestamp %d is %v from now", ts, d)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", h.Get("svix-id"), h.Get("svix-timestamp"), body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for sig := range strings.FieldsSeq(h.Get("svix-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// The verifier above agrees with Svix's published example (the simulator's own signing is
// checked against it in webhooks_internal_test.go).
func TestVerifySvixExample(t *testing.T) {
	h := http.Header{}
	h.Set("svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("svix-timestamp", "1614265330")
	h.Set("svix-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	at := time.Unix(1614265330, 0)
	if err := verify(svixExampleSecret, h, []byte(`{"test": 2432232314}`), at); err != nil {
		t.Fatal(err)
	}
	if err := verify(svixExampleSecret, h, []byte(`{"test": 2432232315}`), at); err == nil {
		t.Fatal("a changed body verified")
	}
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

func (r received) id() string { return r.header.Get("svix-id") }

func (r received) envelope(t testing.TB) map[string]any {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("webhook body %s: %v", r.body, err)
	}
	return env
}

// receiver is a webhook endpoint on loopback that records every request and answers with
// answer(n) for the nth (from 0; nil: 200).
type receiver struct {
	t      testing.TB
	URL    string
	mu     sync.Mutex
	got    []received
	answer func(n int, r *http.Request) int
}

func newReceiver(t testing.TB, answer func(n int, r *http.Request) int) *receiver {
	t.Helper()
	rc := &receiver{t: t, answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body, at: time.Now()})
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(n, r)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL + "/hooks"
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// wait returns the first n requests once they have arrived.
func (rc *receiver) wait(n int) []received {
	rc.t.Helper()
	waitFor(rc.t, fmt.Sprintf("%d webhook requests", n), func() bool { return len(rc.all()) >= n })
	return rc.all()[:n]
}

func eventTypes(t testing.TB, got []received) string {
	t.Helper()
	var ts []string
	for _, r := range got {
		ts = append(ts, str(r.envelope(t)["type"]))
	}
	return strings.Join(ts, " ")
}

// stat returns the stats of the endpoint with that URL.
func stat(t testing.TB, sim *adasim.Sim, url string) adasim.WebhookStat {
	t.Helper()
	for _, st := range sim.WebhookStats() {
		if st.URL == url {
			return st
		}
	}
	t.Fatalf("no webhook stats for %s in %+v", url, sim.WebhookStats())
	return adasim.WebhookStat{}
}

func waitStat(t testing.TB, sim *adasim.Sim, url string, want adasim.WebhookStat) {
	t.Helper()
	want.URL = url
	waitFor(t, fmt.Sprintf("stats %+v", want), func() bool {
		got := stat(t, sim, url)
		got.ID = ""
		return got == want
	})
}

// chat creates an end user, a conversation, one exchange and the end: 7 events.
func chat(c *client) {
	c.t.Helper()
	u := c.createEndUser(object{"profile": object{"first_name": "Ana"}})
	conv := c.startConversation(str(u["end_user_id"]))
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+str(conv["id"])+"/messages/", object{
		"author": object{"id": u["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "hello"}})
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+str(conv["id"])+"/end/", nil)
}

const chatTypes = "v1.end_user.created v1.conversation.created v1.conversation.message v1.conversation.message " +
	"v1.conversation.message v1.conversation.ended v1.conversation.message"

func TestWebhookManagement(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 5, Deterministic: true})
	const url = "http://127.0.0.1:9/ada"
	eventList := c.expect(http.StatusOK, "GET", "/v2/webhooks/event-types/", nil)["data"].([]any)
	var names []string
	for _, e := range eventList {
		names = append(names, str(e.(object)["name"]))
	}
	if want := []string{adasim.EventEndUserCreated, adasim.EventEndUserUpdated, adasim.EventConversationCreated,
		adasim.EventConversationMessage, adasim.EventConversationEnded, adasim.EventConversationHandoffEnded,
		"v1.audit_log.emitted"}; !slices.Equal(names, want) {
		t.Fatalf("event types %v, want %v", names, want)
	}

	hook := c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": url, "description": "d", "enabled": false,
		"event_filters": []string{"v1.conversation.ended", "v1.audit_log.emitted", "v1.conversation.ended"}})
	id := str(hook["id"])
	if !endpointID.MatchString(id) || hook["url"] != url || hook["description"] != "d" || hook["enabled"] != false ||
		fmt.Sprint(hook["event_filters"]) != "[v1.conversation.ended v1.audit_log.emitted]" ||
		!timestamp.MatchString(str(hook["created_at"])) || hook["updated_at"] != hook["created_at"] {
		t.Fatalf("created %v", hook)
	}
	if got := c.expect(http.StatusOK, "GET", "/v2/webhooks/"+id, nil); fmt.Sprint(got) != fmt.Sprint(hook) {
		t.Fatalf("GET %v, want %v", got, hook)
	}

	// PATCH changes only what it is given; a PATCH that changes nothing keeps updated_at.
	patched := c.expect(http.StatusOK, "PATCH", "/v2/webhooks/"+id, object{"description": "renamed", "event_filters": []string{}})
	if patched["url"] != url || patched["description"] != "renamed" || patched["enabled"] != false ||
		len(patched["event_filters"].([]any)) != 0 || patched["updated_at"] == hook["updated_at"] || patched["created_at"] != hook["created_at"] {
		t.Fatalf("patched %v", patched)
	}
	if again := c.expect(http.StatusOK, "PATCH", "/v2/webhooks/"+id, object{"description": "renamed"}); again["updated_at"] != patched["updated_at"] {
		t.Fatalf("a PATCH without change moved updated_at: %v", again)
	}

	secret := str(c.expect(http.StatusOK, "GET", "/v2/webhooks/"+id+"/secret/", nil)["key"])
	if key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_")); err != nil || len(key) != 24 || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	if r := c.expect(http.StatusOK, "POST", "/v2/webhooks/"+id+"/secret/rotate/", nil); len(r) != 0 {
		t.Fatalf("rotate returned %v", r)
	}
	if again := str(c.expect(http.StatusOK, "GET", "/v2/webhooks/"+id+"/secret/", nil)["key"]); again == secret || !webhookSecret.MatchString(again) {
		t.Fatalf("secret after rotation %q (before %q)", again, secret)
	}
	long := "whsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64))
	c.expect(http.StatusOK, "POST", "/v2/webhooks/"+id+"/secret/rotate/", object{"key": long})
	if got := c.expect(http.StatusOK, "GET", "/v2/webhooks/"+id+"/secret/", nil)["key"]; got != long {
		t.Fatalf("custom secret %v", got)
	}
	for name, key := range map[string]any{
		"no prefix":  "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"not base64": "whsec_not*base64*at*all*not*base64*at*all",
		"23 bytes":   "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)),
		"65 bytes":   "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)),
		"not string": 42,
		"null":       nil,
	} {
		t.Run("rotate "+name, func(t *testing.T) {
			checkError(t, c.do("POST", "/v2/webhooks/"+id+"/secret/rotate/", object{"key": key}), http.StatusBadRequest, "validation_error")
		})
	}
	checkError(t, c.do("POST", "/v2/webhooks/"+id+"/secret/rotate/", `[1]`), http.StatusBadRequest, "bad_request")

	for _, tc := range []struct {
		name    string
		body    any
		errType string
	}{
		{"no url", object{"description": "x"}, "validation_error"},
		{"relative url", object{"url": "/hooks"}, "validation_error"},
		{"ftp url", object{"url": "ftp://example.com/x"}, "validation_error"},
		{"url not a string", object{"url": 1}, "validation_error"},
		{"null description", object{"url": url, "description": nil}, "validation_error"},
		{"filters not an array", object{"url": url, "event_filters": "v1.conversation.ended"}, "validation_error"},
		{"unknown event", object{"url": url, "event_filters": []string{"v1.proactive_call.queued"}}, "validation_error"},
		{"enabled not a boolean", object{"url": url, "enabled": "true"}, "validation_error"},
		{"no body", nil, "bad_request"},
		{"not an object", `"x"`, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, c.do("POST", "/v2/webhooks/", tc.body), http.StatusBadRequest, tc.errType)
			if tc.name != "no url" && tc.body != nil { // a PATCH needs no url
				checkError(t, c.do("PATCH", "/v2/webhooks/"+id, tc.body), http.StatusBadRequest, tc.errType)
			}
		})
	}

	// Pagination in creation order; a deleted record's cursor still works.
	var ids []string
	for i := range 4 {
		ids = append(ids, str(c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": fmt.Sprint(url, "/", i), "enabled": false})["id"]))
	}
	page := c.expect(http.StatusOK, "GET", "/v2/webhooks/?limit=2", nil)
	next := str(page["meta"].(object)["next_page_url"])
	if len(page["data"].([]any)) != 2 || page["data"].([]any)[0].(object)["id"] != id || !strings.Contains(next, "cursor="+ids[1]) {
		t.Fatalf("first page %v", page)
	}
	r := c.do("DELETE", "/v2/webhooks/"+ids[1], nil)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("DELETE: %d %q", r.status, r.body)
	}
	page = c.expect(http.StatusOK, "GET", next, nil)
	if data := page["data"].([]any); len(data) != 2 || data[0].(object)["id"] != ids[2] || data[1].(object)["id"] != ids[3] {
		t.Fatalf("page after the deleted cursor %v", page)
	}
	if page["meta"].(object)["next_page_url"] != nil {
		t.Fatalf("last page has a next page: %v", page["meta"])
	}
	for _, tc := range []struct{ method, path string }{{"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"GET", "/secret/"}, {"POST", "/secret/rotate/"}} {
		var body any
		if tc.method == "PATCH" {
			body = object{}
		}
		checkError(t, c.do(tc.method, "/v2/webhooks/"+ids[1]+tc.path, body), http.StatusNotFound, "not_found")
	}
	checkError(t, c.do("GET", "/v2/webhooks/event-types", nil), http.StatusNotFound, "not_found") // not a webhook id
}

// Webhook ids, secrets and message ids are deterministic with a seed, and come from their own
// generator: Options.Webhooks change no answer of the API.
func TestWebhookDeterminism(t *testing.T) {
	rc := newReceiver(t, nil)
	run := func(seed int64, hooks []adasim.WebhookEndpoint) (answers []string, deliveries []string) {
		c := newSim(t, adasim.Options{Seed: seed, Deterministic: true, Webhooks: hooks})
		before := len(rc.all())
		for _, r := range []response{
			c.do("POST", "/v2/end-users/", object{"external_id": "x"}),
			c.do("POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID()}),
			c.do("POST", "/v2/webhooks/", object{"url": "http://127.0.0.1:9/x", "enabled": false}),
			c.do("GET", "/v2/webhooks/", nil),
		} {
			answers = append(answers, string(r.body))
		}
		if len(hooks) > 0 {
			for _, r := range rc.wait(before + 4)[before:] { // end_user.created twice, conversation.created, the greeting
				// ai_agent_domain is the simulator's host, another port each run.
				host := strings.TrimSuffix(strings.TrimPrefix(c.base, "http://"), "/api")
				deliveries = append(deliveries, r.id()+" "+strings.ReplaceAll(string(r.body), host, "HOST"))
			}
		}
		return answers, deliveries
	}
	hooks := []adasim.WebhookEndpoint{{URL: rc.URL}}
	a1, d1 := run(1, hooks)
	a2, d2 := run(1, hooks)
	if !slices.Equal(a1, a2) || !slices.Equal(d1, d2) {
		t.Fatalf("same seed, different answers or deliveries:\n%q\n%q\n%q\n%q", a1, a2, d1, d2)
	}
	plain, _ := run(1, nil)
	if !slices.Equal(a1[:2], plain[:2]) {
		t.Fatalf("Options.Webhooks changed the API's answers:\n%q\n%q", a1[:2], plain[:2])
	}
	if a3, _ := run(2, hooks); a3[2] == a1[2] {
		t.Fatalf("seeds 1 and 2 gave the same webhook: %s", a3[2])
	}
}

func TestWebhookDelivery(t *testing.T) {
	all, ended := newReceiver(t, nil), newReceiver(t, nil)
	var log eventLog
	c := newSim(t, adasim.Options{Seed: 9, Deterministic: true, OnEvent: log.add,
		Webhooks: []adasim.WebhookEndpoint{{URL: all.URL, Secret: svixExampleSecret, Description: "everything"}}})
	hook := c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": ended.URL, "event_filters": []string{adasim.EventConversationEnded}})
	endedSecret := str(c.expect(http.StatusOK, "GET", "/v2/webhooks/"+str(hook["id"])+"/secret/", nil)["key"])
	c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": "http://127.0.0.1:9/off", "enabled": false})
	list := c.expect(http.StatusOK, "GET", "/v2/webhooks/", nil)["data"].([]any)
	if opt := list[0].(object); opt["url"] != all.URL || opt["description"] != "everything" || opt["enabled"] != true {
		t.Fatalf("Options.Webhooks endpoint %v", opt)
	}
	if got := c.expect(http.StatusOK, "GET", "/v2/webhooks/"+str(list[0].(object)["id"])+"/secret/", nil)["key"]; got != svixExampleSecret {
		t.Fatalf("Options.Webhooks secret %v", got)
	}

	chat(c)
	got := all.wait(7)
	events := log.take()
	if delivered := eventTypes(t, got); delivered != chatTypes || delivered != types(events) {
		t.Fatalf("delivered %q, OnEvent got %q, want %q", delivered, types(events), chatTypes)
	}
	seen := map[string]bool{}
	for i, r := range got {
		if err := verify(svixExampleSecret, r.header, r.body, time.Now()); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		if !messageID.MatchString(r.id()) || seen[r.id()] {
			t.Fatalf("svix-id %q (seen before: %v)", r.id(), seen[r.id()])
		}
		seen[r.id()] = true
		if ct, ua := r.header.Get("Content-Type"), r.header.Get("User-Agent"); ct != "application/json" || !strings.HasPrefix(ua, "Svix-Webhooks/") {
			t.Fatalf("Content-Type %q, User-Agent %q", ct, ua)
		}
		// The body is the envelope of the event OnEvent received, timestamp in milliseconds UTC.
		env := r.envelope(t)
		keys, tags := 3, wantTags(events[i])
		if tags != "" {
			keys++
		}
		if len(env) != keys || !envelopeTimestamp.MatchString(str(env["timestamp"])) {
			t.Fatalf("envelope %s", r.body)
		}
		if got, _ := json.Marshal(env["tags"]); tags != "" && string(got) != tags {
			t.Fatalf("%s tags %s, want %s", events[i].Type, got, tags)
		}
		if want := events[i].Timestamp.UTC().Format("2006-01-02T15:04:05.000"); env["timestamp"] != want { // no zone, as Ada
			t.Fatalf("timestamp %v, want %s", env["timestamp"], want)
		}
		wantData, _ := json.Marshal(events[i].Data)
		if gotData, _ := json.Marshal(env["data"]); !jsonEqual(t, gotData, wantData) {
			t.Fatalf("data %s, want %s", gotData, wantData)
		}
	}
	// The logical clock says 2026-01-01, but svix-timestamp is real time (verify checked it
	// against time.Now) and the envelope the event's time.
	if !strings.HasPrefix(str(got[0].envelope(t)["timestamp"]), "2026-01-01T00:00:") {
		t.Fatalf("envelope timestamp %v", got[0].envelope(t)["timestamp"])
	}

	// The filtered endpoint gets the one event it wants, as the same Svix message.
	only := ended.wait(1)
	if eventTypes(t, only) != adasim.EventConversationEnded || only[0].id() != got[5].id() || !bytes.Equal(only[0].body, got[5].body) {
		t.Fatalf("filtered endpoint got %s %s", only[0].id(), only[0].body)
	}
	if err := verify(endedSecret, only[0].header, only[0].body, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := verify(svixExampleSecret, only[0].header, only[0].body, time.Now()); err == nil {
		t.Fatal("another endpoint's secret verifies")
	}
	waitStat(t, c.sim, all.URL, adasim.WebhookStat{Delivered: 7})
	waitStat(t, c.sim, ended.URL, adasim.WebhookStat{Delivered: 1})
	waitStat(t, c.sim, "http://127.0.0.1:9/off", adasim.WebhookStat{})
	if n := len(ended.all()); n != 1 {
		t.Fatalf("filtered endpoint got %d requests", n)
	}
}

// wantTags is the tags an event's envelope carries, as JSON ("": no tags key). Ada's end-user
// payloads are tagged with the end user's id by default (EndUserCreatedWebhookPayload.tags,
// "Includes the `end_user_id` value for the webhook payload by default"); its conversation
// payloads declare no tags.
func wantTags(e adasim.Event) string {
	if e.Type != adasim.EventEndUserCreated && e.Type != adasim.EventEndUserUpdated {
		return ""
	}
	data, _ := json.Marshal(e.Data)
	var u struct {
		EndUserID string `json:"end_user_id"`
	}
	_ = json.Unmarshal(data, &u)
	tags, _ := json.Marshal([]string{u.EndUserID})
	return string(tags)
}

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// Delivery never blocks a request, and each endpoint gets the events in the order they were
// emitted, even from concurrent requests.
func TestWebhookDeliveryIsAsynchronousAndOrdered(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n == 0 {
			select { // the first delivery hangs until the requests below are done
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		return http.StatusOK
	})
	var log eventLog
	c := newSim(t, adasim.Options{Seed: 4, OnEvent: log.add, Webhooks: []adasim.WebhookEndpoint{{URL: rc.URL}}})
	c.createEndUser(object{})
	rc.wait(1) // in flight, hanging

	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			g := &client{t: goroutineTB{t}, base: c.base, key: c.key, sim: c.sim}
			for range 3 {
				chat(g)
			}
		})
	}
	wg.Wait()
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("requests took %v while a delivery hung", elapsed)
	}
	if len(rc.all()) != 1 {
		t.Fatalf("%d deliveries overtook the hanging one", len(rc.all())-1)
	}
	close(release)
	events := log.take()
	got := rc.wait(len(events))
	for i, r := range got {
		want, _ := json.Marshal(events[i].Data)
		if gotData, _ := json.Marshal(r.envelope(t)["data"]); str(r.envelope(t)["type"]) != events[i].Type || !jsonEqual(t, gotData, want) {
			t.Fatalf("delivery %d is %s %s, emitted %s %s", i, r.envelope(t)["type"], gotData, events[i].Type, want)
		}
	}
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: len(events)})
}

// A failed attempt (non-2xx, transport error, timeout) is retried on the schedule with the
// same svix-id and body, then dropped; the queue goes on meanwhile: a message after one that
// failed is not held up by its retries (Svix does not guarantee the order).
func TestWebhookRetries(t *testing.T) {
	// Attempts 0-1 fail (first message, then delivered), 3-5 fail (second message: dropped).
	rc := newReceiver(t, func(n int, r *http.Request) int {
		switch n {
		case 0, 1:
			return http.StatusInternalServerError
		case 3, 4, 5:
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	schedule := []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}
	c := newSim(t, adasim.Options{WebhookRetrySchedule: schedule, Webhooks: []adasim.WebhookEndpoint{{URL: rc.URL}}})
	c.createEndUser(object{"external_id": "first"})
	got := rc.wait(3)
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: 1, Failed: 2})
	for i := 1; i < 3; i++ {
		if got[i].id() != got[0].id() || !bytes.Equal(got[i].body, got[0].body) {
			t.Fatalf("retry %d differs: %s %s / %s %s", i, got[i].id(), got[i].body, got[0].id(), got[0].body)
		}
		if gap := got[i].at.Sub(got[i-1].at); gap < schedule[i-1] {
			t.Fatalf("retry %d after %v, want at least %v", i, gap, schedule[i-1])
		}
	}

	// Every attempt at "second" fails (3: dropped); "third", emitted after it, arrives
	// before second's first retry.
	var rc2 *receiver
	rc2 = newReceiver(t, func(n int, r *http.Request) int {
		if bytes.Contains(rc2.all()[n].body, []byte(`"second"`)) {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	backoff := []time.Duration{200 * time.Millisecond, 40 * time.Millisecond}
	c5 := newSim(t, adasim.Options{WebhookRetrySchedule: backoff, Webhooks: []adasim.WebhookEndpoint{{URL: rc2.URL}}})
	c5.createEndUser(object{"external_id": "second"})
	c5.createEndUser(object{"external_id": "third"})
	got = rc2.wait(4)
	waitStat(t, c5.sim, rc2.URL, adasim.WebhookStat{Delivered: 1, Failed: 3, Dropped: 1})
	ext := func(r received) any { return r.envelope(t)["data"].(map[string]any)["external_id"] }
	if ext(got[0]) != "second" || ext(got[1]) != "third" || ext(got[2]) != "second" || ext(got[3]) != "second" ||
		got[2].id() != got[0].id() || got[3].id() != got[0].id() {
		t.Fatalf("order: %v %v %v %v", ext(got[0]), ext(got[1]), ext(got[2]), ext(got[3]))
	}

	// A transport error counts as a failed attempt; with no retry, the message is dropped.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/gone"
	dead.Close()
	c2 := newSim(t, adasim.Options{WebhookRetrySchedule: []time.Duration{}, Webhooks: []adasim.WebhookEndpoint{{URL: deadURL}}})
	c2.createEndUser(object{})
	waitStat(t, c2.sim, deadURL, adasim.WebhookStat{Failed: 1, Dropped: 1})

	// Redirects are not followed (as Svix): a 3xx is a failed attempt.
	var mu sync.Mutex
	followed := 0
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			mu.Lock()
			followed++
			mu.Unlock()
			return
		}
		http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	c4 := newSim(t, adasim.Options{WebhookRetrySchedule: []time.Duration{}, Webhooks: []adasim.WebhookEndpoint{{URL: redirecting.URL + "/hooks"}}})
	c4.createEndUser(object{})
	waitStat(t, c4.sim, redirecting.URL+"/hooks", adasim.WebhookStat{Failed: 1, Dropped: 1})
	mu.Lock()
	if followed != 0 {
		t.Fatalf("a redirect was followed %d times", followed)
	}
	mu.Unlock()

	// Options.WebhookClient sends; its timeout fails a slow answer.
	slow := newReceiver(t, func(n int, r *http.Request) int {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return http.StatusOK
	})
	c3 := newSim(t, adasim.Options{WebhookRetrySchedule: []time.Duration{}, WebhookClient: &http.Client{Timeout: 50 * time.Millisecond},
		Webhooks: []adasim.WebhookEndpoint{{URL: slow.URL}}})
	c3.createEndUser(object{})
	waitStat(t, c3.sim, slow.URL, adasim.WebhookStat{Failed: 1, Dropped: 1})
}

// WebhookDuplicateEvery delivers every Nth message of an endpoint twice, with the same svix-id.
func TestWebhookDuplicates(t *testing.T) {
	rc := newReceiver(t, nil)
	c := newSim(t, adasim.Options{WebhookDuplicateEvery: 2, Webhooks: []adasim.WebhookEndpoint{{URL: rc.URL}}})
	for i := range 5 {
		c.createEndUser(object{"external_id": fmt.Sprint("u", i)})
	}
	got := rc.wait(7)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.id())
	}
	want := []string{ids[0], ids[1], ids[1], ids[3], ids[4], ids[4], ids[6]}
	if !slices.Equal(ids, want) || len(slices.Compact(slices.Clone(ids))) != 5 {
		t.Fatalf("svix-ids %v: want the 2nd and 4th messages twice in a row", ids)
	}
	if !bytes.Equal(got[1].body, got[2].body) {
		t.Fatal("a duplicate has another body")
	}
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: 5, Duplicates: 2})
}

// Filters and the enabled flag decide at emission; disabling drops what is queued; a deleted
// endpoint gets nothing more.
func TestWebhookFiltersAndDisabling(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n == 0 {
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		return http.StatusOK
	})
	c := newSim(t, adasim.Options{})
	hook := "/v2/webhooks/" + str(c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": rc.URL,
		"event_filters": []string{adasim.EventEndUserCreated}})["id"])
	c.startConversation("") // end_user.created only
	rc.wait(1)              // hanging
	for range 3 {
		c.createEndUser(object{})
	}
	c.expect(http.StatusOK, "PATCH", hook, object{"enabled": false}) // the 3 queued are dropped
	close(release)
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: 1, Dropped: 3})
	c.createEndUser(object{}) // disabled: not even queued

	c.expect(http.StatusOK, "PATCH", hook, object{"enabled": true, "event_filters": []string{adasim.EventConversationCreated}})
	c.createEndUser(object{})
	c.startConversation("")
	got := rc.wait(2)
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: 2, Dropped: 3})
	if eventTypes(t, got[1:]) != adasim.EventConversationCreated {
		t.Fatalf("after re-enabling: %s", eventTypes(t, got[1:]))
	}
	if r := c.do("DELETE", hook, nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE: %d", r.status)
	}
	c.startConversation("")
	time.Sleep(50 * time.Millisecond) // a delivery would take less
	if n := len(rc.all()); n != 2 {
		t.Fatalf("a deleted endpoint got %d requests, want 2", n)
	}
	if len(c.sim.WebhookStats()) != 0 {
		t.Fatalf("stats of a deleted endpoint: %+v", c.sim.WebhookStats())
	}
}

// After a rotation, deliveries are signed with the new and the old secret for the overlap,
// new first; then with the new one only.
func TestWebhookSecretRotation(t *testing.T) {
	rc := newReceiver(t, nil)
	const overlap = 500 * time.Millisecond
	c := newSim(t, adasim.Options{WebhookRotationOverlap: overlap, Webhooks: []adasim.WebhookEndpoint{{URL: rc.URL, Secret: svixExampleSecret}}})
	id := c.sim.WebhookStats()[0].ID
	secretPath := "/v2/webhooks/" + id + "/secret/"
	sigs := func(r received) []string { return strings.Fields(r.header.Get("svix-signature")) }
	only := func(secret string, r received) bool {
		h := r.header.Clone()
		h.Set("svix-signature", sigs(r)[0])
		return verify(secret, h, r.body, time.Now()) == nil
	}

	c.createEndUser(object{})
	if r := rc.wait(1)[0]; len(sigs(r)) != 1 || !only(svixExampleSecret, r) {
		t.Fatalf("before rotation: %q", sigs(r))
	}
	rotated := time.Now()
	c.expect(http.StatusOK, "POST", secretPath+"rotate/", nil)
	second := str(c.expect(http.StatusOK, "GET", secretPath, nil)["key"])
	c.createEndUser(object{})
	r := rc.wait(2)[1]
	if time.Since(rotated) >= overlap {
		t.Skip("the machine is too slow for a 500 ms overlap")
	}
	if s := sigs(r); len(s) != 2 || !only(second, r) {
		t.Fatalf("during the overlap: %q", s)
	}
	old := r.header.Clone()
	old.Set("svix-signature", sigs(r)[1])
	if err := verify(svixExampleSecret, old, r.body, time.Now()); err != nil {
		t.Fatalf("the second signature is not the old secret's: %v", err)
	}

	time.Sleep(time.Until(rotated.Add(overlap + 50*time.Millisecond)))
	c.createEndUser(object{})
	if r := rc.wait(3)[2]; len(sigs(r)) != 1 || !only(second, r) {
		t.Fatalf("after the overlap: %q", sigs(r))
	}
}

// Reset brings the endpoints back to Options.Webhooks (same ids and secrets); a load keeps them.
func TestWebhookResetAndLoad(t *testing.T) {
	rc := newReceiver(t, nil)
	c := newSim(t, adasim.Options{Seed: 8, Deterministic: true, Webhooks: []adasim.WebhookEndpoint{{URL: rc.URL, EventFilters: []string{adasim.EventEndUserCreated}}}})
	first := c.expect(http.StatusOK, "GET", "/v2/webhooks/", nil)["data"].([]any)[0].(object)
	secretPath := "/v2/webhooks/" + str(first["id"]) + "/secret/"
	secret := c.expect(http.StatusOK, "GET", secretPath, nil)["key"]
	c.expect(http.StatusOK, "POST", secretPath+"rotate/", nil)
	c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": "http://127.0.0.1:9/added", "enabled": false})

	if err := c.sim.LoadState(adasim.State{}); err != nil {
		t.Fatal(err)
	}
	if n := len(c.expect(http.StatusOK, "GET", "/v2/webhooks/", nil)["data"].([]any)); n != 2 {
		t.Fatalf("%d webhooks after a load, want 2", n)
	}
	c.createEndUser(object{})
	rc.wait(1)
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: 1})

	c.expect(http.StatusOK, "POST", c.sandboxURL("/_sandbox/reset"), nil)
	list := c.expect(http.StatusOK, "GET", "/v2/webhooks/", nil)["data"].([]any)
	if len(list) != 1 || fmt.Sprint(list[0]) != fmt.Sprint(first) {
		t.Fatalf("after reset %v, want [%v]", list, first)
	}
	if got := c.expect(http.StatusOK, "GET", secretPath, nil)["key"]; got != secret {
		t.Fatalf("secret after reset %v, want %v", got, secret)
	}
	if st := c.sim.WebhookStats(); len(st) != 1 || st[0] != (adasim.WebhookStat{ID: str(first["id"]), URL: rc.URL}) {
		t.Fatalf("stats after reset %+v", st)
	}
	c.createEndUser(object{})
	rc.wait(2)
	waitStat(t, c.sim, rc.URL, adasim.WebhookStat{Delivered: 1})
}

// Close stops delivery at once, an attempt in flight included, and returns only once every
// delivery goroutine has ended; afterwards nothing is delivered but OnEvent still runs.
func TestWebhookClose(t *testing.T) {
	cancelled := make(chan struct{})
	var once sync.Once
	rc := newReceiver(t, func(n int, r *http.Request) int {
		select {
		case <-r.Context().Done():
			once.Do(func() { close(cancelled) })
		case <-time.After(10 * time.Second):
		}
		return http.StatusOK
	})
	var log eventLog
	c := newSim(t, adasim.Options{OnEvent: log.add, Webhooks: []adasim.WebhookEndpoint{{URL: rc.URL}, {URL: "http://127.0.0.1:9/never"}}})
	for range 3 {
		c.createEndUser(object{}) // the first hangs, the others wait behind it; the second endpoint retries
	}
	rc.wait(1)

	closed := make(chan struct{})
	go func() {
		c.sim.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5 s")
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the attempt in flight was not cancelled")
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "adasim.(*delivery)") {
		t.Fatalf("a delivery goroutine outlived Close:\n%s", stacks)
	}

	log.take()
	c.createEndUser(object{})
	if len(log.take()) != 1 {
		t.Fatal("OnEvent not called after Close")
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(rc.all()); n != 1 {
		t.Fatalf("%d deliveries after Close, want the 1 in flight before", n)
	}
	c.sim.Close() // again: fine
}

func TestWebhookOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		hook adasim.WebhookEndpoint
		want string
	}{
		{adasim.WebhookEndpoint{URL: "127.0.0.1:8080/x"}, "Options.Webhooks[0].URL"},
		{adasim.WebhookEndpoint{URL: "http://127.0.0.1/x", Secret: "whsec_c2hvcnQ="}, "Options.Webhooks[0].Secret"},
		{adasim.WebhookEndpoint{URL: "http://127.0.0.1/x", EventFilters: []string{"v1.nope"}}, "Options.Webhooks[0].EventFilters"},
	} {
		_, err := adasim.Open(adasim.Options{APIKey: testKey, Webhooks: []adasim.WebhookEndpoint{tc.hook}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open with %+v: %v, want an error naming %s", tc.hook, err, tc.want)
		}
	}
}
