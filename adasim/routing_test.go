package adasim_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func TestAuthentication(t *testing.T) {
	c := newSim(t, adasim.Options{})
	cases := []struct {
		name          string
		authorization string
		want          int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong key", "Bearer not-the-key", http.StatusUnauthorized},
		{"key without scheme", testKey, http.StatusUnauthorized},
		{"basic scheme", "Basic " + testKey, http.StatusUnauthorized},
		{"key prefix", "Bearer " + testKey[:5], http.StatusUnauthorized},
		{"right key", "Bearer " + testKey, http.StatusOK},
		{"scheme in lower case", "bearer " + testKey, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.doAuth("GET", "/v2/end-users/", nil, tc.authorization)
			if tc.want == http.StatusUnauthorized {
				checkError(t, r, http.StatusUnauthorized, "unauthorized")
				if strings.Contains(string(r.body), testKey) {
					t.Fatal("the 401 body mentions the key")
				}
			} else if r.status != tc.want {
				t.Fatalf("status %d, want %d", r.status, tc.want)
			}
		})
	}
	// Every route checks it, including writes, which then change nothing.
	r := c.doAuth("POST", "/v2/end-users/", object{"external_id": "x"}, "Bearer wrong")
	checkError(t, r, http.StatusUnauthorized, "unauthorized")
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/?external_id=x", nil)
}

func TestTrailingSlashSpellings(t *testing.T) {
	c := newSim(t, adasim.Options{})
	uid := str(c.createEndUser(object{})["end_user_id"])
	conv := c.startConversation(uid)
	cid := str(conv["id"])
	msg := object{"author": object{"id": uid, "role": "end_user"}, "content": object{"type": "text", "body": "hi"}}

	cases := []struct {
		method, path string
		body         any
		want         int
	}{
		// Ada's spellings.
		{"GET", "/v2/end-users/" + uid, nil, http.StatusOK},
		{"GET", "/v2/end-users/", nil, http.StatusOK},
		{"GET", "/v2/conversations/" + cid + "/", nil, http.StatusOK},
		{"GET", "/v2/conversations/" + cid + "/messages/", nil, http.StatusOK},
		// The other spelling of a GET is not Ada's: 404.
		{"GET", "/v2/end-users/" + uid + "/", nil, http.StatusNotFound},
		{"GET", "/v2/end-users", nil, http.StatusNotFound},
		{"GET", "/v2/conversations/" + cid, nil, http.StatusNotFound},
		{"GET", "/v2/conversations/" + cid + "/messages", nil, http.StatusNotFound},
		{"GET", "/v2/channels?type=custom", nil, http.StatusNotFound},
		{"PATCH", "/v2/channels/" + c.sim.DefaultChannelID() + "/", object{"capabilities": object{}}, http.StatusNotFound},
		{"PATCH", "/v2/end-users/" + uid + "/", object{"profile": object{}}, http.StatusNotFound},
		// POSTs Ada's demo code sends without the slash work.
		{"POST", "/v2/conversations/" + cid + "/messages", msg, http.StatusCreated},
		{"POST", "/v2/conversations", object{"channel_id": c.sim.DefaultChannelID()}, http.StatusCreated},
		// Others do not.
		{"POST", "/v2/end-users", object{}, http.StatusNotFound},
		{"POST", "/v2/channels", object{"name": "n", "description": "d", "modality": "email"}, http.StatusNotFound},
		// Outside the API.
		{"GET", "/../v2/end-users/", nil, http.StatusNotFound},
		{"GET", "/v1/end-users/", nil, http.StatusNotFound},
		{"GET", "/v2/nothing/", nil, http.StatusNotFound},
		{"GET", "/v2/conversations//messages/", nil, http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := c.do(tc.method, tc.path, tc.body)
			if tc.want == http.StatusNotFound {
				checkError(t, r, http.StatusNotFound, "not_found")
			} else if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
		})
	}
	// Paths outside /api.
	base := strings.TrimSuffix(c.base, "/api")
	checkError(t, c.do("GET", base+"/v2/end-users/", nil), http.StatusNotFound, "not_found")
}

