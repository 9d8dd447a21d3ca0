package tools_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/events"
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
	// lists counts GET .../messages/ requests that reached the backend.
	lists atomic.Int64
	// requests counts every request that reached the backend.
	requests atomic.Int64
	// events is the log the simulator feeds, with harnessOpts.events.
	events *events.Memory
}

type harnessOpts struct {
	backend    http.Handler // default: the simulator
	replyDelay time.Duration
	toolsets   []string
	readOnly   bool
	client     *mcp.ClientOptions
	noDefault  bool // no default channel
	// events feeds the simulator's events to an event log the tools wait
	// on, as a sandbox (or a webhook receiver) does.
	events     bool
	eventGrace time.Duration
	script     *adasim.AgentScript
	// version is the protocol version the client asks for ("" newest).
	version string
	// The operator's gates (--allow-customer-messages, --allow-destructive).
	allowCustomer, allowDestructive bool
	// localFiles lets upload_attachment read file_path (Deps.LocalFiles).
	localFiles bool
	// unfenced: results' text is plain JSON (Deps.Unfenced).
	unfenced bool
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	h := &harness{logs: &testlog.Buffer{}}
	backend := o.backend
	red := redact.New(redact.WithSecrets(apiKey))
	if backend == nil {
		opts := adasim.Options{APIKey: apiKey, ReplyDelay: o.replyDelay, Agent: o.script}
		if o.events {
			h.events = events.NewMemory(events.Limits{})
			opts.OnEvent = feed(h.events, red)
		}
		h.sim = adasim.New(opts)
		t.Cleanup(h.sim.Close)
		backend = h.sim
	}
	counted := backend
	backend = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/messages/") {
			h.lists.Add(1)
		}
		counted.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(backend)
	t.Cleanup(srv.Close)
	logger := slog.New(redact.NewHandler(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}), red))
	client, err := adaclient.New(srv.URL+"/api", apiKey, adaclient.WithLogger(logger),
		adaclient.WithRetryPolicy(adaclient.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	h.deps = &tools.Deps{Client: client, Redactor: red, Logger: logger, PollInterval: 20 * time.Millisecond, CallTimeout: 20 * time.Second,
		EventGrace: o.eventGrace, AllowCustomerMessages: o.allowCustomer, AllowDestructive: o.allowDestructive, LocalFiles: o.localFiles, Unfenced: o.unfenced}
	if h.events != nil {
		h.deps.Events = h.events
	}
	if h.sim != nil && !o.noDefault {
		h.deps.DefaultChannelID = h.sim.DefaultChannelID()
	}
	s, _, err := tools.NewServer(h.deps, tools.Options{Version: "test", Toolsets: o.toolsets, ReadOnly: o.readOnly})
	if err != nil {
		t.Fatal(err)
	}
	h.Session = testclient.ConnectVersion(t, s, o.client, o.version)
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

// toolNames lists a harness's tools, sorted.
func toolNames(t *testing.T, h *harness) []string {
	t.Helper()
	res, err := h.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tl := range res.Tools {
		out = append(out, tl.Name)
	}
	sort.Strings(out)
	return out
}

// pages calls a list tool until has_more is false, at most max pages, with
// args and then next(cursor); it checks that only a last page lacks a
// next_cursor, and returns the pages.
func (h *harness) pages(t *testing.T, tool string, args map[string]any, next func(cursor string) map[string]any, max int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for {
		if len(out) == max {
			t.Fatalf("%s: pagination does not end within %d pages: %v", tool, max, out)
		}
		page := h.OK(tool, args)
		out = append(out, page)
		if page["has_more"] != true {
			if str(page, "next_cursor") != "" {
				t.Fatalf("%s: has_more false with a next_cursor: %v", tool, page)
			}
			return out
		}
		args = next(str(page, "next_cursor"))
	}
}

// feed keeps the simulator's events in log, as main's sandbox does.
func feed(log events.Log, red *redact.Redactor) func(adasim.Event) {
	f := events.Feed(log, func() *redact.Redactor { return red })
	return func(ev adasim.Event) { f(ev.Type, ev.Timestamp, ev.Data) }
}

// refusal is a call its tool must refuse before asking Ada, with a message
// that names field.
type refusal struct {
	tool  string
	args  map[string]any
	field string
}

// refuses makes each call and checks that it is refused naming its field,
// and that none of them reached Ada.
func (h *harness) refuses(t *testing.T, calls []refusal) {
	t.Helper()
	before := h.requests.Load()
	for _, c := range calls {
		if msg := h.Err(c.tool, c.args); !strings.Contains(msg, c.field) {
			t.Errorf("%s(%.200v): message does not name %s: %s", c.tool, c.args, c.field, msg)
		}
	}
	if n := h.requests.Load() - before; n != 0 {
		t.Fatalf("%d requests reached Ada for invalid arguments", n)
	}
}
