package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

// startHTTP runs `ada-mcp args...` in process on 127.0.0.1:0 with JSON
// logs at debug level and returns its address; it stops at cleanup.
func startHTTP(t *testing.T, env map[string]string, args ...string) (string, *testlog.Buffer) {
	t.Helper()
	logs := &testlog.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	args = append([]string{"--transport", "http", "--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug"}, args...)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, nil, io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the server did not stop")
		}
	})
	for range 3000 {
		if recs := logs.Records("listening"); len(recs) > 0 {
			return recs[0]["addr"].(string), logs
		}
		select {
		case code := <-done:
			t.Fatalf("exited %d:\n%s", code, logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no listening line:\n%s", logs)
	return "", nil
}

func connectHTTP(t *testing.T, addr, token string) *testclient.Session {
	t.Helper()
	hc := http.DefaultClient
	if token != "" {
		hc = &http.Client{Transport: bearer{token}}
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).
		Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: "http://" + addr + "/mcp", HTTPClient: hc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return testclient.Wrap(t, cs)
}

// countRequests counts the Ada requests the server's client logged.
func countRequests(logs *testlog.Buffer, method, pathSuffix string) int {
	n := 0
	for _, r := range logs.Records("ada request") {
		if r["method"] == method && strings.HasSuffix(r["path"].(string), pathSuffix) {
			n++
		}
	}
	return n
}

// Over Streamable HTTP the sandbox delivers its own Svix-signed webhooks
// to the server's receiver: the AI Agent's answer comes back in the same
// call with no Ada request beyond the send.
func TestSandboxOverHTTPRepliesByWebhook(t *testing.T) {
	addr, logs := startHTTP(t, nil, "--sandbox", "--sandbox-reply-delay", "200ms")
	s := connectHTTP(t, addr, "")
	conv := s.OK("start_conversation", map[string]any{"external_id": "wh-1"})
	cid := conv["conversation_id"].(string)
	time.Sleep(300 * time.Millisecond) // the greeting shows, as a user would see it first
	before := countRequests(logs, http.MethodGet, "/messages/")
	res := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "where is my order?", "wait_for_reply_seconds": 10})
	replies, _ := res["replies"].([]any)
	if len(replies) != 1 || !strings.Contains(replies[0].(map[string]any)["body"].(string), "where is my order?") {
		t.Fatalf("%v", res)
	}
	if n := countRequests(logs, http.MethodGet, "/messages/") - before; n != 0 {
		t.Fatalf("%d message-list reads during the wait, want none:\n%s", n, logs)
	}
	if len(logs.Records("webhook kept")) == 0 || len(logs.Records("webhook rejected")) != 0 {
		t.Fatalf("the sandbox's webhooks did not reach the receiver:\n%s", logs)
	}
}

// Over stdio the sandbox's events feed the event log directly: a wait
// never reads the message list.
func TestStdioSandboxWaitsWithoutPolling(t *testing.T) {
	var logs testlog.Buffer
	s, stop := serveStdioInProcess(t, nil, &logs, "--sandbox", "--sandbox-reply-delay", "200ms", "--log-format", "json", "--log-level", "debug")
	defer stop()
	conv := s.OK("start_conversation", map[string]any{"external_id": "stdio-1"})
	cid := conv["conversation_id"].(string)
	time.Sleep(300 * time.Millisecond) // the greeting shows first
	before := countRequests(&logs, http.MethodGet, "/messages/")
	res := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "where is my order?", "wait_for_reply_seconds": 10})
	if replies, _ := res["replies"].([]any); len(replies) != 1 {
		t.Fatalf("%v", res)
	}
	if n := countRequests(&logs, http.MethodGet, "/messages/") - before; n != 0 {
		t.Fatalf("%d message-list reads during the wait, want none", n)
	}
}

// The receiver is not behind the MCP bearer token (Ada's signature
// authenticates a delivery), and --webhook-addr serves it apart too.
func TestWebhookPathNeedsNoBearerToken(t *testing.T) {
	const tok = "bearer_token_for_webhook_test_0123"
	wl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	extra := wl.Addr().String()
	wl.Close()
	addr, _ := startHTTP(t, map[string]string{"ADA_MCP_AUTH_TOKEN": tok}, "--sandbox", "--webhook-addr", extra)
	for _, base := range []string{"http://" + addr, "http://" + extra} {
		var resp *http.Response
		for range 300 { // the extra listener starts beside the main one
			resp, err = http.Post(base+"/webhooks/ada", "application/json", strings.NewReader(`{}`))
			if err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// Not 401: the receiver answered, refusing the unsigned delivery.
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %d, want the receiver's 400 for a delivery without svix headers", base, resp.StatusCode)
		}
	}
	resp, err := http.Post("http://"+addr+"/mcp", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/mcp without the token: %d", resp.StatusCode)
	}
	if r, err := http.Post("http://"+extra+"/mcp", "application/json", strings.NewReader(`{}`)); err == nil {
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound {
			t.Fatalf("the webhook listener serves /mcp: %d", r.StatusCode)
		}
	}
}

