package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

const testToken = "tok_7d9e1f0a5b3c4d2e8f6a"

func TestBearerAuthRejects(t *testing.T) {
	var logs testlog.Buffer
	h := newBearerAuth(testToken).middleware(testLogger(&logs))(&okHandler{})
	for _, tc := range []struct{ name, header, challenge string }{
		{"missing", "", `Bearer realm="ada-mcp"`},
		{"wrong token", "Bearer tok_wrong_guess_0000000000", `Bearer realm="ada-mcp", error="invalid_token"`},
		{"token prefix", "Bearer " + testToken[:len(testToken)-1], `Bearer realm="ada-mcp", error="invalid_token"`},
		{"other scheme", "Basic " + testToken, `Bearer realm="ada-mcp", error="invalid_token"`},
		{"no scheme", testToken, `Bearer realm="ada-mcp", error="invalid_token"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := serve(h, r)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", w.Code)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
			}
			if errorCode(t, w) != "unauthorized" {
				t.Errorf("body = %s", w.Body)
			}
			if tc.header != "" && strings.Contains(w.Body.String()+logs.String(), tc.header) {
				t.Error("the presented credential was echoed in the response or the logs")
			}
		})
	}
	if strings.Contains(logs.String(), testToken) {
		t.Error("the token reached the logs")
	}
}

func TestBearerAuthAcceptsAndStripsTheHeader(t *testing.T) {
	next := &okHandler{}
	h := newBearerAuth(testToken).middleware(discard)(next)
	for _, header := range []string{"Bearer " + testToken, "bearer " + testToken, "  Bearer  " + testToken + " "} {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Header.Set("Authorization", header)
		if w := serve(h, r); w.Code != http.StatusOK {
			t.Fatalf("%q: status = %d", header, w.Code)
		}
		if next.got.Header.Get("Authorization") != "" {
			t.Fatal("the Authorization header reached the MCP handler")
		}
		if c := callerFrom(next.got.Context()); c.identity != "token" {
			t.Fatalf("caller = %+v", c)
		}
	}
}

func TestBearerAuthOff(t *testing.T) {
	next := &okHandler{}
	h := newBearerAuth("").middleware(discard)(next)
	if w := serve(h, httptest.NewRequest(http.MethodPost, "/mcp", nil)); w.Code != http.StatusOK {
		t.Fatalf("status = %d", w.Code)
	}
	if c := callerFrom(next.got.Context()); c.identity != "anonymous" {
		t.Fatalf("caller = %+v", c)
	}
}
