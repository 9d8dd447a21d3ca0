package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// exportBackend is the simulator behind a recorder of the Data Export requests that reach it.
type exportBackend struct {
	sim *adasim.Sim
	mu  sync.Mutex
	got []*url.URL // every request to /api/v2/export/...
	all int        // every request
}

func (b *exportBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.all++
	if strings.HasPrefix(r.URL.Path, "/api/v2/export/") {
		u := *r.URL
		b.got = append(b.got, &u)
	}
	b.mu.Unlock()
	b.sim.ServeHTTP(w, r)
}

func (b *exportBackend) exports() []*url.URL {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.got)
}

func (b *exportBackend) requests() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.all
}

func newExportHarness(t *testing.T, client *mcp.ClientOptions) (*harness, *exportBackend) {
	t.Helper()
	b := &exportBackend{sim: adasim.New(adasim.Options{APIKey: apiKey})}
	t.Cleanup(b.sim.Close)
	h := newHarness(t, harnessOpts{backend: b, toolsets: []string{"export", "compliance", "conversations"}, client: client, allowDestructive: true})
	h.deps.DefaultChannelID = b.sim.DefaultChannelID()
	return h, b
}

// loadExport loads one conversation per time, each of one end user (metadata as given) with
// one end-user message at the same time, and returns the conversation ids.
func loadExport(t *testing.T, sim *adasim.Sim, times []time.Time, metadata map[string]any, body func(i int) string) []string {
	t.Helper()
	st := adasim.State{EndUsers: []adasim.StateEndUser{{EndUserID: "e00000000000000000000001", Profile: adasim.StateProfile{Metadata: metadata}}}}
	ids := make([]string, len(times))
	for i, at := range times {
		ids[i] = fmt.Sprintf("c%023d", i)
		ts := at.UTC().Format(time.RFC3339Nano)
		st.Conversations = append(st.Conversations, adasim.StateConversation{ID: ids[i], ChannelID: sim.DefaultChannelID(),
			EndUserID: "e00000000000000000000001", CreatedAt: ts, Messages: []adasim.StateMessage{{MessageID: fmt.Sprintf("d%023d", i),
				CreatedAt: ts, Author: adasim.StateAuthor{Role: "end_user"}, Content: adasim.StateContent{Type: "text", Body: body(i)}}}})
	}
	if err := sim.LoadState(st); err != nil {
		t.Fatal(err)
	}
	return ids
}

func question(i int) string { return fmt.Sprintf("question %d", i) }

// exportAll follows next_cursor from args to the end and returns every id, the result of
// each call, and the number of calls.
func exportAll(t *testing.T, h *harness, tool, key, idKey string, args map[string]any, pageSizes ...int) ([]string, []map[string]any) {
	t.Helper()
	var ids []string
	var results []map[string]any
	for call := 0; ; call++ {
		if call > 200 {
			t.Fatalf("%s does not end: %d ids so far", tool, len(ids))
		}
		if len(pageSizes) > 0 {
			args["page_size"] = pageSizes[call%len(pageSizes)]
		}
		out := h.OK(tool, args)
		results = append(results, out)
		for _, r := range list(out, key) {
			ids = append(ids, str(r.(map[string]any), idKey))
		}
		if out["has_more"] != true {
			if str(out, "next_cursor") != "" {
				t.Fatalf("has_more false with a next_cursor: %v", out)
			}
			return ids, results
		}
		args = map[string]any{"cursor": str(out, "next_cursor")}
	}
}

