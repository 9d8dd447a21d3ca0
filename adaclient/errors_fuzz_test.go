package adaclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// canned is a transport that answers every request with one response, so
// the fuzzer drives the client's whole reading of an answer without a
// network.
type canned struct {
	status int
	header http.Header
	body   []byte
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: c.header, Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// FuzzErrorResponse sends the client's requests (a read, and a message
// send that is not safe to repeat) to an Ada answering any status, content
// type, Retry-After and body. A non-2xx answer must come back as an
// *ErrorResponse with that status whatever the body, with Ada's errors when
// the body has them and otherwise a short one-line snippet without tags,
// cut between words;
// a body of valid UTF-8 gives a message of valid UTF-8; a Retry-After is
// never negative.
func FuzzErrorResponse(f *testing.F) {
	for _, s := range []struct {
		status      uint16
		contentType string
		retryAfter  string
		body        string
	}{
		{400, "application/json", "", `{"errors":[{"type":"validation_error","message":"bad field","details":[{"parameter":"$.profile"}]}]}`},
		{404, "application/json", "", `{"errors":[{"type":"not_found","message":"no such end user","details":"5f7e"}]}`},
		{409, "application/json", "", `{"errors":[]}`},
		{422, "application/json", "", `{"errors":{"type":"x"}}`},
		{429, "application/json", "2", `{"errors":[{"type":"rate_limited","message":"slow down"}]}`},
		{429, "text/plain", "Wed, 21 Oct 2015 07:28:00 GMT", `slow down`},
		{429, "text/plain", "99999999999", `slow down`},
		{503, "text/html", "-1", "<html><body><h1>503</h1>\n<p>upstream \xe2\x80\x94 down</p></body></html>"},
		{502, "text/html; charset=utf-8", "", "<html><body>" + strings.Repeat("é", 100) + "</body></html>"},
		{500, "", "", ""},
		{401, "application/json", "", `{"errors":[{"message":"Invalid API key"}]}`},
		{302, "text/html", "", `<a href="https://evil.example/">moved</a>`},
		{200, "application/json", "", `{"end_user_id":"u1"}`},
		{204, "", "", ""},
		{100, "", "", "x"},
	} {
		f.Add(s.status, s.contentType, s.retryAfter, []byte(s.body), false)
		f.Add(s.status, s.contentType, s.retryAfter, []byte(s.body), true)
	}
	f.Fuzz(func(t *testing.T, status uint16, contentType, retryAfter string, body []byte, send bool) {
		code := int(status)
		if code < 100 || code > 999 {
			code = 100 + code%900
		}
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		hc := &http.Client{Transport: canned{status: code, header: h, body: body}}
		c, err := adaclient.New("https://acme.ada.support/api", "fuzz_key_0123456789",
			adaclient.WithHTTPClient(hc), adaclient.WithRetryPolicy(adaclient.RetryPolicy{}))
		if err != nil {
			t.Fatal(err)
		}
		if send {
			_, _, err = c.Conversations.SendMessage(context.Background(), "c1",
				adaclient.TextMessage(adaclient.MessageAuthor{Role: "end_user", ID: "u1"}, "hi"))
		} else {
			_, _, err = c.EndUsers.Get(context.Background(), "u1")
		}
		if code >= 200 && code <= 299 {
			return // a success: decoding it is not this target's concern
		}
		checkErrorResponse(t, code, body, err)
	})
}

func checkErrorResponse(t *testing.T, code int, body []byte, err error) {
	t.Helper()
	var er *adaclient.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("status %d: got %T %v, want an *ErrorResponse", code, err, err)
	}
	if er.StatusCode != code {
		t.Fatalf("StatusCode %d, want %d", er.StatusCode, code)
	}
	if er.RetryAfter < 0 {
		t.Fatalf("RetryAfter %v is negative", er.RetryAfter)
	}
	msg := err.Error()
	if !strings.Contains(msg, fmt.Sprintf(": %d", code)) || er.Message() == "" {
		t.Fatalf("the message %q (Message %q) does not say status %d", msg, er.Message(), code)
	}
	if utf8.Valid(body) && !utf8.ValidString(msg) {
		t.Fatalf("valid UTF-8 in, invalid out: %q", msg)
	}
	var parsed struct {
		Errors []adaclient.APIError `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) == nil && len(parsed.Errors) > 0 {
		if len(er.Errors) != len(parsed.Errors) || er.BodySnippet != "" {
			t.Fatalf("Ada's %d errors read as %+v", len(parsed.Errors), er)
		}
		return
	}
	s := er.BodySnippet
	if len(body) > 0 && strings.TrimSpace(string(body)) != "" && s == "" && !strings.Contains(string(body), "<") {
		t.Fatalf("body %q lost", body)
	}
	if len(s) > 160+len("…") || strings.ContainsAny(s, "\n\r\t") {
		t.Fatalf("snippet not one short line: %q", s)
	}
	if i := strings.Index(s, "<"); i >= 0 && strings.Contains(s[i:], ">") {
		t.Fatalf("snippet keeps a tag: %q", s)
	}
	// Cut between words: the last word shown ends where one ends in the
	// body (a key echoed in the body is shown whole or not at all).
	if words := strings.Fields(strings.TrimSuffix(s, "…")); len(words) > 0 {
		last, text := words[len(words)-1], string(body)
		whole := strings.HasSuffix(text, last)
		for _, end := range []string{" ", "\t", "\n", "\r", "\f", "\v", "<"} {
			whole = whole || strings.Contains(text, last+end)
		}
		if !whole {
			t.Fatalf("snippet %q ends inside a word of %q", s, body)
		}
	}
}
