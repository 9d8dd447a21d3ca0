package adasim_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// The repository's copy of Ada's OpenAPI document (CI runs on a clean clone).
const openAPIDocument = "../testdata/ada-openapi/ada-knowledge-openapi.yml"

// Ada publishes Data Export in a document of its own.
const exportOpenAPIDocument = "../testdata/ada-openapi/ada-data-export-openapi.yml"

// conformanceServer serves sim through the OpenAPI middleware and returns a sender that checks,
// for every request, that the document is broken exactly where the request means to break it
// and never by a response, and that the fields clients rely on are present.
func conformanceServer(t *testing.T, sim *adasim.Sim) sendFunc {
	t.Helper()
	v, err := openapicheck.LoadSet(openAPIDocument, exportOpenAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []*openapicheck.Violation
	srv := httptest.NewServer(v.Middleware(sim, func(err error) {
		var violation *openapicheck.Violation
		if !errors.As(err, &violation) {
			violation = &openapicheck.Violation{Kind: "unknown", Err: err}
		}
		mu.Lock()
		defer mu.Unlock()
		violations = append(violations, violation)
	}))
	t.Cleanup(srv.Close)
	c := &client{t: t, base: srv.URL + "/api", key: testKey}

	return func(req sessionRequest) response {
		t.Helper()
		mu.Lock()
		before := len(violations)
		mu.Unlock()
		// The middleware reports before the handler returns, hence before the response ends.
		r := c.doAuth(req.method, req.path, req.body, req.auth.header(testKey))
		mu.Lock()
		got := slices.Clone(violations[before:])
		mu.Unlock()

		var want []openapicheck.Kind
		if req.off != none {
			want = []openapicheck.Kind{req.off}
		}
		var kinds []openapicheck.Kind
		for _, v := range got {
			kinds = append(kinds, v.Kind)
		}
		if !slices.Equal(kinds, want) {
			t.Errorf("%s %s -> %d: violations %v, want kinds %v", req.method, req.path, r.status, got, want)
		}
		checkReliedFields(t, req, r)
		return r
	}
}

func TestOpenAPIConformance(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: testKey, Seed: 1})
	defer sim.Close()
	(&sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: conformanceServer(t, sim)}).run()
}

