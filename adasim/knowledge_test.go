package adasim_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
)

const (
	sourcesPath  = "/v2/knowledge/sources/"
	articlesPath = "/v2/knowledge/articles/"
	bulkArticles = "/v2/knowledge/bulk/articles/"
	bulkTags     = "/v2/knowledge/bulk/tags/"
	tagsPath     = "/v2/knowledge/tags/"
)

// upsert POSTs a batch of articles (or tags) and returns Ada's per-item results.
func (c *client) upsert(path string, items ...object) []object {
	c.t.Helper()
	r := c.do("POST", path, items)
	if r.status != http.StatusOK {
		c.t.Fatalf("POST %s: %d %s", path, r.status, r.body)
	}
	return decode[[]object](c.t, r)
}

// deleted sends a DELETE that must be answered 204 without a body.
func (c *client) deleted(path string) {
	c.t.Helper()
	if r := c.do("DELETE", path, nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		c.t.Fatalf("DELETE %s: %d %s", path, r.status, r.body)
	}
}

func (c *client) sources() []object {
	c.t.Helper()
	var out []object
	for _, d := range c.expect(http.StatusOK, "GET", sourcesPath, nil)["data"].([]any) {
		out = append(out, d.(object))
	}
	return out
}

// articleIDs lists the ids a GET of the articles (with query) returns, on every page.
func (c *client) articleIDs(query string) []string {
	c.t.Helper()
	var ids []string
	next := articlesPath + query
	for pages := 0; next != ""; pages++ {
		if pages > 50 {
			c.t.Fatal("pagination does not end")
		}
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, d := range page["data"].([]any) {
			ids = append(ids, str(d.(object)["id"]))
		}
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	return ids
}

// knowledgeBase creates a source "kb" and tags "billing" and "shipping".
func knowledgeBase(t *testing.T, opts adasim.Options) *client {
	t.Helper()
	c := newSim(t, opts)
	c.expect(http.StatusOK, "POST", sourcesPath, object{"id": "kb", "name": "Help center"})
	c.upsert(bulkTags, object{"id": "billing", "name": "Billing"}, object{"id": "shipping", "name": "Shipping"})
	return c
}

func art(id string, extra ...any) object {
	a := object{"id": id, "name": "Article " + id, "content": "About " + id, "knowledge_source_id": "kb"}
	for i := 0; i+1 < len(extra); i += 2 {
		a[extra[i].(string)] = extra[i+1]
	}
	return a
}

// validationDetails checks a 400 validation_error whose details list the parameters at fault,
// and returns them.
func validationDetails(t *testing.T, r response) []string {
	t.Helper()
	checkError(t, r, http.StatusBadRequest, "validation_error")
	body := decode[struct {
		Errors []struct {
			Details []struct{ Parameter, Location, Message string }
		}
	}](t, r)
	var params []string
	for _, d := range body.Errors[0].Details {
		if d.Location != "body" || d.Message == "" {
			t.Errorf("detail %+v", d)
		}
		params = append(params, d.Parameter)
	}
	return params
}

func TestKnowledgeSources(t *testing.T) {
	c := newSim(t, adasim.Options{Deterministic: true})
	created := c.expect(http.StatusOK, "POST", sourcesPath, object{"id": "kb", "name": "Help center", "metadata": object{"nested": object{"a": []int{1}}}})
	if created["id"] != "kb" || created["external_id"] != nil || created["status"] != nil || str(created["created"]) == "" ||
		fmt.Sprint(created["metadata"]) != "map[nested:map[a:[1]]]" {
		t.Fatalf("created %v", created)
	}
	if _, has := created["last_sync"]; has {
		t.Fatalf("a source never synced has a last_sync: %v", created)
	}
	c.expectError(http.StatusConflict, "conflict", "POST", sourcesPath, object{"id": "kb", "name": "Other"})
	c.expectError(http.StatusBadRequest, "validation_error", "POST", sourcesPath, object{"id": "x"})
	c.expectError(http.StatusBadRequest, "validation_error", "POST", sourcesPath, object{"id": "x", "name": "x", "metadata": []int{1}})

	// PATCH: only what is given; null clears; metadata is replaced; updated moves only on a change.
	p := c.expect(http.StatusOK, "PATCH", sourcesPath+"kb", object{"external_id": "zd-1", "metadata": object{"k": "v"}})
	if p["external_id"] != "zd-1" || p["name"] != "Help center" || fmt.Sprint(p["metadata"]) != "map[k:v]" || p["updated"] == created["updated"] {
		t.Fatalf("patched %v", p)
	}
	same := c.expect(http.StatusOK, "PATCH", sourcesPath+"kb", object{"external_id": "zd-1"})
	if same["updated"] != p["updated"] {
		t.Fatalf("a PATCH that changes nothing moved updated: %v -> %v", p["updated"], same["updated"])
	}
	cleared := c.expect(http.StatusOK, "PATCH", sourcesPath+"kb", object{"external_id": nil, "metadata": nil})
	if cleared["external_id"] != nil || cleared["metadata"] != nil {
		t.Fatalf("cleared %v", cleared)
	}
	c.expectError(http.StatusNotFound, "not_found", "PATCH", sourcesPath+"nope", object{"name": "x"})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", sourcesPath+"kb", object{"name": 5})
}

func TestDeleteKnowledgeSourceRunsInTheBackground(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	c.expect(http.StatusOK, "POST", sourcesPath, object{"id": "other", "name": "Other"})
	c.upsert(bulkArticles, art("a1"), art("a2"), art("b1", "knowledge_source_id", "other"))
	c.deleted(sourcesPath + "kb")
	// Until the deletion is done, nothing new goes into the source.
	if got := validationDetails(t, c.do("POST", bulkArticles, []object{art("a3")})); !slices.Equal(got, []string{"$[0].knowledge_source_id"}) {
		t.Fatalf("upsert into a source being deleted: %v", got)
	}
	// The first list shows it deleting, with its articles still there...
	srcs := c.sources()
	if len(srcs) != 2 || srcs[0]["status"] != "deleting" || srcs[1]["status"] != nil {
		t.Fatalf("sources right after DELETE: %v", srcs)
	}
	// ...which that list completed: the next one has neither.
	if srcs := c.sources(); len(srcs) != 1 || srcs[0]["id"] != "other" {
		t.Fatalf("sources once deleted: %v", srcs)
	}
	if ids := c.articleIDs(""); !slices.Equal(ids, []string{"b1"}) {
		t.Fatalf("articles once the source is deleted: %v", ids)
	}
	c.expectError(http.StatusNotFound, "not_found", "DELETE", sourcesPath+"kb", nil)
	// The id is free again.
	c.expect(http.StatusOK, "POST", sourcesPath, object{"id": "kb", "name": "Help center, again"})
}

func TestUpsertArticles(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{Deterministic: true})
	rule := object{"match": "all", "conditions": []any{
		object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00001"}, "operator": "equals", "value": "pro", "case_sensitive": false},
		object{"match": "any", "conditions": []any{object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00004"}, "operator": "is_set"}}},
	}}
	res := c.upsert(bulkArticles,
		art("a1", "language", "en-US", "tag_ids", []string{"billing"}, "url", "https://help.example.com/a1", "availability_rules", rule),
		art("a2", "language", "zh-TW", "enabled", false, "metadata", object{"source": "zendesk", "ids": []int{7}}),
		art("a3", "language", "pt-BR"))
	for i, want := range []string{"a1", "a2", "a3"} {
		if res[i]["id"] != want || res[i]["success"] != true || res[i]["created"] != true {
			t.Fatalf("results %v", res)
		}
	}
	a1 := c.expect(http.StatusOK, "GET", articlesPath+"a1", nil)
	if a1["language"] != "en" || a1["enabled"] != true || fmt.Sprint(a1["tag_ids"]) != "[billing]" || a1["metadata"] != nil ||
		a1["url"] != "https://help.example.com/a1" || a1["knowledge_source_id"] != "kb" || a1["content"] != "About a1" {
		t.Fatalf("a1 = %v", a1)
	}
	// The rule is kept as given, except case_sensitive false, which Ada leaves out.
	if got := fmt.Sprint(a1["availability_rules"]); got != "map[conditions:[map[operator:equals value:pro variable:map[id:66a1f0c2b7e4d3a1c0f00001]] map[conditions:[map[operator:is_set variable:map[id:66a1f0c2b7e4d3a1c0f00004]]] match:any]] match:all]" {
		t.Fatalf("availability_rules = %s", got)
	}
	if a2 := c.expect(http.StatusOK, "GET", articlesPath+"a2", nil); a2["language"] != "zh-tw" || a2["enabled"] != false ||
		fmt.Sprint(a2["tag_ids"]) != "[]" || a2["availability_rules"] != nil {
		t.Fatalf("a2 = %v", a2)
	}
	if a3 := c.expect(http.StatusOK, "GET", articlesPath+"a3", nil); a3["language"] != "pt" {
		t.Fatalf("a3 = %v", a3)
	}
	if src := c.sources()[0]; str(src["last_sync"]) == "" {
		t.Fatalf("the source has no last_sync after an upsert: %v", src)
	}

	// An update: the fields left out keep their values, the rule included.
	res = c.upsert(bulkArticles, art("a1", "content", "Changed"))
	if res[0]["created"] != false || res[0]["success"] != true {
		t.Fatalf("update result %v", res)
	}
	u := c.expect(http.StatusOK, "GET", articlesPath+"a1", nil)
	if u["content"] != "Changed" || u["language"] != "en" || fmt.Sprint(u["tag_ids"]) != "[billing]" || u["availability_rules"] == nil ||
		u["url"] == nil || u["created"] != a1["created"] || u["updated"] == a1["updated"] {
		t.Fatalf("after an update: %v", u)
	}
	// Sending the same again changes nothing, not even updated.
	c.upsert(bulkArticles, art("a1", "content", "Changed"))
	if again := c.expect(http.StatusOK, "GET", articlesPath+"a1", nil); again["updated"] != u["updated"] {
		t.Fatalf("an unchanged upsert moved updated: %v -> %v", u["updated"], again["updated"])
	}
	// null detaches the rule and clears the url; [] clears the tags.
	c.upsert(bulkArticles, art("a1", "availability_rules", nil, "url", nil, "tag_ids", []string{}))
	if d := c.expect(http.StatusOK, "GET", articlesPath+"a1", nil); d["availability_rules"] != nil || d["url"] != nil || fmt.Sprint(d["tag_ids"]) != "[]" {
		t.Fatalf("after nulls: %v", d)
	}
	// The same id twice in a batch: created, then updated.
	res = c.upsert(bulkArticles, art("a4"), art("a4", "name", "Second"))
	if res[0]["created"] != true || res[1]["created"] != false {
		t.Fatalf("repeated id: %v", res)
	}
	if a4 := c.expect(http.StatusOK, "GET", articlesPath+"a4", nil); a4["name"] != "Second" {
		t.Fatalf("a4 = %v", a4)
	}
	// Ada's demo code POSTs without the trailing slash.
	if r := c.do("POST", "/v2/knowledge/bulk/articles", []object{art("a5")}); r.status != http.StatusOK {
		t.Fatalf("POST without slash: %d %s", r.status, r.body)
	}
}

func TestUpsertArticlesRejectsTheWholeBatch(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	group := func(inner ...any) object { return object{"match": "any", "conditions": inner} }
	cond := func(op string, value ...any) object {
		o := object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00001"}, "operator": op}
		if len(value) > 0 {
			o["value"] = value[0]
		}
		return o
	}
	rule := func(items ...any) object { return object{"match": "all", "conditions": items} }
	many := make([]any, 1001)
	for i := range many {
		many[i] = cond("is_set")
	}
	cases := []struct {
		name  string
		item  object
		param string
	}{
		{"unknown source", art("x", "knowledge_source_id", "nope"), "$[1].knowledge_source_id"},
		{"no source", art("x", "knowledge_source_id", nil), "$[1].knowledge_source_id"},
		{"empty id", art(""), "$[1].id"},
		{"no name", object{"id": "x", "content": "c", "knowledge_source_id": "kb"}, "$[1].name"},
		{"no content", object{"id": "x", "name": "n", "knowledge_source_id": "kb"}, "$[1].content"},
		{"unknown tag", art("x", "tag_ids", []string{"billing", "nope"}), "$[1].tag_ids[1]"},
		{"unsupported language", art("x", "language", "tlh"), "$[1].language"},
		{"relative url", art("x", "url", "/help/x"), "$[1].url"},
		{"bad date", art("x", "external_updated", "yesterday"), "$[1].external_updated"},
		{"enabled as string", art("x", "enabled", "yes"), "$[1].enabled"},
		{"metadata not an object", art("x", "metadata", "m"), "$[1].metadata"},
		{"article over 100 KB", art("x", "content", strings.Repeat("é", 50<<10)), "$[1]"},
		{"rule match", art("x", "availability_rules", object{"match": "most", "conditions": []any{cond("is_set")}}), "$[1].availability_rules.match"},
		{"rule without conditions", art("x", "availability_rules", rule()), "$[1].availability_rules.conditions"},
		{"unary with value", art("x", "availability_rules", rule(cond("is_not_set", true))), "$[1].availability_rules.conditions[0].value"},
		{"binary without value", art("x", "availability_rules", rule(cond("contains"))), "$[1].availability_rules.conditions[0].value"},
		{"object value", art("x", "availability_rules", rule(cond("equals", object{}))), "$[1].availability_rules.conditions[0].value"},
		{"unknown operator", art("x", "availability_rules", rule(cond("between", 1))), "$[1].availability_rules.conditions[0].operator"},
		{"no variable", art("x", "availability_rules", rule(object{"operator": "is_set"})), "$[1].availability_rules.conditions[0].variable"},
		{"empty group", art("x", "availability_rules", rule(group())), "$[1].availability_rules.conditions[0].conditions"},
		{"nested group", art("x", "availability_rules", rule(group(group(cond("is_set"))))), "$[1].availability_rules.conditions[0].conditions[0]"},
		{"group with an operator", art("x", "availability_rules", rule(object{"match": "all", "operator": "is_set", "conditions": []any{cond("is_set")}})), "$[1].availability_rules.conditions[0].operator"},
		{"over 1000 conditions", art("x", "availability_rules", rule(group(many[:500]...), group(many[500:]...))), "$[1].availability_rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := validationDetails(t, c.do("POST", bulkArticles, []object{art("ok"), tc.item}))
			if !slices.Contains(got, tc.param) {
				t.Fatalf("details %v, want %s", got, tc.param)
			}
		})
	}
	// 1000 conditions pass.
	c.upsert(bulkArticles, art("max", "availability_rules", rule(group(many[:500]...), group(many[500:1000]...))))
	// Every problem is listed, and nothing of the batch was saved.
	got := validationDetails(t, c.do("POST", bulkArticles, []object{art("y", "language", "tlh"), art("z", "knowledge_source_id", "nope")}))
	if !slices.Equal(got, []string{"$[0].language", "$[1].knowledge_source_id"}) {
		t.Fatalf("details %v", got)
	}
	if ids := c.articleIDs(""); !slices.Equal(ids, []string{"max"}) {
		t.Fatalf("articles after rejected batches: %v", ids)
	}
	checkError(t, c.do("POST", bulkArticles, object{"id": "x"}), http.StatusBadRequest, "bad_request")
	if got := validationDetails(t, c.do("POST", bulkArticles, []any{art("ok"), "x"})); !slices.Equal(got, []string{"$[1]"}) {
		t.Fatalf("details %v", got)
	}
}

func TestArticleLimit(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{KnowledgeArticleLimit: 3})
	c.upsert(bulkArticles, art("a1"), art("a2"))
	limitError := func(r response) (message string, ids []string, count int) {
		t.Helper()
		checkError(t, r, http.StatusBadRequest, "bad_request")
		body := decode[struct {
			Errors []struct {
				Message string
				Details struct {
					Code            string   `json:"code"`
					NewArticleIDs   []string `json:"new_article_ids"`
					NewArticleCount int      `json:"new_article_count"`
				}
			}
		}](t, r)
		e := body.Errors[0]
		if e.Details.Code != "knowledge.articles.total_exceeded" {
			t.Fatalf("details %+v", e.Details)
		}
		return e.Message, e.Details.NewArticleIDs, e.Details.NewArticleCount
	}
	// Two new ids where one fits: the whole batch is rejected, updates included.
	msg, ids, count := limitError(c.do("POST", bulkArticles, []object{art("a1", "content", "new"), art("a3"), art("a4"), art("a3")}))
	if msg != "Maximum article limit of 3 exceeded" || !slices.Equal(ids, []string{"a3", "a4"}) || count != 2 {
		t.Fatalf("limit error %q %v %d", msg, ids, count)
	}
	if a1 := c.expect(http.StatusOK, "GET", articlesPath+"a1", nil); a1["content"] != "About a1" {
		t.Fatal("a rejected batch changed a1")
	}
	c.upsert(bulkArticles, art("a3"))
	// At the limit, update-only batches still pass.
	if res := c.upsert(bulkArticles, art("a1", "content", "new"), art("a3", "content", "new")); res[1]["created"] != false {
		t.Fatalf("update at the limit: %v", res)
	}
	// The ids listed stop at 100; the count does not.
	batch := make([]object, 150)
	for i := range batch {
		batch[i] = art(fmt.Sprintf("n%03d", i))
	}
	_, ids, count = limitError(c.do("POST", bulkArticles, batch))
	if len(ids) != 100 || ids[0] != "n000" || ids[99] != "n099" || count != 150 {
		t.Fatalf("%d ids listed (%s..%s), count %d", len(ids), ids[0], ids[len(ids)-1], count)
	}
	// Deleting makes room.
	c.deleted(articlesPath + "a3")
	c.upsert(bulkArticles, art("a5"))
}

