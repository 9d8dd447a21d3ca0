package adaclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateBudget paces requests per API group. Implementations: LocalBudget (this
// process) and, elsewhere, a Redis-backed one shared by replicas.
type RateBudget interface {
	// Wait blocks until a request of group may be sent, or returns a
	// *RateLimitError at once when the wait would end after ctx's deadline
	// (or ctx ends first: ctx.Err()).
	Wait(ctx context.Context, group string) error
	// Observe is told each response's rate-limit headers (and a 429's
	// Retry-After), so the budget can hold the group back until Ada's window
	// resets.
	Observe(group string, status int, h http.Header)
}

// The groups Ada counts requests in, per AI Agent: the End Users,
// Conversations and Audit Log APIs each have their own limits, every other
// Platform API shares one.
const (
	GroupEndUsers      = "end_users"
	GroupConversations = "conversations"
	GroupAuditLog      = "audit_log"
	GroupOther         = "other"
)

// Limit is at most Requests requests in any window of length Per.
type Limit struct {
	Requests int
	Per      time.Duration
}

// DefaultLimits are Ada's documented per-AI-Agent limits (Limits page and the
// 2026-09-18 release note; the Audit Log's 10/s, 120/min and 40,000/day are
// in its OpenAPI operation and getting-started page). The daily caps (10,000
// for the other Platform APIs, 40,000 for the Audit Log) are left to Ada's
// headers (Observe): a process-local count of a day means little across
// restarts.
func DefaultLimits() map[string][]Limit {
	return map[string][]Limit{
		GroupEndUsers:      {{Requests: 30, Per: time.Second}, {Requests: 300, Per: time.Minute}},
		GroupConversations: {{Requests: 30, Per: time.Second}, {Requests: 300, Per: time.Minute}},
		GroupAuditLog:      {{Requests: 10, Per: time.Second}, {Requests: 120, Per: time.Minute}},
		GroupOther:         {{Requests: 10, Per: time.Second}, {Requests: 100, Per: time.Minute}},
	}
}

// GroupOf maps a request path below the base URL (e.g. "/v2/end-users/abc")
// to its group. Bulk end-user deletion is an API of its own whose limit Ada
// does not list, so it counts as "other", the stricter budget. Only the
// Audit Log has a documented limit under /v2/analytics/.
func GroupOf(path string) string {
	path, _, _ = strings.Cut(path, "?")
	switch {
	case strings.TrimSuffix(path, "/") == "/v2/end-users/delete":
		return GroupOther
	case under(path, "/v2/end-users"):
		return GroupEndUsers
	case under(path, "/v2/conversations"):
		return GroupConversations
	case under(path, "/v2/analytics/audit-log"):
		return GroupAuditLog
	}
	return GroupOther
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// ErrRateLimited matches, with errors.Is, both a *RateLimitError (the budget
// did not send the request) and Ada's 429 *ErrorResponse.
var ErrRateLimited = errors.New("ada: rate limited")

// RateLimitError is a request the rate budget did not send because its turn
// would come later than the call can wait. Nothing reached Ada, so it is
// safe to send again after RetryAfter.
type RateLimitError struct {
	Group      string
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("ada: request not sent: rate limit group %q allows the next request in %s, later than this call can wait",
		e.Group, e.RetryAfter.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// RateHold returns until when Ada asks to hold a group back after a response:
// a 429's Retry-After, or X-RateLimit-Reset when X-RateLimit-Remaining is 0.
// ok is false when the response asks for no hold. Budgets share it so they
// read Ada's headers alike.
func RateHold(status int, h http.Header, now time.Time) (until time.Time, ok bool) {
	if status == http.StatusTooManyRequests {
		if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok && d > 0 {
			return now.Add(d), true
		}
	}
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get(headerRateRemaining)))
	if err != nil || remaining > 0 {
		return time.Time{}, false
	}
	if reset := parseRate(h).Reset; reset.After(now) {
		return reset, true
	}
	return time.Time{}, false
}

// windowSlack widens each window a little so that requests spaced exactly a
// window apart here are still a window apart when they reach Ada, whatever
// the network delay of each.
const windowSlack = 50 * time.Millisecond

// LocalBudget is a RateBudget for one process: one token bucket per group
// (golang.org/x/time/rate), sized so that no window of any of the group's
// limits can see more than its requests. A bucket of burst B refilling at r
// per second lets at most B + r*T requests through in any span T, so B and r
// are chosen with B + r*T <= N for every limit "N per T" (see bucketFor).
// Requests wait in order of arrival.
type LocalBudget struct {
	limits map[string][]Limit

	mu     sync.Mutex
	groups map[string]*groupBudget
}

// NewLocalBudget paces each group by its limits. A group without limits is
// not paced but still held back by Observe; limits with Requests < 1 or
// Per <= 0 are ignored.
func NewLocalBudget(limits map[string][]Limit) *LocalBudget {
	own := make(map[string][]Limit, len(limits))
	for g, ls := range limits {
		for _, l := range ls {
			if l.Requests > 0 && l.Per > 0 {
				own[g] = append(own[g], l)
			}
		}
	}
	return &LocalBudget{limits: own, groups: map[string]*groupBudget{}}
}

// Bucket is the token bucket that keeps every limit of a group, for
// budgets built on other token-bucket (or GCRA) limiters: requests per
// second and burst. See bucketFor.
func Bucket(limits []Limit) (perSecond float64, burst int) {
	r, b := bucketFor(limits)
	return float64(r), b
}

// bucketFor is the token bucket that keeps every limit: a burst of half
// the smallest window's requests (at least 1), and the fastest refill that
// keeps every window within its limit. A full bucket of B tokens refilling
// at r lets at most B-1+r*T requests through in any window [t, t+T), so
// r = (N-B+1)/(T+slack) for each limit "N per T", the smallest wins. For
// Ada's 30/s and 300/min: bursts of 15, then 4.76 requests a second
// (286 a minute); for 10/s and 100/min: 5, then 1.6 a second.
func bucketFor(limits []Limit) (rate.Limit, int) {
	if len(limits) == 0 {
		return rate.Inf, 0
	}
	smallest := limits[0].Requests
	for _, l := range limits {
		smallest = min(smallest, l.Requests)
	}
	burst := max(1, smallest/2)
	r := rate.Inf
	for _, l := range limits {
		span := (l.Per + min(windowSlack, l.Per/20)).Seconds()
		r = min(r, rate.Limit(float64(l.Requests-burst+1)/span))
	}
	return r, burst
}

// Wait takes the group's next turn and sleeps until it. A turn that would
// come at or after ctx's deadline is given back: the call fails now rather
// than sleep and then fail.
func (b *LocalBudget) Wait(ctx context.Context, group string) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := time.Now()
		b.mu.Lock()
		g := b.group(group)
		r := g.bucket.ReserveN(now, 1)
		at := now.Add(r.DelayFrom(now))
		if g.hold.After(at) {
			at = g.hold
		}
		if deadline, ok := ctx.Deadline(); ok && at.After(now) && !at.Before(deadline) {
			r.CancelAt(now)
			b.mu.Unlock()
			return &RateLimitError{Group: group, RetryAfter: at.Sub(now)}
		}
		b.mu.Unlock()
		if !at.After(now) {
			return nil
		}
		if err := sleepUntil(ctx, at); err != nil {
			r.Cancel()
			return err
		}
		// Observe may have set a hold while this request slept. It then
		// takes a new turn behind the hold; the one it leaves unused still
		// counts, which only makes the budget stricter.
		if !b.held(group, time.Now()) {
			return nil
		}
	}
}

// Observe holds the group back as RateHold says.
func (b *LocalBudget) Observe(group string, status int, h http.Header) {
	until, ok := RateHold(status, h, time.Now())
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if g := b.group(group); until.After(g.hold) {
		g.hold = until
	}
}

func (b *LocalBudget) held(group string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.group(group).hold.After(now)
}

// group returns the group's state, creating it on first use. Callers hold mu.
func (b *LocalBudget) group(name string) *groupBudget {
	g := b.groups[name]
	if g == nil {
		r, burst := bucketFor(b.limits[name])
		g = &groupBudget{bucket: rate.NewLimiter(r, burst)}
		b.groups[name] = g
	}
	return g
}

// groupBudget is one group's bucket and the hold Ada asked for.
type groupBudget struct {
	bucket *rate.Limiter
	hold   time.Time
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// WithRateBudget paces every attempt (retries included) through b before it
// is sent and tells b each response's rate-limit headers. nil (the default)
// sends without pacing.
func WithRateBudget(b RateBudget) Option { return func(c *Client) { c.budget = b } }
