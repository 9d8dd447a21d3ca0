package adaclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const (
	sourceJSON  = `{"id":"kb","name":"Help center","external_id":null,"metadata":{"owner":"support"},"created":"2026-10-01T12:00:00.000000+00:00","updated":"2026-10-01T12:00:00.000000+00:00","status":null,"future":1}`
	articleJSON = `{"id":"a1","name":"Refunds","content":"# Refunds","url":null,"knowledge_source_id":"kb","language":"en","tag_ids":["billing"],"enabled":false,"metadata":null,` +
		`"availability_rules":{"match":"any","conditions":[{"variable":{"id":"plan"},"operator":"equals","value":"pro"},{"match":"all","conditions":[{"variable":{"id":"vip"},"operator":"is_set"}]}]}}`
)

func TestKnowledgeRequestsMatchAdasPaths(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/api")
		switch {
		case r.Method == "DELETE":
			w.WriteHeader(http.StatusNoContent)
		case p == "/v2/knowledge/sources/" && r.Method == "GET":
			status(200, `{"data":[`+sourceJSON+`]}`)(w, r)
		case strings.HasPrefix(p, "/v2/knowledge/sources/"):
			status(200, sourceJSON)(w, r)
		case p == "/v2/knowledge/articles/":
			status(200, `{"data":[`+articleJSON+`],"meta":{"next_page_url":"https://x.ada.support/api/v2/knowledge/articles/?cursor=a2&limit=1&language=fr"}}`)(w, r)
		case strings.HasPrefix(p, "/v2/knowledge/articles/"):
			status(200, articleJSON)(w, r)
		case p == "/v2/knowledge/tags/":
			status(200, `{"data":[{"id":"billing","name":"Billing"}]}`)(w, r)
		default: // the bulk upserts
			status(200, `[{"success":true,"created":true,"id":"x"},{"created":false,"id":"y"}]`)(w, r)
		}
	})
	c := rec.client(t)
	ctx := context.Background()

	srcs, r, err := c.Knowledge.ListSources(ctx)
	if err != nil || len(srcs) != 1 || r.NextCursor != "" || srcs[0].Status != nil || srcs[0].Metadata["owner"] != "support" || srcs[0].Created == "" {
		t.Fatalf("ListSources = %+v, %+v, %v", srcs, r, err)
	}
	arts, r, err := c.Knowledge.ListArticles(ctx, &adaclient.ListArticlesOptions{
		ArticleFilter: adaclient.ArticleFilter{IDs: []string{"a1", "a2"}, Enabled: []bool{true, false}, Languages: []string{"fr"},
			KnowledgeSourceIDs: []string{"kb"}, TagIDs: []string{"billing", "shipping"}},
		ListOptions: adaclient.ListOptions{Limit: 1, Cursor: "a1"}})
	if err != nil || len(arts) != 1 || r.NextCursor != "a2" {
		t.Fatalf("ListArticles = %+v, %+v, %v", arts, r, err)
	}
	a := arts[0]
	if a.Enabled == nil || *a.Enabled || a.URL != nil || *a.KnowledgeSourceID != "kb" || a.AvailabilityRules == nil ||
		len(a.AvailabilityRules.Conditions) != 2 || !a.AvailabilityRules.Conditions[1].IsGroup() || a.AvailabilityRules.Conditions[0].IsGroup() ||
		a.AvailabilityRules.Conditions[1].Conditions[0].Operator != adaclient.OperatorIsSet {
		t.Fatalf("decoded %+v", a)
	}
	results, _, err := c.Knowledge.UpsertTags(ctx, []adaclient.ArticleTag{{ID: "billing", Name: "Billing"}})
	if err != nil || len(results) != 2 || *results[0].Success != true || !results[0].Created || results[1].Success != nil {
		t.Fatalf("UpsertTags = %+v, %v", results, err)
	}

	steps := []func() error{
		func() error {
			_, _, err := c.Knowledge.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "kb", Name: "Help center", Metadata: map[string]any{"owner": "support"}})
			return err
		},
		func() error {
			_, _, err := c.Knowledge.UpdateSource(ctx, "kb", &adaclient.KnowledgeSourceUpdate{ExternalID: adaclient.Null[string](), Metadata: adaclient.Value(map[string]any{"a": 1})})
			return err
		},
		func() error {
			_, _, err := c.Knowledge.UpdateSource(ctx, "kb/1", &adaclient.KnowledgeSourceUpdate{Name: new("FAQ"), Metadata: adaclient.Null[map[string]any]()})
			return err
		},
		func() error { _, err := c.Knowledge.DeleteSource(ctx, "kb"); return err },
		func() error { _, _, err := c.Knowledge.GetArticle(ctx, "a 1"); return err },
		func() error { _, err := c.Knowledge.DeleteArticle(ctx, "a1"); return err },
		func() error {
			_, err := c.Knowledge.DeleteArticles(ctx, &adaclient.ArticleFilter{KnowledgeSourceIDs: []string{"kb"}, Enabled: []bool{false}})
			return err
		},
		func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, []adaclient.ArticleUpsert{
				{ID: "a1", Name: "Refunds", Content: "# Refunds", KnowledgeSourceID: "kb"},
				{ID: "a2", Name: "Retours", Content: "", KnowledgeSourceID: "kb", URL: adaclient.Value("https://help.example.com/r"), TagIDs: []string{},
					Language: "fr", ExternalCreated: adaclient.Value("2026-09-01T00:00:00Z"), ExternalUpdated: adaclient.Null[string](), Enabled: new(false),
					Metadata: adaclient.Value(map[string]any{"v": 2}), AvailabilityRules: adaclient.Null[adaclient.AvailabilityRule]()},
				{ID: "a4", Name: "Cleared", Content: "c", KnowledgeSourceID: "kb", URL: adaclient.Null[string](), Metadata: adaclient.Null[map[string]any]()},
				{ID: "a3", Name: "Hours", Content: "9-5", KnowledgeSourceID: "kb", AvailabilityRules: adaclient.Value(adaclient.AvailabilityRule{
					Match: "all", Conditions: []adaclient.AvailabilityCondition{{Variable: &adaclient.VariableRef{ID: "plan"}, Operator: "equals", Value: false, CaseSensitive: new(true)}}})},
			})
			return err
		},
		func() error { _, _, err := c.Knowledge.ListTags(ctx); return err },
		func() error { _, err := c.Knowledge.DeleteTag(ctx, "billing"); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	wantReqs := []wantRequest{
		{"GET", "/api/v2/knowledge/sources/", "", ""},
		{"GET", "/api/v2/knowledge/articles/", "cursor=a1&enabled=true&enabled=false&id=a1&id=a2&knowledge_source_id=kb&language=fr&limit=1&tag_ids=billing&tag_ids=shipping", ""},
		{"POST", "/api/v2/knowledge/bulk/tags/", "", `[{"id":"billing","name":"Billing"}]`},
		{"POST", "/api/v2/knowledge/sources/", "", `{"id":"kb","name":"Help center","metadata":{"owner":"support"}}`},
		{"PATCH", "/api/v2/knowledge/sources/kb", "", `{"external_id":null,"metadata":{"a":1}}`},
		{"PATCH", "/api/v2/knowledge/sources/kb/1", "", `{"name":"FAQ","metadata":null}`}, // escaped on the wire: see below
		{"DELETE", "/api/v2/knowledge/sources/kb", "", ""},
		{"GET", "/api/v2/knowledge/articles/a 1", "", ""},
		{"DELETE", "/api/v2/knowledge/articles/a1", "", ""},
		{"DELETE", "/api/v2/knowledge/articles/", "enabled=false&knowledge_source_id=kb", ""},
		{"POST", "/api/v2/knowledge/bulk/articles/", "", `[{"id":"a1","name":"Refunds","content":"# Refunds","knowledge_source_id":"kb"},` +
			`{"id":"a2","name":"Retours","content":"","knowledge_source_id":"kb","url":"https://help.example.com/r","tag_ids":[],"language":"fr",` +
			`"external_created":"2026-09-01T00:00:00Z","external_updated":null,"enabled":false,"metadata":{"v":2},"availability_rules":null},` +
			`{"id":"a4","name":"Cleared","content":"c","knowledge_source_id":"kb","url":null,"metadata":null},` +
			`{"id":"a3","name":"Hours","content":"9-5","knowledge_source_id":"kb","availability_rules":{"match":"all","conditions":[{"variable":{"id":"plan"},"operator":"equals","value":false,"case_sensitive":true}]}}]`},
		{"GET", "/api/v2/knowledge/tags/", "", ""},
		{"DELETE", "/api/v2/knowledge/tags/billing", "", ""},
	}
	rec.expect(t, wantReqs)
}

