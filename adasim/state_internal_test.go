package adasim

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Loaded end users and their sensitive values are permanent: the 24-hour deletions of the API
// do not apply to fixtures. Only the store shows the values.
func TestLoadedEndUsersDoNotExpire(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{APIKey: "k", Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	defer s.Close()
	get := func(path string) int {
		r := httptest.NewRequest("GET", "http://ada.test/api"+path, nil)
		r.Header.Set("Authorization", "Bearer k")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code
	}
	st := State{EndUsers: []StateEndUser{{EndUserID: "u", SensitiveMetadata: map[string]any{"ssn": "v1", "n": 3}, SensitiveMetadataKeys: []string{"pin"}}}}
	if err := s.LoadState(st); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	posted := s.newEndUser(s.clock.Tick(), true) // as POST /v2/end-users/ would
	posted.sensitive["k"] = sensitiveValue{value: "x", setAt: now}
	s.mu.Unlock()

	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	if code := get("/v2/end-users/" + posted.id); code != http.StatusNotFound {
		t.Fatalf("an unattached end user from POST is still there after 25 h: %d", code)
	}
	if code := get("/v2/end-users/u"); code != http.StatusOK {
		t.Fatalf("the loaded end user expired: %d", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	got := map[string]any{}
	for k, v := range s.endUsers.byID["u"].sensitive {
		got[k] = v.value
	}
	if len(got) != 3 || got["ssn"] != "v1" || got["n"] != int64(3) || got["pin"] != sensitivePlaceholder {
		t.Fatalf("sensitive values after 25 h: %v", got)
	}
}
