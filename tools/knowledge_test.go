package tools_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

func knowledgeHarness(t *testing.T) *harness {
	t.Helper()
	return newHarness(t, harnessOpts{toolsets: []string{"knowledge"}, allowDestructive: true})
}

// simHarness serves the knowledge toolset over a simulator made with opts.
func simHarness(t *testing.T, opts adasim.Options) *harness {
	t.Helper()
	opts.APIKey = apiKey
	sim := adasim.New(opts)
	t.Cleanup(sim.Close)
	return newHarness(t, harnessOpts{toolsets: []string{"knowledge"}, allowDestructive: true, backend: sim})
}

func kbArticle(id string, extra ...any) map[string]any {
	a := map[string]any{"id": id, "name": "Article " + id, "content": "About " + id, "knowledge_source_id": "kb"}
	for i := 0; i+1 < len(extra); i += 2 {
		a[extra[i].(string)] = extra[i+1]
	}
	return a
}

func ids(items []any, key string) string {
	var out []string
	for _, it := range items {
		out = append(out, str(it.(map[string]any), key))
	}
	return strings.Join(out, ",")
}

func TestKnowledgeLifecycle(t *testing.T) {
	h := knowledgeHarness(t)

	created := h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "Help center", "metadata": map[string]any{"team": "support", "paths": []string{"/help"}}})
	if str(created, "knowledge_source", "id") != "kb" || str(created, "knowledge_source", "status") != "" ||
		fmt.Sprint(obj(created, "knowledge_source", "metadata")["paths"]) != "[/help]" {
		t.Fatalf("create_knowledge_source = %v", created)
	}
	if msg := h.Err("create_knowledge_source", map[string]any{"id": "kb", "name": "Again"}); !strings.Contains(msg, "409") ||
		!strings.Contains(msg, "update_knowledge_source") || !strings.Contains(msg, `"kb"`) {
		t.Fatalf("duplicate source: %s", msg)
	}
	upd := h.OK("update_knowledge_source", map[string]any{"id": "kb", "external_id": "zendesk-1"})
	if str(upd, "knowledge_source", "external_id") != "zendesk-1" || str(upd, "knowledge_source", "name") != "Help center" ||
		obj(upd, "knowledge_source", "metadata")["team"] != "support" {
		t.Fatalf("update_knowledge_source = %v", upd)
	}
	upd = h.OK("update_knowledge_source", map[string]any{"id": "kb", "external_id": nil, "name": "Help"})
	if _, has := obj(upd, "knowledge_source")["external_id"]; has || str(upd, "knowledge_source", "name") != "Help" {
		t.Fatalf("update_knowledge_source(external_id: null) = %v", upd)
	}
	// metadata: null clears it, as Ada allows.
	cleared := h.OK("update_knowledge_source", map[string]any{"id": "kb", "metadata": nil})
	if m := obj(cleared, "knowledge_source", "metadata"); len(m) != 0 {
		t.Fatalf("update_knowledge_source(metadata: null) = %v", cleared)
	}
	h.OK("update_knowledge_source", map[string]any{"id": "kb", "metadata": map[string]any{"team": "support", "paths": []string{"/help"}}})
	if msg := h.Err("update_knowledge_source", map[string]any{"id": "nope", "name": "x"}); !strings.Contains(msg, "404") || !strings.Contains(msg, "list_knowledge_sources") {
		t.Fatalf("update of an unknown source: %s", msg)
	}

	tags := h.OK("upsert_tags", map[string]any{"tags": []any{map[string]any{"id": "billing", "name": "Billing"}, map[string]any{"id": "old", "name": "Old"}}})
	if fmt.Sprint(tags["results"]) != "[map[created:true id:billing success:true] map[created:true id:old success:true]]" {
		t.Fatalf("upsert_tags = %v", tags)
	}
	if lt := h.OK("list_tags", nil); ids(list(lt, "tags"), "id") != "billing,old" {
		t.Fatalf("list_tags = %v", lt)
	}

	rule := map[string]any{"match": "any", "conditions": []any{
		map[string]any{"variable": map[string]any{"id": "66a1f0c2b7e4d3a1c0f00001"}, "operator": "equals", "value": "pro"},
		map[string]any{"match": "all", "conditions": []any{map[string]any{"variable": map[string]any{"id": "66a1f0c2b7e4d3a1c0f00004"}, "operator": "is_set"}}},
	}}
	up := h.OK("upsert_articles", map[string]any{"articles": []any{
		kbArticle("a1", "tag_ids", []string{"billing", "old"}, "language", "en-US", "url", "https://help.example.com/a1", "availability_rules", rule,
			"metadata", map[string]any{"views": 3}),
		kbArticle("a2", "enabled", false, "language", "fr"),
		kbArticle("a3"),
	}})
	if fmt.Sprint(up["results"]) != "[map[created:true id:a1 success:true] map[created:true id:a2 success:true] map[created:true id:a3 success:true]]" {
		t.Fatalf("upsert_articles = %v", up)
	}
	up = h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a3", "content", "Changed")}})
	if fmt.Sprint(up["results"]) != "[map[created:false id:a3 success:true]]" {
		t.Fatalf("upsert_articles(update) = %v", up)
	}

	// Pages of summaries: no content.
	page := h.OK("list_articles", map[string]any{"limit": 2})
	items := list(page, "articles")
	if ids(items, "id") != "a1,a2" || page["has_more"] != true || str(page, "next_cursor") == "" {
		t.Fatalf("list_articles page 1 = %v", page)
	}
	a1 := items[0].(map[string]any)
	if _, has := a1["content"]; has || a1["enabled"] != true || a1["language"] != "en" || fmt.Sprint(a1["tag_ids"]) != "[billing old]" ||
		a1["url"] != "https://help.example.com/a1" || a1["knowledge_source_id"] != "kb" {
		t.Fatalf("summary %v", a1)
	}
	if items[1].(map[string]any)["enabled"] != false {
		t.Fatalf("a2 = %v", items[1])
	}
	page = h.OK("list_articles", map[string]any{"limit": 2, "cursor": str(page, "next_cursor")})
	if ids(list(page, "articles"), "id") != "a3" || page["has_more"] != false || str(page, "next_cursor") != "" {
		t.Fatalf("list_articles page 2 = %v", page)
	}
	if f := h.OK("list_articles", map[string]any{"enabled": []bool{true}, "tag_ids": []string{"billing"}}); ids(list(f, "articles"), "id") != "a1" {
		t.Fatalf("filtered list_articles = %v", f)
	}
	if f := h.OK("list_articles", map[string]any{"language": []string{"fr"}, "knowledge_source_id": []string{"kb"}}); ids(list(f, "articles"), "id") != "a2" {
		t.Fatalf("filtered list_articles = %v", f)
	}

	got := h.OK("get_article", map[string]any{"id": "a1"})
	art := obj(got, "article")
	if art["content"] != "About a1" || art["content_truncated"] != nil || obj(art, "metadata")["views"] != 3.0 ||
		fmt.Sprint(obj(art, "availability_rules")["match"]) != "any" || len(obj(art, "availability_rules")["conditions"].([]any)) != 2 {
		t.Fatalf("get_article = %v", got)
	}
	if msg := h.Err("get_article", map[string]any{"id": "nope"}); !strings.Contains(msg, "404") || !strings.Contains(msg, "list_articles") {
		t.Fatalf("get_article of an unknown id: %s", msg)
	}

	// By ids: at once, per id.
	del := h.OK("delete_articles", map[string]any{"ids": []string{"a3", "nope"}})
	if fmt.Sprint(del["results"]) != "[map[deleted:true id:a3] map[deleted:false error:not found (404): it may already be deleted id:nope]]" || del["accepted"] != nil {
		t.Fatalf("delete_articles(ids) = %v", del)
	}
	// By filters: accepted, in the background.
	del = h.OK("delete_articles", map[string]any{"language": []string{"fr"}})
	if del["accepted"] != true || !strings.Contains(str(del, "note"), "background") {
		t.Fatalf("delete_articles(filters) = %v", del)
	}
	if f := h.OK("list_articles", nil); ids(list(f, "articles"), "id") != "a1,a2" {
		t.Fatalf("right after the filter delete: %v", f)
	}
	if f := h.OK("list_articles", nil); ids(list(f, "articles"), "id") != "a1" {
		t.Fatalf("once it ran: %v", f)
	}
	del = h.OK("delete_articles", map[string]any{"language": []string{"ja"}})
	if del["accepted"] != false && del["accepted"] != nil || !strings.Contains(str(del, "note"), "No article matches") {
		t.Fatalf("delete_articles matching nothing = %v", del)
	}

	dt := h.OK("delete_tags", map[string]any{"ids": []string{"old", "old2"}})
	if fmt.Sprint(dt["results"]) != "[map[deleted:true id:old] map[deleted:false error:not found (404): it may already be deleted id:old2]]" {
		t.Fatalf("delete_tags = %v", dt)
	}

	ds := h.OK("delete_knowledge_source", map[string]any{"id": "kb"})
	if str(ds, "id") != "kb" || str(ds, "status") != "deleting" || !strings.Contains(str(ds, "note"), "all its articles") {
		t.Fatalf("delete_knowledge_source = %v", ds)
	}
	srcs := h.OK("list_knowledge_sources", nil)
	if s := list(srcs, "knowledge_sources"); len(s) != 1 || s[0].(map[string]any)["status"] != "deleting" {
		t.Fatalf("list_knowledge_sources while deleting = %v", srcs)
	}
	if srcs := h.OK("list_knowledge_sources", nil); len(list(srcs, "knowledge_sources")) != 0 {
		t.Fatalf("list_knowledge_sources once deleted = %v", srcs)
	}
	if msg := h.Err("get_article", map[string]any{"id": "a1"}); !strings.Contains(msg, "404") {
		t.Fatalf("an article of the deleted source: %s", msg)
	}
	if msg := h.Err("delete_knowledge_source", map[string]any{"id": "kb"}); !strings.Contains(msg, "already be deleted") {
		t.Fatalf("second delete: %s", msg)
	}
}

