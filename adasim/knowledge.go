package adasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Knowledge API (ada-api.md section 3; Ada's OpenAPI /v2/knowledge/...): knowledge sources,
// the articles the AI Agent answers from (created and updated in bulk by id), and the tags
// articles carry. Deleting a source, and deleting articles by filter, are asynchronous.

const (
	// defaultArticleLimit is Ada's default maximum number of articles per knowledge base
	// (Options.KnowledgeArticleLimit overrides it).
	defaultArticleLimit = 50_000
	// maxArticleBytes: "The maximum size of an article is 100KB", measured here on the
	// article's compact JSON: whitespace between tokens (a client's indentation) is not the
	// article's, whitespace in its values is (an assumption: Ada does not say what it measures;
	// the client measures the same).
	maxArticleBytes = 100 << 10
	// maxRuleConditions: "A rule may contain at most 1000 conditions in total".
	maxRuleConditions = 1000
	// maxProblems bounds the details of one validation error.
	maxProblems = 100
	// articleLimitCode is the details code of the article-limit 400.
	articleLimitCode = "knowledge.articles.total_exceeded"
	// maxNewArticleIDs: the article-limit 400 lists "the first 100" new ids.
	maxNewArticleIDs = 100
)

// articleLanguages is ArticleLanguage, the ISO 639-1 codes an article's language is reported
// in (Ada's document); the default is en.
var articleLanguages = []string{"ar", "zh", "zh-tw", "da", "nl", "en", "fi", "fr", "de", "he", "hi", "id", "in",
	"it", "ja", "ko", "ms", "pt", "pa", "ru", "es", "sv", "tl", "ta", "th", "tr", "vi", "ht", "my", "km", "bg", "ro",
	"el", "hu", "pl", "cs", "et", "hr", "lt", "lv", "sl", "sk", "is", "be", "uk", "ca", "sq", "bs", "sr", "kk"}

// ruleOperators are AvailabilityRuleConditionOperator's values; the unary ones take no value.
var ruleOperators = []string{"equals", "does_not_equal", "greater_than", "less_than", "starts_with", "ends_with",
	"contains", "does_not_contain", "is_set", "is_not_set"}

func unaryOperator(op string) bool { return op == "is_set" || op == "is_not_set" }

// normalizeLanguage maps the BCP 47 code an upsert may send to the ISO 639-1 code Ada reports
// (an assumption: the request is documented as BCP 47, the response as one of
// articleLanguages): the code itself when listed (case-insensitively, e.g. zh-TW), else its
// primary language subtag (pt-BR is pt). false when neither is listed.
func normalizeLanguage(tag string) (string, bool) {
	t := strings.ToLower(tag)
	if slices.Contains(articleLanguages, t) {
		return t, true
	}
	primary, _, _ := strings.Cut(t, "-")
	if primary != t && slices.Contains(articleLanguages, primary) {
		return primary, true
	}
	return "", false
}

type knowledgeSource struct {
	id, name   string
	externalID *string
	metadata   json.RawMessage // an object, or nil: null
	created    time.Time
	updated    time.Time
	lastSync   time.Time // zero until articles are upserted into it
	deleting   bool
}

type knowledgeSourceJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	ExternalID *string         `json:"external_id"`
	Metadata   json.RawMessage `json:"metadata"`
	Created    string          `json:"created"`
	Updated    string          `json:"updated"`
	LastSync   string          `json:"last_sync,omitempty"`
	Status     *string         `json:"status"`
}

func (ks *knowledgeSource) toJSON() knowledgeSourceJSON {
	out := knowledgeSourceJSON{ID: ks.id, Name: ks.name, ExternalID: ks.externalID, Metadata: ks.metadata,
		Created: formatTime(ks.created), Updated: formatTime(ks.updated)}
	if !ks.lastSync.IsZero() {
		out.LastSync = formatTime(ks.lastSync)
	}
	if ks.deleting {
		status := "deleting"
		out.Status = &status
	}
	return out
}

type article struct {
	id, name, content                string
	url                              *string
	sourceID                         string
	language                         string
	tagIDs                           []string
	externalCreated, externalUpdated *string
	enabled                          bool
	metadata                         json.RawMessage // an object, or nil: null
	rule                             *ruleJSON       // nil: none
	created, updated                 time.Time
	seq                              int
}

