package adasim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// basePath is where the API is served, as https://{handle}.ada.support/api is Ada's base URL.
const basePath = "/api"

// handler serves one operation. It returns a status and a body to encode as JSON, or an error.
type handler func(s *Sim, c *call) (int, any, *apiError)

// call is one request to a handler.
type call struct {
	w  http.ResponseWriter
	r  *http.Request
	id string // the path parameter ({end_user_id}, {channel_id}, {conversation_id} or {id}), if any
}

// object reads the request body as a JSON object (see parseObject).
func (c *call) object(allowEmpty bool) (jsonObject, *apiError) {
	data, err := readBody(c.w, c.r)
	if err != nil {
		return nil, err
	}
	return parseObject(data, allowEmpty)
}

// route is one path spelling. Paths are exact, trailing slash included, as in Ada's OpenAPI
// document; "{}" is a path parameter.
type route struct {
	pattern string
	methods map[string]handler
	api     string // rate-limit budget
	// alias: a spelling without the trailing slash that Ada's own demo code POSTs to and that
	// works (ada-api.md "Trailing slashes"). Only its POST exists: another method is 404.
	alias bool
	// shared: another method on this spelling is not a 405 but goes to the next route the path
	// spells (/v2/end-users/delete, declared in the Data Compliance document, is an end user
	// id "delete" in the Platform document for GET and PATCH).
	shared bool
}

const (
	apiEndUsers      = "end_users"
	apiConversations = "conversations"
	apiChannels      = "channels"
	apiOther         = "other" // Ada's default budget, here for the webhooks management API
	// The Knowledge API: sources and tags have Ada's default budget; the article endpoints
	// lost their daily cap on 2026-09-18.
	apiKnowledge         = "knowledge"
	apiKnowledgeArticles = "knowledge_articles"
	apiAuditLog          = "audit_log"
	// Data Export: 10 req/s per endpoint, 100 req/min, 15,000 req/day (counted per endpoint).
	apiExportConversations = "export_conversations"
	apiExportMessages      = "export_messages"
	apiCompliance          = "compliance" // bulk deletion: no limit documented; Ada's default
)

