package schemas

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
	"github.com/ada-mcp/ada-mcp/internal/paging"
	"github.com/ada-mcp/ada-mcp/redact"
)

// The knowledge tools' own bounds (Ada allows more in one request).
const (
	// MaxUpsertBatch is the most articles or tags one upsert tool call
	// sends; Ada accepts larger batches, the tool keeps each call bounded.
	MaxUpsertBatch = 100
	// MaxDeleteIDs is the most ids one delete tool call deletes, each with
	// a request of its own.
	MaxDeleteIDs = 50
	// MaxArticleContent is the most characters of content get_article
	// returns; longer content is cut and flagged.
	MaxArticleContent = 20_000
	// DefaultArticlesPage is list_articles' page size when limit is not
	// given.
	DefaultArticlesPage = 20
)

// AnyObject is an object whose values may be any JSON: knowledge metadata
// (the client's own data, which Ada does not use) and, in results, an
// article's availability rule.
type AnyObject map[string]any

// UnmarshalJSON keeps each value as the JSON it came as (json.RawMessage,
// which encodes as itself): the values are only passed on, and decoding
// thousands of small ones into Go values would cost many times their size.
func (o *AnyObject) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*o = nil
		return nil
	}
	*o = make(AnyObject, len(raw))
	for k, v := range raw {
		(*o)[k] = v
	}
	return nil
}

// KnowledgeSource is a knowledge source as tools return it.
type KnowledgeSource struct {
	ID         string    `json:"id" jsonschema:"required"`
	Name       string    `json:"name" jsonschema:"required"`
	ExternalID string    `json:"external_id,omitempty"`
	Metadata   AnyObject `json:"metadata,omitempty"`
	Status     string    `json:"status,omitempty" jsonschema_description:"deleting: Ada is deleting it and its articles; delete_failed: delete it again."`
	Created    string    `json:"created,omitempty"`
	Updated    string    `json:"updated,omitempty"`
	LastSync   string    `json:"last_sync,omitempty"`
}

// KnowledgeSourceFrom converts Ada's knowledge source.
func KnowledgeSourceFrom(ks *adaclient.KnowledgeSource) KnowledgeSource {
	return KnowledgeSource{ID: ks.ID, Name: ks.Name, ExternalID: str(ks.ExternalID), Metadata: AnyObject(ks.Metadata),
		Status: str(ks.Status), Created: ks.Created, Updated: ks.Updated, LastSync: ks.LastSync}
}

// ListKnowledgeSourcesArgs are list_knowledge_sources' arguments: none.
type ListKnowledgeSourcesArgs struct{}

// ListKnowledgeSourcesResult is list_knowledge_sources' result. Ada returns
// every source at once, so there is no cursor.
type ListKnowledgeSourcesResult struct {
	KnowledgeSources []KnowledgeSource `json:"knowledge_sources" jsonschema:"required"`
	Page                               // has_more always false: one page holds them all
}

// KnowledgeSourcesFrom converts Ada's sources.
func KnowledgeSourcesFrom(in []adaclient.KnowledgeSource) []KnowledgeSource {
	return allFrom(in, KnowledgeSourceFrom)
}

// KnowledgeSourceResult is the result of the tools that return one source.
type KnowledgeSourceResult struct {
	KnowledgeSource KnowledgeSource `json:"knowledge_source" jsonschema:"required"`
}

// CreateKnowledgeSourceArgs are create_knowledge_source's arguments.
type CreateKnowledgeSourceArgs struct {
	ID       string    `json:"id" jsonschema:"required" jsonschema_description:"Your unique id for the source."`
	Name     string    `json:"name" jsonschema:"required"`
	Metadata AnyObject `json:"metadata,omitempty" jsonschema_description:"Your own data; Ada does not use it."`
}

// Validate requires an id and a name.
func (a *CreateKnowledgeSourceArgs) Validate() error {
	if err := validateID("id", a.ID, "list_knowledge_sources shows the ids"); err != nil {
		return err
	}
	return requireArg("name", a.Name)
}

// Request converts the arguments.
func (a *CreateKnowledgeSourceArgs) Request() *adaclient.KnowledgeSourceCreate {
	return &adaclient.KnowledgeSourceCreate{ID: a.ID, Name: a.Name, Metadata: a.Metadata}
}

