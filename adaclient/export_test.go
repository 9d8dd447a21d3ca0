package adaclient_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const exportPageJSON = `{"data":[{"_id":"c1","chatter_id":"u1","end_user_id":"u1","date_created":"2026-07-01T10:00:00.123456","date_updated":"2026-07-02T10:00:00.123456",` +
	`"language":"en","is_escalated":true,"csat":{"score":5},"metavariables":{"plan":"gold","seats":12345678901234567},"future":[1,2]}],` +
	`"meta":{"next_page_uri":"https://elsewhere.example.com/api/v2/export/conversations?created_since=2026-07-01T10%3A00%3A01Z&created_to=2026-07-08T00%3A00%3A00Z&page_size=100"}}`

func TestExportRequestsMatchAdasDocument(t *testing.T) {
	rec := newRecorder(t, status(200, exportPageJSON), status(200, `{"data":[],"meta":{"next_page_uri":null}}`),
		status(200, `{"data":[{"_id":"m1","conversation_id":"c1","date_created":"2026-07-01T10:00:00Z","sender":"end_user","message_data":{"type":"text","body":"hi"}}],"meta":{}}`))
	c := rec.client(t)
	ctx := context.Background()
	since := time.Date(2026, 7, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600))

	convs, r, err := c.Export.Conversations(ctx, &adaclient.ExportQuery{Since: since, To: since.Add(7 * 24 * time.Hour), PageSize: 100})
	if err != nil || len(convs) != 1 || convs[0].ID != "c1" || convs[0].IsEscalated == nil || !*convs[0].IsEscalated {
		t.Fatalf("Conversations = %+v, %v", convs, err)
	}
	if !strings.HasPrefix(r.NextPageURL, "https://elsewhere.example.com/") {
		t.Fatalf("NextPageURL = %q", r.NextPageURL)
	}
	if m, _ := convs[0].Metavariables.(map[string]any); m["seats"] == nil || m["seats"].(interface{ String() string }).String() != "12345678901234567" {
		t.Fatalf("metavariables = %v", convs[0].Metavariables)
	}
	// Following next_page_uri sends only its query, to this client's base URL.
	if _, r, err = c.Export.Conversations(ctx, &adaclient.ExportQuery{Next: r.NextPageURL, PageSize: 100}); err != nil || r.NextPageURL != "" {
		t.Fatalf("next page: %+v, %v", r, err)
	}
	msgs, _, err := c.Export.Messages(ctx, &adaclient.ExportQuery{Since: since, ConversationID: "c1"})
	if err != nil || len(msgs) != 1 || msgs[0].MessageData.(map[string]any)["body"] != "hi" {
		t.Fatalf("Messages = %+v, %v", msgs, err)
	}

	reqs := rec.requests()
	want := []struct{ path, query string }{
		{"/api/v2/export/conversations", "created_since=2026-07-01T00:00:00Z&created_to=2026-07-08T00:00:00Z&page_size=100"},
		{"/api/v2/export/conversations", "created_since=2026-07-01T10:00:01Z&created_to=2026-07-08T00:00:00Z&page_size=100"},
		{"/api/v2/export/messages", "conversation_id=c1&created_since=2026-07-01T00:00:00Z"},
	}
	for i, w := range want {
		got, _ := url.QueryUnescape(reqs[i].RawQuery)
		wq, _ := url.QueryUnescape(w.query)
		if reqs[i].Method != "GET" || reqs[i].Path != w.path || got != wq || reqs[i].Auth != "Bearer "+testKey {
			t.Errorf("request %d = %s %s?%s, want %s?%s", i, reqs[i].Method, reqs[i].Path, got, w.path, wq)
		}
	}
}

func TestExportUpdatedWindow(t *testing.T) {
	rec := newRecorder(t, status(200, `{"data":[],"meta":{"next_page_uri":null}}`))
	since := time.Date(2026, 7, 1, 0, 0, 0, 500_000_000, time.UTC)
	if _, _, err := rec.client(t).Export.Conversations(context.Background(), &adaclient.ExportQuery{By: adaclient.ExportByUpdated, Since: since, To: since.Add(adaclient.MaxExportWindow)}); err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(rec.requests()[0].RawQuery)
	if q.Get("updated_since") != "2026-07-01T00:00:00.5Z" || q.Get("updated_to") != "2026-08-30T00:00:00.5Z" || q.Has("created_since") {
		t.Fatalf("query %v", q)
	}
}

func TestExportValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(200, `{"data":[]}`))
	c := rec.client(t)
	ctx := context.Background()
	since := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		field    string
		messages bool
		q        *adaclient.ExportQuery
	}{
		{"since", false, nil},
		{"since", false, &adaclient.ExportQuery{}},
		{"to", false, &adaclient.ExportQuery{Since: since, To: since}},
		{"to", false, &adaclient.ExportQuery{Since: since, To: since.Add(adaclient.MaxExportWindow + time.Second)}},
		{"page_size", false, &adaclient.ExportQuery{Since: since, PageSize: 99}},
		{"page_size", true, &adaclient.ExportQuery{Since: since, PageSize: 10001}},
		{"by", false, &adaclient.ExportQuery{Since: since, By: "closed"}},
		{"by", true, &adaclient.ExportQuery{Since: since, By: adaclient.ExportByUpdated}},
		{"conversation_id", false, &adaclient.ExportQuery{Since: since, ConversationID: "c1"}},
		{"next", false, &adaclient.ExportQuery{Next: "https://example.ada.support/api/v2/export/conversations"}},
		{"next", true, &adaclient.ExportQuery{Next: "?updated_since=2026-07-01T00:00:00Z"}},
	}
	for _, tc := range cases {
		var err error
		if tc.messages {
			_, _, err = c.Export.Messages(ctx, tc.q)
		} else {
			_, _, err = c.Export.Conversations(ctx, tc.q)
		}
		var v *adaclient.ValidationError
		if !errors.As(err, &v) || v.Field != tc.field {
			t.Errorf("%+v: err = %v, want a validation error on %s", tc.q, err, tc.field)
		}
	}
	// The 60-day boundary itself is allowed.
	if _, _, err := c.Export.Conversations(ctx, &adaclient.ExportQuery{Since: since, To: since.Add(adaclient.MaxExportWindow)}); err != nil {
		t.Fatal(err)
	}
	if n := rec.count.Load(); n != 1 {
		t.Fatalf("%d requests, want only the valid one", n)
	}
}

func TestFormatExportTime(t *testing.T) {
	want := time.Date(2026, 7, 1, 10, 0, 0, 123456000, time.UTC)
	if got := adaclient.FormatExportTime(want.In(time.FixedZone("X", -3600))); got != "2026-07-01T10:00:00.123456Z" {
		t.Errorf("FormatExportTime = %s", got)
	}
	if got := adaclient.ExportRetentionStart(time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2025, 12, 6, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("ExportRetentionStart = %v", got)
	}
}
