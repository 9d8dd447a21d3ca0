package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// originPolicy is the MCP spec's DNS-rebinding defence, which mcp-go leaves
// to us (it only checks Host): a request whose Origin header is not allowed
// gets 403. Requests without Origin come from non-browser clients and pass.
// Allowed browser origins also get CORS headers, preflights included.
type originPolicy struct {
	allowed map[string]bool // normalized scheme://host[:port]
}

// newOriginPolicy allows the configured origins and, when the server
// listens on loopback, its own loopback origins (http://127.0.0.1:PORT,
// http://localhost:PORT, http://[::1]:PORT).
func newOriginPolicy(configured []string, listen net.Addr) (originPolicy, error) {
	p := originPolicy{allowed: map[string]bool{}}
	for _, o := range configured {
		n, err := normalizeOrigin(o)
		if err != nil {
			return p, err
		}
		p.allowed[n] = true
	}
	if listen != nil && IsLoopbackAddr(listen.String()) {
		if _, port, err := net.SplitHostPort(listen.String()); err == nil {
			for _, host := range []string{"127.0.0.1", "localhost", "[::1]"} {
				p.allowed["http://"+host+":"+port] = true
			}
		}
	}
	return p, nil
}

// normalizeOrigin lowercases an origin and drops its default port, so
// "HTTPS://Example.com:443" and "https://example.com" compare equal.
func normalizeOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin such as https://app.example.com or http://localhost:6274", s)
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return scheme + "://" + host, nil
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("%q has an invalid port", s)
	}
	return scheme + "://" + host + ":" + port, nil
}

func (p originPolicy) allows(origin string) bool {
	n, err := normalizeOrigin(origin)
	return err == nil && p.allowed[n]
}

// Headers a browser client may send and read.
const (
	corsAllowMethods  = "GET, POST, DELETE, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID, X-Ada-Api-Key, X-Ada-Base-URL, X-Ada-Bot-Handle"
	corsExposeHeaders = "Mcp-Session-Id, WWW-Authenticate"
)

func (p originPolicy) middleware(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(&corsWriter{ResponseWriter: w}, r)
				return
			}
			if !p.allows(origin) {
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", slog.String("reason", "origin not allowed"),
					slog.String("origin", origin), slog.String("path", r.URL.Path), slog.String("remote_ip", remoteIP(r)))
				writeError(w, http.StatusForbidden, "forbidden_origin",
					"origin "+strconv.Quote(origin)+" is not allowed; the server operator can add it with --allowed-origins")
				return
			}
			h := w.Header()
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(&corsWriter{ResponseWriter: w, origin: origin}, r)
		})
	}
}

// corsWriter keeps Access-Control-Allow-Origin ours. mcp-go's SSE handler
// sets it to "*" whenever its own CORS option is off; we answer CORS here
// instead, so a wildcard never goes out.
type corsWriter struct {
	http.ResponseWriter
	origin string
	fixed  bool
}

func (w *corsWriter) fix() {
	if w.fixed {
		return
	}
	w.fixed = true
	if w.origin == "" {
		w.Header().Del("Access-Control-Allow-Origin")
	} else {
		w.Header().Set("Access-Control-Allow-Origin", w.origin)
	}
}

func (w *corsWriter) WriteHeader(code int) {
	w.fix()
	w.ResponseWriter.WriteHeader(code)
}

func (w *corsWriter) Write(p []byte) (int, error) {
	w.fix()
	return w.ResponseWriter.Write(p)
}

func (w *corsWriter) Flush() {
	w.fix()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *corsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
