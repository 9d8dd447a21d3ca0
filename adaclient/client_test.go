package adaclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const testKey = "ada_test_key_0123456789abcdef"

// fastRetries keeps fault-injection tests quick while still exercising
// backoff.
var fastRetries = adaclient.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// recorder is an httptest server whose handler answers from a script, one
// entry per request, and records what it received.
type recorder struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []recorded
	count atomic.Int32
}

type recorded struct {
	Method, Path, RawQuery, Auth, ContentType string
	URI                                       string // as sent, escapes included
	Body                                      []byte
}

func newRecorder(t *testing.T, script ...http.HandlerFunc) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := int(rec.count.Add(1)) - 1
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.RequestURI, body})
		rec.mu.Unlock()
		if n >= len(script) {
			n = len(script) - 1
		}
		script[n](w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) client(t *testing.T, opts ...adaclient.Option) *adaclient.Client {
	t.Helper()
	c, err := adaclient.New(r.srv.URL+"/api", testKey, append([]adaclient.Option{adaclient.WithRetryPolicy(fastRetries)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// retryCase is a call against a scripted Ada and what must come of it: how
// many requests reached Ada, and whether the outcome is unknown.
type retryCase struct {
	name     string
	script   []http.HandlerFunc
	call     func(*adaclient.Client) error
	requests int32
	unknown  bool // want *OutcomeUnknownError
}

func runRetryCases(t *testing.T, cases []retryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, tc.script...)
			err := tc.call(rec.client(t))
			var ou *adaclient.OutcomeUnknownError
			if tc.unknown != errors.As(err, &ou) || (!tc.unknown && err != nil) {
				t.Fatalf("err = %v, want outcome unknown: %v", err, tc.unknown)
			}
			if got := rec.count.Load(); got != tc.requests {
				t.Fatalf("requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

// wantRequest is a request a test expects the client to send.
type wantRequest struct{ method, path, query, body string }

// expect checks that the client sent exactly want, in order, each with the
// key and, when it has a body, as JSON.
func (r *recorder) expect(t *testing.T, want []wantRequest) {
	t.Helper()
	got := r.requests()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.Path != w.path || g.RawQuery != w.query || string(g.Body) != w.body {
			t.Errorf("request %d = %s %s?%s %s\nwant        %s %s?%s %s", i, g.Method, g.Path, g.RawQuery, g.Body, w.method, w.path, w.query, w.body)
		}
		if g.Auth != "Bearer "+testKey {
			t.Errorf("request %d Authorization = %q", i, g.Auth)
		}
		if (len(g.Body) > 0) != (g.ContentType == "application/json") {
			t.Errorf("request %d Content-Type = %q with body %q", i, g.ContentType, g.Body)
		}
	}
}

// expectURIs checks the request URIs as sent, escapes included, in order.
func (r *recorder) expectURIs(t *testing.T, want ...string) {
	t.Helper()
	var got []string
	for _, req := range r.requests() {
		got = append(got, req.URI)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("request URIs = %q, want %q", got, want)
	}
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func status(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// hangUp closes the connection without any response: the request was
// received, the answer is lost.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// truncated sends headers and half of the promised body, then hangs up.
func truncated(w http.ResponseWriter, _ *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"id\":")
	buf.Flush()
	conn.Close()
}

const conversationJSON = `{"id":"c1","channel_id":"ch1","end_user_id":"u1","status":"active","metadata":{}}`
const messageJSON = `{"id":"m1","conversation_id":"c1","author":{"id":"u1","role":"end_user"},"content":{"type":"text","body":"hi"}}`
const errorJSON = `{"errors":[{"type":"bad_request","message":"boom","details":null}]}`

func sendHi(c *adaclient.Client) error {
	_, _, err := c.Conversations.SendMessage(context.Background(), "c1", adaclient.TextMessage(adaclient.MessageAuthor{ID: "u1", Role: adaclient.RoleEndUser}, "hi"))
	return err
}

func TestRateLimitedRequestsAreRetried(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"without Retry-After", nil},
		{"with Retry-After", []string{"Retry-After", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, status(429, errorJSON, tc.headers...), status(429, errorJSON, tc.headers...), status(201, messageJSON))
			if err := sendHi(rec.client(t)); err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			// A 429 was not applied by Ada, so even a message POST is resent.
			if got := rec.count.Load(); got != 3 {
				t.Fatalf("requests = %d, want 3", got)
			}
		})
	}
}

func TestRetryAfterBeyondDeadlineReturnsAtOnce(t *testing.T) {
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "120"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := rec.client(t).Conversations.Get(ctx, "c1")
	var er *adaclient.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != 429 {
		t.Fatalf("err = %v, want a 429 *ErrorResponse", err)
	}
	if er.RetryAfter != 120*time.Second {
		t.Fatalf("RetryAfter = %v, want 2m0s", er.RetryAfter)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("requests = %d, want 1 (a 120 s wait cannot fit a 5 s deadline)", got)
	}
	if ctx.Err() != nil {
		t.Fatal("the client waited until the deadline instead of returning the 429")
	}
}

func TestRetryAfterLongerThanPolicyWithoutDeadline(t *testing.T) {
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "60"))
	_, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
	if !adaclient.IsRateLimited(err) {
		t.Fatalf("err = %v, want rate limited", err)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("requests = %d, want 1", got)
	}
}

// A Retry-After too large for a Duration once wrapped negative and was
// retried at once (found by FuzzErrorResponse).
func TestHugeRetryAfterIsNotRetriedAtOnce(t *testing.T) {
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "9999999999"))
	_, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
	var er *adaclient.ErrorResponse
	if !errors.As(err, &er) || er.RetryAfter < 24*time.Hour {
		t.Fatalf("err = %v, want a 429 with a long RetryAfter", err)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("requests = %d, want 1", got)
	}
}

