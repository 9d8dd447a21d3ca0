package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// typicalCall is a tools/call as a host sends it: an end user with a
// profile, metadata and a progress token (about 450 bytes).
var typicalCall = []byte(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"upsert_end_user","arguments":{"external_id":"cust-8c1f2a","profile":{"first_name":"Ana","last_name":"Lopez","email":"ana.lopez@example.com","language":"es-MX","metadata":{"plan":"gold","orders":12,"vip":true,"region":"north-america","signup":"2024-03-01"}},"sensitive_metadata":{"auth_token":"tok_5d2c9e"}},"_meta":{"progressToken":"c7b1e0a4"}}}`)

// bulkCall is an upsert_articles call of about 100 KB.
var bulkCall = []byte(`{"jsonrpc":"2.0","id":43,"method":"tools/call","params":{"name":"upsert_articles","arguments":{"articles":[` +
	strings.TrimSuffix(strings.Repeat(`{"id":"art-1","name":"Returns","knowledge_source_id":"ks-1","content":"`+strings.Repeat("How to return an item. ", 40)+`","tag_ids":["t1","t2"]},`, 100), ",") +
	`]}}}`)

func BenchmarkGuard(b *testing.B) {
	for _, bc := range []struct {
		name string
		msg  []byte
	}{{"typical", typicalCall}, {"bulk100KB", bulkCall}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, p := Guard(bc.msg); p != nil {
					b.Fatal(p)
				}
			}
		})
	}
}

// BenchmarkTokenScan is the same check written over encoding/json's
// Decoder.Token (the reference of the fuzz test), for comparison.
func BenchmarkTokenScan(b *testing.B) {
	for _, bc := range []struct {
		name string
		msg  []byte
	}{{"typical", typicalCall}, {"bulk100KB", bulkCall}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.msg)))
			b.ReportAllocs()
			for b.Loop() {
				r := &ref{dec: json.NewDecoder(bytes.NewReader(bc.msg))}
				r.dec.UseNumber()
				if err := r.value(refTop, 0, nil, ""); err != nil || r.field != nil {
					b.Fatal(err, r.field)
				}
			}
		})
	}
}

func BenchmarkGuardRefusal(b *testing.B) {
	msg := []byte(call(`{"external_id":"a","profile":{"first_name":"A","first_name":"B"}}`))
	b.ReportAllocs()
	for b.Loop() {
		if _, p := Guard(msg); p == nil {
			b.Fatal("not refused")
		}
	}
}
