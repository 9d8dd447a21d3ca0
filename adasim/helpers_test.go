package adasim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

const testKey = "test-key-123"

// client talks to a simulator over real HTTP with plain net/http, as any Ada client would.
type client struct {
	t    testing.TB
	base string // http://127.0.0.1:PORT/api
	key  string
	sim  *adasim.Sim
}

// newSim starts a simulator behind an httptest server; both stop when the test ends.
func newSim(t testing.TB, opts adasim.Options) *client {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	sim := adasim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return &client{t: t, base: srv.URL + "/api", key: opts.APIKey, sim: sim}
}

// response is a finished exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into a fresh value of type T.
func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return v
}

// object is a decoded JSON object.
type object = map[string]any

// do sends a request; body is marshalled to JSON unless it is a string (sent as is) or nil.
func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	return c.doAuth(method, path, body, "Bearer "+c.key)
}

func (c *client) doAuth(method, path string, body any, authorization string) response {
	c.t.Helper()
	var reader io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case []byte:
		reader = bytes.NewReader(b)
	case formFile:
		var data []byte
		data, contentType = b.encode()
		reader = bytes.NewReader(data)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.base + path
	}
	req, err := http.NewRequest(method, target, reader)
	if err != nil {
		c.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if reader != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// expect sends a request and fails the test unless the status is want; it returns the body
// decoded as an object.
func (c *client) expect(want int, method, path string, body any) object {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, want, r.body)
	}
	return decode[object](c.t, r)
}

// expectError checks Ada's error body: {"errors":[{"type":errType,"message":...}]}.
func (c *client) expectError(want int, errType, method, path string, body any) {
	c.t.Helper()
	r := c.do(method, path, body)
	checkError(c.t, r, want, errType)
}

func checkError(t testing.TB, r response, want int, errType string) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var body struct {
		Errors []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("not Ada's error body: %s", r.body)
	}
	if body.Errors[0].Type != errType || body.Errors[0].Message == "" {
		t.Fatalf("error %+v, want type %q and a message", body.Errors[0], errType)
	}
}

// createEndUser POSTs an end user and returns it (status 201 expected).
func (c *client) createEndUser(body any) object {
	c.t.Helper()
	return c.expect(http.StatusCreated, "POST", "/v2/end-users/", body)
}

// startConversation creates a conversation on the default channel.
func (c *client) startConversation(endUserID string) object {
	c.t.Helper()
	body := object{"channel_id": c.sim.DefaultChannelID()}
	if endUserID != "" {
		body["end_user_id"] = endUserID
	}
	return c.expect(http.StatusCreated, "POST", "/v2/conversations/", body)
}

// messages walks every page of a conversation's messages.
func (c *client) messages(conversationID string) []object {
	c.t.Helper()
	var all []object
	next := "/v2/conversations/" + conversationID + "/messages/"
	for pages := 0; next != ""; pages++ {
		if pages > 100 {
			c.t.Fatal("more than 100 pages of messages")
		}
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, m := range page["data"].([]any) {
			all = append(all, m.(object))
		}
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	return all
}

// waitFor polls cond every 5 ms for at most 5 s: long enough never to flake, and it returns
// as soon as cond holds. It never asserts on timing itself.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeClock is an injectable clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// formFile is a multipart/form-data body with one file part, as an upload sends it. field
// defaults to "file"; contentType, when set, is the part's Content-Type.
type formFile struct {
	field, filename, contentType string
	data                         []byte
}

// encode returns the body and its Content-Type, with a fixed boundary (replays are
// byte-identical).
func (f formFile) encode() ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary("adasim-test-boundary"); err != nil {
		panic(err)
	}
	field := f.field
	if field == "" {
		field = "file"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition(field, f.filename))
	if f.contentType != "" {
		h.Set("Content-Type", f.contentType)
	}
	part, err := w.CreatePart(h)
	if err != nil {
		panic(err)
	}
	part.Write(f.data)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}
