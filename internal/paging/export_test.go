package paging_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
)

var exportNow = time.Date(2026, 12, 6, 20, 30, 15, 0, time.UTC)

// day is midnight UTC of an ISO 8601 date, as export_conversations reads "2026-03-01".
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func planFor(tb testing.TB, r paging.ExportRequest) *paging.ExportPlan {
	tb.Helper()
	p, err := r.Plan(exportNow)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// refusedAs fails unless err is a FieldError of field whose reason holds want.
func refusedAs(t *testing.T, err error, field, want string) {
	t.Helper()
	var fe *paging.FieldError
	if !errors.As(err, &fe) || fe.Field != field || !strings.Contains(fe.Reason, want) {
		t.Errorf("%v: want %s refused (%q)", err, field, want)
	}
}

// A long window is walked in windows of at most 60 days, each the next one's start; the
// queries are Ada's, with the page size Ada's minimum.
func TestExportPlanWindows(t *testing.T) {
	p := planFor(t, paging.ExportRequest{Start: day("2026-02-01"), End: day("2026-07-01"), By: adaclient.ExportByUpdated})
	var windows []string
	for {
		q, ok := p.Query(exportNow)
		if !ok || q.By != adaclient.ExportByUpdated || q.PageSize != 100 || q.To.Sub(q.Since) > adaclient.MaxExportWindow {
			t.Fatalf("query %+v, %v", q, ok)
		}
		windows = append(windows, q.Since.Format("01-02")+".."+q.To.Format("01-02"))
		if !p.NextWindow() {
			break
		}
	}
	if got := strings.Join(windows, " "); got != "02-01..04-02 04-02..06-01 06-01..07-01" {
		t.Fatalf("windows %s", got)
	}
}

func TestExportPlanClipsToTwelveMonths(t *testing.T) {
	p := planFor(t, paging.ExportRequest{Start: day("2024-01-01")})
	oldest := paging.ExportOldest(exportNow)
	if !p.Start.Equal(oldest) || !oldest.After(exportNow.AddDate(-1, 0, 0)) || !strings.Contains(p.Note, "12 months") {
		t.Fatalf("start %v (oldest %v), note %q", p.Start, oldest, p.Note)
	}
	if want := exportNow.Add(time.Second); !p.End.Equal(want) {
		t.Fatalf("end %v, want now rounded up %v", p.End, want)
	}
	_, err := (&paging.ExportRequest{Messages: true, Start: day("2024-01-01"), End: day("2025-01-01")}).Plan(exportNow)
	refusedAs(t, err, "end", "12 months")
	// A window that Ada's 12 months have passed by (a cursor continued much later) has no query.
	q, ok := p.Query(exportNow.AddDate(0, 2, 1))
	if ok {
		t.Fatalf("query %+v for a window older than 12 months", q)
	}
}

// A start after now says so, whether or not an end was given: Data Export has nothing newer
// than now, and "not before end" would blame an end the caller may not have given.
func TestExportPlanRefusesAStartInTheFuture(t *testing.T) {
	for _, r := range []paging.ExportRequest{
		{Start: day("2027-01-01")},
		{Start: day("2027-01-01"), End: day("2027-02-01")},
	} {
		_, err := r.Plan(exportNow)
		refusedAs(t, err, "start", "is in the future (now is 2026-12-06T20:30:15Z)")
	}
	// Within the second now is in, a start is not yet in the future (now is rounded up).
	if _, err := (&paging.ExportRequest{Start: exportNow.Add(500 * time.Millisecond)}).Plan(exportNow); err != nil {
		t.Fatalf("start within the current second: %v", err)
	}
}

// The cursor keeps the whole position, and comes back only as it left.
func TestExportCursorRoundTripAndChecks(t *testing.T) {
	p := planFor(t, paging.ExportRequest{Start: day("2026-09-01"), End: day("2026-12-01")})
	if !p.NextPage("https://x.ada.support/api/v2/export/conversations?created_since=2026-09-03T10%3A00%3A00.5Z&created_to=2026-10-31T00%3A00%3A00Z&page_size=100",
		[]string{"a", "b", "c"}, []string{"2026-09-03T09:00:00", "2026-09-03T10:00:00.500000", "2026-09-03T10:00:00.5"}) {
		t.Fatal("NextPage refused a next page")
	}
	if strings.Join(p.Pos.Skip, ",") != "c,b" {
		t.Fatalf("skip %v: the records at or after the next lower bound", p.Pos.Skip)
	}
	p.Pos.Consumed, p.Pos.Last = 7, "g"
	cursor := p.Cursor()

	r := paging.ExportRequest{PageSize: 5}
	if err := r.Continue(cursor); err != nil {
		t.Fatal(err)
	}
	back := planFor(t, r)
	if back.Pos.Page != p.Pos.Page || back.Pos.Consumed != 7 || back.Pos.Last != "g" || !back.Start.Equal(p.Start) ||
		!back.End.Equal(p.End) || strings.Join(back.Pos.Skip, ",") != "c,b" || back.PageSize != 5 {
		t.Fatalf("round trip %+v, want %+v", back, p)
	}
	q, _ := back.Query(exportNow)
	if !strings.Contains(q.Next, "created_since=2026-09-03T10%3A00%3A00.5Z") || strings.Contains(q.Next, "page_size") {
		t.Fatalf("next query %q", q.Next)
	}

	// Tampering: a payload changed and re-encoded without the checksum matching.
	payload, sum, _ := strings.Cut(strings.TrimPrefix(cursor, "ex1."), ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	var m map[string]any
	json.Unmarshal(raw, &m)
	m["e"] = float64(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	forged, _ := json.Marshal(m)
	for _, bad := range []string{"ex1." + base64.RawURLEncoding.EncodeToString(forged) + "." + sum, cursor[:len(cursor)-2], "ex2." + payload + "." + sum, ""} {
		refusedAs(t, new(paging.ExportRequest).Continue(bad), "cursor", "export_conversations")
	}
	refusedAs(t, (&paging.ExportRequest{Messages: true}).Continue(cursor), "cursor", "export_messages")
	for field, r := range map[string]*paging.ExportRequest{
		"start": {Start: day("2026-09-02")},
		"end":   {End: day("2026-12-02")},
		"by":    {By: adaclient.ExportByUpdated},
	} {
		refusedAs(t, r.Continue(cursor), field, "differs")
	}
	if err := (&paging.ExportRequest{Start: day("2026-09-01"), End: day("2026-12-01"), By: adaclient.ExportByCreated}).Continue(cursor); err != nil {
		t.Errorf("the export's own arguments with its cursor: %v", err)
	}
}

// A clipped start is still the export's own when given again with the cursor.
func TestExportCursorAcceptsTheRequestedStart(t *testing.T) {
	p := planFor(t, paging.ExportRequest{Start: day("2025-01-01")})
	if err := (&paging.ExportRequest{Start: day("2025-01-01")}).Continue(p.Cursor()); err != nil {
		t.Fatal(err)
	}
}

func TestExportPlanResume(t *testing.T) {
	p := &paging.ExportPlan{}
	ids := []string{"a", "b", "c", "d"}
	for _, c := range []struct {
		consumed int
		last     string
		want     int
	}{
		{0, "", 0},
		{2, "b", 2},  // the page as it was
		{2, "c", 3},  // a record came in before: find the last one returned
		{3, "b", 2},  // one went away
		{3, "zz", 3}, // the last one is gone: by count
		{9, "zz", 4}, // a shorter page
	} {
		p.Pos.Consumed, p.Pos.Last = c.consumed, c.last
		if got := p.Resume(ids); got != c.want {
			t.Errorf("Resume(consumed %d, last %s) = %d, want %d", c.consumed, c.last, got, c.want)
		}
	}
	if p.NextPage("", nil, nil) {
		t.Error("NextPage without a next page")
	}
}

// Cursors issued before stay valid: the format and its checksum do not change. These were
// written by the server before the plan moved out of package schemas.
func TestIssuedExportCursorsStillDecode(t *testing.T) {
	for _, c := range []struct {
		cursor string
		r      paging.ExportRequest // the export's own arguments, which the cursor must accept
		want   string               // the plan: kind, by, window, conversation, position
	}{{
		// export_messages of one conversation from a start clipped to 12 months, inside a page of Ada's.
		cursor: "ex1.eyJ2IjoxLCJrIjoibSIsInMiOjE3NjUwNTMwNzUwMDAwMDAwMDAsImUiOjE3OTM0OTEyMDAwMDAwMDAwMDAsInJzIjoxNzM1Njg5NjAwMDAwMDAwMDAwLCJjIjoiNWRmMjYzYjdkYjVhN2U2ZWEwM2ZhZTliIiwidyI6MTc2NTA1MzA3NTAwMDAwMDAwMCwicCI6ImNvbnZlcnNhdGlvbl9pZD01ZGYyNjNiN2RiNWE3ZTZlYTAzZmFlOWJcdTAwMjZjcmVhdGVkX3NpbmNlPTIwMjUtMTItMDdUMTAlM0EwMCUzQTAwLjVaXHUwMDI2Y3JlYXRlZF90bz0yMDI2LTAyLTA1VDIwJTNBMzElM0ExNVoiLCJuIjo3LCJsIjoiZyIsIngiOlsiYyIsImIiXX0.rBsPKtQOhwpm",
		r:      paging.ExportRequest{Messages: true, Start: day("2025-01-01"), End: day("2026-11-01"), ConversationID: "5df263b7db5a7e6ea03fae9b"},
		want: `true created 2025-12-06T20:31:15Z..2026-11-01T00:00:00Z "5df263b7db5a7e6ea03fae9b" {Window:2025-12-06 20:31:15 +0000 UTC ` +
			`Page:conversation_id=5df263b7db5a7e6ea03fae9b&created_since=2025-12-07T10%3A00%3A00.5Z&created_to=2026-02-05T20%3A31%3A15Z Consumed:7 Last:g Skip:[c b]}`,
	}, {
		// export_conversations by updated with an end clipped to now, at its second window.
		cursor: "ex1.eyJ2IjoxLCJrIjoiYyIsImIiOiJ1IiwicyI6MTc4ODIyMDgwMDAwMDAwMDAwMCwiZSI6MTc5NjU4OTAxNjAwMDAwMDAwMCwicmUiOjE3OTg3NjE2MDAwMDAwMDAwMDAsInciOjE3OTM0MDQ4MDAwMDAwMDAwMDB9.mdreuA8hNq_k",
		r:      paging.ExportRequest{Start: day("2026-09-01"), End: day("2027-01-01"), By: adaclient.ExportByUpdated},
		want:   `false updated 2026-09-01T00:00:00Z..2026-12-06T20:30:16Z "" {Window:2026-10-31 00:00:00 +0000 UTC Page: Consumed:0 Last: Skip:[]}`,
	}} {
		if err := c.r.Continue(c.cursor); err != nil {
			t.Fatalf("%.30s...: %v", c.cursor, err)
		}
		p := planFor(t, c.r)
		got := fmt.Sprintf("%v %s %s..%s %q %+v", p.Messages, p.By, paging.FormatExportTime(p.Start), paging.FormatExportTime(p.End), p.ConversationID, p.Pos)
		if got != c.want {
			t.Errorf("plan\n%s\nwant\n%s", got, c.want)
		}
		if again := p.Cursor(); again != c.cursor {
			t.Errorf("written again as %s", again)
		}
	}
}
