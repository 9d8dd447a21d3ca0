package paging

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// list_audit_log_events' cursor is the query of Ada's next_page_url, base64url: Ada requires
// its next page replayed verbatim (window and page size included), so the cursor carries them,
// and the dates given with it must name the same window.

// AuditLogCursor is the next_cursor of a page whose Ada next_page_url is
// nextPageURL: its query, opaque to the assistant; "" on the last page.
func AuditLogCursor(nextPageURL string) (string, error) {
	q, err := adaclient.AuditLogPageQuery(nextPageURL)
	if err != nil || q == "" {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString([]byte(q)), nil
}

// AuditLogListing is list_audit_log_events' window and page size as given
// with a cursor, parsed.
type AuditLogListing struct {
	Start, End time.Time
	HasEnd     bool // end_date was given (End may be the zero time all the same)
	Limit      int  // 0 when not given
}

// AuditLogPage decodes cursor into the query of the page it continues, to
// replay verbatim, and checks that the listing is the cursor's: the same
// window (the same instants, however written) and, if limit is given, the
// same page size.
func AuditLogPage(cursor string, l AuditLogListing) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	page := string(raw)
	q, qerr := url.ParseQuery(page)
	if err != nil || qerr != nil || q.Get("cursor") == "" {
		return "", fieldErr("cursor", "is not a next_cursor of list_audit_log_events: pass it exactly as returned")
	}
	// The window as Ada's next_page_url spells it, when it does in a form
	// read here (else Ada checks it: a spelling of its own must not make
	// every cursor unusable).
	if s := q.Get("start_date"); otherInstant(s, l.Start) {
		return "", fieldErr("start_date", "differs from the window the cursor belongs to (start_date %s): pass the same start_date, or leave out cursor to list a new window", s)
	}
	if e := q.Get("end_date"); l.HasEnd && otherInstant(e, l.End) {
		return "", fieldErr("end_date", "differs from the window the cursor belongs to (end_date %s): leave end_date out or pass that one", e)
	}
	if lim := q.Get("limit"); lim != "" && l.Limit != 0 && lim != strconv.Itoa(l.Limit) {
		return "", fieldErr("limit", "differs from the page size the cursor continues (%s): leave limit out or pass that one", lim)
	}
	return page, nil
}

// otherInstant reports whether s reads as an instant other than t.
func otherInstant(s string, t time.Time) bool {
	u, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && !u.Equal(t)
}
