package tools

import (
	"slices"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/redact"
)

// The stripping itself is redact.StripInvisible's (redact/invisible_test.go); these are the
// tools' uses of it.

// A result of 100 messages with nothing to strip or redact: the common case.
func BenchmarkStructuredResult(b *testing.B) {
	msg := map[string]any{"message_id": "01J8Z3K4M5N6P7Q8R9S0T1V2W3", "role": "end_user", "body": "Hello, I ordered the “blue” one — where is it? Order #12345, placed last week."}
	v := map[string]any{"messages": slices.Repeat([]any{msg}, 100)}
	red := redact.New()
	for b.Loop() {
		_, _ = structuredResult(v, red, true)
	}
}

// Error messages can quote what Ada echoed back: they lose invisible
// characters too, and stay redacted.
func TestCleanMessage(t *testing.T) {
	red := redact.New(redact.WithSecrets("s3cr3t-canary"))
	got := cleanMessage("409: external_id \"ad\u202Emin\" belongs to s3cr\u200Bt3t-canary", red)
	if got != `409: external_id "admin" belongs to s3crt3t-canary` {
		t.Fatalf("%q", got)
	}
	if got := cleanMessage("key s3cr3t\u200B-canary", red); strings.Contains(got, "s3cr3t-canary") {
		t.Fatalf("%q", got)
	}
}
