package adasim_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/testlog"

	"github.com/ada-mcp/ada-mcp/adasim"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Close waits for the retries in flight (each on a goroutine of its own),
// not only for the endpoints' queues: none is left running after it.
func TestCloseWaitsForRetries(t *testing.T) {
	var logs testlog.Buffer
	var attempts atomic.Int64
	retrying := make(chan struct{})
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if attempts.Add(1) == 1 {
			return &http.Response{StatusCode: http.StatusInternalServerError, Body: http.NoBody, Request: r}, nil
		}
		close(retrying)
		<-r.Context().Done()
		time.Sleep(50 * time.Millisecond) // a retry slow to wind down
		return nil, errors.New("cancelled")
	})}
	c := newSim(t, adasim.Options{WebhookClient: client, WebhookRetrySchedule: []time.Duration{0},
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Webhooks: []adasim.WebhookEndpoint{{URL: "http://127.0.0.1:1/hooks", EventFilters: []string{"v1.end_user.created"}}}})
	c.createEndUser(object{"external_id": "retried"})
	select {
	case <-retrying:
	case <-time.After(10 * time.Second):
		t.Fatal("the failed delivery was not retried")
	}
	c.sim.Close()
	if !strings.Contains(logs.String(), "retry=1") {
		t.Fatalf("Close returned while a retry was still running:\n%s", logs.String())
	}
}
