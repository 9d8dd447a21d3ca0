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

// exportTimestamp is how export records write times: UTC with microseconds and Z.
var exportTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$`)

func exportTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// exportPath builds an export request path from alternating keys and values.
func exportPath(endpoint string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return "/v2/export/" + endpoint + "?" + q.Encode()
}

// checkExportPage asserts what clients rely on in an export page: each record's _id and dates,
// and meta.next_page_uri present, null or an absolute URI with the advanced lower bound and
// the upper bound written out.
func checkExportPage(body object, messages bool, fail failFunc) {
	data, ok := body["data"].([]any)
	if !ok {
		fail("no data array")
	}
	for _, d := range data {
		rec := d.(object)
		if !hexID.MatchString(str(rec["_id"])) || !exportTimestamp.MatchString(str(rec["date_created"])) {
			fail("record _id/date_created %v %v", rec["_id"], rec["date_created"])
		}
		if messages {
			if !hexID.MatchString(str(rec["conversation_id"])) || str(rec["sender"]) == "" || str(rec["recipient"]) == "" {
				fail("message conversation_id/sender/recipient %v", rec)
			}
			if _, ok := rec["message_data"].(object); !ok {
				fail("message_data %v", rec["message_data"])
			}
		} else if !exportTimestamp.MatchString(str(rec["date_updated"])) || !hexID.MatchString(str(rec["end_user_id"])) {
			fail("conversation date_updated/end_user_id %v", rec)
		}
	}
	meta, ok := body["meta"].(object)
	if !ok {
		fail("no meta")
		return
	}
	next, present := meta["next_page_uri"]
	if !present {
		fail("meta.next_page_uri missing")
	}
	if next == nil {
		return
	}
	u, err := url.Parse(str(next))
	if err != nil || !u.IsAbs() || !(u.Query().Has("created_since") && u.Query().Has("created_to") ||
		u.Query().Has("updated_since") && u.Query().Has("updated_to")) {
		fail("next_page_uri %v", next)
	}
}

// walkExport follows next_page_uri from path to the last page and returns every record's _id.
func (s *sessionRunner) walkExport(path string) []string {
	s.t.Helper()
	var ids []string
	for pages := 0; path != ""; pages++ {
		if pages > 50 {
			s.t.Fatalf("export from %s does not end", path)
		}
		page := s.step(http.StatusOK, none, "GET", path, nil)
		for _, d := range page["data"].([]any) {
			ids = append(ids, str(d.(object)["_id"]))
		}
		path, _ = page["meta"].(object)["next_page_uri"].(string)
	}
	return ids
}

// export is the session's part for Data Export, over the session's conversations: conv (with
// its messages), one on another channel with only the greeting, and the email conversations.
func (s *sessionRunner) export(conv object) {
	const (
		ok, bad        = http.StatusOK, http.StatusBadRequest
		request, route = openapicheck.KindRequest, openapicheck.KindRoute
	)
	t := s.t
	created, err := time.Parse(time.RFC3339Nano, str(conv["created_at"]))
	if err != nil {
		t.Fatalf("conversation created_at %v: %v", conv["created_at"], err)
	}
	since := created.Add(-time.Hour)
	to := since.Add(7 * 24 * time.Hour)
	convID := str(conv["id"])

	convs := s.walkExport(exportPath("conversations", "created_since", exportTime(since), "created_to", exportTime(to), "page_size", "100"))
	if len(convs) < 2 || convs[0] != convID {
		t.Fatalf("exported conversations %v, want the session's, starting with %s", convs, convID)
	}
	// Without created_to: 7 days by default.
	if got := s.walkExport(exportPath("conversations", "created_since", exportTime(since))); !slices.Equal(got, convs) {
		t.Fatalf("default window exported %v, want %v", got, convs)
	}
	if got := s.walkExport(exportPath("conversations", "updated_since", exportTime(since), "updated_to", exportTime(to))); len(got) != len(convs) {
		t.Fatalf("updated window exported %v", got)
	}
	msgs := s.walkExport(exportPath("messages", "created_since", exportTime(since), "created_to", exportTime(to), "conversation_id", convID))
	if want := s.walk("/v2/conversations/" + convID + "/messages/"); len(msgs) != want {
		t.Fatalf("exported %d messages of %s, its list has %d", len(msgs), convID, want)
	}
	all := s.walkExport(exportPath("messages", "created_since", exportTime(since), "created_to", exportTime(to)))
	want := 0
	for _, id := range convs {
		want += s.walk("/v2/conversations/" + id + "/messages/")
	}
	if len(all) != want {
		t.Fatalf("exported %d messages in all, want the %d the conversations list", len(all), want)
	}
	if got := s.walkExport(exportPath("messages", "created_since", exportTime(since), "conversation_id", "000000000000000000000000")); len(got) != 0 {
		t.Fatalf("an unknown conversation_id exported %v", got)
	}

	// Ada's rules.
	s.step(bad, none, "GET", "/v2/export/conversations", nil)                                                                          // a lower bound is required
	s.step(bad, none, "GET", exportPath("conversations", "created_since", exportTime(since), "updated_since", exportTime(since)), nil) // mutually exclusive
	s.step(bad, none, "GET", exportPath("conversations", "created_since", exportTime(since), "updated_to", exportTime(to)), nil)
	s.step(bad, request, "GET", exportPath("conversations", "created_since", since.UTC().Format("2006-01-02T15:04:05")), nil) // not even date-time
	// A date-time, but not in UTC ending in Z as Ada requires.
	s.step(bad, none, "GET", exportPath("conversations", "created_since", since.Format("2006-01-02T15:04:05+00:00")), nil)
	s.step(bad, none, "GET", exportPath("conversations", "created_since", exportTime(since), "created_to", exportTime(since)), nil)
	s.step(bad, none, "GET", exportPath("conversations", "created_since", exportTime(since), "created_to", exportTime(since.Add(60*24*time.Hour+time.Second))), nil)
	s.step(ok, none, "GET", exportPath("conversations", "created_since", exportTime(since), "created_to", exportTime(since.Add(60*24*time.Hour))), nil)
	s.step(bad, none, "GET", exportPath("conversations", "created_since", exportTime(created.AddDate(-1, 0, -1)), "created_to", exportTime(created.AddDate(-1, 0, 0))), nil)
	s.step(bad, none, "GET", exportPath("messages", "created_since", exportTime(since), "page_size", "99"), nil)
	s.step(bad, none, "GET", exportPath("messages", "created_since", exportTime(since), "page_size", "10001"), nil)
	s.step(ok, none, "GET", exportPath("messages", "created_since", exportTime(since), "page_size", "10000"), nil)
	s.step(bad, request, "GET", exportPath("messages", "created_since", exportTime(since), "page_size", "many"), nil) // an integer
	s.step(bad, request, "GET", "/v2/export/messages", nil)                                                           // created_since is required
	s.step(http.StatusMethodNotAllowed, route, "POST", "/v2/export/conversations", object{})
	s.step(http.StatusNotFound, route, "GET", "/v2/export/conversations/", nil)
}

// loadedEndUser is the end user of loadConversations' conversations.
const loadedEndUser = "e00000000000000000000001"

// loadedMessageID is the id of the message of loadConversations' ith conversation.
func loadedMessageID(i int) string { return fmt.Sprintf("d%023d", i) }

// loadConversations loads n conversations of one end user, created at the given times, each
// with one end-user message at the same time.
func loadConversations(t *testing.T, c *client, times []time.Time) []string {
	t.Helper()
	st := adasim.State{EndUsers: []adasim.StateEndUser{{EndUserID: loadedEndUser, Profile: adasim.StateProfile{Metadata: map[string]any{"plan": "gold"}}}}}
	ids := make([]string, len(times))
	for i, at := range times {
		ids[i] = fmt.Sprintf("c%023d", i)
		ts := at.UTC().Format(time.RFC3339Nano)
		st.Conversations = append(st.Conversations, adasim.StateConversation{ID: ids[i], ChannelID: c.sim.DefaultChannelID(),
			EndUserID: loadedEndUser, CreatedAt: ts, Messages: []adasim.StateMessage{{MessageID: loadedMessageID(i), CreatedAt: ts,
				Author: adasim.StateAuthor{Role: "end_user"}, Content: adasim.StateContent{Type: "text", Body: fmt.Sprintf("question %d", i)}}}})
	}
	if err := c.sim.LoadState(st); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestExportPagesByNextPageURI walks 250 conversations at page_size 100 through the OpenAPI
// check: every record exactly once, in time order, and a page never ends inside a group of
// records of the same time (the lower bound is inclusive).
func TestExportPagesByNextPageURI(t *testing.T) {
	c := newSim(t, adasim.Options{})
	base := time.Now().UTC().Add(-30 * 24 * time.Hour).Truncate(time.Second)
	var times []time.Time
	for i := range 250 {
		at := base.Add(time.Duration(i) * time.Minute)
		if i >= 98 && i < 103 { // five records of one time across the first page's end
			at = base.Add(98 * time.Minute)
		}
		times = append(times, at)
	}
	want := loadConversations(t, c, times)
	s := &sessionRunner{t: t, channelID: c.sim.DefaultChannelID(), send: conformanceServer(t, c.sim)}

	first := s.step(http.StatusOK, none, "GET", exportPath("conversations", "created_since", exportTime(base), "created_to", exportTime(base.Add(30*24*time.Hour)), "page_size", "100"), nil)
	if n := len(first["data"].([]any)); n != 98 {
		t.Fatalf("first page has %d records, want 98 (it ends before the five of one time)", n)
	}
	next := str(first["meta"].(object)["next_page_uri"])
	if u, _ := url.Parse(next); u.Query().Get("created_since") != base.Add(98*time.Minute).Format("2006-01-02T15:04:05.000000Z") {
		t.Fatalf("next_page_uri %s does not start at the group", next)
	}
	got := s.walkExport(exportPath("conversations", "created_since", exportTime(base), "created_to", exportTime(base.Add(30*24*time.Hour)), "page_size", "100"))
	if !slices.Equal(got, want) {
		t.Fatalf("walked %d conversations, want the %d in order", len(got), len(want))
	}
	msgs := s.walkExport(exportPath("messages", "created_since", exportTime(base), "created_to", exportTime(base.Add(30*24*time.Hour)), "page_size", "100"))
	if len(msgs) != 250 || msgs[0] != loadedMessageID(0) || msgs[249] != loadedMessageID(249) {
		t.Fatalf("walked %d messages (%v ... )", len(msgs), msgs[:min(3, len(msgs))])
	}
}

func TestExportBoundsLowerInclusiveUpperExclusive(t *testing.T) {
	c := newSim(t, adasim.Options{})
	at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	loadConversations(t, c, []time.Time{at})
	count := func(since, to time.Time) int {
		body := c.expect(http.StatusOK, "GET", exportPath("conversations", "created_since", exportTime(since), "created_to", exportTime(to)), nil)
		return len(body["data"].([]any))
	}
	if n := count(at, at.Add(time.Second)); n != 1 {
		t.Fatalf("since = its time: %d records, want 1", n)
	}
	if n := count(at.Add(-time.Hour), at); n != 0 {
		t.Fatalf("to = its time: %d records, want 0", n)
	}
}

func TestExportRecordsAndUpdatedWindow(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	u := c.createEndUser(object{"profile": object{"language": "fr", "metadata": object{"plan": "gold", "seats": 3}}})
	cv := c.startConversation(str(u["end_user_id"]))
	clk.Advance(time.Hour)
	msgs := "/v2/conversations/" + str(cv["id"]) + "/messages/"
	c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"id": u["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "My order is late"}})
	c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"id": u["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "I want a human"}})
	c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"role": "human_agent", "display_name": "Grace"}, "content": object{"type": "text", "body": "Grace here"}})

	now := clk.Now()
	body := c.expect(http.StatusOK, "GET", exportPath("conversations", "created_since", exportTime(now.Add(-2*time.Hour)), "created_to", exportTime(now.Add(time.Minute))), nil)
	rec := body["data"].([]any)[0].(object)
	if rec["_id"] != cv["id"] || rec["end_user_id"] != u["end_user_id"] || rec["chatter_id"] != u["end_user_id"] || rec["language"] != "fr" ||
		rec["is_engaged"] != true || rec["is_escalated"] != true || rec["inquiry_summary"] != "My order is late" ||
		fmt.Sprint(rec["agent_name"]) != "[Grace]" || fmt.Sprint(rec["metavariables"]) != "map[plan:gold seats:3]" {
		t.Fatalf("export record %v", rec)
	}
	if rec["date_updated"] == rec["date_created"] {
		t.Fatalf("date_updated did not move with the messages: %v", rec)
	}
	// Created an hour before the messages: by update time it is in a window that starts after
	// its creation, by creation time it is not.
	window := []string{exportTime(now.Add(-time.Minute)), exportTime(now.Add(time.Minute))}
	if n := len(c.expect(http.StatusOK, "GET", exportPath("conversations", "updated_since", window[0], "updated_to", window[1]), nil)["data"].([]any)); n != 1 {
		t.Fatalf("updated window: %d records, want 1", n)
	}
	if n := len(c.expect(http.StatusOK, "GET", exportPath("conversations", "created_since", window[0], "created_to", window[1]), nil)["data"].([]any)); n != 0 {
		t.Fatalf("created window: %d records, want 0", n)
	}

	data := c.expect(http.StatusOK, "GET", exportPath("messages", "created_since", exportTime(now.Add(-2*time.Hour)), "conversation_id", str(cv["id"])), nil)["data"].([]any)
	var lines []string
	for _, d := range data {
		m := d.(object)
		md := m["message_data"].(object)
		lines = append(lines, fmt.Sprintf("%v>%v chatter=%v %v:%v", m["sender"], m["recipient"], m["chatter_id"] != nil, md["type"], md["body"]))
	}
	want := []string{
		"ai_agent>end_user chatter=false text:" + greetingOf(t, c, str(cv["id"])),
		"end_user>ai_agent chatter=true text:My order is late",
		"ai_agent>end_user chatter=false text:" + str(c.messages(str(cv["id"]))[2]["content"].(object)["body"]),
		"end_user>ai_agent chatter=true text:I want a human",
	}
	if len(lines) < len(want) || !slices.Equal(lines[:len(want)], want) || !strings.HasPrefix(lines[len(lines)-1], "human_agent>end_user") {
		t.Fatalf("exported messages:\n%s\nwant to start with:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func greetingOf(t *testing.T, c *client, conversationID string) string {
	t.Helper()
	return str(c.messages(conversationID)[0]["content"].(object)["body"])
}

func TestExportTwelveMonthsByTheSimulatorsClock(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	oldest := clk.Now().AddDate(-1, 0, 0)
	c.expect(http.StatusOK, "GET", exportPath("conversations", "created_since", exportTime(oldest), "created_to", exportTime(oldest.Add(time.Hour))), nil)
	c.expectError(http.StatusBadRequest, "validation_error", "GET", exportPath("conversations", "created_since", exportTime(oldest.Add(-time.Second))), nil)
	// A window reaching into the future is fine.
	c.expect(http.StatusOK, "GET", exportPath("messages", "created_since", exportTime(clk.Now()), "created_to", exportTime(clk.Now().Add(59*24*time.Hour))), nil)
}

func TestExportRateLimitPerEndpoint(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now, RateLimits: true})
	path := exportPath("conversations", "created_since", exportTime(clk.Now().Add(-time.Hour)))
	for range 10 {
		c.expect(http.StatusOK, "GET", path, nil)
	}
	r := c.do("GET", path, nil)
	checkError(t, r, http.StatusTooManyRequests, "too_many_requests")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// The other endpoint has its own budget.
	c.expect(http.StatusOK, "GET", exportPath("messages", "created_since", exportTime(clk.Now().Add(-time.Hour))), nil)
}
