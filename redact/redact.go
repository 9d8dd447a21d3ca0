// Package redact is the single place where ada-mcp's redaction rules live.
// Every tool result, error message and log line leaves the server through
// it, so the rules in TOOLS.md are enforced here and nowhere else:
//
//   - Exact secrets (the Ada API key, the sensitive_metadata values of the
//     current call) never appear: any occurrence inside any string is
//     replaced by [Placeholder].
//   - Values that look like credentials (JWTs, bearer tokens, webhook
//     secrets, payment card numbers, common provider keys) are replaced
//     wherever they occur inside a string.
//   - Inside metadata objects, values whose key looks secret are replaced
//     wholesale. Outside metadata the key rule does not apply, because tool
//     results legitimately carry keys such as "author".
//   - Invisible characters (zero-width characters, bidi controls, Unicode
//     tags) are stripped from tool results and error messages
//     ([StripInvisible], [StripInvisibleString]); what stripping joins is
//     redacted again.
//
// A [Redactor] is immutable after construction and safe for concurrent use.
// Build one per process with [New] (carrying the API key) and derive a
// per-call one with [Redactor.With] or [Redactor.WithValues] when a call
// carries sensitive_metadata.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Placeholder replaces every redacted value or substring.
const Placeholder = "[REDACTED]"

// minSecretLen is the shortest exact secret used for substring replacement.
// Shorter secrets (a sensitive value of "42" or "yes") would turn ordinary
// text into confetti while protecting almost nothing; our own code paths
// still never emit them, and values under sensitive_metadata are redacted
// structurally by [Redactor.JSON] regardless of length.
const minSecretLen = 4

// defaultSecretKeyPatterns are matched case-insensitively as substrings of
// metadata keys. They are deliberately broad: a false positive only hides
// one metadata value, a false negative leaks a credential.
var defaultSecretKeyPatterns = []string{
	"token", "secret", "password", "passwd", "auth", "session",
	"api_key", "apikey", "credential", "ssn", "card", "cvv",
}

// DefaultSecretKeyPatterns returns a copy of the built-in list of key
// substrings that mark a metadata value as secret.
func DefaultSecretKeyPatterns() []string {
	return slices.Clone(defaultSecretKeyPatterns)
}

// Redactor applies the redaction rules. The zero value has no key patterns
// and no secrets; use [New]. A nil *Redactor behaves like New().
type Redactor struct {
	// keyPatterns are normalised with normalizeKey, never empty.
	keyPatterns [][]byte
	// secrets are the exact strings to remove, including their escaped
	// forms, deduplicated, each at least minSecretLen bytes long.
	secrets []string
}

// Option configures [New].
type Option func(*config)

type config struct {
	keyPatterns    []string
	keyPatternsSet bool
	secrets        []string
	values         []string
}

// WithSecretKeyPatterns replaces the default list of key substrings (see
// [DefaultSecretKeyPatterns]). Matching is case-insensitive and treats '-'
// and ' ' like '_', so "api_key" also matches "X-Api-Key". Empty patterns
// are ignored, so WithSecretKeyPatterns() with no arguments disables the
// metadata key rule. The last call wins.
func WithSecretKeyPatterns(patterns ...string) Option {
	return func(c *config) {
		c.keyPatterns = slices.Clone(patterns)
		c.keyPatternsSet = true
	}
}

// WithSecrets adds exact secrets, such as the Ada API key, also looked for
// base64-encoded. Calls accumulate.
func WithSecrets(secrets ...string) Option {
	return func(c *config) { c.secrets = append(c.secrets, secrets...) }
}

// WithStoredValues adds exact secrets written as data (sensitive_metadata
// values kept between calls), looked for as [Redactor.With] looks for its
// own: escaped, not base64-encoded, which would multiply the strings
// searched for in every result by the hundreds of values an account keeps.
// Calls accumulate.
func WithStoredValues(values ...string) Option {
	return func(c *config) { c.values = append(c.values, values...) }
}

// New returns a Redactor with the default key patterns unless overridden.
func New(opts ...Option) *Redactor {
	c := config{keyPatterns: defaultSecretKeyPatterns}
	for _, o := range opts {
		o(&c)
	}
	r := &Redactor{}
	for _, p := range c.keyPatterns {
		if p == "" {
			continue
		}
		r.keyPatterns = append(r.keyPatterns, []byte(normalizeKey(p)))
	}
	r.secrets = addSecrets(nil, c.secrets, true)
	r.secrets = addSecrets(r.secrets, c.values, false)
	return r
}