// TestOpenAPIConformanceDelayedReplies runs the session with a reply delay, checking the
// documents while the AI Agent's replies land between requests.
func TestOpenAPIConformanceDelayedReplies(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: testKey, Seed: 2, ReplyDelay: time.Millisecond})
	defer sim.Close()
	send := conformanceServer(t, sim)
	s := &sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: send}
	conv := s.step(http.StatusCreated, none, "POST", "/v2/conversations/", object{"channel_id": sim.DefaultChannelID()})
	msgs := "/v2/conversations/" + str(conv["id"]) + "/messages/"
	s.step(http.StatusCreated, none, "POST", msgs, object{"author": object{"id": conv["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "hi"}})
	waitFor(t, "greeting and reply", func() bool {
		return len(s.step(http.StatusOK, none, "GET", msgs, nil)["data"].([]any)) == 3
	})
}

func TestOpenAPIConformanceRateLimited(t *testing.T) {
	clk := newFakeClock()
	sim := adasim.New(adasim.Options{APIKey: testKey, Clock: clk.Now, RateLimits: true})
	defer sim.Close()
	s := &sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: conformanceServer(t, sim)}
	for range 30 {
		s.step(http.StatusOK, none, "GET", "/v2/end-users/", nil)
	}
	s.step(http.StatusTooManyRequests, none, "GET", "/v2/end-users/", nil)
	conv := s.step(http.StatusCreated, none, "POST", "/v2/conversations/", object{"channel_id": sim.DefaultChannelID()})
	for range 29 {
		s.step(http.StatusOK, none, "GET", "/v2/conversations/"+str(conv["id"])+"/", nil)
	}
	// end-handoff does not declare 429: the universal-error-statuses exception covers it.
	s.step(http.StatusTooManyRequests, none, "POST", "/v2/conversations/"+str(conv["id"])+"/end-handoff/", nil)

	// The webhooks management API has Ada's default budget, 10 per second, of its own.
	for range 10 {
		s.step(http.StatusOK, none, "GET", "/v2/webhooks/", nil)
	}
	s.step(http.StatusTooManyRequests, none, "GET", "/v2/webhooks/", nil)
	s.step(http.StatusTooManyRequests, none, "POST", "/v2/webhooks/", object{"url": "http://127.0.0.1:9/x"}) // 429 undeclared
	s.step(http.StatusOK, none, "GET", "/v2/channels/?type=custom", nil)
	clk.Advance(time.Second)
	s.step(http.StatusOK, none, "GET", "/v2/webhooks/event-types/", nil)

	// Knowledge sources and tags share Ada's default budget; the article endpoints have their own.
	for range 5 {
		s.step(http.StatusOK, none, "GET", "/v2/knowledge/sources/", nil)
		s.step(http.StatusOK, none, "GET", "/v2/knowledge/tags/", nil)
	}
	s.step(http.StatusTooManyRequests, none, "GET", "/v2/knowledge/tags/", nil) // 429 declared
	s.step(http.StatusTooManyRequests, none, "POST", "/v2/knowledge/sources/", object{"id": "s", "name": "n"})
	for range 10 {
		s.step(http.StatusOK, none, "GET", "/v2/knowledge/articles/", nil)
	}
	s.step(http.StatusTooManyRequests, none, "GET", "/v2/knowledge/articles/x", nil)
}

// TestOpenAPIConformanceArticleLimit checks Ada's article-limit 400, whose details are an
// object (ExceptionErrorDetailsNotString).
func TestOpenAPIConformanceArticleLimit(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: testKey, KnowledgeArticleLimit: 1})
	defer sim.Close()
	s := &sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: conformanceServer(t, sim)}
	s.step(http.StatusOK, none, "POST", "/v2/knowledge/sources/", object{"id": "kb", "name": "KB"})
	article := func(id string) object {
		return object{"id": id, "name": id, "content": id, "knowledge_source_id": "kb"}
	}
	s.step(http.StatusOK, none, "POST", "/v2/knowledge/bulk/articles/", []object{article("a1")})
	body := s.step(http.StatusBadRequest, none, "POST", "/v2/knowledge/bulk/articles/", []object{article("a1"), article("a2")})
	details, _ := body["errors"].([]any)[0].(object)["details"].(object)
	if details["code"] != "knowledge.articles.total_exceeded" || fmt.Sprint(details["new_article_ids"]) != "[a2]" || details["new_article_count"] != 1.0 {
		t.Fatalf("article limit error: %v", body)
	}
	s.step(http.StatusOK, none, "POST", "/v2/knowledge/bulk/articles/", []object{article("a1")})
}