type articleJSON struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	Content           string          `json:"content"`
	URL               *string         `json:"url"`
	KnowledgeSourceID *string         `json:"knowledge_source_id"`
	Language          string          `json:"language"`
	TagIDs            []string        `json:"tag_ids"`
	Created           string          `json:"created"`
	Updated           string          `json:"updated"`
	ExternalCreated   *string         `json:"external_created"`
	ExternalUpdated   *string         `json:"external_updated"`
	Enabled           bool            `json:"enabled"`
	Metadata          json.RawMessage `json:"metadata"`
	AvailabilityRules *ruleJSON       `json:"availability_rules"`
}

func (a *article) toJSON() articleJSON {
	source := a.sourceID
	return articleJSON{ID: a.id, Name: a.name, Content: a.content, URL: a.url, KnowledgeSourceID: &source,
		Language: a.language, TagIDs: append([]string{}, a.tagIDs...), Created: formatTime(a.created), Updated: formatTime(a.updated),
		ExternalCreated: a.externalCreated, ExternalUpdated: a.externalUpdated, Enabled: a.enabled,
		Metadata: a.metadata, AvailabilityRules: a.rule}
}

// ruleJSON is an availability rule as stored and returned: as given, except that
// case_sensitive false is left out ("Omitted from responses when false").
type ruleJSON struct {
	Match      string          `json:"match"`
	Conditions []conditionJSON `json:"conditions"`
}

// conditionJSON is a condition or (in a rule's root list) a condition group.
type conditionJSON struct {
	Variable      *ruleVariableJSON `json:"variable,omitempty"`
	Operator      string            `json:"operator,omitempty"`
	Value         json.RawMessage   `json:"value,omitempty"`
	CaseSensitive bool              `json:"case_sensitive,omitempty"`
	Match         string            `json:"match,omitempty"`
	Conditions    []conditionJSON   `json:"conditions,omitempty"`
}

// ruleVariableJSON is the variable a rule condition names: only its id.
type ruleVariableJSON struct {
	ID string `json:"id"`
}

type articleTag struct{ id, name string }

type articleTagJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type upsertResultJSON struct {
	Success bool   `json:"success"`
	Created bool   `json:"created"`
	ID      string `json:"id"`
}

// deletion is an accepted asynchronous deletion: a source (with its articles) or the articles
// a filter matched when the deletion was accepted.
type deletion struct {
	sourceID   string
	articleIDs []string
}

// knowledgeStore holds the knowledge base. Sources, articles and tags are listed in creation
// order.
type knowledgeStore struct {
	sources      map[string]*knowledgeSource
	sourceOrder  []*knowledgeSource
	articles     map[string]*article
	articleOrder []*article
	articleSeqs  seqIndex
	tags         map[string]*articleTag
	tagOrder     []*articleTag
	pending      []deletion
}

func newKnowledgeStore() *knowledgeStore {
	return &knowledgeStore{sources: map[string]*knowledgeSource{}, articles: map[string]*article{},
		articleSeqs: newSeqIndex(), tags: map[string]*articleTag{}}
}

// settle completes the asynchronous deletions accepted so far. The list requests of the
// Knowledge API call it after rendering their answer, so a deletion shows (a source with status
// deleting, the articles still there) in the first list after it was accepted and is done by
// the next one: Ada documents that deletion runs in the background and to re-list until done.
func (k *knowledgeStore) settle() {
	if len(k.pending) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, d := range k.pending {
		for _, id := range d.articleIDs {
			gone[id] = true
		}
		if d.sourceID == "" {
			continue
		}
		if ks := k.sources[d.sourceID]; ks != nil {
			delete(k.sources, ks.id)
			k.sourceOrder = slices.DeleteFunc(k.sourceOrder, func(o *knowledgeSource) bool { return o == ks })
		}
		for _, a := range k.articleOrder {
			if a.sourceID == d.sourceID {
				gone[a.id] = true
			}
		}
	}
	k.pending = nil
	k.removeArticles(gone)
}

func (k *knowledgeStore) removeArticles(ids map[string]bool) {
	if len(ids) == 0 {
		return
	}
	for id := range ids {
		delete(k.articles, id)
	}
	k.articleOrder = slices.DeleteFunc(k.articleOrder, func(a *article) bool { return ids[a.id] })
}

func (s *Sim) articleLimit() int {
	if s.opts.KnowledgeArticleLimit > 0 {
		return s.opts.KnowledgeArticleLimit
	}
	return defaultArticleLimit
}