// A window of ten months is split into windows Ada accepts (at most 60 days, consecutive,
// UTC ending in Z), walked in one call.
func TestExportSplitsALongWindow(t *testing.T) {
	h, b := newExportHarness(t, nil)
	now := time.Now().UTC()
	var times []time.Time
	for _, daysAgo := range []int{300, 250, 170, 100, 61, 59, 30, 1} {
		times = append(times, now.Add(-time.Duration(daysAgo)*24*time.Hour).Truncate(time.Second))
	}
	want := loadExport(t, b.sim, times, nil, question)

	out := h.OK("export_conversations", map[string]any{"start": now.AddDate(0, -10, -5).Format("2006-01-02"), "page_size": 100})
	var got []string
	for _, c := range list(out, "conversations") {
		got = append(got, str(c.(map[string]any), "conversation_id"))
	}
	if !slices.Equal(got, want) || out["has_more"] != false {
		t.Fatalf("exported %v (has_more %v), want %v", got, out["has_more"], want)
	}
	reqs := b.exports()
	if len(reqs) < 5 {
		t.Fatalf("%d requests to Ada for ten months, want one per window of at most 60 days", len(reqs))
	}
	var previousEnd string
	for i, u := range reqs {
		q := u.Query()
		since, to := q.Get("created_since"), q.Get("created_to")
		s, err1 := time.Parse(time.RFC3339, since)
		e, err2 := time.Parse(time.RFC3339, to)
		if err1 != nil || err2 != nil || !strings.HasSuffix(since, "Z") || !strings.HasSuffix(to, "Z") {
			t.Fatalf("request %d: %s", i, u.RawQuery)
		}
		if d := e.Sub(s); d <= 0 || d > 60*24*time.Hour {
			t.Fatalf("request %d spans %v: %s", i, d, u.RawQuery)
		}
		if previousEnd != "" && since != previousEnd {
			t.Fatalf("request %d starts at %s, the previous window ended at %s", i, since, previousEnd)
		}
		if q.Get("page_size") != "100" {
			t.Fatalf("request %d page_size %q, want Ada's minimum 100", i, q.Get("page_size"))
		}
		previousEnd = to
	}
	if w := obj(out, "window"); !strings.HasPrefix(str(w, "end"), now.Format("2006-01-02")) {
		t.Fatalf("window %v does not end now", w)
	}
}

// Walking with small and changing page sizes returns every record once, in order, though
// calls end inside Ada's pages (of 100), across pages and across windows.
func TestExportContinuesExactlyWhereItStopped(t *testing.T) {
	h, b := newExportHarness(t, nil)
	start := time.Now().UTC().Add(-150 * 24 * time.Hour).Truncate(time.Second)
	var times []time.Time
	for i := range 260 {
		times = append(times, start.Add(time.Duration(i)*13*time.Hour))
	}
	want := loadExport(t, b.sim, times, nil, question)

	got, results := exportAll(t, h, "export_conversations", "conversations", "conversation_id", map[string]any{"start": start.Format(time.RFC3339)}, 7, 30, 100, 13)
	if !slices.Equal(got, want) {
		t.Fatalf("exported %d conversations (first %v), want the %d in order", len(got), got[:min(5, len(got))], len(want))
	}
	for i, r := range results[:len(results)-1] {
		if n, max := len(list(r, "conversations")), []int{7, 30, 100, 13}[i%4]; n > max {
			t.Fatalf("call %d returned %d records, page_size %d", i, n, max)
		}
	}
	msgs, _ := exportAll(t, h, "export_messages", "messages", "message_id", map[string]any{"start": start.Format(time.RFC3339)}, 45)
	if len(msgs) != 260 || msgs[0] != fmt.Sprintf("d%023d", 0) || msgs[259] != fmt.Sprintf("d%023d", 259) {
		t.Fatalf("exported %d messages", len(msgs))
	}
}

// No call returns more than about 200 KB, however large the records: a call stops before
// the record that would pass it, and the next one starts with that record.
func TestExportResultsAreBoundedInSize(t *testing.T) {
	h, b := newExportHarness(t, nil)
	metadata := map[string]any{}
	for i := range 15 {
		metadata[fmt.Sprintf("note_%02d", i)] = strings.Repeat("y", 600) // 9 KB, the end-user limit is 10 KB
	}
	start := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second)
	var times []time.Time
	for i := range 120 {
		times = append(times, start.Add(time.Duration(i)*time.Minute))
	}
	want := loadExport(t, b.sim, times, metadata, func(i int) string { return strings.Repeat("long question ", 100) })

	args := map[string]any{"start": start.Format(time.RFC3339), "page_size": 100}
	var got []string
	for call := 0; ; call++ {
		if call > 50 {
			t.Fatalf("the export does not end: %d records after %d calls", len(got), call)
		}
		res := h.Call("export_conversations", args)
		if res.IsError {
			t.Fatal(testclient.Text(res))
		}
		if n := len(testclient.Text(res)); n > 210<<10 {
			t.Fatalf("call %d returned %d bytes", call, n)
		}
		var out map[string]any
		decode(t, res, &out)
		convs := list(out, "conversations")
		if call == 0 && len(convs) >= 100 {
			t.Fatalf("the first call returned %d large records: no size bound", len(convs))
		}
		for _, c := range convs {
			m := c.(map[string]any)
			got = append(got, str(m, "conversation_id"))
			if m["truncated"] != true || len(str(m, "inquiry_summary")) == 0 {
				t.Fatalf("record not cut: %.300v", m)
			}
			for _, v := range obj(m, "metavariables") {
				if s, _ := v.(string); len([]rune(s)) > 501 {
					t.Fatalf("a metavariable of %d characters", len(s))
				}
			}
		}
		if out["has_more"] != true {
			break
		}
		args = map[string]any{"cursor": str(out, "next_cursor"), "page_size": 100}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("exported %d records, want %d in order", len(got), len(want))
	}
}

