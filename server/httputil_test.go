package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

func TestAccessLog(t *testing.T) {
	var logs testlog.Buffer
	flushed := false
	h := accessLog(testLogger(&logs))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		if f, ok := w.(http.Flusher); ok { // SSE needs this through every wrapper
			f.Flush()
			flushed = true
		}
	}))
	r := httptest.NewRequest(http.MethodPost, "/message?sessionId=mcp-session-secretish", nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	r.Header.Set(HeaderAdaAPIKey, tenantKey)
	w := serve(h, r)
	if w.Code != http.StatusAccepted || !flushed || !w.Flushed {
		t.Fatalf("status %d, flushed %v/%v", w.Code, flushed, w.Flushed)
	}
	line := logs.String()
	if !strings.Contains(line, `"path":"/message"`) || !strings.Contains(line, `"status":202`) {
		t.Fatalf("log line: %s", line)
	}
	for _, secret := range []string{testToken, tenantKey, "sessionId", "secretish"} {
		if strings.Contains(line, secret) {
			t.Errorf("the access log contains %q: %s", secret, line)
		}
	}
}

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	serve(chain(&okHandler{}, mw("a"), mw("b"), mw("c")), httptest.NewRequest(http.MethodGet, "/", nil))
	if strings.Join(order, "") != "abc" {
		t.Fatalf("order = %v", order)
	}
}
