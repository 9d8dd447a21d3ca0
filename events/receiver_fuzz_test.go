package events

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/redact"
)

// fuzzNow is the receiver's clock in the fuzz targets, so that a seed
// signed at it stays fresh.
var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// plantedValue stands for a value the server must hide (the API key, a
// sensitive_metadata value): redacted wherever a payload carries it.
const plantedValue = "zq7wK9-planted"

// How FuzzReceiver signs a delivery.
const (
	signNone     = iota // the headers as the fuzzer wrote them
	signBody            // a valid signature over the body, at the receiver's now
	signTampered        // a valid signature over another body
	signModes
)

// FuzzReceiver posts any body with any Svix headers. Nothing may panic; a
// delivery whose signature does not verify (made up, or over another body)
// is refused and leaves the log as it was; one that verifies is kept, or
// refused as malformed, or ignored (a type not kept); what is kept has a
// key, is JSON, and carries neither the secret nor the planted value.
func FuzzReceiver(f *testing.F) {
	at := fuzzNow.Add(-time.Second)
	for _, body := range []string{
		message("c1", "m1", "ai_agent", "hi "+plantedValue, at),
		`{"type":"v1.end_user.created","timestamp":"2026-06-01T11:59:59Z","data":{"end_user_id":"u1","profile":{"metadata":{"token":"x"}}}}`,
		`{"type":"v1.unknown","data":{}}`,
		`{"type":"v1.conversation.message","data":[]}`,
		`{"type":"v1.conversation.message","data":{"conversation_id":7}}`,
		`{"type":"v1.conversation.ended","data":{"note":"` + secret + `"}}`,
		"not json \xff",
		"",
	} {
		for mode := range signModes {
			f.Add([]byte(body), "msg_1", strconv.FormatInt(fuzzNow.Unix(), 10), "v1,AAAA", uint8(mode))
		}
	}
	f.Add([]byte(`{}`), "", "", "", uint8(signNone))
	f.Add([]byte(`{}`), "msg_2", "-99999999999", "v1,x v2,y", uint8(signNone))
	f.Fuzz(func(t *testing.T, body []byte, id, ts, sig string, mode uint8) {
		log := NewMemory(Limits{})
		r, err := NewReceiver(ReceiverConfig{Secret: secret, Log: log, Redactor: redact.New(redact.WithSecrets(plantedValue))})
		if err != nil {
			t.Fatal(err)
		}
		r.now = func() time.Time { return fuzzNow }
		sent := body
		switch mode % signModes {
		case signBody:
			ts = strconv.FormatInt(fuzzNow.Unix(), 10)
			sig = sign(t, secret, id, fuzzNow.Unix(), body)
		case signTampered:
			ts = strconv.FormatInt(fuzzNow.Unix(), 10)
			sig = sign(t, secret, id, fuzzNow.Unix(), append([]byte("x"), body...))
		}
		req := httptest.NewRequest(http.MethodPost, "/webhooks/ada", bytes.NewReader(sent))
		for k, v := range map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": sig} {
			if validHeader(v) {
				req.Header.Set(k, v)
			}
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)

		st := r.Stats()
		taken := st.Accepted.Load() + st.Duplicates.Load() + st.Ignored.Load()
		if mode%signModes != signBody {
			if w.Code == http.StatusNoContent || taken != 0 || len(log.keys) != 0 {
				t.Fatalf("an unverified delivery got %d (stats %d taken)", w.Code, taken)
			}
			return
		}
		switch w.Code {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Fatalf("a signed delivery got %d: %s", w.Code, w.Body)
		}
		for key := range log.keys {
			evs, _ := log.Recent(context.Background(), key)
			for _, ev := range evs {
				checkKept(t, ev)
			}
		}
	})
}

// validHeader is whether net/http would send v as a header value at all.
func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func checkKept(t *testing.T, ev Event) {
	t.Helper()
	if ev.Key() == "" || !json.Valid(ev.Data) || !kept(ev.Type) {
		t.Fatalf("kept %+v", ev)
	}
	for _, s := range []string{secret, plantedValue} {
		if bytes.Contains(ev.Data, []byte(s)) {
			t.Fatalf("kept data carries %q: %s", s, ev.Data)
		}
	}
}

// FuzzParse reads any body as a delivery's payload (as the sandbox feeds
// its own events). Nothing may panic; an event comes back only for a type
// that is kept, with a key, and data that is JSON without the planted
// value; anything refused is a *RejectError with a 4xx status.
func FuzzParse(f *testing.F) {
	f.Add([]byte(message("c1", "m1", "end_user", plantedValue, fuzzNow)))
	f.Add([]byte(`{"type":"v1.end_user.updated","data":{"end_user_id":"u1","sensitive_metadata":{"a":"` + plantedValue + `"}}}`))
	f.Add([]byte(`{"type":"v1.conversation.created","timestamp":"not a time","data":{"conversation_id":"c1"}}`))
	f.Add([]byte(`{"type":"v1.conversation.message","data":{"conversation_id":"","end_user_id":""}}`))
	f.Add([]byte(`{"type":"v1.conversation.message","data":{"conversation_id":"c","x":1e999}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Parse("msg_1", body, redact.New(redact.WithSecrets(plantedValue, secret)))
		if err != nil {
			rej, ok := err.(*RejectError)
			if !ok || rej.Status < 400 || rej.Status > 499 {
				t.Fatalf("refused with %T %v", err, err)
			}
			return
		}
		if ev != nil {
			checkKept(t, *ev)
		}
	})
}
