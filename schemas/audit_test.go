package schemas_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/paging"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// A cursor (package paging's) gives the page query to replay, whatever spelling of the window
// the assistant repeats with it; another window is an argument error naming start_date.
func TestAuditLogArgsWithACursor(t *testing.T) {
	const query = "start_date=2026-06-01T00%3A00%3A00%2B00%3A00&end_date=2026-06-09T00%3A00%3A00Z&cursor=eyJ0IjoxfQ%3D%3D&limit=20"
	cursor, err := paging.AuditLogCursor("https://x.ada.support/api/v2/analytics/audit-log/events/?" + query)
	if err != nil || cursor == "" {
		t.Fatalf("AuditLogCursor = %q, %v", cursor, err)
	}
	a := &schemas.ListAuditLogEventsArgs{StartDate: "2026-06-01T02:00:00+02:00", Cursor: cursor}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.PageQuery() != query {
		t.Fatalf("PageQuery = %q, want %q", a.PageQuery(), query)
	}
	a.EndDate = "2026-06-09T00:00:00.000Z"
	if err := a.Validate(); err != nil {
		t.Fatalf("the same end_date: %v", err)
	}
	a.StartDate = "2026-06-02T00:00:00Z"
	var arg *schemas.ArgumentError
	if err := a.Validate(); !errors.As(err, &arg) || arg.Field != "start_date" {
		t.Fatalf("another start_date: %v", err)
	}
	// Without a cursor: the first page, with the window as given and the default limit.
	now := time.Now().UTC().Truncate(time.Second)
	b := &schemas.ListAuditLogEventsArgs{StartDate: now.Add(-time.Hour).Format(time.RFC3339)}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if o := b.Options(); !o.StartDate.Equal(now.Add(-time.Hour)) || !o.EndDate.IsZero() || o.Limit != schemas.DefaultAuditLogPage || b.PageQuery() != "" {
		t.Fatalf("Options = %+v, PageQuery %q", o, b.PageQuery())
	}
}