func TestExportMessagesFields(t *testing.T) {
	h, _ := newExportHarness(t, nil)
	start := time.Now().UTC().Add(-time.Minute)
	conv := h.OK("start_conversation", map[string]any{})
	cid := str(conv, "conversation_id")
	h.OK("send_message", map[string]any{"conversation_id": cid, "body": "Where is my parcel?"})
	h.OK("end_conversation", map[string]any{"conversation_id": cid})

	out := h.OK("export_messages", map[string]any{"start": start.Format(time.RFC3339Nano), "conversation_id": cid})
	var lines []string
	for _, m := range list(out, "messages") {
		msg := m.(map[string]any)
		if str(msg, "conversation_id") != cid || !strings.HasSuffix(str(msg, "date_created"), "Z") {
			t.Fatalf("message %v", msg)
		}
		lines = append(lines, fmt.Sprintf("%s>%s %s %q %s", str(msg, "sender"), str(msg, "recipient"), str(msg, "type"), str(msg, "text"), str(msg, "url")))
	}
	if len(lines) != 4 || lines[1] != `end_user>ai_agent text "Where is my parcel?" ` ||
		!strings.HasPrefix(lines[3], "ai_agent>end_user link ") || !strings.Contains(lines[3], "https://") {
		t.Fatalf("exported messages:\n%s", strings.Join(lines, "\n"))
	}
	convs := h.OK("export_conversations", map[string]any{"start": start.Format(time.RFC3339Nano), "by": "updated"})
	c := list(convs, "conversations")[0].(map[string]any)
	if str(c, "conversation_id") != cid || c["is_engaged"] != true || str(c, "inquiry_summary") != "Where is my parcel?" || str(c, "end_user_id") != str(conv, "end_user_id") {
		t.Fatalf("exported conversation %v", c)
	}
}

// Ada keeps 12 months: an older start is moved up to it, and the result says so; an end
// before it is an error.
func TestExportClipsAStartOlderThanTwelveMonths(t *testing.T) {
	h, b := newExportHarness(t, nil)
	now := time.Now().UTC()
	out := h.OK("export_conversations", map[string]any{"start": now.AddDate(-2, 0, 0).Format(time.RFC3339)})
	note, w := str(out, "note"), obj(out, "window")
	start, err := time.Parse(time.RFC3339, str(w, "start"))
	if err != nil || !strings.Contains(note, "12 months") || !strings.Contains(note, "start was moved") ||
		start.Before(now.AddDate(-1, 0, 0)) || start.After(now.AddDate(-1, 0, 0).Add(5*time.Minute)) {
		t.Fatalf("window %v, note %q", w, note)
	}
	for _, u := range b.exports() {
		if s, _ := time.Parse(time.RFC3339, u.Query().Get("created_since")); s.Before(now.AddDate(-1, 0, 0)) {
			t.Fatalf("asked Ada for %s", u.RawQuery)
		}
	}
	n := b.requests()
	msg := h.Err("export_messages", map[string]any{"start": now.AddDate(-3, 0, 0).Format("2006-01-02"), "end": now.AddDate(-2, 0, 0).Format("2006-01-02")})
	if !strings.Contains(msg, "end") || !strings.Contains(msg, "12 months") || b.requests() != n {
		t.Fatalf("end older than 12 months: %s (%d requests)", msg, b.requests()-n)
	}
}

// A cursor is opaque but checked: a damaged one, another tool's, or one given with another
// window is a clear error, and nothing is sent.
func TestExportCursorIsChecked(t *testing.T) {
	h, b := newExportHarness(t, nil)
	start := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	var times []time.Time
	for i := range 5 {
		times = append(times, start.Add(time.Duration(i)*time.Hour))
	}
	loadExport(t, b.sim, times, nil, question)
	first := h.OK("export_conversations", map[string]any{"start": start.Format(time.RFC3339), "page_size": 2})
	cursor := str(first, "next_cursor")
	if cursor == "" || first["has_more"] != true {
		t.Fatalf("no cursor: %v", first)
	}
	n := b.requests()
	damaged := []byte(cursor)
	damaged[len(damaged)/2] ^= 1
	cases := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"export_conversations", map[string]any{"cursor": string(damaged)}, "cursor"},
		{"export_conversations", map[string]any{"cursor": "not-a-cursor"}, "cursor"},
		{"export_messages", map[string]any{"cursor": cursor}, "not a cursor of export_messages"},
		{"export_conversations", map[string]any{"cursor": cursor, "start": start.Add(time.Hour).Format(time.RFC3339)}, "differs from the export"},
		{"export_conversations", map[string]any{"cursor": cursor, "by": "updated"}, "by"},
	}
	for _, c := range cases {
		if msg := h.Err(c.tool, c.args); !strings.Contains(msg, c.want) {
			t.Errorf("%s(%v): %s", c.tool, c.args, msg)
		}
	}
	if b.requests() != n {
		t.Fatalf("%d requests reached Ada for bad cursors", b.requests()-n)
	}
	// The same start with the cursor continues.
	next := h.OK("export_conversations", map[string]any{"cursor": cursor, "start": start.Format(time.RFC3339), "page_size": 2})
	if got := str(list(next, "conversations")[0].(map[string]any), "conversation_id"); got != fmt.Sprintf("c%023d", 2) {
		t.Fatalf("continued at %s", got)
	}
}