func TestListArticles(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	c.expect(http.StatusOK, "POST", sourcesPath, object{"id": "other", "name": "Other"})
	c.upsert(bulkArticles,
		art("a1", "tag_ids", []string{"billing"}, "language", "en"),
		art("a2", "tag_ids", []string{"shipping"}, "language", "fr", "enabled", false),
		art("a3", "tag_ids", []string{"billing", "shipping"}, "language", "fr"),
		art("a4", "knowledge_source_id", "other"))
	cases := []struct{ query, want string }{
		{"", "a1,a2,a3,a4"},
		{"?limit=1", "a1,a2,a3,a4"},
		{"?id=a3&id=a1", "a1,a3"},
		{"?enabled=false", "a2"},
		{"?enabled=true&enabled=false", "a1,a2,a3,a4"},
		{"?language=fr", "a2,a3"},
		{"?language=fr-CA", "a2,a3"}, // as an upsert would read it
		{"?knowledge_source_id=other", "a4"},
		{"?tag_ids=billing", "a1,a3"},
		{"?tag_ids=billing&tag_ids=shipping", "a1,a2,a3"},
		{"?tag_ids=shipping&language=fr&enabled=true", "a3"},
		{"?tag_ids=shipping&language=fr&limit=1", "a2,a3"},
		{"?id=nope", ""},
	}
	for _, tc := range cases {
		if got := strings.Join(c.articleIDs(tc.query), ","); got != tc.want {
			t.Errorf("GET articles%s = %s, want %s", tc.query, got, tc.want)
		}
	}
	// The next page keeps the filters.
	page := c.expect(http.StatusOK, "GET", articlesPath+"?language=fr&limit=1", nil)
	next := str(page["meta"].(object)["next_page_url"])
	if !strings.Contains(next, "language=fr") || !strings.Contains(next, "cursor=a3") || !strings.HasPrefix(next, "http://") {
		t.Fatalf("next_page_url %s", next)
	}
	if last := c.expect(http.StatusOK, "GET", next, nil); last["meta"].(object)["next_page_url"] != nil {
		t.Fatalf("last page %v", last)
	}
	c.expectError(http.StatusBadRequest, "bad_request", "GET", articlesPath+"?enabled=1", nil)
	c.expectError(http.StatusBadRequest, "bad_request", "GET", articlesPath+"?limit=101", nil)
	c.expectError(http.StatusBadRequest, "bad_request", "GET", articlesPath+"?cursor=nope", nil)
	c.expectError(http.StatusNotFound, "not_found", "GET", articlesPath+"nope", nil)
}