// routes, like this package's other tables of maps and its regular expressions, is built at
// first use: ada-mcp links the simulator, and most of its starts run none (built at package
// initialisation, they cost every start 0.5 ms and 1144 allocations).
var routes = sync.OnceValue(func() []route {
	return []route{
		// POST only: GET and PATCH of the same spelling are /v2/end-users/{} for the id "delete"
		// (see match).
		{pattern: "/v2/end-users/delete", api: apiCompliance, shared: true, methods: map[string]handler{
			http.MethodPost: (*Sim).submitDeletion}},
		{pattern: "/v2/jobs/{}", api: apiCompliance, methods: map[string]handler{
			http.MethodGet: (*Sim).getDeletionJob}},
		{pattern: "/v2/export/conversations", api: apiExportConversations, methods: map[string]handler{
			http.MethodGet: (*Sim).getExportConversations}},
		{pattern: "/v2/export/messages", api: apiExportMessages, methods: map[string]handler{
			http.MethodGet: (*Sim).getExportMessages}},

		{pattern: "/v2/end-users/", api: apiEndUsers, methods: map[string]handler{
			http.MethodGet: (*Sim).getEndUsers, http.MethodPost: (*Sim).createEndUser}},
		{pattern: "/v2/end-users/{}", api: apiEndUsers, methods: map[string]handler{
			http.MethodGet: (*Sim).getEndUser, http.MethodPatch: (*Sim).patchEndUser}},

		{pattern: "/v2/channels/", api: apiChannels, methods: map[string]handler{
			http.MethodGet: (*Sim).getChannels, http.MethodPost: (*Sim).createChannel}},
		{pattern: "/v2/channels/{}", api: apiChannels, methods: map[string]handler{
			http.MethodPatch: (*Sim).patchChannel}},

		{pattern: "/v2/conversations/", api: apiConversations, methods: map[string]handler{
			http.MethodPost: (*Sim).createConversation}},
		{pattern: "/v2/conversations", api: apiConversations, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).createConversation}},
		// Before /v2/conversations/{}/, which the same path would otherwise match: routes are
		// tried in order.
		{pattern: "/v2/conversations/email/", api: apiConversations, methods: map[string]handler{
			http.MethodPost: (*Sim).createEmailConversation}},
		{pattern: "/v2/conversations/{}/", api: apiConversations, methods: map[string]handler{
			http.MethodGet: (*Sim).getConversation, http.MethodPatch: (*Sim).patchConversation}},
		{pattern: "/v2/conversations/{}/messages/", api: apiConversations, methods: map[string]handler{
			http.MethodGet: (*Sim).getMessages, http.MethodPost: (*Sim).postMessage}},
		{pattern: "/v2/conversations/{}/messages", api: apiConversations, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).postMessage}},
		{pattern: "/v2/conversations/{}/end/", api: apiConversations, methods: map[string]handler{
			http.MethodPost: (*Sim).endConversation}},
		{pattern: "/v2/conversations/{}/end", api: apiConversations, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).endConversation}},
		{pattern: "/v2/conversations/{}/end-handoff/", api: apiConversations, methods: map[string]handler{
			http.MethodPost: (*Sim).endHandoff}},
		{pattern: "/v2/conversations/{}/end-handoff", api: apiConversations, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).endHandoff}},
		{pattern: "/v2/conversations/{}/attachments/", api: apiConversations, methods: map[string]handler{
			http.MethodPost: (*Sim).uploadAttachment}},
		{pattern: "/v2/conversations/{}/attachments", api: apiConversations, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).uploadAttachment}},

		{pattern: "/v2/webhooks/", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getWebhooks, http.MethodPost: (*Sim).createWebhook}},
		{pattern: "/v2/webhooks/event-types/", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getWebhookEventTypes}},
		{pattern: "/v2/webhooks/{}", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getWebhook, http.MethodPatch: (*Sim).patchWebhook, http.MethodDelete: (*Sim).deleteWebhook}},
		{pattern: "/v2/webhooks/{}/secret/", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getWebhookSecret}},
		{pattern: "/v2/webhooks/{}/secret/rotate/", api: apiOther, methods: map[string]handler{
			http.MethodPost: (*Sim).rotateWebhookSecret}},

		{pattern: "/v2/knowledge/sources/", api: apiKnowledge, methods: map[string]handler{
			http.MethodGet: (*Sim).getKnowledgeSources, http.MethodPost: (*Sim).createKnowledgeSource}},
		{pattern: "/v2/knowledge/sources", api: apiKnowledge, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).createKnowledgeSource}},
		{pattern: "/v2/knowledge/sources/{}", api: apiKnowledge, methods: map[string]handler{
			http.MethodPatch: (*Sim).patchKnowledgeSource, http.MethodDelete: (*Sim).deleteKnowledgeSource}},
		{pattern: "/v2/knowledge/articles/", api: apiKnowledgeArticles, methods: map[string]handler{
			http.MethodGet: (*Sim).getArticles, http.MethodDelete: (*Sim).deleteArticles}},
		{pattern: "/v2/knowledge/articles/{}", api: apiKnowledgeArticles, methods: map[string]handler{
			http.MethodGet: (*Sim).getArticle, http.MethodDelete: (*Sim).deleteArticle}},
		{pattern: "/v2/knowledge/bulk/articles/", api: apiKnowledgeArticles, methods: map[string]handler{
			http.MethodPost: (*Sim).upsertArticles}},
		{pattern: "/v2/knowledge/bulk/articles", api: apiKnowledgeArticles, alias: true, methods: map[string]handler{
			http.MethodPost: (*Sim).upsertArticles}},
		{pattern: "/v2/knowledge/tags/", api: apiKnowledge, methods: map[string]handler{
			http.MethodGet: (*Sim).getArticleTags}},
		{pattern: "/v2/knowledge/tags/{}", api: apiKnowledge, methods: map[string]handler{
			http.MethodDelete: (*Sim).deleteArticleTag}},
		{pattern: "/v2/knowledge/bulk/tags/", api: apiKnowledge, methods: map[string]handler{
			http.MethodPost: (*Sim).upsertArticleTags}},
		{pattern: "/v2/persona/", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getPersona, http.MethodPatch: (*Sim).patchPersona}},
		{pattern: "/v2/variables/", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getVariables}},
		{pattern: "/v2/variables/{}", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getVariable}},
		{pattern: "/v2/custom-instructions/", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getCustomInstructions, http.MethodPost: (*Sim).createCustomInstruction}},
		{pattern: "/v2/custom-instructions/{}", api: apiOther, methods: map[string]handler{
			http.MethodGet: (*Sim).getCustomInstruction, http.MethodPatch: (*Sim).patchCustomInstruction,
			http.MethodDelete: (*Sim).deleteCustomInstruction}},

		{pattern: "/v2/analytics/audit-log/events/", api: apiAuditLog, methods: map[string]handler{
			http.MethodGet: (*Sim).getAuditLogEvents}},
	}
})