// defaultRedactor serves nil receivers, so a missing Redactor fails closed
// (credential shapes and default key patterns still apply).
var defaultRedactor = New()

func (r *Redactor) orDefault() *Redactor {
	if r == nil {
		return defaultRedactor
	}
	return r
}

// With returns a Redactor that also removes the given exact secrets, for
// the duration of one call. r is unchanged. The cost is one copy of r's
// secret list, so it is fine to call per request.
func (r *Redactor) With(secrets ...string) *Redactor {
	r = r.orDefault()
	merged := addSecrets(slices.Clip(r.secrets), secrets, false)
	if len(merged) == len(r.secrets) {
		return r
	}
	return &Redactor{keyPatterns: r.keyPatterns, secrets: merged}
}

// Merge returns a Redactor that also removes o's exact secrets (o's key
// patterns are not taken), for secrets kept between calls: their escaped
// forms were made once, when o was built, not per call. r is unchanged.
func (r *Redactor) Merge(o *Redactor) *Redactor {
	if o == nil || len(o.secrets) == 0 {
		return r
	}
	r = r.orDefault()
	merged := slices.Clip(r.secrets)
	for _, s := range o.secrets {
		if !slices.Contains(r.secrets, s) { // o's own are distinct already
			merged = append(merged, s)
		}
	}
	if len(merged) == len(r.secrets) {
		return r
	}
	return &Redactor{keyPatterns: r.keyPatterns, secrets: merged}
}

// WithValues is [Redactor.With] for sensitive_metadata values as they come
// out of JSON: strings are used as they are; integers (int*, uint*, integral
// float64 and json.Number) by their decimal form; booleans and nil are
// skipped. Booleans are skipped on purpose: their string forms "true" and
// "false" occur in ordinary text and in every JSON boolean, so matching
// them would corrupt results while hiding a single bit. They are still
// redacted structurally when they appear under sensitive_metadata.
func (r *Redactor) WithValues(values ...any) *Redactor {
	var ss []string
	for _, v := range values {
		if s, ok := valueSecret(v); ok {
			ss = append(ss, s)
		}
	}
	return r.With(ss...)
}

func valueSecret(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case int:
		return strconv.Itoa(t), true
	case int32:
		return strconv.FormatInt(int64(t), 10), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case uint:
		return strconv.FormatUint(uint64(t), 10), true
	case uint32:
		return strconv.FormatUint(uint64(t), 10), true
	case uint64:
		return strconv.FormatUint(t, 10), true
	case float64:
		if t == float64(int64(t)) {
			return strconv.FormatInt(int64(t), 10), true
		}
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}

// addSecrets appends each usable secret and its escaped forms to dst,
// skipping duplicates and secrets shorter than minSecretLen. Escaped forms
// are included because secrets also travel inside URLs and JSON text that
// ends up in error messages (e.g. a quoted response body), where they are
// no longer byte-identical to the raw value.
// With encoded, secrets are also looked for base64-encoded (base64Forms).
func addSecrets(dst []string, secrets []string, encoded bool) []string {
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		forms := []string{s, url.QueryEscape(s), url.PathEscape(s), jsonEscape(s, true), jsonEscape(s, false)}
		if encoded {
			forms = append(forms, base64Forms(s)...)
		}
		for _, v := range forms {
			if !slices.Contains(dst, v) {
				dst = append(dst, v)
			}
		}
	}
	return dst
}

// minBase64Secret is the shortest secret also looked for base64-encoded:
// its forms are then 13 characters or more, which ordinary text never
// holds by chance.
const minBase64Secret = 12

// base64Forms are the characters any base64 encoding of a text holding s
// is sure to contain, whatever s's offset in it (0, 1 or 2 bytes past a
// group of three) and in either alphabet: an Authorization: Basic header
// echoed back ("key:" encoded), or a JSON body encoded whole. Characters
// that share bits with s's neighbours are left out, so at most the first
// and last byte of s stay partly shown.
func base64Forms(s string) []string {
	if len(s) < minBase64Secret {
		return nil
	}
	var out []string
	for shift := range 3 {
		enc := base64.RawStdEncoding.EncodeToString(append(make([]byte, shift, shift+len(s)), s...))
		start, end := (8*shift+5)/6, 8*(shift+len(s))/6
		std := enc[start:end]
		out = append(out, std)
		if u := strings.NewReplacer("+", "-", "/", "_").Replace(std); u != std {
			out = append(out, u)
		}
	}
	return out
}

