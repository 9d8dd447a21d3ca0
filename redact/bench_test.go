package redact

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// sampleResult builds a realistic list_messages tool result: n messages
// shaped like Ada's data export API, each with an author object, prose,
// ids, timestamps and end-user metadata. Nothing in it needs redacting
// except one metadata token per message, which is the common case.
func sampleResult(n int) map[string]any {
	msgs := make([]any, n)
	for i := range msgs {
		msgs[i] = map[string]any{
			"_id":                 fmt.Sprintf("65a1f0c2b3d4e5f6%08x", i),
			"conversation_id":     "65a1f0c2b3d4e5f607182930",
			"chatter_id":          "65a1f0c2b3d4e5f607182931",
			"answer_id":           nil,
			"date_created":        "2024-01-15T10:30:00.123Z",
			"record_last_updated": "2024-01-15T10:31:02.456Z",
			"link_was_clicked":    false,
			"review":              json.Number("5"),
			"sender":              "chatter",
			"recipient":           "bot",
			"author":              map[string]any{"id": "65a1f0c2b3d4e5f607182931", "role": "end_user", "display_name": "Jane Doe"},
			"message_data": map[string]any{
				"type": "text",
				"body": "Hi, I ordered a blue jacket on January 12th (order #48213) and it still hasn't arrived. Can you check the shipping status for me? My phone is 415-555-2671.",
			},
			"metadata": map[string]any{
				"plan_type":     "pro",
				"locale":        "en-US",
				"account_id":    json.Number("482913"),
				"session_token": "c2Vzc2lvbi10b2tlbi0xMjM0NTY",
				"is_vip":        true,
			},
		}
	}
	return map[string]any{"data": msgs, "message": "OK", "next_page_uri": "/data_api/v1.4/messages?cursor=65a1f0c2b3d4e5f607182930"}
}

func BenchmarkJSON(b *testing.B) {
	r := New(WithSecrets(testAPIKey)).With(testSensitive)
	doc := sampleResult(100)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.JSON(doc)
	}
}

// BenchmarkBytes: "redact" has a metadata token per message (the slow
// path: decode, redact, encode); "clean" has nothing to redact (one scan).
func BenchmarkBytes(b *testing.B) {
	r := New(WithSecrets(testAPIKey)).With(testSensitive)
	dirty := sampleResult(100)
	clean := sampleResult(100)
	for _, m := range clean["data"].([]any) {
		delete(m.(map[string]any)["metadata"].(map[string]any), "session_token")
	}
	for _, tc := range []struct {
		name string
		doc  map[string]any
	}{{"redact", dirty}, {"clean", clean}} {
		doc, _ := json.Marshal(tc.doc)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Bytes(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkString(b *testing.B) {
	r := New(WithSecrets(testAPIKey)).With(testSensitive)
	for _, bc := range []struct{ name, s string }{
		{"clean prose", "Hi, I ordered a blue jacket on January 12th (order #48213) and it still hasn't arrived. Can you check the shipping status for me? My phone is 415-555-2671."},
		{"id", "65a1f0c2b3d4e5f607182930"},
		{"timestamp", "2024-01-15T10:30:00.123Z"},
		{"with card", "My card is 4111 1111 1111 1111, expiry 12/26."},
		{"with bearer", "request failed: Authorization: Bearer " + testJWT},
		{"long clean", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 100)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = r.String(bc.s)
			}
		})
	}
}

func BenchmarkIsSecretKey(b *testing.B) {
	r := New()
	b.ReportAllocs()
	for b.Loop() {
		_ = r.IsSecretKey("X-Auth-Token")
		_ = r.IsSecretKey("plan_type")
	}
}