func TestKnowledgeIDsArePathEscaped(t *testing.T) {
	rec := newRecorder(t, status(200, articleJSON))
	c := rec.client(t)
	ctx := context.Background()
	if _, _, err := c.Knowledge.GetArticle(ctx, "help/refunds?x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Knowledge.UpdateSource(ctx, "../tags", &adaclient.KnowledgeSourceUpdate{Name: new("x")}); err != nil {
		t.Fatal(err)
	}
	rec.expectURIs(t, "/api/v2/knowledge/articles/help%2Frefunds%3Fx", "/api/v2/knowledge/sources/..%2Ftags")
}

func TestKnowledgeRetrySafety(t *testing.T) {
	ctx := context.Background()
	articles := []adaclient.ArticleUpsert{{ID: "a1", Name: "n", Content: "c", KnowledgeSourceID: "kb"}}
	runRetryCases(t, []retryCase{
		{"list sources is retried", []http.HandlerFunc{status(500, errorJSON), status(200, `{"data":[]}`)},
			func(c *adaclient.Client) error { _, _, err := c.Knowledge.ListSources(ctx); return err }, 2, false},
		{"bulk upsert is retried", []http.HandlerFunc{hangUp, status(200, `[{"id":"a1","success":true,"created":true}]`)},
			func(c *adaclient.Client) error { _, _, err := c.Knowledge.UpsertArticles(ctx, articles); return err }, 2, false},
		{"tag upsert is retried", []http.HandlerFunc{status(503, errorJSON), status(200, `[]`)},
			func(c *adaclient.Client) error {
				_, _, err := c.Knowledge.UpsertTags(ctx, []adaclient.ArticleTag{{ID: "t", Name: "T"}})
				return err
			}, 2, false},
		{"source delete is retried", []http.HandlerFunc{status(502, "<html>bad gateway</html>"), status(204, "")},
			func(c *adaclient.Client) error { _, err := c.Knowledge.DeleteSource(ctx, "kb"); return err }, 2, false},
		{"delete by filter is retried", []http.HandlerFunc{truncated, status(204, "")},
			func(c *adaclient.Client) error {
				_, err := c.Knowledge.DeleteArticles(ctx, &adaclient.ArticleFilter{TagIDs: []string{"old"}})
				return err
			}, 2, false},
		{"source create after a 500 is sent once", []http.HandlerFunc{status(500, errorJSON), status(200, sourceJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.Knowledge.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "kb", Name: "n"})
				return err
			}, 1, true},
		{"source create after a 429 is resent", []http.HandlerFunc{status(429, errorJSON, "Retry-After", "0"), status(200, sourceJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.Knowledge.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "kb", Name: "n"})
				return err
			}, 2, false},
	})
}

func TestKnowledgeLocalValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(200, `{}`))
	c := rec.client(t)
	ctx := context.Background()
	ok := func() adaclient.ArticleUpsert {
		return adaclient.ArticleUpsert{ID: "a1", Name: "n", Content: "c", KnowledgeSourceID: "kb"}
	}
	with := func(f func(*adaclient.ArticleUpsert)) []adaclient.ArticleUpsert {
		a := ok()
		f(&a)
		return []adaclient.ArticleUpsert{ok(), a}
	}
	cond := func(op string, value any) adaclient.AvailabilityCondition {
		return adaclient.AvailabilityCondition{Variable: &adaclient.VariableRef{ID: "v"}, Operator: op, Value: value}
	}
	rule := func(conds ...adaclient.AvailabilityCondition) adaclient.Nullable[adaclient.AvailabilityRule] {
		return adaclient.Value(adaclient.AvailabilityRule{Match: "all", Conditions: conds})
	}
	many := make([]adaclient.AvailabilityCondition, 1001)
	for i := range many {
		many[i] = cond("is_set", nil)
	}
	// Just under 10 MB in all, each article under 100 KB.
	var huge []adaclient.ArticleUpsert
	for i := range 110 {
		huge = append(huge, adaclient.ArticleUpsert{ID: fmt.Sprint(i), Name: "n", Content: strings.Repeat("x", 95<<10), KnowledgeSourceID: "kb"})
	}
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"create without body", "id", func() error { _, _, err := c.Knowledge.CreateSource(ctx, nil); return err }},
		{"create without name", "name", func() error {
			_, _, err := c.Knowledge.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "kb"})
			return err
		}},
		{"create with id ..", "id", func() error {
			_, _, err := c.Knowledge.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "..", Name: "n"})
			return err
		}},
		{"empty update", "knowledge source", func() error {
			_, _, err := c.Knowledge.UpdateSource(ctx, "kb", &adaclient.KnowledgeSourceUpdate{})
			return err
		}},
		{"blank name", "name", func() error {
			_, _, err := c.Knowledge.UpdateSource(ctx, "kb", &adaclient.KnowledgeSourceUpdate{Name: new(" ")})
			return err
		}},
		{"delete source without id", "id", func() error { _, err := c.Knowledge.DeleteSource(ctx, ""); return err }},
		{"get article .", "id", func() error { _, _, err := c.Knowledge.GetArticle(ctx, "."); return err }},
		{"delete tag without id", "id", func() error { _, err := c.Knowledge.DeleteTag(ctx, " "); return err }},
		{"delete every article", "filter", func() error { _, err := c.Knowledge.DeleteArticles(ctx, &adaclient.ArticleFilter{}); return err }},
		{"delete with a nil filter", "filter", func() error { _, err := c.Knowledge.DeleteArticles(ctx, nil); return err }},
		{"list limit over 100", "limit", func() error {
			_, _, err := c.Knowledge.ListArticles(ctx, &adaclient.ListArticlesOptions{ListOptions: adaclient.ListOptions{Limit: 101}})
			return err
		}},
		{"no articles", "articles", func() error { _, _, err := c.Knowledge.UpsertArticles(ctx, nil); return err }},
		{"article without source", "articles[1].knowledge_source_id", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.KnowledgeSourceID = "" }))
			return err
		}},
		{"article without name", "articles[1].name", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.Name = "" }))
			return err
		}},
		{"relative url", "articles[1].url", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.URL = adaclient.Value("/help") }))
			return err
		}},
		{"external date without a zone", "articles[1].external_created", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.ExternalCreated = adaclient.Value("2026-09-01T00:00:00") }))
			return err
		}},
		{"blank tag", "articles[1].tag_ids[0]", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.TagIDs = []string{""} }))
			return err
		}},
		{"article over 100 KB", "articles[1]", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.Content = strings.Repeat("x", 100<<10) }))
			return err
		}},
		{"request over 10 MB", "articles", func() error { _, _, err := c.Knowledge.UpsertArticles(ctx, huge); return err }},
		{"rule match", "articles[1].availability_rules.match", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) {
				a.AvailabilityRules = adaclient.Value(adaclient.AvailabilityRule{Match: "most", Conditions: []adaclient.AvailabilityCondition{cond("is_set", nil)}})
			}))
			return err
		}},
		{"empty rule", "articles[1].availability_rules.conditions", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.AvailabilityRules = rule() }))
			return err
		}},
		{"unary with a value", "articles[1].availability_rules.conditions[0].value", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.AvailabilityRules = rule(cond("is_set", "x")) }))
			return err
		}},
		{"binary without a value", "articles[1].availability_rules.conditions[0].value", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.AvailabilityRules = rule(cond("equals", nil)) }))
			return err
		}},
		{"object value", "articles[1].availability_rules.conditions[0].value", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) { a.AvailabilityRules = rule(cond("equals", map[string]any{})) }))
			return err
		}},
		{"no variable", "articles[1].availability_rules.conditions[0].variable.id", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) {
				a.AvailabilityRules = rule(adaclient.AvailabilityCondition{Operator: "is_set"})
			}))
			return err
		}},
		{"nested group", "articles[1].availability_rules.conditions[0].conditions[0]", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) {
				inner := adaclient.AvailabilityCondition{Match: "any", Conditions: []adaclient.AvailabilityCondition{cond("is_set", nil)}}
				a.AvailabilityRules = rule(adaclient.AvailabilityCondition{Match: "all", Conditions: []adaclient.AvailabilityCondition{inner}})
			}))
			return err
		}},
		{"group and condition at once", "articles[1].availability_rules.conditions[0]", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) {
				g := cond("is_set", nil)
				g.Match, g.Conditions = "all", []adaclient.AvailabilityCondition{cond("is_set", nil)}
				a.AvailabilityRules = rule(g)
			}))
			return err
		}},
		{"over 1000 conditions", "articles[1].availability_rules", func() error {
			_, _, err := c.Knowledge.UpsertArticles(ctx, with(func(a *adaclient.ArticleUpsert) {
				a.AvailabilityRules = rule(adaclient.AvailabilityCondition{Match: "all", Conditions: many[:600]},
					adaclient.AvailabilityCondition{Match: "all", Conditions: many[600:]})
			}))
			return err
		}},
		{"no tags", "tags", func() error { _, _, err := c.Knowledge.UpsertTags(ctx, nil); return err }},
		{"tag without name", "tags[0].name", func() error {
			_, _, err := c.Knowledge.UpsertTags(ctx, []adaclient.ArticleTag{{ID: "t"}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *adaclient.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if ve.Field != tc.field {
				t.Fatalf("Field = %q, want %q (%v)", ve.Field, tc.field, err)
			}
		})
	}
	if got := rec.count.Load(); got != 0 {
		t.Fatalf("%d requests were sent for invalid input", got)
	}
	// The largest rule Ada allows passes.
	if err := adaclient.ValidateAvailabilityRule("r", &adaclient.AvailabilityRule{Match: "any", Conditions: many[:1000]}); err != nil {
		t.Fatal(err)
	}
}

