package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/redistest"
)

const (
	fleetKey    = "fleet_ada_key_0123456789abcdef"
	fleetSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

// countingAda is the simulator with its requests counted per API group and
// timestamp, and its 429s counted.
type countingAda struct {
	sim      *adasim.Sim
	mu       sync.Mutex
	times    map[string][]time.Time // group → arrival times
	limited  atomic.Int64
	upstream http.Handler
}

func (c *countingAda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	group := "other"
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/v2/end-users"):
		group = "end_users"
	case strings.HasPrefix(r.URL.Path, "/api/v2/conversations"):
		group = "conversations"
	}
	c.mu.Lock()
	c.times[group] = append(c.times[group], time.Now())
	c.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w}
	c.upstream.ServeHTTP(rec, r)
	if rec.status == http.StatusTooManyRequests {
		c.limited.Add(1)
	}
}

// busiest is the most requests of a group within any window.
func (c *countingAda) busiest(group string, window time.Duration) int {
	c.mu.Lock()
	times := append([]time.Time(nil), c.times[group]...)
	c.mu.Unlock()
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	most := 0
	for i, start := range times {
		n := 0
		for _, at := range times[i:] {
			if at.Sub(start) < window {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// balancer is a small round-robin proxy: MCP requests go to the replicas
// in turn; webhooks go to one replica only, so the one that receives them
// is not the one waiting.
type balancer struct {
	mcp     []*httputil.ReverseProxy
	webhook *httputil.ReverseProxy
	next    atomic.Int64
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The body is read whole first. Otherwise the proxy's transport reads
	// it in a goroutine of its own while the server may discard or close it
	// once the answer starts, and a failed read there closes the replica
	// connection mid-answer: the likeliest cause of a CI failure seen once
	// ("read error during body copy: use of closed network connection").
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if r.URL.Path == "/webhooks/ada" {
		b.webhook.ServeHTTP(w, r)
		return
	}
	b.mcp[int(b.next.Add(1))%len(b.mcp)].ServeHTTP(w, r)
}

func proxyTo(t *testing.T, base string) *httputil.ReverseProxy {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.FlushInterval = -1 // stream SSE answers
	return p
}

type fleet struct {
	ada      *countingAda
	adaURL   string // the simulator's API base
	replicas []*httpServer
	front    string // the balancer's URL
}

// startFleet runs three replicas on one Redis behind the balancer, against
// the simulator (rate limits on, as Ada), which delivers its webhooks to
// the balancer.
func startFleet(t *testing.T, replyDelay time.Duration, extra ...string) *fleet {
	t.Helper()
	skipOnWindows(t)
	rds := redistest.Start(t)
	bal := &balancer{}
	front := httptest.NewServer(bal)
	t.Cleanup(front.Close)
	sim, err := adasim.Open(adasim.Options{APIKey: fleetKey, RateLimits: true, ReplyDelay: replyDelay,
		Webhooks: []adasim.WebhookEndpoint{{URL: front.URL + "/webhooks/ada", Secret: fleetSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	ada := &countingAda{sim: sim, times: map[string][]time.Time{}, upstream: sim}
	adaSrv := httptest.NewServer(ada)
	t.Cleanup(func() { adaSrv.Close(); sim.Close() })

	f := &fleet{ada: ada, adaURL: adaSrv.URL + "/api", front: front.URL}
	env := []string{"ADA_API_KEY=" + fleetKey, "ADA_BASE_URL=" + adaSrv.URL + "/api", "ADA_CHANNEL_ID=" + sim.DefaultChannelID(),
		"ADA_WEBHOOK_SECRET=" + fleetSecret, "ADA_MCP_REDIS_URL=" + rds.URL, "ADA_MCP_AUTH_TOKEN=" + token}
	for range 3 {
		f.replicas = append(f.replicas, startHTTP(t, env, append([]string{"--transport", "http", "--log-level", "debug"}, extra...)...))
	}
	bal.mcp = []*httputil.ReverseProxy{proxyTo(t, f.replicas[0].url), proxyTo(t, f.replicas[1].url)}
	bal.webhook = proxyTo(t, f.replicas[2].url)
	return f
}

func (f *fleet) connect(t *testing.T) *httpServer {
	return &httpServer{url: f.front, logs: &logs{}}
}

// count sums a log record over replicas.
func (f *fleet) count(msg string, match func(map[string]any) bool, replicas ...int) int {
	n := 0
	for _, i := range replicas {
		for _, rec := range f.replicas[i].logs.Records(msg) {
			if match == nil || match(rec) {
				n++
			}
		}
	}
	return n
}

func isListMessages(rec map[string]any) bool {
	return rec["method"] == "GET" && strings.HasSuffix(fmt.Sprint(rec["path"]), "/messages/")
}

// The webhook lands on replica 3 while replica 1 or 2 waits: the shared
// event log in Redis carries it across, and the wait ends without polling.
func TestFleetWaitSeesAWebhookAnotherReplicaReceived(t *testing.T) {
	f := startFleet(t, 300*time.Millisecond)
	s := f.connect(t).connect(t, "http", "", auth()) // 2026-07-28 stateless: any replica serves any request
	conv := s.OK("start_conversation", map[string]any{"external_id": "fleet-1"})
	cid := conv["conversation_id"].(string)
	for range 200 { // let the greeting show first, as a user would
		if len(s.OK("list_messages", map[string]any{"conversation_id": cid})["messages"].([]any)) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := f.count("ada request", isListMessages, 0, 1, 2)
	res := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "where is my order?", "wait_for_reply_seconds": 15})
	replies, _ := res["replies"].([]any)
	if len(replies) != 1 || !strings.Contains(fmt.Sprint(replies[0]), "where is my order?") {
		t.Fatalf("%v", res)
	}
	if n := f.count("ada request", isListMessages, 0, 1, 2) - before; n != 0 {
		t.Fatalf("%d message-list reads during the wait, want none: the shared log holds the conversation", n)
	}
	if got := f.count("webhook kept", nil, 2); got == 0 {
		t.Fatalf("replica 3 kept no webhook:\n%s", f.replicas[2].logs)
	}
	if got := f.count("webhook kept", nil, 0, 1); got != 0 {
		t.Fatalf("replicas 1 and 2 received %d webhooks; the balancer sends them to replica 3 only", got)
	}
	if f.count("no webhook event for the conversation within the grace period; polling instead", nil, 0, 1) != 0 {
		t.Fatal("the waiting replica fell back to polling")
	}
}

// 32 clients across the fleet call at once; the fleet-wide budget keeps
// what reaches Ada under its limit (counted at the simulator), where each
// replica's own budget would let three times its burst through.
func TestFleetStaysUnderAdasRateLimit(t *testing.T) {
	// Only the per-second windows, so the test takes seconds, not minutes.
	f := startFleet(t, 0, "--rate-limits", "end_users=30/s,conversations=30/s,other=10/s")
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Go(func() {
			cs, err := f.connect(t).dial("http", "", auth())
			if err != nil {
				errs <- err
				return
			}
			defer cs.Close()
			for j := range 3 {
				res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "upsert_end_user", Arguments: map[string]any{"external_id": fmt.Sprintf("rl-%d-%d", i, j)}})
				if err != nil || res.IsError {
					errs <- fmt.Errorf("client %d: %v %v", i, err, res)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.ada.limited.Load(); n != 0 {
		t.Fatalf("the simulator answered 429 %d times", n)
	}
	// Arrivals carry the scheduler's jitter (a request let through at the
	// end of one second can arrive among the next second's): windows 150 ms
	// short of a second absorb it, and a fleet that sent twice the budget
	// still fails. The simulator's own 429s above are Ada's verdict.
	if most := f.ada.busiest("end_users", time.Second-150*time.Millisecond); most > 30 {
		t.Fatalf("%d end-user requests reached Ada within 850 ms; its limit is 30 a second", most)
	}
}

// A rotation of the fleet's own webhook secret on one replica reaches the
// others through Redis: replica 3, which receives the webhooks, accepts a
// delivery signed with the new secret alone (once Svix stops signing with
// the old one too), and still refuses one signed with any other.
func TestFleetShareRotatedWebhookSecret(t *testing.T) {
	f := startFleet(t, 0, "--toolsets", "default,webhooks")
	s := f.connect(t).connect(t, "http", "", auth())
	var hook string
	for _, h := range s.OK("list_webhooks", map[string]any{})["webhooks"].([]any) {
		if h := h.(map[string]any); h["url"] == f.front+"/webhooks/ada" {
			hook = h["webhook_id"].(string)
		}
	}
	if hook == "" {
		t.Fatal("the fleet's webhook is not listed")
	}
	res := s.OK("rotate_webhook_secret", map[string]any{"webhook_id": hook})
	if !strings.Contains(fmt.Sprint(res["secret_written_to"]), "other replicas") {
		t.Fatalf("rotate_webhook_secret = %v", res)
	}
	c, err := adaclient.New(f.adaURL, fleetKey)
	if err != nil {
		t.Fatal(err)
	}
	sec, _, err := c.Webhooks.Secret(context.Background(), hook)
	if err != nil || sec.Key == fleetSecret {
		t.Fatalf("the new secret: %v", err)
	}
	deliver := func(secret, id string) int {
		t.Helper()
		body := []byte(`{"type":"v1.not.kept","timestamp":"2026-01-01T00:00:00","data":{}}`)
		wh, err := svix.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		sig, err := wh.Sign(id, now, body)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, f.replicas[2].url+"/webhooks/ada", bytes.NewReader(body))
		req.Header.Set("svix-id", id)
		req.Header.Set("svix-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("svix-signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := deliver(sec.Key, "msg_rotated_1"); code != http.StatusNoContent {
		t.Fatalf("a delivery signed with the new secret alone: %d\n%s", code, f.replicas[2].logs)
	}
	if code := deliver("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_forged_1"); code != http.StatusUnauthorized {
		t.Fatalf("a delivery signed with another secret: %d", code)
	}
	if strings.Contains(f.replicas[0].logs.String()+f.replicas[1].logs.String()+f.replicas[2].logs.String(), sec.Key) {
		t.Fatal("the new secret is in a replica's logs")
	}
}
