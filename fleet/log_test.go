package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/fleet"
	"github.com/ada-mcp/ada-mcp/internal/redistest"
	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func msg(id, conv string) events.Event {
	return events.Event{ID: id, Type: events.TypeConversationMessage, At: time.Now().UTC(), ConversationID: conv, Data: []byte(`{"message_id":"` + id + `"}`)}
}

// Two logs on one Redis are two replicas: an event one receives is seen by
// a wait on the other, once.
func TestLogIsSharedAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a := fleet.NewLog(srv.Client(t), "t1:", events.Limits{})
	b := fleet.NewLog(srv.Client(t), "t1:", events.Limits{})
	ctx := ctxT(t)
	start, err := b.End(ctx, events.ConversationKey("c1"))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []events.Event, 1)
	go func() {
		evs, _, err := b.Next(ctx, events.ConversationKey("c1"), start)
		if err != nil {
			t.Error(err)
		}
		got <- evs
	}()
	time.Sleep(50 * time.Millisecond) // let the wait block first; the test holds either way
	if isNew, err := a.Append(ctx, msg("msg_1", "c1")); err != nil || !isNew {
		t.Fatal(isNew, err)
	}
	// The same delivery to the other replica is a duplicate.
	if isNew, err := b.Append(ctx, msg("msg_1", "c1")); err != nil || isNew {
		t.Fatalf("duplicate kept: %v %v", isNew, err)
	}
	select {
	case evs := <-got:
		if len(evs) != 1 || evs[0].ID != "msg_1" || string(evs[0].Data) != `{"message_id":"msg_1"}` {
			t.Fatalf("%+v", evs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the other replica's wait never saw the event")
	}
}

func TestLogBoundsAndCursor(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	l := fleet.NewLog(rdb, "t2:", events.Limits{PerKey: 10, MaxAge: time.Minute})
	ctx := ctxT(t)
	for i := range 300 {
		if _, err := l.Append(ctx, msg(fmt.Sprint("m", i), "c")); err != nil {
			t.Fatal(err)
		}
	}
	n, err := rdb.XLen(ctx, "t2:events:"+events.ConversationKey("c")).Result()
	if err != nil || n > 200 {
		t.Fatalf("stream holds %d entries: MAXLEN does not bound it", n)
	}
	ttl, err := rdb.PTTL(ctx, "t2:events:"+events.ConversationKey("c")).Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl %v %v", ttl, err)
	}
	// Reading from the end waits; a short deadline ends it.
	end, _ := l.End(ctx, events.ConversationKey("c"))
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if evs, _, err := l.Next(short, events.ConversationKey("c"), end); err == nil {
		t.Fatalf("got %d events past the end", len(evs))
	}
	// Recent reads what is kept without waiting, oldest first.
	recent, err := l.Recent(ctx, events.ConversationKey("c"))
	if err != nil || len(recent) == 0 || len(recent) > 10 || recent[len(recent)-1].ID != "m299" {
		t.Fatalf("recent: %d events, %v", len(recent), err)
	}
	// And a cursor continues where the last read stopped.
	evs, cur, err := l.Next(ctx, events.ConversationKey("c"), "")
	if err != nil || len(evs) == 0 || cur == "" {
		t.Fatal(len(evs), cur, err)
	}
	if _, err := l.Append(ctx, msg("last", "c")); err != nil {
		t.Fatal(err)
	}
	more, _, err := l.Next(ctx, events.ConversationKey("c"), end)
	if err != nil || len(more) != 1 || more[0].ID != "last" {
		t.Fatalf("%v %v", more, err)
	}
}

// A wait that is cancelled returns promptly, even inside XREAD BLOCK.
func TestLogWaitIsCancelled(t *testing.T) {
	srv := redistest.Start(t)
	l := fleet.NewLog(srv.Client(t), "t3:", events.Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := l.Next(ctx, events.ConversationKey("x"), "0-0")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not end on cancel")
	}
}