func TestMethodNotAllowed(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.startConversation("")
	cid := str(conv["id"])
	cases := []struct {
		method, path, allow string
	}{
		{"DELETE", "/v2/end-users/" + str(conv["end_user_id"]), "GET, PATCH"},
		{"PUT", "/v2/end-users/", "GET, POST"},
		{"GET", "/v2/conversations/", "POST"},
		{"DELETE", "/v2/conversations/" + cid + "/", "GET, PATCH"},
		{"GET", "/v2/conversations/" + cid + "/end/", "POST"},
		{"GET", "/v2/channels/" + c.sim.DefaultChannelID(), "PATCH"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := c.do(tc.method, tc.path, nil)
			checkError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Fatalf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
	// The demo spellings exist only for POST: any other method there is 404.
	checkError(t, c.do("GET", "/v2/conversations/"+cid+"/end", nil), http.StatusNotFound, "not_found")
}

func TestRequestBodyLimits(t *testing.T) {
	c := newSim(t, adasim.Options{})
	// Over 10 MB is 413, whatever the content.
	big := append([]byte(`{"external_id":"`), bytes.Repeat([]byte("x"), 10<<20)...)
	big = append(big, `"}`...)
	checkError(t, c.do("POST", "/v2/end-users/", big), http.StatusRequestEntityTooLarge, "content_too_large")
	checkError(t, c.do("POST", "/v2/conversations/", big), http.StatusRequestEntityTooLarge, "content_too_large")
	conv := c.startConversation("")
	checkError(t, c.do("POST", "/v2/conversations/"+str(conv["id"])+"/end/", big), http.StatusRequestEntityTooLarge, "content_too_large")
	if status := c.expect(http.StatusOK, "GET", "/v2/conversations/"+str(conv["id"])+"/", nil)["status"]; status != "active" {
		t.Fatalf("a refused end request ended the conversation: %v", status)
	}

	for _, body := range []string{`{`, `{"external_id": }`, `[]`, `"x"`, `null`, `{"a":1}{`} {
		checkError(t, c.do("POST", "/v2/end-users/", body), http.StatusBadRequest, "bad_request")
	}
	checkError(t, c.do("PATCH", "/v2/end-users/000000000000000000000000", "   "), http.StatusBadRequest, "bad_request")
}

// TestLoggerNeverSeesSecrets logs every request at debug level and checks that neither the API
// key nor a sensitive_metadata value reaches the log.
func TestLoggerNeverSeesSecrets(t *testing.T) {
	var buf safeBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newSim(t, adasim.Options{Logger: logger})
	u := c.createEndUser(object{"profile": object{"sensitive_metadata": object{"fields": object{"token": "SENSITIVE-VALUE"}}}})
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+str(u["end_user_id"]), object{"profile": object{"sensitive_metadata": object{"fields": object{"token": "SENSITIVE-VALUE-2"}}}})
	c.do("POST", "/v2/end-users/", object{"profile": object{"sensitive_metadata": object{"fields": object{"bad key": "SENSITIVE-VALUE-3"}}}})
	c.doAuth("GET", "/v2/end-users/", nil, "Bearer wrong-"+testKey)
	out := buf.String()
	if !strings.Contains(out, "/api/v2/end-users/") {
		t.Fatalf("nothing logged: %q", out)
	}
	if strings.Contains(out, testKey) || strings.Contains(out, "SENSITIVE") {
		t.Fatalf("secret in the log: %s", out)
	}
}

type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestNewRequiresAPIKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New without APIKey did not panic")
		}
	}()
	adasim.New(adasim.Options{})
}

// TestEscapedPathParameters: an id holding '/' (or '%', '?', a space) reaches its record when a
// client percent-encodes it, as url.PathEscape does: routing splits the path as sent, then
// unescapes each segment.
func TestEscapedPathParameters(t *testing.T) {
	c := newSim(t, adasim.Options{})
	c.expect(http.StatusOK, "POST", "/v2/knowledge/sources/", object{"id": "help/center", "name": "Help"})
	ids := []string{"faq/returns", "50% off?", "a b", "%2F"}
	var items []object
	for _, id := range ids {
		items = append(items, object{"id": id, "name": "n", "content": "c", "knowledge_source_id": "help/center"})
	}
	c.upsert(bulkArticles, items...)
	for _, id := range ids {
		if got := str(c.expect(http.StatusOK, "GET", "/v2/knowledge/articles/"+url.PathEscape(id), nil)["id"]); got != id {
			t.Fatalf("GET article %q answered article %q", id, got)
		}
	}
	c.expect(http.StatusOK, "PATCH", "/v2/knowledge/sources/"+url.PathEscape("help/center"), object{"name": "Help center"})
	if r := c.do("DELETE", "/v2/knowledge/articles/"+url.PathEscape("faq/returns"), nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE faq/returns: %d %s", r.status, r.body)
	}
	// The '/' is a separator only where it is sent as one: faq/returns unescaped is another path.
	checkError(t, c.do("GET", "/v2/knowledge/articles/faq/returns", nil), http.StatusNotFound, "not_found")
	checkError(t, c.do("GET", "/v2/knowledge/articles/"+url.PathEscape("faq/returns"), nil), http.StatusNotFound, "not_found")
	// An escaped separator does not join two literal segments into one route.
	checkError(t, c.do("GET", "/v2/knowledge%2Farticles/", nil), http.StatusNotFound, "not_found")
}
