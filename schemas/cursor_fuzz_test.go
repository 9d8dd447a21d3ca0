package schemas_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// exportCursorSeeds are next_cursors the export tools give: at a window's
// start, inside a page of Ada's, of one conversation's messages.
func exportCursorSeeds(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, a := range []interface {
		Validate() error
		Plan(time.Time) (*schemas.ExportPlan, error)
	}{
		&schemas.ExportConversationsArgs{Start: "2026-09-01T00:00:00Z", End: "2026-12-01T00:00:00Z"},
		&schemas.ExportConversationsArgs{Start: "2025-01-01", By: "updated"},
		&schemas.ExportMessagesArgs{Start: "2026-11-01", ConversationID: "5df263b7db5a7e6ea03fae9b"},
	} {
		if err := a.Validate(); err != nil {
			tb.Fatal(err)
		}
		p, err := a.Plan(exportNow)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, p.Cursor())
		q, _ := p.Query(exportNow)
		next := "https://x.ada.support/api/v2/export/conversations?" + string(q.By) + "_since=" +
			url.QueryEscape(q.Since.Add(time.Hour).Format(time.RFC3339Nano)) + "&page_size=100"
		if p.NextPage(next, []string{"a", "b"}, []string{q.Since.Format(time.RFC3339), q.Since.Add(time.Hour).Format(time.RFC3339)}) {
			p.Pos.Consumed, p.Pos.Last = 2, "b"
			out = append(out, p.Cursor())
		}
	}
	return out
}

// FuzzExportCursor gives the export tools any cursor. None may panic;
// the only cursors accepted are the ones the tools make, byte for byte
// (a damaged one is an error naming cursor), and an accepted one plans
// the export it came from, whose cursor is itself again.
func FuzzExportCursor(f *testing.F) {
	for _, c := range exportCursorSeeds(f) {
		f.Add(c, false)
		f.Add(c, true)
		f.Add(c[:len(c)-1], false)
		f.Add(strings.Replace(c, ".", ".\n", 1), false)
	}
	f.Add("", false)
	f.Add("ex1.e30.AAAAAAAAAAAA", true)
	f.Fuzz(func(t *testing.T, cursor string, messages bool) {
		var a interface {
			Validate() error
			Plan(time.Time) (*schemas.ExportPlan, error)
		} = &schemas.ExportConversationsArgs{Cursor: cursor}
		if messages {
			a = &schemas.ExportMessagesArgs{Cursor: cursor}
		}
		err := a.Validate()
		if err != nil {
			if cursor != "" && !strings.Contains(err.Error(), "cursor") {
				t.Fatalf("cursor %q refused without naming it: %v", cursor, err)
			}
			return
		}
		p, err := a.Plan(exportNow)
		if err != nil {
			t.Fatalf("cursor %q accepted, then its plan failed: %v", cursor, err)
		}
		if p.Messages != messages {
			t.Fatalf("cursor %q of the other tool accepted", cursor)
		}
		if again := p.Cursor(); again != cursor {
			t.Fatalf("cursor %q accepted but not one the tools make (they would write %q)", cursor, again)
		}
		p.Query(exportNow) // must not panic on any accepted position
	})
}

