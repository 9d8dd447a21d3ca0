package adaclient

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestBucketKeepsEveryWindow hands out turns from the bucket chosen for a
// group, on made-up times, to requests that all ask at once: no window of
// any of the group's limits ever holds more than its requests.
func TestBucketKeepsEveryWindow(t *testing.T) {
	for _, limits := range [][]Limit{
		DefaultLimits()[GroupConversations],
		DefaultLimits()[GroupOther],
		{{Requests: 10, Per: time.Second}},
		{{Requests: 3, Per: 100 * time.Millisecond}, {Requests: 5, Per: time.Second}},
		{{Requests: 1, Per: time.Second}},
	} {
		r, burst := bucketFor(limits)
		if r <= 0 || burst < 1 {
			t.Fatalf("%v: rate %v, burst %d", limits, r, burst)
		}
		bucket := rate.NewLimiter(r, burst)
		t0 := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
		var turns []time.Time
		for range 400 {
			turns = append(turns, t0.Add(bucket.ReserveN(t0, 1).DelayFrom(t0)))
		}
		for _, l := range limits {
			for i, start := range turns {
				n := 0
				for _, at := range turns[i:] {
					if at.Sub(start) < l.Per {
						n++
					}
				}
				if n > l.Requests {
					t.Fatalf("%v: %d turns within %v from +%v; limit %d", limits, n, l.Per, start.Sub(t0), l.Requests)
				}
			}
		}
		// And the bucket is not needlessly slow: the window that binds
		// (the fewest turns fit in it, relative to its limit) is at least
		// 90% used by a burst.
		best := 0.0
		for _, l := range limits {
			fit := 0
			for _, at := range turns {
				if at.Sub(t0) < l.Per {
					fit++
				}
			}
			best = max(best, float64(fit)/float64(l.Requests))
		}
		if best < 0.9 {
			t.Errorf("%v: rate %.2f/s, burst %d: no window is even 90%% used", limits, float64(r), burst)
		}
	}
}

func TestHoldMovesTheNextTurn(t *testing.T) {
	b := NewLocalBudget(map[string][]Limit{"g": {{Requests: 10, Per: time.Second}}})
	b.Observe("g", http.StatusTooManyRequests, http.Header{"Retry-After": {"5"}})
	wait := func() time.Duration {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		var rl *RateLimitError
		if err := b.Wait(ctx, "g"); !errors.As(err, &rl) {
			t.Fatalf("err %v, want a *RateLimitError", err)
		}
		return rl.RetryAfter
	}
	if d := wait(); d < 4*time.Second || d > 5*time.Second {
		t.Fatalf("next turn in %v, want the 5 s hold", d)
	}
	// A shorter hold never shortens a longer one.
	b.Observe("g", http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	if d := wait(); d < 4*time.Second {
		t.Fatalf("a 1 s hold shortened the 5 s one: next turn in %v", d)
	}
}

func TestRateHold(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reset := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for _, tc := range []struct {
		name   string
		status int
		h      http.Header
		want   time.Duration // 0: no hold
	}{
		{"429 Retry-After seconds", 429, http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"429 Retry-After date", 429, http.Header{"Retry-After": {now.Add(9 * time.Second).UTC().Format(http.TimeFormat)}}, 9 * time.Second},
		{"429 Retry-After 0", 429, http.Header{"Retry-After": {"0"}}, 0},
		{"429 without headers", 429, http.Header{}, 0},
		{"429 without Retry-After, window spent", 429, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset(3 * time.Second)}}, 3 * time.Second},
		{"Retry-After ignored on 503", 503, http.Header{"Retry-After": {"7"}}, 0},
		{"remaining 0 until reset", 200, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset(42 * time.Second)}}, 42 * time.Second},
		{"remaining left", 200, http.Header{"X-Ratelimit-Remaining": {"1"}, "X-Ratelimit-Reset": {reset(42 * time.Second)}}, 0},
		{"reset already past", 200, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset(-time.Second)}}, 0},
		{"no remaining header", 200, http.Header{"X-Ratelimit-Reset": {reset(42 * time.Second)}}, 0},
		{"garbage", 200, http.Header{"X-Ratelimit-Remaining": {"none"}, "X-Ratelimit-Reset": {"soon"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			until, ok := RateHold(tc.status, tc.h, now)
			if ok != (tc.want > 0) || (ok && until.Sub(now) != tc.want) {
				t.Fatalf("RateHold = +%v, %v; want +%v", until.Sub(now), ok, tc.want)
			}
		})
	}
}
