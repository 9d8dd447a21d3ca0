package events

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	svix "github.com/svix/svix-webhooks/go"
	"golang.org/x/time/rate"

	"github.com/ada-mcp/ada-mcp/internal/adatime"
	"github.com/ada-mcp/ada-mcp/internal/httpjson"
	"github.com/ada-mcp/ada-mcp/redact"
)

// Receiver limits.
const (
	// DefaultMaxBody bounds a delivery: Ada's payloads are one message or
	// end user, far below it.
	DefaultMaxBody = 1 << 20
	// Tolerance is how far a delivery's svix-timestamp may be from now, as
	// Svix's own verifiers allow: older ones may be replays.
	Tolerance = 5 * time.Minute
	// appendTimeout bounds the log write, so the answer stays well inside
	// the 15 s Ada waits.
	appendTimeout = 5 * time.Second
)

// ReceiverConfig configures a Receiver. Zero fields take defaults; Secret
// and Log are required.
type ReceiverConfig struct {
	// Secret is the endpoint's signing secret, "whsec_" + base64.
	Secret   string
	Log      Log
	Redactor *redact.Redactor
	Logger   *slog.Logger
	MaxBody  int64
	// OnEvent, if set, is called with each new event once it is kept.
	OnEvent func(Event)
	// MoreSecrets, if set, tells secrets a rotation elsewhere made (another
	// replica's, through Redis; a shared secret file): a delivery no known
	// secret signed is checked again with them, at most every
	// refreshEvery. It tells them newest first, and may tell some along
	// with an error (those it could read).
	MoreSecrets func(context.Context) ([]string, error)
}

// refreshEvery bounds how often a failed signature asks MoreSecrets, so
// that forged deliveries cannot make the receiver hammer Redis.
const refreshEvery = 2 * time.Second

// refreshTimeout bounds one MoreSecrets.
const refreshTimeout = 2 * time.Second

// refreshRetry is how soon a failed MoreSecrets (Redis down) may be asked
// again: soon, so a secret rotated elsewhere is learned shortly after
// Redis is back, but not at once, or forged deliveries would make the
// receiver try a down Redis back to back. A variable for tests.
var refreshRetry = 250 * time.Millisecond

// Receiver is the http.Handler for Ada's webhooks.
type Receiver struct {
	cfg   ReceiverConfig
	now   func() time.Time
	stats ReceiverStats

	lastRefresh atomic.Int64 // Unix nanoseconds of the last MoreSecrets

	// rejectLog bounds the "webhook rejected" lines: the endpoint has no
	// authentication of its own, so anyone who reaches it could flood
	// the logs. unlogged counts the rejections left out since the last line.
	rejectLog *rate.Limiter
	unlogged  atomic.Int64

	mu        sync.RWMutex
	verifiers []*svix.Webhook     // the configured secret, then any added by a rotation
	digests   [][sha256.Size]byte // the same secrets' SHA-256, for Knows
}

// ReceiverStats count deliveries by outcome.
type ReceiverStats struct {
	Accepted, Duplicates, Ignored, Rejected atomic.Int64
}

