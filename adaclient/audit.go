package adaclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AuditLogService is Ada's Audit Log API (ada-api.md 8.4): the account's
// configuration changes, newest first. It has a rate limit of its own
// (GroupAuditLog). A 404 means the API is not enabled for the account.
type AuditLogService struct{ c *Client }

// MaxAuditLogWindow is the longest window one listing may cover.
const MaxAuditLogWindow = 30 * 24 * time.Hour

const auditLogPath = "/v2/analytics/audit-log/events/"

// AuditLogEvent is one recorded change. An empty field means Ada did not
// know the value (a system actor has no email, say).
type AuditLogEvent struct {
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

// AuditLogOptions is the first page of a listing; the next ones continue
// from Response.NextPageURL (ListPage).
type AuditLogOptions struct {
	// StartDate is required: the window's start, inclusive.
	StartDate time.Time
	// EndDate is the window's end, inclusive; zero leaves Ada's default,
	// the time of the request. At most MaxAuditLogWindow after StartDate.
	EndDate time.Time
	// Limit is the page size, 1–100; 0 leaves Ada's default (50).
	Limit int
}

// ValidateAuditLogWindow checks a window as Ada does: start required, end
// (zero: now) not before it and at most MaxAuditLogWindow after it.
func ValidateAuditLogWindow(start, end, now time.Time) error {
	if start.IsZero() {
		return invalid("start_date", "is required")
	}
	if end.IsZero() {
		switch {
		case now.Before(start):
			return invalid("start_date", "is in the future: Ada's time is %s", FormatAuditLogTime(now.Truncate(time.Second)))
		case now.Sub(start) > MaxAuditLogWindow:
			return invalid("start_date", "is more than 30 days ago; without end_date the window ends now, and Ada allows at most 30 days: give an end_date within 30 days of it")
		}
		return nil
	}
	switch {
	case end.Before(start):
		return invalid("end_date", "is before start_date")
	case end.Sub(start) > MaxAuditLogWindow:
		return invalid("end_date", "is more than 30 days after start_date; Ada allows at most 30 days per listing: split the period into windows of 30 days or less")
	}
	return nil
}

// FormatAuditLogTime is how a window bound is sent: ISO 8601 in UTC.
func FormatAuditLogTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// List returns the first page of the window's events, newest first.
// GET /v2/analytics/audit-log/events/
func (s *AuditLogService) List(ctx context.Context, opts *AuditLogOptions) ([]AuditLogEvent, *Response, error) {
	if opts == nil {
		opts = &AuditLogOptions{}
	}
	if err := ValidateAuditLogWindow(opts.StartDate, opts.EndDate, s.c.now()); err != nil {
		return nil, nil, err
	}
	if err := validateLimit("limit", opts.Limit); err != nil {
		return nil, nil, err
	}
	q := url.Values{"start_date": {FormatAuditLogTime(opts.StartDate)}}
	if !opts.EndDate.IsZero() {
		q.Set("end_date", FormatAuditLogTime(opts.EndDate))
	}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	return s.page(ctx, call{method: http.MethodGet, path: auditLogPath, query: q, mode: idempotent})
}

// ListPage returns the page a previous one's Response.NextPageURL names.
// Ada requires that URL replayed verbatim (the window and cursor are fixed
// in it: a change is 400), so pageQuery is its query string, sent as it is,
// always to this client's base URL: AuditLogPageQuery extracts it.
// GET /v2/analytics/audit-log/events/?{the query of next_page_url}
func (s *AuditLogService) ListPage(ctx context.Context, pageQuery string) ([]AuditLogEvent, *Response, error) {
	if err := validatePageQuery(pageQuery); err != nil {
		return nil, nil, err
	}
	return s.page(ctx, call{method: http.MethodGet, path: auditLogPath, rawQuery: pageQuery, mode: idempotent})
}

func (s *AuditLogService) page(ctx context.Context, cl call) ([]AuditLogEvent, *Response, error) {
	var p page[AuditLogEvent]
	r, err := s.c.do(ctx, cl, &p)
	if err != nil {
		return nil, r, err
	}
	p.fill(r)
	if p.Data == nil {
		p.Data = []AuditLogEvent{}
	}
	return p.Data, r, nil
}

// AuditLogPageQuery returns the query string of an Audit Log next_page_url,
// as it is (not re-encoded), for ListPage; "" when there is no next page.
func AuditLogPageQuery(nextPageURL string) (string, error) {
	if nextPageURL == "" {
		return "", nil
	}
	u, err := url.Parse(nextPageURL)
	if err != nil {
		return "", invalid("next_page_url", "is not a URL")
	}
	if err := validatePageQuery(u.RawQuery); err != nil {
		return "", err
	}
	return u.RawQuery, nil
}

// validatePageQuery accepts a well-formed query that carries a cursor, as
// Ada's next_page_url does (with the window beside it or inside it).
func validatePageQuery(q string) error {
	if strings.ContainsAny(q, "# \t\r\n") {
		return invalid("cursor", "is not a page of this listing")
	}
	v, err := url.ParseQuery(q)
	if err != nil || v.Get("cursor") == "" {
		return invalid("cursor", "is not a page of this listing")
	}
	return nil
}