// --- Sources ---

// getKnowledgeSources is GET /v2/knowledge/sources/: every source, {data} without meta.
func (s *Sim) getKnowledgeSources(*call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data := make([]knowledgeSourceJSON, 0, len(s.knowledge.sourceOrder))
	for _, ks := range s.knowledge.sourceOrder {
		data = append(data, ks.toJSON())
	}
	s.knowledge.settle()
	return http.StatusOK, map[string]any{"data": data}, nil
}

// createKnowledgeSource is POST /v2/knowledge/sources/: id and name required, metadata an
// object or null; 200 and the source; 409 for an id already taken.
func (s *Sim) createKnowledgeSource(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	id, err := obj.requiredString("id", "id")
	if err != nil {
		return 0, nil, err
	}
	if id == "" {
		return 0, nil, invalidField("id", "id must not be empty.")
	}
	name, err := obj.requiredString("name", "name")
	if err != nil {
		return 0, nil, err
	}
	metadata, _, err := opaqueObject(obj, "metadata")
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.knowledge.sources[id] != nil {
		return 0, nil, conflict("A knowledge source with id %q already exists.", id)
	}
	at := s.clock.Tick()
	ks := &knowledgeSource{id: id, name: name, metadata: metadata, created: at, updated: at}
	s.knowledge.sources[id] = ks
	s.knowledge.sourceOrder = append(s.knowledge.sourceOrder, ks)
	s.audit(auditKnowledgeSource, ks.id, ks.name, activityCreated)
	return http.StatusOK, ks.toJSON(), nil
}

// patchKnowledgeSource is PATCH /v2/knowledge/sources/{id}: the fields given change; null
// clears external_id and metadata; metadata is replaced, not merged (an assumption: it is the
// client's opaque object).
func (s *Sim) patchKnowledgeSource(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	externalID, err := obj.stringField("external_id", "external_id")
	if err != nil {
		return 0, nil, err
	}
	var name *string
	if _, ok := obj["name"]; ok {
		v, err := obj.requiredString("name", "name")
		if err != nil {
			return 0, nil, invalidField("name", "name must be a string.")
		}
		name = &v
	}
	metadata, setsMetadata, err := opaqueObject(obj, "metadata")
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ks := s.knowledge.sources[c.id]
	if ks == nil {
		return 0, nil, notFound("Knowledge source %q not found.", c.id)
	}
	before := ks.toJSON()
	if name != nil {
		ks.name = *name
	}
	if externalID.present {
		ks.externalID = nil
		if !externalID.null {
			v := externalID.value
			ks.externalID = &v
		}
	}
	if setsMetadata {
		ks.metadata = metadata
	}
	if after := ks.toJSON(); !sameJSON(before, after) {
		ks.updated = s.clock.Tick()
		s.audit(auditKnowledgeSource, ks.id, ks.name, activityUpdated)
	}
	return http.StatusOK, ks.toJSON(), nil
}

// deleteKnowledgeSource is DELETE /v2/knowledge/sources/{id}: 204 at once; the source and its
// articles are deleted in the background (see settle). Deleting it again while it is being
// deleted is accepted again.
func (s *Sim) deleteKnowledgeSource(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ks := s.knowledge.sources[c.id]
	if ks == nil {
		return 0, nil, notFound("Knowledge source %q not found.", c.id)
	}
	if !ks.deleting {
		s.clock.Tick()
		ks.deleting = true
		s.knowledge.pending = append(s.knowledge.pending, deletion{sourceID: ks.id})
		s.audit(auditKnowledgeSource, ks.id, ks.name, activityDeleted)
	}
	return http.StatusNoContent, nil, nil
}

// --- Articles ---

// articleFilter is the filters of GET and DELETE /v2/knowledge/articles/: within one filter any
// value matches, and an article must match every filter given (an assumption: Ada does not
// say how filters combine). An article matches tag_ids when it has one of them.
type articleFilter struct {
	ids, languages, sources, tags []string
	enabled                       []bool
}

func parseArticleFilter(q url.Values) (articleFilter, *apiError) {
	f := articleFilter{ids: q["id"], sources: q["knowledge_source_id"], tags: q["tag_ids"]}
	for _, l := range q["language"] {
		if code, ok := normalizeLanguage(l); ok {
			l = code
		}
		f.languages = append(f.languages, l)
	}
	for _, v := range q["enabled"] {
		switch v {
		case "true":
			f.enabled = append(f.enabled, true)
		case "false":
			f.enabled = append(f.enabled, false)
		default:
			return f, badRequest("enabled must be true or false.")
		}
	}
	return f, nil
}

