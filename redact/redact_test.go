package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	testAPIKey    = "ada_live_3f9c2b7e81d04a6f9e5c3b1a7d2e8f40"
	testSensitive = "maiden-name-Fernsby"
	testJWT       = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	testWhsec     = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
)

// secretCase is one credential in context: in is embedded in text, leak is
// the part that must never be output, want is String's exact output for
// "before " + in + " after".
type secretCase struct {
	name string
	in   string
	leak string
	want string
}

var secretCases = []secretCase{
	{"api key", testAPIKey, testAPIKey, Placeholder},
	{"sensitive value", testSensitive, testSensitive, Placeholder},
	{"jwt", testJWT, testJWT, Placeholder},
	{"bearer", "Bearer abc.def", "abc.def", "Bearer " + Placeholder},
	{"bearer jwt", "Authorization: Bearer " + testJWT, testJWT, "Authorization: Bearer " + Placeholder},
	{"bearer lower case", "bearer Zm9vYmFyYmF6cXV4", "Zm9vYmFyYmF6cXV4", "bearer " + Placeholder},
	{"webhook secret", testWhsec, testWhsec, Placeholder},
	{"visa spaced", "4111 1111 1111 1111", "4111 1111 1111 1111", Placeholder},
	{"visa dashed", "4111-1111-1111-1111", "4111-1111-1111-1111", Placeholder},
	{"visa plain", "4111111111111111", "4111111111111111", Placeholder},
	{"amex grouped", "3782 822463 10005", "3782 822463 10005", Placeholder},
	{"amex plain", "378282246310005", "378282246310005", Placeholder},
	{"mastercard 2-series", "2223003122003222", "2223003122003222", Placeholder},
	{"aws key", "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", Placeholder},
	{"github classic", "ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234", "ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234", Placeholder},
	{"github fine-grained", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", Placeholder},
	{"stripe live", "sk_live_51HxQvR2eZvKYlo2C0abcdef", "sk_live_51HxQvR2eZvKYlo2C0abcdef", Placeholder},
	{"stripe test", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", Placeholder},
	{"stripe restricted", "rk_live_51HxQvR2eZvKYlo2C0abcdef", "rk_live_51HxQvR2eZvKYlo2C0abcdef", Placeholder},
	{"url password", "https://admin:hunter2pass@hooks.example.com/x", "hunter2pass", "https://admin:" + Placeholder + "@hooks.example.com/x"},
	{"url password alone", "redis://:s3cretpass@10.0.0.5:6379/0", "s3cretpass", "redis://:" + Placeholder + "@10.0.0.5:6379/0"},
	// The userinfo ends at the authority's last '@', as in net/url.
	{"url password with @", "https://admin:hunter@2pass@hooks.example.com/x", "2pass", "https://admin:" + Placeholder + "@hooks.example.com/x"},
	{"url user with @", "https://ana@corp:hunter2pass@hooks.example.com/x", "hunter2pass", "https://ana@corp:" + Placeholder + "@hooks.example.com/x"},
	// A token used as the user of a URL is a credential too.
	{"url github token user", "https://ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234:x-oauth-basic@github.com/o/r.git", "ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234", "https://" + Placeholder + ":" + Placeholder + "@github.com/o/r.git"},
	{"url aws key user", "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIK7MDENG@bucket/key", "AKIAIOSFODNN7EXAMPLE", "s3://" + Placeholder + ":" + Placeholder + "@bucket/key"},
	{"url github token user alone", "https://ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234@github.com/o/r.git", "ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234", "https://" + Placeholder + "@github.com/o/r.git"},
	// A token or bearer match running into a URL's scheme does not hide
	// the URL's password from the search.
	{"url after a glued token", "ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234https://admin:hunter2pass@h.example.com/x", "hunter2pass", Placeholder + "://admin:" + Placeholder + "@h.example.com/x"},
	{"url after bearer", "Bearer https://admin:hunter2pass@h.example.com/x", "hunter2pass", "Bearer https://admin:" + Placeholder + "@h.example.com/x"},
	{"slack", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", Placeholder},
	// A query parameter named as a secret loses its value, not its name.
	{"query token", "https://hooks.example.com/x?token=abc123def", "abc123def", "https://hooks.example.com/x?token=" + Placeholder},
	{"query api key among others", "https://h.example.com/x?a=1&api_key=k3y-v4lue&b=2", "k3y-v4lue", "https://h.example.com/x?a=1&api_key=" + Placeholder + "&b=2"},
	{"query signature", "https://s3.example.com/o?X-Amz-Signature=9f86d081884c7d65&X-Amz-Date=1", "9f86d081884c7d65", "https://s3.example.com/o?X-Amz-Signature=" + Placeholder + "&X-Amz-Date=1"},
	{"query sig and password", "u?sig=s1gnature&Password=hunter2", "hunter2", "u?sig=" + Placeholder + "&Password=" + Placeholder},
	{"query nested in another value", "https://a.example.com/login?next=/cb?access_token=ya29xyz", "ya29xyz", "https://a.example.com/login?next=/cb?access_token=" + Placeholder},
}

// newTestRedactor carries the API key at construction and the sensitive
// value through With, as the server will.
func newTestRedactor() *Redactor {
	return New(WithSecrets(testAPIKey)).With(testSensitive)
}

func TestStringRedactsSecrets(t *testing.T) {
	r := newTestRedactor()
	for _, tc := range secretCases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.String("before " + tc.in + " after")
			if want := "before " + tc.want + " after"; got != want {
				t.Errorf("String = %q, want %q", got, want)
			}
			if strings.Contains(got, tc.leak) {
				t.Errorf("output %q still contains %q", got, tc.leak)
			}
			// Glued to punctuation on both sides, as in JSON text or URLs.
			got = r.String(`{"v":"` + tc.in + `"}`)
			if strings.Contains(got, tc.leak) {
				t.Errorf("output %q still contains %q", got, tc.leak)
			}
		})
	}
}

