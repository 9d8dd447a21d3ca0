package adaclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const auditPageJSON = `{"data":[{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","timestamp":"2026-06-02T10:00:00.000Z","actor_email":"ops@example.com","actor_name":"Ops","actor_user_id":"u1","entity_type":"playbook","entity_id":"p1","entity_name":"Refunds","activity":"updated","interface":"dashboard","context_ip":"203.0.113.9","context_user_agent":"Mozilla/5.0","api_key_name":"","future":true}],` +
	`"meta":{"next_page_url":"https://x.ada.support/api/v2/analytics/audit-log/events/?start_date=2026-06-01T00%3A00%3A00%2B00%3A00&end_date=2026-06-09T00%3A00%3A00Z&cursor=eyJ0IjoxfQ%3D%3D&limit=1"}}`

func TestAuditLogRequests(t *testing.T) {
	rec := newRecorder(t, status(200, auditPageJSON))
	c := rec.client(t)
	ctx := context.Background()
	start := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	end := start.Add(24*time.Hour + 500*time.Millisecond)

	events, r, err := c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: start.In(time.FixedZone("CET", 3600)), EndDate: end, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := adaclient.AuditLogEvent{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", Timestamp: "2026-06-02T10:00:00.000Z", ActorEmail: "ops@example.com",
		ActorName: "Ops", ActorUserID: "u1", EntityType: "playbook", EntityID: "p1", EntityName: "Refunds", Activity: "updated",
		Interface: "dashboard", ContextIP: "203.0.113.9", ContextUserAgent: "Mozilla/5.0"}
	if len(events) != 1 || events[0] != want {
		t.Fatalf("events %+v", events)
	}
	// The page query is Ada's, byte for byte: not decoded, re-encoded or reordered.
	const pageQuery = "start_date=2026-06-01T00%3A00%3A00%2B00%3A00&end_date=2026-06-09T00%3A00%3A00Z&cursor=eyJ0IjoxfQ%3D%3D&limit=1"
	q, err := adaclient.AuditLogPageQuery(r.NextPageURL)
	if err != nil || q != pageQuery {
		t.Fatalf("AuditLogPageQuery = %q, %v", q, err)
	}
	if _, _, err := c.AuditLog.ListPage(ctx, q); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: start}); err != nil {
		t.Fatal(err)
	}
	got := rec.requests()
	wantQueries := []string{
		"end_date=" + escape(end.UTC().Format(time.RFC3339Nano)) + "&limit=1&start_date=" + escape(start.UTC().Format(time.RFC3339)),
		pageQuery,
		"start_date=" + escape(start.UTC().Format(time.RFC3339)),
	}
	if len(got) != len(wantQueries) {
		t.Fatalf("%d requests", len(got))
	}
	for i, w := range wantQueries {
		if got[i].Method != "GET" || got[i].Path != "/api/v2/analytics/audit-log/events/" || got[i].RawQuery != w {
			t.Errorf("request %d = %s %s?%s, want ?%s", i, got[i].Method, got[i].Path, got[i].RawQuery, w)
		}
	}
	if q, err := adaclient.AuditLogPageQuery(""); q != "" || err != nil {
		t.Fatalf("no next page: %q, %v", q, err)
	}
}

func escape(s string) string {
	out := ""
	for _, r := range s {
		switch r {
		case ':':
			out += "%3A"
		case '+':
			out += "%2B"
		default:
			out += string(r)
		}
	}
	return out
}

func TestAuditLogLocalValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(200, auditPageJSON))
	c := rec.client(t)
	ctx := context.Background()
	now := time.Now()
	day := 24 * time.Hour
	for _, tc := range []struct {
		name  string
		opts  *adaclient.AuditLogOptions
		field string
	}{
		{"no options", nil, "start_date"},
		{"no start", &adaclient.AuditLogOptions{EndDate: now}, "start_date"},
		{"31 days", &adaclient.AuditLogOptions{StartDate: now.Add(-40 * day), EndDate: now.Add(-9*day + time.Second)}, "end_date"},
		{"end before start", &adaclient.AuditLogOptions{StartDate: now.Add(-day), EndDate: now.Add(-2 * day)}, "end_date"},
		{"start over 30 days ago, no end", &adaclient.AuditLogOptions{StartDate: now.Add(-31 * day)}, "start_date"},
		{"start in the future, no end", &adaclient.AuditLogOptions{StartDate: now.Add(time.Hour)}, "start_date"},
		{"limit over 100", &adaclient.AuditLogOptions{StartDate: now.Add(-day), Limit: 101}, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.AuditLog.List(ctx, tc.opts)
			var ve *adaclient.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("err = %v, want a *ValidationError for %s", err, tc.field)
			}
		})
	}
	for _, q := range []string{"", "start_date=2026-06-01T00:00:00Z", "start_date=x&cursor=y#frag", "start_date=%zz&cursor=y", "cursor="} {
		if _, _, err := c.AuditLog.ListPage(ctx, q); err == nil {
			t.Errorf("ListPage(%q) was sent", q)
		}
		if _, err := adaclient.AuditLogPageQuery("https://x.ada.support/api/v2/analytics/audit-log/events/?" + q); err == nil && q != "start_date=x&cursor=y#frag" {
			t.Errorf("AuditLogPageQuery accepted %q", q)
		}
	}
	// Exactly 30 days is allowed.
	if _, _, err := c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: now.Add(-40 * day), EndDate: now.Add(-10 * day)}); err != nil {
		t.Fatal(err)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("%d requests were sent, want only the valid one", got)
	}
}

// A window without end_date ends at Ada's now, which is the clock given
// (WithClock: a seeded sandbox keeps logical time), not this machine's: a
// start a day before Ada's date passes, one a day before the wall clock's
// is in Ada's future.
func TestAuditLogWindowUsesAdasClock(t *testing.T) {
	rec := newRecorder(t, status(200, auditPageJSON))
	adaNow := time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)
	c := rec.client(t, adaclient.WithClock(func() time.Time { return adaNow }))
	if _, _, err := c.AuditLog.List(context.Background(), &adaclient.AuditLogOptions{StartDate: adaNow.Add(-24 * time.Hour)}); err != nil {
		t.Fatalf("a day before Ada's now: %v", err)
	}
	_, _, err := c.AuditLog.List(context.Background(), &adaclient.AuditLogOptions{StartDate: time.Now().Add(-24 * time.Hour)})
	var ve *adaclient.ValidationError
	if !errors.As(err, &ve) || ve.Field != "start_date" || !strings.Contains(ve.Reason, "future") {
		t.Fatalf("a day before the wall clock's now: err = %v, want start_date in the future", err)
	}
	if got := rec.count.Load(); got != 1 {
		t.Fatalf("%d requests were sent, want 1", got)
	}
}

// The Audit Log has a rate limit of its own: a burst that exhausts the other Platform APIs'
// budget leaves it untouched.
func TestAuditLogHasItsOwnRateBudget(t *testing.T) {
	rec := newRecorder(t, status(200, `{"data":[],"meta":{"next_page_url":null}}`))
	c := rec.client(t, adaclient.WithRateBudget(adaclient.NewLocalBudget(adaclient.DefaultLimits())))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for range 5 { // the other group's burst
		if _, _, err := c.AIAgent.ListVariables(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rl *adaclient.RateLimitError
	if _, _, err := c.AIAgent.ListVariables(ctx); !errors.As(err, &rl) || rl.Group != adaclient.GroupOther {
		t.Fatalf("the sixth request of the other group: %v", err)
	}
	for range 5 {
		if _, _, err := c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatalf("audit log request paced by another group's budget: %v", err)
		}
	}
	if got := rec.count.Load(); got != 10 {
		t.Fatalf("%d requests sent, want 10", got)
	}
}