func TestGetArticleBoundsContent(t *testing.T) {
	h := knowledgeHarness(t)
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "KB"})
	long := strings.Repeat("é", 25_000) // 50,000 bytes, 25,000 characters
	exact := strings.Repeat("a", 20_000)
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("long", "content", long), kbArticle("exact", "content", exact)}})

	art := obj(h.OK("get_article", map[string]any{"id": "long"}), "article")
	if c := str(art, "content"); c != long[:40_000] || art["content_truncated"] != true || art["content_length"] != 25_000.0 {
		t.Fatalf("long article: %d bytes, truncated %v, length %v", len(c), art["content_truncated"], art["content_length"])
	}
	art = obj(h.OK("get_article", map[string]any{"id": "exact"}), "article")
	if str(art, "content") != exact || art["content_truncated"] != nil || art["content_length"] != nil {
		t.Fatalf("an article of exactly 20,000 characters was cut: %v, %v", art["content_truncated"], art["content_length"])
	}
}

func TestUpsertArticlesAtTheArticleLimit(t *testing.T) {
	h := simHarness(t, adasim.Options{KnowledgeArticleLimit: 2})
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "KB"})
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1")}})
	msg := h.Err("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "content", "new"), kbArticle("a2"), kbArticle("a3")}})
	for _, want := range []string{"nothing was saved", "limit of 2 articles", "Maximum article limit of 2 exceeded", "2 new article(s) (a2, a3)", "without the new ids", "delete_articles"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	// Update-only batches still pass.
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "content", "new"), kbArticle("a2")}})
	res := h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "content", "newer")}})
	if fmt.Sprint(res["results"]) != "[map[created:false id:a1 success:true]]" {
		t.Fatalf("update at the limit = %v", res)
	}
}

