package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// tenantSim is one tenant's Ada: a simulator on its own loopback port with
// its own key.
type tenantSim struct {
	key, baseURL, channel string
}

func newTenantSim(t *testing.T, key string, seed int64) tenantSim {
	t.Helper()
	sim := adasim.New(adasim.Options{APIKey: key, Seed: seed}) // distinct seeds: distinct ids
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return tenantSim{key: key, baseURL: srv.URL + "/api", channel: sim.DefaultChannelID()}
}

func (ts tenantSim) headers() headers {
	return headers{"Authorization": "Bearer " + token, "X-Ada-Api-Key": ts.key, "X-Ada-Base-URL": ts.baseURL}
}

// Two tenants on one server, each with its own Ada: each sees only its
// own data, the server's own token still applies, and no key is logged.
func TestMultiTenantIsolation(t *testing.T) {
	skipOnWindows(t)
	acme := newTenantSim(t, "acme_live_key_4c1f9e7a2b5d8e30", 1)
	globex := newTenantSim(t, "globex_live_key_8d2a6f1c3e9b7a45", 2)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token, "ADA_MCP_MULTI_TENANT=true"},
		"--transport", "http", "--log-level", "debug", "--tenant-base-urls", acme.baseURL+","+globex.baseURL)

	a := srv.connect(t, "http", "", acme.headers())
	g := srv.connect(t, "http", "2025-11-25", globex.headers()) // the older era too
	aUser, aConv, aMsgs := endUserFlow(t, a, "shared-ext-1", "Wile", "acme question", map[string]any{"channel_id": acme.channel})
	gUser, gConv, gMsgs := endUserFlow(t, g, "shared-ext-1", "Hank", "globex question", map[string]any{"channel_id": globex.channel})

	if aUser == gUser || aConv == gConv {
		t.Fatal("two tenants share an id")
	}
	for _, m := range aMsgs {
		if strings.Contains(m["body"].(string), "globex") || strings.Contains(m["body"].(string), "Hank") {
			t.Fatalf("acme sees globex's message %v", m)
		}
	}
	for _, m := range gMsgs {
		if strings.Contains(m["body"].(string), "acme") || strings.Contains(m["body"].(string), "Wile") {
			t.Fatalf("globex sees acme's message %v", m)
		}
	}
	// The same external id names a different end user in each tenant, and
	// neither can reach the other's conversation.
	if got := a.OK("lookup_end_user", map[string]any{"external_id": "shared-ext-1"}); got["end_user"].(map[string]any)["end_user_id"] != aUser {
		t.Fatalf("acme lookup = %v", got)
	}
	if list := g.OK("list_end_users", map[string]any{}); len(list["end_users"].([]any)) != 1 {
		t.Fatalf("globex lists %v", list)
	}
	if msg := a.Err("get_conversation", map[string]any{"conversation_id": gConv}); !strings.Contains(strings.ToLower(msg), "not found") {
		t.Fatalf("acme reading globex's conversation: %s", msg)
	}

	// No tenant headers and no default key: tools say what to send.
	anon := srv.connect(t, "http", "", auth())
	if msg := anon.Err("list_channels", map[string]any{}); !strings.Contains(msg, "X-Ada-Api-Key") {
		t.Fatalf("without credentials: %s", msg)
	}
	// A base URL off the allowlist never reaches the network.
	evil := headers{"Authorization": "Bearer " + token, "X-Ada-Api-Key": acme.key, "X-Ada-Base-URL": "http://169.254.169.254/api"}
	if _, err := srv.dial("http", "", evil); err == nil {
		t.Fatal("connected with a base URL off the allowlist")
	}
	resp, body := srv.rawPost(t, "/mcp", `{}`, evil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not an allowed") || strings.Contains(body, acme.key) {
		t.Fatalf("off-allowlist base URL: %d %s", resp.StatusCode, body)
	}
	// The server's token still applies.
	if _, err := srv.dial("http", "", headers{"X-Ada-Api-Key": acme.key, "X-Ada-Base-URL": acme.baseURL}); err == nil {
		t.Fatal("a tenant connected without the server's token")
	}
	// Ready without a default key: the server serves.
	if resp, body := do(t, mustRequest(t, http.MethodGet, srv.url+"/readyz")); resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz = %d %s", resp.StatusCode, body)
	}

	logs := srv.logs.String()
	if !strings.Contains(logs, `"tool call"`) || !strings.Contains(logs, `"ada request"`) {
		t.Fatalf("expected debug logs of the calls:\n%s", logs)
	}
	for _, secret := range []string{acme.key, globex.key, token} {
		if strings.Contains(logs, secret) {
			t.Fatalf("a secret reached the logs: %s…", secret[:6])
		}
	}
}