func TestDeleteArticles(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	c.upsert(bulkArticles, art("a1", "language", "fr"), art("a2", "language", "fr"), art("a3"))
	// One by id: gone when the 204 is sent.
	c.deleted(articlesPath + "a3")
	c.expectError(http.StatusNotFound, "not_found", "GET", articlesPath+"a3", nil)
	c.expectError(http.StatusNotFound, "not_found", "DELETE", articlesPath+"a3", nil)

	// By filter: 404 when none matches; else accepted and run in the background.
	c.expectError(http.StatusNotFound, "not_found", "DELETE", articlesPath+"?language=de", nil)
	c.deleted(articlesPath + "?language=fr&id=a1")
	// An article upserted meanwhile is not part of the accepted deletion.
	c.upsert(bulkArticles, art("a4", "language", "fr"))
	if ids := c.articleIDs("?language=fr"); !slices.Equal(ids, []string{"a1", "a2", "a4"}) {
		t.Fatalf("right after the delete: %v", ids)
	}
	if ids := c.articleIDs("?language=fr"); !slices.Equal(ids, []string{"a2", "a4"}) {
		t.Fatalf("once it ran: %v", ids)
	}
	c.expectError(http.StatusBadRequest, "bad_request", "DELETE", articlesPath+"?enabled=yes", nil)
}

