package adasim

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// The Audit Log API (ada-api.md 8.4; Ada's OpenAPI /v2/analytics/audit-log/events/): the
// simulator records its own writes and lists them, newest first, for a window of at most 30
// days.
//
// What is recorded follows Ada's Audit log overview ("Coverage and limitations"): of the
// surfaces the simulator has, knowledge (sources and articles) and custom instructions are
// recorded. Ada lists channel settings, the persona and webhook subscriptions as not captured
// yet, and end users, conversations and tags are not configuration it records, so writes to
// them leave no event here either: an evaluation that passes on the sandbox must not expect an
// event a real Ada would not write. Each event is an API key actor's (api_key_name "sandbox",
// interface "api"); the request's IP and user agent are not recorded (empty, which Ada
// documents as "unavailable"). A deletion is recorded when Ada accepts it. v1.audit_log.emitted
// is not emitted as a webhook. Like the webhook endpoints, the audit log is not part of a
// State: a load keeps it, Reset empties it.

// The activities Ada documents (AuditLogWebhookEventDataActivity) that the simulator records.
const (
	activityCreated     = "created"
	activityUpdated     = "updated"
	activityDeleted     = "deleted"
	activityActivated   = "activated"
	activityDeactivated = "deactivated"
)

// The entity types the simulator records.
const (
	auditKnowledgeSource   = "knowledge_source"
	auditArticle           = "article"
	auditCustomInstruction = "custom_instruction"
)

// The actor of every event: the owner of the sandbox's dashboard-created API key.
const (
	auditActorEmail  = "sandbox-owner@example.com"
	auditActorName   = "Sandbox Owner"
	auditActorUserID = "5f0c0ffee0dd5a4db0c5a4db"
	auditAPIKeyName  = "sandbox"
	auditInterface   = "api"
)

const (
	// maxAuditWindow is the widest window one request may cover.
	maxAuditWindow = 30 * 24 * time.Hour
	// defaultAuditLimit is Ada's documented page size; the maximum, 100, is the simulator's
	// (Ada rejects "out-of-range" values without giving the range).
	defaultAuditLimit = 50
	// maxAuditEvents bounds the log; the oldest events go first (Ada's retention is not
	// documented).
	maxAuditEvents = 10_000
)

// auditEventJSON is Ada's AuditLogEvent. Every field is present; "" means unavailable.
type auditEventJSON struct {
	ID               string `json:"id"`
	Timestamp        string `json:"timestamp"`
	ActorEmail       string `json:"actor_email"`
	ActorName        string `json:"actor_name"`
	ActorUserID      string `json:"actor_user_id"`
	EntityType       string `json:"entity_type"`
	EntityID         string `json:"entity_id"`
	EntityName       string `json:"entity_name"`
	Activity         string `json:"activity"`
	Interface        string `json:"interface"`
	ContextIP        string `json:"context_ip"`
	ContextUserAgent string `json:"context_user_agent"`
	APIKeyName       string `json:"api_key_name"`
}

type auditEvent struct {
	seq  int       // recording order, which breaks ties between equal timestamps
	at   time.Time // millisecond precision, as shown
	data auditEventJSON
}

// auditStore is the log, in recording order. Its generator (event ids) is its own, seeded by
// Options.Seed, so that recording never changes the API's ids.
type auditStore struct {
	events []auditEvent
	seq    int
	rng    *rand.Rand
}

func newAuditStore(seed int64) *auditStore {
	return &auditStore{rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed_a0d1_7106_0001))}
}

