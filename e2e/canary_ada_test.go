package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
)

// hostility is how the canary test's Ada answers once it turns hostile:
// every request gets status, with the whole request (method, URL, every
// header, the Authorization with the API key among them, and the body)
// echoed in the form's body.
type hostility struct {
	status   int
	form     string // json, details (the body as JSON details), html, text, other-json, straddle
	retryNow bool   // send Retry-After: 0
}

// hostilities cover each way an error body reaches an error message: Ada's
// JSON errors (message, and details as JSON), an HTML page and plain text
// (the snippet), JSON that is not Ada's shape, and a page whose API key
// falls across the snippet's cut.
var hostilities = []hostility{
	{400, "json", false}, {401, "json", false}, {403, "html", false}, {404, "json", false}, {409, "details", false}, {413, "text", false},
	{422, "details", false}, {429, "text", true}, {500, "json", false}, {502, "html", false}, {503, "straddle", true}, {504, "other-json", false},
}

// canaryAda is the simulator until hostile is set, then an Ada that echoes.
type canaryAda struct {
	sim     *adasim.Sim
	url     string       // the API root, .../api
	hostile atomic.Int64 // index+1 in list; 0: the simulator answers
	list    []hostility  // what it turns into
}

// quickly are the hostilities with Ada's retries at once: the 5xx forms
// answer 503 and 429 and 503 say Retry-After: 0, which Ada's client obeys
// (on 500, 502 and 504 it backs off for seconds). The bodies are the same.
func quickly() []hostility {
	out := make([]hostility, len(hostilities))
	for i, h := range hostilities {
		if h.status >= 500 {
			h.status = http.StatusServiceUnavailable
		}
		h.retryNow = h.status == http.StatusServiceUnavailable || h.status == http.StatusTooManyRequests
		out[i] = h
	}
	return out
}

// newCanaryAda starts the canary Ada, hostile in the ways list says when
// turned (hostilities, or quickly()).
func newCanaryAda(t *testing.T, apiKey string, list []hostility) *canaryAda {
	t.Helper()
	// Deliveries to webhooks the tools create go nowhere: no network.
	drop := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})}
	a := &canaryAda{list: list, sim: adasim.New(adasim.Options{APIKey: apiKey, Seed: 7, WebhookClient: drop, WebhookRetrySchedule: []time.Duration{}})}
	t.Cleanup(a.sim.Close)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	a.url = srv.URL + "/api"
	return a
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (a *canaryAda) turn(i int) { a.hostile.Store(int64(i + 1)) }
func (a *canaryAda) calm()      { a.hostile.Store(0) }

// env points ada-mcp at this Ada with the canary API key, plus extra.
func (a *canaryAda) env(extra ...string) []string {
	return append([]string{"ADA_API_KEY=" + canary.apiKey, "ADA_BASE_URL=" + a.url, "ADA_CHANNEL_ID=" + a.sim.DefaultChannelID()}, extra...)
}

// rotatedSecret reads from Ada the secret rotate_webhook_secret made for a
// webhook, into secrets: it is a canary too.
func (a *canaryAda) rotatedSecret(t *testing.T, secrets map[string]string) func(hookID string) {
	return func(hookID string) {
		t.Helper()
		c, err := adaclient.New(a.url, canary.apiKey)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := c.Webhooks.Secret(context.Background(), hookID)
		if err != nil {
			t.Fatalf("reading the rotated secret from Ada: %v", err)
		}
		secrets["rotated webhook secret"] = got.Key
	}
}

// hostilePhases makes calls again with Ada turned hostile, each hostility
// in turn, and returns the phases' names.
func (a *canaryAda) hostilePhases(cs *mcp.ClientSession, calls []canaryCall, saw *seen) []string {
	var phases []string
	for i, h := range a.list {
		a.turn(i)
		phase := fmt.Sprintf("Ada %d (%s)", h.status, h.form)
		callAll(cs, phase, calls, saw)
		phases = append(phases, phase)
	}
	a.calm()
	return phases
}

func (a *canaryAda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := a.hostile.Load()
	if i == 0 {
		a.sim.ServeHTTP(w, r)
		return
	}
	h := a.list[i-1]
	if h.retryNow {
		w.Header().Set("Retry-After", "0") // retried at once: the test need not wait
	}
	body, _ := io.ReadAll(r.Body)
	echo := echoRequest(r, body)
	switch h.form {
	case "json", "details":
		var details any = map[string]any{"request": string(body), "headers": r.Header}
		if h.form == "details" && json.Valid(body) {
			details = json.RawMessage(body)
		}
		writeBody(w, h.status, "application/json", mustJSON(map[string]any{"errors": []any{
			map[string]any{"type": "invalid_request", "message": echo, "details": details}}}))
	case "other-json":
		writeBody(w, h.status, "application/json", mustJSON(map[string]any{"message": echo, "request": json.RawMessage(orNull(body))}))
	case "html":
		writeBody(w, h.status, "text/html", "<html><head><title>Error</title></head><body><h1>"+fmt.Sprint(h.status)+"</h1><pre>"+echo+"</pre></body></html>")
	case "text":
		writeBody(w, h.status, "text/plain", echo)
	case "straddle":
		// The key starts 146 bytes into the text, so a cut at 160 halves it.
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		writeBody(w, h.status, "text/html", "<html><body><p>"+strings.Repeat("x", 145)+"</p> "+key+" "+echo+"</body></html>")
	}
}

// echoRequest writes the request out: method, URL, headers (sorted), body.
func echoRequest(r *http.Request, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rejected %s %s\n", r.Method, r.URL)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
	}
	b.Write(body)
	return b.String()
}

func writeBody(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func orNull(b []byte) []byte {
	if !json.Valid(b) {
		return []byte("null")
	}
	return b
}

// hookSink is where webhooks created by the tools point: it takes every
// delivery, on loopback.
func hookSink(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hooks/canary"
}