func TestArticleTags(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	res := c.upsert(bulkTags, object{"id": "billing", "name": "Billing and invoices"}, object{"id": "returns", "name": "Returns"})
	if res[0]["created"] != false || res[1]["created"] != true || res[1]["success"] != true {
		t.Fatalf("results %v", res)
	}
	tags := c.expect(http.StatusOK, "GET", tagsPath, nil)
	if fmt.Sprint(tags["data"]) != "[map[id:billing name:Billing and invoices] map[id:shipping name:Shipping] map[id:returns name:Returns]]" {
		t.Fatalf("tags %v", tags)
	}
	if _, has := tags["meta"]; has {
		t.Fatalf("the tag list has a meta: %v", tags)
	}
	c.upsert(bulkArticles, art("a1", "tag_ids", []string{"billing", "returns"}))
	// Deleting a tag takes it off the articles.
	c.deleted(tagsPath + "billing")
	if a1 := c.expect(http.StatusOK, "GET", articlesPath+"a1", nil); fmt.Sprint(a1["tag_ids"]) != "[returns]" {
		t.Fatalf("a1 after the tag's deletion: %v", a1)
	}
	c.expectError(http.StatusNotFound, "not_found", "DELETE", tagsPath+"billing", nil)
	for _, bad := range []any{[]object{{"id": "x"}}, []object{{"id": "", "name": "x"}}, []object{{"id": "x", "name": 3}}} {
		validationDetails(t, c.do("POST", bulkTags, bad))
	}
	checkError(t, c.do("POST", bulkTags, `{"id":"x","name":"y"}`), http.StatusBadRequest, "bad_request")
}

