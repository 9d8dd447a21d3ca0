package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzString checks properties that must hold for any input: no panic,
// an exact secret never survives, valid UTF-8 stays valid, and redacting
// twice changes nothing more.
func FuzzString(f *testing.F) {
	for _, tc := range secretCases {
		f.Add("x " + tc.in + " y")
	}
	for _, s := range []string{"", "zq7w", "zq7wzq7w", "Bearer zq7w", "4111 1111 1111 1111 5555 5555 5555 4444", "12 34 56 78 90 21 02"} {
		f.Add(s)
	}
	// The secret shares no byte with Placeholder, so a replacement can never
	// assemble a new occurrence of it.
	r := New(WithSecrets("zq7w"))
	f.Fuzz(func(t *testing.T, s string) {
		out := r.String(s)
		if strings.Contains(out, "zq7w") {
			t.Fatalf("String(%q) = %q contains the secret", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q is not valid UTF-8", s, out)
		}
		if again := r.String(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}