// recordingAda is a simulator that keeps every request's headers and body.
type recordingAda struct {
	sim *adasim.Sim
	mu  sync.Mutex
	req []string // "header dump + body" per request
}

func (r *recordingAda) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var dump strings.Builder
	_ = req.Header.Write(&dump)
	r.mu.Lock()
	r.req = append(r.req, req.Method+" "+req.URL.String()+"\n"+dump.String()+"\n"+string(body))
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.sim.ServeHTTP(w, req)
}

// Our bearer token authenticates MCP clients to us; it is never Ada's and
// never travels to Ada, in single- or multi-tenant mode, and neither do the
// X-Ada-* headers that carry a tenant's credentials.
func TestTheMCPTokenNeverReachesAda(t *testing.T) {
	skipOnWindows(t)
	const adaKey = "ada_live_key_5e2b9c7d1f3a8e64"
	for _, multi := range []bool{false, true} {
		rec := &recordingAda{sim: adasim.New(adasim.Options{APIKey: adaKey})}
		t.Cleanup(rec.sim.Close)
		ada := httptest.NewServer(rec)
		t.Cleanup(ada.Close)
		env := []string{"ADA_MCP_AUTH_TOKEN=" + token}
		h := auth()
		if multi {
			env = append(env, "ADA_MCP_MULTI_TENANT=true", "ADA_MCP_TENANT_BASE_URLS="+ada.URL+"/api")
			h = headers{"Authorization": "Bearer " + token, "X-Ada-Api-Key": adaKey, "X-Ada-Base-URL": ada.URL + "/api"}
		} else {
			env = append(env, "ADA_API_KEY="+adaKey, "ADA_BASE_URL="+ada.URL+"/api")
		}
		srv := startHTTP(t, env, "--transport", "http")
		s := srv.connect(t, "http", "", h)
		endUserFlow(t, s, "token-check", "Ann", "hello", map[string]any{"channel_id": rec.sim.DefaultChannelID()})

		rec.mu.Lock()
		reqs := slices.Clone(rec.req)
		rec.mu.Unlock()
		if len(reqs) < 4 {
			t.Fatalf("multi-tenant %v: Ada saw only %d requests", multi, len(reqs))
		}
		for _, r := range reqs {
			if strings.Contains(r, token) || strings.Contains(strings.ToLower(r), "x-ada-") {
				t.Fatalf("multi-tenant %v: a request to Ada carries our token or a tenant header:\n%s", multi, r)
			}
			if !strings.Contains(r, "Authorization: Bearer "+adaKey+"\r\n") {
				t.Fatalf("multi-tenant %v: a request to Ada lacks Ada's key:\n%s", multi, r)
			}
		}
	}
}

