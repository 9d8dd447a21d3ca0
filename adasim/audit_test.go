package adasim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

const auditPath = "/v2/analytics/audit-log/events/"

var (
	uuid4          = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	auditTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	activities     = []string{"created", "updated", "deleted", "executed", "invited", "activated", "deactivated"}
	auditFields    = []string{"id", "timestamp", "actor_email", "actor_name", "actor_user_id", "entity_type", "entity_id",
		"entity_name", "activity", "interface", "context_ip", "context_user_agent", "api_key_name"}
)

// auditLog is the session's part for the Audit log API. It reads back what the session wrote,
// so it runs last.
func (s *sessionRunner) auditLog() {
	const (
		ok, bad          = http.StatusOK, http.StatusBadRequest
		request, route   = openapicheck.KindRequest, openapicheck.KindRoute
		notFound, notAll = http.StatusNotFound, http.StatusMethodNotAllowed
	)
	t := s.t
	src := s.step(ok, none, "POST", "/v2/knowledge/sources/", object{"id": "audited-source", "name": "Audited"})
	at, err := time.Parse(time.RFC3339Nano, str(src["created"]))
	if err != nil {
		t.Fatal(err)
	}
	start := url.QueryEscape(at.Add(-time.Hour).Format(time.RFC3339)) // before every write of the session
	all := s.step(ok, none, "GET", auditPath+"?limit=100&start_date="+start, nil)["data"].([]any)
	if len(all) < 10 {
		t.Fatalf("%d audit events for the whole session", len(all))
	}
	newest := all[0].(object)
	if newest["entity_type"] != "knowledge_source" || newest["entity_id"] != "audited-source" || newest["activity"] != "created" || newest["entity_name"] != "Audited" {
		t.Fatalf("the newest event is %v, want the knowledge source just created", newest)
	}
	for i := 1; i < len(all); i++ {
		if str(all[i].(object)["timestamp"]) > str(all[i-1].(object)["timestamp"]) {
			t.Fatalf("events not newest first: %v then %v", all[i-1], all[i])
		}
	}
	if n := s.walk(auditPath + "?limit=7&start_date=" + start); n != len(all) {
		t.Fatalf("walked %d events in pages of 7, want %d", n, len(all))
	}
	end := url.QueryEscape(at.Add(time.Hour).Format(time.RFC3339))
	page := s.step(ok, none, "GET", auditPath+"?limit=2&start_date="+start+"&end_date="+end, nil)
	next := str(page["meta"].(object)["next_page_url"])
	s.step(ok, none, "GET", next, nil)
	drift := func(change func(url.Values)) string {
		u, err := url.Parse(next)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		change(q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	s.step(bad, none, "GET", drift(func(q url.Values) { q.Set("end_date", at.Add(2*time.Hour).Format(time.RFC3339)) }), nil)
	s.step(bad, none, "GET", drift(func(q url.Values) { q.Del("end_date") }), nil)  // resolves to another now
	s.step(ok, none, "GET", drift(func(q url.Values) { q.Set("limit", "5") }), nil) // the page size may change

	s.step(bad, request, "GET", auditPath, nil) // start_date is required
	s.step(bad, request, "GET", auditPath+"?start_date=yesterday", nil)
	s.step(bad, none, "GET", auditPath+"?start_date=2026-01-01T00:00:00Z&end_date=2026-02-01T00:00:00Z", nil)
	s.step(ok, none, "GET", auditPath+"?start_date=2026-01-01T00:00:00Z&end_date=2026-01-31T00:00:00Z", nil) // 30 days exactly
	s.step(bad, none, "GET", auditPath+"?start_date=2026-01-02T00:00:00Z&end_date=2026-01-01T00:00:00Z", nil)
	s.step(bad, none, "GET", auditPath+"?start_date="+start+"&limit=0", nil)
	s.step(bad, none, "GET", auditPath+"?start_date="+start+"&limit=101", nil)
	s.step(bad, request, "GET", auditPath+"?start_date="+start+"&limit=many", nil)
	s.step(bad, none, "GET", auditPath+"?start_date="+start+"&cursor=bm90IGEgY3Vyc29y", nil)
	s.step(notFound, route, "GET", "/v2/analytics/audit-log/events", nil)
	s.step(notAll, route, "POST", auditPath, object{})
}

func checkAuditEvent(e object, fail failFunc) {
	for _, k := range auditFields {
		if _, ok := e[k].(string); !ok {
			fail("audit event field %s: %v", k, e[k])
		}
	}
	if !uuid4.MatchString(str(e["id"])) || !auditTimestamp.MatchString(str(e["timestamp"])) {
		fail("audit event id/timestamp")
	}
	if !slices.Contains(activities, str(e["activity"])) || str(e["entity_type"]) == "" || str(e["entity_id"]) == "" {
		fail("audit event entity/activity")
	}
	if e["interface"] != "api" || e["api_key_name"] != "sandbox" || str(e["actor_email"]) == "" || str(e["actor_user_id"]) == "" {
		fail("audit event actor")
	}
}

// auditEvents returns every event of the window, following next_page_url.
func (c *client) auditEvents(query string) []object {
	c.t.Helper()
	var all []object
	next := auditPath + "?" + query
	for pages := 0; next != ""; pages++ {
		if pages > 100 {
			c.t.Fatal("more than 100 pages of audit events")
		}
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, e := range page["data"].([]any) {
			all = append(all, e.(object))
		}
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	return all
}

func summary(events []object) string {
	var out []string
	for _, e := range events {
		out = append(out, str(e["entity_type"])+" "+str(e["activity"]))
	}
	return strings.Join(out, ", ")
}

// The simulator records what Ada's Audit log overview says Ada records (knowledge sources and
// articles, custom instructions) and nothing Ada lists as not captured yet.
func TestAuditLogRecordsWhatAdaRecords(t *testing.T) {
	c := newSim(t, adasim.Options{Deterministic: true, Seed: 3})
	// Not recorded by Ada: end users, conversations, channel settings, webhooks, the persona, tags.
	u := c.createEndUser(object{"external_id": "crm-7"})
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+str(u["end_user_id"]), object{"profile": object{"display_name": "Ana"}})
	ch := c.expect(http.StatusCreated, "POST", "/v2/channels/", object{"name": "Web", "description": "", "modality": "messaging"})
	c.expect(http.StatusOK, "PATCH", "/v2/channels/"+str(ch["id"]), object{"capabilities": object{"markdown": true}})
	conv := c.startConversation("")
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+str(conv["id"])+"/end/", nil)
	hook := c.expect(http.StatusCreated, "POST", "/v2/webhooks/", object{"url": "http://127.0.0.1:9/h?token=s3cr3t"})
	c.expect(http.StatusOK, "PATCH", "/v2/webhooks/"+str(hook["id"]), object{"enabled": false})
	c.deleteOK("/v2/webhooks/" + str(hook["id"]))
	c.expect(http.StatusOK, "PATCH", "/v2/persona/", object{"emoji_usage": true})
	c.upsert("/v2/knowledge/bulk/tags/", object{"id": "t1", "name": "Billing"})
	if events := c.auditEvents("start_date=2025-12-31T00:00:00Z"); len(events) != 0 {
		t.Fatalf("writes Ada does not audit left events: %s", summary(events))
	}

	// Recorded: knowledge sources and articles, custom instructions.
	c.expect(http.StatusOK, "POST", "/v2/knowledge/sources/", object{"id": "faq", "name": "FAQ"})
	c.expect(http.StatusOK, "PATCH", "/v2/knowledge/sources/faq", object{"name": "FAQ v2"})
	c.expect(http.StatusOK, "PATCH", "/v2/knowledge/sources/faq", object{"name": "FAQ v2"}) // no change
	article := object{"id": "a1", "name": "Refunds", "content": "Within 30 days.", "knowledge_source_id": "faq"}
	c.upsert(bulkArticles, article)
	c.upsert(bulkArticles, article) // no change
	article["content"] = "Within 60 days."
	c.upsert(bulkArticles, article)
	c.deleteOK("/v2/knowledge/articles/a1")
	ci := c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": "Be brief", "text": "x"})
	c.expect(http.StatusOK, "PATCH", "/v2/custom-instructions/"+str(ci["id"]), object{"enabled": true})
	c.expect(http.StatusOK, "PATCH", "/v2/custom-instructions/"+str(ci["id"]), object{"text": "y", "enabled": false})
	c.deleteOK("/v2/custom-instructions/" + str(ci["id"]))
	c.deleteOK("/v2/knowledge/sources/faq")

	events := c.auditEvents("start_date=2025-12-31T00:00:00Z&limit=4")
	want := "knowledge_source deleted, custom_instruction deleted, custom_instruction updated, custom_instruction activated, " +
		"custom_instruction created, article deleted, article updated, article created, knowledge_source updated, knowledge_source created"
	if got := summary(events); got != want {
		t.Fatalf("events (newest first):\n%s\nwant\n%s", got, want)
	}
	last := events[len(events)-1]
	if last["entity_id"] != "faq" || last["entity_name"] != "FAQ" || events[len(events)-2]["entity_name"] != "FAQ v2" || events[5]["entity_name"] != "Refunds" {
		t.Fatalf("entity names: %v, %v, %v", last, events[len(events)-2], events[5])
	}
	// The time of the change, from the logical clock.
	if !strings.HasPrefix(str(last["timestamp"]), "2026-01-01T00:00:") {
		t.Fatalf("first event at %v", last["timestamp"])
	}
	for _, e := range events {
		if e["actor_email"] != "sandbox-owner@example.com" || e["api_key_name"] != "sandbox" || e["interface"] != "api" ||
			e["context_ip"] != "" || e["context_user_agent"] != "" || !uuid4.MatchString(str(e["id"])) {
			t.Fatalf("event %v", e)
		}
	}
}

func TestAuditLogWindow(t *testing.T) {
	clk := newFakeClock() // 2026-03-01T12:00:00Z
	c := newSim(t, adasim.Options{Clock: clk.Now})
	titles := []string{"day 0", "day 10", "day 20", "day 35"}
	for i, title := range titles {
		if i > 0 {
			clk.Advance(map[int]time.Duration{1: 10, 2: 10, 3: 15}[i] * 24 * time.Hour)
		}
		c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": title, "text": "x"})
	}
	names := func(query string) string {
		var out []string
		for _, e := range c.auditEvents(query) {
			out = append(out, str(e["entity_name"]))
		}
		return strings.Join(out, ",")
	}
	// Both ends inclusive, to the millisecond.
	if got := names("start_date=2026-03-11T12:00:00Z&end_date=2026-03-21T12:00:00.000Z"); got != "day 20,day 10" {
		t.Fatalf("window of days 10-20: %s", got)
	}
	if got := names("start_date=2026-03-11T12:00:00.001Z&end_date=2026-03-21T11:59:59.999Z"); got != "" {
		t.Fatalf("window strictly inside: %s", got)
	}
	// end_date defaults to now; an offset other than Z is the same instant.
	if got := names("start_date=" + url.QueryEscape("2026-03-21T13:00:00+01:00")); got != "day 35,day 20" {
		t.Fatalf("window up to now: %s", got)
	}
	c.expectError(http.StatusBadRequest, "validation_error", "GET", auditPath+"?start_date=2026-03-01T12:00:00Z", nil) // 35 days to now
	c.expectError(http.StatusBadRequest, "validation_error", "GET", auditPath+"?start_date=2026-03-01T12:00:00Z&end_date=2026-03-31T12:00:00.001Z", nil)
	c.expectError(http.StatusBadRequest, "validation_error", "GET", auditPath+"?start_date=2026-03-01", nil) // no time, no zone
	c.expectError(http.StatusBadRequest, "validation_error", "GET", auditPath+"?end_date=2026-03-01T12:00:00Z", nil)
}

func TestAuditLogPagesStayPut(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	for i := range 5 { // five events within the same millisecond: their order is recording order
		c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": fmt.Sprint("rule ", i), "text": "x"})
	}
	first := c.expect(http.StatusOK, "GET", auditPath+"?start_date=2026-03-01T00:00:00Z&limit=2", nil)
	next := str(first["meta"].(object)["next_page_url"])
	u, err := url.Parse(next)
	if err != nil || u.Query().Get("end_date") == "" || u.Query().Get("limit") != "2" || u.Query().Get("cursor") == "" {
		t.Fatalf("next_page_url %q must carry the resolved end_date, the limit and a cursor", next)
	}
	// Writes after the first page neither shift the pages nor show up in them: the window ended.
	clk.Advance(time.Second)
	c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": "late", "text": "x"})
	var ids []string
	for _, e := range first["data"].([]any) {
		ids = append(ids, str(e.(object)["entity_id"]))
	}
	for next != "" {
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, e := range page["data"].([]any) {
			ids = append(ids, str(e.(object)["entity_id"]))
		}
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	if len(ids) != 5 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 5 {
		t.Fatalf("paged through %v, want the 5 first instructions once each", ids)
	}
	// Replaying the first page's URL without its resolved end_date is a window drift.
	c.expectError(http.StatusBadRequest, "validation_error", "GET",
		auditPath+"?start_date=2026-03-01T00:00:00Z&limit=2&cursor="+url.QueryEscape(u.Query().Get("cursor")), nil)
	c.expectError(http.StatusBadRequest, "validation_error", "GET", auditPath+"?start_date=2026-03-01T00:00:00Z&cursor=%25%25", nil)
}

func TestAuditLogDisabledIs404(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: testKey, AuditLogDisabled: true})
	defer sim.Close()
	s := &sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: conformanceServer(t, sim)}
	s.step(http.StatusNotFound, none, "GET", auditPath+"?start_date=2026-01-01T00:00:00Z", nil)
}

