package adaclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// KnowledgeService is Ada's Knowledge API (/v2/knowledge/...): the knowledge
// sources, the articles the AI Agent answers from, and the tags on articles.
type KnowledgeService struct{ c *Client }

// Ada's documented Knowledge limits (bulk article upsert).
const (
	// MaxArticleBytes is the largest article Ada accepts, measured here on
	// the article's JSON encoding (Ada does not say what it measures).
	MaxArticleBytes = 100 * 1024
	// MaxRequestBytes is Ada's request size limit (413 above it).
	MaxRequestBytes = maxRequestBody
	// MaxRuleConditions bounds the conditions of one availability rule,
	// counted across the root and its groups.
	MaxRuleConditions = 1000
)

// Knowledge source deletion statuses. Status is nil when no deletion is in
// progress.
const (
	KnowledgeSourceDeleting     = "deleting"
	KnowledgeSourceDeleteFailed = "delete_failed"
)

// KnowledgeSource is a knowledge source: a set of articles synced from one
// system. Metadata is the client's own, unused by Ada.
type KnowledgeSource struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	ExternalID *string        `json:"external_id"`
	Metadata   map[string]any `json:"metadata"`
	Created    string         `json:"created,omitempty"`
	Updated    string         `json:"updated,omitempty"`
	LastSync   string         `json:"last_sync,omitempty"`
	// Status is KnowledgeSourceDeleting while an asynchronous deletion
	// runs, KnowledgeSourceDeleteFailed when it failed; nil otherwise.
	Status *string `json:"status"`
}

// KnowledgeSourceCreate is the body of POST /v2/knowledge/sources/.
type KnowledgeSourceCreate struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// KnowledgeSourceUpdate is the body of PATCH /v2/knowledge/sources/{id}:
// only the fields set are sent. ExternalID and Metadata null clear them.
type KnowledgeSourceUpdate struct {
	Name       *string                  `json:"name,omitempty"`
	ExternalID Nullable[string]         `json:"external_id,omitzero"`
	Metadata   Nullable[map[string]any] `json:"metadata,omitzero"`
}

// Article is a knowledge article as Ada returns it.
type Article struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Content string  `json:"content"` // markdown
	URL     *string `json:"url"`
	// KnowledgeSourceID is the source the article belongs to.
	KnowledgeSourceID *string `json:"knowledge_source_id"`
	// Language is an ISO 639-1 code such as "en" or "zh-tw".
	Language          string            `json:"language,omitempty"`
	TagIDs            []string          `json:"tag_ids"`
	Created           string            `json:"created,omitempty"`
	Updated           string            `json:"updated,omitempty"`
	ExternalCreated   *string           `json:"external_created"`
	ExternalUpdated   *string           `json:"external_updated"`
	Enabled           *bool             `json:"enabled"` // nil: Ada's default, true
	Metadata          map[string]any    `json:"metadata"`
	AvailabilityRules *AvailabilityRule `json:"availability_rules"`
}

// AvailabilityRule decides when the AI Agent may use an article, from
// variable values during a conversation: a root match (all|any) over
// conditions and groups of conditions (one level deep).
type AvailabilityRule struct {
	Match      string                  `json:"match"`
	Conditions []AvailabilityCondition `json:"conditions"`
}

// AvailabilityCondition is a condition (Variable, Operator, Value,
// CaseSensitive) or, in a rule's root list, a group (Match, Conditions).
type AvailabilityCondition struct {
	Variable *VariableRef `json:"variable,omitempty"`
	Operator string       `json:"operator,omitempty"`
	// Value is a string, number or boolean; nil for the unary operators
	// is_set and is_not_set.
	Value         any   `json:"value,omitempty"`
	CaseSensitive *bool `json:"case_sensitive,omitempty"`

	Match      string                  `json:"match,omitempty"`
	Conditions []AvailabilityCondition `json:"conditions,omitempty"`
}

// VariableRef names a variable by id (Ada's Variables API lists them).
type VariableRef struct {
	ID string `json:"id"`
}

// IsGroup reports whether the condition is a group of conditions.
func (c *AvailabilityCondition) IsGroup() bool { return c.Match != "" || c.Conditions != nil }

// Availability rule operators Ada documents; the unary ones take no value.
const (
	OperatorIsSet    = "is_set"
	OperatorIsNotSet = "is_not_set"
)