// One progress notification per page fetched from Ada, when the client asks for them.
func TestExportSendsProgressPerAdaPage(t *testing.T) {
	var mu sync.Mutex
	var progress []float64
	h, b := newExportHarness(t, &mcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
		mu.Lock()
		progress = append(progress, r.Params.Progress)
		mu.Unlock()
	}})
	now := time.Now().UTC()
	loadExport(t, b.sim, []time.Time{now.Add(-200 * 24 * time.Hour), now.Add(-24 * time.Hour)}, nil, question)
	params := &mcp.CallToolParams{Name: "export_conversations", Arguments: map[string]any{"start": now.Add(-210 * 24 * time.Hour).Format(time.RFC3339)}}
	params.SetProgressToken("export-1")
	if res := h.CallWith(context.Background(), params); res.IsError {
		t.Fatal(testclient.Text(res))
	}
	pages := len(b.exports())
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := slices.Clone(progress)
		mu.Unlock()
		if len(got) == pages {
			if !slices.IsSorted(got) || got[0] != 1 {
				t.Fatalf("progress %v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d progress notifications for %d pages", len(got), pages)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Without a progress token, none.
	mu.Lock()
	before := len(progress)
	mu.Unlock()
	h.OK("export_messages", map[string]any{"start": now.Add(-210 * 24 * time.Hour).Format(time.RFC3339)})
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(progress) != before {
		t.Fatalf("progress without a token: %v", progress[before:])
	}
}

// fakeExport serves Data Export as some readings of Ada's document allow and the simulator
// does not: record dates without a zone, next_page_uri on another host with the lower bound at
// the last record's time (so that record comes again first on the next page), 100 per page.
type fakeExport struct {
	mu    sync.Mutex
	times []time.Time // one record per time, sorted
	hosts []string
}

func (f *fakeExport) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hosts = append(f.hosts, r.Host)
	q := r.URL.Query()
	since, err1 := time.Parse(time.RFC3339Nano, q.Get("created_since"))
	to, err2 := time.Parse(time.RFC3339Nano, q.Get("created_to"))
	if err1 != nil || err2 != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"errors":[{"type":"bad_request","message":"bad window"}]}`)
		return
	}
	var data []map[string]any
	var next any
	for i, at := range f.times {
		if at.Before(since) || !at.Before(to) {
			continue
		}
		if len(data) == 100 {
			last := f.times[i-1]
			q.Set("created_since", last.Format(time.RFC3339Nano))
			next = "https://elsewhere.example.com/api/v2/export/conversations?" + q.Encode()
			break
		}
		data = append(data, map[string]any{"_id": fmt.Sprintf("x%04d", i), "date_created": at.Format("2006-01-02T15:04:05.000000"),
			"date_updated": at.Format("2006-01-02T15:04:05.000000"), "end_user_id": nil, "csat": map[string]any{"score": 4, "comment": map[string]any{"text": "ok"}}})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": data, "meta": map[string]any{"next_page_uri": next}})
}

func TestExportDropsRecordsAdaRepeatsAcrossPages(t *testing.T) {
	start := time.Now().UTC().Add(-10 * 24 * time.Hour).Truncate(time.Second)
	f := &fakeExport{}
	for i := range 250 {
		f.times = append(f.times, start.Add(time.Duration(i)*time.Minute))
	}
	h := newHarness(t, harnessOpts{backend: f, toolsets: []string{"export"}})
	got, results := exportAll(t, h, "export_conversations", "conversations", "conversation_id", map[string]any{"start": start.Format(time.RFC3339)}, 100, 33)
	var want []string
	for i := range 250 {
		want = append(want, fmt.Sprintf("x%04d", i))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("exported %d records; want the 250 once each, in order (first difference near %v)", len(got), firstDiff(got, want))
	}
	c := list(results[0], "conversations")[0].(map[string]any)
	if str(c, "date_created") != start.Format(time.RFC3339) || fmt.Sprint(obj(c, "csat")) != `map[comment:{"text":"ok"} score:4]` {
		t.Fatalf("record %v", c)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, host := range f.hosts {
		if !strings.HasPrefix(host, "127.0.0.1:") {
			t.Fatalf("a request went to %s", host)
		}
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("index %d: %s vs %s", i, a[i], b[i])
		}
	}
	return "the end"
}

func TestExportForbiddenSaysWhy(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"export"}, backend: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"errors":[{"type":"forbidden","message":"Data Export is not enabled"}]}`)
	})})
	msg := h.Err("export_messages", map[string]any{"start": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)})
	if !strings.Contains(msg, "403") || !strings.Contains(msg, "subscription") {
		t.Fatalf("403: %s", msg)
	}
}

