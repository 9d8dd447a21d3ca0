package paging_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
)

// exportCursorSeeds are next_cursors the export tools give: at a window's
// start, inside a page of Ada's, of one conversation's messages.
func exportCursorSeeds(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, r := range []paging.ExportRequest{
		{Start: day("2026-09-01"), End: day("2026-12-01")},
		{Start: day("2025-01-01"), By: adaclient.ExportByUpdated},
		{Messages: true, By: adaclient.ExportByCreated, Start: day("2026-11-01"), ConversationID: "5df263b7db5a7e6ea03fae9b"},
	} {
		p := planFor(tb, r)
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
// (a damaged one is refused as the cursor argument), and an accepted one
// plans the export it came from, whose cursor is itself again.
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
		r := paging.ExportRequest{Messages: messages}
		if err := r.Continue(cursor); err != nil {
			if fe := (*paging.FieldError)(nil); !errors.As(err, &fe) || fe.Field != "cursor" {
				t.Fatalf("cursor %q refused without naming it: %v", cursor, err)
			}
			return
		}
		p, err := r.Plan(exportNow)
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
		p := planFor(t, paging.ExportRequest{Messages: true, By: adaclient.ExportByCreated,
			Start: day("2026-09-01"), End: day("2026-12-01"), ConversationID: conversation})
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
		back := paging.ExportRequest{Messages: true}
		if err := back.Continue(cursor); err != nil {
			t.Fatalf("our own cursor for page %q refused: %v", p.Pos.Page, err)
		}
		q := planFor(t, back)
		if q.Pos.Page != p.Pos.Page || q.Pos.Consumed != p.Pos.Consumed || q.Pos.Last != p.Pos.Last ||
			!slices.Equal(q.Pos.Skip, p.Pos.Skip) || q.ConversationID != p.ConversationID ||
			!q.Pos.Window.Equal(p.Pos.Window) || !q.Start.Equal(p.Start) || !q.End.Equal(p.End) {
			t.Fatalf("position %+v came back as %+v", p.Pos, q.Pos)
		}
	})
}

// FuzzAuditLogCursor makes a cursor from any next_page_url Ada could send
// and gives list_audit_log_events any cursor with a start_date. Nothing
// may panic; a cursor made from a next page replays its query byte for
// byte; any cursor accepted replays a query the client will send (one
// with a cursor), and one refused is an error naming an argument.
func FuzzAuditLogCursor(f *testing.F) {
	f.Add("https://x.ada.support/api/v2/analytics/audit-log/events/?start_date=2026-06-01T00%3A00%3A00Z&cursor=eyJ0IjoxfQ%3D%3D&limit=20", "2026-06-01T00:00:00Z", "")
	f.Add("/v2/analytics/audit-log/events/?cursor=abc", "2026-06-01T00:00:00+02:00", "")
	f.Add("", "2026-06-01T00:00:00Z", "c3RhcnRfZGF0ZT0yMDI2LTA2LTAxVDAwJTNBMDAlM0EwMFomY3Vyc29yPXg")
	f.Add("", "2026-06-01T00:00:00Z", "!!")
	f.Add("https://x/?cursor=a#frag", "2026-06-01T00:00:00Z", "Y3Vyc29yPWEgYg")
	f.Fuzz(func(t *testing.T, nextPageURL, start, cursor string) {
		if made, err := paging.AuditLogCursor(nextPageURL); err == nil && made != "" {
			query, _ := adaclient.AuditLogPageQuery(nextPageURL)
			page, err := paging.AuditLogPage(made, paging.AuditLogListing{Start: auditStart(query)})
			if err != nil {
				t.Fatalf("the cursor of %q refused: %v", nextPageURL, err)
			}
			if page != query {
				t.Fatalf("the cursor of %q replays %q, want %q", nextPageURL, page, query)
			}
		}
		from, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(start))
		if err != nil {
			return // list_audit_log_events refuses it before any cursor
		}
		page, err := paging.AuditLogPage(cursor, paging.AuditLogListing{Start: from})
		if err != nil {
			if fe := (*paging.FieldError)(nil); !errors.As(err, &fe) || (fe.Field != "start_date" && fe.Field != "cursor") {
				t.Fatalf("refused without naming an argument: %v", err)
			}
			return
		}
		if q, err := url.ParseQuery(page); err != nil || q.Get("cursor") == "" {
			t.Fatalf("cursor %q accepted, replaying %q which has no cursor", cursor, page)
		}
	})
}

// auditStart is the start_date a page query names, or any date when it
// names none (Ada's cursor then carries the window).
func auditStart(query string) time.Time {
	v, _ := url.ParseQuery(query)
	if t, err := time.Parse(time.RFC3339Nano, v.Get("start_date")); err == nil {
		return t
	}
	return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
}
