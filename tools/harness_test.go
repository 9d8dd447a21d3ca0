package tools_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/tools"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

const apiKey = "ada_live_sk_7f3a9c2e4b1d8f6a0c5e"

// harness is our MCP server over an Ada backend (the simulator unless a
// test brings its own handler), driven by the go-sdk client.
type harness struct {
	*testclient.Session
	sim  *adasim.Sim
	deps *tools.Deps
	logs *testlog.Buffer
}

type harnessOpts struct {
	backend    http.Handler // default: the simulator
	replyDelay time.Duration
	toolsets   []string
	readOnly   bool
	client     *mcp.ClientOptions
	noDefault  bool // no default channel
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	h := &harness{logs: &testlog.Buffer{}}
	backend := o.backend
	if backend == nil {
		h.sim = adasim.New(adasim.Options{APIKey: apiKey, ReplyDelay: o.replyDelay})
		t.Cleanup(h.sim.Close)
		backend = h.sim
	}
	srv := httptest.NewServer(backend)
	t.Cleanup(srv.Close)
	red := redact.New(redact.WithSecrets(apiKey))
	logger := slog.New(redact.NewHandler(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}), red))
	client, err := adaclient.New(srv.URL+"/api", apiKey, adaclient.WithLogger(logger),
		adaclient.WithRetryPolicy(adaclient.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	h.deps = &tools.Deps{Client: client, Redactor: red, Logger: logger, PollInterval: 20 * time.Millisecond, CallTimeout: 20 * time.Second}
	if h.sim != nil && !o.noDefault {
		h.deps.DefaultChannelID = h.sim.DefaultChannelID()
	}
	s, _, err := tools.NewServer(h.deps, tools.Options{Version: "test", Toolsets: o.toolsets, ReadOnly: o.readOnly})
	if err != nil {
		t.Fatal(err)
	}
	h.Session = testclient.Connect(t, s, o.client)
	return h
}

// str digs a string out of a decoded result: str(m, "end_user", "end_user_id").
func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = obj[p]
	}
	s, _ := cur.(string)
	return s
}

func obj(m map[string]any, path ...string) map[string]any {
	var cur any = m
	for _, p := range path {
		o, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = o[p]
	}
	o, _ := cur.(map[string]any)
	return o
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

var decode = testclient.Decode
