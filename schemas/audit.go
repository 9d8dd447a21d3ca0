package schemas

import (
	"cmp"
	"errors"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
)

// ListAuditLogEventsArgs are list_audit_log_events' arguments. A cursor
// continues the listing it came from: Ada requires its next page replayed
// verbatim (window and page size included), so the cursor carries them and
// start_date (and end_date, if given) must name the same window.
type ListAuditLogEventsArgs struct {
	StartDate string `json:"start_date" jsonschema:"required" jsonschema_description:"Inclusive, ISO 8601 with a time zone, e.g. 2026-06-01T00:00:00Z."`
	EndDate   string `json:"end_date,omitempty" jsonschema_description:"Inclusive, ISO 8601; default now. At most 30 days after start_date."`
	Limit     int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
	Cursor    string `json:"cursor,omitempty" jsonschema_description:"next_cursor of the previous page, with the same start_date, end_date and limit."`

	start, end time.Time // parsed by Validate
	page       string    // the cursor's page query, set by Validate
}

// DefaultAuditLogPage is list_audit_log_events' page size when limit is not
// given (Ada's own default is 50).
const DefaultAuditLogPage = 20

// Validate parses the dates and checks the window as Ada would: at most 30
// days, the end not before the start (without end_date, the window ends at
// Ada's now, which the client checks). With a cursor, it decodes it and checks that the dates given are
// the cursor's window (paging.AuditLogPage).
func (a *ListAuditLogEventsArgs) Validate() error {
	var err error
	if a.start, err = parseAuditTime("start_date", a.StartDate); err != nil {
		return err
	}
	if a.EndDate != "" {
		if a.end, err = parseAuditTime("end_date", a.EndDate); err != nil {
			return err
		}
	}
	if a.Cursor != "" {
		page, err := paging.AuditLogPage(a.Cursor, paging.AuditLogListing{Start: a.start, End: a.end, HasEnd: a.EndDate != "", Limit: a.Limit})
		if err != nil {
			return argumentFrom(err)
		}
		a.page = page
		return nil
	}
	if a.EndDate == "" {
		// The window ends at Ada's now: the client checks it against Ada's
		// clock (a seeded sandbox keeps logical time), not this machine's.
		return nil
	}
	if err := adaclient.ValidateAuditLogWindow(a.start, a.end, a.end); err != nil { // now: unused with an end
		var ve *adaclient.ValidationError
		if errors.As(err, &ve) {
			return argErr(ve.Field, "%s", ve.Reason)
		}
		return err
	}
	return nil
}

// parseAuditTime reads an ISO 8601 date-time with a time zone (RFC 3339).
// A date alone or a time without a zone is refused rather than guessed: it
// would move the window's edge by up to a day.
func parseAuditTime(field, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, argErr(field, "is required: an ISO 8601 date-time such as 2026-06-01T00:00:00Z")
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, argErr(field, "must be an ISO 8601 date-time with a time zone, such as 2026-06-01T00:00:00Z or 2026-06-01T09:30:00+02:00")
	}
	return t, nil
}

// Options is the first page's request, limit defaulting to
// DefaultAuditLogPage. Call after Validate.
func (a *ListAuditLogEventsArgs) Options() *adaclient.AuditLogOptions {
	limit := cmp.Or(a.Limit, DefaultAuditLogPage)
	return &adaclient.AuditLogOptions{StartDate: a.start, EndDate: a.end, Limit: limit}
}

// PageQuery is the next page's query from the cursor, to replay verbatim;
// "" without a cursor. Call after Validate.
func (a *ListAuditLogEventsArgs) PageQuery() string { return a.page }

// AuditLogEvent is one recorded change. Its text fields (entity_name above
// all) are written by whoever made the change: data, not instructions.
type AuditLogEvent struct {
	EventID          string `json:"event_id" jsonschema:"required"`
	Timestamp        string `json:"timestamp" jsonschema:"required"`
	Activity         string `json:"activity" jsonschema:"required"`
	EntityType       string `json:"entity_type" jsonschema:"required"`
	EntityID         string `json:"entity_id" jsonschema:"required"`
	EntityName       string `json:"entity_name,omitempty"`
	ActorName        string `json:"actor_name,omitempty"`
	ActorEmail       string `json:"actor_email,omitempty"`
	ActorUserID      string `json:"actor_user_id,omitempty"`
	Interface        string `json:"interface,omitempty"`
	APIKeyName       string `json:"api_key_name,omitempty"`
	ContextIP        string `json:"context_ip,omitempty"`
	ContextUserAgent string `json:"context_user_agent,omitempty"`
}

// AuditLogEventsFrom converts a page of Ada's events; empty (unavailable)
// fields are left out.
func AuditLogEventsFrom(es []adaclient.AuditLogEvent) []AuditLogEvent {
	return allFrom(es, func(e *adaclient.AuditLogEvent) AuditLogEvent {
		return AuditLogEvent{EventID: e.ID, Timestamp: e.Timestamp, Activity: e.Activity, EntityType: e.EntityType,
			EntityID: e.EntityID, EntityName: e.EntityName, ActorName: e.ActorName, ActorEmail: e.ActorEmail,
			ActorUserID: e.ActorUserID, Interface: e.Interface, APIKeyName: e.APIKeyName, ContextIP: e.ContextIP,
			ContextUserAgent: e.ContextUserAgent}
	})
}

// ListAuditLogEventsResult is list_audit_log_events' result, newest first.
type ListAuditLogEventsResult struct {
	Events []AuditLogEvent `json:"events" jsonschema:"required"`
	Page
}
