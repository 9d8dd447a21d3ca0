package adasim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Webhook delivery as Svix delivers Ada's webhooks (ada-api.md section 4, "Delivery, signing,
// retries"): a POST of the envelope {type, timestamp, data, tags?} signed with the endpoint's secret,
// 2xx within 15 s or it is retried on a schedule, at least once. Each endpoint has its own
// goroutine and queue, so first attempts reach an endpoint in the order the messages were
// emitted and a slow endpoint delays no other. A message whose attempt failed is retried on a
// goroutine of its own, so it holds up none after it ("delivery order is not guaranteed").

const (
	// attemptTimeout: "Endpoint must return 2xx within 15 s".
	attemptTimeout = 15 * time.Second
	// defaultRotationOverlap: Svix keeps signing with the previous secret for 24 hours.
	defaultRotationOverlap = 24 * time.Hour
	// maxResponseBytes of a receiver's answer are read (then discarded) to reuse the connection.
	maxResponseBytes = 64 << 10
	userAgent        = "Svix-Webhooks/1.0 (sender-adasim; +https://www.svix.com/http-sender/)"
	// envelopeTimeLayout: the envelope's timestamp has millisecond precision, in UTC, written
	// without a zone, as Ada documents it ("2024-01-17T22:23:35.835", ada-api.md section 1).
	envelopeTimeLayout = "2006-01-02T15:04:05.000"
)

// defaultRetrySchedule is Ada's (Svix's) documented schedule of retries after a failed attempt:
// immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
var defaultRetrySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// WebhookStat is what happened to the deliveries of one endpoint (Sim.WebhookStats).
type WebhookStat struct {
	ID, URL    string
	Delivered  int // messages acknowledged with a 2xx (duplicates not counted)
	Failed     int // attempts answered with a non-2xx, failed in transport or timed out
	Dropped    int // messages given up: retries exhausted, or the endpoint disabled meanwhile
	Duplicates int // extra deliveries of a message sent (Options.WebhookDuplicateEvery)
}

// WebhookStats returns the delivery counts of every endpoint, in creation order.
func (s *Sim) WebhookStats() []WebhookStat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WebhookStat, 0, len(s.hooks.order))
	for _, wh := range s.hooks.order {
		out = append(out, wh.delivery.stat(wh.id, wh.url))
	}
	return out
}

// sender is how every endpoint of a simulator sends: the options that apply to all.
type sender struct {
	client    *http.Client
	ownClient bool // the default client, whose idle connections Close closes
	schedule  []time.Duration
	dupEvery  int
	logger    *slog.Logger
}

func newSender(opts Options) *sender {
	snd := &sender{client: opts.WebhookClient, schedule: opts.WebhookRetrySchedule,
		dupEvery: opts.WebhookDuplicateEvery, logger: opts.Logger}
	if snd.client == nil {
		snd.client = &http.Client{
			Timeout: attemptTimeout,
			// Svix does not follow redirects: a 3xx is a failed attempt.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		if tr, ok := http.DefaultTransport.(*http.Transport); ok {
			snd.client.Transport = tr.Clone() // connections of its own, for closeIdleConnections
			snd.ownClient = true
		}
	}
	if snd.schedule == nil {
		snd.schedule = defaultRetrySchedule
	}
	return snd
}

// closeIdleConnections ends the default client's kept-alive connections (and their
// goroutines) once delivery has stopped; a caller's client is left alone.
func (snd *sender) closeIdleConnections() {
	if snd.ownClient {
		snd.client.CloseIdleConnections()
	}
}

// outMessage is one event as Svix sends it: the same id and body to every endpoint and on every
// attempt.
type outMessage struct {
	id   string
	body []byte
}

type webhookEnvelope struct {
	Type      string   `json:"type"`
	Timestamp string   `json:"timestamp"`
	Data      any      `json:"data"`
	Tags      []string `json:"tags,omitempty"`
}

// webhookTags are the envelope's tags: Ada's end-user payloads carry tags that include the
// end user's id by default (EndUserCreatedWebhookPayload.tags: "Includes the `end_user_id`
// value for the webhook payload by default"); its conversation payloads have none.
func webhookTags(e Event) []string {
	if u, ok := e.Data.(endUserJSON); ok && (e.Type == EventEndUserCreated || e.Type == EventEndUserUpdated) {
		return []string{u.EndUserID}
	}
	return nil
}

func envelope(e Event) []byte {
	body, err := marshalRaw(webhookEnvelope{Type: e.Type, Timestamp: e.Timestamp.UTC().Format(envelopeTimeLayout), Data: e.Data,
		Tags: webhookTags(e)})
	if err != nil {
		panic("adasim: encoding a webhook: " + err.Error()) // the simulator's own types
	}
	return body
}

