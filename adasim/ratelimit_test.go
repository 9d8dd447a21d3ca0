package adasim_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func TestRateLimitsAreOffByDefault(t *testing.T) {
	c := newSim(t, adasim.Options{})
	for range 40 {
		r := c.do("GET", "/v2/end-users/", nil)
		if r.status != http.StatusOK {
			t.Fatalf("status %d without RateLimits", r.status)
		}
		if r.header.Get("X-RateLimit-Limit") != "" {
			t.Fatal("X-RateLimit-Limit sent without RateLimits")
		}
	}
}

func TestRateLimits(t *testing.T) {
	clk := newFakeClock() // 12:00:00 exactly: windows start now
	c := newSim(t, adasim.Options{Clock: clk.Now, RateLimits: true})
	minuteEnd := clk.Now().Add(time.Minute).Unix()

	// 30 requests per second for the End Users API.
	for i := range 30 {
		r := c.do("GET", "/v2/end-users/", nil)
		if r.status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
		if got := r.header.Get("X-RateLimit-Limit"); got != "300" {
			t.Fatalf("X-RateLimit-Limit %q, want 300 (per minute)", got)
		}
		if got, want := r.header.Get("X-RateLimit-Remaining"), fmt.Sprint(300-i-1); got != want {
			t.Fatalf("X-RateLimit-Remaining %q, want %q", got, want)
		}
		if got := r.header.Get("X-RateLimit-Reset"); got != fmt.Sprint(minuteEnd) {
			t.Fatalf("X-RateLimit-Reset %q, want %d", got, minuteEnd)
		}
	}
	r := c.do("GET", "/v2/end-users/", nil)
	checkError(t, r, http.StatusTooManyRequests, "too_many_requests")
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After %q, want 1", got)
	}
	// Unauthenticated requests are refused before they count.
	if r := c.doAuth("GET", "/v2/end-users/", nil, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", r.status)
	}
	// Each API has its own budget: conversations are still allowed.
	c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID()})

	// 300 per minute: 9 more seconds of 30 each exhaust the minute.
	for s := 1; s < 10; s++ {
		clk.Advance(time.Second)
		for range 30 {
			if r := c.do("GET", "/v2/end-users/", nil); r.status != http.StatusOK {
				t.Fatalf("second %d: status %d", s, r.status)
			}
		}
	}
	clk.Advance(time.Second) // 12:00:10, a fresh second but a spent minute
	r = c.do("GET", "/v2/end-users/", nil)
	checkError(t, r, http.StatusTooManyRequests, "too_many_requests")
	if got := r.header.Get("Retry-After"); got != "50" {
		t.Fatalf("Retry-After %q, want 50 (until the minute ends)", got)
	}
	clk.Advance(50 * time.Second)
	c.expect(http.StatusOK, "GET", "/v2/end-users/", nil)

	// Channels use Ada's default Platform API limit: 10 per second.
	for i := range 10 {
		if r := c.do("GET", "/v2/channels/?type=custom", nil); r.status != http.StatusOK || r.header.Get("X-RateLimit-Limit") != "100" {
			t.Fatalf("channels request %d: %d, limit %q", i+1, r.status, r.header.Get("X-RateLimit-Limit"))
		}
	}
	checkError(t, c.do("GET", "/v2/channels/?type=custom", nil), http.StatusTooManyRequests, "too_many_requests")
}

// A seeded simulator stamps times from a logical clock that only moves on
// writes; its rate windows still pass in real time, so a run of reads is
// limited for a second, not for good.
func TestRateWindowsFollowRealTimeWhenDeterministic(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 7, Deterministic: true, RateLimits: true})
	limited := false
	for range 40 {
		if r := c.do(http.MethodGet, "/v2/end-users/", nil); r.status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("40 reads in a burst were never limited")
	}
	for range 300 {
		time.Sleep(10 * time.Millisecond)
		if r := c.do(http.MethodGet, "/v2/end-users/", nil); r.status == http.StatusOK {
			return
		}
	}
	t.Fatal("still limited 3 s later: the window follows the logical clock")
}