func TestRateLimitRetriesRunOut(t *testing.T) {
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "0"))
	_, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
	if !adaclient.IsRateLimited(err) {
		t.Fatalf("err = %v, want rate limited", err)
	}
	var er *adaclient.ErrorResponse
	errors.As(err, &er)
	if er.Message() != "boom" {
		t.Fatalf("message = %q, want Ada's message from the last 429", er.Message())
	}
	if got := rec.count.Load(); got != int32(fastRetries.MaxRetries+1) {
		t.Fatalf("requests = %d, want %d", got, fastRetries.MaxRetries+1)
	}
}

func TestServerErrorsRetryOnlyIdempotentRequests(t *testing.T) {
	t.Run("GET is retried", func(t *testing.T) {
		rec := newRecorder(t, status(500, errorJSON), status(502, "<html>bad gateway</html>"), status(200, conversationJSON))
		cv, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
		if err != nil || cv.ID != "c1" {
			t.Fatalf("Get = %v, %v", cv, err)
		}
		if got := rec.count.Load(); got != 3 {
			t.Fatalf("requests = %d, want 3", got)
		}
	})
	t.Run("message POST is sent once", func(t *testing.T) {
		rec := newRecorder(t, status(500, errorJSON), status(201, messageJSON))
		err := sendHi(rec.client(t))
		var ou *adaclient.OutcomeUnknownError
		if !errors.As(err, &ou) {
			t.Fatalf("err = %v, want *OutcomeUnknownError", err)
		}
		if adaclient.StatusCode(err) != 500 {
			t.Fatalf("StatusCode = %d, want 500 in the chain", adaclient.StatusCode(err))
		}
		if got := rec.count.Load(); got != 1 {
			t.Fatalf("requests = %d, want exactly 1", got)
		}
	})
	t.Run("conversation create is sent once", func(t *testing.T) {
		rec := newRecorder(t, status(503, errorJSON), status(201, conversationJSON))
		_, _, err := rec.client(t).Conversations.Create(context.Background(), &adaclient.CreateConversationRequest{ChannelID: "ch1"})
		var ou *adaclient.OutcomeUnknownError
		if !errors.As(err, &ou) || rec.count.Load() != 1 {
			t.Fatalf("err = %v, requests = %d; want outcome unknown after 1", err, rec.count.Load())
		}
	})
	t.Run("end user create with external_id is retried", func(t *testing.T) {
		rec := newRecorder(t, status(500, errorJSON), status(201, `{"end_user_id":"u1","external_id":"crm-1","profile":{}}`))
		u, r, err := rec.client(t).EndUsers.Create(context.Background(), &adaclient.CreateEndUserRequest{ExternalID: "crm-1"})
		if err != nil || u.EndUserID != "u1" || !adaclient.Created(r) {
			t.Fatalf("Create = %+v, %v", u, err)
		}
		if got := rec.count.Load(); got != 2 {
			t.Fatalf("requests = %d, want 2", got)
		}
	})
	t.Run("end user create without external_id is sent once", func(t *testing.T) {
		rec := newRecorder(t, status(500, errorJSON), status(201, `{"end_user_id":"u1","profile":{}}`))
		_, _, err := rec.client(t).EndUsers.Create(context.Background(), nil)
		var ou *adaclient.OutcomeUnknownError
		if !errors.As(err, &ou) || rec.count.Load() != 1 {
			t.Fatalf("err = %v, requests = %d", err, rec.count.Load())
		}
	})
}