// ArticleUpsert is one article of POST /v2/knowledge/bulk/articles/,
// created or updated by ID.
type ArticleUpsert struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Content           string `json:"content"` // markdown
	KnowledgeSourceID string `json:"knowledge_source_id"`
	// URL, ExternalCreated, ExternalUpdated and Metadata: a value sets it,
	// null clears it, absent leaves it unchanged.
	URL Nullable[string] `json:"url,omitzero"`
	// TagIDs nil is not sent; an empty, non-nil slice is.
	TagIDs []string `json:"tag_ids,omitzero"`
	// Language is a BCP 47 code; empty leaves Ada's default (en).
	Language string `json:"language,omitempty"`
	// ExternalCreated and ExternalUpdated are RFC 3339 date-times: when the
	// article was created and last updated in the source system.
	ExternalCreated Nullable[string]         `json:"external_created,omitzero"`
	ExternalUpdated Nullable[string]         `json:"external_updated,omitzero"`
	Enabled         *bool                    `json:"enabled,omitempty"`
	Metadata        Nullable[map[string]any] `json:"metadata,omitzero"`
	// AvailabilityRules: a rule attaches or replaces the article's rule,
	// null detaches it, absent leaves it unchanged.
	AvailabilityRules Nullable[AvailabilityRule] `json:"availability_rules,omitzero"`
}

// UpsertResult is Ada's per-item answer to a bulk upsert.
type UpsertResult struct {
	ID string `json:"id"`
	// Success is nil when Ada leaves it out.
	Success *bool `json:"success"`
	// Created is true for a new record, false for an update.
	Created bool `json:"created"`
}

// ArticleTag is a tag that articles carry by id.
type ArticleTag struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ArticleFilter selects articles (GET and DELETE /v2/knowledge/articles/):
// an article matches when, for every filter given, it has one of its values.
type ArticleFilter struct {
	IDs                []string // id
	Enabled            []bool   // enabled
	Languages          []string // language
	KnowledgeSourceIDs []string // knowledge_source_id
	TagIDs             []string // tag_ids
}

// IsEmpty reports whether the filter selects every article.
func (f *ArticleFilter) IsEmpty() bool {
	return f == nil || len(f.IDs)+len(f.Enabled)+len(f.Languages)+len(f.KnowledgeSourceIDs)+len(f.TagIDs) == 0
}

// values adds the filter to q as Ada's array parameters, one key per value.
func (f *ArticleFilter) values(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if f == nil {
		return q
	}
	for _, v := range f.IDs {
		q.Add("id", v)
	}
	for _, v := range f.Enabled {
		q.Add("enabled", strconv.FormatBool(v))
	}
	for _, v := range f.Languages {
		q.Add("language", v)
	}
	for _, v := range f.KnowledgeSourceIDs {
		q.Add("knowledge_source_id", v)
	}
	for _, v := range f.TagIDs {
		q.Add("tag_ids", v)
	}
	return q
}

// ListArticlesOptions filters and pages GET /v2/knowledge/articles/.
type ListArticlesOptions struct {
	ArticleFilter
	ListOptions
}

func sourcePath(id string) string  { return "/v2/knowledge/sources/" + pathEscape(id) }
func articlePath(id string) string { return "/v2/knowledge/articles/" + pathEscape(id) }
func tagPath(id string) string     { return "/v2/knowledge/tags/" + pathEscape(id) }

// ListSources returns every knowledge source (Ada's list is not paginated).
// GET /v2/knowledge/sources/
func (s *KnowledgeService) ListSources(ctx context.Context) ([]KnowledgeSource, *Response, error) {
	return list[KnowledgeSource](s.c, ctx, "/v2/knowledge/sources/", nil)
}

// CreateSource creates a knowledge source (Ada answers 200). An ID already
// taken is a 409 *ErrorResponse (IsConflict). Not repeated once it may have
// reached Ada: after an outcome-unknown error, list the sources.
// POST /v2/knowledge/sources/
func (s *KnowledgeService) CreateSource(ctx context.Context, req *KnowledgeSourceCreate) (*KnowledgeSource, *Response, error) {
	if req == nil {
		return nil, nil, invalid("id", "is required")
	}
	if err := validateID("id", req.ID); err != nil {
		return nil, nil, err
	}
	if err := requireText("name", req.Name); err != nil {
		return nil, nil, err
	}
	return s.source(ctx, call{method: http.MethodPost, path: "/v2/knowledge/sources/", body: req, mode: notIdempotent})
}

