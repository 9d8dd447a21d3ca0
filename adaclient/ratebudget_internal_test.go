package adaclient

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestSlidingWindowsGiveExactTurns checks the turns a group hands out, on
// made-up times, for two windows at once: bursts up to each limit, never more
// within any window.
func TestSlidingWindowsGiveExactTurns(t *testing.T) {
	limits := []Limit{{Requests: 3, Per: 100 * time.Millisecond}, {Requests: 5, Per: time.Second}}
	g := NewLocalBudget(map[string][]Limit{"g": limits}).group("g")
	t0 := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	var turns []time.Time
	for range 20 {
		at := g.next(t0) // all twenty ask at once
		g.take(at)
		turns = append(turns, at)
	}
	short := 100*time.Millisecond + 5*time.Millisecond // Per plus slack (Per/20)
	long := time.Second + windowSlack
	want := map[int]time.Time{
		0: t0, 1: t0, 2: t0, // the burst of 3
		3: t0.Add(short), 4: t0.Add(short), // the 100 ms window frees; the 1 s window is now full
		5: t0.Add(long), // the 1 s window frees once the first turn is a window old
	}
	for i, w := range want {
		if !turns[i].Equal(w) {
			t.Errorf("turn %d at +%v, want +%v", i, turns[i].Sub(t0), w.Sub(t0))
		}
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
				t.Fatalf("%d turns within %v from +%v; limit %d", n, l.Per, start.Sub(t0), l.Requests)
			}
		}
	}
}

func TestHoldMovesTheNextTurn(t *testing.T) {
	b := NewLocalBudget(map[string][]Limit{"g": {{Requests: 10, Per: time.Second}}})
	b.Observe("g", http.StatusTooManyRequests, http.Header{"Retry-After": {"5"}})
	now := time.Now()
	g := b.group("g")
	if at := g.next(now); at.Sub(now) < 4*time.Second || at.Sub(now) > 5*time.Second {
		t.Fatalf("next turn in %v, want the 5 s hold", at.Sub(now))
	}
	// A shorter hold never shortens a longer one.
	b.Observe("g", http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	if at := g.next(now); at.Sub(now) < 4*time.Second {
		t.Fatalf("a 1 s hold shortened the 5 s one: next turn in %v", at.Sub(now))
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