// NewReceiver checks cfg and returns a receiver.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if !strings.HasPrefix(cfg.Secret, "whsec_") {
		return nil, ErrNoSecret
	}
	if cfg.Log == nil {
		return nil, errors.New("events: a receiver needs a log")
	}
	v, err := verifierFor(cfg.Secret)
	if err != nil {
		return nil, err
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Redactor == nil {
		cfg.Redactor = redact.New()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Redactor = cfg.Redactor.With(cfg.Secret)
	return &Receiver{cfg: cfg, verifiers: []*svix.Webhook{v}, digests: [][sha256.Size]byte{sha256.Sum256([]byte(cfg.Secret))}, now: time.Now,
		rejectLog: rate.NewLimiter(rejectLogRate, rejectLogBurst)}, nil
}

// At most rejectLogBurst "webhook rejected" lines at once, then one a
// second, each saying how many rejections it stands for.
const (
	rejectLogRate  = rate.Limit(1)
	rejectLogBurst = 10
)

func (r *Receiver) logRejected(rej *RejectError, remote string) {
	if !r.rejectLog.Allow() {
		r.unlogged.Add(1)
		return
	}
	args := []any{"status", rej.Status, "reason", rej.Reason, "remote", remote}
	if n := r.unlogged.Swap(0); n > 0 {
		args = append(args, "also_rejected_unlogged", n)
	}
	r.cfg.Logger.Warn("webhook rejected", args...)
}

func verifierFor(secret string) (*svix.Webhook, error) {
	if !strings.HasPrefix(secret, "whsec_") {
		return nil, ErrNoSecret
	}
	v, err := svix.NewWebhook(secret)
	if err != nil {
		return nil, errors.New("events: the webhook secret is not whsec_ followed by base64")
	}
	return v, nil
}

// AddSecret makes deliveries signed with secret valid too: after a
// rotation Svix signs with the old and the new secret for a while, then
// with the new one only.
func (r *Receiver) AddSecret(secret string) error {
	v, err := verifierFor(secret)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.verifiers = append(r.verifiers, v)
	r.digests = append(r.digests, sha256.Sum256([]byte(secret)))
	if len(r.verifiers) > 3 { // the configured one and the last two rotations
		r.verifiers = append(r.verifiers[:1], r.verifiers[len(r.verifiers)-2:]...)
		r.digests = append(r.digests[:1], r.digests[len(r.digests)-2:]...)
	}
	return nil
}

// refresh learns the secrets MoreSecrets tells that the receiver does not
// know yet, and reports whether there were any. It runs apart from the
// delivery's request (a client hanging up does not cut it short) within
// refreshTimeout. Secrets told along with an error (the secret file's,
// when Redis fails) are learned too; but a refresh that failed gives its
// turn back after refreshRetry rather than refreshEvery.
func (r *Receiver) refresh(ctx context.Context) bool {
	if r.cfg.MoreSecrets == nil {
		return false
	}
	now, last := time.Now().UnixNano(), r.lastRefresh.Load()
	if now-last < int64(refreshEvery) || !r.lastRefresh.CompareAndSwap(last, now) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	secrets, err := r.cfg.MoreSecrets(ctx)
	if err != nil {
		r.lastRefresh.CompareAndSwap(now, time.Now().Add(refreshRetry-refreshEvery).UnixNano())
		r.cfg.Logger.Warn("could not learn webhook secrets rotated elsewhere", "error", r.cfg.Redactor.String(err.Error()))
	}
	learned := false
	// Newest first as told; added oldest first, since AddSecret keeps the
	// last ones added: the newest is the one Svix signs with.
	for _, sec := range slices.Backward(slices.Compact(slices.Clone(secrets))) {
		if sec != "" && !r.Knows(sec) && r.AddSecret(sec) == nil {
			learned = true
		}
	}
	if learned {
		r.cfg.Logger.Info("learned a webhook signing secret rotated elsewhere")
	}
	return learned
}

// Knows reports whether deliveries signed with secret are accepted: it is
// the configured secret or one a rotation added.
func (r *Receiver) Knows(secret string) bool {
	d := sha256.Sum256([]byte(secret))
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range r.digests {
		if subtle.ConstantTimeCompare(k[:], d[:]) == 1 {
			return true
		}
	}
	return false
}

// verify reports whether any known secret signed the delivery.
func (r *Receiver) verify(body []byte, h http.Header) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.verifiers {
		if v.VerifyIgnoringTimestamp(body, h) == nil {
			return true
		}
	}
	return false
}

// Stats are the receiver's counts so far.
func (r *Receiver) Stats() *ReceiverStats { return &r.stats }

