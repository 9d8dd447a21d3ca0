package server

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Transports served by this package (stdio is served by main).
const (
	TransportHTTP = "http" // Streamable HTTP at /mcp, both protocol eras
	TransportSSE  = "sse"  // legacy HTTP+SSE: GET /sse + POST /message
)

// Defaults for Config fields left zero.
const (
	DefaultAddr                   = "127.0.0.1:8080"
	DefaultMaxBodyBytes           = 1 << 20
	DefaultMaxConcurrentPerClient = 32
	DefaultShutdownTimeout        = 20 * time.Second
)

// Fixed HTTP limits. There is deliberately no write timeout: SSE streams and
// streamed tool results (send_message waits up to a minute) must not be cut.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second // headers and body; cleared once the body is read
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64<<10 - 4096 // net/http allows 4096 bytes over MaxHeaderBytes: 64 KiB in all
	readyCacheTTL     = 15 * time.Second
	readyCheckTimeout = 5 * time.Second
	keepAliveInterval = 30 * time.Second // pings on SSE streams, for proxies that drop idle connections
	sessionIdleTTL    = 30 * time.Minute // forget legacy sessions a client never DELETEs
	minTokenLength    = 16
)

// Config is how the HTTP transports run. main fills it from flags and the
// environment; this package reads neither.
type Config struct {
	// Transport is TransportHTTP or TransportSSE.
	Transport string
	// Addr is the listen address, DefaultAddr if empty.
	Addr string
	// AuthToken is the bearer token MCP clients must send. It is ours: never
	// forwarded to Ada, never logged. Empty turns authentication off, which
	// is only allowed on a loopback address.
	AuthToken string
	// AllowedOrigins are browser origins (scheme://host[:port]) allowed to
	// call; a request with any other Origin gets 403. On a loopback address
	// the server's own loopback origins are always allowed.
	AllowedOrigins []string
	// MaxBodyBytes bounds a request body (413 above it).
	MaxBodyBytes int64
	// MaxConcurrentPerClient bounds the requests one client (identity +
	// remote IP) has in flight (429 above it).
	MaxConcurrentPerClient int
	// ShutdownTimeout bounds how long in-flight calls may finish after
	// shutdown starts.
	ShutdownTimeout time.Duration
	// MultiTenant takes Ada credentials from each request's X-Ada-* headers.
	MultiTenant bool
	// TenantBaseURLs extend the X-Ada-Base-URL allowlist (always
	// https://*.ada.support/api); a host may start with "*.".
	TenantBaseURLs []string
	// UserAgent is sent to Ada by per-tenant clients.
	UserAgent string
	// WebhookAddr, if set, is a second listener that serves only Ada's
	// webhooks (Deps.Webhooks), for a deployment that exposes them apart
	// from MCP.
	WebhookAddr string

	// maxSessions overrides maxLiveSessions, for tests.
	maxSessions int
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxConcurrentPerClient <= 0 {
		c.MaxConcurrentPerClient = DefaultMaxConcurrentPerClient
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.UserAgent == "" {
		c.UserAgent = "ada-mcp"
	}
	return c
}

// Validate reports configuration mistakes before anything listens.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.Transport != TransportHTTP && c.Transport != TransportSSE {
		return fmt.Errorf("transport must be %q or %q, not %q", TransportHTTP, TransportSSE, c.Transport)
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080", c.Addr)
	}
	if err := CheckExposure(c.Addr, c.AuthToken); err != nil {
		return err
	}
	for _, o := range c.AllowedOrigins {
		if _, err := normalizeOrigin(o); err != nil {
			return fmt.Errorf("--allowed-origins: %w", err)
		}
	}
	if _, err := newAllowlist(c.TenantBaseURLs); err != nil {
		return fmt.Errorf("--tenant-base-urls: %w", err)
	}
	return nil
}

// CheckExposure refuses an unauthenticated server on anything but a
// loopback address, and a token too short to resist guessing.
func CheckExposure(addr, token string) error {
	if token != "" && len(token) < minTokenLength {
		return fmt.Errorf("the auth token is %d characters; use at least %d random characters (e.g. openssl rand -hex 32)", len(token), minTokenLength)
	}
	if token == "" && !IsLoopbackAddr(addr) {
		return errors.New("refusing to listen on " + addr + " without authentication: set ADA_MCP_AUTH_TOKEN (or --auth-token-file), or listen on 127.0.0.1")
	}
	return nil
}

// IsLoopbackAddr reports whether a listen address (host:port) only accepts
// local connections. An empty host, 0.0.0.0 or a host name other than
// localhost listen beyond this machine.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return isLoopbackHost(host)
}

func isLoopbackHost(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
