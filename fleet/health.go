package fleet

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// health is whether Redis answers, as one user of it (the event log, the
// budget) has found. After a failure nothing asks Redis for redisRetry;
// then a PING in the background decides, so that no call waits on a Redis
// that hangs (a dial or a read that times out takes seconds). The first
// failure of an outage and its end are logged, not each call.
type health struct {
	rdb       redis.UniversalClient
	downUntil atomic.Int64 // Unix nanoseconds; zero while Redis answers
	probing   atomic.Bool
	log       atomic.Pointer[slog.Logger]
	// downMsg and upMsg are the lines logged when an outage starts and ends.
	downMsg, upMsg string
}

// redisRetry is how long Redis is left alone after it failed (a variable
// for the tests).
var redisRetry = 5 * time.Second

// probeTimeout bounds the background PING.
const probeTimeout = 2 * time.Second

// deadlineSlack is how near its deadline a caller's context counts as
// ended (clocks and timers are not to the nanosecond).
const deadlineSlack = 5 * time.Millisecond

// ctxEnded reports whether ctx has ended or its deadline is (all but)
// reached. go-redis gives the socket the caller's deadline, so a call may
// fail with an i/o timeout an instant before ctx.Err() says so: that is the
// caller's time running out, not Redis failing.
func ctxEnded(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < deadlineSlack
}

// ctxErr is ctx's error once ctxEnded: DeadlineExceeded before the
// context itself says so.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

func (h *health) setLogger(l *slog.Logger) { h.log.Store(l) }

func (h *health) logger() *slog.Logger {
	if l := h.log.Load(); l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// usable reports whether to ask Redis now.
func (h *health) usable() bool {
	until := h.downUntil.Load()
	if until == 0 {
		return true
	}
	if time.Now().UnixNano() >= until && h.probing.CompareAndSwap(false, true) {
		go h.probe()
	}
	return false
}

func (h *health) probe() {
	defer h.probing.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if err := h.rdb.Ping(ctx).Err(); err != nil {
		h.failed(err)
		return
	}
	h.answered()
}

// failed notes that Redis did not answer; the first failure of an outage
// is logged.
func (h *health) failed(err error) {
	if h.downUntil.Swap(time.Now().Add(redisRetry).UnixNano()) == 0 {
		h.logger().Warn(h.downMsg, "error", err.Error(), "retry_in", redisRetry.String())
	}
}

// answered notes that Redis answered; the end of an outage is logged.
func (h *health) answered() {
	if h.downUntil.Load() != 0 && h.downUntil.Swap(0) != 0 {
		h.logger().Info(h.upMsg)
	}
}
