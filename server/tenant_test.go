package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

const tenantKey = "ada_tenant_key_3b9f1c7e5a2d"

func newTestTenants(t *testing.T, logs *testlog.Buffer) *tenants {
	t.Helper()
	allow, err := newAllowlist([]string{"http://127.0.0.1:8081/api"})
	if err != nil {
		t.Fatal(err)
	}
	return newTenants(allow, "ada-mcp/test", testLogger(logs))
}

func TestTenantCredentials(t *testing.T) {
	tn := newTestTenants(t, &testlog.Buffer{})
	for _, tc := range []struct {
		name                string
		key, base, handle   string
		wantBase, wantError string
	}{
		{name: "none"},
		{name: "handle", key: tenantKey, handle: "acme", wantBase: "https://acme.ada.support/api"},
		{name: "regional handle", key: tenantKey, handle: "acme.eu", wantBase: "https://acme.eu.ada.support/api"},
		{name: "base URL", key: tenantKey, base: "https://acme.ada.support/api/", wantBase: "https://acme.ada.support/api"},
		{name: "allowlisted simulator", key: tenantKey, base: "http://127.0.0.1:8081/api", wantBase: "http://127.0.0.1:8081/api"},
		{name: "no key", handle: "acme", wantError: HeaderAdaAPIKey},
		{name: "key only", key: tenantKey, wantError: HeaderAdaBotHandle},
		{name: "both", key: tenantKey, handle: "acme", base: "https://acme.ada.support/api", wantError: "not both"},
		{name: "SSRF", key: tenantKey, base: "http://169.254.169.254/api", wantError: "not an allowed"},
		{name: "bad handle", key: tenantKey, handle: "acme.ada.support/x", wantError: "invalid Ada bot handle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range map[string]string{HeaderAdaAPIKey: tc.key, HeaderAdaBaseURL: tc.base, HeaderAdaBotHandle: tc.handle} {
				if v != "" {
					h.Set(k, v)
				}
			}
			key, base, ok, err := tn.credentials(h)
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantError)
				}
				if strings.Contains(err.Error(), tenantKey) {
					t.Fatal("the error repeats the key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.wantBase != "") || base != tc.wantBase || (ok && key != tenantKey) {
				t.Fatalf("got ok=%v base=%q", ok, base)
			}
		})
	}
}

func TestTenantClientCache(t *testing.T) {
	tn := newTestTenants(t, &testlog.Buffer{})
	a1, _ := tn.client(tenantKey, "https://acme.ada.support/api")
	a2, _ := tn.client(tenantKey, "https://acme.ada.support/api")
	b, _ := tn.client(tenantKey+"x", "https://acme.ada.support/api")
	c, _ := tn.client(tenantKey, "https://other.ada.support/api")
	fa, fb := a1.fingerprint, b.fingerprint
	if a1.client != a2.client {
		t.Fatal("the same credentials built two clients")
	}
	if a1.client == b.client || a1.client == c.client || fa == fb {
		t.Fatal("different credentials share a client or a fingerprint")
	}
	if strings.Contains(fa, tenantKey) || len(fa) != 12 {
		t.Fatalf("fingerprint %q", fa)
	}
	for i := range tenantCacheSize + 10 {
		if _, err := tn.client(fmt.Sprintf("key-%04d-padding", i), "https://acme.ada.support/api"); err != nil {
			t.Fatal(err)
		}
	}
	if tn.order.Len() != tenantCacheSize || len(tn.byKey) != tenantCacheSize {
		t.Fatalf("cache holds %d/%d entries, bound %d", tn.order.Len(), len(tn.byKey), tenantCacheSize)
	}
	if again, _ := tn.client(tenantKey, "https://acme.ada.support/api"); again.client == a1.client {
		t.Fatal("the least recently used client was not evicted")
	}
}

func TestTenantMiddleware(t *testing.T) {
	var logs testlog.Buffer
	tn := newTestTenants(t, &logs)
	next := &okHandler{}
	h := tn.middleware(next)

	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set(HeaderAdaAPIKey, tenantKey)
	r.Header.Set(HeaderAdaBotHandle, "acme")
	if w := serve(h, withCaller(r, caller{identity: "token"})); w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	c := callerFrom(next.got.Context())
	if c.client == nil || c.tenant == "" || c.identity != "token" {
		t.Fatalf("caller = %+v", c)
	}
	if next.got.Header.Get(HeaderAdaAPIKey) != "" {
		t.Fatal("the tenant key reached the MCP handler")
	}

	next.got = nil
	if w := serve(h, httptest.NewRequest(http.MethodPost, "/mcp", nil)); w.Code != http.StatusOK || callerFrom(next.got.Context()).client != nil {
		t.Fatal("a request without tenant headers should pass to the default client")
	}

	r = httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set(HeaderAdaAPIKey, tenantKey)
	r.Header.Set(HeaderAdaBaseURL, "http://10.0.0.1/api")
	w := serve(h, r)
	if w.Code != http.StatusBadRequest || errorCode(t, w) != "bad_tenant_credentials" {
		t.Fatalf("SSRF attempt: %d %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String()+logs.String(), tenantKey) {
		t.Fatal("the tenant key was echoed or logged")
	}
}

func TestRefuseTenantHeaders(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set(HeaderAdaAPIKey, tenantKey)
	w := serve(refuseTenantHeaders(&okHandler{}), r)
	if w.Code != http.StatusBadRequest || errorCode(t, w) != "multi_tenant_off" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := serve(refuseTenantHeaders(&okHandler{}), httptest.NewRequest(http.MethodPost, "/mcp", nil)); w.Code != http.StatusOK {
		t.Fatalf("plain request: %d", w.Code)
	}
}