// match returns the route the path (below basePath) spells for the method, and its parameter.
// The path is as sent (escaped), so that an id holding '/' (sent as %2F) stays one segment;
// each segment is unescaped after the split. As in an OpenAPI document, a literal spelling wins
// over a parameter (/v2/conversations/email/ over /v2/conversations/{}/), and a method it does
// not serve is a 405 there, unless the route is shared. found is false when no route spells
// the path.
func match(method, escapedPath string) (rt *route, param string, found bool) {
	segments, ok := unescapeSegments(escapedPath)
	if !ok {
		return nil, "", false
	}
	type candidate struct {
		rt     *route
		param  string
		params int
	}
	var spelled []candidate
	all := routes()
	for i := range all {
		r := &all[i]
		pattern := strings.Split(r.pattern, "/")
		if len(pattern) != len(segments) {
			continue
		}
		c, ok := candidate{rt: r}, true
		for j, p := range pattern {
			switch {
			case p == "{}" && segments[j] != "":
				c.param, c.params = segments[j], c.params+1
			case p != segments[j]:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			spelled = append(spelled, c)
		}
	}
	slices.SortStableFunc(spelled, func(a, b candidate) int { return a.params - b.params })
	for _, c := range spelled {
		if _, serves := c.rt.methods[method]; serves || !c.rt.shared {
			return c.rt, c.param, true
		}
	}
	if len(spelled) > 0 {
		return spelled[0].rt, spelled[0].param, true
	}
	return nil, "", false
}

// unescapeSegments splits an escaped path at its '/' and unescapes each segment; false when a
// segment is not valid percent-encoding.
func unescapeSegments(escapedPath string) ([]string, bool) {
	segments := strings.Split(escapedPath, "/")
	for i, seg := range segments {
		v, err := url.PathUnescape(seg)
		if err != nil {
			return nil, false
		}
		segments[i] = v
	}
	return segments, true
}

// ServeHTTP serves Ada's v2 API under /api: authentication, routing, rate limits, then the
// operation; every error is Ada's error body. The sandbox's own endpoints are under /_sandbox/
// (sandboxhttp.go).
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status := s.serve(w, r)
	if s.opts.Logger != nil {
		// Only the method, path and status: never the Authorization header or a body, which
		// may hold sensitive_metadata.
		s.opts.Logger.Debug("adasim request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Duration("duration", time.Since(start)))
	}
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) int {
	if isAttachmentPath(r.URL.Path) {
		return s.serveAttachment(w, r) // a presigned URL: no Authorization, no rate limit
	}
	if !s.authorized(r) {
		return writeError(w, unauthorized())
	}
	if strings.HasPrefix(r.URL.Path, sandboxPrefix) {
		return s.serveSandbox(w, r) // not Ada's: no rate limit
	}
	// Routed as sent: r.URL.Path has %2F decoded into a separator.
	path, underBase := strings.CutPrefix(r.URL.EscapedPath(), basePath)
	if !underBase {
		return writeError(w, notFound("No such path: %s (the API is served under %s).", r.URL.Path, basePath))
	}
	rt, param, ok := match(r.Method, path)
	if !ok {
		return writeError(w, notFound("No such path: %s.", r.URL.Path))
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		if rt.alias {
			return writeError(w, notFound("No such path: %s.", r.URL.Path))
		}
		return notAllowed(w, r, rt.methods)
	}

	if s.limiter != nil {
		s.mu.Lock()
		quota, err := s.limiter.take(rt.api, s.rateClock())
		s.mu.Unlock()
		if err != nil {
			return writeError(w, err)
		}
		quota.header(w.Header())
	}

	status, body, apiErr := h(s, &call{w: w, r: r, id: param})
	if apiErr != nil {
		return writeError(w, apiErr)
	}
	// Webhooks for what the request did go out before it is answered, so that a client sees
	// an event no later than the response (Ada's own delivery order is not guaranteed).
	s.flushEvents()
	writeJSON(w, status, body)
	return status
}

// notAllowed is 405 with an Allow header listing the methods the path serves.
func notAllowed(w http.ResponseWriter, r *http.Request, methods map[string]handler) int {
	allowed := slices.Sorted(maps.Keys(methods))
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	return writeError(w, methodNotAllowed(r.Method, r.URL.Path))
}

// authorized checks "Authorization: Bearer <APIKey>" (the scheme case-insensitively).
func (s *Sim) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.opts.APIKey)) == 1
}

func writeError(w http.ResponseWriter, err *apiError) int {
	err.header(w.Header())
	writeJSON(w, err.status, err.body())
	return err.status
}

// writeJSON writes body as JSON; a 204 has no body (nor Content-Type).
func writeJSON(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		// Bodies are the simulator's own types: failing to encode one is a bug.
		panic("adasim: encoding a response: " + err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