func TestUpsertArticlesRejectedByAda(t *testing.T) {
	h := knowledgeHarness(t)
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "KB"})
	msg := h.Err("upsert_articles", map[string]any{"articles": []any{kbArticle("a1"), kbArticle("a2", "knowledge_source_id", "nope")}})
	for _, want := range []string{"400", "$[1].knowledge_source_id", "Nothing was saved", "list_knowledge_sources"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if l := h.OK("list_articles", nil); len(list(l, "articles")) != 0 {
		t.Fatalf("a rejected batch saved articles: %v", l)
	}
}

func TestKnowledgeArgumentsAreStrict(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"knowledge"}, allowDestructive: true})
	rule := func(conds ...any) map[string]any {
		return map[string]any{"match": "all", "conditions": append([]any{}, conds...)}
	}
	cond := func(op string, value ...any) map[string]any {
		c := map[string]any{"variable": map[string]any{"id": "v"}, "operator": op}
		if len(value) > 0 {
			c["value"] = value[0]
		}
		return c
	}
	withArticle := func(extra ...any) map[string]any {
		return map[string]any{"articles": []any{kbArticle("a1", extra...)}}
	}
	many := make([]any, 101)
	for i := range many {
		many[i] = kbArticle(fmt.Sprint(i))
	}
	manyIDs := make([]string, 51)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprint(i)
	}
	h.refuses(t, []refusal{
		{"create_knowledge_source", map[string]any{"id": "kb"}, "name"},
		{"create_knowledge_source", map[string]any{"id": "..", "name": "x"}, "id"},
		{"create_knowledge_source", map[string]any{"id": "kb", "name": "x", "external_id": "e"}, "external_id"},
		{"update_knowledge_source", map[string]any{"id": "kb"}, "nothing to update"},
		{"update_knowledge_source", map[string]any{"id": "kb", "name": " "}, "name"},
		{"update_knowledge_source", map[string]any{"id": "kb", "Name": "x"}, "Name"},
		{"delete_knowledge_source", map[string]any{}, "id"},
		{"get_article", map[string]any{"id": ""}, "id"},
		{"list_articles", map[string]any{"limit": 101}, "limit"},
		{"list_articles", map[string]any{"enabled": true}, "enabled"},
		{"list_knowledge_sources", map[string]any{"limit": 5}, "limit"},
		{"upsert_articles", map[string]any{"articles": []any{}}, "articles"},
		{"upsert_articles", map[string]any{"articles": many}, "articles"},
		{"upsert_articles", map[string]any{"articles": []any{kbArticle("a1"), kbArticle("a1")}}, "articles[1].id"},
		{"upsert_articles", map[string]any{"articles": []any{map[string]any{"id": "a1", "name": "n", "content": "c"}}}, "knowledge_source_id"},
		{"upsert_articles", withArticle("knowledge_source_id", " "), "articles[0].knowledge_source_id"},
		{"upsert_articles", withArticle("url", "help/a1"), "articles[0].url"},
		{"upsert_articles", withArticle("language", "English"), "articles[0].language"},
		{"upsert_articles", withArticle("tag_ids", []string{""}), "articles[0].tag_ids"},
		{"upsert_articles", withArticle("external_updated", "2026-01-01"), "articles[0].external_updated"},
		{"upsert_articles", withArticle("created", "2026-01-01T00:00:00Z"), "created"},
		{"upsert_articles", withArticle("content", strings.Repeat("x", 100<<10)), "100 KB"},
		{"upsert_articles", withArticle("availability_rules", rule()), "articles.0.availability_rules.conditions: must have at least 1 item(s) (got 0)"},
		{"upsert_articles", withArticle("availability_rules", rule(cond("is_set", "x"))), "articles[0].availability_rules.conditions[0].value"},
		{"upsert_articles", withArticle("availability_rules", rule(cond("equals"))), "articles[0].availability_rules.conditions[0].value"},
		{"upsert_articles", withArticle("availability_rules", rule(cond("between", 1))), "operator"},
		{"upsert_articles", withArticle("availability_rules", rule(map[string]any{"variable": map[string]any{"name": "v"}, "operator": "is_set"})), "name"},
		{"upsert_articles", withArticle("availability_rules", rule(map[string]any{"match": "any", "conditions": []any{rule(cond("is_set"))}})),
			"conditions.0.conditions.0.variable: is required; articles.0.availability_rules.conditions.0.conditions.0."},
		{"delete_articles", map[string]any{}, "every article"},
		{"delete_articles", map[string]any{"enabled": []bool{}, "tag_ids": []string{}}, "every article"},
		{"delete_articles", map[string]any{"ids": []string{"a1"}, "language": []string{"fr"}}, "not both"},
		{"delete_articles", map[string]any{"knowledge_source_id": []string{""}}, "knowledge_source_id"},
		{"delete_articles", map[string]any{"tag_ids": []string{" "}, "language": []string{"fr"}}, "tag_ids"},
		{"list_articles", map[string]any{"language": []string{"en", ""}}, "language"},
		{"delete_articles", map[string]any{"ids": []string{"a1", "a1"}}, "ids[1]"},
		{"delete_articles", map[string]any{"ids": manyIDs}, "ids"},
		{"delete_articles", map[string]any{"id": []string{"a1"}}, "id"},
		{"upsert_tags", map[string]any{"tags": []any{map[string]any{"id": "t"}}}, "name"},
		{"upsert_tags", map[string]any{"tags": []any{map[string]any{"id": "t", "name": "T"}, map[string]any{"id": "t", "name": "U"}}}, "tags[1].id"},
		{"delete_tags", map[string]any{"ids": []string{}}, "ids"},
		{"delete_tags", map[string]any{"ids": []string{"."}}, "ids[0]"},
	})
}

