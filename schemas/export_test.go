package schemas_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
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

// The arguments are parsed into package paging's request, and its refusals are argument
// errors naming the same field, as the assistant sees every other.
func TestExportArgsPlanThroughPaging(t *testing.T) {
	a := &schemas.ExportConversationsArgs{Start: "2026-09-01", End: "2026-12-01T00:00:00Z", By: "updated", PageSize: 7}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := a.Plan(exportNow)
	if err != nil {
		t.Fatal(err)
	}
	if p.By != adaclient.ExportByUpdated || p.PageSize != 7 || schemas.ExportWindowOf(p) != (schemas.ExportWindow{Start: "2026-09-01T00:00:00Z", End: "2026-12-01T00:00:00Z"}) {
		t.Fatalf("plan %+v", p)
	}
	cursor := p.Cursor()
	c := &schemas.ExportConversationsArgs{Cursor: cursor, Start: "2026-09-01T00:00:00Z"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if q, err := c.Plan(exportNow); err != nil || q.Cursor() != cursor || q.PageSize != paging.DefaultExportPageSize {
		t.Fatalf("continued: %+v, %v", q, err)
	}

	m := &schemas.ExportMessagesArgs{Start: "2024-01-01", End: "2025-01-01"}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err = m.Plan(exportNow)
	for _, c := range []struct {
		err         error
		field, want string
	}{
		{err, "end", "is more than 12 months ago"},
		{(&schemas.ExportMessagesArgs{Cursor: cursor}).Validate(), "cursor", "is not a cursor of export_messages"},
		{(&schemas.ExportConversationsArgs{Cursor: cursor, By: "created"}).Validate(), "by", "differs from the export"},
		{(&schemas.ExportConversationsArgs{Cursor: ""}).Validate(), "start", "is required"},
	} {
		var arg *schemas.ArgumentError
		if !errors.As(c.err, &arg) || arg.Field != c.field || !strings.HasPrefix(arg.Reason, c.want) {
			t.Errorf("%v: want an argument error of %s (%s)", c.err, c.field, c.want)
		}
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
