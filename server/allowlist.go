package server

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
)

// DefaultTenantBaseURL is the one X-Ada-Base-URL pattern always allowed:
// Ada's own API hosts, regional ones included (acme.eu.ada.support).
const DefaultTenantBaseURL = "https://*.ada.support/api"

// allowlist guards multi-tenant mode against SSRF: a tenant's base URL is
// only used if it matches a pattern exactly (scheme, host, port, path); a
// host pattern may start with "*." to match any subdomain, at any depth.
type allowlist []urlPattern

type urlPattern struct {
	scheme, host, port, path string
	wildcard                 bool // host is a suffix such as ".ada.support"
}

func newAllowlist(extra []string) (allowlist, error) {
	var a allowlist
	for _, s := range append([]string{DefaultTenantBaseURL}, extra...) {
		p, err := parsePattern(s)
		if err != nil {
			return nil, err
		}
		a = append(a, p)
	}
	return a, nil
}

func parsePattern(s string) (urlPattern, error) {
	wildcard := false
	raw := strings.TrimSpace(s)
	if i := strings.Index(raw, "://*."); i >= 0 {
		wildcard = true
		raw = raw[:i+3] + "wildcard" + raw[i+4:] // "https://*.x" parses as "https://wildcard.x"
	}
	u, err := splitURL(raw)
	if err != nil {
		return urlPattern{}, fmt.Errorf("%q: %v (want e.g. https://*.ada.support/api or http://127.0.0.1:8081/api)", s, err)
	}
	if wildcard {
		u.host = strings.TrimPrefix(u.host, "wildcard")
		if strings.Count(u.host, ".") < 2 {
			return urlPattern{}, fmt.Errorf("%q: a wildcard needs a registrable domain after it, such as *.example.com", s)
		}
	}
	u.wildcard = wildcard
	return u, nil
}

// splitURL normalizes an absolute http(s) URL without credentials, query or
// fragment into its parts, with the default port made explicit.
func splitURL(s string) (urlPattern, error) {
	u, err := url.Parse(s)
	if err != nil {
		return urlPattern{}, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return urlPattern{}, fmt.Errorf("scheme must be http or https")
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.ForceQuery {
		return urlPattern{}, fmt.Errorf("must be scheme://host[:port]/path without credentials, query or fragment")
	}
	host := strings.ToLower(u.Hostname())
	if !hostRE().MatchString(host) {
		return urlPattern{}, fmt.Errorf("invalid host %q", host)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return urlPattern{scheme: u.Scheme, host: host, port: port, path: strings.TrimRight(u.EscapedPath(), "/")}, nil
}

// hostRE accepts DNS names and IPv4/IPv6 literals, nothing else.
var hostRE = lazyregexp.New(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^[0-9a-f:.]+$`)

// allows reports whether base is an allowed Ada API base URL.
func (a allowlist) allows(base string) bool {
	u, err := splitURL(base)
	if err != nil {
		return false
	}
	for _, p := range a {
		if p.scheme != u.scheme || p.port != u.port || p.path != u.path {
			continue
		}
		if p.wildcard {
			if strings.HasSuffix(u.host, p.host) && len(u.host) > len(p.host) {
				return true
			}
		} else if p.host == u.host {
			return true
		}
	}
	return false
}