// uuid4 is a random (version 4, RFC 4122 variant) UUID from the store's generator.
func (st *auditStore) uuid4() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(st.rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// audit records a change the API just made: an event with a new id, the time of the change
// (the clock's last tick) and the sandbox's API key as its actor. Callers hold mu, after the
// change's Tick.
func (s *Sim) audit(entityType, entityID, entityName, activity string) {
	st := s.auditLog
	at := s.clock.changedAt().UTC().Truncate(time.Millisecond)
	st.seq++
	st.events = append(st.events, auditEvent{seq: st.seq, at: at, data: auditEventJSON{
		ID: st.uuid4(), Timestamp: at.Format(auditTimeLayout),
		ActorEmail: auditActorEmail, ActorName: auditActorName, ActorUserID: auditActorUserID,
		EntityType: entityType, EntityID: entityID, EntityName: entityName, Activity: activity,
		Interface: auditInterface, APIKeyName: auditAPIKeyName,
	}})
	if len(st.events) > maxAuditEvents {
		st.events = slices.Delete(st.events, 0, len(st.events)-maxAuditEvents)
	}
}

// auditTimeLayout is the events' timestamp: ISO 8601, UTC, milliseconds.
const auditTimeLayout = "2006-01-02T15:04:05.000Z"

// changedAt is the time of the state change being recorded: the last Tick's. Callers hold mu.
func (c *clock) changedAt() time.Time {
	if c.logical {
		return c.next.Add(-logicalStep)
	}
	return c.Now()
}

// auditCursor is what the opaque cursor holds: the window it belongs to and where the next
// page starts (the key of its first event).
type auditCursor struct {
	Start string `json:"s"`
	End   string `json:"e"`
	At    int64  `json:"t"` // Unix milliseconds
	Seq   int    `json:"q"`
}

func (c auditCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.StdEncoding.EncodeToString(b)
}

// getAuditLogEvents is GET /v2/analytics/audit-log/events/: the events of [start_date,
// end_date] (both inclusive; end_date defaults to now), newest first. A window wider than 30
// days, an invalid date or limit, a malformed cursor, or a cursor used with another window
// (including an end_date left out again, which resolves to a new now) is 400; next_page_url
// carries the resolved window and must be replayed as it is. 404 when Options.AuditLogDisabled
// (the API is not enabled for the account).
func (s *Sim) getAuditLogEvents(c *call) (int, any, *apiError) {
	if s.opts.AuditLogDisabled {
		return 0, nil, notFound("The Audit log API is not enabled for this account.")
	}
	q := c.r.URL.Query()
	start, err := auditDate(q, "start_date", true)
	if err != nil {
		return 0, nil, err
	}
	end, err := auditDate(q, "end_date", false)
	if err != nil {
		return 0, nil, err
	}
	limit := defaultAuditLimit
	if q.Has("limit") {
		n, convErr := strconv.Atoi(q.Get("limit"))
		if convErr != nil || n < 1 || n > maxPageLimit {
			return 0, nil, invalidField("limit", "limit must be an integer from 1 to %d.", maxPageLimit)
		}
		limit = n
	}
	var cursor *auditCursor
	if q.Has("cursor") {
		raw, decErr := base64.StdEncoding.DecodeString(q.Get("cursor"))
		cursor = &auditCursor{}
		if decErr != nil || json.Unmarshal(raw, cursor) != nil || cursor.Start == "" || cursor.End == "" {
			return 0, nil, invalidField("cursor", "cursor is malformed: replay the next_page_url of the previous page as it is.")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	resolvedEnd := q.Get("end_date")
	if end.IsZero() {
		end = s.clock.Now()
		resolvedEnd = end.UTC().Format(time.RFC3339Nano)
	}
	switch {
	case end.Before(start):
		return 0, nil, invalidField("end_date", "end_date must not be before start_date.")
	case end.Sub(start) > maxAuditWindow:
		return 0, nil, invalidField("end_date", "The window from start_date to end_date must not exceed 30 days.")
	}
	if cursor != nil && (!sameInstant(cursor.Start, start) || !sameInstant(cursor.End, end)) {
		return 0, nil, invalidField("cursor", "The time window changed during pagination: replay next_page_url as it is, or start again without a cursor.")
	}

	var events []auditEvent
	for _, e := range s.auditLog.events {
		if !e.at.Before(start) && !e.at.After(end) {
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b auditEvent) int { return newerFirst(a, b.at.UnixMilli(), b.seq) })
	first := 0
	if cursor != nil {
		first, _ = slices.BinarySearchFunc(events, cursor, func(e auditEvent, k *auditCursor) int { return newerFirst(e, k.At, k.Seq) })
	}
	page := events[first:min(first+limit, len(events))]
	body := listPage[auditEventJSON]{Data: make([]auditEventJSON, 0, len(page))}
	for _, e := range page {
		body.Data = append(body.Data, e.data)
	}
	if rest := first + len(page); rest < len(events) {
		next := auditCursor{Start: start.Format(time.RFC3339Nano), End: end.Format(time.RFC3339Nano),
			At: events[rest].at.UnixMilli(), Seq: events[rest].seq}
		u := *c.r.URL
		nq := u.Query()
		nq.Set("end_date", resolvedEnd)
		nq.Set("limit", strconv.Itoa(limit))
		nq.Set("cursor", next.encode())
		u.RawQuery = nq.Encode()
		body.Meta.NextPageURL = absoluteURL(c.r, u.RequestURI())
	}
	return http.StatusOK, body, nil
}

// auditDate reads an ISO 8601 date-time parameter (RFC 3339: a time zone is required).
func auditDate(q url.Values, name string, required bool) (time.Time, *apiError) {
	v := q.Get(name)
	if v == "" {
		if required {
			return time.Time{}, invalidField(name, "%s is required (ISO 8601, e.g. 2026-06-01T00:00:00Z).", name)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, invalidField(name, "%s must be an ISO 8601 date-time with a time zone, e.g. 2026-06-01T00:00:00Z.", name)
	}
	return t.UTC(), nil
}

// newerFirst orders events newest first: negative when e comes before the event at (atMs,
// seq), a later timestamp first and, between equal ones, the later recorded.
func newerFirst(e auditEvent, atMs int64, seq int) int {
	if c := cmp.Compare(atMs, e.at.UnixMilli()); c != 0 {
		return c
	}
	return cmp.Compare(seq, e.seq)
}

func sameInstant(s string, t time.Time) bool {
	u, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && u.Equal(t)
}

// absoluteURL is requestURI on this request's scheme and host.
func absoluteURL(r *http.Request, requestURI string) *string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s := scheme + "://" + r.Host + requestURI
	return &s
}