// An upload is multipart: retried intact after a 429 (Ada did not apply it), sent once when a
// 5xx leaves its outcome unknown.
func TestAttachmentUploadRetries(t *testing.T) {
	const attachmentJSON = `{"url":"https://files.example.com/a.txt","mime_type":"text/plain","filename":"a.txt"}`
	upload := func(c *adaclient.Client) (*adaclient.Attachment, error) {
		a, _, err := c.Conversations.UploadAttachment(context.Background(), "c1", &adaclient.AttachmentUpload{Filename: "a.txt", Data: []byte("hello")})
		return a, err
	}
	rec := newRecorder(t, status(429, errorJSON), status(201, attachmentJSON))
	a, err := upload(rec.client(t))
	if err != nil || a.URL != "https://files.example.com/a.txt" {
		t.Fatalf("upload = %+v, %v", a, err)
	}
	reqs := rec.requests()
	if len(reqs) != 2 || !bytes.Equal(reqs[0].Body, reqs[1].Body) || !strings.Contains(string(reqs[1].Body), "hello") ||
		!strings.HasPrefix(reqs[1].ContentType, "multipart/form-data; boundary=") || reqs[1].Path != "/api/v2/conversations/c1/attachments/" {
		t.Fatalf("requests %+v: want the same multipart body twice", reqs)
	}
	rec = newRecorder(t, status(500, errorJSON), status(201, attachmentJSON))
	var ou *adaclient.OutcomeUnknownError
	if _, err := upload(rec.client(t)); !errors.As(err, &ou) || rec.count.Load() != 1 {
		t.Fatalf("err = %v after %d requests, want outcome unknown after 1", err, rec.count.Load())
	}
}

func TestBrokenConnections(t *testing.T) {
	t.Run("message POST whose answer is lost is sent once", func(t *testing.T) {
		rec := newRecorder(t, hangUp, status(201, messageJSON))
		err := sendHi(rec.client(t))
		var ou *adaclient.OutcomeUnknownError
		if !errors.As(err, &ou) {
			t.Fatalf("err = %v, want *OutcomeUnknownError", err)
		}
		if got := rec.count.Load(); got != 1 {
			t.Fatalf("requests = %d, want exactly 1", got)
		}
	})
	t.Run("message POST with a truncated answer is sent once", func(t *testing.T) {
		rec := newRecorder(t, truncated, status(201, messageJSON))
		err := sendHi(rec.client(t))
		var ou *adaclient.OutcomeUnknownError
		if !errors.As(err, &ou) || rec.count.Load() != 1 {
			t.Fatalf("err = %v, requests = %d", err, rec.count.Load())
		}
	})
	t.Run("GET is retried after a hang-up and a truncated body", func(t *testing.T) {
		rec := newRecorder(t, hangUp, truncated, status(200, conversationJSON))
		cv, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
		if err != nil || cv.ID != "c1" {
			t.Fatalf("Get = %v, %v", cv, err)
		}
		if got := rec.count.Load(); got != 3 {
			t.Fatalf("requests = %d, want 3", got)
		}
	})
	t.Run("refused connection is not an unknown outcome", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, err := adaclient.New("http://"+addr+"/api", testKey, adaclient.WithRetryPolicy(fastRetries))
		if err != nil {
			t.Fatal(err)
		}
		err = sendHi(c)
		var ou *adaclient.OutcomeUnknownError
		if err == nil || errors.As(err, &ou) {
			t.Fatalf("err = %v, want a plain connection error (the message never left)", err)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Fatal("error leaks the API key")
		}
	})
}