// Three replicas' budgets on one Redis are one budget: 36 requests taken
// as fast as they allow never put more than the limit in any second.
func TestBudgetIsSharedAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	limits := map[string][]adaclient.Limit{adaclient.GroupConversations: {{Requests: 20, Per: time.Second}}}
	var budgets []*fleet.Budget
	for range 3 {
		budgets = append(budgets, fleet.NewBudget(srv.Client(t), "t4:", limits))
	}
	ctx := ctxT(t)
	var mu sync.Mutex
	var times []time.Time
	var wg sync.WaitGroup
	for i := range 36 {
		wg.Go(func() {
			if err := budgets[i%3].Wait(ctx, adaclient.GroupConversations); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
		})
	}
	wg.Wait()
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for i, start := range times {
		n := 0
		for _, at := range times[i:] {
			if at.Sub(start) < time.Second {
				n++
			}
		}
		if n > 20 {
			t.Fatalf("%d requests within a second across the fleet; the limit is 20", n)
		}
	}
	// A deadline the budget cannot meet fails fast.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	var rl *adaclient.RateLimitError
	if err := budgets[0].Wait(short, adaclient.GroupConversations); !errors.As(err, &rl) {
		t.Fatalf("err %v, want *RateLimitError", err)
	}
}

// A 429 seen by one replica holds the group on all of them.
func TestBudgetHoldIsShared(t *testing.T) {
	srv := redistest.Start(t)
	a := fleet.NewBudget(srv.Client(t), "t5:", adaclient.DefaultLimits())
	b := fleet.NewBudget(srv.Client(t), "t5:", adaclient.DefaultLimits())
	a.Observe(adaclient.GroupEndUsers, http.StatusTooManyRequests, http.Header{"Retry-After": {"30"}})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var rl *adaclient.RateLimitError
	if err := b.Wait(ctx, adaclient.GroupEndUsers); !errors.As(err, &rl) || rl.RetryAfter < 25*time.Second {
		t.Fatalf("the other replica was not held: %v", err)
	}
	if err := b.Wait(ctx, adaclient.GroupConversations); err != nil {
		t.Fatalf("another group was held: %v", err)
	}
}

// Ada's headers are read as for one process (adaclient.RateHold): a
// Retry-After given as an HTTP date, and X-RateLimit-Remaining 0 with its
// reset, hold every replica too.
func TestBudgetHoldReadsAdasHeadersAsLocal(t *testing.T) {
	srv := redistest.Start(t)
	a := fleet.NewBudget(srv.Client(t), "t6:", adaclient.DefaultLimits())
	b := fleet.NewBudget(srv.Client(t), "t6:", adaclient.DefaultLimits())
	at := time.Now().Add(40 * time.Second).UTC().Format(http.TimeFormat)
	a.Observe(adaclient.GroupEndUsers, http.StatusTooManyRequests, http.Header{"Retry-After": {at}})
	reset := strconv.FormatInt(time.Now().Add(40*time.Second).Unix(), 10)
	a.Observe(adaclient.GroupConversations, http.StatusOK, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}})
	for _, group := range []string{adaclient.GroupEndUsers, adaclient.GroupConversations} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		var rl *adaclient.RateLimitError
		if err := b.Wait(ctx, group); !errors.As(err, &rl) || rl.RetryAfter < 30*time.Second {
			t.Errorf("%s: the other replica was not held: %v", group, err)
		}
		cancel()
	}
}

