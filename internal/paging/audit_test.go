package paging_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/paging"
)

// The cursor is Ada's next_page_url query, replayed byte for byte, whatever spelling of the
// window the assistant repeats with it; another window or page size is refused by name.
func TestAuditLogCursorReplaysAdasQueryVerbatim(t *testing.T) {
	const query = "start_date=2026-06-01T00%3A00%3A00%2B00%3A00&end_date=2026-06-09T00%3A00%3A00Z&cursor=eyJ0IjoxfQ%3D%3D&limit=20"
	cursor, err := paging.AuditLogCursor("https://x.ada.support/api/v2/analytics/audit-log/events/?" + query)
	if err != nil || cursor == "" {
		t.Fatalf("AuditLogCursor = %q, %v", cursor, err)
	}
	l := paging.AuditLogListing{Start: time.Date(2026, 6, 1, 2, 0, 0, 0, time.FixedZone("", 2*60*60))}
	if page, err := paging.AuditLogPage(cursor, l); err != nil || page != query {
		t.Fatalf("AuditLogPage = %q, %v; want %q", page, err, query)
	}
	l.End, l.HasEnd, l.Limit = time.Date(2026, 6, 9, 0, 0, 0, 0, time.UTC), true, 20
	if page, err := paging.AuditLogPage(cursor, l); err != nil || page != query {
		t.Fatalf("the same end_date and limit: %q, %v", page, err)
	}
	if last, err := paging.AuditLogCursor(""); last != "" || err != nil {
		t.Fatalf("last page cursor = %q, %v", last, err)
	}

	other := func(change func(*paging.AuditLogListing)) paging.AuditLogListing {
		o := l
		change(&o)
		return o
	}
	for field, c := range map[string]struct {
		cursor string
		l      paging.AuditLogListing
	}{
		"start_date": {cursor, other(func(o *paging.AuditLogListing) { o.Start = o.Start.Add(time.Hour) })},
		"end_date":   {cursor, other(func(o *paging.AuditLogListing) { o.End = time.Time{} })},
		"limit":      {cursor, other(func(o *paging.AuditLogListing) { o.Limit = 50 })},
		"cursor":     {base64.RawURLEncoding.EncodeToString([]byte("start_date=2026-06-01T00%3A00%3A00Z")), l},
	} {
		_, err := paging.AuditLogPage(c.cursor, c.l)
		refusedAs(t, err, field, "")
	}
	_, err = paging.AuditLogPage("!!", l)
	refusedAs(t, err, "cursor", "pass it exactly as returned")
}