func TestErrorResponses(t *testing.T) {
	t.Run("Ada error body with object details", func(t *testing.T) {
		rec := newRecorder(t, status(400, `{"errors":[{"type":"validation_error","message":"bad field","details":[{"parameter":"$.profile","location":"body"}]}]}`))
		_, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
		var er *adaclient.ErrorResponse
		if !errors.As(err, &er) {
			t.Fatalf("err = %T %v", err, err)
		}
		if er.StatusCode != 400 || len(er.Errors) != 1 || er.Errors[0].Type != "validation_error" || er.Message() != "bad field" {
			t.Fatalf("decoded %+v", er)
		}
		if !strings.Contains(er.Errors[0].DetailsText(), `"parameter":"$.profile"`) {
			t.Fatalf("details = %q", er.Errors[0].DetailsText())
		}
		if rec.count.Load() != 1 {
			t.Fatal("a 400 must not be retried")
		}
	})
	t.Run("HTML body", func(t *testing.T) {
		rec := newRecorder(t, status(404, "<html><body><h1>Not   Found</h1>\n<p>nginx</p></body></html>"))
		_, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
		var er *adaclient.ErrorResponse
		if !errors.As(err, &er) || !adaclient.IsNotFound(err) {
			t.Fatalf("err = %v", err)
		}
		if er.BodySnippet != "Not Found nginx" {
			t.Fatalf("snippet = %q", er.BodySnippet)
		}
	})
	t.Run("a long page is cut between words", func(t *testing.T) {
		// A page echoing the request, the key where a cut at 160 bytes would halve it.
		rec := newRecorder(t, status(502, "<html><body><p>"+strings.Repeat("x", 145)+"</p> echoed_key_9f8e7d6c5b4a tail</body></html>"))
		_, _, err := rec.client(t).Conversations.Get(context.Background(), "c1")
		var er *adaclient.ErrorResponse
		if !errors.As(err, &er) || er.BodySnippet != strings.Repeat("x", 145)+"…" {
			t.Fatalf("err = %v, want the snippet without the word that does not fit", err)
		}
	})
	t.Run("the API key never appears", func(t *testing.T) {
		rec := newRecorder(t, status(401, `{"errors":[{"type":"unauthorized","message":"Invalid API key"}]}`))
		_, _, err := rec.client(t).EndUsers.GetByExternalID(context.Background(), "crm-1")
		if err == nil || strings.Contains(err.Error(), testKey) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "crm-1") {
			t.Fatalf("error quotes the lookup value from the query string: %v", err)
		}
	})
}

