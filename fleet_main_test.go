package main

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/redistest"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// assembleOn assembles a server of the AI Agent at baseURL on Redis, over
// HTTP with a webhook secret (so it keeps rotated secrets).
func assembleOn(t *testing.T, redisURL, baseURL string) *assembled {
	t.Helper()
	return assembleWith(t, map[string]string{"ADA_API_KEY": "fleet_main_key_0123456789abcdef", "ADA_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		"--transport", "http", "--redis-url", redisURL, "--base-url", baseURL)
}

// assembleWith assembles the server that env and args configure, closed
// when the test ends.
func assembleWith(t *testing.T, env map[string]string, args ...string) *assembled {
	t.Helper()
	cfg, err := load(t, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	a, err := assemble(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close(nil) })
	return a
}

// Deployments of two AI Agents sharing a Redis keep their rotated webhook
// secrets, and which webhooks are their own, apart; replicas of one AI
// Agent share them however they spell its URL.
func TestRotatedSecretsArePerAIAgent(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	acme := assembleOn(t, srv.URL, "http://127.0.0.1:1/api")
	acme2 := assembleOn(t, srv.URL, "http://127.0.0.1:1/api/")
	other := assembleOn(t, srv.URL, "http://127.0.0.1:2/api")
	const rotated = "whsec_cm90YXRlZC1mb3ItYWNtZS0wMTIzNDU2Nzg5"
	if err := acme.secrets.Add(ctx, rotated); err != nil {
		t.Fatal(err)
	}
	if got, err := other.otherSecrets(ctx); err != nil || slices.Contains(got, rotated) {
		t.Fatalf("another AI Agent's server learns acme's secret: %v", err)
	}
	if got, err := acme2.otherSecrets(ctx); err != nil || !slices.Contains(got, rotated) {
		t.Fatalf("acme's other replica does not learn it: %v", err)
	}

	// Once one replica found the webhook its own, the others know it, even
	// when its secret is no longer one they hold (a rotation not stored).
	if own, err := (&secretStore{a: acme}).Holds(ctx, "wh_1", rotated); err != nil || !own {
		t.Fatalf("acme's webhook: %v %v", own, err)
	}
	if own, err := (&secretStore{a: acme2}).Holds(ctx, "wh_1", "whsec_bm90LWhlbGQtYW55d2hlcmUtMDEyMzQ1Njc4"); err != nil || !own {
		t.Fatalf("acme's other replica: %v %v", own, err)
	}
	if own, err := (&secretStore{a: other}).Holds(ctx, "wh_1", "whsec_bm90LWhlbGQtYW55d2hlcmUtMDEyMzQ1Njc4"); err != nil || own {
		t.Fatalf("another AI Agent's server: %v %v", own, err)
	}
	// Redis gone: whose webhook it is cannot be told.
	other.redis.Close()
	if _, err := (&secretStore{a: other}).Holds(ctx, "wh_2", "whsec_bm90LWhlbGQtYW55d2hlcmUtMDEyMzQ1Njc4"); err == nil {
		t.Fatal("no error without Redis")
	}
}

// Over stdio a server with --redis-url is still one process talking to one
// client: it asks an older client to confirm deletions, as without Redis.
func TestStdioWithRedisIsNotReplicated(t *testing.T) {
	srv := redistest.Start(t)
	a := assembleWith(t, nil, "--sandbox", "--transport", "stdio", "--redis-url", srv.URL, "--toolsets", "webhooks")
	s := testclient.ConnectVersion(t, a.MCP, &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
		}}, "2025-11-25")
	if caps := s.OK("get_capabilities", map[string]any{}); caps["deletions"] != "ask_user" {
		t.Fatalf("get_capabilities deletions %v over stdio with Redis, want ask_user", caps["deletions"])
	}
}

// Over HTTP with --redis-url, the replicas redeem a deletion confirmation
// once between them (main wires fleet.Claims into the tools): an acceptance
// one replica carried out, replayed to another, is asked about anew.
func TestReplicasRedeemAConfirmationOnce(t *testing.T) {
	srv := redistest.Start(t)
	const key = "fleet_main_key_0123456789abcdef"
	sim := adasim.New(adasim.Options{APIKey: key})
	t.Cleanup(sim.Close)
	ada := httptest.NewServer(sim)
	t.Cleanup(ada.Close)
	env := map[string]string{"ADA_API_KEY": key, "ADA_MCP_AUTH_TOKEN": "fleet_main_token_0123456789abcdef"}
	args := []string{"--transport", "http", "--redis-url", srv.URL, "--base-url", ada.URL + "/api", "--toolsets", "webhooks", "--rate-limits", "off"}
	a, b := testclient.Modern(t, assembleWith(t, env, args...).MCP, true), testclient.Modern(t, assembleWith(t, env, args...).MCP, true)

	created := a("create_webhook", map[string]any{"url": "https://hooks.example.com/fleet"}, nil, "")
	id, _ := created["structuredContent"].(map[string]any)["webhook"].(map[string]any)["webhook_id"].(string)
	if id == "" {
		t.Fatalf("create_webhook: %v", created)
	}
	del := map[string]any{"webhook_id": id}
	state, _ := a("delete_webhook", del, nil, "")["requestState"].(string)
	if state == "" {
		t.Fatal("replica a did not ask to confirm")
	}
	accept := map[string]any{"confirm_deletion": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
	if r := a("delete_webhook", del, accept, state); r["isError"] == true || r["resultType"] == "input_required" {
		t.Fatalf("replica a, confirmed: %v", r)
	}
	if r := b("delete_webhook", del, accept, state); r["resultType"] != "input_required" {
		t.Fatalf("replica b took an acceptance replica a redeemed: %v", r)
	}
}
