package adaclient_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

func TestGroupOf(t *testing.T) {
	for path, want := range map[string]string{
		"/v2/end-users/":                     adaclient.GroupEndUsers,
		"/v2/end-users":                      adaclient.GroupEndUsers,
		"/v2/end-users/abc":                  adaclient.GroupEndUsers,
		"/v2/end-users/?external_id=crm-1":   adaclient.GroupEndUsers,
		"/v2/end-users/delete":               adaclient.GroupOther, // bulk deletion is its own API
		"/v2/end-users/delete/":              adaclient.GroupOther,
		"/v2/end-users-archive/":             adaclient.GroupOther,
		"/v2/conversations/":                 adaclient.GroupConversations,
		"/v2/conversations":                  adaclient.GroupConversations,
		"/v2/conversations/c1/messages/":     adaclient.GroupConversations,
		"/v2/conversations/c1/end-handoff/":  adaclient.GroupConversations,
		"/v2/conversations/email/":           adaclient.GroupConversations,
		"/v2/channels/":                      adaclient.GroupOther,
		"/v2/webhooks/ep_1/secret/rotate/":   adaclient.GroupOther,
		"/v2/knowledge/articles/":            adaclient.GroupOther,
		"/v2/export/conversations":           adaclient.GroupOther,
		"/v2/analytics/audit-log/events/":    adaclient.GroupAuditLog,
		"/v2/analytics/audit-log/events/?x=": adaclient.GroupAuditLog,
		"/v2/analytics/audit-log":            adaclient.GroupAuditLog,
		"/v2/analytics/":                     adaclient.GroupOther, // no documented limit of its own
		"/v2/analytics/audit-logs/":          adaclient.GroupOther,
		"":                                   adaclient.GroupOther,
		"/v2/conversationsX/":                adaclient.GroupOther,
		"/v2/platform-integrations/{id}/x/y": adaclient.GroupOther,
	} {
		if got := adaclient.GroupOf(path); got != want {
			t.Errorf("GroupOf(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	want := map[string][]adaclient.Limit{
		"end_users":     {{Requests: 30, Per: time.Second}, {Requests: 300, Per: time.Minute}},
		"conversations": {{Requests: 30, Per: time.Second}, {Requests: 300, Per: time.Minute}},
		"audit_log":     {{Requests: 10, Per: time.Second}, {Requests: 120, Per: time.Minute}},
		"other":         {{Requests: 10, Per: time.Second}, {Requests: 100, Per: time.Minute}},
	}
	got := adaclient.DefaultLimits()
	if len(got) != len(want) {
		t.Fatalf("DefaultLimits() = %v", got)
	}
	for g, ls := range want {
		if !slices.Equal(got[g], ls) {
			t.Errorf("DefaultLimits()[%q] = %v, want %v", g, got[g], ls)
		}
	}
}

// arrivals is an httptest handler that records when each request reached it.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) then(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.times = append(a.times, time.Now())
		a.mu.Unlock()
		h(w, r)
	}
}

func (a *arrivals) sorted() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.SortedFunc(slices.Values(a.times), time.Time.Compare)
}

// busiest is the largest number of times within any window of length w
// (each window starting at one of them).
func busiest(times []time.Time, w time.Duration) int {
	most := 0
	for i, start := range times {
		n := 0
		for _, t := range times[i:] {
			if t.Sub(start) >= w {
				break
			}
			n++
		}
		most = max(most, n)
	}
	return most
}

// arrivalJitter is how late a request may reach the test's server after
// the budget let it through, on a loaded machine.
const arrivalJitter = 150 * time.Millisecond