func TestKnowledgeSurvivesLoadButNotReset(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	c.upsert(bulkArticles, art("a1"))
	if err := c.sim.LoadState(c.sim.State()); err != nil {
		t.Fatal(err)
	}
	if ids := c.articleIDs(""); !slices.Equal(ids, []string{"a1"}) {
		t.Fatalf("articles after a load: %v", ids)
	}
	c.sim.Reset()
	if srcs := c.sources(); len(srcs) != 0 {
		t.Fatalf("sources after a reset: %v", srcs)
	}
	if ids := c.articleIDs(""); len(ids) != 0 {
		t.Fatalf("articles after a reset: %v", ids)
	}
}

// A rule may name only a variable GET /v2/variables/ lists: an unknown or
// reserved one is a 400 naming it, as Ada documents ("referencing one that
// can't returns a 400").
func TestRuleVariablesMustBeUsable(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{Deterministic: true})
	for _, id := range []string{"plan", "66a1f0c2b7e4d3a1c0f000f1"} { // made up; reserved (language)
		rule := object{"match": "all", "conditions": []any{object{"variable": object{"id": id}, "operator": "is_set"}}}
		r := c.do("POST", bulkArticles, []any{art("r1", "availability_rules", rule)})
		checkError(t, r, http.StatusBadRequest, "validation_error")
		if !strings.Contains(string(r.body), id) || !strings.Contains(string(r.body), "cannot be used in a rule") {
			t.Errorf("%s: %s", id, r.body)
		}
	}
}