// UpdateKnowledgeSourceArgs are update_knowledge_source's arguments: the
// fields given change, the others stay.
type UpdateKnowledgeSourceArgs struct {
	ID         string                        `json:"id" jsonschema:"required"`
	Name       *string                       `json:"name,omitempty"`
	ExternalID adaclient.Nullable[string]    `json:"external_id,omitzero" jsonschema_description:"Your system's id for it; null clears it."`
	Metadata   adaclient.Nullable[AnyObject] `json:"metadata,omitzero" jsonschema_description:"The new metadata; null clears it."`
}

// Validate requires the id and at least one field to change.
func (a *UpdateKnowledgeSourceArgs) Validate() error {
	if err := validateID("id", a.ID, "list_knowledge_sources shows the ids"); err != nil {
		return err
	}
	if a.Name == nil && a.ExternalID.IsZero() && a.Metadata.IsZero() {
		return argErr("id", "nothing to update: give name, external_id or metadata")
	}
	if a.Name != nil {
		return requireArg("name", *a.Name)
	}
	return nil
}

// Request converts the arguments; only the fields given are sent.
func (a *UpdateKnowledgeSourceArgs) Request() *adaclient.KnowledgeSourceUpdate {
	return &adaclient.KnowledgeSourceUpdate{Name: a.Name, ExternalID: a.ExternalID, Metadata: adaclient.MapNullable(a.Metadata, asMap)}
}

// KnowledgeSourceArgs name one source: delete_knowledge_source's arguments.
type KnowledgeSourceArgs struct {
	ID string `json:"id" jsonschema:"required"`
}

// Validate requires the id.
func (a *KnowledgeSourceArgs) Validate() error {
	return validateID("id", a.ID, "list_knowledge_sources shows the ids")
}

// DeleteKnowledgeSourceResult is delete_knowledge_source's result: Ada
// accepted the deletion, which runs in the background.
type DeleteKnowledgeSourceResult struct {
	ID     string `json:"id" jsonschema:"required"`
	Status string `json:"status" jsonschema:"required" jsonschema_description:"deleting: Ada deletes the source and its articles in the background."`
	Note   string `json:"note" jsonschema:"required"`
}

// ArticleSummary is an article without its content, as list_articles
// returns it.
type ArticleSummary struct {
	ID                string   `json:"id" jsonschema:"required"`
	Name              string   `json:"name" jsonschema:"required"`
	URL               string   `json:"url,omitempty"`
	Language          string   `json:"language,omitempty"`
	Enabled           bool     `json:"enabled" jsonschema:"required"`
	TagIDs            []string `json:"tag_ids,omitempty"`
	KnowledgeSourceID string   `json:"knowledge_source_id,omitempty"`
	Updated           string   `json:"updated,omitempty"`
}

// ArticleSummaryFrom converts Ada's article, leaving its content out.
// enabled absent is Ada's default, true.
func ArticleSummaryFrom(a *adaclient.Article) ArticleSummary {
	return ArticleSummary{ID: a.ID, Name: a.Name, URL: str(a.URL), Language: a.Language, Enabled: a.Enabled == nil || *a.Enabled,
		TagIDs: a.TagIDs, KnowledgeSourceID: str(a.KnowledgeSourceID), Updated: a.Updated}
}

