package redact

import (
	"strings"

	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
)

// credentialRE matches every credential shape but a URL's password
// (userinfoRE) in one leftmost-first pass.
// It is compiled once, at first use (a start pays for it only when a
// string passes mayContainCredential); regexp.Regexp is safe for
// concurrent use.
//
// Boundaries: "sk_"/"rk_" need a word boundary before them because
// "task_test_..." is an ordinary identifier; the other prefixes are
// distinctive enough that requiring a boundary would only create misses.
var credentialRE = lazyregexp.New(credentialPattern)

var credentialPattern = strings.Join([]string{
	// RFC 6750 b64token after the scheme. Whether the "token" is really a
	// token or an English word is decided in replaceCredential.
	`(?i:\bbearer)[ \t]+[A-Za-z0-9\-._~+/]+=*`,
	// JWT: three base64url segments, the header starting with '{"'. The
	// signature may be empty (unsigned tokens); up to two more segments
	// cover JWE (five segments).
	`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}`,
	// Svix/Standard Webhooks signing secret (base64 body).
	`whsec_[A-Za-z0-9+/=_-]+`,
	// Stripe secret and restricted keys.
	`\b[rs]k_(?:live|test)_[A-Za-z0-9]+`,
	// GitHub classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained tokens.
	`gh[pousr]_[A-Za-z0-9]+`,
	`github_pat_[A-Za-z0-9_]+`,
	// Slack tokens.
	`xox[abposr]-[A-Za-z0-9-]+`,
	// AWS access key ids (long-term and temporary).
	`(?:AKIA|ASIA)[0-9A-Z]{16}`,
	// A query parameter (?name=value or &name=value): its value goes when
	// the name says secret (?token=, &api_key=, ?sig=), decided in
	// credentialSpan, which searches other values for credentials.
	`[?&][A-Za-z0-9_.-]+=[^&#\s"'<>]+`,
}, "|")

// userinfoRE matches a URL's userinfo with a password
// (scheme://user:password@host): the password goes, the rest stays
// readable (credentialSpan). As in net/url, the userinfo ends at the
// authority's last '@' (a password may hold '@') and the user at its
// first ':'. It is searched apart from credentialRE, whose one
// leftmost-first pass would let a token or bearer match run into the
// scheme (ghp_…https://user:pw@) and hide the URL from it.
var userinfoRE = lazyregexp.New(`[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#:"'<>]*:[^\s/?#"'<>]+@`)

// mayContainCredential is a cheap prefilter for credentialRE: every
// alternative starts with one of these literals, and strings.Contains is
// far cheaper than running the regexp over text that cannot match, which
// is almost all text.
func mayContainCredential(s string) bool {
	if len(s) < len("ghp_x") { // the shortest possible match
		return false
	}
	if containsJWTStart(s) || strings.Contains(s, "xox") ||
		strings.Contains(s, "AKIA") || strings.Contains(s, "ASIA") {
		return true
	}
	if strings.IndexByte(s, '_') >= 0 &&
		(strings.Contains(s, "whsec_") || strings.Contains(s, "k_live_") ||
			strings.Contains(s, "k_test_") || strings.Contains(s, "github_pat_") ||
			containsGitHubToken(s)) {
		return true
	}
	return containsBearer(s) || containsURLPassword(s) || containsSecretQuery(s)
}

// containsSecretQuery reports whether s holds a query parameter whose name
// says secret: "?token=" or "&api_key=" followed by a value.
func containsSecretQuery(s string) bool {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], '=')
		if i < 0 {
			return false
		}
		eq := off + i
		if name, ok := queryName(s, eq); ok && eq+1 < len(s) && isSecretQueryName(name) {
			return true
		}
		off = eq + 1
	}
}

// queryName is the parameter name before the '=' at s[eq], when a '?' or
// '&' starts it.
func queryName(s string, eq int) (string, bool) {
	j := eq
	for j > 0 && isQueryNameByte(s[j-1]) {
		j--
	}
	if j == 0 || j == eq || (s[j-1] != '?' && s[j-1] != '&') {
		return "", false
	}
	return s[j:eq], true
}

func isQueryNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// secretQueryNames are names, or the ends of names (access_token,
// client_secret, X-Amz-Signature), of query parameters that carry secrets.
var secretQueryNames = []string{"token", "secret", "password", "passwd", "pwd", "apikey", "api_key", "api-key",
	"credential", "signature", "sessionid", "session_id"}

// isSecretQueryName reports whether a query parameter's name says its
// value is secret. "key", "sig", "auth" and "session" count only whole:
// "monkey" or "author" do not.
func isSecretQueryName(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "key", "sig", "auth", "session":
		return true
	}
	for _, w := range secretQueryNames {
		if strings.HasSuffix(n, w) {
			return true
		}
	}
	return false
}