func TestRequestsMatchAdasPaths(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/end-users/"):
			status(201, `{"end_user_id":"u1","profile":{}}`)(w, r)
		case strings.Contains(r.URL.Path, "/messages/") && r.Method == "POST":
			status(201, messageJSON)(w, r)
		case strings.HasSuffix(r.URL.Path, "/messages/"):
			status(200, `{"data":[],"meta":{"next_page_url":null}}`)(w, r)
		case strings.HasSuffix(r.URL.Path, "/channels/") && r.Method == "GET":
			status(200, `{"data":[],"meta":{}}`)(w, r)
		case strings.HasSuffix(r.URL.Path, "/channels/"):
			status(201, `{"type":"custom","id":"ch1"}`)(w, r)
		case strings.HasSuffix(r.URL.Path, "/end/") || strings.HasSuffix(r.URL.Path, "/end-handoff/"):
			status(200, `{"message":"ok"}`)(w, r)
		case strings.HasPrefix(r.URL.Path, "/api/v2/conversations/"):
			status(200, conversationJSON)(w, r)
		default:
			status(200, `{"end_user_id":"u1","profile":{}}`)(w, r)
		}
	})
	c := rec.client(t)
	ctx := context.Background()
	steps := []func() error{
		func() error { _, _, err := c.EndUsers.Get(ctx, "u1"); return err },
		func() error { _, _, err := c.EndUsers.GetByExternalID(ctx, "CRM 1"); return err },
		func() error {
			_, _, err := c.EndUsers.List(ctx, &adaclient.ListOptions{Limit: 5, Cursor: "abc"})
			return err
		},
		func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{ExternalID: "crm-1", Profile: &adaclient.ProfileInput{FirstName: adaclient.Value("Ana")}})
			return err
		},
		func() error {
			_, _, err := c.EndUsers.Update(ctx, "u1", &adaclient.UpdateEndUserRequest{ExternalID: adaclient.Null[string]()})
			return err
		},
		func() error {
			_, _, err := c.Channels.List(ctx, &adaclient.ListChannelsOptions{Type: "custom"})
			return err
		},
		func() error {
			_, _, err := c.Channels.Create(ctx, &adaclient.CreateChannelRequest{Name: "n", Description: "d", Modality: "messaging"})
			return err
		},
		func() error {
			_, _, err := c.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: "ch1"})
			return err
		},
		func() error { _, _, err := c.Conversations.Get(ctx, "c1"); return err },
		func() error {
			_, _, err := c.Conversations.UpdateMetadata(ctx, "c1", map[string]any{"a": nil})
			return err
		},
		func() error { _, _, err := c.Conversations.ListMessages(ctx, "c1", nil); return err },
		func() error { return sendHi(c) },
		func() error { _, _, err := c.Conversations.End(ctx, "c1"); return err },
		func() error { _, _, err := c.Conversations.EndHandoff(ctx, "c1"); return err },
		func() error {
			_, _, err := c.Channels.Update(ctx, "ch1", &adaclient.UpdateChannelRequest{Capabilities: adaclient.UpdateCapabilities{Markdown: new(true)}})
			return err
		},
		func() error {
			_, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "Ana", Subject: "Hi", ReplyTo: "ana@example.com", CC: []string{"b@example.com"}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []wantRequest{
		{"GET", "/api/v2/end-users/u1", "", ""},
		{"GET", "/api/v2/end-users/", "external_id=CRM+1", ""},
		{"GET", "/api/v2/end-users/", "cursor=abc&limit=5", ""},
		{"POST", "/api/v2/end-users/", "", `{"external_id":"crm-1","profile":{"first_name":"Ana"}}`},
		{"PATCH", "/api/v2/end-users/u1", "", `{"external_id":null,"profile":{}}`},
		{"GET", "/api/v2/channels/", "type=custom", ""},
		{"POST", "/api/v2/channels/", "", `{"name":"n","description":"d","modality":"messaging"}`},
		{"POST", "/api/v2/conversations/", "", `{"channel_id":"ch1"}`},
		{"GET", "/api/v2/conversations/c1/", "", ""},
		{"PATCH", "/api/v2/conversations/c1/", "", `{"metadata":{"a":null}}`},
		{"GET", "/api/v2/conversations/c1/messages/", "", ""},
		{"POST", "/api/v2/conversations/c1/messages/", "", `{"author":{"id":"u1","role":"end_user"},"content":{"type":"text","body":"hi"}}`},
		{"POST", "/api/v2/conversations/c1/end/", "", ""},
		{"POST", "/api/v2/conversations/c1/end-handoff/", "", ""},
		{"PATCH", "/api/v2/channels/ch1", "", `{"capabilities":{"markdown":true}}`},
		{"POST", "/api/v2/conversations/email/", "", `{"name":"Ana","subject":"Hi","reply_to":"ana@example.com","cc":["b@example.com"]}`},
	}
	rec.expect(t, want)
}