// UpdateSource changes the fields set in req, at least one.
// PATCH /v2/knowledge/sources/{id}
func (s *KnowledgeService) UpdateSource(ctx context.Context, id string, req *KnowledgeSourceUpdate) (*KnowledgeSource, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	if req == nil || (req.Name == nil && req.ExternalID.IsZero() && req.Metadata.IsZero()) {
		return nil, nil, invalid("knowledge source", "an update needs at least one of name, external_id, metadata")
	}
	if req.Name != nil {
		if err := requireText("name", *req.Name); err != nil {
			return nil, nil, err
		}
	}
	return s.source(ctx, call{method: http.MethodPatch, path: sourcePath(id), body: req, mode: idempotent})
}

// DeleteSource asks Ada to delete a knowledge source and all its articles.
// Ada answers 204 at once and deletes in the background: the source lists
// with status "deleting" until it is gone ("delete_failed": call again).
// DELETE /v2/knowledge/sources/{id}
func (s *KnowledgeService) DeleteSource(ctx context.Context, id string) (*Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: sourcePath(id), mode: idempotent}, nil)
}

func (s *KnowledgeService) source(ctx context.Context, cl call) (*KnowledgeSource, *Response, error) {
	var ks KnowledgeSource
	r, err := s.c.do(ctx, cl, &ks)
	if err != nil {
		return nil, r, err
	}
	return &ks, r, nil
}

// ListArticles returns one page of the articles matching the filter;
// Response.NextCursor continues.
// GET /v2/knowledge/articles/
func (s *KnowledgeService) ListArticles(ctx context.Context, opts *ListArticlesOptions) ([]Article, *Response, error) {
	var q url.Values
	if opts != nil {
		q = opts.ArticleFilter.values(nil)
		var err error
		if q, err = opts.ListOptions.values(q); err != nil {
			return nil, nil, err
		}
	}
	return list[Article](s.c, ctx, "/v2/knowledge/articles/", q)
}

// GetArticle fetches one article with its content.
// GET /v2/knowledge/articles/{id}
func (s *KnowledgeService) GetArticle(ctx context.Context, id string) (*Article, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	var a Article
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: articlePath(id), mode: idempotent}, &a)
	if err != nil {
		return nil, r, err
	}
	return &a, r, nil
}

// DeleteArticle deletes one article (204). Retried like a GET, so after a
// retry a 404 may mean an earlier attempt deleted it.
// DELETE /v2/knowledge/articles/{id}
func (s *KnowledgeService) DeleteArticle(ctx context.Context, id string) (*Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: articlePath(id), mode: idempotent}, nil)
}

// DeleteArticles asks Ada to delete every article matching the filter.
// Ada answers 204 and deletes in the background (list with the same filter
// until none is left); a 404 means no article matched. An empty filter is
// refused here: it would delete every article.
// DELETE /v2/knowledge/articles/
func (s *KnowledgeService) DeleteArticles(ctx context.Context, f *ArticleFilter) (*Response, error) {
	if f.IsEmpty() {
		return nil, invalid("filter", "is empty: that would delete every article; give at least one of id, enabled, language, knowledge_source_id, tag_ids")
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: "/v2/knowledge/articles/", query: f.values(nil), mode: idempotent}, nil)
}

// UpsertArticles creates or updates articles by id, returning Ada's
// outcome per article in order. Idempotent (retried like a GET). Ada
// rejects the whole batch when it would take the knowledge base past its
// article limit: see ArticleLimitFrom.
// POST /v2/knowledge/bulk/articles/
func (s *KnowledgeService) UpsertArticles(ctx context.Context, articles []ArticleUpsert) ([]UpsertResult, *Response, error) {
	if len(articles) == 0 {
		return nil, nil, invalid("articles", "must hold at least one article")
	}
	total := 2 // the brackets
	for i := range articles {
		n, err := validateArticle(fmt.Sprintf("articles[%d]", i), &articles[i])
		if err != nil {
			return nil, nil, err
		}
		total += n + 1
	}
	if total > MaxRequestBytes {
		return nil, nil, invalid("articles", "are %d bytes as JSON; Ada accepts at most 10 MB per request: split them into smaller batches", total)
	}
	return s.bulk(ctx, "/v2/knowledge/bulk/articles/", articles)
}