// ServeHTTP verifies, deduplicates and keeps one delivery, and answers at
// once: 204 when kept (or a duplicate, or a type not kept), 4xx when
// refused, 503 when the log cannot take it (Svix then retries).
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ev, err := r.accept(w, req)
	var rej *RejectError
	switch {
	case errors.As(err, &rej):
		r.stats.Rejected.Add(1)
		r.logRejected(rej, req.RemoteAddr)
		httpjson.Error(w, rej.Status, errorCode(rej.Status), rej.Reason)
		return
	case err != nil:
		r.cfg.Logger.Error("webhook not kept: the event log failed; Svix will retry", "error", err.Error())
		httpjson.Error(w, http.StatusServiceUnavailable, "event_log_unavailable", "the event log is unavailable; deliver again later")
		return
	case ev == nil:
		r.stats.Ignored.Add(1)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), appendTimeout)
	defer cancel()
	isNew, err := r.cfg.Log.Append(ctx, *ev)
	if err != nil {
		r.cfg.Logger.Error("webhook not kept: the event log failed; Svix will retry", "error", err.Error())
		httpjson.Error(w, http.StatusServiceUnavailable, "event_log_unavailable", "the event log is unavailable; deliver again later")
		return
	}
	if !isNew {
		r.stats.Duplicates.Add(1)
		r.cfg.Logger.Debug("webhook duplicate", "id", ev.ID, "type", ev.Type)
	} else {
		r.stats.Accepted.Add(1)
		r.cfg.Logger.Debug("webhook kept", "id", ev.ID, "type", ev.Type)
		if r.cfg.OnEvent != nil {
			r.cfg.OnEvent(*ev)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// accept reads and checks a delivery; a nil event with a nil error is a
// valid delivery of a type the server does not keep.
func (r *Receiver) accept(w http.ResponseWriter, req *http.Request) (*Event, error) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &RejectError{http.StatusMethodNotAllowed, "webhooks are POSTed"}
	}
	id, ts, sig := req.Header.Get("svix-id"), req.Header.Get("svix-timestamp"), req.Header.Get("svix-signature")
	if id == "" || ts == "" || sig == "" {
		return nil, &RejectError{http.StatusBadRequest, "missing svix-id, svix-timestamp or svix-signature"}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, &RejectError{http.StatusBadRequest, "svix-timestamp is not Unix seconds"}
	}
	if d := r.now().Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return nil, &RejectError{http.StatusBadRequest, "svix-timestamp is more than 5 minutes from now (a replay, or a clock off)"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &RejectError{http.StatusRequestEntityTooLarge, "body over " + strconv.FormatInt(r.cfg.MaxBody, 10) + " bytes"}
	case err != nil:
		return nil, &RejectError{http.StatusBadRequest, "reading the body failed"}
	}
	// The library checks the signature (any of several, during a secret
	// rotation) over the raw body; the timestamp was checked above against
	// the receiver's clock.
	if !r.verify(body, req.Header) && !(r.refresh(req.Context()) && r.verify(body, req.Header)) {
		return nil, &RejectError{http.StatusUnauthorized, "no signature matches the endpoint's secret"}
	}
	return r.parse(id, body)
}

// envelope is Ada's webhook body.
type envelope struct {
	Type      string          `json:"type"`
	Timestamp adatime.Time    `json:"timestamp"` // Ada writes it without a zone`
	Data      json.RawMessage `json:"data"`
}

// ids are the identifiers events are keyed by.
type ids struct {
	ConversationID string `json:"conversation_id"`
	EndUserID      string `json:"end_user_id"`
}

func (r *Receiver) parse(id string, body []byte) (*Event, error) {
	ev, err := Parse(id, body, r.cfg.Redactor)
	if ev != nil && ev.At.IsZero() {
		ev.At = r.now().UTC()
	}
	return ev, err
}

// Parse reads one delivery's body: Ada's envelope {type, timestamp, data}.
// It returns nil (and no error) for a type the server does not keep, and a
// *RejectError for anything that is not a webhook it can use. The data is
// redacted by red before it is kept. A sandbox feeding its simulator's
// events straight in uses it too.
func Parse(id string, body []byte, red *redact.Redactor) (*Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Type == "" || len(env.Data) == 0 || env.Data[0] != '{' {
		return nil, &RejectError{http.StatusBadRequest, "not an Ada webhook: want {type, timestamp, data}"}
	}
	if !kept(env.Type) {
		return nil, nil
	}
	var keys ids
	if err := json.Unmarshal(env.Data, &keys); err != nil {
		return nil, &RejectError{http.StatusBadRequest, "data of " + env.Type + " is malformed"}
	}
	data, err := red.Bytes(env.Data)
	if err != nil {
		return nil, &RejectError{http.StatusBadRequest, "data of " + env.Type + " is not JSON"}
	}
	ev := &Event{ID: id, Type: env.Type, At: env.Timestamp.Time, ConversationID: keys.ConversationID, EndUserID: keys.EndUserID, Data: data}
	if ev.Key() == "" {
		return nil, &RejectError{http.StatusBadRequest, env.Type + " without conversation_id or end_user_id"}
	}
	return ev, nil
}

func kept(t string) bool {
	for _, k := range Kept {
		if k == t {
			return true
		}
	}
	return false
}

// errorCode names a refusal's status for the error body.
func errorCode(status int) string {
	return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}
