package schemas_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

var exportNow = time.Date(2026, 12, 6, 20, 30, 15, 0, time.UTC)

func TestParseExportArgTime(t *testing.T) {
	cases := map[string]string{
		"2026-03-01":                   "2026-03-01T00:00:00Z",
		"2026-03-01T09:30:00Z":         "2026-03-01T09:30:00Z",
		"2026-03-01T11:30:00+02:00":    "2026-03-01T09:30:00Z",
		"2026-03-01T09:30:00":          "2026-03-01T09:30:00Z",
		"2026-03-01T09:30":             "2026-03-01T09:30:00Z",
		"2026-03-01T09:30:00.250Z":     "2026-03-01T09:30:00.25Z",
		" 2026-03-01T09:30:00.123456 ": "2026-03-01T09:30:00.123456Z",
	}
	for in, want := range cases {
		got, err := schemas.ParseExportArgTime(in)
		if err != nil || got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("ParseExportArgTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "03/01/2026", "2026-13-01"} {
		if _, err := schemas.ParseExportArgTime(bad); err == nil {
			t.Errorf("ParseExportArgTime(%q) succeeded", bad)
		}
	}
}

func planFor(t *testing.T, a *schemas.ExportConversationsArgs) *schemas.ExportPlan {
	t.Helper()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := a.Plan(exportNow)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A long window is walked in windows of at most 60 days, each the next one's start; the
// queries are Ada's, with the page size Ada's minimum.
func TestExportPlanWindows(t *testing.T) {
	p := planFor(t, &schemas.ExportConversationsArgs{Start: "2026-02-01", End: "2026-07-01", By: "updated"})
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
	p := planFor(t, &schemas.ExportConversationsArgs{Start: "2024-01-01"})
	oldest := schemas.ExportOldest(exportNow)
	if !p.Start.Equal(oldest) || !oldest.After(exportNow.AddDate(-1, 0, 0)) || !strings.Contains(p.Note, "12 months") {
		t.Fatalf("start %v (oldest %v), note %q", p.Start, oldest, p.Note)
	}
	if want := exportNow.Add(time.Second); !p.End.Equal(want) {
		t.Fatalf("end %v, want now rounded up %v", p.End, want)
	}
	a := &schemas.ExportMessagesArgs{Start: "2024-01-01", End: "2025-01-01"}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Plan(exportNow); err == nil || !strings.Contains(err.Error(), "end") {
		t.Fatalf("end before the 12 months: %v", err)
	}
	// A window that Ada's 12 months have passed by (a cursor continued much later) has no query.
	q, ok := p.Query(exportNow.AddDate(0, 2, 1))
	if ok {
		t.Fatalf("query %+v for a window older than 12 months", q)
	}
}

// The cursor keeps the whole position, and comes back only as it left.
func TestExportCursorRoundTripAndChecks(t *testing.T) {
	p := planFor(t, &schemas.ExportConversationsArgs{Start: "2026-09-01T00:00:00Z", End: "2026-12-01T00:00:00Z"})
	if !p.NextPage("https://x.ada.support/api/v2/export/conversations?created_since=2026-09-03T10%3A00%3A00.5Z&created_to=2026-10-31T00%3A00%3A00Z&page_size=100",
		[]string{"a", "b", "c"}, []string{"2026-09-03T09:00:00", "2026-09-03T10:00:00.500000", "2026-09-03T10:00:00.5"}) {
		t.Fatal("NextPage refused a next page")
	}
	if strings.Join(p.Pos.Skip, ",") != "c,b" {
		t.Fatalf("skip %v: the records at or after the next lower bound", p.Pos.Skip)
	}
	p.Pos.Consumed, p.Pos.Last = 7, "g"
	cursor := p.Cursor()

	a := &schemas.ExportConversationsArgs{Cursor: cursor, PageSize: 5}
	back := planFor(t, a)
	if back.Pos.Page != p.Pos.Page || back.Pos.Consumed != 7 || back.Pos.Last != "g" || !back.Start.Equal(p.Start) ||
		!back.End.Equal(p.End) || strings.Join(back.Pos.Skip, ",") != "c,b" || back.PageSize != 5 {
		t.Fatalf("round trip %+v, want %+v", back, p)
	}
	q, _ := back.Query(exportNow)
	if !strings.Contains(q.Next, "created_since=2026-09-03T10%3A00%3A00.5Z") || strings.Contains(q.Next, "page_size") {
		t.Fatalf("next query %q", q.Next)
	}

	// Tampering: a payload changed and re-encoded without the checksum matching.
	payload, _, _ := strings.Cut(strings.TrimPrefix(cursor, "ex1."), ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	var m map[string]any
	json.Unmarshal(raw, &m)
	m["e"] = float64(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	forged, _ := json.Marshal(m)
	_, sum, _ := strings.Cut(strings.TrimPrefix(cursor, "ex1."), ".")
	for _, bad := range []string{"ex1." + base64.RawURLEncoding.EncodeToString(forged) + "." + sum, cursor[:len(cursor)-2], "ex2." + payload + "." + sum, ""} {
		a := &schemas.ExportConversationsArgs{Cursor: bad}
		if err := a.Validate(); err == nil || (bad != "" && !strings.Contains(err.Error(), "cursor")) {
			t.Errorf("cursor %.20q...: %v", bad, err)
		}
	}
	if err := (&schemas.ExportMessagesArgs{Cursor: cursor}).Validate(); err == nil || !strings.Contains(err.Error(), "export_messages") {
		t.Errorf("a conversations cursor for messages: %v", err)
	}
	for _, a := range []*schemas.ExportConversationsArgs{
		{Cursor: cursor, Start: "2026-09-02"},
		{Cursor: cursor, End: "2026-12-02"},
		{Cursor: cursor, By: "updated"},
	} {
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "differs") {
			t.Errorf("%+v: %v", a, err)
		}
	}
	if err := (&schemas.ExportConversationsArgs{Cursor: cursor, Start: "2026-09-01", End: "2026-12-01", By: "created"}).Validate(); err != nil {
		t.Errorf("the export's own arguments with its cursor: %v", err)
	}
}

// A clipped start is still the export's own when given again with the cursor.
func TestExportCursorAcceptsTheRequestedStart(t *testing.T) {
	p := planFor(t, &schemas.ExportConversationsArgs{Start: "2025-01-01"})
	if err := (&schemas.ExportConversationsArgs{Cursor: p.Cursor(), Start: "2025-01-01"}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestExportPlanResume(t *testing.T) {
	p := &schemas.ExportPlan{}
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

func TestExportRecordsAreBounded(t *testing.T) {
	long := strings.Repeat("é", 5000)
	meta := map[string]any{"a_nested": map[string]any{"a": []any{1, 2}}, "a_n": json.Number("12345678901234567890"), "a_null": nil}
	for i := range 30 {
		meta[fmt.Sprintf("k%02d", i)] = long
	}
	c := schemas.ExportConversationFrom(&adaclient.ExportConversation{ID: "c1", DateCreated: "2026-07-01T10:00:00.5", InquirySummary: &long,
		Metavariables: meta, CSAT: "not an object"})
	b, _ := json.Marshal(c)
	if len(b) > 12<<10 || !c.Truncated || c.CSAT != nil || c.DateCreated != "2026-07-01T10:00:00.5Z" ||
		c.Metavariables["a_nested"] != `{"a":[1,2]}` || c.Metavariables["a_n"] != json.Number("12345678901234567890") {
		t.Fatalf("%d bytes: %.400s", len(b), b)
	}
	if _, has := c.Metavariables["a_null"]; has {
		t.Fatal("a null value kept")
	}
	m := schemas.ExportMessageFrom(&adaclient.ExportMessage{ID: "m1", MessageData: map[string]any{"type": "text", "body": long}})
	if !m.Truncated || len([]rune(m.Text)) != 4001 || m.Type != "text" || m.Data != nil {
		t.Fatalf("message %+v", m)
	}
	link := schemas.ExportMessageFrom(&adaclient.ExportMessage{ID: "m2", MessageData: map[string]any{"type": "link", "url": "https://x", "link_text": "Rate us"}})
	if link.Text != "Rate us" || link.URL != "https://x" || link.Truncated {
		t.Fatalf("link %+v", link)
	}
	other := schemas.ExportMessageFrom(&adaclient.ExportMessage{ID: "m3", MessageData: map[string]any{"_type": "quick_replies", "options": []any{"a", "b"}}})
	if other.Type != "quick_replies" || other.Data["options"] != `["a","b"]` {
		t.Fatalf("other %+v", other)
	}
}
