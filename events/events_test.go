package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	svix "github.com/svix/svix-webhooks/go"
	"golang.org/x/time/rate"

	"github.com/ada-mcp/ada-mcp/redact"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// sign is Svix's scheme written out from its documentation, apart from
// the library the receiver uses: v1,base64(HMAC-SHA256(key, id.ts.body)).
func sign(t testing.TB, secret, id string, ts int64, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.%s", id, ts, body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Svix's published example: our signer and the library agree with it.
func TestSvixPublishedVector(t *testing.T) {
	const (
		id   = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		ts   = 1614265330
		want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	body := []byte(`{"test": 2432232314}`)
	if got := sign(t, secret, id, ts, body); got != want {
		t.Fatalf("our signer: %s, want %s", got, want)
	}
	wh, err := svix.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Svix-Id": {id}, "Svix-Timestamp": {strconv.Itoa(ts)}, "Svix-Signature": {want}}
	if err := wh.VerifyIgnoringTimestamp(body, h); err != nil {
		t.Fatalf("the library rejects the published vector: %v", err)
	}
	// The library's timestamp check refuses the vector today: it is years old.
	if err := wh.Verify(body, h); err == nil {
		t.Fatal("a five-year-old timestamp was accepted")
	}
}

type delivery struct {
	id      string
	ts      int64
	sig     string // "" signs with secret
	body    string
	headers map[string]string
}

func post(t *testing.T, r http.Handler, d delivery) *httptest.ResponseRecorder {
	t.Helper()
	if d.ts == 0 {
		d.ts = time.Now().Unix()
	}
	if d.sig == "" {
		d.sig = sign(t, secret, d.id, d.ts, []byte(d.body))
	}
	req := httptest.NewRequest(http.MethodPost, "/webhooks/ada", strings.NewReader(d.body))
	req.Header.Set("svix-id", d.id)
	req.Header.Set("svix-timestamp", strconv.FormatInt(d.ts, 10))
	req.Header.Set("svix-signature", d.sig)
	for k, v := range d.headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func message(conv, msg, role, body string, at time.Time) string {
	b, _ := json.Marshal(map[string]any{"type": TypeConversationMessage, "timestamp": at.Format(time.RFC3339Nano),
		"data": map[string]any{"message_id": msg, "conversation_id": conv, "end_user_id": "u1", "created_at": at.Format(time.RFC3339Nano),
			"author": map[string]any{"id": nil, "role": role, "avatar": nil, "display_name": "AI"}, "content": map[string]any{"type": "text", "body": body}}})
	return string(b)
}

func newReceiver(t *testing.T, log Log, logs *bytes.Buffer) *Receiver {
	t.Helper()
	var h slogBuffer
	if logs != nil {
		h.b = logs
	}
	r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: log, Logger: h.logger(), Redactor: redact.New()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReceiverKeepsAVerifiedDelivery(t *testing.T) {
	log := NewMemory(Limits{})
	r := newReceiver(t, log, nil)
	at := time.Now().UTC().Truncate(time.Millisecond)
	w := post(t, r, delivery{id: "msg_1", body: message("c1", "m1", "ai_agent", "Your order ships today", at)})
	if w.Code != http.StatusNoContent {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	evs, cur, err := log.Next(ctxT(t), ConversationKey("c1"), "")
	if err != nil || len(evs) != 1 || cur == "" {
		t.Fatalf("%v %v %q", evs, err, cur)
	}
	m, err := evs[0].Message()
	if err != nil || m.Content.Body != "Your order ships today" || m.Author.Role != "ai_agent" || !evs[0].At.Equal(at) || evs[0].ID != "msg_1" {
		t.Fatalf("%+v %+v %v", evs[0], m, err)
	}
}

func TestReceiverRefuses(t *testing.T) {
	now := time.Now().Unix()
	body := message("c1", "m1", "ai_agent", "hi", time.Now())
	var logs bytes.Buffer
	r := newReceiver(t, NewMemory(Limits{}), &logs)
	for name, tc := range map[string]struct {
		d    delivery
		want int
	}{
		"wrong secret":        {delivery{id: "a", body: body, sig: sign(t, "whsec_"+base64.StdEncoding.EncodeToString([]byte("another-secret-entirely!")), "a", now, []byte(body))}, 401},
		"tampered body":       {delivery{id: "b", body: body, sig: sign(t, secret, "b", now, []byte(strings.Replace(body, "hi", "ho", 1)))}, 401},
		"signed other id":     {delivery{id: "c", body: body, sig: sign(t, secret, "other", now, []byte(body))}, 401},
		"old timestamp":       {delivery{id: "d", body: body, ts: now - 301}, 400},
		"future timestamp":    {delivery{id: "e", body: body, ts: now + 301}, 400},
		"no signature":        {delivery{id: "f", body: body, sig: "", headers: map[string]string{"svix-signature": ""}}, 400},
		"not v1":              {delivery{id: "g", body: body, sig: "v2," + strings.TrimPrefix(sign(t, secret, "g", now, []byte(body)), "v1,")}, 401},
		"not a webhook":       {delivery{id: "h", body: `{"hello": "world"}`}, 400},
		"message without ids": {delivery{id: "i", body: `{"type": "v1.conversation.message", "timestamp": "2026-01-01T00:00:00Z", "data": {}}`}, 400},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.d.headers != nil {
				// Sign, then blank the header, so the request has none.
				w := postRaw(t, r, tc.d)
				if w.Code != tc.want {
					t.Fatalf("%d, want %d", w.Code, tc.want)
				}
				return
			}
			w := post(t, r, tc.d)
			if w.Code != tc.want {
				t.Fatalf("%d, want %d: %s", w.Code, tc.want, w.Body)
			}
			// The body is the server's error shape: a code and a message.
			var body struct{ Error, Message string }
			if json.Unmarshal(w.Body.Bytes(), &body) != nil || body.Error == "" || body.Message == "" {
				t.Fatalf("body %s", w.Body)
			}
		})
	}
	if got := r.Stats().Rejected.Load(); got != 9 {
		t.Errorf("rejected %d", got)
	}
	// Each refusal is logged with why, never with the secret.
	if strings.Contains(logs.String(), strings.TrimPrefix(secret, "whsec_")) || !strings.Contains(logs.String(), "more than 5 minutes") {
		t.Errorf("logs:\n%s", logs.String())
	}
	// The right method and size.
	req := httptest.NewRequest(http.MethodGet, "/webhooks/ada", nil)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", w.Code)
	}
	big := `{"type":"v1.conversation.message","data":{"x":"` + strings.Repeat("a", DefaultMaxBody) + `"}}`
	if w := post(t, r, delivery{id: "big", body: big}); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d", w.Code)
	}
}

func postRaw(t *testing.T, r http.Handler, d delivery) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/ada", strings.NewReader(d.body))
	req.Header.Set("svix-id", d.id)
	req.Header.Set("svix-timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// During a secret rotation Svix signs with the old and the new secret;
// the receiver knows one of them.
func TestSeveralSignatures(t *testing.T) {
	r := newReceiver(t, NewMemory(Limits{}), nil)
	body := message("c1", "m1", "ai_agent", "hi", time.Now())
	now := time.Now().Unix()
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte("the-rotated-out-secret!!"))
	sigs := sign(t, other, "r1", now, []byte(body)) + " " + sign(t, secret, "r1", now, []byte(body))
	if w := post(t, r, delivery{id: "r1", ts: now, body: body, sig: sigs}); w.Code != http.StatusNoContent {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestDuplicatesAreKeptOnce(t *testing.T) {
	log := NewMemory(Limits{})
	r := newReceiver(t, log, nil)
	body := message("c1", "m1", "ai_agent", "hi", time.Now())
	for range 3 {
		if w := post(t, r, delivery{id: "msg_dup", body: body}); w.Code != http.StatusNoContent {
			t.Fatalf("%d", w.Code)
		}
	}
	evs, _, _ := log.Next(ctxT(t), ConversationKey("c1"), "")
	if len(evs) != 1 || r.Stats().Duplicates.Load() != 2 || r.Stats().Accepted.Load() != 1 {
		t.Fatalf("%d events, stats %+v", len(evs), r.Stats())
	}
}

func TestUnkeptTypesAreAcknowledged(t *testing.T) {
	r := newReceiver(t, NewMemory(Limits{}), nil)
	body := `{"type": "v1.audit_log.emitted", "timestamp": "2026-01-01T00:00:00Z", "data": {"id": "x"}}`
	if w := post(t, r, delivery{id: "au1", body: body}); w.Code != http.StatusNoContent || r.Stats().Ignored.Load() != 1 {
		t.Fatalf("%d", w.Code)
	}
}

// What a webhook carries is redacted before it is kept.
func TestPayloadsAreRedactedBeforeTheyAreKept(t *testing.T) {
	log := NewMemory(Limits{})
	r := newReceiver(t, log, nil)
	body := `{"type": "v1.end_user.updated", "timestamp": "2026-01-01T00:00:00Z", "data": {"end_user_id": "u9",
		"profile": {"metadata": {"session_token": "canary-session-77", "plan": "pro"}}, "sensitive_metadata": {"pin": "canary-pin-31"},
		"note": "card 4242 4242 4242 4242"}}`
	if w := post(t, r, delivery{id: "eu1", body: body}); w.Code != http.StatusNoContent {
		t.Fatalf("%d", w.Code)
	}
	evs, _, _ := log.Next(ctxT(t), EndUserKey("u9"), "")
	if len(evs) != 1 {
		t.Fatal(evs)
	}
	got := string(evs[0].Data)
	for _, canary := range []string{"canary-session-77", "canary-pin-31", "4242 4242 4242 4242"} {
		if strings.Contains(got, canary) {
			t.Errorf("kept %s: %s", canary, got)
		}
	}
	if !strings.Contains(got, `"plan":"pro"`) {
		t.Errorf("redaction removed too much: %s", got)
	}
}

func TestMemoryWaitsAndBounds(t *testing.T) {
	m := NewMemory(Limits{PerKey: 3, Keys: 2})
	ctx := ctxT(t)
	start, _ := m.End(ctx, "k")
	got := make(chan []Event, 1)
	go func() {
		evs, _, err := m.Next(ctx, ConversationKey("a"), start)
		if err != nil {
			t.Error(err)
		}
		got <- evs
	}()
	// The waiter is blocked: nothing yet.
	select {
	case evs := <-got:
		t.Fatalf("woke with nothing appended: %v", evs)
	case <-time.After(20 * time.Millisecond):
	}
	appendN(t, m, "a", 1)
	select {
	case evs := <-got:
		if len(evs) != 1 {
			t.Fatal(evs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter was not woken")
	}
	// PerKey keeps the newest 3.
	appendN(t, m, "a", 5)
	evs, _, _ := m.Next(ctx, ConversationKey("a"), "")
	if len(evs) != 3 || evs[2].ID != "a-5" {
		t.Fatalf("%v", eventIDs(evs))
	}
	// Keys: a third key evicts the least recently appended.
	appendN(t, m, "b", 1)
	appendN(t, m, "c", 1)
	if _, ok := m.keys[ConversationKey("a")]; ok {
		t.Fatal("key a was not evicted")
	}
	// A canceled wait returns.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := m.Next(cctx, ConversationKey("zzz"), ""); err != context.Canceled {
		t.Fatalf("err %v", err)
	}
}

func TestMemoryMaxAge(t *testing.T) {
	m := NewMemory(Limits{MaxAge: time.Minute})
	now := time.Now()
	m.now = func() time.Time { return now }
	appendN(t, m, "a", 2)
	now = now.Add(2 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if evs, _, err := m.Next(ctx, ConversationKey("a"), ""); err == nil {
		t.Fatalf("expired events returned: %v", eventIDs(evs))
	}
}

func TestMemoryConcurrentAppendAndWait(t *testing.T) {
	m := NewMemory(Limits{})
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cur := Cursor("")
			seen := 0
			for seen < 50 {
				evs, next, err := m.Next(ctx, ConversationKey(fmt.Sprint(w%2)), cur)
				if err != nil {
					t.Error(err)
					return
				}
				seen += len(evs)
				cur = next
			}
		}()
	}
	for i := range 50 {
		for k := range 2 {
			if _, err := m.Append(ctx, Event{ID: fmt.Sprintf("%d-%d", k, i), Type: TypeConversationMessage, ConversationID: fmt.Sprint(k)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
}

func appendN(t *testing.T, m *Memory, conv string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if _, err := m.Append(context.Background(), Event{ID: fmt.Sprintf("%s-%d", conv, i), Type: TypeConversationMessage, ConversationID: conv}); err != nil {
			t.Fatal(err)
		}
	}
}

func eventIDs(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A rotation adds a secret: deliveries signed with the new one are kept,
// and those signed with the old still are during Svix's overlap.
func TestAddSecret(t *testing.T) {
	r := newReceiver(t, NewMemory(Limits{}), nil)
	rotated := "whsec_" + base64.StdEncoding.EncodeToString([]byte("the-new-rotated-secret!!"))
	body := message("c1", "m1", "ai_agent", "hi", time.Now())
	now := time.Now().Unix()
	if w := post(t, r, delivery{id: "n1", ts: now, body: body, sig: sign(t, rotated, "n1", now, []byte(body))}); w.Code != http.StatusUnauthorized {
		t.Fatalf("before AddSecret: %d", w.Code)
	}
	if err := r.AddSecret(rotated); err != nil {
		t.Fatal(err)
	}
	if w := post(t, r, delivery{id: "n2", ts: now, body: body, sig: sign(t, rotated, "n2", now, []byte(body))}); w.Code != http.StatusNoContent {
		t.Fatalf("after AddSecret: %d", w.Code)
	}
	if w := post(t, r, delivery{id: "n3", body: body}); w.Code != http.StatusNoContent {
		t.Fatalf("the old secret: %d", w.Code)
	}
	if err := r.AddSecret("not-a-secret"); err == nil {
		t.Fatal("a malformed secret was added")
	}
}

func TestMemoryRecent(t *testing.T) {
	m := NewMemory(Limits{PerKey: 2})
	if evs, err := m.Recent(ctxT(t), ConversationKey("a")); err != nil || len(evs) != 0 {
		t.Fatal(evs, err)
	}
	appendN(t, m, "a", 3)
	evs, err := m.Recent(ctxT(t), ConversationKey("a"))
	if err != nil || len(evs) != 2 || evs[0].ID != "a-2" || evs[1].ID != "a-3" {
		t.Fatal(eventIDs(evs), err)
	}
}

// Ada's webhook envelopes carry their timestamp without a zone
// ("2024-01-17T22:23:35.835", ada-api.md): such a delivery is kept, at
// that instant in UTC. Read as RFC 3339 only, every one was refused 400.
func TestZonelessTimestampIsUTC(t *testing.T) {
	body := []byte(`{"type":"v1.conversation.message","timestamp":"2024-01-17T22:23:35.835","data":{"conversation_id":"c1","message_id":"m1"}}`)
	ev, err := Parse("msg_1", body, nil)
	if err != nil || ev == nil {
		t.Fatalf("a zoneless timestamp: %v", err)
	}
	if want := time.Date(2024, 1, 17, 22, 23, 35, 835000000, time.UTC); !ev.At.Equal(want) {
		t.Fatalf("At = %v, want %v", ev.At, want)
	}
}

// A delivery signed with a secret rotated elsewhere is accepted once
// MoreSecrets tells it; forged deliveries ask MoreSecrets at most once per
// refreshEvery, however many come.
func TestMoreSecrets(t *testing.T) {
	rotated := "whsec_" + base64.StdEncoding.EncodeToString([]byte("rotated-on-another-host!"))
	var asked atomic.Int64
	var shared atomic.Value
	shared.Store([]string{})
	r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: NewMemory(Limits{}), Redactor: redact.New(),
		MoreSecrets: func(context.Context) ([]string, error) {
			asked.Add(1)
			return shared.Load().([]string), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	body := message("c1", "m1", "ai_agent", "hi", time.Now())
	now := time.Now().Unix()
	for i := range 20 {
		id := "forged" + strconv.Itoa(i)
		if w := post(t, r, delivery{id: id, ts: now, body: body, sig: sign(t, rotated, id, now, []byte(body))}); w.Code != http.StatusUnauthorized {
			t.Fatalf("before the rotation is shared: %d", w.Code)
		}
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("MoreSecrets asked %d times for 20 failed deliveries within %s", n, refreshEvery)
	}
	shared.Store([]string{rotated})
	r.lastRefresh.Store(0) // as if refreshEvery had passed
	if w := post(t, r, delivery{id: "n1", ts: now, body: body, sig: sign(t, rotated, "n1", now, []byte(body))}); w.Code != http.StatusNoContent {
		t.Fatalf("once shared: %d", w.Code)
	}
	if !r.Knows(rotated) || !r.Knows(secret) {
		t.Fatal("the receiver does not keep both secrets")
	}
}

func testSecret(name string) string {
	return "whsec_" + base64.StdEncoding.EncodeToString([]byte(name+"-rotated-elsewhere-0123"))
}

// postSigned posts a delivery signed with sec alone and returns the status.
func postSigned(t *testing.T, r *Receiver, id, sec string) int {
	t.Helper()
	body := message("c1", id, "ai_agent", "hi", time.Now())
	now := time.Now().Unix()
	return post(t, r, delivery{id: id, ts: now, body: body, sig: sign(t, sec, id, now, []byte(body))}).Code
}

// Secrets rotated elsewhere are learned oldest first, so that the newest
// (the one Svix signs with) is kept when more come than the receiver keeps.
func TestMoreSecretsKeepsTheNewest(t *testing.T) {
	s1, s2, s3 := testSecret("s1"), testSecret("s2"), testSecret("s3")
	r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: NewMemory(Limits{}),
		MoreSecrets: func(context.Context) ([]string, error) { return []string{s3, s3, s2, s1}, nil }}) // newest first
	if err != nil {
		t.Fatal(err)
	}
	if code := postSigned(t, r, "n1", s3); code != http.StatusNoContent {
		t.Fatalf("signed with the newest secret: %d", code)
	}
	if !r.Knows(s2) || r.Knows(s1) || !r.Knows(secret) {
		t.Fatalf("kept s1 %v s2 %v configured %v; want the configured secret and the two newest", r.Knows(s1), r.Knows(s2), r.Knows(secret))
	}
}

// When Redis fails, the secret file's secret (which MoreSecrets still
// returns with its error) is learned all the same; and a failed refresh
// leaves the next delivery free to try again at once.
func TestMoreSecretsFailure(t *testing.T) {
	fromFile, fromRedis := testSecret("file"), testSecret("redis")
	var redisDown atomic.Bool
	redisDown.Store(true)
	r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: NewMemory(Limits{}),
		MoreSecrets: func(context.Context) ([]string, error) {
			if redisDown.Load() {
				return []string{fromFile}, errors.New("redis: connection refused")
			}
			return []string{fromFile, fromRedis}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if code := postSigned(t, r, "n1", fromFile); code != http.StatusNoContent {
		t.Fatalf("signed with the file's secret while Redis fails: %d", code)
	}
	if code := postSigned(t, r, "n2", fromRedis); code != http.StatusUnauthorized {
		t.Fatalf("signed with a secret nobody told: %d", code)
	}
	redisDown.Store(false)
	// Redis back: learned at the first delivery after refreshRetry, not
	// refreshEvery (Svix retries a refused delivery).
	setRefreshRetry(t, 20*time.Millisecond)
	for i := 0; ; i++ {
		code := postSigned(t, r, fmt.Sprintf("n3-%d", i), fromRedis)
		if code == http.StatusNoContent {
			break
		}
		if i == 100 {
			t.Fatalf("Redis back, after a failed refresh: still %d", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func setRefreshRetry(t *testing.T, d time.Duration) {
	old := refreshRetry
	refreshRetry = d
	t.Cleanup(func() { refreshRetry = old })
}

// While Redis is down, forged deliveries do not make the receiver try it
// back to back: a failed refresh waits refreshRetry before the next.
func TestMoreSecretsFailureBacksOff(t *testing.T) {
	setRefreshRetry(t, time.Hour)
	var asked atomic.Int32
	r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: NewMemory(Limits{}),
		MoreSecrets: func(context.Context) ([]string, error) {
			asked.Add(1)
			return nil, errors.New("redis: connection refused")
		}})
	if err != nil {
		t.Fatal(err)
	}
	forged := testSecret("forged")
	for i := range 10 {
		if code := postSigned(t, r, fmt.Sprintf("f%d", i), forged); code != http.StatusUnauthorized {
			t.Fatalf("forged delivery %d: %d", i, code)
		}
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("Redis asked %d times for 10 forged deliveries while down, want 1", n)
	}
}

// The refresh outlives the delivery's request (a client that hangs up
// does not cancel it) but is bounded on its own.
func TestMoreSecretsContext(t *testing.T) {
	rotated := testSecret("ctx")
	r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: NewMemory(Limits{}),
		MoreSecrets: func(ctx context.Context) ([]string, error) {
			if _, ok := ctx.Deadline(); !ok {
				return nil, errors.New("no deadline of its own")
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return []string{rotated}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if !r.refresh(gone) || !r.Knows(rotated) {
		t.Fatal("a refresh for a request that went away learned nothing")
	}
}

// Forged deliveries cannot flood the logs: the endpoint answers anyone
// who reaches it, so "webhook rejected" lines are bounded, and the next
// line says how many it stands for.
func TestRejectionLogIsBounded(t *testing.T) {
	var logs bytes.Buffer
	r := newReceiver(t, NewMemory(Limits{}), &logs)
	body := message("c1", "m1", "ai_agent", "hi", time.Now())
	forged := func(i int) {
		id := fmt.Sprintf("forged-%d", i)
		wrong := "whsec_" + base64.StdEncoding.EncodeToString([]byte("another-secret-entirely!"))
		if w := post(t, r, delivery{id: id, body: body, sig: sign(t, wrong, id, time.Now().Unix(), []byte(body))}); w.Code != http.StatusUnauthorized {
			t.Fatalf("%d", w.Code)
		}
	}
	for i := range 100 {
		forged(i)
	}
	if got := r.Stats().Rejected.Load(); got != 100 {
		t.Fatalf("rejected %d, want every one counted", got)
	}
	if n := strings.Count(logs.String(), "webhook rejected"); n < 1 || n > rejectLogBurst+2 {
		t.Fatalf("%d lines for 100 rejections", n)
	}
	r.rejectLog = rate.NewLimiter(rate.Inf, 1) // the second has passed
	forged(100)
	if !regexp.MustCompile(`also_rejected_unlogged=\d+\n$`).MatchString(logs.String()) {
		t.Fatalf("the next line does not say how many were left out:\n%s", logs.String())
	}
}
