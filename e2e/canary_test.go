package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// canaryValues are the secrets the canary test plants. Each is unique, so
// any trace of one in the output is a leak; letters, digits and _ only (the
// webhook secret's base64 too), so no JSON, URL or log escaping can hide
// one from the search.
type canaryValues struct {
	apiKey  string // Ada's API key (ADA_API_KEY)
	token   string // our bearer token (ADA_MCP_AUTH_TOKEN)
	webhook string // Ada's webhook signing secret (ADA_WEBHOOK_SECRET or its file)
	// sensitive_metadata values, and a metadata value under a secret key.
	sensitive, session, number, metadata string
}

// No two share partLen characters, so a part names its canary.
var canary = canaryValues{
	apiKey:    "ada_live_Q7m2Xv9Lp4RtZk3",
	token:     "mcpauth_H3k8Wz5Nq1BdYe6",
	webhook:   "whsec_6FdAO7QkKtjxnQmHRMoXiOaaBqTEnnOv",
	sensitive: "svalue_P6j4Tc8Ys2Wm1",
	session:   "sssn_V5n7Gr3Kf9Jx2",
	number:    "9007199254740993", // above 2^53: only exact digits find it
	metadata:  "mpass_B2x9Lm4Qw7Ht5",
}

func (c canaryValues) named() map[string]string {
	return map[string]string{"API key": c.apiKey, "bearer token": c.token, "webhook secret": c.webhook,
		"sensitive_metadata value": c.sensitive, "sensitive_metadata session": c.session,
		"sensitive_metadata number": c.number, "secret-keyed metadata value": c.metadata}
}

// partLen is how much of a canary counts as a trace of it: a cut that
// keeps this many characters of a key has leaked it.
const partLen = 12

// leaks names each canary found in text, whole or in part (any partLen
// characters of it, for canaries long enough that a part is unique).
func leaks(secrets map[string]string, text string) []string {
	var out []string
	for name, v := range secrets {
		if strings.Contains(text, v) {
			out = append(out, "the "+name)
			continue
		}
		if _, err := strconv.ParseUint(v, 10, 64); err == nil || len(v) < 16 {
			continue // digits: a part may well be another number's
		}
		for i := 0; i+partLen <= len(v); i++ {
			if strings.Contains(text, v[i:i+partLen]) {
				out = append(out, fmt.Sprintf("part of the %s (%q)", name, v[i:i+partLen]))
				break
			}
		}
	}
	return out
}

// TestCanariesNeverLeak plants canaries (the Ada API key, the bearer
// token, webhook signing secrets, sensitive_metadata values, secret-keyed
// metadata) and drives every tool of every toolset and the resources
// through the built binary, with logs at debug: valid calls, bad
// arguments, unknown tools and URIs, and every call again against a
// hostile Ada that echoes each request (headers and body) into its
// errors; over Streamable HTTP, legacy SSE and stdio; with the gates
// closed; and through `ada-mcp tools`. No canary may appear in a result
// (text or structured), a JSON-RPC error, a log line, stdout, the
// transcript or the sandbox's state file. A tool none of the phases calls
// fails the test: add it to validCalls.
func TestCanariesNeverLeak(t *testing.T) {
	skipOnWindows(t)
	// Streamable HTTP meets every hostility with the client's backoff;
	// the other transports the same bodies retried at once (quickly).
	t.Run("Ada over HTTP, JSON logs", canaryAgainstAda("http", "json", false))
	t.Run("sandbox, text logs", canaryInSandbox)
	t.Run("Ada over legacy SSE, text logs", canaryAgainstAda("sse", "text", true))
	t.Run("Ada over stdio, JSON logs", canaryAgainstAda("stdio", "json", true))
	t.Run("gates closed over stdio", canaryGatesClosed("stdio", ""))
	t.Run("gates closed over HTTP 2025-11-25", canaryGatesClosed("http", "2025-11-25"))
	t.Run("ada-mcp tools", canaryToolsCommand)
}