// FuzzExportCursorRoundTrip moves a plan to an arbitrary next page of
// Ada's (its bound inside the window) and position in it: the cursor made
// there must come back as the same position.
func FuzzExportCursorRoundTrip(f *testing.F) {
	f.Add(uint16(5), "page_size=100&extra=1", 7, "g", "c,b", "")
	f.Add(uint16(0), "", 0, "", "", "5df263b7db5a7e6ea03fae9b")
	f.Add(uint16(59*24), "a=%zz", 100, "é\u2028", ",,", "x&y=z")
	f.Fuzz(func(t *testing.T, hours uint16, extra string, consumed int, last, skip, conversation string) {
		for _, s := range []string{extra, last, skip, conversation} {
			if !utf8.ValidString(s) {
				return // Ada's ids and URIs come out of JSON: always UTF-8
			}
		}
		if _, err := url.ParseQuery(extra); err != nil {
			// Not a query Ada writes. NextPage would keep it as it is and
			// the cursor made there would be refused: the export would
			// have to start over. Left so while Ada writes none.
			return
		}
		args := &schemas.ExportMessagesArgs{Start: "2026-09-01T00:00:00Z", End: "2026-12-01T00:00:00Z", ConversationID: conversation}
		if args.Validate() != nil {
			return // a conversation_id the tool refuses never gets a plan
		}
		p, err := args.Plan(exportNow)
		if err != nil {
			t.Fatal(err)
		}
		since := p.Pos.Window.Add(time.Duration(hours%(60*24)) * time.Hour)
		next := "/v2/export/messages?created_since=" + url.QueryEscape(since.Format(time.RFC3339Nano)) + "&" + extra
		var ids, times []string
		for _, id := range strings.Split(skip, ",") {
			ids, times = append(ids, id), append(times, since.Format(time.RFC3339))
		}
		if !p.NextPage(next, ids, times) {
			return
		}
		p.Pos.Consumed, p.Pos.Last = ((consumed%101)+101)%101, last
		cursor := p.Cursor()
		back := &schemas.ExportMessagesArgs{Cursor: cursor}
		if err := back.Validate(); err != nil {
			t.Fatalf("our own cursor for page %q refused: %v", p.Pos.Page, err)
		}
		q, err := back.Plan(exportNow)
		if err != nil {
			t.Fatal(err)
		}
		if q.Pos.Page != p.Pos.Page || q.Pos.Consumed != p.Pos.Consumed || q.Pos.Last != p.Pos.Last ||
			strings.Join(q.Pos.Skip, "\x00") != strings.Join(p.Pos.Skip, "\x00") || q.ConversationID != p.ConversationID ||
			!q.Pos.Window.Equal(p.Pos.Window) || !q.Start.Equal(p.Start) || !q.End.Equal(p.End) {
			t.Fatalf("position %+v came back as %+v", p.Pos, q.Pos)
		}
	})
}

// FuzzAuditLogCursor makes a cursor from any next_page_url Ada could send
// and gives list_audit_log_events any cursor. Nothing may panic; a cursor
// made from a next page replays its query byte for byte; any cursor
// accepted replays a query the client will send (one with a cursor), and
// one refused is an error naming a field.
func FuzzAuditLogCursor(f *testing.F) {
	f.Add("https://x.ada.support/api/v2/analytics/audit-log/events/?start_date=2026-06-01T00%3A00%3A00Z&cursor=eyJ0IjoxfQ%3D%3D&limit=20", "2026-06-01T00:00:00Z", "")
	f.Add("/v2/analytics/audit-log/events/?cursor=abc", "2026-06-01T00:00:00+02:00", "")
	f.Add("", "2026-06-01T00:00:00Z", "c3RhcnRfZGF0ZT0yMDI2LTA2LTAxVDAwJTNBMDAlM0EwMFomY3Vyc29yPXg")
	f.Add("", "2026-06-01T00:00:00Z", "!!")
	f.Add("https://x/?cursor=a#frag", "2026-06-01T00:00:00Z", "Y3Vyc29yPWEgYg")
	f.Fuzz(func(t *testing.T, nextPageURL, start, cursor string) {
		if made, err := schemas.AuditLogCursor(nextPageURL); err == nil && made != "" {
			query, _ := adaclient.AuditLogPageQuery(nextPageURL)
			a := &schemas.ListAuditLogEventsArgs{StartDate: auditStart(query), Cursor: made}
			if err := a.Validate(); err != nil {
				t.Fatalf("the cursor of %q refused: %v", nextPageURL, err)
			}
			if a.PageQuery() != query {
				t.Fatalf("the cursor of %q replays %q, want %q", nextPageURL, a.PageQuery(), query)
			}
		}
		a := &schemas.ListAuditLogEventsArgs{StartDate: start, Cursor: cursor}
		if err := a.Validate(); err != nil {
			if !strings.HasPrefix(err.Error(), "start_date:") && !strings.HasPrefix(err.Error(), "end_date:") && !strings.HasPrefix(err.Error(), "cursor:") {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		if cursor == "" {
			return
		}
		if q, err := url.ParseQuery(a.PageQuery()); err != nil || q.Get("cursor") == "" {
			t.Fatalf("cursor %q accepted, replaying %q which has no cursor", cursor, a.PageQuery())
		}
	})
}

// auditStart is the start_date a page query names, or any date when it
// names none (Ada's cursor then carries the window).
func auditStart(query string) string {
	v, _ := url.ParseQuery(query)
	if s := v.Get("start_date"); s != "" {
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return s
		}
	}
	return "2026-06-01T00:00:00Z"
}