func (f *articleFilter) matches(a *article) bool {
	return (len(f.ids) == 0 || slices.Contains(f.ids, a.id)) &&
		(len(f.enabled) == 0 || slices.Contains(f.enabled, a.enabled)) &&
		(len(f.languages) == 0 || slices.Contains(f.languages, a.language)) &&
		(len(f.sources) == 0 || slices.Contains(f.sources, a.sourceID)) &&
		(len(f.tags) == 0 || slices.ContainsFunc(a.tagIDs, func(t string) bool { return slices.Contains(f.tags, t) }))
}

func (s *Sim) matchingArticles(f articleFilter) []*article {
	var out []*article
	for _, a := range s.knowledge.articleOrder {
		if f.matches(a) {
			out = append(out, a)
		}
	}
	return out
}

// getArticles is GET /v2/knowledge/articles/: the matching articles in creation order, with
// their content, paginated like the other lists.
func (s *Sim) getArticles(c *call) (int, any, *apiError) {
	q := c.r.URL.Query()
	p, err := parsePageParams(q)
	if err != nil {
		return 0, nil, err
	}
	f, err := parseArticleFilter(q)
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cursorSeq, err := s.knowledge.articleSeqs.cursorSeq(p.cursor)
	if err != nil {
		return 0, nil, err
	}
	matching := s.matchingArticles(f)
	start := seqStart(matching, func(a *article) int { return a.seq }, cursorSeq)
	page, next := pageFrom(matching, start, p.limit, func(a *article) string { return a.id })
	body := listPage[articleJSON]{Data: make([]articleJSON, 0, len(page)), Meta: pageMeta{NextPageURL: nextPageURL(c.r, next, p.limit)}}
	for _, a := range page {
		body.Data = append(body.Data, a.toJSON())
	}
	s.knowledge.settle()
	return http.StatusOK, body, nil
}

// deleteArticles is DELETE /v2/knowledge/articles/: 204, and the articles matching the filters
// now are deleted in the background (see settle); 404 when none matches. No filter matches
// every article.
func (s *Sim) deleteArticles(c *call) (int, any, *apiError) {
	f, err := parseArticleFilter(c.r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	matching := s.matchingArticles(f)
	if len(matching) == 0 {
		return 0, nil, notFound("No article matches the filters.")
	}
	d := deletion{}
	s.clock.Tick()
	for _, a := range matching {
		d.articleIDs = append(d.articleIDs, a.id)
		s.audit(auditArticle, a.id, a.name, activityDeleted)
	}
	s.knowledge.pending = append(s.knowledge.pending, d)
	return http.StatusNoContent, nil, nil
}

// getArticle is GET /v2/knowledge/articles/{id}.
func (s *Sim) getArticle(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.knowledge.articles[c.id]
	if a == nil {
		return 0, nil, notFound("Article %q not found.", c.id)
	}
	return http.StatusOK, a.toJSON(), nil
}

// deleteArticle is DELETE /v2/knowledge/articles/{id}: the article is gone when the 204 is
// sent ("Articles successfully deleted").
func (s *Sim) deleteArticle(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.knowledge.articles[c.id]
	if a == nil {
		return 0, nil, notFound("Article %q not found.", c.id)
	}
	s.clock.Tick()
	s.audit(auditArticle, a.id, a.name, activityDeleted)
	s.knowledge.removeArticles(map[string]bool{c.id: true})
	return http.StatusNoContent, nil, nil
}

// problem is one entry of a bulk request's validation error: Ada's details list each invalid
// parameter with where it is (a third-party capture in ada-api.md section 0).
type problem struct {
	Parameter string `json:"parameter"`
	Location  string `json:"location"`
	Message   string `json:"message"`
}

// problems collects a bulk request's problems, at most maxProblems.
type problems []problem

func (p *problems) add(param, format string, args ...any) {
	if len(*p) < maxProblems {
		*p = append(*p, problem{Parameter: param, Location: "body", Message: fmt.Sprintf(format, args...)})
	}
}

// err is the 400 validation_error for the problems, nil without any.
func (p problems) err() *apiError {
	if len(p) == 0 {
		return nil
	}
	msg := p[0].Parameter + ": " + p[0].Message
	if len(p) > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", len(p)-1)
	}
	return &apiError{status: http.StatusBadRequest, errType: "validation_error", message: msg, details: []problem(p)}
}

