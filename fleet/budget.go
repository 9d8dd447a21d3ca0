package fleet

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// Budget is Ada's rate budget shared by every replica through Redis:
// redis_rate's GCRA limiter per API group, plus a hold that any
// replica sets when Ada says a window is spent (Remaining 0, or a 429's
// Retry-After), so the others wait too.
//
// While Redis does not answer, each replica keeps its own budget
// (adaclient.LocalBudget, the same limits), as without --redis-url: calls
// to Ada go on, at the risk of N replicas sending N times the limit (Ada
// then answers 429, which the client honours), rather than every call
// failing on Redis. redisRetry after a failure, a PING in the background
// decides when Redis is asked again (health).
type Budget struct {
	rdb    redis.UniversalClient
	lim    *redis_rate.Limiter
	prefix string
	limits map[string][]adaclient.Limit
	local  *adaclient.LocalBudget
	health *health
}

// NewBudget returns a budget in rdb under prefix with the given limits per
// group (adaclient.DefaultLimits for Ada's).
func NewBudget(rdb redis.UniversalClient, prefix string, limits map[string][]adaclient.Limit) *Budget {
	return &Budget{rdb: rdb, lim: redis_rate.NewLimiter(rdb), prefix: prefix, limits: limits,
		local: adaclient.NewLocalBudget(limits),
		health: &health{rdb: rdb,
			downMsg: "Redis does not answer: this replica keeps Ada's rate budget on its own until it does",
			upMsg:   "Redis answers again: Ada's rate budget is shared with the other replicas again"}}
}

// SetLogger is told when Redis stops and starts answering (nothing is
// logged before).
func (b *Budget) SetLogger(l *slog.Logger) { b.health.setLogger(l) }

func (b *Budget) holdKey(group string) string { return b.prefix + "hold:" + group }

// Wait implements adaclient.RateBudget: it takes one request from every
// window of group, sleeping while Redis says to, but never past ctx's
// deadline: then it returns *adaclient.RateLimitError at once.
func (b *Budget) Wait(ctx context.Context, group string) error {
	for {
		if !b.health.usable() {
			return b.local.Wait(ctx, group)
		}
		wait, err := b.try(ctx, group)
		if err != nil {
			if ctxEnded(ctx) { // the caller's time is up: Redis is not to blame
				return ctxErr(ctx)
			}
			b.health.failed(err)
			return b.local.Wait(ctx, group)
		}
		b.health.answered()
		if wait <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			return &adaclient.RateLimitError{Group: group, RetryAfter: wait}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// try takes a request from each window, or says how long to wait.
func (b *Budget) try(ctx context.Context, group string) (time.Duration, error) {
	hold, err := b.rdb.PTTL(ctx, b.holdKey(group)).Result()
	if err != nil {
		return 0, fmt.Errorf("fleet: rate budget: %w", err)
	}
	if hold > 0 {
		return hold, nil
	}
	limit, ok := b.bucket(group)
	if !ok {
		return 0, nil // a group without limits is not paced
	}
	res, err := b.lim.Allow(ctx, b.prefix+"rate:"+group, limit)
	if err != nil {
		return 0, fmt.Errorf("fleet: rate budget: %w", err)
	}
	if res.Allowed == 0 {
		return max(res.RetryAfter, time.Millisecond), nil
	}
	return 0, nil
}

// bucket is group's GCRA limit: the same bucket as adaclient's local
// budget (adaclient.Bucket), which keeps every one of the group's windows,
// written as 1000 requests per the time they take, so that any rate keeps
// its value (30/s and 1/h alike: GCRA spaces them Period/Rate apart).
func (b *Budget) bucket(group string) (redis_rate.Limit, bool) {
	limits := b.limits[group]
	if len(limits) == 0 {
		return redis_rate.Limit{}, false
	}
	perSecond, burst := adaclient.Bucket(limits)
	if perSecond <= 0 || math.IsInf(perSecond, 1) {
		return redis_rate.Limit{}, false
	}
	const n = 1000
	period := time.Duration(float64(n) / perSecond * float64(time.Second)).Round(time.Millisecond)
	return redis_rate.Limit{Rate: n, Burst: burst, Period: period}, true
}

// Observe implements adaclient.RateBudget: when Ada says a window is
// spent (adaclient.RateHold reads its headers, as for one process), every
// replica holds the group until it resets.
func (b *Budget) Observe(group string, status int, h http.Header) {
	b.local.Observe(group, status, h) // for the turns taken while Redis is down
	if !b.health.usable() {
		return
	}
	now := time.Now()
	until, ok := adaclient.RateHold(status, h, now)
	hold := until.Sub(now)
	if !ok || hold <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	// A longer hold already set stays (SET ... GT needs Redis 7: do it by hand).
	if cur, err := b.rdb.PTTL(ctx, b.holdKey(group)).Result(); err == nil && cur >= hold {
		return
	}
	b.rdb.Set(ctx, b.holdKey(group), 1, hold)
}