func TestRateBudgetBurstStaysWithinWindow(t *testing.T) {
	t.Parallel()
	const calls, perSecond = 40, 10
	var seen arrivals
	rec := newRecorder(t, seen.then(status(200, `{"data":[],"meta":{"next_page_url":null}}`)))
	budget := adaclient.NewLocalBudget(map[string][]adaclient.Limit{adaclient.GroupOther: {{Requests: perSecond, Per: time.Second}}})
	c := rec.client(t, adaclient.WithRateBudget(budget))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	errs := make(chan error, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			_, _, err := c.Webhooks.List(ctx, nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
	}
	times := seen.sorted()
	if len(times) != calls {
		t.Fatalf("server saw %d requests, want %d", len(times), calls)
	}
	// Arrival times carry the scheduler's jitter: a request let through at
	// the end of one second can arrive among the next second's. Windows
	// arrivalJitter shorter than the budget's absorb that; a budget that
	// let a second burst through with the first still fails.
	if most := busiest(times, time.Second-arrivalJitter); most > perSecond {
		t.Fatalf("%d requests reached the server within %v; the budget allows %d a second", most, time.Second-arrivalJitter, perSecond)
	}
	switch most := busiest(times, time.Second); {
	case most < perSecond:
		t.Fatalf("at most %d requests within a second: the burst of %d was not allowed", most, perSecond)
	}
}

func TestRateBudgetHoldsUntilReset(t *testing.T) {
	t.Parallel()
	// Reset two seconds ahead, truncated to whole seconds: a hold of 1 to 2 s.
	reset := time.Unix(time.Now().Unix()+2, 0)
	var seen arrivals
	rec := newRecorder(t,
		seen.then(status(200, conversationJSON, "X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "0",
			"X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))),
		seen.then(status(200, `{"end_user_id":"u1","profile":{}}`)),
		seen.then(status(200, conversationJSON)))
	c := rec.client(t, adaclient.WithRateBudget(adaclient.NewLocalBudget(adaclient.DefaultLimits())))
	if _, _, err := c.Conversations.Get(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}

	// Before the reset: conversations fail at once, end users are not held.
	early, cancel := context.WithDeadline(context.Background(), reset.Add(-500*time.Millisecond))
	defer cancel()
	_, _, err := c.Conversations.Get(early, "c1")
	var rl *adaclient.RateLimitError
	if !errors.As(err, &rl) || rl.Group != adaclient.GroupConversations {
		t.Fatalf("conversation call during the hold: %v, want *RateLimitError for conversations", err)
	}
	if _, _, err := c.EndUsers.Get(early, "u1"); err != nil {
		t.Fatalf("end users are a separate group, yet: %v", err)
	}

	later, cancel2 := context.WithDeadline(context.Background(), reset.Add(10*time.Second))
	defer cancel2()
	if _, _, err := c.Conversations.Get(later, "c1"); err != nil {
		t.Fatal(err)
	}
	times := seen.sorted()
	if len(times) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(times))
	}
	if times[2].Before(reset) {
		t.Fatalf("the held request arrived %v before X-RateLimit-Reset", reset.Sub(times[2]))
	}
}

func TestRateBudgetRetryAfterBeyondDeadlineFailsFast(t *testing.T) {
	const hold = 30 * time.Second
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", strconv.Itoa(int(hold/time.Second))), status(200, conversationJSON))
	c := rec.client(t, adaclient.WithRateBudget(adaclient.NewLocalBudget(adaclient.DefaultLimits())))

	// The 429 itself: as without a budget, a Retry-After past the deadline
	// is returned at once.
	first, cancel := context.WithTimeout(context.Background(), hold/6)
	defer cancel()
	_, _, err := c.Conversations.Get(first, "c1")
	var er *adaclient.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != 429 || er.RetryAfter != hold {
		t.Fatalf("first call: %v, want the 429 with its Retry-After", err)
	}

	// The next call of the group, with a deadline before the hold ends.
	ctx, cancel2 := context.WithTimeout(context.Background(), hold/2)
	defer cancel2()
	start := time.Now()
	_, _, err = c.Conversations.Get(ctx, "c1")
	elapsed := time.Since(start)
	var rl *adaclient.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	if rl.Group != adaclient.GroupConversations || rl.RetryAfter <= hold/2 || rl.RetryAfter > hold {
		t.Fatalf("RateLimitError = %+v, want group conversations and RetryAfter in (%v, %v]", rl, hold/2, hold)
	}
	if ctx.Err() != nil || elapsed >= hold/10 {
		t.Fatalf("returned after %v: it slept instead of failing at once (hold %v)", elapsed, hold)
	}
	if !errors.Is(err, adaclient.ErrRateLimited) || !adaclient.IsRateLimited(err) {
		t.Fatal("a *RateLimitError must match ErrRateLimited and IsRateLimited")
	}
	if !errors.Is(er, adaclient.ErrRateLimited) {
		t.Fatal("Ada's 429 must match ErrRateLimited")
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("server saw %d requests, want 1 (the held call must not be sent)", got)
	}
}

func TestRateBudgetWithoutDeadlineWaitsAtMostMaxRetryAfter(t *testing.T) {
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "60"), status(200, conversationJSON))
	c := rec.client(t, adaclient.WithRateBudget(adaclient.NewLocalBudget(adaclient.DefaultLimits())))
	if _, _, err := c.Conversations.Get(context.Background(), "c1"); !adaclient.IsRateLimited(err) {
		t.Fatalf("first call: %v", err)
	}
	start := time.Now()
	_, _, err := c.Conversations.Get(context.Background(), "c1")
	var rl *adaclient.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *RateLimitError (a 60 s hold is longer than MaxRetryAfter %v)", err, fastRetries.MaxRetryAfter)
	}
	if elapsed := time.Since(start); elapsed >= fastRetries.MaxRetryAfter {
		t.Fatalf("returned after %v, not at once", elapsed)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("server saw %d requests, want 1", got)
	}
}