func TestStringLeavesOrdinaryTextAlone(t *testing.T) {
	r := newTestRedactor()
	for _, s := range []string{
		"",
		"Hello, how can I help you today?",
		"65a1f0c2b3d4e5f60718293a", // 24-hex id
		"4111111111111111abcdef01", // hex id whose digit prefix passes Luhn
		"id 507f1f77bcf86cd799439011 and 1111111111", // hex id, 10 digits
		"2024-01-15T10:30:00.123Z",
		"2024-01-15 10:30:00",
		"20240115103000",      // compact timestamp (14 digits, fails Luhn)
		"4111111111111112",    // fails Luhn
		"4111 1111 1111 1112", // fails Luhn, grouped
		"+1 415 555 2671",     // phone numbers
		"(415) 555-2671",
		"415-555-2671",
		"4155552671",
		"+44 20 7946 0958",
		"+86 138 0013 8000",          // 13 digits, but '+' marks a phone number
		"10 20 30 40 50 60 70 80 90", // small numbers are not card groups
		"12 34 56 78 90 21 02",       // ... even when their 14 digits pass Luhn
		"+8613800138002",             // E.164 phone number, 13 digits, passes Luhn
		"8993 1464 7386 8090 1034",   // 20 digits pass Luhn, no 13-19 digit window does
		"550e8400-e29b-41d4-a716-446655440000",
		"12345678-1234-1234-1234-123456789012",
		"pi is 3.4111111111111111", // decimal fraction
		"41111111111111111111",     // 20 digits: an id, not a card
		"The bearer of this card must sign.",
		"Bearer bonds are rarely issued today",
		"bearer.",
		"BEARER",
		"token_type: Bearer",
		"task_test_results and mask_live_view",  // not Stripe keys
		"see the sk_live_ prefix in the docs",   // prefix alone
		"the eyJ prefix marks base64 JSON",      // no JWT segments
		"AKIA is the AWS key prefix",            // prefix alone
		"ada_live_ is the prefix of an Ada key", // prefix of the API key, not the key
		"true false null 42",
		"https://hooks.example.com:8443/ada?x=1 mail ana@example.com",    // a port, then an email elsewhere
		"https://ana@example.com/profile",                                // a user without a password
		"see https://example.com/a:b@c",                                  // ':' and '@' in the path
		"https://example.com/a:b@c?d=e@f#g@h",                            // ... and in the query and fragment
		"https://ana@example.com/?next=b:c@d",                            // a user, then ':' and '@' in the query
		"https://shop.example.com/item?id=42&author=ana&monkey=1&page=2", // query names that are not secret
		"token=abc outside a query, and a & b=c",
	} {
		if got := r.String(s); got != s {
			t.Errorf("String(%q) = %q, want unchanged", s, got)
		}
	}
}