// articleInput is one validated article of a bulk upsert; the optional fields are nil when
// absent, so that an update leaves them unchanged.
type articleInput struct {
	id, name, content, sourceID string
	url                         optional[string]
	tagIDs                      *[]string
	language                    *string
	externalCreated             optional[string]
	externalUpdated             optional[string]
	enabled                     *bool
	metadata                    json.RawMessage
	setsMetadata                bool
	rule                        *ruleJSON
	setsRule                    bool
}

// readBulk reads a request body that must be a JSON array of objects; sizes are the bytes of
// each object's compact JSON (see maxArticleBytes).
func readBulk(c *call) (objs []jsonObject, sizes []int, _ *apiError) {
	data, err := readBody(c.w, c.r)
	if err != nil {
		return nil, nil, err
	}
	var raw []json.RawMessage
	if json.Unmarshal(data, &raw) != nil || raw == nil {
		return nil, nil, badRequest("The request body must be a JSON array.")
	}
	var probs problems
	for i, r := range raw {
		var obj jsonObject
		if json.Unmarshal(r, &obj) != nil || obj == nil {
			probs.add(fmt.Sprintf("$[%d]", i), "must be an object.")
		}
		objs, sizes = append(objs, obj), append(sizes, len(compactJSON(r)))
	}
	if err := probs.err(); err != nil {
		return nil, nil, err
	}
	return objs, sizes, nil
}