func TestPaginationAndRateHeaders(t *testing.T) {
	rec := newRecorder(t,
		status(200, `{"data":[{"end_user_id":"a","profile":{}},{"end_user_id":"b","profile":{}}],"meta":{"next_page_url":"https://x.ada.support/api/v2/end-users/?cursor=65a17e3f43bec88e2792d0eb&limit=2"}}`,
			"X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "299", "X-RateLimit-Reset", "1767225600"),
		status(200, `{"data":[{"end_user_id":"c","profile":{},"future_field":{"x":1}}],"meta":{"next_page_url":null}}`))
	c := rec.client(t)
	users, r, err := c.EndUsers.List(context.Background(), &adaclient.ListOptions{Limit: 2})
	if err != nil || len(users) != 2 {
		t.Fatalf("List = %v, %v", users, err)
	}
	if r.NextCursor != "65a17e3f43bec88e2792d0eb" {
		t.Fatalf("NextCursor = %q", r.NextCursor)
	}
	if r.Rate.Limit != 300 || r.Rate.Remaining != 299 || r.Rate.Reset.Unix() != 1767225600 {
		t.Fatalf("Rate = %+v", r.Rate)
	}
	users, r, err = c.EndUsers.List(context.Background(), &adaclient.ListOptions{Limit: 2, Cursor: r.NextCursor})
	if err != nil || len(users) != 1 || r.NextCursor != "" || r.NextPageURL != "" {
		t.Fatalf("last page = %v, %+v, %v", users, r, err)
	}
}

func TestLocalValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(200, `{}`))
	c := rec.client(t)
	ctx := context.Background()
	big := map[string]any{"blob": strings.Repeat("x", 5000)}
	bigger := map[string]any{"blob": strings.Repeat("x", 11000)}
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"external_id too long", "external_id", func() error {
			_, _, err := c.EndUsers.GetByExternalID(ctx, strings.Repeat("a", 37))
			return err
		}},
		{"external_id with <", "external_id", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{ExternalID: "<script>"})
			return err
		}},
		{"external_id empty on update", "external_id", func() error {
			_, _, err := c.EndUsers.Update(ctx, "u1", &adaclient.UpdateEndUserRequest{ExternalID: adaclient.Value("")})
			return err
		}},
		{"end user metadata float", "profile.metadata.score", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{Profile: &adaclient.ProfileInput{Metadata: map[string]any{"score": 0.5}}})
			return err
		}},
		{"end user metadata object", "profile.metadata.nested", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{Profile: &adaclient.ProfileInput{Metadata: map[string]any{"nested": map[string]any{}}}})
			return err
		}},
		{"end user metadata over 10 KB", "profile.metadata", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{Profile: &adaclient.ProfileInput{Metadata: bigger}})
			return err
		}},
		{"conversation metadata over 4 KB", "metadata", func() error {
			_, _, err := c.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: "ch1", Metadata: big})
			return err
		}},
		{"conversation metadata null on create", "metadata.a", func() error {
			_, _, err := c.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: "ch1", Metadata: map[string]any{"a": nil}})
			return err
		}},
		{"channel metadata over 4 KB", "metadata", func() error {
			_, _, err := c.Channels.Create(ctx, &adaclient.CreateChannelRequest{Name: "n", Description: "d", Modality: "messaging", Metadata: big})
			return err
		}},
		{"sensitive key shape", "profile.sensitive_metadata.fields.bad key", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{Profile: &adaclient.ProfileInput{SensitiveMetadata: &adaclient.SensitiveMetadata{Fields: map[string]any{"bad key": "v"}}}})
			return err
		}},
		{"sensitive overlaps metadata", "profile.sensitive_metadata.fields.token", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{Profile: &adaclient.ProfileInput{Metadata: map[string]any{"token": "a"}, SensitiveMetadata: &adaclient.SensitiveMetadata{Fields: map[string]any{"token": "s3cr3t-value"}}}})
			return err
		}},
		{"sensitive empty string", "profile.sensitive_metadata.fields.token", func() error {
			_, _, err := c.EndUsers.Update(ctx, "u1", &adaclient.UpdateEndUserRequest{Profile: adaclient.ProfileInput{SensitiveMetadata: &adaclient.SensitiveMetadata{Fields: map[string]any{"token": ""}}}})
			return err
		}},
		{"message as ai_agent", "author.role", func() error {
			_, _, err := c.Conversations.SendMessage(ctx, "c1", adaclient.TextMessage(adaclient.MessageAuthor{Role: "ai_agent"}, "x"))
			return err
		}},
		{"human agent without name", "author.display_name", func() error {
			_, _, err := c.Conversations.SendMessage(ctx, "c1", adaclient.TextMessage(adaclient.MessageAuthor{Role: "human_agent"}, "x"))
			return err
		}},
		{"empty body", "content.body", func() error {
			_, _, err := c.Conversations.SendMessage(ctx, "c1", adaclient.TextMessage(adaclient.MessageAuthor{Role: "end_user", ID: "u1"}, " "))
			return err
		}},
		{"limit over 100", "limit", func() error {
			_, _, err := c.Conversations.ListMessages(ctx, "c1", &adaclient.ListOptions{Limit: 101})
			return err
		}},
		{"channel type missing", "type", func() error {
			_, _, err := c.Channels.List(ctx, &adaclient.ListChannelsOptions{})
			return err
		}},
		{"empty metadata patch", "metadata", func() error {
			_, _, err := c.Conversations.UpdateMetadata(ctx, "c1", map[string]any{})
			return err
		}},
		{"channel update without a capability", "capabilities", func() error {
			_, _, err := c.Channels.Update(ctx, "ch1", &adaclient.UpdateChannelRequest{})
			return err
		}},
		{"attachment type not allowed", "filename", func() error {
			_, _, err := c.Conversations.UploadAttachment(ctx, "c1", &adaclient.AttachmentUpload{Filename: "run.sh", Data: []byte("x")})
			return err
		}},
		{"attachment over 50 MB", "file", func() error {
			_, _, err := c.Conversations.UploadAttachment(ctx, "c1", &adaclient.AttachmentUpload{Filename: "a.zip", Data: make([]byte, adaclient.MaxAttachmentBytes+1)})
			return err
		}},
		{"attachment content type with a line break", "content_type", func() error {
			_, _, err := c.Conversations.UploadAttachment(ctx, "c1", &adaclient.AttachmentUpload{Filename: "a.txt", ContentType: "text/plain\r\nX-Evil: 1", Data: []byte("x")})
			return err
		}},
		{"email without subject", "subject", func() error {
			_, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "n", ReplyTo: "a@example.com"})
			return err
		}},
		{"email reply_to not an address", "reply_to", func() error {
			_, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "n", Subject: "s", ReplyTo: "nobody"})
			return err
		}},
		{"email cc not an address", "cc[1]", func() error {
			_, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "n", Subject: "s", ReplyTo: "a@example.com", CC: []string{"b@example.com", "c"}})
			return err
		}},
		{"email text over 10 KB", "text", func() error {
			_, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "n", Subject: "s", ReplyTo: "a@example.com", Text: strings.Repeat("x", 10*1024+1)})
			return err
		}},
		{"email metadata over 4 KB", "metadata", func() error {
			_, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "n", Subject: "s", ReplyTo: "a@example.com", Metadata: big})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *adaclient.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if ve.Field != tc.field {
				t.Fatalf("Field = %q, want %q (%v)", ve.Field, tc.field, err)
			}
			if strings.Contains(err.Error(), "s3cr3t-value") {
				t.Fatal("validation error quotes a sensitive value")
			}
		})
	}
	if got := rec.count.Load(); got != 0 {
		t.Fatalf("%d requests were sent for invalid input", got)
	}
}