// rotate_webhook_secret of this server's own webhook (the sandbox's
// delivery endpoint, signed with the file's secret) writes the new secret
// to --webhook-secret-file and into the receiver, so replies keep arriving
// by webhook; another webhook's rotation leaves both alone.
func TestRotateOwnWebhookSecretOnly(t *testing.T) {
	file, logs, s := secretFileServer(t)
	own := ownWebhook(t, s)
	other := s.OK("create_webhook", map[string]any{"url": "https://other.example.com/hooks"})["webhook"].(map[string]any)["webhook_id"].(string)

	res := s.OK("rotate_webhook_secret", map[string]any{"webhook_id": other})
	if res["secret_written_to"] != nil || !strings.Contains(res["note"].(string), "not this server's own") {
		t.Fatalf("rotating another webhook: %v", res)
	}
	if kept := readSecret(t, file); kept != firstSecret {
		t.Fatalf("another webhook's rotation rewrote the file: %q", kept)
	}

	res = s.OK("rotate_webhook_secret", map[string]any{"webhook_id": own})
	if !strings.Contains(fmt.Sprint(res["secret_written_to"]), file) {
		t.Fatalf("rotating this server's webhook: %v", res)
	}
	rotated := readSecret(t, file)
	if rotated == firstSecret || !strings.HasPrefix(rotated, "whsec_") {
		t.Fatalf("the file holds %q after the rotation", rotated)
	}
	// Deliveries now signed with the new secret are still accepted.
	cid := s.OK("start_conversation", map[string]any{"external_id": "rot-1"})["conversation_id"].(string)
	rejectedBefore := len(logs.Records("webhook rejected"))
	if replies, _ := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "hi", "wait_for_reply_seconds": 10})["replies"].([]any); len(replies) == 0 {
		t.Fatal("no reply after the rotation")
	}
	if n := len(logs.Records("webhook rejected")) - rejectedBefore; n != 0 {
		t.Fatalf("%d deliveries rejected after the rotation:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), rotated) {
		t.Fatal("the new secret is in the logs")
	}
}

func readSecret(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// A rotation of this server's own webhook whose new secret could not be
// stored leaves Ada with a secret the server does not hold; the retry the
// error asks for still takes the webhook for its own and stores it.
func TestRotateOwnWebhookSecretRetryAfterStoreFailure(t *testing.T) {
	file, logs, s := secretFileServer(t)
	own := ownWebhook(t, s)
	// The file cannot be written: a directory stands in its place.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(file, 0o700); err != nil {
		t.Fatal(err)
	}
	if msg := s.Err("rotate_webhook_secret", map[string]any{"webhook_id": own}); !strings.Contains(msg, "was rotated at Ada") {
		t.Fatalf("the failed store: %s", msg)
	}
	if err := os.Remove(file); err != nil { // the cause fixed
		t.Fatal(err)
	}
	res := s.OK("rotate_webhook_secret", map[string]any{"webhook_id": own})
	if !strings.Contains(fmt.Sprint(res["secret_written_to"]), file) {
		t.Fatalf("the retry: %v", res)
	}
	if rotated := readSecret(t, file); rotated == firstSecret || strings.Contains(logs.String(), rotated) {
		t.Fatal("the retry's secret is not in the file, or it is in the logs")
	}
}

// ownWebhook is the sandbox's delivery webhook, this server's own.
// firstSecret is the webhook secret secretFileServer starts with.
const firstSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// secretFileServer serves the sandbox over HTTP with its webhook secret in
// a file (holding firstSecret), and connects to it.
func secretFileServer(t *testing.T) (file string, logs *testlog.Buffer, s *testclient.Session) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "webhook-secret")
	if err := os.WriteFile(file, []byte(firstSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, logs := startHTTP(t, nil, "--sandbox", "--toolsets", "conversations,webhooks", "--webhook-secret-file", file)
	return file, logs, connectHTTP(t, addr, "")
}

func ownWebhook(t *testing.T, s *testclient.Session) string {
	t.Helper()
	hooks, _ := s.OK("list_webhooks", map[string]any{})["webhooks"].([]any)
	for _, h := range hooks {
		if h := h.(map[string]any); strings.HasSuffix(h["url"].(string), "/webhooks/ada") {
			return h["webhook_id"].(string)
		}
	}
	t.Fatalf("the sandbox's delivery webhook is not listed: %v", hooks)
	return ""
}
