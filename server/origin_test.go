package server

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func tcpAddr(t *testing.T, s string) net.Addr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOriginPolicy(t *testing.T) {
	loopback, err := newOriginPolicy([]string{"https://App.Example.com:443", "http://localhost:6274"}, tcpAddr(t, "127.0.0.1:8080"))
	if err != nil {
		t.Fatal(err)
	}
	public, err := newOriginPolicy([]string{"https://app.example.com"}, tcpAddr(t, "0.0.0.0:8080"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		p      originPolicy
		origin string
		want   bool
	}{
		{"configured, normalized", loopback, "https://app.example.com", true},
		{"configured, explicit default port", public, "https://app.example.com:443", true},
		{"configured inspector", loopback, "http://localhost:6274", true},
		{"own loopback origin", loopback, "http://127.0.0.1:8080", true},
		{"own loopback origin by name", loopback, "http://localhost:8080", true},
		{"own loopback origin v6", loopback, "http://[::1]:8080", true},
		{"another local port", loopback, "http://localhost:3000", false},
		{"https on own port", loopback, "https://127.0.0.1:8080", false},
		{"rebinding attacker", loopback, "http://evil.example", false},
		{"scheme differs", public, "http://app.example.com", false},
		{"subdomain", public, "https://x.app.example.com", false},
		{"opaque null", loopback, "null", false},
		{"public bind has no loopback defaults", public, "http://127.0.0.1:8080", false},
	} {
		if got := tc.p.allows(tc.origin); got != tc.want {
			t.Errorf("%s: allows(%q) = %v, want %v", tc.name, tc.origin, got, tc.want)
		}
	}
}

func TestOriginPolicyRejectsBadConfiguration(t *testing.T) {
	for _, o := range []string{"example.com", "ftp://example.com", "https://example.com/path", "https://user@example.com", "*"} {
		if _, err := newOriginPolicy([]string{o}, nil); err == nil {
			t.Errorf("%q accepted", o)
		}
	}
}

// wildcardCORS imitates mcp-go's SSE handler, which sets a wildcard
// Access-Control-Allow-Origin when its own CORS option is off.
var wildcardCORS = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusOK)
})

func TestOriginMiddleware(t *testing.T) {
	p, err := newOriginPolicy([]string{"https://app.example.com"}, tcpAddr(t, "127.0.0.1:8080"))
	if err != nil {
		t.Fatal(err)
	}
	h := p.middleware(discard)(wildcardCORS)

	t.Run("no origin passes, wildcard removed", func(t *testing.T) {
		w := serve(h, httptest.NewRequest(http.MethodGet, "/sse", nil))
		if w.Code != http.StatusOK || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("status %d, ACAO %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("bad origin is 403", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Header.Set("Origin", "http://evil.example")
		w := serve(h, r)
		if w.Code != http.StatusForbidden || errorCode(t, w) != "forbidden_origin" {
			t.Fatalf("status %d body %s", w.Code, w.Body)
		}
	})
	t.Run("allowed origin gets its own CORS headers", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/sse", nil)
		r.Header.Set("Origin", "https://app.example.com")
		w := serve(h, r)
		if w.Code != http.StatusOK || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || w.Header().Get("Vary") != "Origin" {
			t.Fatalf("status %d headers %v", w.Code, w.Header())
		}
	})
	t.Run("preflight is answered before auth", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodOptions, "/mcp", nil)
		r.Header.Set("Origin", "https://app.example.com")
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		w := serve(p.middleware(discard)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Fatal("a preflight reached the next handler")
		})), r)
		if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Headers") == "" || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Fatalf("status %d headers %v", w.Code, w.Header())
		}
	})
}
