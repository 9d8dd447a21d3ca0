// Package fleet is what replicas of ada-mcp share through Redis, so that
// several behind a load balancer behave as one: the log of Ada's webhook
// events (a wait on one replica sees an event another received) and Ada's
// rate budget (the fleet, not each replica, stays under Ada's limits).
package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ada-mcp/ada-mcp/events"
)

// Log is an events.Log in Redis: one stream per key (XADD with an
// approximate MAXLEN, and a TTL refreshed on every append), deduplication
// by SET NX with a TTL, and waits by XREAD BLOCK.
//
// When Redis fails, the log says so once and answers events.ErrUnavailable
// at once until Redis answers a PING again (health): waits poll Ada, and
// deliveries are refused with 503 for Svix to retry, rather than each call
// waiting seconds on a Redis that is gone or hangs.
type Log struct {
	rdb    redis.UniversalClient
	prefix string
	lim    events.Limits
	now    func() time.Time
	health *health
}

// block is the longest single XREAD BLOCK: a wait re-checks its context at
// least this often.
const block = time.Second

// NewLog returns a log in rdb under prefix (e.g. "ada-mcp:"), bounded by
// lim (zero fields take the events package's defaults).
func NewLog(rdb redis.UniversalClient, prefix string, lim events.Limits) *Log {
	return &Log{rdb: rdb, prefix: prefix, lim: lim.WithDefaults(), now: time.Now,
		health: &health{rdb: rdb,
			downMsg: "Redis does not answer: waits poll Ada and webhook deliveries are refused (Ada retries them) until it does",
			upMsg:   "Redis answers again: the event log is shared with the other replicas again"}}
}

// SetLogger is told when Redis stops and starts answering (nothing is
// logged before).
func (l *Log) SetLogger(lg *slog.Logger) { l.health.setLogger(lg) }

// check is the error to return before asking Redis: events.ErrUnavailable
// while it is known not to answer.
func (l *Log) check() error {
	if !l.health.usable() {
		return fmt.Errorf("fleet: %w", events.ErrUnavailable)
	}
	return nil
}

// result notes how Redis answered (the caller's context ending, or its
// deadline reached, says nothing of it) and wraps err.
func (l *Log) result(ctx context.Context, err error) error {
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		l.health.answered()
		return err
	case ctxEnded(ctx):
		return err
	}
	l.health.failed(err)
	return fmt.Errorf("fleet: %w", err)
}

func (l *Log) stream(key string) string { return l.prefix + "events:" + key }
func (l *Log) seenKey(id string) string { return l.prefix + "seen:" + id }

// Append implements events.Log.
func (l *Log) Append(ctx context.Context, e events.Event) (bool, error) {
	if err := l.check(); err != nil {
		return false, err
	}
	if e.ID != "" {
		fresh, err := l.rdb.SetNX(ctx, l.seenKey(e.ID), 1, l.lim.DedupeFor).Result()
		if err := l.result(ctx, err); err != nil {
			return false, err
		}
		if !fresh {
			return false, nil
		}
	}
	key := e.Key()
	if key == "" {
		return true, nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return false, err
	}
	stream := l.stream(key)
	pipe := l.rdb.TxPipeline()
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, MaxLen: int64(l.lim.PerKey), Approx: true, Values: []any{"e", b}})
	pipe.PExpire(ctx, stream, l.lim.MaxAge)
	if _, err := pipe.Exec(ctx); err != nil {
		// Forget the id, so Svix's retry of this delivery is kept.
		if e.ID != "" {
			l.rdb.Del(context.WithoutCancel(ctx), l.seenKey(e.ID))
		}
		return false, l.result(ctx, err)
	}
	return true, nil
}

// End implements events.Log: the id of the stream's newest entry.
func (l *Log) End(ctx context.Context, key string) (events.Cursor, error) {
	if err := l.check(); err != nil {
		return "", err
	}
	msgs, err := l.rdb.XRevRangeN(ctx, l.stream(key), "+", "-", 1).Result()
	if err := l.result(ctx, err); err != nil {
		return "", err
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return events.Cursor(msgs[0].ID), nil
}

// Next implements events.Log.
func (l *Log) Next(ctx context.Context, key string, after events.Cursor) ([]events.Event, events.Cursor, error) {
	from := string(after)
	if from == "" {
		from = "0-0"
	}
	stream := l.stream(key)
	for {
		if err := l.check(); err != nil {
			return nil, after, err
		}
		wait := block
		if dl, ok := ctx.Deadline(); ok {
			if left := time.Until(dl); left < wait {
				wait = left
			}
		}
		if wait <= 0 {
			return nil, after, context.DeadlineExceeded
		}
		if wait < time.Millisecond {
			wait = time.Millisecond // BLOCK 0 would mean forever
		}
		res, err := l.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{stream, from}, Count: int64(l.lim.PerKey), Block: wait}).Result()
		err = l.result(ctx, err)
		switch {
		case err != nil && ctxEnded(ctx):
			return nil, after, ctxErr(ctx)
		case errors.Is(err, redis.Nil):
			continue
		case err != nil:
			return nil, after, err
		}
		out, last := l.decode(res, from)
		if len(out) > 0 {
			return out, events.Cursor(last), nil
		}
		from = last
	}
}

// decode turns XREAD's answer into events, skipping entries older than
// MaxAge (a stream kept alive by appends keeps its old entries until MAXLEN
// trims them) and entries that do not decode.
func (l *Log) decode(res []redis.XStream, from string) ([]events.Event, string) {
	last := from
	oldest := l.now().Add(-l.lim.MaxAge).UnixMilli()
	var out []events.Event
	for _, s := range res {
		for _, m := range s.Messages {
			last = m.ID
			if ms, ok := idMillis(m.ID); ok && ms < oldest {
				continue
			}
			raw, _ := m.Values["e"].(string)
			var e events.Event
			if json.Unmarshal([]byte(raw), &e) == nil {
				out = append(out, e)
			}
		}
	}
	return out, last
}

// idMillis is the time part of a stream entry id ("1700000000000-0").
func idMillis(id string) (int64, bool) {
	ms, _, ok := strings.Cut(id, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	return n, err == nil
}

// Recent implements events.Log.
func (l *Log) Recent(ctx context.Context, key string) ([]events.Event, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	// The newest PerKey entries (MAXLEN is approximate: there may be more).
	msgs, err := l.rdb.XRevRangeN(ctx, l.stream(key), "+", "-", int64(l.lim.PerKey)).Result()
	if err := l.result(ctx, err); err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	out, _ := l.decode([]redis.XStream{{Messages: msgs}}, "")
	return out, nil
}

// Close implements events.Log; the Redis client belongs to the caller.
func (l *Log) Close() error { return nil }

// LogRedisTo sends go-redis's own messages (a pool that cannot dial, say),
// which it otherwise prints to stderr in its own format, to l as warnings,
// so that they are structured and redacted like every other line. It is
// process-wide, as go-redis's logger is.
func LogRedisTo(l *slog.Logger) { redis.SetLogger(redisLogger{l}) }

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, fmt.Sprintf(format, v...)) // go-redis starts each with "redis: "
}