func TestStringCardEdgeCases(t *testing.T) {
	r := New()
	for _, tc := range []struct{ in, want string }{
		{"card 4111111111111111.", "card " + Placeholder + "."},
		{"4111 1111 1111 1111 2026", Placeholder + " 2026"},
		{"4111 1111 1111 1111 12/26", Placeholder + " 12/26"},
		{"4111111111111111-01", Placeholder + "-01"},
		{"cards 4111111111111111,5555555555554444", "cards " + Placeholder + "," + Placeholder},
		{"+1 4111 1111 1111 1111", "+1 " + Placeholder},
		{"4111 1111 1111 1111 5555 5555 5555 4444", Placeholder + " " + Placeholder},
		{"4111 1111-1111 1111", "4111 1111-1111 1111"},       // mixed separators: not one number
		{"4111  1111  1111  1111", "4111  1111  1111  1111"}, // double spaces
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBearerProse(t *testing.T) {
	r := New()
	for _, tc := range []struct{ in, want string }{
		{"the bearer of bad news", "the bearer of bad news"},
		{"Bearer abc.def.", "Bearer " + Placeholder + "."},
		{"Bearer abcdefghijklmnopqrstuvwxyz", "Bearer " + Placeholder}, // long letters-only token
		{"Bearer 12345", "Bearer " + Placeholder},
		{"Bearer\tabc_def", "Bearer\t" + Placeholder},
		{"BeArEr dGVzdA==", "BeArEr " + Placeholder},
		{"the bearer of " + testJWT, "the bearer of " + Placeholder},
		{"jwe eyJhbGciOiJSU0EtT0FFUCJ9.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji.XFBoMYUZodetZdvTiFvSkQ. end", "jwe " + Placeholder + ". end"},
		{"unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end", "unsigned " + Placeholder + " end"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExactSecrets(t *testing.T) {
	base := New(WithSecrets(testAPIKey))
	derived := base.With(testSensitive)

	if got := base.String(testSensitive); got != testSensitive {
		t.Errorf("With changed the base redactor: %q", got)
	}
	if got := derived.String("x" + testSensitive + testAPIKey + "y"); got != "x"+Placeholder+"y" {
		t.Errorf("derived String = %q", got)
	}
	if base.With() != base || base.With("abc") != base {
		t.Error("With without usable secrets should return the receiver")
	}

	t.Run("short secrets are ignored", func(t *testing.T) {
		r := New(WithSecrets("abc", "", "x"))
		if got := r.String("abc x"); got != "abc x" {
			t.Errorf("String = %q, want unchanged", got)
		}
	})
	t.Run("overlapping occurrences leave no fragment", func(t *testing.T) {
		r := New(WithSecrets("abcd1", "d1234", "zzzz"))
		if got := r.String("<abcd1234><zzzzz>"); got != "<"+Placeholder+"><"+Placeholder+">" {
			t.Errorf("String = %q", got)
		}
	})
	t.Run("escaped forms", func(t *testing.T) {
		const s = `p@ss w/rd"<x>&`
		r := New(WithSecrets(s))
		quoted, _ := json.Marshal(s)
		for _, in := range []string{
			"q=" + url.QueryEscape(s),
			"/users/" + url.PathEscape(s),
			"body: " + string(quoted),
		} {
			got := r.String(in)
			if strings.Contains(got, "w/rd") || strings.Contains(got, "rd%22") || !strings.Contains(got, Placeholder) {
				t.Errorf("String(%q) = %q", in, got)
			}
		}
	})
	t.Run("derived redactors do not share storage", func(t *testing.T) {
		base := New(WithSecrets("aaaa", "bbbb", "cccc"))
		a := base.With("dddd")
		b := base.With("eeee")
		if got := a.String("dddd eeee"); got != Placeholder+" eeee" {
			t.Errorf("a.String = %q", got)
		}
		if got := b.String("dddd eeee"); got != "dddd "+Placeholder {
			t.Errorf("b.String = %q", got)
		}
	})
	t.Run("a secret inside a shape leaves none of the shape", func(t *testing.T) {
		// "1881" is the last group of a valid card number; replacing it
		// first would break the card's shape and show its other 12 digits.
		r := New(WithSecrets("1881"))
		for _, in := range []string{
			"card 4012 8888 8888 1881 on file",
			"Authorization: Bearer abcdefghij1881klmnopqrstuvwxyz",
		} {
			got := r.String(in)
			if strings.Contains(got, "8888") || strings.Contains(got, "abcdefghij") {
				t.Errorf("String(%q) = %q: part of the shape is shown", in, got)
			}
			if again := r.String(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		}
	})
	t.Run("a secret overlapping a shape leaves no part of either", func(t *testing.T) {
		// A shape replaced first would take part of the secret and leave
		// the rest; the secret replaced first would break the shape.
		for _, c := range []struct{ secret, in string }{
			{"zq7wghp_R2d2", "x zq7wghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234 y"},
			{"po1234x-zq7w", "x ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234x-zq7w y"},
			{"MPLEzq7w", "key AKIAIOSFODNN7EXAMPLEzq7w y"},
			{"abc.zq7w", "Authorization: Bearer abc.zq7w.defghij"},
			{"1881zq7w", "card 4012 8888 8888 1881zq7w on file"},
			{"zq7w4012", "card zq7w4012 8888 8888 1881 on file"},
			{"1881zq7w", "card 4012888888881881zq7w on file"},
			{"99zq7w", "card 401288888888188199zq7w on file"},
			{"8888 1881", "card 4012 8888 8888 1881 on file"},
		} {
			r := New(WithSecrets(c.secret))
			got := r.String(c.in)
			for _, part := range []string{"zq7w", "R2d2", "AKIA", "abc", "defg", "8888", "1881", "4012"} {
				if strings.Contains(got, part) {
					t.Errorf("secret %q: String(%q) = %q shows %q", c.secret, c.in, got, part)
				}
			}
			if again := r.String(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		}
	})
	t.Run("a replaced secret frees the card it was glued to", func(t *testing.T) {
		r := New(WithSecrets("zq7w"))
		got := r.String("4111 1111 1111 1111zq7w5555 5555 5555 4444")
		if strings.Contains(got, "4444") || strings.Contains(got, "zq7w") {
			t.Errorf("String = %q", got)
		}
		if again := r.String(got); again != got {
			t.Errorf("not idempotent: %q then %q", got, again)
		}
	})
	t.Run("WithValues", func(t *testing.T) {
		r := New().WithValues("secret-answer", 123456, json.Number("987654"), 1234.0, true, false, 42, nil)
		got := r.String("secret-answer 123456 987654 1234 true false 42")
		if want := strings.Repeat(Placeholder+" ", 4) + "true false 42"; got != want {
			t.Errorf("String = %q, want %q", got, want)
		}
	})
}

func TestIsSecretKey(t *testing.T) {
	r := New()
	for _, k := range []string{
		"API_KEY", "api_key", "apiKey", "X-Api-Key", "X-Auth-Token", "Password", "passwd",
		"client_secret", "SessionID", "credentials", "ssn", "card_number", "CVV", "Authorization",
		"author", // substring rule; JSON only applies it inside metadata
	} {
		if !r.IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false, want true", k)
		}
	}
	for _, k := range []string{"plan_type", "locale", "name", "email", "id", "", "api", "key"} {
		if r.IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = true, want false", k)
		}
	}
	long := strings.Repeat("x", 100) + "Token"
	if !r.IsSecretKey(long) {
		t.Errorf("IsSecretKey(long key) = false")
	}

	custom := New(WithSecretKeyPatterns("Plan", ""))
	if !custom.IsSecretKey("plan_type") || custom.IsSecretKey("token") {
		t.Error("WithSecretKeyPatterns should replace the defaults")
	}
	if New(WithSecretKeyPatterns()).IsSecretKey("password") {
		t.Error("empty pattern list should disable the key rule")
	}

	defaults := DefaultSecretKeyPatterns()
	defaults[0] = "mutated"
	if !slices.Contains(DefaultSecretKeyPatterns(), "token") {
		t.Error("DefaultSecretKeyPatterns returned shared storage")
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if got := r.String("Bearer abc.def"); got != "Bearer "+Placeholder {
		t.Errorf("nil String = %q", got)
	}
	if !r.IsSecretKey("password") {
		t.Error("nil IsSecretKey should use the default patterns")
	}
	if got := r.With(testAPIKey).String(testAPIKey); got != Placeholder {
		t.Errorf("nil With String = %q", got)
	}
}

func TestLuhn(t *testing.T) {
	for s, want := range map[string]bool{
		"4111111111111111": true, "4111 1111 1111 1111": true, "79927398713": true,
		"4111111111111112": false, "79927398710": false, "0": true, "": true,
	} {
		if got := luhn(s); got != want {
			t.Errorf("luhn(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	base := New(WithSecrets(testAPIKey))
	doc := sampleResult(20)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := base.With(testSensitive, strings.Repeat("s", 4+i))
			for range 50 {
				if got := r.String("k=" + testAPIKey + " v=" + testSensitive); strings.Contains(got, testAPIKey) || strings.Contains(got, testSensitive) {
					t.Errorf("leak: %q", got)
					return
				}
				b, err := json.Marshal(r.JSON(doc))
				if err != nil || strings.Contains(string(b), testSensitive) {
					t.Errorf("JSON leak or error %v", err)
					return
				}
				_ = base.IsSecretKey("X-Auth-Token")
			}
		}()
	}
	wg.Wait()
}

// A key spelled with invisible characters inside is still a secret key:
// stripping them from a result must not reveal its value.
func TestSecretKeysIgnoreInvisibleCharacters(t *testing.T) {
	r := New()
	for _, k := range []string{"pass\u200bword", "api\u2066_key", "to\U000E0041ken", "\ufeffsecret"} {
		if !r.IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false", k)
		}
	}
	if r.IsSecretKey("pl\u200ban") {
		t.Error("an ordinary key with an invisible character became secret")
	}
	got, err := r.Marshal(map[string]any{"metadata": map[string]any{"pass\u200bword": "hunter2"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "hunter2") {
		t.Fatalf("value of an invisibly spelled secret key shown: %s", got)
	}
}

// An exact secret is found base64-encoded too, at any offset in what was
// encoded and in either alphabet, padded or not: an echoed
// "Authorization: Basic base64(key:)", or a body encoded whole. What stays
// shown is the encoding of the neighbours, plus at most a character of the
// secret's first and last byte.
func TestExactSecretsBase64(t *testing.T) {
	r := New(WithSecrets(testAPIKey, testWhsec))
	encodings := map[string]*base64.Encoding{"std": base64.StdEncoding, "url": base64.URLEncoding, "raw std": base64.RawStdEncoding, "raw url": base64.RawURLEncoding}
	for _, secret := range []string{testAPIKey, testWhsec} {
		for _, prefix := range []string{"", "a", "ab", "abc", "user:", `{"key":"`} {
			for _, suffix := range []string{"", ":", "xy", `"}`} {
				for name, enc := range encodings {
					in := enc.EncodeToString([]byte(prefix + secret + suffix))
					got := r.String("auth " + in + " end")
					rest := strings.TrimSuffix(strings.TrimPrefix(strings.Replace(got, Placeholder, "", 1), "auth "), " end")
					if !strings.Contains(got, Placeholder) || len(rest) > 4*(len(prefix)+len(suffix)+2)/3+4 {
						t.Errorf("%s of %q+secret+%q: %q keeps %d characters", name, prefix, suffix, got, len(rest))
					}
				}
			}
		}
	}
	if short := New(WithSecrets("short-key")); short.String(base64.StdEncoding.EncodeToString([]byte("short-key"))) != "c2hvcnQta2V5" {
		t.Error("a secret under minBase64Secret bytes is looked for base64-encoded")
	}
}
