package adasim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// sensitive_metadata is never returned, so only the store can show that it is kept, merged,
// deleted by null and expired after 24 hours.
func TestSensitiveMetadataIsStored(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{APIKey: "k", Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	defer s.Close()
	send := func(method, path, body string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, "http://ada.test/api"+path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer k")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w
	}
	sensitive := func(id string) map[string]any {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.sweepEndUsers()
		out := map[string]any{}
		for k, v := range s.endUsers.byID[id].sensitive {
			out[k] = v.value
		}
		return out
	}

	send("POST", "/v2/end-users/", `{"external_id":"x","profile":{"sensitive_metadata":{"fields":{"a":"1","b":true,"c":3,"d":null}}}}`)
	id := s.endUsers.order[0].id
	if got := sensitive(id); len(got) != 3 || got["a"] != "1" || got["b"] != true || got["c"] != int64(3) {
		t.Fatalf("stored %v", got)
	}
	send("POST", "/v2/conversations/", `{"channel_id":"`+s.DefaultChannelID()+`","end_user_id":"`+id+`"}`)

	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	send("PATCH", "/v2/end-users/"+id, `{"profile":{"sensitive_metadata":{"fields":{"a":null,"e":"new"}}}}`)
	if got := sensitive(id); len(got) != 3 || got["e"] != "new" || got["a"] != nil {
		t.Fatalf("after merge %v", got)
	}

	// 24 hours after they were set, values are gone; the one set an hour later stays an hour more.
	mu.Lock()
	now = now.Add(23 * time.Hour)
	mu.Unlock()
	if got := sensitive(id); len(got) != 1 || got["e"] != "new" {
		t.Fatalf("after 24 h %v", got)
	}
	send("PATCH", "/v2/end-users/"+id, `{"profile":{"sensitive_metadata":null}}`)
	if got := sensitive(id); len(got) != 0 {
		t.Fatalf("after null %v", got)
	}
	if w := send("GET", "/v2/end-users/"+id, ""); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
}