// upsertArticles is POST /v2/knowledge/bulk/articles/: each article is created, or updated when
// its id exists, and the answer is [{success, created, id}] in order. The batch is checked
// whole first: any invalid article is a 400 validation_error listing every problem, and
// nothing is saved. Required: id, name, content (markdown), knowledge_source_id (an existing
// source not being deleted). Optional fields left out of an update keep their values (an
// assumption; Ada documents it for availability_rules: a rule attaches or replaces, null
// detaches). tag_ids must name existing tags (an assumption). A batch that adds any new id
// while it would take the knowledge base past its article limit is rejected whole with Ada's
// documented 400; update-only batches always pass. The ids of Options.KnowledgeUpsertFailures
// that pass these checks are answered success false and not written.
func (s *Sim) upsertArticles(c *call) (int, any, *apiError) {
	objs, sizes, err := readBulk(c)
	if err != nil {
		return 0, nil, err
	}
	var probs problems
	inputs := make([]articleInput, len(objs))
	for i, obj := range objs {
		inputs[i] = parseArticleInput(fmt.Sprintf("$[%d]", i), obj, sizes[i], &probs)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.knowledge
	for i, in := range inputs {
		at := fmt.Sprintf("$[%d]", i)
		if in.sourceID != "" {
			switch ks := k.sources[in.sourceID]; {
			case ks == nil:
				probs.add(at+".knowledge_source_id", "knowledge source %q does not exist.", in.sourceID)
			case ks.deleting:
				probs.add(at+".knowledge_source_id", "knowledge source %q is being deleted.", in.sourceID)
			}
		}
		if in.tagIDs != nil {
			for j, t := range *in.tagIDs {
				if k.tags[t] == nil {
					probs.add(fmt.Sprintf("%s.tag_ids[%d]", at, j), "tag %q does not exist.", t)
				}
			}
		}
	}
	if err := probs.err(); err != nil {
		return 0, nil, err
	}
	var newIDs []string
	seen := map[string]bool{}
	for _, in := range inputs {
		if k.articles[in.id] == nil && !seen[in.id] {
			seen[in.id] = true
			newIDs = append(newIDs, in.id)
		}
	}
	if limit := s.articleLimit(); len(newIDs) > 0 && len(k.articles)+len(newIDs) > limit {
		listed := newIDs[:min(len(newIDs), maxNewArticleIDs)]
		return 0, nil, &apiError{status: http.StatusBadRequest, errType: "bad_request",
			message: fmt.Sprintf("Maximum article limit of %d exceeded", limit),
			details: map[string]any{"code": articleLimitCode, "new_article_ids": listed, "new_article_count": len(newIDs)}}
	}

	now := s.clock.Tick()
	results := make([]upsertResultJSON, 0, len(inputs))
	for _, in := range inputs {
		if s.upsertFails(in.id) {
			results = append(results, upsertResultJSON{Success: false, ID: in.id})
			continue
		}
		a, created := k.articles[in.id], false
		if a == nil {
			a = &article{id: in.id, language: "en", enabled: true, created: now, updated: now}
			a.seq = k.articleSeqs.add(a.id)
			k.articles[a.id] = a
			k.articleOrder = append(k.articleOrder, a)
			created = true
		}
		before := a.toJSON()
		in.apply(a)
		switch {
		case created:
			s.audit(auditArticle, a.id, a.name, activityCreated)
		case !sameJSON(before, a.toJSON()):
			a.updated = now
			s.audit(auditArticle, a.id, a.name, activityUpdated)
		}
		k.sources[a.sourceID].lastSync = now
		results = append(results, upsertResultJSON{Success: true, Created: created, ID: a.id})
	}
	return http.StatusOK, results, nil
}

// upsertFails reports whether a bulk upsert answers success false for the id
// (Options.KnowledgeUpsertFailures).
func (s *Sim) upsertFails(id string) bool {
	return slices.Contains(s.opts.KnowledgeUpsertFailures, id)
}

func (in *articleInput) apply(a *article) {
	a.name, a.content, a.sourceID = in.name, in.content, in.sourceID
	if in.url.present {
		a.url = nil
		if !in.url.null {
			v := in.url.value
			a.url = &v
		}
	}
	if in.tagIDs != nil {
		a.tagIDs = slices.Clone(*in.tagIDs)
	}
	if in.language != nil {
		a.language = *in.language
	}
	setOptional(&a.externalCreated, in.externalCreated)
	setOptional(&a.externalUpdated, in.externalUpdated)
	if in.enabled != nil {
		a.enabled = *in.enabled
	}
	if in.setsMetadata {
		a.metadata = in.metadata
	}
	if in.setsRule {
		a.rule = in.rule
	}
}

func isDateTime(v string) bool {
	_, err := time.Parse(time.RFC3339Nano, v)
	return err == nil
}

func setOptional(field **string, v optional[string]) {
	if !v.present {
		return
	}
	*field = nil
	if !v.null {
		s := v.value
		*field = &s
	}
}

// parseArticleInput reads one article of a bulk upsert, adding its problems to probs.
func parseArticleInput(at string, obj jsonObject, size int, probs *problems) articleInput {
	var in articleInput
	if size > maxArticleBytes {
		probs.add(at, "the article is %d bytes; the maximum size of an article is 100KB.", size)
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"id", &in.id}, {"name", &in.name}, {"content", &in.content}, {"knowledge_source_id", &in.sourceID}} {
		v, err := obj.requiredString(f.key, f.key)
		switch {
		case err != nil:
			probs.add(at+"."+f.key, "is required and must be a string.")
		case v == "" && f.key != "content":
			probs.add(at+"."+f.key, "must not be empty.")
		default:
			*f.dst = v
		}
	}
	var err *apiError
	if in.url, err = obj.stringField("url", "url"); err != nil {
		probs.add(at+".url", "must be a string or null.")
	} else if in.url.present && !in.url.null && !isHTTPURL(in.url.value) {
		probs.add(at+".url", "must be an absolute http(s) URL.")
	}
	if raw, ok := obj["tag_ids"]; ok {
		var tags []string
		if json.Unmarshal(raw, &tags) != nil || isNull(raw) || slices.Contains(tags, "") {
			probs.add(at+".tag_ids", "must be an array of tag ids.")
		} else {
			in.tagIDs = &tags
		}
	}
	if raw, ok := obj["language"]; ok {
		var l string
		if json.Unmarshal(raw, &l) != nil || isNull(raw) {
			probs.add(at+".language", "must be a string.")
		} else if code, ok := normalizeLanguage(l); !ok {
			probs.add(at+".language", "%q is not a supported language.", l)
		} else {
			in.language = &code
		}
	}
	for _, f := range []struct {
		key string
		dst *optional[string]
	}{{"external_created", &in.externalCreated}, {"external_updated", &in.externalUpdated}} {
		v, err := obj.stringField(f.key, f.key)
		if err != nil || (v.present && !v.null && !isDateTime(v.value)) {
			probs.add(at+"."+f.key, "must be a date-time (RFC 3339) or null.")
			continue
		}
		*f.dst = v
	}
	if raw, ok := obj["enabled"]; ok {
		var v bool
		if json.Unmarshal(raw, &v) != nil || isNull(raw) {
			probs.add(at+".enabled", "must be a boolean.")
		} else {
			in.enabled = &v
		}
	}
	if m, sets, err := opaqueObject(obj, "metadata"); err != nil {
		probs.add(at+".metadata", "must be an object or null.")
	} else {
		in.metadata, in.setsMetadata = m, sets
	}
	if raw, ok := obj["availability_rules"]; ok {
		in.setsRule = true
		if !isNull(raw) {
			in.rule = parseRule(at+".availability_rules", raw, probs)
		}
	}
	return in
}