func TestMetadataLimitsAcceptTheBoundary(t *testing.T) {
	rec := newRecorder(t, status(201, conversationJSON))
	c := rec.client(t)
	// {"k":"xxx..."} is exactly 4096 bytes.
	m := map[string]any{"k": strings.Repeat("x", 4096-len(`{"k":""}`))}
	if b, _ := json.Marshal(m); len(b) != 4096 {
		t.Fatalf("fixture is %d bytes", len(b))
	}
	if _, _, err := c.Conversations.Create(context.Background(), &adaclient.CreateConversationRequest{ChannelID: "ch1", Metadata: m}); err != nil {
		t.Fatalf("4096 bytes rejected: %v", err)
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	for _, tc := range []struct{ base, key string }{
		{"example.ada.support/api", testKey},
		{"ftp://example.ada.support/api", testKey},
		{"https://example.ada.support/api?x=1", testKey},
		{"https://example.ada.support/api", " "},
	} {
		if _, err := adaclient.New(tc.base, tc.key); err == nil {
			t.Errorf("New(%q) accepted", tc.base)
		} else if strings.Contains(err.Error(), testKey) {
			t.Errorf("error leaks the key: %v", err)
		}
	}
	// A base one level off (a version appended, /api left out on Ada's
	// host) is refused: its lookups would answer 404, read as "not found".
	for _, bad := range []string{"https://acme.ada.support/api/v2", "http://127.0.0.1:1/api/v2/", "https://acme.ada.support", "https://acme.ada.support/v2", "https://acme.ada.support/api/x"} {
		if _, err := adaclient.New(bad, testKey); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
	for _, good := range []string{"https://acme.eu.ada.support/api", "http://127.0.0.1:1/api", "https://proxy.example.com/ada"} {
		if _, err := adaclient.New(good, testKey); err != nil {
			t.Errorf("New(%q): %v", good, err)
		}
	}
	c, err := adaclient.New("https://example.ada.support/api/", testKey)
	if err != nil || c.BaseURL() != "https://example.ada.support/api" {
		t.Fatalf("trailing slash not trimmed: %v %v", c, err)
	}
	for handle, want := range map[string]string{"acme": "https://acme.ada.support/api", "acme.eu": "https://acme.eu.ada.support/api",
		"ACME": "https://acme.ada.support/api", strings.Repeat("a", 63): "https://" + strings.Repeat("a", 63) + ".ada.support/api"} {
		if got, err := adaclient.BaseURLForHandle(handle); err != nil || got != want {
			t.Errorf("BaseURLForHandle(%q) = %q, %v", handle, got, err)
		}
	}
	for _, bad := range []string{"", "acme/evil", "acme.ada.support/x", "a b", "-acme", strings.Repeat("a", 64), strings.Repeat("a", 300)} {
		if _, err := adaclient.BaseURLForHandle(bad); err == nil {
			t.Errorf("BaseURLForHandle(%q) accepted", bad)
		}
	}
}

func TestNullableRoundTrip(t *testing.T) {
	var v struct {
		A adaclient.Nullable[string] `json:"a,omitzero"`
		B adaclient.Nullable[string] `json:"b,omitzero"`
		C adaclient.Nullable[string] `json:"c,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{"a":null,"b":"x"}`), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A.IsNull() || v.C.IsNull() || !v.C.IsZero() {
		t.Fatalf("decoded %+v", v)
	}
	if s, ok := v.B.Get(); !ok || s != "x" {
		t.Fatalf("B = %q %v", s, ok)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"a":null,"b":"x"}` {
		t.Fatalf("encoded %s", out)
	}
}

// Every id that goes into a path is refused before sending when it is blank
// or a dot segment, which would name another path ("/v2/end-users/." is the
// list): one check for every service.
func TestPathIDsAreCheckedBeforeSending(t *testing.T) {
	var reached atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer srv.Close()
	c, err := adaclient.New(srv.URL+"/api", testKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calls := map[string]func(id string) error{
		"end_user_id":     func(id string) error { _, _, err := c.EndUsers.Get(ctx, id); return err },
		"conversation_id": func(id string) error { _, _, err := c.Conversations.Get(ctx, id); return err },
		"channel_id": func(id string) error {
			_, _, err := c.Channels.Update(ctx, id, &adaclient.UpdateChannelRequest{})
			return err
		},
		"job_id": func(id string) error { _, _, err := c.Compliance.Job(ctx, id); return err },
	}
	for field, call := range calls {
		for _, id := range []string{"", " ", ".", ".."} {
			var ve *adaclient.ValidationError
			if err := call(id); !errors.As(err, &ve) || ve.Field != field {
				t.Errorf("%s %q: %v, want a ValidationError on %s", field, id, err, field)
			}
		}
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("%d requests reached Ada", n)
	}
}

// A redirect is not followed, with the default HTTP client or one given:
// the key and the request would go to a URL nobody chose (past a
// multi-tenant server's allowlist). The 3xx is Ada's answer, an error.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var reached atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		fmt.Fprint(w, `{"id":"x","profile":{"first_name":"INTERNAL"}}`)
	}))
	t.Cleanup(target.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/latest/meta-data", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	for name, opts := range map[string][]adaclient.Option{
		"default client": nil,
		"given client":   {adaclient.WithHTTPClient(&http.Client{})},
	} {
		c, err := adaclient.New(redirector.URL+"/api", testKey, append([]adaclient.Option{adaclient.WithRetryPolicy(fastRetries)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.EndUsers.Get(context.Background(), "abc")
		if adaclient.StatusCode(err) != http.StatusFound {
			t.Errorf("%s: err = %v, want Ada's 302 as an error", name, err)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the redirect's target was called %d times", n)
	}
}

// MapNullable converts a value and keeps absent and null as they are.
func TestMapNullable(t *testing.T) {
	double := func(n int) int { return 2 * n }
	if v, ok := adaclient.MapNullable(adaclient.Value(21), double).Get(); !ok || v != 42 {
		t.Errorf("value: %v %v", v, ok)
	}
	if n := adaclient.MapNullable(adaclient.Null[int](), double); !n.IsNull() {
		t.Error("null is not kept")
	}
	if n := adaclient.MapNullable(adaclient.Nullable[int]{}, double); !n.IsZero() || n.IsNull() {
		t.Error("absent is not kept")
	}
}