// ListTags returns every article tag (Ada's list is not paginated).
// GET /v2/knowledge/tags/
func (s *KnowledgeService) ListTags(ctx context.Context) ([]ArticleTag, *Response, error) {
	return list[ArticleTag](s.c, ctx, "/v2/knowledge/tags/", nil)
}

// UpsertTags creates or renames tags by id, returning Ada's outcome per tag
// in order. Idempotent (retried like a GET).
// POST /v2/knowledge/bulk/tags/
func (s *KnowledgeService) UpsertTags(ctx context.Context, tags []ArticleTag) ([]UpsertResult, *Response, error) {
	if len(tags) == 0 {
		return nil, nil, invalid("tags", "must hold at least one tag")
	}
	for i, t := range tags {
		if err := validateID(fmt.Sprintf("tags[%d].id", i), t.ID); err != nil {
			return nil, nil, err
		}
		if err := requireText(fmt.Sprintf("tags[%d].name", i), t.Name); err != nil {
			return nil, nil, err
		}
	}
	return s.bulk(ctx, "/v2/knowledge/bulk/tags/", tags)
}

// DeleteTag deletes an article tag (204).
// DELETE /v2/knowledge/tags/{id}
func (s *KnowledgeService) DeleteTag(ctx context.Context, id string) (*Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: tagPath(id), mode: idempotent}, nil)
}

func (s *KnowledgeService) bulk(ctx context.Context, path string, body any) ([]UpsertResult, *Response, error) {
	var out []UpsertResult
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: path, body: body, mode: idempotent}, &out)
	if err != nil {
		return nil, r, err
	}
	if out == nil {
		out = []UpsertResult{}
	}
	return out, r, nil
}

// validateArticle checks one article of a bulk upsert against Ada's
// documented rules and returns its size as JSON.
func validateArticle(field string, a *ArticleUpsert) (int, error) {
	if err := validateID(field+".id", a.ID); err != nil {
		return 0, err
	}
	if err := requireText(field+".name", a.Name); err != nil {
		return 0, err
	}
	if err := requireText(field+".knowledge_source_id", a.KnowledgeSourceID); err != nil {
		return 0, err
	}
	if v, ok := a.URL.Get(); ok {
		if !IsHTTPURL(v) {
			return 0, invalid(field+".url", "must be an absolute http(s) URL, or null to clear it")
		}
	}
	for _, d := range []struct {
		name string
		v    Nullable[string]
	}{{".external_created", a.ExternalCreated}, {".external_updated", a.ExternalUpdated}} {
		if v, ok := d.v.Get(); ok && !IsDateTime(v) {
			return 0, invalid(field+d.name, "must be an RFC 3339 date-time such as 2026-06-01T09:30:00Z, or null to clear it")
		}
	}
	for j, t := range a.TagIDs {
		if strings.TrimSpace(t) == "" {
			return 0, invalid(fmt.Sprintf("%s.tag_ids[%d]", field, j), "must not be empty")
		}
	}
	if rule, ok := a.AvailabilityRules.Get(); ok {
		if err := ValidateAvailabilityRule(field+".availability_rules", &rule); err != nil {
			return 0, err
		}
	}
	b, err := marshal(a)
	if err != nil {
		return 0, invalid(field, "cannot be encoded as JSON: %v", err)
	}
	if len(b) > MaxArticleBytes {
		return 0, invalid(field, "is %d bytes as JSON; Ada accepts articles of at most 100 KB: shorten its content or split it into several articles", len(b))
	}
	return len(b), nil
}

// IsDateTime reports whether v is an RFC 3339 date-time (with a time zone),
// the format of Ada's date-time fields.
func IsDateTime(v string) bool {
	_, err := time.Parse(time.RFC3339Nano, v)
	return err == nil
}

