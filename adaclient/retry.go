package adaclient

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/bufpool"
)

// RetryPolicy bounds how the client retries rate limits and transient faults.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// MinWait is the base of the exponential backoff; attempt n waits a
	// random duration in [0, min(MaxWait, MinWait*2^n)] ("full jitter").
	MinWait time.Duration
	MaxWait time.Duration
	// MaxRetryAfter is the longest Retry-After the client will sleep on when
	// the context has no deadline; a longer one is returned to the caller as
	// a 429 *ErrorResponse carrying RetryAfter. With a deadline, any wait that
	// would end past it is returned the same way. It also bounds a rate
	// budget's wait when the context has no deadline (a longer one is a
	// *RateLimitError).
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy follows Ada's advice (exponential backoff with jitter
// on 429) while keeping a tool call responsive.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 4, MinWait: 250 * time.Millisecond, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}
}

// NoRetries is a policy that sends each request once.
func NoRetries() RetryPolicy { return RetryPolicy{} }

// attempts is the retry state of one call. retryablehttp's hooks get no
// per-request state, so each call builds its own closures over this.
type attempts struct {
	policy RetryPolicy
	mode   retryMode
	logger *slog.Logger
	method string
	path   string
	budget RateBudget // nil: no pacing
	group  string

	n         int           // retries scheduled so far
	next      time.Duration // wait chosen by check for the coming retry
	maybeSent bool          // an attempt may have reached Ada
	body      []byte        // body of the final response
	buf       *bytes.Buffer // holds body, from bodies
	bodyRead  bool
	observed  *http.Response // last response told to the budget
	waited    time.Duration  // time spent waiting on the budget
	paceErr   error          // the budget's refusal of a retry
}

// pace waits for the budget's turn before an attempt. Without a deadline it
// waits at most MaxRetryAfter, like a Retry-After.
func (a *attempts) pace(ctx context.Context) error {
	if a.budget == nil {
		return nil
	}
	wctx := ctx
	if _, ok := ctx.Deadline(); !ok && a.policy.MaxRetryAfter > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, a.policy.MaxRetryAfter)
		defer cancel()
	}
	start := time.Now()
	err := a.budget.Wait(wctx, a.group)
	a.waited += time.Since(start)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = &RateLimitError{Group: a.group} // our bound ran out, not the caller's context
	}
	a.paceErr = err
	return err
}

// observe tells the budget about each response once (check may see it twice).
func (a *attempts) observe(resp *http.Response) {
	if a.budget == nil || resp == nil || resp == a.observed {
		return
	}
	a.observed = resp
	a.budget.Observe(a.group, resp.StatusCode, resp.Header)
}

// readBody is the retryablehttp response handler: it reads the whole body
// inside the retry loop, so a connection that breaks mid-body is seen by
// check as an error (retried when the request is idempotent).
func (a *attempts) readBody(resp *http.Response) error {
	defer resp.Body.Close()
	if a.buf == nil {
		a.buf = bodies.Get()
	}
	a.buf.Reset()
	_, err := a.buf.ReadFrom(io.LimitReader(resp.Body, maxResponseBody))
	a.body, a.bodyRead = a.buf.Bytes(), err == nil
	return err
}

// bodies are the buffers responses are read into.
var bodies bufpool.Pool

// release returns the body's buffer for reuse once the call is over: what
// was decoded from the body (a result, an error's message) is a copy.
func (a *attempts) release() {
	if a.buf != nil {
		bodies.Put(a.buf)
	}
	a.buf, a.body = nil, nil
}

// check is the retryablehttp CheckRetry hook.
func (a *attempts) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	a.observe(resp)
	if (resp != nil && resp.StatusCode != http.StatusTooManyRequests) || (err != nil && !notSent(err)) {
		a.maybeSent = true
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if !a.retryable(resp, err) {
		return false, nil
	}
	wait, fromServer := a.wait(resp)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
		return false, nil // the caller gets the 429 (with RetryAfter) or the error now
	}
	if fromServer && a.policy.MaxRetryAfter > 0 && wait > a.policy.MaxRetryAfter {
		return false, nil
	}
	a.next = wait
	a.n++
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	a.logger.LogAttrs(ctx, slog.LevelDebug, "ada retry",
		slog.String("method", a.method), slog.String("path", a.path), slog.Int("status", status),
		slog.Int("retry", a.n), slog.Duration("wait", wait))
	return true, nil
}

// retryable decides from one attempt's outcome whether sending again is
// both useful and safe.
func (a *attempts) retryable(resp *http.Response, err error) bool {
	if err != nil {
		if notSent(err) {
			return true // never reached Ada
		}
		return a.mode == idempotent && !permanentTransportError(err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true // Ada rejected it without applying it
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return a.mode == idempotent
	}
	return false
}

// backoff is the retryablehttp Backoff hook; check already chose the wait.
func (a *attempts) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return a.next
}

// wait returns the server's Retry-After when it sent one on a 429/503, else
// a full-jitter exponential backoff.
func (a *attempts) wait(resp *http.Response) (time.Duration, bool) {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return d, true
		}
	}
	return fullJitter(a.policy.MinWait, a.policy.MaxWait, a.n), false
}

func fullJitter(base, max time.Duration, n int) time.Duration {
	if base <= 0 {
		return 0
	}
	ceiling := max
	if n < 30 {
		if d := base << n; d > 0 && (max <= 0 || d < max) {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// parseRetryAfter reads delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Beyond what a Duration holds (292 years) the product would wrap
		// negative and read as "retry now".
		return time.Duration(min(secs, int64(math.MaxInt64/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// permanentTransportError is an error that another attempt cannot fix.
func permanentTransportError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalidCert) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "stopped after") // redirects
}

// Rate is Ada's rate-limit state from the X-RateLimit-* headers (sent on
// every authenticated success since 2026-09-18); zero when absent.
type Rate struct {
	Limit     int
	Remaining int
	Reset     time.Time
}

// Ada's rate headers (X-RateLimit-*) in Go's canonical form: Header.Get
// would canonicalize the documented spelling into a new string each time.
const (
	headerRateLimit     = "X-Ratelimit-Limit"
	headerRateRemaining = "X-Ratelimit-Remaining"
	headerRateReset     = "X-Ratelimit-Reset"
)

func parseRate(h http.Header) Rate {
	var r Rate
	// Absent headers (most responses) cost nothing: a failed parse allocates its error.
	if v := h.Get(headerRateLimit); v != "" {
		r.Limit, _ = strconv.Atoi(v)
	}
	if v := h.Get(headerRateRemaining); v != "" {
		r.Remaining, _ = strconv.Atoi(v)
	}
	if v := h.Get(headerRateReset); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs > 0 {
			r.Reset = time.Unix(secs, 0).UTC()
		}
	}
	return r
}
