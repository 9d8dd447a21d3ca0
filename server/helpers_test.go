package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

func testLogger(buf *testlog.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

var discard = slog.New(slog.DiscardHandler)

// okHandler answers 200 "ok" and records the request it saw.
type okHandler struct{ got *http.Request }

func (h *okHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.got = r
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// errorCode decodes the error body this package writes.
func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || b.Error == "" || b.Message == "" {
		t.Fatalf("error body %q: %v", w.Body.String(), err)
	}
	return b.Error
}