// canaryAgainstAda runs the server over transport on the canary Ada (a
// simulator in this process that can turn hostile), with the webhook
// secret in the environment, the gates open. Over stdio the bearer token
// has no use, but a host's environment may hold it all the same: the
// server treats it as a secret on every transport.
func canaryAgainstAda(transport, logFormat string, quick bool) func(*testing.T) {
	return func(t *testing.T) {
		list := hostilities
		if quick {
			list = quickly()
		}
		ada := newCanaryAda(t, canary.apiKey, list)
		transcriptFile := filepath.Join(t.TempDir(), "calls.jsonl")
		srv := startCanary(t, transport, "", nil, ada.env("ADA_MCP_AUTH_TOKEN="+canary.token, "ADA_WEBHOOK_SECRET="+canary.webhook),
			"--toolsets", "all", "--allow-customer-messages", "--allow-destructive",
			"--log-level", "debug", "--log-format", logFormat, "--transcript", transcriptFile, "--rate-limits", "off")
		secrets := canary.named()
		saw := newSeen()

		calls := validCalls(t, srv.s, canary, hookSink(t), saw, ada.rotatedSecret(t, secrets))
		tools := everyTool(t, srv.s)
		badPhases(t, srv.s.ClientSession, tools, saw)
		if srv.url != "" {
			postWebhooks(t, srv.url, saw)
		}
		phases := append([]string{"valid", "bad"}, ada.hostilePhases(srv.s.ClientSession, calls, saw)...)

		srv.stop(t)
		transcript := readFile(t, transcriptFile)
		checkAudited(t, srv, transcript, 50)
		checkCanaries(t, secrets, saw, append(srv.output(), evidence{"transcript", transcript})...)
		checkEveryToolCalled(t, tools, saw, phases)
	}
}

