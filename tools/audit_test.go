package tools_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// iso is t in the form the tools take.
func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestListAuditLogEventsPagesNewestFirst(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"ai_agent", "audit"}, allowDestructive: true})
	start := iso(time.Now().Add(-time.Hour))
	var ids []string
	for _, title := range []string{"One", "Two", "Three"} {
		ci := h.OK("create_custom_instruction", map[string]any{"title": title, "text": "x"})
		ids = append(ids, str(ci, "custom_instruction", "custom_instruction_id"))
	}
	h.OK("update_custom_instruction", map[string]any{"custom_instruction_id": ids[0], "enabled": true})
	h.OK("delete_custom_instruction", map[string]any{"custom_instruction_id": ids[1]})

	var got []string
	// The cursor carries the window: start_date again, end_date left out as on page one.
	next := func(cursor string) map[string]any { return map[string]any{"start_date": start, "cursor": cursor} }
	for _, out := range h.pages(t, "list_audit_log_events", map[string]any{"start_date": start, "limit": 2}, next, 5) {
		events := list(out, "events")
		if out["has_more"] == true && len(events) != 2 {
			t.Fatalf("a full page has %d events: %v", len(events), out)
		}
		for _, e := range events {
			ev := e.(map[string]any)
			if str(ev, "event_id") == "" || str(ev, "timestamp") == "" || str(ev, "api_key_name") != "sandbox" || str(ev, "interface") != "api" {
				t.Fatalf("event %v", ev)
			}
			if _, has := ev["context_ip"]; has {
				t.Fatalf("an empty (unavailable) field is left out: %v", ev)
			}
			got = append(got, str(ev, "entity_name")+" "+str(ev, "activity"))
		}
	}
	want := "Two deleted,One activated,Three created,Two created,One created"
	if strings.Join(got, ",") != want {
		t.Fatalf("events %v, want %s", got, want)
	}
}

func TestListAuditLogEventsChecksTheWindowFirst(t *testing.T) {
	backend, requests := countedSim(t, adasim.Options{})
	h := newHarness(t, harnessOpts{toolsets: []string{"audit"}, backend: backend})
	now := time.Now()
	day := 24 * time.Hour
	cursor := base64.RawURLEncoding.EncodeToString([]byte("start_date=" + url.QueryEscape(iso(now.Add(-day))) +
		"&end_date=" + url.QueryEscape(iso(now)) + "&limit=2&cursor=eyJ9"))
	cases := []struct {
		args map[string]any
		want []string // the message holds each
	}{
		{map[string]any{}, []string{"start_date"}},
		{map[string]any{"start_date": iso(now.Add(-40 * day)), "end_date": iso(now)}, []string{"end_date", "30 days", "split"}},
		{map[string]any{"start_date": iso(now.Add(-31 * day))}, []string{"start_date", "30 days", "end_date"}},
		{map[string]any{"start_date": iso(now.Add(-day)), "end_date": iso(now.Add(-2 * day))}, []string{"end_date", "before start_date"}},
		{map[string]any{"start_date": iso(now.Add(time.Hour))}, []string{"start_date", "future"}},
		{map[string]any{"start_date": "2026-06-01"}, []string{"start_date", "time zone", "2026-06-01T00:00:00Z"}},
		{map[string]any{"start_date": "2026-06-01T10:00:00"}, []string{"start_date", "time zone"}},
		{map[string]any{"start_date": "last week"}, []string{"start_date", "ISO 8601"}},
		{map[string]any{"start_date": iso(now.Add(-day)), "limit": 0}, []string{"limit"}},
		{map[string]any{"start_date": iso(now.Add(-day)), "cursor": "!!"}, []string{"cursor", "exactly as returned"}},
		{map[string]any{"start_date": iso(now.Add(-2 * day)), "cursor": cursor}, []string{"start_date", "differs", "leave out cursor"}},
		{map[string]any{"start_date": iso(now.Add(-day)), "end_date": iso(now.Add(-time.Hour)), "cursor": cursor}, []string{"end_date", "differs"}},
		{map[string]any{"start_date": iso(now.Add(-day)), "Cursor": cursor}, []string{"Cursor"}},
		{map[string]any{"start_date": iso(now.Add(-day)), "limit": 5, "cursor": cursor}, []string{"limit", "differs", "(2)"}},
	}
	for _, c := range cases {
		msg := h.Err("list_audit_log_events", c.args)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("list_audit_log_events(%v): message lacks %q: %s", c.args, w, msg)
			}
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests reached Ada for invalid windows", n)
	}
	// The same instant written another way is the cursor's window: the request goes to Ada,
	// whose 400 (the cursor itself is not one of Ada's) says to start over.
	sameStart := now.Add(-day).In(time.FixedZone("UTC+2", 2*3600)).Format(time.RFC3339)
	msg := h.Err("list_audit_log_events", map[string]any{"start_date": sameStart, "cursor": cursor})
	if !strings.Contains(msg, "400") || !strings.Contains(msg, "without cursor") {
		t.Fatalf("Ada's 400 on a cursor: %s", msg)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d requests, want the one", n)
	}
}

func TestListAuditLogEventsWhenTheFeatureIsOff(t *testing.T) {
	backend, _ := countedSim(t, adasim.Options{AuditLogDisabled: true})
	h := newHarness(t, harnessOpts{toolsets: []string{"audit"}, backend: backend})
	msg := h.Err("list_audit_log_events", map[string]any{"start_date": iso(time.Now().Add(-time.Hour))})
	if !strings.Contains(msg, "not enabled for this Ada account") || strings.Contains(msg, "Check the id") {
		t.Fatalf("404: %s", msg)
	}
}

// Entity names are whatever the account's users typed: a credential in one is redacted like
// anywhere else.
func TestAuditLogEventsAreRedacted(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"ai_agent", "audit"}, allowDestructive: true})
	res := h.Call("create_custom_instruction", map[string]any{"title": "Bearer " + jwt, "text": "x"})
	if res.IsError {
		t.Fatal(testclient.Text(res))
	}
	out := h.Call("list_audit_log_events", map[string]any{"start_date": iso(time.Now().Add(-time.Hour))})
	text := testclient.Text(out)
	if out.IsError || !strings.Contains(text, "custom_instruction") {
		t.Fatalf("list_audit_log_events: %s", text)
	}
	assertClean(t, "list_audit_log_events", text)
	assertClean(t, "logs", h.logs.String())
}

func TestAuditToolsetIsOptInAndReadOnly(t *testing.T) {
	if got := strings.Join(toolNames(t, newHarness(t, harnessOpts{toolsets: []string{"audit"}, readOnly: true})), ","); got != "get_capabilities,list_audit_log_events" {
		t.Fatalf("read-only audit toolset = %s", got)
	}
	for _, n := range toolNames(t, newHarness(t, harnessOpts{})) {
		if strings.Contains(n, "audit") {
			t.Fatalf("default toolsets include %s", n)
		}
	}
}
