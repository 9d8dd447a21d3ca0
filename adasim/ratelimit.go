package adasim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Ada's documented per-instance limits (ada-api.md section 0, "Rate & size limits"): the End
// Users and Conversations APIs allow 30 req/s and 300 req/min with no daily cap since
// 2026-09-18; other Platform APIs (here: channels, and apart from them webhooks management and
// the AI Agent's persona, variables and custom instructions) 10 req/s, 100 req/min and 10,000
// req/day; the Audit log API 10 req/s, 120 req/min and 40,000 req/day.
// Counting each API in its own budget, in fixed windows of the simulator's clock, is an
// assumption. Since 2026-09-18 successes carry X-RateLimit-Limit/Remaining/Reset and a 429
// carries Retry-After.

type rateWindow struct {
	size  time.Duration
	name  string
	limit int
}

var rateBudgets = sync.OnceValue(func() map[string][]rateWindow {
	return map[string][]rateWindow{
		apiEndUsers:      {{time.Second, "second", 30}, {time.Minute, "minute", 300}},
		apiConversations: {{time.Second, "second", 30}, {time.Minute, "minute", 300}},
		apiChannels:      defaultBudget,
		apiOther:         defaultBudget,
		// Knowledge: sources and tags have the default; the article endpoints (/v2/knowledge/articles/,
		// and here the bulk upsert too) have no daily cap since 2026-09-18.
		apiKnowledge:         defaultBudget,
		apiKnowledgeArticles: {{time.Second, "second", 10}, {time.Minute, "minute", 100}},
		// The Audit log API's own, per account (its OpenAPI operation): 10/s, 120/min, 40,000/day.
		apiAuditLog: {{time.Second, "second", 10}, {time.Minute, "minute", 120}, {24 * time.Hour, "day", 40_000}},

		apiExportConversations: exportBudget,
		apiExportMessages:      exportBudget,
		apiCompliance:          defaultBudget,
	}
})

// exportBudget is Data Export v2's: 10 req/s per endpoint, 100 req/min, 15,000 req/day. The
// limits are counted per endpoint, all three (an assumption: the Limits page says "per
// endpoint" of the first).
var exportBudget = []rateWindow{{time.Second, "second", 10}, {time.Minute, "minute", 100}, {24 * time.Hour, "day", 15_000}}

// defaultBudget is Ada's default for Platform APIs: 10 req/s, 100 req/min, 10,000 req/day.
var defaultBudget = []rateWindow{{time.Second, "second", 10}, {time.Minute, "minute", 100}, {24 * time.Hour, "day", 10_000}}

// headerWindow is the window the X-RateLimit-* headers describe (an assumption).
const headerWindow = time.Minute

type windowCount struct {
	start time.Time
	count int
}

type rateLimiter struct {
	counts map[string][]windowCount // per API, one per window of rateBudgets
}

func newRateLimiter() *rateLimiter {
	counts := map[string][]windowCount{}
	for api, windows := range rateBudgets() {
		counts[api] = make([]windowCount, len(windows))
	}
	return &rateLimiter{counts: counts}
}

// quota is what the X-RateLimit-* headers report after a request was admitted.
type quota struct {
	limit, remaining int
	reset            time.Time
}

func (q quota) header(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(q.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(q.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(q.reset.Unix(), 10))
}

// take admits one request of api at now, or returns a 429 whose Retry-After is the time until
// the exhausted window ends. Callers hold mu.
func (l *rateLimiter) take(api string, now time.Time) (quota, *apiError) {
	windows, counts := rateBudgets()[api], l.counts[api]
	for i, w := range windows {
		start := now.Truncate(w.size)
		if !counts[i].start.Equal(start) {
			counts[i] = windowCount{start: start}
		}
		if counts[i].count >= w.limit {
			wait := start.Add(w.size).Sub(now)
			retry := max(int((wait+time.Second-1)/time.Second), 1)
			return quota{}, tooManyRequests(retry, "Rate limit exceeded: at most %d requests per %s. Retry after %d s.", w.limit, w.name, retry)
		}
	}
	var q quota
	for i, w := range windows {
		counts[i].count++
		if w.size == headerWindow {
			q = quota{limit: w.limit, remaining: w.limit - counts[i].count, reset: counts[i].start.Add(w.size)}
		}
	}
	return q, nil
}

// rateClock is the time rate windows are counted in: real (or injected)
// time, even when the simulator's timestamps come from the logical clock,
// which only moves on writes; on it, reads would exhaust a window that
// never ends.
func (s *Sim) rateClock() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}