// canaryInSandbox runs the server on its own sandbox, with the webhook
// secret in a file (which rotate_webhook_secret of another webhook must
// leave alone), text logs and a
// state file written at exit.
func canaryInSandbox(t *testing.T) {
	dir := t.TempDir()
	transcriptFile, stateFile, secretFile := filepath.Join(dir, "calls.jsonl"), filepath.Join(dir, "state.json"), filepath.Join(dir, "webhook-secret")
	if err := os.WriteFile(secretFile, []byte(canary.webhook+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startCanary(t, "http", "", nil, []string{"ADA_MCP_AUTH_TOKEN=" + canary.token},
		"--sandbox", "--sandbox-state-out", stateFile, "--webhook-secret-file", secretFile,
		"--toolsets", "all", "--allow-customer-messages", "--allow-destructive",
		"--log-level", "debug", "--log-format", "text", "--transcript", transcriptFile)
	secrets := canary.named()
	// The sandbox has a key of its own: here the canary key is only a
	// string the bad calls send, which the server may repeat.
	delete(secrets, "API key")
	saw := newSeen()

	validCalls(t, srv.s, canary, hookSink(t), saw, func(string) {
		// The webhook the calls made is not this server's own (its secret
		// is not the file's): its new secret must not replace the file's.
		if kept := strings.TrimSpace(readFile(t, secretFile)); kept != canary.webhook {
			t.Fatalf("rotate_webhook_secret of another webhook wrote %q over this server's secret file", kept)
		}
	})
	tools := everyTool(t, srv.s)
	badPhases(t, srv.s.ClientSession, tools, saw)
	postWebhooks(t, srv.url, saw)

	if err := srv.stop(t); err != nil {
		t.Errorf("ada-mcp exited with %v", err)
	}
	state, transcript := readFile(t, stateFile), readFile(t, transcriptFile)
	if !strings.Contains(state, "canary-user") {
		t.Fatalf("the state file misses the test's end users:\n%.400s", state)
	}
	checkAudited(t, srv, transcript, 50)
	checkCanaries(t, secrets, saw, append(srv.output(), evidence{"transcript", transcript}, evidence{"sandbox state file", state})...)
	checkEveryToolCalled(t, tools, saw, []string{"valid", "bad"})
}

// canaryGatesClosed runs the server without --allow-customer-messages and
// --allow-destructive, and calls the gated tools with canaries in their
// arguments: from a client that cannot elicit, and from one whose user
// declines every deletion. Each call must be refused by its gate, and no
// refusal, confirmation asked for, log line or transcript line may carry
// a canary.
func canaryGatesClosed(transport, version string) func(*testing.T) {
	return func(t *testing.T) {
		for _, declines := range []bool{false, true} {
			name := map[bool]string{false: "client without elicitation", true: "user declines"}[declines]
			t.Run(name, func(t *testing.T) {
				ada := newCanaryAda(t, canary.apiKey, nil) // the gates stop every call before Ada
				transcriptFile := filepath.Join(t.TempDir(), "calls.jsonl")
				saw := newSeen()
				var asked atomic.Int64
				var opts *mcp.ClientOptions
				refusal := "--allow-destructive"
				if declines {
					refusal = "did not confirm"
					opts = &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
						asked.Add(1)
						saw.add("confirmation asked for", mustJSON(r.Params))
						return &mcp.ElicitResult{Action: "decline"}, nil
					}}
				}
				srv := startCanary(t, transport, version, opts, ada.env("ADA_MCP_AUTH_TOKEN="+canary.token, "ADA_WEBHOOK_SECRET="+canary.webhook),
					"--toolsets", "all", "--log-level", "debug", "--transcript", transcriptFile)
				// One call that reaches Ada, so that there are debug lines to search.
				srv.s.OK("lookup_end_user", map[string]any{"external_id": "canary-gates"})

				calls := gatedCalls(canary)
				deletions := 0
				for _, o := range callAll(srv.s.ClientSession, "gated", calls, saw) {
					want := refusal
					if customerVisible[o.call.tool] {
						want = "--allow-customer-messages"
					} else {
						deletions++
					}
					if o.err != nil || !o.res.IsError || !strings.Contains(o.text(), want) {
						t.Errorf("%s was not refused by its gate (%q): %s", o.call.tool, want, o.text())
					}
				}
				if declines && asked.Load() != int64(deletions) {
					t.Errorf("the user was asked %d times for %d deletions", asked.Load(), deletions)
				}
				checkEveryGateCalled(t, everyTool(t, srv.s), saw)

				srv.stop(t)
				transcript := readFile(t, transcriptFile)
				checkAudited(t, srv, transcript, len(calls))
				checkCanaries(t, canary.named(), saw, append(srv.output(), evidence{"transcript", transcript})...)
			})
		}
	}
}

// checkEveryGateCalled fails for a gated tool gatedCalls misses: each
// destructive one but those that need no confirmation (end_conversation,
// rotate_webhook_secret: not deletions), and the customer-visible ones.
var ungated = map[string]bool{"end_conversation": true, "rotate_webhook_secret": true}

func checkEveryGateCalled(t *testing.T, tools []*mcp.Tool, saw *seen) {
	t.Helper()
	var gated []*mcp.Tool
	for _, tool := range tools {
		destructive := tool.Annotations != nil && tool.Annotations.DestructiveHint != nil && *tool.Annotations.DestructiveHint
		if destructive && !ungated[tool.Name] || customerVisible[tool.Name] {
			gated = append(gated, tool)
		}
	}
	if len(gated) < 9 {
		t.Errorf("only %d gated tools listed", len(gated))
	}
	checkEveryToolCalled(t, gated, saw, []string{"gated"})
}

// everyTool is what tools/list registers, all toolsets on.
func everyTool(t *testing.T, s *testclient.Session) []*mcp.Tool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Tools) < 50 {
		t.Fatalf("--toolsets all lists %d tools", len(list.Tools))
	}
	return list.Tools
}