// queueWebhooks queues e for every enabled endpoint that subscribes to its type, without
// blocking. Callers hold mu, so every queue gets events in the order they were emitted.
func (s *Sim) queueWebhooks(e Event) {
	if s.closed {
		return
	}
	var to []*webhook
	for _, wh := range s.hooks.order {
		if wh.wants(e.Type) {
			to = append(to, wh)
		}
	}
	if len(to) == 0 {
		return
	}
	m := &outMessage{id: svixID(s.hooks.msgRNG, messageIDPrefix), body: envelope(e)}
	for _, wh := range to {
		wh.delivery.push(m)
	}
}

// startDeliveryLocked starts the endpoint's goroutine, unless the simulator is closed. Callers
// hold mu: Close waits for every goroutine started before it set closed.
func (s *Sim) startDeliveryLocked(wh *webhook) {
	if !s.closed {
		s.workers.Go(wh.delivery.run)
	}
}

func (s *Sim) rotationOverlap() time.Duration {
	if s.opts.WebhookRotationOverlap > 0 {
		return s.opts.WebhookRotationOverlap
	}
	return defaultRotationOverlap
}

// signingKey is a secret's key; a previous one signs until the end of the rotation overlap.
type signingKey struct {
	key   []byte
	until time.Time // zero: the current secret
}

// deliveryTarget is what an attempt needs of its endpoint, replaced whole when the endpoint
// changes, so that delivery never takes the simulator's lock.
type deliveryTarget struct {
	url     string
	enabled bool
	keys    []signingKey // the current secret first
}

// keysAt are the keys that sign at time now.
func (t *deliveryTarget) keysAt(now time.Time) [][]byte {
	var keys [][]byte
	for _, k := range t.keys {
		if k.until.IsZero() || now.Before(k.until) {
			keys = append(keys, k.key)
		}
	}
	return keys
}

// queued is a message waiting for one endpoint; duplicate: send it twice.
type queued struct {
	msg       *outMessage
	duplicate bool
}

// delivery is one endpoint's queue and the goroutine (run) that empties it.
type delivery struct {
	sender *sender
	id     string // the endpoint's, for logs
	target atomic.Pointer[deliveryTarget]
	ctx    context.Context // cancelled by stop: pending messages and retries are dropped
	cancel context.CancelFunc
	wake   chan struct{} // a message was queued
	// retries are the goroutines of messages waiting for a retry: run
	// waits for them once stopped, so that Close leaves none behind.
	retries sync.WaitGroup

	mu       sync.Mutex
	queue    []queued
	pushed   int // messages queued so far, for WebhookDuplicateEvery
	retrying int // messages waiting for a retry, each on its own goroutine
	counts   WebhookStat
}

func newDelivery(snd *sender, wh *webhook) *delivery {
	ctx, cancel := context.WithCancel(context.Background())
	d := &delivery{sender: snd, id: wh.id, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	key, err := decodeSecret(wh.secret)
	if err != nil {
		panic("adasim: a webhook secret was not validated: " + err.message)
	}
	d.target.Store(&deliveryTarget{url: wh.url, enabled: wh.enabled, keys: []signingKey{{key: key}}})
	return d
}

// retarget follows a change of the endpoint's URL or enabled flag. Callers hold Sim.mu.
func (d *delivery) retarget(wh *webhook) {
	t := *d.target.Load()
	t.url, t.enabled = wh.url, wh.enabled
	d.target.Store(&t)
}

// rotate makes wh's secret the current one; the previous one signs until until. Callers hold
// Sim.mu (the secret was validated).
func (d *delivery) rotate(wh *webhook, until time.Time) {
	key, _ := decodeSecret(wh.secret)
	old := d.target.Load()
	t := *old
	t.keys = []signingKey{{key: key}}
	now := time.Now()
	for _, k := range old.keys {
		if k.until.IsZero() {
			k.until = until
		}
		if now.Before(k.until) {
			t.keys = append(t.keys, k)
		}
	}
	d.target.Store(&t)
}

// stop ends the goroutine promptly (an attempt in flight is cancelled); queued messages and
// retries are dropped.
func (d *delivery) stop() { d.cancel() }

func (d *delivery) push(m *outMessage) {
	d.mu.Lock()
	d.pushed++
	dup := d.sender.dupEvery > 0 && d.pushed%d.sender.dupEvery == 0
	d.queue = append(d.queue, queued{msg: m, duplicate: dup})
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default: // already woken
	}
}

func (d *delivery) stat(id, url string) WebhookStat {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.counts
	st.ID, st.URL = id, url
	return st
}

func (d *delivery) count(f func(*WebhookStat)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.counts)
}

// run delivers queued messages one at a time, in order, until stop; then
// it waits (within retryStopWait) for the retries it started.
func (d *delivery) run() {
	defer d.awaitRetries()
	for {
		q, ok := d.next()
		if !ok {
			return
		}
		d.send(q)
	}
}

// retryStopWait bounds how long a stopped endpoint waits for its retries:
// stop cancels them (their timers and requests), so they end at once unless
// a caller's WebhookClient ignores the cancellation.
const retryStopWait = 5 * time.Second