// jsonEscape returns s as it appears between the quotes of a JSON string.
func jsonEscape(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if enc.Encode(s) != nil {
		return s
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

// String removes exact secrets and credential-shaped substrings from s.
// It returns s itself (no allocation) when there is nothing to redact.
func (r *Redactor) String(s string) string { return r.orDefault().apply(s, allRules) }

// rules says which of String's rules can apply: a JSON document searched
// as a whole can rule out its exact secrets and credentials (see clean).
// Cards are always checked: their digits are too common to rule out.
type rules struct{ secrets, credentials bool }

var allRules = rules{secrets: true, credentials: true}

// apply is String with the rules that can apply. Exact secrets, credential
// shapes and cards are all found in the same text and their spans merged,
// so whatever overlaps is hidden whole: a secret inside a card or a token
// does not break its shape (a remembered "1881" replaced alone would
// leave "4012 8888 8888" of a card shown), and a token does not take part
// of a secret and leave the rest ("zq7w" of "zq7wghp_..."). Cards are also
// looked for as if the secrets and credentials were replaced already
// (unglued): "1111zq7w5555" holds no card, "1111[REDACTED]5555" may, and a
// secret may end in a card's last digits ("1881zq7w").
//
// A replaced secret can still make a shape of its neighbours (a card
// whose run it lengthened), so while secrets are replaced the rules run
// again until nothing changes: redacting redacted text must change
// nothing.
func (r *Redactor) apply(s string, rl rules) string {
	for range 4 {
		var secrets, creds []span
		if rl.secrets {
			secrets = r.secretSpans(s, nil)
		}
		if rl.credentials {
			creds = credentialSpans(s, 0, nil)
		}
		spans := cardSpans(s, append(secrets[:len(secrets):len(secrets)], creds...))
		if u, ok := unglued(s, secrets, creds); ok {
			spans = cardSpans(u, spans)
		}
		out := applySpans(s, spans)
		if len(secrets) == 0 || out == s {
			return out
		}
		s = out
	}
	return s
}

// secretSpans appends the spans of every occurrence of every exact secret,
// overlapping ones (or a secret overlapping itself, "aaaa" in "aaaaa")
// too: applySpans merges them, leaving no fragment behind.
func (r *Redactor) secretSpans(s string, spans []span) []span {
	for _, sec := range r.secrets {
		off := 0
		for {
			i := strings.Index(s[off:], sec)
			if i < 0 {
				break
			}
			spans = append(spans, span{off + i, off + i + len(sec)})
			off += i + 1
		}
	}
	return spans
}

// replaceSecrets replaces every occurrence of every exact secret.
func (r *Redactor) replaceSecrets(s string) string {
	return applySpans(s, r.secretSpans(s, nil))
}

// containsSecret reports whether s contains any exact secret.
func (r *Redactor) containsSecret(s string) bool {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// span is a half-open byte range [start, end) to replace.
type span struct{ start, end int }

// applySpans replaces the union of spans with one Placeholder per
// contiguous region. spans may be unsorted and overlapping.
func applySpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		b.WriteString(s[last:start])
		b.WriteString(Placeholder)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// IsSecretKey reports whether a metadata key looks like it holds a secret:
// it contains one of the key patterns, ignoring ASCII case, treating '-'
// and ' ' as '_', and ignoring invisible characters ("pass\u200bword" is a
// password key too).
func (r *Redactor) IsSecretKey(key string) bool {
	r = r.orDefault()
	if len(r.keyPatterns) == 0 {
		return false
	}
	if strings.IndexFunc(key, Invisible) >= 0 {
		key = strings.Map(func(c rune) rune {
			if Invisible(c) {
				return -1
			}
			return c
		}, key)
	}
	var buf [64]byte
	var k []byte
	if len(key) <= len(buf) {
		k = buf[:len(key)]
	} else {
		k = make([]byte, len(key))
	}
	for i := 0; i < len(key); i++ {
		k[i] = normalizeKeyByte(key[i])
	}
	for _, p := range r.keyPatterns {
		if bytes.Contains(k, p) {
			return true
		}
	}
	return false
}

func normalizeKey(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = normalizeKeyByte(b[i])
	}
	return string(b)
}

func normalizeKeyByte(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c + ('a' - 'A')
	case c == '-' || c == ' ':
		return '_'
	}
	return c
}