// badPhases makes the bad calls: each must be refused, by an isError
// result or a JSON-RPC error, and both are searched.
func badPhases(t *testing.T, cs *mcp.ClientSession, tools []*mcp.Tool, saw *seen) {
	t.Helper()
	for _, o := range callAll(cs, "bad", badCalls(tools, canary), saw) {
		if !o.refused() {
			t.Errorf("%s accepted bad arguments %v %s: %s", o.call.name(), o.call.args, o.call.uri, o.text())
		}
	}
}

// postWebhooks delivers to the server's webhook path one delivery signed
// with the canary secret that carries sensitive values, and one whose
// signature is the secret itself (a confused sender): neither may echo.
func postWebhooks(t *testing.T, base string, saw *seen) {
	t.Helper()
	body := mustJSON(map[string]any{"type": "v1.end_user.updated", "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"data": map[string]any{"end_user_id": "u-canary", "sensitive_metadata": map[string]any{"auth_token": canary.sensitive},
			"profile": map[string]any{"metadata": map[string]any{"password": canary.metadata}}}})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	for i, sig := range []string{svixSign(t, canary.webhook, "msg_canary_1", ts, body), "v1," + canary.webhook} {
		req, err := http.NewRequest(http.MethodPost, base+"/webhooks/ada", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("svix-id", fmt.Sprintf("msg_canary_%d", i+1))
		req.Header.Set("svix-timestamp", ts)
		req.Header.Set("svix-signature", sig)
		resp, answer := do(t, req)
		saw.add(fmt.Sprintf("webhook delivery %d (%d)", i+1, resp.StatusCode), answer)
	}
}

// svixSign is Svix's signature: v1,base64(HMAC-SHA256(key, id.ts.body)).
func svixSign(t *testing.T, secret, id, ts, body string) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// checkAudited fails when what the search relies on is missing: tool
// calls and debug lines in the logs, at least minLines transcript lines,
// the protocol on stdout (over stdio).
func checkAudited(t *testing.T, srv *canaryServer, transcript string, minLines int) {
	t.Helper()
	if logs := srv.logs(); !strings.Contains(logs, "tool call") || !strings.Contains(logs, "DEBUG") {
		t.Errorf("the logs miss tool calls or debug lines:\n%.2000s", logs)
	}
	if srv.stdout != nil && !strings.Contains(srv.stdout(), `"jsonrpc":"2.0"`) {
		t.Errorf("stdout misses the protocol:\n%.2000s", srv.stdout())
	}
	if n := strings.Count(transcript, "\n"); n < minLines {
		t.Errorf("the transcript has %d lines, want %d or more", n, minLines)
	}
}

// checkCanaries searches everything the client saw, and output (logs,
// files), for every canary.
func checkCanaries(t *testing.T, secrets map[string]string, saw *seen, output ...evidence) {
	t.Helper()
	for _, e := range slices.Concat(saw.texts, output) {
		for _, leak := range leaks(secrets, e.text) {
			t.Errorf("%s carries %s:\n%s", e.where, leak, excerpt(e.text, secrets))
		}
	}
}

// excerpt shows the lines of text that carry a canary.
func excerpt(text string, secrets map[string]string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if len(leaks(secrets, line)) > 0 {
			out = append(out, line)
		}
	}
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("... %d more lines", len(out)-5))
	}
	return strings.Join(out, "\n")
}

// checkEveryToolCalled fails for each registered tool a phase missed.
func checkEveryToolCalled(t *testing.T, tools []*mcp.Tool, saw *seen, phases []string) {
	t.Helper()
	for _, phase := range phases {
		if missing := saw.missing(phase, tools); len(missing) > 0 {
			t.Errorf("the %s phase calls no %s: every tool must be driven (validCalls in canary_calls_test.go)", phase, strings.Join(missing, ", "))
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