// While Redis does not answer, the budget is the replica's own: calls to
// Ada go on, paced by the same limits, and one warning says so (not one a
// call). Once Redis answers again, the budget is shared again.
func TestBudgetIsLocalWhileRedisIsDown(t *testing.T) {
	srv := redistest.Start(t)
	defer fleet.SetRedisRetry(20 * time.Millisecond)()
	var addr atomic.Value
	addr.Store("127.0.0.1:1") // nothing listens there
	rdb := redis.NewClient(&redis.Options{MaxRetries: -1, DialTimeout: time.Second, DialerRetries: 1,
		Dialer: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr.Load().(string))
		}})
	t.Cleanup(func() { rdb.Close() })
	logs := &testlog.Buffer{}
	limits := map[string][]adaclient.Limit{adaclient.GroupOther: {{Requests: 2, Per: time.Minute}}}
	b := fleet.NewBudget(rdb, "t7:", limits)
	b.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	fleet.LogRedisTo(slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() { fleet.LogRedisTo(slog.New(slog.NewTextHandler(os.Stderr, nil))) })
	ctx := ctxT(t)

	if err := b.Wait(ctx, adaclient.GroupOther); err != nil {
		t.Fatalf("Redis down: the first request was not let through: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	var rl *adaclient.RateLimitError
	if err := b.Wait(short, adaclient.GroupOther); !errors.As(err, &rl) {
		t.Fatalf("Redis down: the local budget did not pace the second request: %v", err)
	}
	for range 3 {
		if err := b.Wait(ctx, adaclient.GroupEndUsers); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(logs.String(), "Redis does not answer"); n != 1 {
		t.Fatalf("%d warnings, want one for the outage:\n%s", n, logs)
	}
	// go-redis's own complaint comes through slog, not its own format.
	if !strings.Contains(logs.String(), `level=WARN msg="redis: connection pool: failed to dial`) {
		t.Fatalf("go-redis's messages do not go through the logger:\n%s", logs)
	}

	addr.Store(srv.Addr)
	for i := 0; !strings.Contains(logs.String(), "Redis answers again"); i++ {
		if i == 250 {
			t.Fatalf("the budget did not go back to Redis:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
		_ = b.Wait(ctx, adaclient.GroupEndUsers)
	}
	// Shared again: another replica's hold holds this one.
	other := fleet.NewBudget(srv.Client(t), "t7:", limits)
	other.Observe(adaclient.GroupConversations, http.StatusTooManyRequests, http.Header{"Retry-After": {"30"}})
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if err := b.Wait(short2, adaclient.GroupConversations); !errors.As(err, &rl) || rl.RetryAfter < 25*time.Second {
		t.Fatalf("Redis back: the other replica's hold was not seen: %v", err)
	}
}

// While Redis does not answer, the log says so once and answers
// events.ErrUnavailable at once, rather than every call waiting on Redis;
// a PING in the background finds Redis back, and the log is shared again.
func TestLogFailsFastWhileRedisIsDown(t *testing.T) {
	srv := redistest.Start(t)
	defer fleet.SetRedisRetry(20 * time.Millisecond)()
	var addr atomic.Value
	addr.Store("127.0.0.1:1") // nothing listens there
	var dials atomic.Int64
	rdb := redis.NewClient(&redis.Options{MaxRetries: -1, DialTimeout: time.Second, DialerRetries: 1,
		Dialer: func(ctx context.Context, network, _ string) (net.Conn, error) {
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, addr.Load().(string))
		}})
	t.Cleanup(func() { rdb.Close() })
	logs := &testlog.Buffer{}
	l := fleet.NewLog(rdb, "t9:", events.Limits{})
	l.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	ctx := ctxT(t)

	if _, err := l.End(ctx, "conv:c1"); err == nil || errors.Is(err, events.ErrUnavailable) {
		t.Fatalf("the first failure: %v", err)
	}
	before := dials.Load()
	for range 5 {
		if _, err := l.Recent(ctx, "conv:c1"); !errors.Is(err, events.ErrUnavailable) {
			t.Fatalf("while down: %v, want ErrUnavailable", err)
		}
		if _, err := l.Append(ctx, msg("m0", "c1")); !errors.Is(err, events.ErrUnavailable) {
			t.Fatalf("append while down: %v", err)
		}
	}
	if n := dials.Load() - before; n > 1 { // at most the background probe's
		t.Fatalf("%d dials while Redis was known to be down", n)
	}
	if n := strings.Count(logs.String(), "Redis does not answer"); n != 1 {
		t.Fatalf("%d warnings, want one:\n%s", n, logs)
	}

	addr.Store(srv.Addr)
	for i := 0; ; i++ {
		if _, err := l.Append(ctx, msg("m1", "c1")); err == nil {
			break
		}
		if i == 250 {
			t.Fatalf("the log did not go back to Redis:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Fatalf("no line for the end of the outage:\n%s", logs)
	}
	// Shared again: another replica sees the event.
	evs, err := fleet.NewLog(srv.Client(t), "t9:", events.Limits{}).Recent(ctx, events.ConversationKey("c1"))
	if err != nil || len(evs) != 1 {
		t.Fatalf("the other replica sees %v, %v", evs, err)
	}
}

// Slow limits keep their value through Redis: 1 an hour is one an hour for
// the fleet (a rate written per 1000 s had become 3.6 an hour).
func TestBudgetKeepsSlowRates(t *testing.T) {
	srv := redistest.Start(t)
	limits := map[string][]adaclient.Limit{adaclient.GroupOther: {{Requests: 1, Per: time.Hour}}}
	a, b := fleet.NewBudget(srv.Client(t), "t10:", limits), fleet.NewBudget(srv.Client(t), "t10:", limits)
	ctx := ctxT(t)
	if err := a.Wait(ctx, adaclient.GroupOther); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	var rl *adaclient.RateLimitError
	if err := b.Wait(short, adaclient.GroupOther); !errors.As(err, &rl) || rl.RetryAfter < 50*time.Minute {
		t.Fatalf("the second request of the hour: %v", err)
	}
}

// deadlineCtx is a context at the instant its deadline passes, before its
// timer has ended it: Deadline is past, Err still nil. go-redis (with
// ContextTimeoutEnabled) gives the socket that deadline, so the call
// fails with an i/o timeout then.
type deadlineCtx struct {
	context.Context
	dl time.Time
}

func (c deadlineCtx) Deadline() (time.Time, bool) { return c.dl, true }

// A call that fails because the caller's deadline passed says nothing of
// Redis: neither the log nor the budget takes Redis for down (which would
// send every other call to the fallback for redisRetry).
func TestCallersDeadlineIsNotRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(ctxT(t)).Err(); err != nil { // a pooled connection: no dial below
		t.Fatal(err)
	}
	logs := &testlog.Buffer{}
	l := fleet.NewLog(rdb, "t11:", events.Limits{})
	l.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	b := fleet.NewBudget(rdb, "t11:", adaclient.DefaultLimits())
	b.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	ended := deadlineCtx{context.Background(), time.Now().Add(-time.Millisecond)}

	if _, err := l.End(ended, "conv:c1"); err == nil {
		t.Fatal("a call past its deadline succeeded")
	}
	if _, err := l.Append(ended, msg("m1", "c1")); err == nil {
		t.Fatal("an append past its deadline succeeded")
	}
	_ = b.Wait(ended, adaclient.GroupOther)
	ctx := ctxT(t)
	if _, err := l.End(ctx, "conv:c1"); err != nil {
		t.Fatalf("the next call, in time: %v (a caller's deadline took Redis for down)", err)
	}
	if strings.Contains(logs.String(), "Redis does not answer") {
		t.Fatalf("a caller's deadline was logged as an outage:\n%s", logs)
	}
}

// Rotations of webhook secrets are one at a time across replicas: a lock
// another replica holds is waited for until the caller's deadline, and
// one that is given back is taken.
func TestRotationLockIsShared(t *testing.T) {
	srv := redistest.Start(t)
	a, b := fleet.NewSecrets(srv.Client(t), "t12:"), fleet.NewSecrets(srv.Client(t), "t12:")
	ctx := ctxT(t)
	unlock, err := a.LockRotation(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	if _, err := b.LockRotation(short, time.Minute); !errors.Is(err, fleet.ErrRotationBusy) {
		t.Fatalf("while the other replica rotates: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		unlockB, err := b.LockRotation(ctx, time.Minute)
		if err == nil {
			unlockB()
		}
		done <- err
	}()
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("once given back: %v", err)
	}
}