func TestArticleLimitFrom(t *testing.T) {
	limitBody := `{"errors":[{"type":"bad_request","message":"Maximum article limit of 50000 exceeded","details":{"code":"knowledge.articles.total_exceeded","new_article_ids":["a2","a3"],"new_article_count":7}}]}`
	rec := newRecorder(t, status(400, limitBody), status(400, `{"errors":[{"type":"validation_error","message":"bad","details":[{"parameter":"$[0].knowledge_source_id","location":"body","message":"m"}]}]}`))
	c := rec.client(t)
	articles := []adaclient.ArticleUpsert{{ID: "a1", Name: "n", Content: "c", KnowledgeSourceID: "kb"}}
	_, _, err := c.Knowledge.UpsertArticles(context.Background(), articles)
	al, ok := adaclient.ArticleLimitFrom(err)
	if !ok || al.Limit != 50000 || al.NewArticleCount != 7 || !slices.Equal(al.NewArticleIDs, []string{"a2", "a3"}) || al.Message != "Maximum article limit of 50000 exceeded" {
		t.Fatalf("ArticleLimitFrom(%v) = %+v, %v", err, al, ok)
	}
	_, _, err = c.Knowledge.UpsertArticles(context.Background(), articles)
	if _, ok := adaclient.ArticleLimitFrom(err); ok || adaclient.StatusCode(err) != 400 {
		t.Fatalf("a validation error read as the article limit: %v", err)
	}
	if _, ok := adaclient.ArticleLimitFrom(errors.New("x")); ok {
		t.Fatal("a plain error read as the article limit")
	}
	var er *adaclient.ErrorResponse
	if errors.As(err, &er) {
		var details []map[string]string
		if json.Unmarshal(er.Errors[0].Details, &details) != nil || details[0]["parameter"] != "$[0].knowledge_source_id" {
			t.Fatalf("details not kept: %s", er.Errors[0].Details)
		}
	}
}

