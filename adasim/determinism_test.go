package adasim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// recordSession runs the scripted session against a fresh simulator, calling its ServeHTTP
// directly with a fixed host, and returns everything it answered, byte for byte.
func recordSession(t *testing.T, opts adasim.Options) []byte {
	t.Helper()
	opts.APIKey = testKey
	sim := adasim.New(opts)
	defer sim.Close()
	var transcript bytes.Buffer
	send := func(req sessionRequest) response {
		var body io.Reader
		contentType := ""
		switch b := req.body.(type) {
		case nil:
		case string:
			body = strings.NewReader(b)
		case []byte:
			body = bytes.NewReader(b)
		case formFile:
			var data []byte
			data, contentType = b.encode()
			body = bytes.NewReader(data)
		default:
			data, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			body = bytes.NewReader(data)
		}
		target := req.path
		if !strings.HasPrefix(target, "http") {
			target = "http://example.ada.support/api" + target
		}
		r := httptest.NewRequest(req.method, target, body)
		if h := req.auth.header(testKey); h != "" {
			r.Header.Set("Authorization", h)
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, r)
		fmt.Fprintf(&transcript, "%s %s -> %d %s\n%s\n", req.method, req.path, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
		return response{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	}
	(&sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: send}).run()
	return transcript.Bytes()
}

func TestDeterministicReplay(t *testing.T) {
	first := recordSession(t, adasim.Options{Seed: 42, Deterministic: true})
	second := recordSession(t, adasim.Options{Seed: 42, Deterministic: true})
	if !bytes.Equal(first, second) {
		a, b := strings.Split(string(first), "\n"), strings.Split(string(second), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("replays differ at line %d:\n%.300s\n%.300s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("replays differ in length: %d vs %d lines", len(a), len(b))
	}
	// The logical clock starts on 2026-01-01.
	if !bytes.Contains(first, []byte(`"created_at":"2026-01-01T00:00:`)) {
		t.Fatal("no timestamp from the logical clock in the transcript")
	}
	// The seed matters: another seed gives other ids.
	if other := recordSession(t, adasim.Options{Seed: 43, Deterministic: true}); bytes.Equal(first, other) {
		t.Fatal("seeds 42 and 43 produced the same transcript")
	}
}