// parseRule reads an availability rule as Ada documents it: {match: all|any, conditions: [...]}
// where each condition is {variable: {id}, operator, value?, case_sensitive?} and each group
// {match, conditions: [condition...]} (no deeper nesting); unary operators take no value, the
// others a string, number or boolean; at least one condition per list; at most 1000 in all. A
// variable that cannot be used in a rule (unknown, or reserved) is a 400 too, as Ada documents.
func parseRule(at string, raw json.RawMessage, probs *problems) *ruleJSON {
	before := len(*probs)
	count := 0
	var obj jsonObject
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		probs.add(at, "must be an object or null.")
		return nil
	}
	r := &ruleJSON{Match: parseMatch(at, obj, probs)}
	for i, item := range parseConditionList(at, obj, probs) {
		itemAt := fmt.Sprintf("%s.conditions[%d]", at, i)
		if _, isGroup := item["match"]; !isGroup {
			if _, hasConditions := item["conditions"]; !hasConditions {
				count++
				r.Conditions = append(r.Conditions, parseCondition(itemAt, item, probs))
				continue
			}
		}
		for _, key := range []string{"variable", "operator", "value", "case_sensitive"} {
			if _, ok := item[key]; ok {
				probs.add(itemAt+"."+key, "a condition group has only match and conditions.")
			}
		}
		g := conditionJSON{Match: parseMatch(itemAt, item, probs)}
		for j, inner := range parseConditionList(itemAt, item, probs) {
			innerAt := fmt.Sprintf("%s.conditions[%d]", itemAt, j)
			if _, nested := inner["conditions"]; nested {
				probs.add(innerAt, "condition groups may contain only conditions.")
				continue
			}
			count++
			g.Conditions = append(g.Conditions, parseCondition(innerAt, inner, probs))
		}
		r.Conditions = append(r.Conditions, g)
	}
	if count > maxRuleConditions {
		probs.add(at, "a rule may contain at most %d conditions in total.", maxRuleConditions)
	}
	if len(*probs) > before {
		return nil
	}
	return r
}

func parseMatch(at string, obj jsonObject, probs *problems) string {
	var m string
	if raw, ok := obj["match"]; !ok || json.Unmarshal(raw, &m) != nil || (m != "all" && m != "any") {
		probs.add(at+".match", `must be "all" or "any".`)
	}
	return m
}

func parseConditionList(at string, obj jsonObject, probs *problems) []jsonObject {
	var items []jsonObject
	raw, ok := obj["conditions"]
	if !ok || json.Unmarshal(raw, &items) != nil || len(items) == 0 || slices.ContainsFunc(items, func(o jsonObject) bool { return o == nil }) {
		probs.add(at+".conditions", "must be a list of at least one condition object.")
		return nil
	}
	return items
}

func parseCondition(at string, obj jsonObject, probs *problems) conditionJSON {
	var c conditionJSON
	var v ruleVariableJSON
	switch raw, ok := obj["variable"]; {
	case !ok || json.Unmarshal(raw, &v) != nil || v.ID == "":
		probs.add(at+".variable", "must be {\"id\": \"<variable id>\"}.")
	case !usableInRule(v.ID):
		probs.add(at+".variable", "variable %q cannot be used in a rule: GET /v2/variables/ lists those that can.", v.ID)
	default:
		c.Variable = &v
	}
	if raw, ok := obj["operator"]; !ok || json.Unmarshal(raw, &c.Operator) != nil || !slices.Contains(ruleOperators, c.Operator) {
		probs.add(at+".operator", "must be one of %s.", strings.Join(ruleOperators, ", "))
	}
	raw, hasValue := obj["value"]
	switch {
	case unaryOperator(c.Operator) && hasValue:
		probs.add(at+".value", "unary operators (is_set, is_not_set) must not include a value.")
	case !unaryOperator(c.Operator) && !hasValue:
		probs.add(at+".value", "is required with operator %s.", c.Operator)
	case hasValue:
		if v, ok := decodeScalar(raw); !ok || v == nil {
			probs.add(at+".value", "must be a string, number or boolean.")
		} else {
			c.Value = compactJSON(raw)
		}
	}
	if raw, ok := obj["case_sensitive"]; ok {
		if json.Unmarshal(raw, &c.CaseSensitive) != nil || isNull(raw) {
			probs.add(at+".case_sensitive", "must be a boolean.")
		}
	}
	return c
}