// Bodies are sent, and measured against Ada's limits, without HTML
// escaping: an article of HTML (or metadata with "&") once counted each
// "<" as the six bytes of \u003c, refused at a third of Ada's limit and
// sent three times larger.
func TestBodiesAreNotHTMLEscaped(t *testing.T) {
	rec := newRecorder(t, status(200, `[{"success":true,"created":true,"id":"a1"}]`), status(200, conversationJSON))
	c := rec.client(t)
	html := strings.Repeat("<p>x&amp;y</p>\n", 5000) // 75 KB; 195 KB escaped
	if _, _, err := c.Knowledge.UpsertArticles(context.Background(), []adaclient.ArticleUpsert{{ID: "a1", Name: "A", Content: html, KnowledgeSourceID: "kb"}}); err != nil {
		t.Fatalf("a 75 KB article: %v", err)
	}
	meta := map[string]any{"html": strings.Repeat("<b>&", 900)} // 3.6 KB; 15 KB escaped
	if _, _, err := c.Conversations.UpdateMetadata(context.Background(), "c1", meta); err != nil {
		t.Fatalf("3.6 KB of metadata: %v", err)
	}
	for _, r := range rec.requests() {
		if bytes.Contains(r.Body, []byte(`\u003c`)) || !bytes.Contains(r.Body, []byte("<")) {
			t.Errorf("%s %s: the body is HTML-escaped", r.Method, r.Path)
		}
	}
}