func TestExportRedactsSecretMetavariables(t *testing.T) {
	h, b := newExportHarness(t, nil)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	loadExport(t, b.sim, []time.Time{at}, map[string]any{"session_token": "tok-5f1b2c", "plan": "gold"}, question)
	res := h.Call("export_conversations", map[string]any{"start": at.Format(time.RFC3339)})
	text := testclient.Text(res)
	if res.IsError || strings.Contains(text, "tok-5f1b2c") || !strings.Contains(text, `"session_token":"[REDACTED]"`) || !strings.Contains(text, `"plan":"gold"`) {
		t.Fatalf("export_conversations = %s", text)
	}
}

func TestExportArgumentsAreStrict(t *testing.T) {
	h, _ := newExportHarness(t, nil)
	h.refuses(t, []refusal{
		{"export_conversations", map[string]any{}, "start"},
		{"export_conversations", map[string]any{"start": "last tuesday"}, "start"},
		{"export_conversations", map[string]any{"start": "2026-03-01", "end": "2026-02-01"}, "end"},
		{"export_conversations", map[string]any{"start": "2026-03-01", "by": "closed"}, "by"},
		{"export_conversations", map[string]any{"start": "2026-03-01", "page_size": 101}, "page_size"},
		{"export_conversations", map[string]any{"start": "2026-03-01", "conversation_id": "c1"}, "conversation_id"},
		{"export_conversations", map[string]any{"Start": "2026-03-01"}, "Start"},
		{"export_messages", map[string]any{"start": "2026-03-01", "by": "updated"}, "by"},
		{"export_messages", map[string]any{"start": "2026-03-01", "conversation_id": "a/b"}, "conversation_id"},
		{"export_messages", map[string]any{"start": "2026-03-01", "page_size": 0}, "page_size"},
	})
}

func TestExportAndComplianceToolsetsAreOptIn(t *testing.T) {
	names := func(h *harness) []string { return toolNames(t, h) }
	if got := names(newHarness(t, harnessOpts{toolsets: []string{"export", "compliance"}})); strings.Join(got, ",") != "delete_end_user_data,export_conversations,export_messages,get_capabilities,get_job_status" {
		t.Fatalf("export and compliance toolsets = %v", got)
	}
	if got := names(newHarness(t, harnessOpts{toolsets: []string{"export", "compliance"}, readOnly: true})); strings.Join(got, ",") != "export_conversations,export_messages,get_capabilities,get_job_status" {
		t.Fatalf("read-only = %v", got)
	}
	for _, n := range names(newHarness(t, harnessOpts{})) {
		if strings.HasPrefix(n, "export_") || n == "delete_end_user_data" || n == "get_job_status" {
			t.Fatalf("default toolsets include %s", n)
		}
	}
}

// Deps.Now is the clock the 12 months are counted on: an Ada (here a simulator) whose time is
// not this machine's is exported by its own time.
func TestExportCountsTwelveMonthsOnDepsNow(t *testing.T) {
	simNow := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) // more than 12 months before the tests run
	sim := adasim.New(adasim.Options{APIKey: apiKey, Clock: func() time.Time { return simNow }})
	t.Cleanup(sim.Close)
	h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"export", "conversations"}})
	h.deps.DefaultChannelID = sim.DefaultChannelID()
	h.deps.Now = func() time.Time { return simNow }
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	out := h.OK("export_conversations", map[string]any{"start": "2025-05-01"})
	if convs := list(out, "conversations"); len(convs) != 1 || str(convs[0].(map[string]any), "conversation_id") != cid || str(out, "note") != "" ||
		str(obj(out, "window"), "end") != "2025-06-01T12:00:01Z" {
		t.Fatalf("export on the simulator's clock = %v", out)
	}
}
