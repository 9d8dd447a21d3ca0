package redact

import (
	"encoding/json"
	"reflect"
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
	for _, s := range []string{"", "zq7w", "zq7wzq7w", "Bearer zq7w", "4111 1111 1111 1111 5555 5555 5555 4444", "12 34 56 78 90 21 02",
		"https://u:p@ss@h/x?y@z", "https://a@b:c@d@e#f@g", "https://ghp_zq7wAAAA:x@h", "s3://AKIAIOSFODNN7EXAMPLE:zq7w@b",
		"https://u:[REDACTED]@ss@h/", "https://u:zq7w@h,v@w",
		"zq7wghp_R2d2C3po1234", "AKIAIOSFODNN7EXAMPLEzq7w", "4012 8888 8888 1881zq7w", "zq7w4012888888881881"} {
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

// FuzzBytesFastPath checks Bytes' shortcut against its slow path: whenever
// the scan calls a document clean (and Bytes returns it unchanged), the
// slow path, which redacts by decoding and re-encoding, must produce the
// same JSON value. A wrong "clean" would leak exactly what the slow path
// would have hidden.
func FuzzBytesFastPath(f *testing.F) {
	r := newTestRedactor()
	for _, tc := range secretCases {
		f.Add(mustMarshal(f, embed(tc.in)))
		f.Add(mustMarshal(f, map[string]any{"text": "x " + tc.in}))
	}
	f.Add(mustMarshal(f, sampleResult(3)))
	for _, s := range []string{
		`{"metadata":{"plan":"pro","api_key":null,"n":4111111111111111}}`,
		`{"metadata":{"plan":"pro","n":1234}}`,
		`{"sensitive_metadata":{"a":null,"b":{"c":null},"d":[]}}`,
		`{"sensitive_metadata":{"a":true}}`,
		`{"sensitiveMetadata":{"a":1}}`,
		`{"meta\u0064ata":{"password":"x"}}`,
		`{"Chatter_Metadata":{"Auth-Token":"x"}}`,
		`{"variables":{"secret":1}}`,
		`{"text":"line\nbreak \u003cb\u003e \"quoted\" \u00e9"}`,
		`[1, -2.5e3, "a", [], {}, null, true, false]`,
		` "top level" `,
		`12345678901234567890`,
		`{"a":{"b":{"c":[{"metadata":{"d":{"token":"x"}}}]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !utf8.Valid(in) || !json.Valid(in) || !r.clean(in) {
			return
		}
		slow, err := r.reencode(in)
		if err != nil {
			t.Fatalf("slow path failed on a valid document: %v", err)
		}
		if a, b := decodeNumbers(t, in), decodeNumbers(t, slow); !reflect.DeepEqual(a, b) {
			t.Fatalf("scan called %s clean, but the slow path gives %s", in, slow)
		}
	})
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeNumbers(t testing.TB, b []byte) any {
	t.Helper()
	return mustJSON(t, string(b))
}
