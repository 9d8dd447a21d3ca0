package schemas_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// decodeArgs decodes tool arguments as the server does (numbers as json.Number).
func decodeArgs[T any](t *testing.T, raw string) *T {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v T
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// availability_rules has three states: absent leaves the rule, null detaches it, an object
// replaces it; tag_ids [] is sent (it clears the tags) and absent is not.
func TestUpsertArticlesRequestKeepsAbsentNullAndValueApart(t *testing.T) {
	a := decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[
		{"id":"a1","name":"n","content":"c","knowledge_source_id":"kb"},
		{"id":"a2","name":"n","content":"c","knowledge_source_id":"kb","availability_rules":null,"tag_ids":[]},
		{"id":"a3","name":"n","content":"c","knowledge_source_id":"kb","enabled":false,"metadata":{"x":[1]},
		 "availability_rules":{"match":"any","conditions":[{"variable":{"id":"plan"},"operator":"equals","value":2,"case_sensitive":true},
		   {"match":"all","conditions":[{"variable":{"id":"vip"},"operator":"is_set","case_sensitive":false}]}]}}]}`)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a.Request())
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"a1","name":"n","content":"c","knowledge_source_id":"kb"},` +
		`{"id":"a2","name":"n","content":"c","knowledge_source_id":"kb","tag_ids":[],"availability_rules":null},` +
		`{"id":"a3","name":"n","content":"c","knowledge_source_id":"kb","enabled":false,"metadata":{"x":[1]},"availability_rules":{"match":"any","conditions":[` +
		`{"variable":{"id":"plan"},"operator":"equals","value":2,"case_sensitive":true},{"match":"all","conditions":[{"variable":{"id":"vip"},"operator":"is_set"}]}]}}]`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestUpdateKnowledgeSourceRequest(t *testing.T) {
	b, _ := json.Marshal(decodeArgs[schemas.UpdateKnowledgeSourceArgs](t, `{"id":"kb","external_id":null}`).Request())
	if string(b) != `{"external_id":null}` {
		t.Fatalf("got %s", b)
	}
	b, _ = json.Marshal(decodeArgs[schemas.UpdateKnowledgeSourceArgs](t, `{"id":"kb","name":"N","metadata":{}}`).Request())
	if string(b) != `{"name":"N","metadata":{}}` {
		t.Fatalf("got %s", b)
	}
}

func TestArticleFromCutsLongContent(t *testing.T) {
	long := strings.Repeat("日本", 10_001) // 20,002 characters of 3 bytes
	a := schemas.ArticleFrom(&adaclient.Article{ID: "a", Name: "n", Content: long})
	if utf8.RuneCountInString(a.Content) != schemas.MaxArticleContent || !utf8.ValidString(a.Content) ||
		!strings.HasPrefix(long, a.Content) || !a.ContentTruncated || a.ContentLength != 20_002 {
		t.Fatalf("cut to %d characters, truncated %v, length %d", utf8.RuneCountInString(a.Content), a.ContentTruncated, a.ContentLength)
	}
	short := schemas.ArticleFrom(&adaclient.Article{ID: "a", Name: "n", Content: "hi"})
	if short.Content != "hi" || short.ContentTruncated || short.ContentLength != 0 || !short.Enabled {
		t.Fatalf("short article %+v (enabled absent is Ada's default, true)", short)
	}
}

func TestUpsertResultFrom(t *testing.T) {
	no := false
	r := schemas.UpsertResultFrom([]adaclient.UpsertResult{{ID: "a", Created: true}, {ID: "b", Success: &no}}, "get_article")
	b, _ := json.Marshal(r)
	if string(b) != `{"results":[{"id":"a","success":true,"created":true},`+
		`{"id":"b","success":false,"created":false,"error":"not written: Ada answered success false (without a reason)"}],"failed":1,`+
		`"note":"1 of 2 were NOT written (success false): b. The others were. Ada gives no reason: send only these again, and check them with get_article."}` {
		t.Fatalf("got %s", b)
	}
}

func TestKnowledgeArgumentValidation(t *testing.T) {
	art := `{"id":"a","name":"n","content":"c","knowledge_source_id":"kb"`
	cases := []struct {
		name  string
		v     interface{ Validate() error }
		field string // "" when valid
	}{
		{"create", decodeArgs[schemas.CreateKnowledgeSourceArgs](t, `{"id":"kb","name":"KB"}`), ""},
		{"create blank name", decodeArgs[schemas.CreateKnowledgeSourceArgs](t, `{"id":"kb","name":" "}`), "name"},
		{"update nothing", decodeArgs[schemas.UpdateKnowledgeSourceArgs](t, `{"id":"kb"}`), "id"},
		{"update clears external_id", decodeArgs[schemas.UpdateKnowledgeSourceArgs](t, `{"id":"kb","external_id":null}`), ""},
		{"no articles", decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[]}`), "articles"},
		{"duplicate article", decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[`+art+`},`+art+`}]}`), "articles[1].id"},
		{"language", decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[`+art+`,"language":"pt_BR"}]}`), "articles[0].language"},
		{"language ok", decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[`+art+`,"language":"zh-Hant-TW"}]}`), ""},
		{"url", decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[`+art+`,"url":"mailto:x@example.com"}]}`), "articles[0].url"},
		{"rule value for unary", decodeArgs[schemas.UpsertArticlesArgs](t, `{"articles":[`+art+`,"availability_rules":{"match":"all","conditions":[{"variable":{"id":"v"},"operator":"is_not_set","value":false}]}}]}`),
			"articles[0].availability_rules.conditions[0].value"},
		{"delete nothing", &schemas.DeleteArticlesArgs{}, "ids"},
		{"delete by empty filter lists", &schemas.DeleteArticlesArgs{Language: []string{}}, "ids"},
		{"delete by filter", &schemas.DeleteArticlesArgs{Enabled: []bool{false}}, ""},
		{"delete both ways", &schemas.DeleteArticlesArgs{IDs: []string{"a"}, TagIDs: []string{"t"}}, "ids"},
		{"delete tags repeated", &schemas.DeleteTagsArgs{IDs: []string{"t", "t"}}, "ids[1]"},
		{"upsert tags", &schemas.UpsertTagsArgs{Tags: []schemas.Tag{{ID: "t", Name: "T"}}}, ""},
	}
	for _, tc := range cases {
		err := tc.v.Validate()
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field == "":
		case err == nil:
			t.Errorf("%s: valid, want an error on %s", tc.name, tc.field)
		default:
			var field string
			switch e := err.(type) {
			case *schemas.ArgumentError:
				field = e.Field
			case *adaclient.ValidationError:
				field = e.Field
			}
			if field != tc.field {
				t.Errorf("%s: %v, want field %s", tc.name, err, tc.field)
			}
		}
	}
}

// A cut never leaves half a token behind: redaction, which runs after it,
// recognises secrets only whole.
func TestArticleCutKeepsNoHalfToken(t *testing.T) {
	key := "ada_live_sk_7f3a9c2e4b1d8f6a0c5e"
	long := strings.Repeat("word ", (schemas.MaxArticleContent-10)/5) + "key " + key + " end"
	a := schemas.ArticleFrom(&adaclient.Article{ID: "a", Name: "n", Content: long})
	if !a.ContentTruncated || strings.Contains(a.Content, key[:8]) || !strings.HasSuffix(a.Content, "key") {
		t.Fatalf("cut content ends %q", a.Content[len(a.Content)-20:])
	}
}
