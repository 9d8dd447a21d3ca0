package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const adaKey = "ada_live_sk_health_9c2e4b1d8f6a"

// fakeAda answers GET /api/v2/channels/ with status and counts the calls.
func fakeAda(t *testing.T, status *atomic.Int32, calls *atomic.Int32) *adaclient.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		code := int(status.Load())
		w.WriteHeader(code)
		if code == http.StatusOK {
			_, _ = w.Write([]byte(`{"data":[],"meta":{}}`))
			return
		}
		_, _ = w.Write([]byte(`{"errors":[{"type":"auth","message":"bad key ` + adaKey + `"}]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := adaclient.New(srv.URL+"/api", adaKey, adaclient.WithRetryPolicy(adaclient.RetryPolicy{MaxRetries: 0}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getJSON(t *testing.T, h http.Handler, path string) (int, map[string]string, string) {
	t.Helper()
	w := serve(h, httptest.NewRequest(http.MethodGet, path, nil))
	var m map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s: %q is not JSON", path, w.Body)
	}
	return w.Code, m, w.Body.String()
}

func TestHealthz(t *testing.T) {
	code, body, _ := getJSON(t, http.HandlerFunc(healthz), "/healthz")
	if code != http.StatusOK || body["status"] != "ok" {
		t.Fatalf("%d %v", code, body)
	}
}

func TestReadyzCachesTheAdaCheck(t *testing.T) {
	var status, calls atomic.Int32
	status.Store(http.StatusOK)
	r := newReadiness(fakeAda(t, &status, &calls), discard)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return now }
	drain := newInflight()
	h := readyz(r, drain)

	for range 5 {
		if code, body, _ := getJSON(t, h, "/readyz"); code != http.StatusOK || body["status"] != "ready" {
			t.Fatalf("%d %v", code, body)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("5 probes within the cache time made %d Ada calls, want 1", calls.Load())
	}

	status.Store(http.StatusUnauthorized)
	now = now.Add(readyCacheTTL)
	code, body, raw := getJSON(t, h, "/readyz")
	if code != http.StatusServiceUnavailable || body["status"] != "not_ready" || !strings.Contains(body["reason"], "rejected the configured API key") {
		t.Fatalf("%d %v", code, body)
	}
	if strings.Contains(raw, adaKey) || strings.Contains(raw, "bad key") {
		t.Fatalf("readyz repeats what Ada said: %s", raw)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d after the cache expired, want 2", calls.Load())
	}

	drain.startDraining()
	if code, body, _ := getJSON(t, h, "/readyz"); code != http.StatusServiceUnavailable || body["status"] != "shutting_down" {
		t.Fatalf("draining: %d %v", code, body)
	}
}

func TestReadyzWithoutDefaultClient(t *testing.T) {
	code, body, _ := getJSON(t, readyz(newReadiness(nil, discard), newInflight()), "/readyz")
	if code != http.StatusOK || body["status"] != "ready" {
		t.Fatalf("multi-tenant without a default key: %d %v", code, body)
	}
}

func TestNotReadyReasons(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&adaclient.ErrorResponse{StatusCode: 403}, "rejected"},
		{&adaclient.ErrorResponse{StatusCode: 429}, "rate limiting"},
		{&adaclient.ErrorResponse{StatusCode: 502}, "HTTP 502"},
		{context.DeadlineExceeded, "did not answer"},
		{errors.New("dial tcp 10.1.2.3:443: connection refused"), "unreachable"},
	} {
		if got := notReadyReason(tc.err); !strings.Contains(got, tc.want) || strings.Contains(got, "10.1.2.3") {
			t.Errorf("%v → %q, want %q", tc.err, got, tc.want)
		}
	}
}
