package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
)

// caller is who sent a request, as far as the middleware chain knows.
type caller struct {
	// identity is "token" once the bearer token matched, "anonymous" when
	// authentication is off. One shared token means one identity.
	identity string
	// tenant fingerprints the request's Ada credentials in multi-tenant
	// mode; empty otherwise.
	tenant string
	// client is the tenant's Ada client, nil for the server's default.
	client *adaclient.Client
	// secrets hides the tenant's API key in what its calls return.
	secrets *redact.Redactor
}

type callerKey struct{}

func callerFrom(ctx context.Context) caller {
	c, _ := ctx.Value(callerKey{}).(caller)
	return c
}

func withCaller(r *http.Request, c caller) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
}

// principal is what sessions are bound to: the identity and the tenant.
func (c caller) principal() string { return c.identity + "|" + c.tenant }

const realm = `Bearer realm="ada-mcp"`

// bearerAuth checks "Authorization: Bearer <token>" against the configured
// token. Both sides are hashed first so the comparison takes the same time
// whatever the length of the guess.
type bearerAuth struct {
	want [sha256.Size]byte
	on   bool
}

func newBearerAuth(token string) bearerAuth {
	if token == "" {
		return bearerAuth{}
	}
	return bearerAuth{want: sha256.Sum256([]byte(token)), on: true}
}

func (a bearerAuth) valid(header string) bool {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], a.want[:]) == 1
}

// middleware answers 401 to a request without the right token and removes
// the header from the request once checked, so nothing downstream (mcp-go
// puts request headers in the tool context) can ever see or forward it.
// CORS preflights carry no credentials by design and pass; the origin
// check answers them.
func (a bearerAuth) middleware(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !a.on {
				next.ServeHTTP(w, withCaller(r, caller{identity: "anonymous"}))
				return
			}
			header := r.Header.Get("Authorization")
			if !a.valid(header) {
				challenge, msg := realm, "this server requires Authorization: Bearer <token> (the server's ADA_MCP_AUTH_TOKEN)"
				if header != "" {
					challenge += `, error="invalid_token"`
					msg = "the bearer token is not valid for this server"
				}
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "unauthorized"),
					slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				w.Header().Set("WWW-Authenticate", challenge)
				writeError(w, http.StatusUnauthorized, "unauthorized", msg)
				return
			}
			r.Header.Del("Authorization")
			next.ServeHTTP(w, withCaller(r, caller{identity: "token"}))
		})
	}
}