func TestRateBudgetGroupsAreIndependent(t *testing.T) {
	// 10 a second: a bucket of 5, refilled every 175 ms.
	b := adaclient.NewLocalBudget(map[string][]adaclient.Limit{
		adaclient.GroupEndUsers:      {{Requests: 10, Per: time.Second}},
		adaclient.GroupConversations: {{Requests: 10, Per: time.Second}},
	})
	wait := func(group string) error {
		// Shorter than the bucket takes to refill a token.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		return b.Wait(ctx, group)
	}
	h := http.Header{"Retry-After": {"60"}}
	b.Observe(adaclient.GroupConversations, http.StatusTooManyRequests, h)

	for i := range 5 {
		if err := wait(adaclient.GroupEndUsers); err != nil {
			t.Fatalf("end_users request %d of a burst of 5: %v", i+1, err)
		}
	}
	var rl *adaclient.RateLimitError
	if err := wait(adaclient.GroupEndUsers); !errors.As(err, &rl) || rl.Group != adaclient.GroupEndUsers {
		t.Fatalf("6th end_users request: %v, want *RateLimitError", err)
	}
	if err := wait(adaclient.GroupConversations); !errors.As(err, &rl) || rl.RetryAfter <= 50*time.Second {
		t.Fatalf("conversations under a 60 s hold: %v", err)
	}
	// "other" has no limits here: never paced, and not held by the others.
	for range 20 {
		if err := wait(adaclient.GroupOther); err != nil {
			t.Fatalf("other: %v", err)
		}
	}
}

func TestLocalBudgetWaitEndsWithItsContext(t *testing.T) {
	b := adaclient.NewLocalBudget(map[string][]adaclient.Limit{"g": {{Requests: 1, Per: time.Hour}}})
	if err := b.Wait(context.Background(), "g"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Wait(ctx, "g") }() // no deadline: it sleeps for its turn
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return when its context was cancelled")
	}
}

// recordingBudget counts what the client asks of a budget, refusing the
// waits from refuseFrom on (0: never).
type recordingBudget struct {
	mu         sync.Mutex
	waits      []string
	observed   []int
	refuseFrom int
}

func (b *recordingBudget) Wait(_ context.Context, group string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.waits = append(b.waits, group)
	if b.refuseFrom > 0 && len(b.waits) >= b.refuseFrom {
		return &adaclient.RateLimitError{Group: group, RetryAfter: time.Minute}
	}
	return nil
}

func (b *recordingBudget) Observe(group string, status int, _ http.Header) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.observed = append(b.observed, status)
}

func TestRateBudgetPacesEveryAttempt(t *testing.T) {
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "0"), status(503, errorJSON), status(200, conversationJSON))
	b := &recordingBudget{}
	if _, _, err := rec.client(t, adaclient.WithRateBudget(b)).Conversations.Get(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"conversations", "conversations", "conversations"}; !slices.Equal(b.waits, want) {
		t.Fatalf("waits = %v, want %v (one per attempt)", b.waits, want)
	}
	if want := []int{429, 503, 200}; !slices.Equal(b.observed, want) {
		t.Fatalf("observed = %v, want %v (each response once)", b.observed, want)
	}
}

func TestRateBudgetRefusingARetry(t *testing.T) {
	// A message POST rejected with a 429 is retried (Ada did not apply it);
	// when the budget refuses that retry, the call is a *RateLimitError, not
	// an unknown outcome.
	rec := newRecorder(t, status(429, errorJSON, "Retry-After", "0"), status(201, messageJSON))
	b := &recordingBudget{refuseFrom: 2}
	err := sendHi(rec.client(t, adaclient.WithRateBudget(b)))
	var rl *adaclient.RateLimitError
	var ou *adaclient.OutcomeUnknownError
	if !errors.As(err, &rl) || errors.As(err, &ou) {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("server saw %d requests, want 1", got)
	}
	if len(b.waits) != 2 {
		t.Fatalf("waits = %v", b.waits)
	}
}

func TestRateBudgetRefusingTheFirstAttempt(t *testing.T) {
	rec := newRecorder(t, status(201, conversationJSON))
	b := &recordingBudget{refuseFrom: 1}
	_, _, err := rec.client(t, adaclient.WithRateBudget(b)).Conversations.Create(context.Background(), &adaclient.CreateConversationRequest{ChannelID: "ch1"})
	var rl *adaclient.RateLimitError
	if !errors.As(err, &rl) || rl.Group != adaclient.GroupConversations {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	if got := rec.count.Load(); got != 0 {
		t.Fatalf("server saw %d requests, want 0", got)
	}
}

func BenchmarkLocalBudgetWait(b *testing.B) {
	// Windows far wider than a Wait can use up: every Wait finds a turn now.
	limits := map[string][]adaclient.Limit{"g": {{Requests: 1000, Per: time.Microsecond}, {Requests: 100_000, Per: time.Millisecond}}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.Run("serial", func(b *testing.B) {
		budget := adaclient.NewLocalBudget(limits)
		for b.Loop() {
			if err := budget.Wait(ctx, "g"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		budget := adaclient.NewLocalBudget(limits)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := budget.Wait(ctx, "g"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