// A subscription is the subscriber's tenant's: a tenant that subscribes to
// another's conversation URI hears nothing of it, whoever subscribed
// first, and the owner is told of its messages either way. (Watches were
// once per URI: the first subscriber's key polled for everyone.)
func TestMultiTenantSubscriptionsStayApart(t *testing.T) {
	skipOnWindows(t)
	acme := newTenantSim(t, "acme_live_key_4c1f9e7a2b5d8e30", 1)
	globex := newTenantSim(t, "globex_live_key_8d2a6f1c3e9b7a45", 2)
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token, "ADA_MCP_MULTI_TENANT=true"},
		"--transport", "http", "--tenant-base-urls", acme.baseURL+","+globex.baseURL)
	type notes struct {
		mu   sync.Mutex
		uris []string
	}
	session := func(ts tenantSim, n *notes) *testclient.Session {
		cs, err := srv.dialWith("http", "2025-11-25", ts.headers(), &mcp.ClientOptions{
			ResourceUpdatedHandler: func(_ context.Context, r *mcp.ResourceUpdatedNotificationRequest) {
				n.mu.Lock()
				defer n.mu.Unlock()
				n.uris = append(n.uris, r.Params.URI)
			}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		return testclient.Wrap(t, cs)
	}
	var acmeNotes, globexNotes notes
	a, g := session(acme, &acmeNotes), session(globex, &globexNotes)
	start := func() string {
		return a.OK("start_conversation", map[string]any{"external_id": "sub-" + fmt.Sprint(time.Now().UnixNano()), "channel_id": acme.channel})["conversation_id"].(string)
	}
	first, second := "ada://conversations/"+start(), "ada://conversations/"+start()
	subscribe := func(s *testclient.Session, uri string) {
		if err := s.Subscribe(context.Background(), &mcp.SubscribeParams{URI: uri}); err != nil {
			t.Fatal(err)
		}
	}
	subscribe(a, first) // the owner first
	subscribe(g, first)
	subscribe(g, second) // the other tenant first
	subscribe(a, second)
	heard := func(n *notes, uri string) bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		return slices.Contains(n.uris, uri)
	}
	// Polled every 5 s: send in both until the owner has heard of both.
	for i := 0; !heard(&acmeNotes, first) || !heard(&acmeNotes, second); i++ {
		if i == 60 {
			t.Fatalf("the owner was not told of its conversations' messages: %v", acmeNotes.uris)
		}
		for _, uri := range []string{first, second} {
			a.OK("send_message", map[string]any{"conversation_id": strings.TrimPrefix(uri, "ada://conversations/"), "body": fmt.Sprint("hello ", i)})
		}
		time.Sleep(250 * time.Millisecond)
	}
	globexNotes.mu.Lock()
	defer globexNotes.mu.Unlock()
	if len(globexNotes.uris) != 0 {
		t.Fatalf("the other tenant was told of acme's conversations: %v", globexNotes.uris)
	}
}

// A tenant's key is a secret like the server's own: when the tenant's Ada
// quotes it back bare in an error (not after "Bearer", which the value
// patterns catch), neither the tool's result, a resource read's error, the
// debug log nor the transcript repeats it.
func TestMultiTenantKeyEchoedByAdaIsHidden(t *testing.T) {
	skipOnWindows(t)
	const tenantKey = "acme_tenant_key_6b3e9d1f4a7c2e58"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[{"message":"key %s is not valid","details":{"key":%q}}]}`, key, key)
	}))
	t.Cleanup(echo.Close)
	transcript := filepath.Join(t.TempDir(), "calls.jsonl")
	srv := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token, "ADA_MCP_MULTI_TENANT=true"},
		"--transport", "http", "--log-level", "debug", "--transcript", transcript, "--tenant-base-urls", echo.URL+"/api")
	s := srv.connect(t, "http", "2025-11-25", headers{"Authorization": "Bearer " + token, "X-Ada-Api-Key": tenantKey, "X-Ada-Base-URL": echo.URL + "/api"})

	msg := s.Err("list_channels", map[string]any{})
	if !strings.Contains(msg, "is not valid") {
		t.Fatalf("Ada's error did not come back: %s", msg)
	}
	_, err := s.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: "ada://conversations/abc123"})
	if err == nil || !strings.Contains(err.Error(), "is not valid") {
		t.Fatalf("resource read: %v", err)
	}
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	written, rerr := os.ReadFile(transcript)
	if rerr != nil {
		t.Fatal(rerr)
	}
	for what, out := range map[string]string{"the result": msg, "the resource error": err.Error(), "the logs": srv.logs.String(), "the transcript": string(written)} {
		if strings.Contains(out, tenantKey) {
			t.Errorf("%s repeats the tenant's key:\n%s", what, out)
		}
	}
}