var (
	routeEndUsers      = regexp.MustCompile(`^/api/v2/end-users/$`)
	routeEndUser       = regexp.MustCompile(`^/api/v2/end-users/[^/]+$`)
	routeChannels      = regexp.MustCompile(`^/api/v2/channels/$`)
	routeChannel       = regexp.MustCompile(`^/api/v2/channels/[^/]+$`)
	routeConversations = regexp.MustCompile(`^/api/v2/conversations/?$`)
	routeConversation  = regexp.MustCompile(`^/api/v2/conversations/[^/]+/$`)
	routeMessages      = regexp.MustCompile(`^/api/v2/conversations/[^/]+/messages/?$`)
	routeEnd           = regexp.MustCompile(`^/api/v2/conversations/[^/]+/(end|end-handoff)/?$`)
	routeAttachments   = regexp.MustCompile(`^/api/v2/conversations/[^/]+/attachments/?$`)
	routeEmail         = regexp.MustCompile(`^/api/v2/conversations/email/$`)
	routeWebhooks      = regexp.MustCompile(`^/api/v2/webhooks/$`)
	routeWebhook       = regexp.MustCompile(`^/api/v2/webhooks/[^/]+$`)
	routeWebhookSecret = regexp.MustCompile(`^/api/v2/webhooks/[^/]+/secret/$`)
	routeWebhookRotate = regexp.MustCompile(`^/api/v2/webhooks/[^/]+/secret/rotate/$`)
	routeEventTypes    = regexp.MustCompile(`^/api/v2/webhooks/event-types/$`)
	routeSources       = regexp.MustCompile(`^/api/v2/knowledge/sources/?$`)
	routeSource        = regexp.MustCompile(`^/api/v2/knowledge/sources/[^/]+$`)
	routeArticles      = regexp.MustCompile(`^/api/v2/knowledge/articles/$`)
	routeArticle       = regexp.MustCompile(`^/api/v2/knowledge/articles/[^/]+$`)
	routeBulk          = regexp.MustCompile(`^/api/v2/knowledge/bulk/(articles|tags)/?$`)
	routeTags          = regexp.MustCompile(`^/api/v2/knowledge/tags/$`)
	routePersona       = regexp.MustCompile(`^/api/v2/persona/$`)
	routeVariables     = regexp.MustCompile(`^/api/v2/variables/$`)
	routeVariable      = regexp.MustCompile(`^/api/v2/variables/[^/]+$`)
	routeInstructions  = regexp.MustCompile(`^/api/v2/custom-instructions/$`)
	routeInstruction   = regexp.MustCompile(`^/api/v2/custom-instructions/[^/]+$`)
	routeAuditEvents   = regexp.MustCompile(`^/api/v2/analytics/audit-log/events/$`)
	routeExport        = regexp.MustCompile(`^/api/v2/export/(conversations|messages)$`)
	routeDeletion      = regexp.MustCompile(`^/api/v2/end-users/delete$`)
	routeJob           = regexp.MustCompile(`^/api/v2/jobs/[^/]+$`)

	endpointID    = regexp.MustCompile(`^ep_[0-9A-Za-z]{27}$`)
	webhookSecret = regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{32,}={0,2}$`)
)

// checkReliedFields asserts what Ada's document does not require but clients rely on: the ids,
// statuses, roles and timestamps of every response, and that no secret comes back.
func checkReliedFields(t *testing.T, req sessionRequest, r response) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s %s -> %d: %s; body %.300s", req.method, req.path, r.status, fmt.Sprintf(format, args...), r.body)
	}
	if r.status == http.StatusNoContent {
		if len(r.body) != 0 || r.header.Get("Content-Type") != "" {
			fail("a 204 with a body or a Content-Type")
		}
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		fail("Content-Type %q", ct)
	}
	for _, secret := range []string{"tok_123", "s-1", testKey} { // sensitive_metadata values, the key
		if strings.Contains(string(r.body), secret) {
			fail("response contains %q", secret)
		}
	}
	if r.status >= 400 {
		body := decode[object](t, r)
		errs, _ := body["errors"].([]any)
		if len(errs) != 1 || str(errs[0].(object)["type"]) == "" || str(errs[0].(object)["message"]) == "" {
			fail("not Ada's error body")
		}
		return
	}
	u, err := url.Parse(req.path)
	if err != nil {
		t.Fatal(err)
	}
	path := u.Path
	if !strings.HasPrefix(path, "/api") {
		path = "/api" + path
	}
	if routeBulk.MatchString(path) {
		for _, item := range decode[[]object](t, r) {
			if _, ok := item["success"].(bool); !ok || str(item["id"]) == "" {
				fail("upsert result %v", item)
			}
			if _, ok := item["created"].(bool); !ok {
				fail("upsert result without created: %v", item)
			}
		}
		return
	}
	body := decode[object](t, r)
	switch {
	case routeSources.MatchString(path) && req.method == "GET", routeTags.MatchString(path):
		data, ok := body["data"].([]any)
		if !ok {
			fail("no data array")
		}
		if _, has := body["meta"]; has {
			fail("a meta on a list Ada does not paginate")
		}
		for _, d := range data {
			if routeTags.MatchString(path) {
				if tag, _ := d.(object); str(tag["id"]) == "" || str(tag["name"]) == "" {
					fail("tag %v", d)
				}
				continue
			}
			checkKnowledgeSource(d.(object), fail)
		}
	case routeSources.MatchString(path), routeSource.MatchString(path):
		checkKnowledgeSource(body, fail)
	case routeArticles.MatchString(path):
		checkList(t, body, checkArticle, fail)
	case routeArticle.MatchString(path):
		checkArticle(body, fail)
	case routeExport.MatchString(path):
		checkExportPage(body, strings.HasSuffix(path, "/messages"), fail)
	case routeDeletion.MatchString(path) && req.method == "POST":
		checkDeletionAccepted(body, fail)
	case routeJob.MatchString(path):
		checkDeletionJob(body, fail)
	case routeEndUsers.MatchString(path) && req.method == "GET" && !u.Query().Has("external_id"):
		checkList(t, body, checkEndUser, fail)
	case routeEndUsers.MatchString(path), routeEndUser.MatchString(path):
		checkEndUser(body, fail)
	case routeChannels.MatchString(path) && req.method == "GET":
		checkList(t, body, checkChannel, fail)
	case routeChannels.MatchString(path), routeChannel.MatchString(path):
		checkChannel(body, fail)
	case routeEmail.MatchString(path):
		if !hexID.MatchString(str(body["conversation_id"])) {
			fail("conversation_id %v", body["conversation_id"])
		}
	case routeConversations.MatchString(path), routeConversation.MatchString(path):
		checkConversation(body, fail)
	case routeAttachments.MatchString(path):
		if u, err := url.Parse(str(body["url"])); err != nil || !u.IsAbs() || str(body["mime_type"]) == "" ||
			str(body["filename"]) == "" || !strings.HasSuffix(u.Path, "/"+str(body["filename"])) {
			fail("attachment url/mime_type/filename")
		}
	case routeMessages.MatchString(path) && req.method == "GET":
		checkList(t, body, checkMessageLog, fail)
	case routeMessages.MatchString(path):
		checkMessage(body, fail)
	case routeEnd.MatchString(path):
		if str(body["message"]) == "" {
			fail("no message")
		}
	case routeWebhooks.MatchString(path) && req.method == "GET":
		checkList(t, body, checkWebhook, fail)
	case routeWebhooks.MatchString(path), routeWebhook.MatchString(path):
		checkWebhook(body, fail)
	case routeWebhookSecret.MatchString(path):
		if !webhookSecret.MatchString(str(body["key"])) {
			fail("key %v", body["key"])
		}
	case routeWebhookRotate.MatchString(path):
		if len(body) != 0 {
			fail("rotate returned more than {}") // the new secret is not returned
		}
	case routeEventTypes.MatchString(path):
		data, _ := body["data"].([]any)
		for _, d := range data {
			if e, _ := d.(object); str(e["name"]) == "" || str(e["description"]) == "" {
				fail("event type %v", d)
			}
		}
	case routePersona.MatchString(path):
		checkPersona(body, fail)
	case routeVariables.MatchString(path):
		checkVariables(body, fail)
	case routeVariable.MatchString(path):
		checkVariable(body, fail)
	case routeInstructions.MatchString(path) && req.method == "GET":
		checkList(t, body, checkCustomInstruction, fail)
	case routeInstructions.MatchString(path), routeInstruction.MatchString(path):
		checkCustomInstruction(body, fail)
	case routeAuditEvents.MatchString(path):
		checkList(t, body, checkAuditEvent, fail)
	default:
		fail("no relied-on fields known for this route")
	}
}

type failFunc func(format string, args ...any)

func checkList(t *testing.T, body object, item func(object, failFunc), fail failFunc) {
	t.Helper()
	data, ok := body["data"].([]any)
	if !ok {
		fail("no data array")
	}
	for _, d := range data {
		item(d.(object), fail)
	}
	meta, ok := body["meta"].(object)
	if !ok {
		fail("no meta")
		return
	}
	if next, present := meta["next_page_url"]; !present {
		fail("meta.next_page_url missing")
	} else if s, isString := next.(string); next != nil && (!isString || !strings.Contains(s, "cursor=")) {
		fail("next_page_url %v", next)
	}
}

func checkEndUser(u object, fail failFunc) {
	if !hexID.MatchString(str(u["end_user_id"])) {
		fail("end_user_id %v", u["end_user_id"])
	}
	if _, ok := u["external_id"]; !ok {
		fail("external_id missing")
	}
	p, ok := u["profile"].(object)
	if !ok {
		fail("profile missing")
		return
	}
	if _, ok := p["metadata"].(object); !ok {
		fail("profile.metadata missing")
	}
	if _, ok := p["system_properties"].(object); !ok {
		fail("profile.system_properties missing")
	}
	if _, ok := p["sensitive_metadata"]; ok {
		fail("profile.sensitive_metadata returned")
	}
	checkTimes(u, fail, "created_at", "updated_at")
}

func checkChannel(ch object, fail failFunc) {
	if !hexID.MatchString(str(ch["id"])) || str(ch["name"]) == "" || str(ch["modality"]) == "" {
		fail("channel id/name/modality")
	}
	if ch["type"] != "custom" && ch["type"] != "native" {
		fail("channel type %v", ch["type"])
	}
	if _, ok := ch["capabilities"].(object)["markdown"].(bool); !ok {
		fail("capabilities.markdown")
	}
}

func checkConversation(cv object, fail failFunc) {
	if !hexID.MatchString(str(cv["id"])) || !hexID.MatchString(str(cv["channel_id"])) || !hexID.MatchString(str(cv["end_user_id"])) {
		fail("conversation ids")
	}
	if cv["status"] != "active" && cv["status"] != "ended" {
		fail("status %v", cv["status"])
	}
	if _, ok := cv["metadata"].(object); !ok {
		fail("metadata")
	}
	checkTimes(cv, fail, "created_at", "updated_at")
}

func checkMessage(m object, fail failFunc) {
	if !hexID.MatchString(str(m["id"])) || !hexID.MatchString(str(m["conversation_id"])) {
		fail("message ids")
	}
	checkAuthorAndContent(m, fail)
	checkTimes(m, fail, "created_at", "updated_at")
}

func checkMessageLog(m object, fail failFunc) {
	if m["type"] != "message_logs" || !hexID.MatchString(str(m["message_id"])) {
		fail("message log type/message_id")
	}
	checkAuthorAndContent(m, fail)
	checkTimes(m, fail, "created_at")
}

func checkAuthorAndContent(m object, fail failFunc) {
	a, _ := m["author"].(object)
	switch a["role"] {
	case "end_user":
		if !hexID.MatchString(str(a["id"])) {
			fail("end_user author without id")
		}
	case "ai_agent", "human_agent":
		if a["id"] != nil {
			fail("%v author with an id", a["role"])
		}
	default:
		fail("author role %v", a["role"])
	}
	c, _ := m["content"].(object)
	switch c["type"] {
	case "text":
		if str(c["body"]) == "" {
			fail("empty text")
		}
	case "file", "link":
		if str(c["url"]) == "" {
			fail("%v without url", c["type"])
		}
	default:
		fail("content type %v", c["type"])
	}
}

func checkWebhook(wh object, fail failFunc) {
	if !endpointID.MatchString(str(wh["id"])) || str(wh["url"]) == "" {
		fail("webhook id/url")
	}
	if _, ok := wh["description"].(string); !ok {
		fail("description %v", wh["description"])
	}
	if _, ok := wh["event_filters"].([]any); !ok {
		fail("event_filters %v", wh["event_filters"])
	}
	if _, ok := wh["enabled"].(bool); !ok {
		fail("enabled %v", wh["enabled"])
	}
	checkTimes(wh, fail, "created_at", "updated_at")
}

func checkKnowledgeSource(ks object, fail failFunc) {
	if str(ks["id"]) == "" || str(ks["name"]) == "" {
		fail("knowledge source id/name")
	}
	for _, k := range []string{"external_id", "metadata", "status"} {
		if _, ok := ks[k]; !ok {
			fail("knowledge source without %s", k)
		}
	}
	if st := ks["status"]; st != nil && st != "deleting" {
		fail("status %v", st)
	}
	checkTimes(ks, fail, "created", "updated")
}

func checkArticle(a object, fail failFunc) {
	if str(a["id"]) == "" || str(a["name"]) == "" || str(a["knowledge_source_id"]) == "" || str(a["language"]) == "" {
		fail("article id/name/knowledge_source_id/language")
	}
	if _, ok := a["content"].(string); !ok {
		fail("content %v", a["content"])
	}
	if _, ok := a["tag_ids"].([]any); !ok {
		fail("tag_ids %v", a["tag_ids"])
	}
	if _, ok := a["enabled"].(bool); !ok {
		fail("enabled %v", a["enabled"])
	}
	for _, k := range []string{"url", "metadata", "availability_rules", "external_created", "external_updated"} {
		if _, ok := a[k]; !ok {
			fail("article without %s", k)
		}
	}
	checkTimes(a, fail, "created", "updated")
}

func checkTimes(o object, fail failFunc, keys ...string) {
	for _, k := range keys {
		if !timestamp.MatchString(str(o[k])) {
			fail("%s %v", k, o[k])
		}
	}
}

// TestOpenAPIWebhookPayloads delivers every event type the simulator emits to a receiver on
// loopback and checks each payload against the schema Ada's document declares for it (its
// webhooks section), and the tags Ada's end-user payloads carry.
//
// The custom channel's metadata has no decimal value: the document disagrees with itself there
// (CustomChannelMetadata allows a number, the channel inside ConversationMessageWebhookPayload
// only string, boolean and integer), and ada-api.md does not settle which side Ada follows.
func TestOpenAPIWebhookPayloads(t *testing.T) {
	v, err := openapicheck.Load(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var bodies [][]byte
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer rcv.Close()
	var log eventLog
	c := newSim(t, adasim.Options{Seed: 3, OnEvent: log.add, Webhooks: []adasim.WebhookEndpoint{{URL: rcv.URL + "/hooks"}}})

	u := c.createEndUser(object{"external_id": "crm-1", "profile": object{"first_name": "Ana", "metadata": object{"n": 1, "s": "x", "b": true}}})
	userID := str(u["end_user_id"])
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+userID, object{"profile": object{"last_name": "Silva"}})
	ch := c.expect(http.StatusCreated, "POST", "/v2/channels/", object{"name": "Web", "description": "d", "modality": "messaging",
		"metadata": object{"n": 1, "s": "x", "b": true}, "capabilities": object{"markdown": true}})
	cv := c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{"channel_id": ch["id"], "end_user_id": userID,
		"metadata": object{"n": 1, "f": 0.5, "s": "x"}})
	id := str(cv["id"])
	msgs := "/v2/conversations/" + id + "/messages/"
	c.expect(http.StatusCreated, "POST", msgs, object{"author": object{"id": userID, "role": "end_user"},
		"content": object{"type": "text", "body": "I need a human please"}})
	human := object{"role": "human_agent", "display_name": "Sam", "avatar": "https://example.com/sam.png"}
	c.expect(http.StatusCreated, "POST", msgs, object{"author": human, "content": object{"type": "text", "body": "Hi, Sam here"}})
	att := c.expect(http.StatusCreated, "POST", "/v2/conversations/"+id+"/attachments/", formFile{filename: "a.pdf", data: []byte("%PDF-1.4")})
	c.expect(http.StatusCreated, "POST", msgs, object{"author": human,
		"content": object{"type": "file", "url": att["url"], "mime_type": att["mime_type"], "filename": att["filename"]}})
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+id+"/end-handoff/", nil)
	c.expect(http.StatusOK, "PATCH", "/v2/conversations/"+id+"/", object{"metadata": object{"s": nil, "z": 2}})
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+id+"/end/", nil) // with a CSAT link message
	native := c.expect(http.StatusCreated, "POST", "/v2/conversations/", object{"channel_id": c.sim.DefaultChannelID()})
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+str(native["id"])+"/messages/", object{
		"author": object{"id": native["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": "hi"}})

	events := log.take()
	waitFor(t, fmt.Sprintf("%d deliveries", len(events)), func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) >= len(events)
	})
	mu.Lock()
	defer mu.Unlock()
	seen := map[string]bool{}
	for i, body := range bodies {
		if err := v.CheckWebhook(body); err != nil {
			t.Errorf("delivery %d: %v\n%s", i, err, body)
		}
		var env struct {
			Type string
			Data struct {
				EndUserID string `json:"end_user_id"`
			}
			Tags []string
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		seen[env.Type] = true
		if strings.HasPrefix(env.Type, "v1.end_user.") && !slices.Contains(env.Tags, env.Data.EndUserID) {
			t.Errorf("%s tags %q, want the end user's id %s", env.Type, env.Tags, env.Data.EndUserID)
		}
	}
	for _, want := range []string{adasim.EventEndUserCreated, adasim.EventEndUserUpdated, adasim.EventConversationCreated,
		adasim.EventConversationMessage, adasim.EventConversationEnded, adasim.EventConversationHandoffEnded} {
		if !seen[want] {
			t.Errorf("no %s delivered", want)
		}
	}
}