// opaqueObject reads a client-owned object field (metadata): (nil, false) when absent, (nil,
// true) for null, else the object compacted. Its values may be anything: Ada does not use them.
func opaqueObject(obj jsonObject, key string) (json.RawMessage, bool, *apiError) {
	raw, ok := obj[key]
	if !ok {
		return nil, false, nil
	}
	if isNull(raw) {
		return nil, true, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, true, invalidField(key, "%s must be an object or null.", key)
	}
	return compactJSON(raw), true, nil
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return slices.Clone(raw)
	}
	return buf.Bytes()
}

// sameJSON reports whether two renderings are equal.
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// --- Tags ---

// getArticleTags is GET /v2/knowledge/tags/: every tag, {data} without meta.
func (s *Sim) getArticleTags(*call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data := make([]articleTagJSON, 0, len(s.knowledge.tagOrder))
	for _, t := range s.knowledge.tagOrder {
		data = append(data, articleTagJSON{ID: t.id, Name: t.name})
	}
	s.knowledge.settle()
	return http.StatusOK, map[string]any{"data": data}, nil
}

// upsertArticleTags is POST /v2/knowledge/bulk/tags/: [{id, name}] created or renamed by id;
// [{success, created, id}] in order. Any invalid tag is a 400 for the whole batch; the ids of
// Options.KnowledgeUpsertFailures are answered success false and not written.
func (s *Sim) upsertArticleTags(c *call) (int, any, *apiError) {
	objs, _, err := readBulk(c)
	if err != nil {
		return 0, nil, err
	}
	var probs problems
	tags := make([]articleTagJSON, len(objs))
	for i, obj := range objs {
		at := fmt.Sprintf("$[%d]", i)
		for _, f := range []struct {
			key string
			dst *string
		}{{"id", &tags[i].ID}, {"name", &tags[i].Name}} {
			v, err := obj.requiredString(f.key, f.key)
			if err != nil || v == "" {
				probs.add(at+"."+f.key, "is required and must be a non-empty string.")
				continue
			}
			*f.dst = v
		}
	}
	if err := probs.err(); err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock.Tick()
	k := s.knowledge
	results := make([]upsertResultJSON, 0, len(tags))
	for _, in := range tags {
		if s.upsertFails(in.ID) {
			results = append(results, upsertResultJSON{Success: false, ID: in.ID})
			continue
		}
		t, created := k.tags[in.ID], false
		if t == nil {
			t, created = &articleTag{id: in.ID}, true
			k.tags[t.id] = t
			k.tagOrder = append(k.tagOrder, t)
		}
		t.name = in.Name
		results = append(results, upsertResultJSON{Success: true, Created: created, ID: t.id})
	}
	return http.StatusOK, results, nil
}

// deleteArticleTag is DELETE /v2/knowledge/tags/{id}: 204; the tag is also taken off every
// article that had it (an assumption, since article tag ids must name existing tags).
func (s *Sim) deleteArticleTag(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.knowledge
	t := k.tags[c.id]
	if t == nil {
		return 0, nil, notFound("Tag %q not found.", c.id)
	}
	s.clock.Tick()
	delete(k.tags, t.id)
	k.tagOrder = slices.DeleteFunc(k.tagOrder, func(o *articleTag) bool { return o == t })
	for _, a := range k.articleOrder {
		a.tagIDs = slices.DeleteFunc(a.tagIDs, func(id string) bool { return id == t.id })
	}
	return http.StatusNoContent, nil, nil
}

// usableInRule reports whether a rule may name the variable: one GET /v2/variables/ lists.
func usableInRule(id string) bool {
	_, ok := visibleVariable(id, "")
	return ok
}