// ValidateAvailabilityRule applies Ada's documented rule shape: match all or
// any; at least one condition in the rule and in each group; groups only
// at the root; each condition a variable id and an operator, with a value
// (string, number or boolean) unless the operator is is_set or is_not_set,
// which take none; at most 1000 conditions in all. Operators Ada may add
// later pass, as long as they carry a value.
func ValidateAvailabilityRule(field string, r *AvailabilityRule) error {
	if err := validateMatch(field+".match", r.Match); err != nil {
		return err
	}
	if len(r.Conditions) == 0 {
		return invalid(field+".conditions", "must hold at least one condition")
	}
	count := 0
	for i := range r.Conditions {
		c := &r.Conditions[i]
		at := fmt.Sprintf("%s.conditions[%d]", field, i)
		if !c.IsGroup() {
			count++
			if err := validateCondition(at, c); err != nil {
				return err
			}
			continue
		}
		if c.Variable != nil || c.Operator != "" || c.Value != nil || c.CaseSensitive != nil {
			return invalid(at, "is a group (match, conditions) and a condition (variable, operator) at once; give one or the other")
		}
		if err := validateMatch(at+".match", c.Match); err != nil {
			return err
		}
		if len(c.Conditions) == 0 {
			return invalid(at+".conditions", "must hold at least one condition")
		}
		for j := range c.Conditions {
			inner := &c.Conditions[j]
			innerAt := fmt.Sprintf("%s.conditions[%d]", at, j)
			if inner.IsGroup() {
				return invalid(innerAt, "is a group inside a group; Ada allows groups only in the rule's own conditions")
			}
			count++
			if err := validateCondition(innerAt, inner); err != nil {
				return err
			}
		}
	}
	if count > MaxRuleConditions {
		return invalid(field, "has %d conditions; Ada allows at most %d in one rule", count, MaxRuleConditions)
	}
	return nil
}

func validateMatch(field, m string) error {
	if m != "all" && m != "any" {
		return invalid(field, `must be "all" or "any"`)
	}
	return nil
}

func validateCondition(field string, c *AvailabilityCondition) error {
	if c.Variable == nil || strings.TrimSpace(c.Variable.ID) == "" {
		return invalid(field+".variable.id", "is required: a variable id from Ada's Variables API")
	}
	if strings.TrimSpace(c.Operator) == "" {
		return invalid(field+".operator", "is required")
	}
	unary := c.Operator == OperatorIsSet || c.Operator == OperatorIsNotSet
	switch {
	case unary && c.Value != nil:
		return invalid(field+".value", "must be left out with operator %s", c.Operator)
	case !unary && c.Value == nil:
		return invalid(field+".value", "is required with operator %s", c.Operator)
	case !unary:
		if err := checkScalar(field+".value", c.Value, true, false); err != nil {
			return invalid(field+".value", "must be a string, number or boolean")
		}
	}
	return nil
}

// ArticleLimit is Ada's 400 for a bulk upsert that would take the knowledge
// base past its article limit. Ada rejects the whole batch; batches that
// only update existing articles still succeed.
type ArticleLimit struct {
	// Message is Ada's, e.g. "Maximum article limit of 50000 exceeded".
	Message string
	// Limit is the N of that message, 0 if it could not be read.
	Limit int
	// NewArticleIDs are the new ids that caused the rejection (Ada lists
	// at most the first 100); NewArticleCount counts them all.
	NewArticleIDs   []string
	NewArticleCount int
}

// ArticleLimitCode is the details code of Ada's article-limit 400.
const ArticleLimitCode = "knowledge.articles.total_exceeded"

// ArticleLimitFrom finds Ada's article-limit rejection in err's chain.
func ArticleLimitFrom(err error) (*ArticleLimit, bool) {
	var er *ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != http.StatusBadRequest {
		return nil, false
	}
	for _, e := range er.Errors {
		var d struct {
			Code            string   `json:"code"`
			NewArticleIDs   []string `json:"new_article_ids"`
			NewArticleCount int      `json:"new_article_count"`
		}
		if json.Unmarshal(e.Details, &d) != nil || d.Code != ArticleLimitCode {
			continue
		}
		al := &ArticleLimit{Message: e.Message, NewArticleIDs: d.NewArticleIDs, NewArticleCount: d.NewArticleCount}
		var n int
		if _, err := fmt.Sscanf(e.Message, "Maximum article limit of %d exceeded", &n); err == nil {
			al.Limit = n
		}
		if al.NewArticleCount < len(al.NewArticleIDs) {
			al.NewArticleCount = len(al.NewArticleIDs)
		}
		return al, true
	}
	return nil, false
}