// containsURLPassword reports whether a "://" in s is followed, within the
// URL's authority, by a ':' and then an '@' (scheme://user:password@).
// Text without an '@' cannot hold one, and is ruled out first.
func containsURLPassword(s string) bool {
	if strings.IndexByte(s, '@') < 0 {
		return false
	}
	for off := 0; ; {
		i := strings.Index(s[off:], "://")
		if i < 0 {
			return false
		}
		off += i + len("://")
		colon := false
		for _, c := range []byte(s[off:]) {
			if c == ':' {
				colon = true
			} else if c == '@' {
				if colon {
					return true
				}
			} else if strings.IndexByte("/?#\"'<> \t\r\n", c) >= 0 {
				break
			}
		}
	}
}

// containsJWTStart reports whether s contains "eyJ". It searches for the
// rare 'J' rather than the very common 'e' that strings.Index would use.
func containsJWTStart(s string) bool {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], 'J')
		if i < 0 {
			return false
		}
		if j := off + i; j >= 2 && s[j-2] == 'e' && s[j-1] == 'y' {
			return true
		}
		off += i + 1
	}
}

// containsGitHubToken reports whether s contains "gh" + one of "pousr" + "_".
func containsGitHubToken(s string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], "gh")
		if i < 0 {
			return false
		}
		j := off + i + 2
		if j+1 < len(s) && strings.IndexByte("pousr", s[j]) >= 0 && s[j+1] == '_' {
			return true
		}
		off = j
	}
}

// containsBearer reports whether s contains "bearer" in any ASCII case.
func containsBearer(s string) bool {
	for _, first := range [...]byte{'b', 'B'} {
		for off := 0; ; {
			i := strings.IndexByte(s[off:], first)
			if i < 0 || len(s)-(off+i) < len("bearer") {
				break
			}
			if strings.EqualFold(s[off+i:off+i+len("bearer")], "bearer") {
				return true
			}
			off += i + 1
		}
	}
	return false
}

// credentialSpans appends the spans of s to replace for its credentials,
// offset by off (s may be part of a longer string).
func credentialSpans(s string, off int, spans []span) []span {
	if !mayContainCredential(s) {
		return spans
	}
	for _, m := range credentialRE().FindAllStringIndex(s, -1) {
		spans = credentialSpan(s, m[0], m[1], off, spans)
	}
	if containsURLPassword(s) {
		for _, m := range userinfoRE().FindAllStringIndex(s, -1) {
			spans = credentialSpan(s, m[0], m[1], off, spans)
		}
	}
	return spans
}

// credentialSpan appends what to replace of the credentialRE match s[a:b].
//
// For "Bearer <token>" the scheme word is kept so logs still show which
// kind of credential was present. Prose such as "the bearer of this card"
// also matches the regexp, so a token made only of ASCII letters and
// shorter than 20 characters (ignoring trailing sentence dots) is treated
// as an English word and left alone. Real bearer tokens are long random
// strings that contain digits or punctuation; anything with a digit or one
// of "-._~+/=" in it, or 20 letters or more, is redacted.
func credentialSpan(s string, a, b, off int, spans []span) []span {
	m := s[a:b]
	if i := strings.Index(m, "://"); i >= 0 && strings.HasSuffix(m, "@") {
		// scheme://user:password@ → scheme://user:[REDACTED]@. The user
		// may itself be a token (https://ghp_…:x-oauth-basic@github.com);
		// it holds no "://", so this recursion ends.
		user := a + i + len("://")
		colon := user + strings.IndexByte(s[user:b], ':')
		spans = credentialSpans(s[user:colon], off+user, spans)
		return append(spans, span{off + colon + 1, off + b - 1})
	}
	if m[0] == '?' || m[0] == '&' {
		// ?name=value: the value goes when the name says secret; another
		// value may still hold a credential (?state=eyJ…).
		eq := a + strings.IndexByte(m, '=')
		if isSecretQueryName(s[a+1 : eq]) {
			return append(spans, span{off + eq + 1, off + b})
		}
		return credentialSpans(s[eq+1:b], off+eq+1, spans)
	}
	const scheme = len("bearer")
	if len(m) <= scheme || !strings.EqualFold(m[:scheme], "bearer") {
		return append(spans, span{off + a, off + b})
	}
	i := scheme
	for i < len(m) && (m[i] == ' ' || m[i] == '\t') {
		i++
	}
	tok := strings.TrimRight(m[i:], ".")
	if tok == "" || isProseWord(tok) {
		return spans
	}
	return append(spans, span{off + a + i, off + a + i + len(tok)})
}

func isProseWord(s string) bool {
	if len(s) >= 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // ASCII lower case; digits and punctuation stay non-letters
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