func (d *delivery) awaitRetries() {
	done := make(chan struct{})
	go func() {
		d.retries.Wait()
		close(done)
	}()
	t := time.NewTimer(retryStopWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		if d.sender.logger != nil {
			d.sender.logger.Warn("adasim webhook retries still running after the endpoint stopped", slog.String("endpoint", d.id))
		}
	}
}

// next waits for a queued message; false once stopped.
func (d *delivery) next() (queued, bool) {
	for {
		if d.ctx.Err() != nil {
			return queued{}, false
		}
		d.mu.Lock()
		if len(d.queue) > 0 {
			q := d.queue[0]
			d.queue = d.queue[1:]
			d.mu.Unlock()
			return q, true
		}
		d.mu.Unlock()
		select {
		case <-d.wake:
		case <-d.ctx.Done():
		}
	}
}

// errDisabled: the endpoint was disabled after the message was queued.
var errDisabled = errors.New("endpoint disabled")

// maxRetrying bounds the messages of one endpoint waiting for a retry; past it, a message
// that fails is dropped.
const maxRetrying = 1000

// send makes a message's first attempt; if it fails, its retries go on apart.
func (d *delivery) send(q queued) {
	if d.deliver(q, 0, 1) {
		return
	}
	d.mu.Lock()
	full := d.retrying >= maxRetrying
	if !full {
		d.retrying++
	}
	d.mu.Unlock()
	if full {
		d.count(func(st *WebhookStat) { st.Dropped++ })
		return
	}
	d.retries.Go(func() {
		defer func() {
			d.mu.Lock()
			d.retrying--
			d.mu.Unlock()
		}()
		if d.sleep(d.sender.schedule[0]) {
			d.deliver(q, 1, len(d.sender.schedule)+1)
		}
	})
}

// deliver makes attempts from..to-1 of a message (attempt i after the schedule's wait i-1),
// and reports whether it is done with it: delivered, dropped, or stopped; false when the
// attempts ran out with retries left to make elsewhere.
func (d *delivery) deliver(q queued, from, to int) bool {
	for retry := from; ; retry++ {
		err := d.attempt(q.msg, retry)
		switch {
		case err == nil:
			d.count(func(st *WebhookStat) { st.Delivered++ })
			if q.duplicate {
				d.sendDuplicate(q.msg)
			}
			return true
		case errors.Is(err, errDisabled):
			d.count(func(st *WebhookStat) { st.Dropped++ })
			return true
		case d.ctx.Err() != nil:
			return true // stopped: not the endpoint's failure
		}
		d.count(func(st *WebhookStat) { st.Failed++ })
		if retry >= len(d.sender.schedule) {
			d.count(func(st *WebhookStat) { st.Dropped++ })
			return true
		}
		if retry+1 >= to {
			return false
		}
		if !d.sleep(d.sender.schedule[retry]) {
			return true
		}
	}
}

// sendDuplicate sends a delivered message once more, as at-least-once delivery may (a retry
// whose first answer was lost). It is not retried.
func (d *delivery) sendDuplicate(m *outMessage) {
	d.count(func(st *WebhookStat) { st.Duplicates++ })
	if err := d.attempt(m, -1); err != nil && d.ctx.Err() == nil && !errors.Is(err, errDisabled) {
		d.count(func(st *WebhookStat) { st.Failed++ })
	}
}

func (d *delivery) sleep(wait time.Duration) bool {
	if wait <= 0 {
		return d.ctx.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-d.ctx.Done():
		return false
	}
}

// attempt POSTs the message once, signed now. retry is 0 for the first attempt, -1 for a
// duplicate (for the log).
func (d *delivery) attempt(m *outMessage, retry int) error {
	t := d.target.Load()
	if !t.enabled {
		return errDisabled
	}
	ctx, cancel := context.WithTimeout(d.ctx, attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(m.body))
	if err != nil {
		return err
	}
	// Real time even under a logical clock: receivers reject timestamps more than 5 minutes off.
	now := time.Now()
	timestamp := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("svix-id", m.id)
	req.Header.Set("svix-timestamp", timestamp)
	req.Header.Set("svix-signature", sign(m.id, timestamp, m.body, t.keysAt(now)))
	resp, err := d.sender.client.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		_ = resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
	}
	d.log(m, retry, err)
	return err
}

// log writes one debug line per attempt: never the body, the URL or a secret.
func (d *delivery) log(m *outMessage, retry int, err error) {
	if d.sender.logger == nil {
		return
	}
	result := "delivered"
	if ue, ok := errors.AsType[*url.Error](err); ok {
		result = ue.Err.Error() // *url.Error's text holds the URL
	} else if err != nil {
		result = err.Error()
	}
	d.sender.logger.Debug("adasim webhook", slog.String("endpoint", d.id), slog.String("message", m.id),
		slog.Int("retry", retry), slog.String("result", result))
}

// sign is Svix's svix-signature: "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>" for each
// key, space-separated.
func sign(msgID, timestamp string, body []byte, keys [][]byte) string {
	sigs := make([]string, 0, len(keys))
	for _, key := range keys {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID + "." + timestamp + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}