// ListArticlesArgs are list_articles' arguments: Ada's filters (each a
// list of values) and the page.
type ListArticlesArgs struct {
	ID                []string `json:"id,omitempty"`
	Enabled           []bool   `json:"enabled,omitempty"`
	Language          []string `json:"language,omitempty" jsonschema_description:"ISO 639-1 codes such as en, fr, zh-tw."`
	KnowledgeSourceID []string `json:"knowledge_source_id,omitempty"`
	TagIDs            []string `json:"tag_ids,omitempty"`
	Limit             int      `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
	Cursor            string   `json:"cursor,omitempty" jsonschema_description:"next_cursor of the previous page, with the same filters and limit."`

	page string // Ada's cursor, from Cursor (Validate)
}

// listing spells the filters and page size for the cursor's fingerprint.
func (a *ListArticlesArgs) listing() string {
	enabled := make([]string, len(a.Enabled))
	for i, e := range a.Enabled {
		enabled[i] = strconv.FormatBool(e)
	}
	return paging.Listing(cmp.Or(a.Limit, DefaultArticlesPage), a.ID, enabled, a.Language, a.KnowledgeSourceID, a.TagIDs)
}

// Validate reads the cursor: a next_cursor of the same listing.
func (a *ListArticlesArgs) Validate() error {
	if err := noBlankFilters(map[string][]string{"id": a.ID, "language": a.Language, "knowledge_source_id": a.KnowledgeSourceID, "tag_ids": a.TagIDs}); err != nil {
		return err
	}
	return listingPage(a.Cursor, a.listing(), "list_articles", "id, enabled, language, knowledge_source_id, tag_ids and limit", &a.page)
}

// NextCursor is the next_cursor to hand out for Ada's cursor of the next page.
func (a *ListArticlesArgs) NextCursor(adaCursor string) string {
	return paging.ListingCursor(adaCursor, a.listing())
}

// Options converts the arguments, defaulting limit to DefaultArticlesPage.
func (a *ListArticlesArgs) Options() *adaclient.ListArticlesOptions {
	limit := cmp.Or(a.Limit, DefaultArticlesPage)
	return &adaclient.ListArticlesOptions{
		ArticleFilter: adaclient.ArticleFilter{IDs: a.ID, Enabled: a.Enabled, Languages: a.Language, KnowledgeSourceIDs: a.KnowledgeSourceID, TagIDs: a.TagIDs},
		ListOptions:   adaclient.ListOptions{Limit: limit, Cursor: a.page},
	}
}

// ListArticlesResult is list_articles' result.
type ListArticlesResult struct {
	Articles []ArticleSummary `json:"articles" jsonschema:"required"`
	Page
}

// ArticleSummariesFrom converts a page of articles.
func ArticleSummariesFrom(in []adaclient.Article) []ArticleSummary {
	return allFrom(in, ArticleSummaryFrom)
}

// Article is one article with its content, as get_article returns it.
type Article struct {
	ArticleSummary
	Content          string    `json:"content" jsonschema:"required" jsonschema_description:"Markdown."`
	ContentTruncated bool      `json:"content_truncated,omitempty" jsonschema_description:"The content was cut at 20,000 characters."`
	ContentLength    int       `json:"content_length,omitempty" jsonschema_description:"The whole content's length in characters, when cut."`
	Created          string    `json:"created,omitempty"`
	ExternalCreated  string    `json:"external_created,omitempty"`
	ExternalUpdated  string    `json:"external_updated,omitempty"`
	Metadata         AnyObject `json:"metadata,omitempty"`
	// AvailabilityRules is Ada's rule as it returned it.
	AvailabilityRules AnyObject `json:"availability_rules,omitempty"`
}

// ArticleFrom converts Ada's article, cutting its content to
// MaxArticleContent characters.
func ArticleFrom(a *adaclient.Article) Article {
	out := Article{ArticleSummary: ArticleSummaryFrom(a), Content: a.Content, Created: a.Created,
		ExternalCreated: str(a.ExternalCreated), ExternalUpdated: str(a.ExternalUpdated), Metadata: AnyObject(a.Metadata)}
	if n := utf8.RuneCountInString(a.Content); n > MaxArticleContent {
		out.Content, out.ContentTruncated, out.ContentLength = truncateRunes(a.Content, MaxArticleContent), true, n
	}
	if a.AvailabilityRules != nil {
		// The rule's own shape: a round trip cannot fail on a value decoded from JSON.
		b, _ := json.Marshal(a.AvailabilityRules)
		_ = json.Unmarshal(b, &out.AvailabilityRules)
	}
	return out
}

// truncateRunes cuts s to n runes between words (redact.Cut: the result is
// redacted after this, and half a secret would not be recognised).
func truncateRunes(s string, n int) string {
	out, cut := redact.Cut(s, n)
	if cut {
		out = strings.TrimSuffix(out, "…") // content_truncated says so
	}
	return out
}

// ArticleArgs name one article: get_article's arguments.
type ArticleArgs struct {
	ID string `json:"id" jsonschema:"required"`
}

// Validate requires the id.
func (a *ArticleArgs) Validate() error { return validateID("id", a.ID, "list_articles shows the ids") }

// ArticleResult is get_article's result.
type ArticleResult struct {
	Article Article `json:"article" jsonschema:"required"`
}

// AvailabilityRule is Ada's availability rule in arguments: when the AI
// Agent may use an article, from variable values in the conversation.
type AvailabilityRule struct {
	Match      string          `json:"match" jsonschema:"required,enum=all,enum=any"`
	Conditions []RuleCondition `json:"conditions" jsonschema:"required,minItems=1"`
}

// RuleCondition is a condition, or a group of conditions (match and
// conditions), in a rule's list.
type RuleCondition struct {
	Variable      *RuleVariable `json:"variable,omitempty"`
	Operator      string        `json:"operator,omitempty" jsonschema:"enum=equals,enum=does_not_equal,enum=greater_than,enum=less_than,enum=starts_with,enum=ends_with,enum=contains,enum=does_not_contain,enum=is_set,enum=is_not_set"`
	Value         RuleValue     `json:"value,omitempty" jsonschema_description:"None with is_set and is_not_set."`
	CaseSensitive bool          `json:"case_sensitive,omitempty"`
	Match         string        `json:"match,omitempty" jsonschema:"enum=all,enum=any"`
	Conditions    []RuleLeaf    `json:"conditions,omitempty" jsonschema_description:"A group's conditions."`
}

// RuleLeaf is a condition inside a group (groups do not nest).
type RuleLeaf struct {
	Variable      RuleVariable `json:"variable" jsonschema:"required"`
	Operator      string       `json:"operator" jsonschema:"required,enum=equals,enum=does_not_equal,enum=greater_than,enum=less_than,enum=starts_with,enum=ends_with,enum=contains,enum=does_not_contain,enum=is_set,enum=is_not_set"`
	Value         RuleValue    `json:"value,omitempty"`
	CaseSensitive bool         `json:"case_sensitive,omitempty"`
}

// RuleVariable names a variable by its id in Ada.
type RuleVariable struct {
	ID string `json:"id" jsonschema:"required"`
}

// RuleValue is a condition's value: a string, number or boolean.
type RuleValue any

// request converts the rule to Ada's.
func (r *AvailabilityRule) request() adaclient.AvailabilityRule {
	out := adaclient.AvailabilityRule{Match: r.Match, Conditions: make([]adaclient.AvailabilityCondition, len(r.Conditions))}
	for i, c := range r.Conditions {
		ac := adaclient.AvailabilityCondition{Operator: c.Operator, Value: c.Value, CaseSensitive: trueOrNil(c.CaseSensitive), Match: c.Match}
		if c.Variable != nil {
			ac.Variable = &adaclient.VariableRef{ID: c.Variable.ID}
		}
		for _, l := range c.Conditions {
			ac.Conditions = append(ac.Conditions, adaclient.AvailabilityCondition{Variable: &adaclient.VariableRef{ID: l.Variable.ID},
				Operator: l.Operator, Value: l.Value, CaseSensitive: trueOrNil(l.CaseSensitive)})
		}
		out.Conditions[i] = ac
	}
	return out
}

func trueOrNil(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

// ArticleInput is one article of upsert_articles.
type ArticleInput struct {
	ID                string                               `json:"id" jsonschema:"required"`
	Name              string                               `json:"name" jsonschema:"required"`
	Content           string                               `json:"content" jsonschema:"required,maxLength=102400" jsonschema_description:"Markdown; the whole article at most 100 KB."`
	KnowledgeSourceID string                               `json:"knowledge_source_id" jsonschema:"required"`
	URL               adaclient.Nullable[string]           `json:"url,omitzero" jsonschema_description:"null clears it."`
	TagIDs            []string                             `json:"tag_ids,omitempty" jsonschema_description:"Tag ids (list_tags, upsert_tags); [] removes every tag."`
	Language          string                               `json:"language,omitempty" jsonschema_description:"BCP 47, e.g. en, fr-CA; default en."`
	ExternalCreated   adaclient.Nullable[string]           `json:"external_created,omitzero" jsonschema_description:"When your system created it: RFC 3339 date-time; null clears it."`
	ExternalUpdated   adaclient.Nullable[string]           `json:"external_updated,omitzero" jsonschema_description:"When your system last updated it, as external_created."`
	Enabled           *bool                                `json:"enabled,omitempty" jsonschema_description:"false keeps the AI Agent from using it; default true."`
	Metadata          adaclient.Nullable[AnyObject]        `json:"metadata,omitzero" jsonschema_description:"Your own data; null clears it."`
	AvailabilityRules adaclient.Nullable[AvailabilityRule] `json:"availability_rules,omitzero" jsonschema_description:"When the AI Agent may use it: a rule attaches or replaces, null detaches, absent keeps the current one."`
}

// UpsertArticlesArgs are upsert_articles' arguments.
type UpsertArticlesArgs struct {
	Articles []ArticleInput `json:"articles" jsonschema:"required,minItems=1,maxItems=100"`
}

var languageTag = lazyregexp.New(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// Validate checks what Ada would reject before anything is sent: 1 to 100
// articles with distinct ids, an id, name and knowledge_source_id each, an
// absolute http(s) url, RFC 3339 external dates, a BCP 47 language, no
// empty tag id, and the shape of each availability rule. Sizes (100 KB an article, 10 MB in all) are
// checked by the client.
func (a *UpsertArticlesArgs) Validate() error {
	if err := batchSize("articles", len(a.Articles)); err != nil {
		return err
	}
	seen := map[string]int{}
	for i, in := range a.Articles {
		at := fmt.Sprintf("articles[%d]", i)
		if err := validateID(at+".id", in.ID, ""); err != nil {
			return err
		}
		if j, dup := seen[in.ID]; dup {
			return argErr(at+".id", "repeats articles[%d].id: give each article once", j)
		}
		seen[in.ID] = i
		if err := requireArg(at+".name", in.Name); err != nil {
			return err
		}
		if err := requireArg(at+".knowledge_source_id", in.KnowledgeSourceID); err != nil {
			return argErr(at+".knowledge_source_id", "is required: list_knowledge_sources shows the ids")
		}
		if v, ok := in.URL.Get(); ok {
			if !adaclient.IsHTTPURL(v) {
				return argErr(at+".url", "must be an absolute http(s) URL, or null to clear it")
			}
		}
		if err := dateTimeArg(at+".external_created", in.ExternalCreated); err != nil {
			return err
		}
		if err := dateTimeArg(at+".external_updated", in.ExternalUpdated); err != nil {
			return err
		}
		if in.Language != "" && !languageTag().MatchString(in.Language) {
			return argErr(at+".language", "must be a BCP 47 code such as en, fr-CA or zh-TW")
		}
		if slices.ContainsFunc(in.TagIDs, func(t string) bool { return strings.TrimSpace(t) == "" }) {
			return argErr(at+".tag_ids", "must not contain an empty id")
		}
		if r, ok := in.AvailabilityRules.Get(); ok {
			rule := r.request()
			if err := adaclient.ValidateAvailabilityRule(at+".availability_rules", &rule); err != nil {
				return err
			}
		}
	}
	return nil
}

// dateTimeArg requires an RFC 3339 date-time when a value is given (null
// and absent pass).
func dateTimeArg(field string, v adaclient.Nullable[string]) error {
	if s, ok := v.Get(); ok && !adaclient.IsDateTime(s) {
		return argErr(field, "must be an RFC 3339 date-time with a time zone, such as 2026-06-01T09:30:00Z, or null to clear it")
	}
	return nil
}

// Request converts the arguments to Ada's bulk upsert.
func (a *UpsertArticlesArgs) Request() []adaclient.ArticleUpsert {
	out := make([]adaclient.ArticleUpsert, len(a.Articles))
	for i, in := range a.Articles {
		out[i] = adaclient.ArticleUpsert{ID: in.ID, Name: in.Name, Content: in.Content, KnowledgeSourceID: in.KnowledgeSourceID,
			URL: in.URL, TagIDs: in.TagIDs, Language: in.Language, ExternalCreated: in.ExternalCreated, ExternalUpdated: in.ExternalUpdated,
			Enabled: in.Enabled, Metadata: adaclient.MapNullable(in.Metadata, asMap),
			AvailabilityRules: adaclient.MapNullable(in.AvailabilityRules, func(r AvailabilityRule) adaclient.AvailabilityRule { return r.request() })}
	}
	return out
}

// UpsertOutcome is Ada's answer for one article or tag of a bulk upsert.
type UpsertOutcome struct {
	ID      string `json:"id" jsonschema:"required"`
	Success bool   `json:"success" jsonschema:"required"`
	Created bool   `json:"created" jsonschema:"required" jsonschema_description:"false: an existing one was updated."`
	Error   string `json:"error,omitempty"`
}

// UpsertResult is upsert_articles' and upsert_tags' result: one outcome
// per item, in order, and how many Ada did not write.
type UpsertResult struct {
	Results []UpsertOutcome `json:"results" jsonschema:"required"`
	Failed  int             `json:"failed" jsonschema:"required" jsonschema_description:"Items Ada did not write (success false)."`
	Note    string          `json:"note,omitempty"`
}

// upsertFailed is the error of an item Ada answered success false; Ada
// gives no reason.
const upsertFailed = "not written: Ada answered success false (without a reason)"

// UpsertResultFrom converts Ada's per-item answers, counting and naming
// those Ada answered success false; check says how to look at them. An
// item without success is counted as applied: Ada answered the batch 200.
func UpsertResultFrom(in []adaclient.UpsertResult, check string) *UpsertResult {
	out := &UpsertResult{Results: make([]UpsertOutcome, len(in))}
	var failed []string
	for i, r := range in {
		o := UpsertOutcome{ID: r.ID, Success: r.Success == nil || *r.Success, Created: r.Created}
		if !o.Success {
			o.Error = upsertFailed
			failed = append(failed, r.ID)
		}
		out.Results[i] = o
	}
	if out.Failed = len(failed); out.Failed > 0 {
		out.Note = fmt.Sprintf("%d of %d were NOT written (success false): %s. The others were. "+
			"Ada gives no reason: send only these again, and check them with %s.",
			out.Failed, len(in), strings.Join(failed, ", "), check)
	}
	return out
}

// DeleteArticlesArgs are delete_articles' arguments: ids, or filters.
type DeleteArticlesArgs struct {
	IDs               []string `json:"ids,omitempty" jsonschema:"maxItems=50" jsonschema_description:"Delete these now, one by one. Or give filters instead."`
	Enabled           []bool   `json:"enabled,omitempty"`
	Language          []string `json:"language,omitempty"`
	KnowledgeSourceID []string `json:"knowledge_source_id,omitempty"`
	TagIDs            []string `json:"tag_ids,omitempty"`
}

// noBlankFilters refuses a filter value that is empty or spaces only, in
// a fixed order of the fields.
func noBlankFilters(filters map[string][]string) error {
	for _, field := range slices.Sorted(maps.Keys(filters)) {
		for _, v := range filters[field] {
			if strings.TrimSpace(v) == "" {
				return argErr(field, "must not hold an empty value: give the values to filter by, or leave %s out", field)
			}
		}
	}
	return nil
}

// Filter is the filter part of the arguments.
func (a *DeleteArticlesArgs) Filter() *adaclient.ArticleFilter {
	return &adaclient.ArticleFilter{Enabled: a.Enabled, Languages: a.Language, KnowledgeSourceIDs: a.KnowledgeSourceID, TagIDs: a.TagIDs}
}

// Validate requires ids or at least one filter, not both: an empty filter
// would delete every article.
func (a *DeleteArticlesArgs) Validate() error {
	// A blank value would be sent as key= (language=, say), which Ada may
	// read as no filter at all: every article.
	if err := noBlankFilters(map[string][]string{"language": a.Language, "knowledge_source_id": a.KnowledgeSourceID, "tag_ids": a.TagIDs}); err != nil {
		return err
	}
	filtered := !a.Filter().IsEmpty()
	switch {
	case len(a.IDs) > 0 && filtered:
		return argErr("ids", "give ids or filters (enabled, language, knowledge_source_id, tag_ids), not both")
	case len(a.IDs) == 0 && !filtered:
		return argErr("ids", "give ids, or at least one filter (enabled, language, knowledge_source_id, tag_ids): without one every article would be deleted")
	case filtered:
		return nil
	}
	return validateIDs("ids", a.IDs, "list_articles")
}

// DeleteOutcome is what happened to one id of a delete by ids.
type DeleteOutcome struct {
	ID      string `json:"id" jsonschema:"required"`
	Deleted bool   `json:"deleted" jsonschema:"required"`
	Error   string `json:"error,omitempty"`
}

// DeleteArticlesResult is delete_articles' result: per id, or a filter
// deletion Ada accepted.
type DeleteArticlesResult struct {
	Results  []DeleteOutcome `json:"results,omitempty"`
	Accepted bool            `json:"accepted,omitempty" jsonschema_description:"Ada took the filter deletion; it runs in the background."`
	Note     string          `json:"note,omitempty"`
}

// Tag is an article tag.
type Tag struct {
	ID   string `json:"id" jsonschema:"required"`
	Name string `json:"name" jsonschema:"required"`
}

// ListTagsArgs are list_tags' arguments: none.
type ListTagsArgs struct{}

// ListTagsResult is list_tags' result: every tag (Ada's list is not
// paginated).
type ListTagsResult struct {
	Tags []Tag `json:"tags" jsonschema:"required"`
	Page       // has_more always false: one page holds them all
}

// TagsFrom converts Ada's tags.
func TagsFrom(in []adaclient.ArticleTag) []Tag {
	return allFrom(in, func(t *adaclient.ArticleTag) Tag { return Tag(*t) })
}

// UpsertTagsArgs are upsert_tags' arguments.
type UpsertTagsArgs struct {
	Tags []Tag `json:"tags" jsonschema:"required,minItems=1,maxItems=100"`
}

// Validate requires 1 to 100 tags with distinct, non-empty ids and names.
func (a *UpsertTagsArgs) Validate() error {
	if err := batchSize("tags", len(a.Tags)); err != nil {
		return err
	}
	seen := map[string]int{}
	for i, t := range a.Tags {
		at := fmt.Sprintf("tags[%d]", i)
		if err := validateID(at+".id", t.ID, ""); err != nil {
			return err
		}
		if j, dup := seen[t.ID]; dup {
			return argErr(at+".id", "repeats tags[%d].id: give each tag once", j)
		}
		seen[t.ID] = i
		if err := requireArg(at+".name", t.Name); err != nil {
			return err
		}
	}
	return nil
}

// Request converts the arguments.
func (a *UpsertTagsArgs) Request() []adaclient.ArticleTag {
	return allFrom(a.Tags, func(t *Tag) adaclient.ArticleTag { return adaclient.ArticleTag(*t) })
}

// DeleteTagsArgs are delete_tags' arguments.
type DeleteTagsArgs struct {
	IDs []string `json:"ids" jsonschema:"required,minItems=1,maxItems=50"`
}

// Validate requires 1 to 50 distinct ids.
func (a *DeleteTagsArgs) Validate() error { return validateIDs("ids", a.IDs, "list_tags") }

// DeleteTagsResult is delete_tags' result: one outcome per id.
type DeleteTagsResult struct {
	Results []DeleteOutcome `json:"results" jsonschema:"required"`
}

func batchSize(field string, n int) error {
	switch {
	case n == 0:
		return argErr(field, "give at least one")
	case n > MaxUpsertBatch:
		return argErr(field, "has %d items; one call takes at most %d (Ada takes more, so call again with the rest)", n, MaxUpsertBatch)
	}
	return nil
}

// validateIDs requires 1 to MaxDeleteIDs distinct ids.
func validateIDs(field string, ids []string, lister string) error {
	switch {
	case len(ids) == 0:
		return argErr(field, "give at least one id")
	case len(ids) > MaxDeleteIDs:
		return argErr(field, "has %d ids; one call deletes at most %d, call again with the rest", len(ids), MaxDeleteIDs)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		at := fmt.Sprintf("%s[%d]", field, i)
		if err := validateID(at, id, lister+" shows the ids"); err != nil {
			return err
		}
		if seen[id] {
			return argErr(at, "repeats an id given before")
		}
		seen[id] = true
	}
	return nil
}

func requireArg(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return argErr(field, "is required")
	}
	return nil
}

// Destruction names what delete_knowledge_source deletes, for the confirmation.
func (a *KnowledgeSourceArgs) Destruction() string {
	return fmt.Sprintf("the knowledge source %s and every article in it", a.ID)
}

// Destruction names what delete_articles deletes, for the confirmation.
func (a *DeleteArticlesArgs) Destruction() string {
	if len(a.IDs) > 0 {
		return fmt.Sprintf("%d knowledge article(s): %s", len(a.IDs), strings.Join(a.IDs, ", "))
	}
	var f []string
	add := func(name string, v any, n int) {
		if n > 0 {
			f = append(f, fmt.Sprintf("%s in %v", name, v))
		}
	}
	add("enabled", a.Enabled, len(a.Enabled))
	add("language", a.Language, len(a.Language))
	add("knowledge_source_id", a.KnowledgeSourceID, len(a.KnowledgeSourceID))
	add("tag_ids", a.TagIDs, len(a.TagIDs))
	return "every knowledge article with " + strings.Join(f, " and ")
}

// Destruction names what delete_tags deletes, for the confirmation.
func (a *DeleteTagsArgs) Destruction() string {
	return fmt.Sprintf("%d tag(s), and their place on the articles that carry them: %s", len(a.IDs), strings.Join(a.IDs, ", "))
}

// asMap is an object argument as the client sends it.
func asMap(m AnyObject) map[string]any { return map[string]any(m) }