// TestArticleSizeBoundary: an article is at most 100 KB (102,400 bytes) of JSON. The whitespace
// a client puts between JSON tokens (indentation) is not the article's and is not counted;
// whitespace inside its values (content) is.
func TestArticleSizeBoundary(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{})
	// sized is the article's compact JSON, padded with pad (repeated) to exactly n bytes.
	sized := func(id, pad string, n int) string {
		head, tail := `{"id":"`+id+`","name":"n","knowledge_source_id":"kb","content":"`, `"}`
		return head + strings.Repeat(pad, n-len(head)-len(tail)) + tail
	}
	const limit = 100 << 10
	indent := func(compact string) string {
		return "[\n  " + strings.NewReplacer(`{`, "{\n    ", `,"`, ",\n    \"", `":`, `": `, `"}`, "\"\n  }").Replace(compact) + "\n]"
	}
	at, spaces, over := sized("at", "x", limit), sized("spaces", " ", limit), sized("over", " ", limit+1)
	if len(indent(at)) <= limit+2 {
		t.Fatal("the indented article is not larger than the limit as sent")
	}
	for _, body := range []string{"[" + at + "]", indent(at), "[" + spaces + "]", indent(spaces)} {
		if r := c.do("POST", bulkArticles, []byte(body)); r.status != http.StatusOK {
			t.Fatalf("an article of %d bytes as JSON (%d as sent): %d %.300s", limit, len(body)-2, r.status, r.body)
		}
	}
	for _, body := range []string{"[" + over + "]", indent(over)} {
		if got := validationDetails(t, c.do("POST", bulkArticles, []byte(body))); !slices.Equal(got, []string{"$[0]"}) {
			t.Fatalf("an article of %d bytes: details %v", limit+1, got)
		}
	}
}

// TestUpsertPartialSuccess: the ids of Options.KnowledgeUpsertFailures are answered success
// false and not written; the rest of the batch is.
func TestUpsertPartialSuccess(t *testing.T) {
	c := knowledgeBase(t, adasim.Options{KnowledgeUpsertFailures: []string{"bad", "bad-tag"}})
	got := c.upsert(bulkArticles, art("a1"), art("bad"), art("a2"))
	if fmt.Sprint(got) != "[map[created:true id:a1 success:true] map[created:false id:bad success:false] map[created:true id:a2 success:true]]" {
		t.Fatalf("upsert = %v", got)
	}
	if ids := c.articleIDs(""); !slices.Equal(ids, []string{"a1", "a2"}) {
		t.Fatalf("articles %v", ids)
	}
	c.expectError(http.StatusNotFound, "not_found", "GET", articlesPath+"bad", nil)
	tags := c.upsert(bulkTags, object{"id": "bad-tag", "name": "B"}, object{"id": "t", "name": "T"})
	if fmt.Sprint(tags) != "[map[created:false id:bad-tag success:false] map[created:true id:t success:true]]" {
		t.Fatalf("upsert tags = %v", tags)
	}
}
