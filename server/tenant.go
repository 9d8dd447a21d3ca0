package server

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
)

// Headers that carry a tenant's Ada credentials in multi-tenant mode.
const (
	HeaderAdaAPIKey    = "X-Ada-Api-Key"
	HeaderAdaBaseURL   = "X-Ada-Base-URL"
	HeaderAdaBotHandle = "X-Ada-Bot-Handle"
)

const tenantCacheSize = 1024

// tenants builds one Ada client per distinct credential (API key + base
// URL), keeps the most recent ones, and shares one connection pool among
// them so evicted clients leave no idle connections behind.
type tenants struct {
	allow  allowlist
	logger *slog.Logger
	opts   []adaclient.Option

	mu    sync.Mutex
	order *list.List // of *tenantEntry, most recent first
	byKey map[string]*list.Element
}

type tenantEntry struct {
	id, fingerprint string
	client          *adaclient.Client
	secrets         *redact.Redactor // hides the tenant's key, as the server's own is hidden
}

func newTenants(allow allowlist, userAgent string, logger *slog.Logger) *tenants {
	return &tenants{
		allow:  allow,
		logger: logger,
		opts: []adaclient.Option{
			adaclient.WithHTTPClient(adaclient.NewHTTPClient()),
			adaclient.WithUserAgent(userAgent),
		},
		order: list.New(),
		byKey: map[string]*list.Element{},
	}
}

// tenantError is a request's tenant headers being wrong: a 400 that says
// what to send instead.
type tenantError string

func (e tenantError) Error() string { return string(e) }

// credentials reads and checks a request's X-Ada-* headers. ok is false
// when the request carries none.
func (t *tenants) credentials(h http.Header) (key, base string, ok bool, err error) {
	key = strings.TrimSpace(h.Get(HeaderAdaAPIKey))
	base = strings.TrimSpace(h.Get(HeaderAdaBaseURL))
	handle := strings.TrimSpace(h.Get(HeaderAdaBotHandle))
	switch {
	case key == "" && base == "" && handle == "":
		return "", "", false, nil
	case key == "":
		return "", "", false, tenantError("send the tenant's Ada API key in " + HeaderAdaAPIKey + " with " + HeaderAdaBaseURL + " or " + HeaderAdaBotHandle)
	case base != "" && handle != "":
		return "", "", false, tenantError("send either " + HeaderAdaBaseURL + " or " + HeaderAdaBotHandle + ", not both")
	case base == "" && handle == "":
		return "", "", false, tenantError("say which AI Agent the key is for: send " + HeaderAdaBotHandle + " (e.g. acme) or " + HeaderAdaBaseURL)
	case handle != "":
		b, herr := adaclient.BaseURLForHandle(handle)
		if herr != nil {
			return "", "", false, tenantError(HeaderAdaBotHandle + ": " + herr.Error())
		}
		base = b
	}
	base = strings.TrimRight(base, "/")
	if !t.allow.allows(base) {
		return "", "", false, tenantError(HeaderAdaBaseURL + " is not an allowed Ada API base URL (allowed: " + DefaultTenantBaseURL + " and the operator's --tenant-base-urls)")
	}
	return key, base, true, nil
}

// client returns the cached client for the credentials, building it on
// first use. The cache key is a hash: raw keys are never map keys or logged.
func (t *tenants) client(key, base string) (*tenantEntry, error) {
	sum := sha256.Sum256([]byte(base + "\x00" + key))
	id := hex.EncodeToString(sum[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.byKey[id]; ok {
		t.order.MoveToFront(el)
		return el.Value.(*tenantEntry), nil
	}
	fp := id[:12]
	secrets := redact.New(redact.WithSecrets(key))
	logger := slog.New(redact.NewHandler(t.logger.Handler(), secrets)).With("component", "adaclient", "tenant", fp)
	opts := slices.Concat(t.opts, []adaclient.Option{adaclient.WithLogger(logger)})
	c, err := adaclient.New(base, key, opts...)
	if err != nil {
		return nil, tenantError(HeaderAdaBaseURL + ": " + err.Error())
	}
	e := &tenantEntry{id: id, fingerprint: fp, client: c, secrets: secrets}
	t.byKey[id] = t.order.PushFront(e)
	if t.order.Len() > tenantCacheSize {
		oldest := t.order.Remove(t.order.Back()).(*tenantEntry)
		delete(t.byKey, oldest.id)
	}
	return e, nil
}

// middleware resolves the request's tenant. Wrong or partial credentials
// get 400; none at all pass, and the tools then answer with an isError
// result naming the headers (or use the server's default key, if any).
// The key header is removed once read.
func (t *tenants) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, base, ok, err := t.credentials(r.Header)
		r.Header.Del(HeaderAdaAPIKey)
		if err != nil {
			t.logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "bad tenant headers"),
				slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
			writeError(w, http.StatusBadRequest, "bad_tenant_credentials", err.Error())
			return
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		e, err := t.client(key, base)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_tenant_credentials", err.Error())
			return
		}
		cl := callerFrom(r.Context())
		cl.tenant, cl.client, cl.secrets = e.fingerprint, e.client, e.secrets
		next.ServeHTTP(w, withCaller(r, cl))
	})
}

// refuseTenantHeaders is the single-tenant counterpart: a client that sends
// its own Ada key to a server that would ignore it and use the operator's
// key instead is told so, rather than silently served from another account.
func refuseTenantHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(HeaderAdaAPIKey) != "" || r.Header.Get(HeaderAdaBaseURL) != "" || r.Header.Get(HeaderAdaBotHandle) != "" {
			r.Header.Del(HeaderAdaAPIKey)
			writeError(w, http.StatusBadRequest, "multi_tenant_off",
				"this server uses its operator's Ada credentials and does not accept X-Ada-* headers (multi-tenant mode is off)")
			return
		}
		next.ServeHTTP(w, r)
	})
}