// deleteEach keeps going past one id's 404 or 400, and stops at an error that would fail the
// rest too: the call's error when nothing was deleted, else the remaining ids' outcome.
func TestDeleteByIDsStopsAtASystemicError(t *testing.T) {
	var mu sync.Mutex
	var n int64
	var statuses map[int64]int // the answer to the nth request; 204 when not listed
	script := func(s map[int64]int) {
		mu.Lock()
		defer mu.Unlock()
		n, statuses = 0, s
	}
	requests := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		code := statuses[n]
		mu.Unlock()
		if code == 0 {
			code = http.StatusNoContent
		}
		if code == http.StatusNoContent {
			w.WriteHeader(code)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"errors":[{"type":"e","message":"status %d"}]}`, code)
	})
	h := newHarness(t, harnessOpts{toolsets: []string{"knowledge"}, allowDestructive: true, backend: backend})

	script(map[int64]int{1: 404, 2: 400, 3: 204, 4: 401})
	out := h.OK("delete_tags", map[string]any{"ids": []string{"a", "b", "c", "d", "e"}})
	var got []string
	for _, r := range list(out, "results") {
		m := r.(map[string]any)
		got = append(got, fmt.Sprintf("%s:%v:%s", m["id"], m["deleted"], strings.SplitN(str(m, "error"), " ", 3)[0]))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "a:false:not b:false:Ada c:true: d:false:Ada e:false:not" {
		t.Fatalf("results = %v", out)
	}
	if res := list(out, "results"); !strings.HasPrefix(str(res[4].(map[string]any), "error"), "not attempted: Ada rejected the API key") {
		t.Fatalf("the id after the 401: %v", res[4])
	}

	script(map[int64]int{1: 404, 2: 401})
	if msg := h.Err("delete_articles", map[string]any{"ids": []string{"a", "b", "c"}}); !strings.Contains(msg, "401") || !strings.Contains(msg, "Nothing was deleted") {
		t.Fatalf("a 401 before anything was deleted: %s", msg)
	}
	if got := requests(); got != 2 {
		t.Fatalf("%d requests, want 2: the ids after the 401 are not attempted", got)
	}
}

func TestKnowledgeResultsAreRedacted(t *testing.T) {
	h := knowledgeHarness(t)
	const token = "sk_live_do_not_show_1234"
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "KB", "metadata": map[string]any{"api_token": token, "owner": "support"}})
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "metadata", map[string]any{"password": token})}})
	for _, call := range []struct {
		tool string
		args map[string]any
	}{{"list_knowledge_sources", nil}, {"get_article", map[string]any{"id": "a1"}}} {
		res := h.Call(call.tool, call.args)
		text := fmt.Sprint(res.StructuredContent) + testclient.Text(res)
		if strings.Contains(text, token) || !strings.Contains(text, "[REDACTED]") {
			t.Errorf("%s: %s", call.tool, text)
		}
	}
	if strings.Contains(h.logs.String(), token) {
		t.Error("the token reached the logs")
	}
}

func TestKnowledgeToolsetIsOptIn(t *testing.T) {
	names := func(h *harness) []string { return toolNames(t, h) }
	all := strings.Join(names(knowledgeHarness(t)), ",")
	if all != "create_knowledge_source,delete_articles,delete_knowledge_source,delete_tags,get_article,get_capabilities,list_articles,list_knowledge_sources,list_tags,update_knowledge_source,upsert_articles,upsert_tags" {
		t.Fatalf("knowledge toolset = %s", all)
	}
	ro := strings.Join(names(newHarness(t, harnessOpts{toolsets: []string{"knowledge"}, readOnly: true})), ",")
	if ro != "get_article,get_capabilities,list_articles,list_knowledge_sources,list_tags" {
		t.Fatalf("read-only knowledge toolset = %s", ro)
	}
	for _, n := range names(newHarness(t, harnessOpts{})) {
		if n != "get_capabilities" && strings.Contains(all, n) {
			t.Fatalf("default toolsets include %s", n)
		}
	}
}

// A next_cursor belongs to its listing: continuing with the same filters
// stays within them; a cursor passed without them (which Ada would take
// as a cursor of an unfiltered listing) is refused, saying what to repeat.
func TestArticleCursorKeepsItsFilters(t *testing.T) {
	h := knowledgeHarness(t)
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "KB"})
	h.OK("create_knowledge_source", map[string]any{"id": "other", "name": "Other"})
	h.OK("upsert_articles", map[string]any{"articles": []any{
		kbArticle("b1"), kbArticle("c1", "knowledge_source_id", "other"), kbArticle("b2"), kbArticle("b3")}})
	filter := map[string]any{"knowledge_source_id": []string{"kb"}, "limit": 1}
	var seen []string
	args := filter
	for i := 0; ; i++ {
		page := h.OK("list_articles", args)
		seen = append(seen, ids(list(page, "articles"), "id"))
		next := str(page, "next_cursor")
		if next == "" {
			break
		}
		if i == 10 {
			t.Fatal("no end")
		}
		args = map[string]any{"knowledge_source_id": []string{"kb"}, "limit": 1, "cursor": next}
	}
	if strings.Join(seen, ",") != "b1,b2,b3" {
		t.Fatalf("pages %v, want b1,b2,b3 (kb's articles only)", seen)
	}
	cursor := str(h.OK("list_articles", filter), "next_cursor")
	for _, other := range []map[string]any{{"cursor": cursor, "limit": 1}, {"cursor": cursor, "knowledge_source_id": []string{"kb"}, "limit": 2}} {
		if msg := h.Err("list_articles", other); !strings.Contains(msg, "cursor") || !strings.Contains(msg, "same") {
			t.Errorf("%v: %s", other, msg)
		}
	}
	if msg := h.Err("list_articles", map[string]any{"cursor": "b2"}); !strings.Contains(msg, "pass it exactly as returned") {
		t.Errorf("a cursor of Ada's own: %s", msg)
	}
}

// Text copied from a result with a secret hidden in it (an article read
// with get_article, then edited) holds the placeholder: a write call that
// would send it is refused, naming the field, so the placeholder never
// replaces the secret in Ada. Read calls are not affected.
func TestWritesRefuseTheRedactionPlaceholder(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"knowledge", "end_users"}})
	h.OK("create_knowledge_source", map[string]any{"id": "ks-p", "name": "Help"})
	h.refuses(t, []refusal{
		{"upsert_articles", map[string]any{"articles": []any{map[string]any{"id": "a-p", "name": "Auth", "knowledge_source_id": "ks-p",
			"content": "Send Authorization: Bearer [REDACTED] to call."}}}, "articles[0].content"},
		{"upsert_end_user", map[string]any{"external_id": "p-1", "profile": map[string]any{"metadata": map[string]any{"note": "card [REDACTED]"}}}, "profile.metadata.note"},
	})
	if found := h.OK("lookup_end_user", map[string]any{"external_id": "[REDACTED]"}); found["found"] != false {
		t.Fatalf("a read with the placeholder: %v", found)
	}
}

// TestKnowledgeIDsWithSlash: ids holding '/' go through the tool, the client (which escapes
// them as %2F) and the simulator to the right record.
func TestKnowledgeIDsWithSlash(t *testing.T) {
	h := knowledgeHarness(t)
	h.OK("create_knowledge_source", map[string]any{"id": "help/center", "name": "Help"})
	h.OK("update_knowledge_source", map[string]any{"id": "help/center", "name": "Help center"})
	up := h.OK("upsert_articles", map[string]any{"articles": []any{
		kbArticle("faq/returns", "knowledge_source_id", "help/center"), kbArticle("faq", "knowledge_source_id", "help/center")}})
	if fmt.Sprint(up["results"]) != "[map[created:true id:faq/returns success:true] map[created:true id:faq success:true]]" {
		t.Fatalf("upsert_articles = %v", up)
	}
	if got := h.OK("get_article", map[string]any{"id": "faq/returns"}); str(got, "article", "id") != "faq/returns" || str(got, "article", "content") != "About faq/returns" {
		t.Fatalf("get_article(faq/returns) = %v", got)
	}
	del := h.OK("delete_articles", map[string]any{"ids": []string{"faq/returns"}})
	if fmt.Sprint(del["results"]) != "[map[deleted:true id:faq/returns]]" {
		t.Fatalf("delete_articles = %v", del)
	}
	if msg := h.Err("get_article", map[string]any{"id": "faq/returns"}); !strings.Contains(msg, "404") {
		t.Fatalf("get_article after the deletion: %s", msg)
	}
	h.OK("upsert_tags", map[string]any{"tags": []any{map[string]any{"id": "a/b", "name": "AB"}}})
	if del := h.OK("delete_tags", map[string]any{"ids": []string{"a/b"}}); fmt.Sprint(del["results"]) != "[map[deleted:true id:a/b]]" {
		t.Fatalf("delete_tags = %v", del)
	}
	h.OK("delete_knowledge_source", map[string]any{"id": "help/center"})
}

// TestUpsertArticlesNullsAndExternalDates: url and metadata are cleared by null (as Ada
// documents for the article object), external_created and external_updated are passed on and
// cleared alike, and the dates must be RFC 3339.
func TestUpsertArticlesNullsAndExternalDates(t *testing.T) {
	h := knowledgeHarness(t)
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "Help"})
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "url", "https://help.example.com/a1", "metadata", map[string]any{"views": 3},
		"external_created", "2026-01-02T03:04:05Z", "external_updated", "2026-02-03T04:05:06.5+02:00")}})
	a := obj(h.OK("get_article", map[string]any{"id": "a1"}), "article")
	if a["url"] != "https://help.example.com/a1" || fmt.Sprint(a["metadata"]) != "map[views:3]" ||
		a["external_created"] != "2026-01-02T03:04:05Z" || a["external_updated"] != "2026-02-03T04:05:06.5+02:00" {
		t.Fatalf("get_article = %v", a)
	}
	// Left out, they stay.
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "content", "Changed")}})
	if a := obj(h.OK("get_article", map[string]any{"id": "a1"}), "article"); a["url"] == nil || a["metadata"] == nil || a["external_created"] == nil {
		t.Fatalf("an update without them dropped them: %v", a)
	}
	// null clears each.
	h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "url", nil, "metadata", nil, "external_created", nil, "external_updated", nil)}})
	a = obj(h.OK("get_article", map[string]any{"id": "a1"}), "article")
	for _, k := range []string{"url", "metadata", "external_created", "external_updated"} {
		if _, has := a[k]; has {
			t.Fatalf("%s: null did not clear it: %v", k, a)
		}
	}
	for _, bad := range []string{"2026-01-02", "yesterday", "2026-01-02T03:04:05"} {
		msg := h.Err("upsert_articles", map[string]any{"articles": []any{kbArticle("a1", "external_updated", bad)}})
		if !strings.Contains(msg, "articles[0].external_updated") || !strings.Contains(msg, "RFC 3339") {
			t.Fatalf("external_updated %q: %s", bad, msg)
		}
	}
}

// TestUpsertReportsPerItemFailures: when Ada answers success false for some items, the result
// counts them and says which were not written, so the assistant does not take the batch as
// done.
func TestUpsertReportsPerItemFailures(t *testing.T) {
	h := simHarness(t, adasim.Options{KnowledgeUpsertFailures: []string{"a2", "t1"}})
	h.OK("create_knowledge_source", map[string]any{"id": "kb", "name": "Help"})
	up := h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1"), kbArticle("a2"), kbArticle("a3")}})
	items := list(up, "results")
	if up["failed"] != float64(1) || len(items) != 3 || items[1].(map[string]any)["success"] != false ||
		!strings.Contains(str(items[1].(map[string]any), "error"), "not written") || str(items[0].(map[string]any), "error") != "" ||
		!strings.Contains(str(up, "note"), "1 of 3") || !strings.Contains(str(up, "note"), "a2") {
		t.Fatalf("upsert_articles = %v", up)
	}
	if all := h.OK("upsert_articles", map[string]any{"articles": []any{kbArticle("a1")}}); all["failed"] != float64(0) || str(all, "note") != "" {
		t.Fatalf("upsert_articles without a failure = %v", all)
	}
	tags := h.OK("upsert_tags", map[string]any{"tags": []any{map[string]any{"id": "t1", "name": "T1"}, map[string]any{"id": "t2", "name": "T2"}}})
	if tags["failed"] != float64(1) || !strings.Contains(str(tags, "note"), "t1") || !strings.Contains(str(tags, "note"), "list_tags") {
		t.Fatalf("upsert_tags = %v", tags)
	}
}