func TestAuditLogRateLimitIsItsOwn(t *testing.T) {
	clk := newFakeClock()
	sim := adasim.New(adasim.Options{APIKey: testKey, Clock: clk.Now, RateLimits: true})
	defer sim.Close()
	s := &sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: conformanceServer(t, sim)}
	list := auditPath + "?start_date=2026-03-01T00:00:00Z"
	for range 10 {
		s.step(http.StatusOK, none, "GET", list, nil)
	}
	s.step(http.StatusTooManyRequests, none, "GET", list, nil)
	s.step(http.StatusOK, none, "GET", "/v2/persona/", nil) // the default budget is untouched
	clk.Advance(time.Second)
	for range 100 { // 120 a minute: past the default budget's 100
		s.step(http.StatusOK, none, "GET", list, nil)
		clk.Advance(100 * time.Millisecond)
	}
	r := s.send(sessionRequest{method: "GET", path: list})
	if r.status != http.StatusOK || r.header.Get("X-RateLimit-Limit") != "120" {
		t.Fatalf("request 111 of the minute: %d, X-RateLimit-Limit %q", r.status, r.header.Get("X-RateLimit-Limit"))
	}
}

func TestAuditLogResetAndLoad(t *testing.T) {
	c := newSim(t, adasim.Options{Deterministic: true})
	c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": "kept", "text": "x"})
	if err := c.sim.LoadState(adasim.State{}); err != nil {
		t.Fatal(err)
	}
	if n := len(c.auditEvents("start_date=2025-12-31T00:00:00Z")); n != 1 {
		t.Fatalf("%d events after a load, want the 1 recorded before it", n)
	}
	c.sim.Reset()
	if n := len(c.auditEvents("start_date=2025-12-31T00:00:00Z")); n != 0 {
		t.Fatalf("%d events after Reset", n)
	}
}
