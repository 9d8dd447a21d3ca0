package adasim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// A scripted session that visits every route the simulator serves, with successes and errors.
// It runs through the OpenAPI middleware (openapi_test.go) and twice for determinism
// (determinism_test.go).

// sessionRequest is one request of the session. off is the kind of OpenAPI violation the
// request itself is expected to raise ("" for a request that follows Ada's document): the
// session deliberately sends some requests Ada's document forbids, to check Ada's answers.
type sessionRequest struct {
	off          openapicheck.Kind
	method, path string // path relative to /api, or an absolute URL (next_page_url)
	body         any
	auth         authMode
}

type authMode int

const (
	authKey   authMode = iota // "Authorization: Bearer <the key>"
	authNone                  // no Authorization header
	authWrong                 // a Bearer token that is not the key
)

func (m authMode) header(key string) string {
	switch m {
	case authNone:
		return ""
	case authWrong:
		return "Bearer not-" + key
	}
	return "Bearer " + key
}

type sendFunc func(sessionRequest) response

type sessionRunner struct {
	t         testing.TB
	channelID string // the simulator's DefaultChannelID
	send      sendFunc
}

const none openapicheck.Kind = ""

// step sends a request, requires the status, and returns the body as an object (nil if the
// body is not an object).
func (s *sessionRunner) step(want int, off openapicheck.Kind, method, path string, body any) object {
	s.t.Helper()
	return s.stepAuth(authKey, want, off, method, path, body)
}

func (s *sessionRunner) stepAuth(auth authMode, want int, off openapicheck.Kind, method, path string, body any) object {
	s.t.Helper()
	r := s.send(sessionRequest{off: off, method: method, path: path, body: body, auth: auth})
	if r.status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %.300s", method, path, r.status, want, r.body)
	}
	var obj object
	_ = json.Unmarshal(r.body, &obj)
	return obj
}

// walk follows next_page_url from path to the last page and returns the number of items seen.
func (s *sessionRunner) walk(path string) int {
	s.t.Helper()
	n := 0
	for pages := 0; path != ""; pages++ {
		if pages > 50 {
			s.t.Fatalf("pagination from %s does not end", path)
		}
		page := s.step(http.StatusOK, none, "GET", path, nil)
		n += len(page["data"].([]any))
		path, _ = page["meta"].(object)["next_page_url"].(string)
	}
	return n
}

func (s *sessionRunner) run() {
	const (
		ok, created     = http.StatusOK, http.StatusCreated
		bad, notFound   = http.StatusBadRequest, http.StatusNotFound
		unauthenticated = http.StatusUnauthorized
		request, route  = openapicheck.KindRequest, openapicheck.KindRoute
		unknownID       = "000000000000000000000000"
	)
	t := s.t

	// Authentication.
	s.stepAuth(authNone, unauthenticated, request, "GET", "/v2/end-users/", nil) // the header is required
	s.stepAuth(authWrong, unauthenticated, none, "GET", "/v2/end-users/", nil)
	s.stepAuth(authWrong, unauthenticated, none, "POST", "/v2/conversations/x/end-handoff/", nil) // 401 undeclared there

	// End users.
	ana := s.step(created, none, "POST", "/v2/end-users/", object{"external_id": "crm-1", "profile": object{
		"first_name": "Ana", "language": "pt-BR", "email": "ana@example.com", "avatar": "https://example.com/a.png",
		"metadata":           object{"plan": "pro", "seats": 3, "vip": true},
		"sensitive_metadata": object{"fields": object{"auth_token": "tok_123", "tier": 2}},
	}})
	anaID := str(ana["end_user_id"])
	if again := s.step(ok, none, "POST", "/v2/end-users/", object{"external_id": "CRM-1"}); again["end_user_id"] != anaID {
		t.Fatalf("upsert returned %v, want %s", again["end_user_id"], anaID)
	}
	blankID := str(s.step(created, none, "POST", "/v2/end-users/", object{})["end_user_id"])
	s.step(created, none, "POST", "/v2/end-users/", nil)
	s.step(bad, none, "POST", "/v2/end-users/", object{"external_id": ""})
	s.step(bad, none, "POST", "/v2/end-users/", object{"external_id": "a<b"})
	s.step(bad, none, "POST", "/v2/end-users/", object{"profile": object{"metadata": object{"a": 1.5}}})
	s.step(bad, none, "POST", "/v2/end-users/", object{"profile": object{"metadata": sizedMetadata(10<<10 + 1)}})
	s.step(bad, none, "POST", "/v2/end-users/", object{"profile": object{"sensitive_metadata": object{"fields": object{"a b": "x"}}}})
	s.step(bad, request, "POST", "/v2/end-users/", `{"external_id":`) // malformed JSON
	s.step(http.StatusRequestEntityTooLarge, none, "POST", "/v2/end-users/",
		append(append([]byte(`{"external_id":"`), bytes.Repeat([]byte("x"), 10<<20)...), `"}`...))

	s.step(ok, none, "GET", "/v2/end-users/"+anaID, nil)
	s.step(notFound, none, "GET", "/v2/end-users/"+unknownID, nil)
	s.step(ok, none, "GET", "/v2/end-users/?external_id=Crm-1", nil)
	s.step(notFound, none, "GET", "/v2/end-users/?external_id=nobody", nil)
	s.step(bad, none, "GET", "/v2/end-users/?external_id=crm-1&limit=5", nil)
	s.step(bad, none, "GET", "/v2/end-users/?limit=0", nil)
	s.step(bad, request, "GET", "/v2/end-users/?limit=many", nil) // limit is an integer
	s.step(bad, none, "GET", "/v2/end-users/?cursor="+unknownID, nil)
	if n := s.walk("/v2/end-users/?limit=2"); n != 3 {
		t.Fatalf("walked %d end users, want 3", n)
	}
	s.step(ok, none, "GET", "/v2/end-users/", nil)

	s.step(ok, none, "PATCH", "/v2/end-users/"+anaID, object{"external_id": "crm-1b", "profile": object{
		"last_name": "Silva", "avatar": nil, "metadata": object{"region": "EU"},
		"sensitive_metadata": object{"fields": object{"auth_token": nil, "session": "s-1"}},
	}})
	// A null metadata value deletes the key: the simulator's choice (Ada does not say whether
	// PATCH merges); Ada's document lists no null among end-user metadata values.
	s.step(ok, request, "PATCH", "/v2/end-users/"+anaID, object{"profile": object{"metadata": object{"seats": nil}}})
	s.step(http.StatusConflict, none, "PATCH", "/v2/end-users/"+blankID, object{"external_id": "CRM-1B", "profile": object{}})
	s.step(ok, none, "PATCH", "/v2/end-users/"+anaID, object{"external_id": nil, "profile": object{}})
	s.step(ok, none, "PATCH", "/v2/end-users/"+blankID, object{"external_id": "crm-1b", "profile": object{"metadata": nil}})
	s.step(bad, request, "PATCH", "/v2/end-users/"+anaID, object{"external_id": "x"}) // profile is required
	s.step(bad, none, "PATCH", "/v2/end-users/"+anaID, object{"profile": object{"metadata": sizedMetadata(10<<10 + 1)}})
	s.step(notFound, none, "PATCH", "/v2/end-users/"+unknownID, object{"profile": object{}})
	s.step(notFound, route, "GET", "/v2/end-users/"+anaID+"/", nil)
	s.step(http.StatusMethodNotAllowed, route, "DELETE", "/v2/end-users/"+anaID, nil)

	// Channels.
	s.step(ok, none, "GET", "/v2/channels/?type=custom", nil)
	native := s.step(ok, none, "GET", "/v2/channels/?type=native&modality=messaging", nil)
	nativeID := str(native["data"].([]any)[0].(object)["id"])
	s.step(bad, request, "GET", "/v2/channels/", nil)            // type is required
	s.step(bad, request, "GET", "/v2/channels/?type=other", nil) // outside the enum
	// sms is in Ada's newer docs but not in the stored document's enum.
	s.step(ok, request, "GET", "/v2/channels/?type=custom&modality=sms", nil)
	channel := s.step(created, none, "POST", "/v2/channels/", object{"name": "Support chat", "description": "Our help widget",
		"modality": "messaging", "metadata": object{"webpage_host": "https://lovelace-chat.com", "n": 1, "f": 2.5, "b": true}})
	channelID := str(channel["id"])
	s.step(created, none, "POST", "/v2/channels/", object{"name": "Mail", "description": "", "modality": "email", "capabilities": object{"markdown": true}})
	s.step(bad, request, "POST", "/v2/channels/", object{"name": "n", "description": "d"}) // modality is required
	s.step(bad, none, "POST", "/v2/channels/", object{"name": "n", "description": "d", "modality": "messaging", "metadata": sizedMetadata(4<<10 + 1)})
	if n := s.walk("/v2/channels/?type=custom&limit=1"); n != 3 {
		t.Fatalf("walked %d custom channels, want 3", n)
	}
	s.step(ok, none, "PATCH", "/v2/channels/"+channelID, object{"capabilities": object{"markdown": true}})
	s.step(bad, none, "PATCH", "/v2/channels/"+nativeID, object{"capabilities": object{"markdown": true}})
	s.step(notFound, none, "PATCH", "/v2/channels/"+unknownID, object{"capabilities": object{"markdown": true}})
	s.step(bad, request, "PATCH", "/v2/channels/"+channelID, object{}) // capabilities is required
	s.step(http.StatusMethodNotAllowed, route, "GET", "/v2/channels/"+channelID, nil)

	// Conversations.
	conv := s.step(created, none, "POST", "/v2/conversations/", object{"channel_id": s.channelID, "end_user_id": anaID,
		"metadata": object{"source": "web", "n": 1, "f": 0.5, "b": true}})
	convID := str(conv["id"])
	s.step(created, none, "POST", "/v2/conversations", object{"channel_id": channelID}) // Ada's demo spelling; new end user
	s.step(bad, request, "POST", "/v2/conversations/", object{})                        // channel_id is required
	s.step(notFound, none, "POST", "/v2/conversations/", object{"channel_id": unknownID})
	s.step(bad, none, "POST", "/v2/conversations/", object{"channel_id": nativeID})
	s.step(notFound, none, "POST", "/v2/conversations/", object{"channel_id": s.channelID, "end_user_id": unknownID})
	s.step(bad, request, "POST", "/v2/conversations/", object{"channel_id": s.channelID, "metadata": object{"a": object{}}})

	s.step(ok, none, "GET", "/v2/conversations/"+convID+"/", nil)
	s.step(notFound, none, "GET", "/v2/conversations/"+unknownID+"/", nil)
	s.step(ok, none, "PATCH", "/v2/conversations/"+convID+"/", object{"metadata": object{"n": nil, "extra": 2, "score": 0.95}})
	s.step(bad, none, "PATCH", "/v2/conversations/"+convID+"/", object{"metadata": sizedMetadata(4<<10 + 1)})
	s.step(bad, request, "PATCH", "/v2/conversations/"+convID+"/", object{}) // metadata is required
	s.step(notFound, none, "PATCH", "/v2/conversations/"+unknownID+"/", object{"metadata": object{}})
	s.step(notFound, route, "GET", "/v2/conversations/"+convID, nil)

	msgs := "/v2/conversations/" + convID + "/messages/"
	asAna := object{"id": anaID, "role": "end_user", "display_name": "Ana Silva", "avatar": nil}
	s.step(created, none, "POST", msgs, object{"author": asAna, "content": object{"type": "text", "body": "Where is my order?"}})
	s.step(created, none, "POST", "/v2/conversations/"+convID+"/messages", object{"author": asAna, "content": object{"type": "text", "body": "It is late."}})
	s.step(created, none, "POST", msgs, object{"author": asAna, "content": object{"type": "file", "url": "https://files.example.com/r.pdf", "mime_type": "application/pdf", "filename": "r.pdf"}})
	s.step(bad, request, "POST", msgs, object{"author": object{"role": "ai_agent"}, "content": object{"type": "text", "body": "x"}})
	s.step(bad, none, "POST", msgs, object{"author": object{"id": blankID, "role": "end_user"}, "content": object{"type": "text", "body": "x"}})
	s.step(bad, none, "POST", msgs, object{"author": object{"role": "human_agent"}, "content": object{"type": "text", "body": "x"}})
	s.step(bad, none, "POST", msgs, object{"author": asAna, "content": object{"type": "text", "body": ""}})
	s.step(notFound, none, "POST", "/v2/conversations/"+unknownID+"/messages/", object{"author": asAna, "content": object{"type": "text", "body": "x"}})
	s.step(ok, none, "GET", msgs, nil)
	if n := s.walk(msgs + "?limit=2"); n != 7 {
		t.Fatalf("walked %d messages, want 7", n)
	}
	s.step(bad, none, "GET", msgs+"?limit=101", nil)
	s.step(notFound, none, "GET", "/v2/conversations/"+unknownID+"/messages/", nil)
	s.step(notFound, route, "GET", "/v2/conversations/"+convID+"/messages", nil)

	endHandoff := "/v2/conversations/" + convID + "/end-handoff/"
	s.step(http.StatusUnprocessableEntity, none, "POST", endHandoff, nil)
	s.step(created, none, "POST", msgs, object{"author": asAna, "content": object{"type": "text", "body": "Let me talk to a human agent"}})
	s.step(created, none, "POST", msgs, object{"author": object{"role": "human_agent", "display_name": "Grace", "avatar": "https://example.com/g.png"}, "content": object{"type": "text", "body": "Hi Ana, Grace here."}})
	// Attachments, while the conversation is in the handoff.
	attachments := "/v2/conversations/" + convID + "/attachments/"
	pdf := formFile{filename: "receipt.pdf", contentType: "application/pdf", data: []byte("%PDF-1.4 receipt")}
	up := s.step(created, none, "POST", attachments, pdf)
	s.step(created, none, "POST", msgs, object{"author": asAna, "content": object{"type": "file",
		"url": up["url"], "mime_type": up["mime_type"], "filename": up["filename"]}})
	s.step(created, none, "POST", "/v2/conversations/"+convID+"/attachments", formFile{filename: "notes.TXT", data: []byte("n")}) // the demo's spelling
	s.step(bad, none, "POST", attachments, formFile{filename: "setup.exe", data: []byte("MZ")})
	s.step(bad, none, "POST", attachments, formFile{filename: "empty.txt"})
	s.step(bad, request, "POST", attachments, formFile{field: "upload", filename: "a.txt", data: []byte("a")}) // file is required
	s.step(bad, request, "POST", attachments, object{"file": "a.txt"})                                         // not multipart
	s.step(http.StatusRequestEntityTooLarge, none, "POST", attachments, formFile{filename: "big.zip", data: make([]byte, 50<<20+1)})
	s.step(notFound, none, "POST", "/v2/conversations/"+unknownID+"/attachments/", pdf)
	s.step(http.StatusMethodNotAllowed, route, "GET", attachments, nil)

	s.step(ok, none, "POST", "/v2/conversations/"+convID+"/end-handoff", object{}) // the demo sends {}
	s.step(bad, none, "POST", attachments, pdf)                                    // no longer in a handoff
	s.step(notFound, none, "POST", "/v2/conversations/"+unknownID+"/end-handoff/", nil)

	s.step(ok, none, "POST", "/v2/conversations/"+convID+"/end/", nil)
	s.step(ok, none, "POST", "/v2/conversations/"+convID+"/end", nil)
	s.step(notFound, none, "POST", "/v2/conversations/"+unknownID+"/end/", nil)
	s.step(bad, none, "POST", msgs, object{"author": asAna, "content": object{"type": "text", "body": "hello?"}})
	s.step(http.StatusUnprocessableEntity, none, "POST", endHandoff, nil)
	s.step(http.StatusMethodNotAllowed, route, "GET", "/v2/conversations/"+convID+"/end/", nil)
	s.step(ok, none, "GET", msgs, nil) // now with a CSAT link item
	s.step(ok, none, "GET", "/v2/conversations/"+convID+"/", nil)

	// Email conversations, on the native Email channel.
	emails := "/v2/conversations/email/"
	email := s.step(ok, none, "POST", emails, object{"name": "Ana Silva", "subject": "Order 42", "reply_to": "ana@example.com",
		"text": "Where is my order?", "reply_as": "support@sandbox.ada.support", "cc": []string{"team@example.com"},
		"metadata": object{"order": 42, "vip": true, "score": 0.5, "src": "web"}})
	emailID := str(email["conversation_id"])
	s.step(ok, none, "GET", "/v2/conversations/"+emailID+"/", nil)
	s.step(ok, none, "GET", "/v2/conversations/"+emailID+"/messages/", nil)
	s.step(ok, none, "POST", emails, object{"name": "Bo", "subject": "Hello", "reply_to": "bo@example.com"})
	s.step(http.StatusUnprocessableEntity, none, "POST", emails, object{"name": "Bo", "subject": "s", "reply_to": "bo@example.com", "reply_as": "help@example.com"})
	s.step(bad, request, "POST", emails, object{"name": "Bo", "reply_to": "bo@example.com"}) // subject is required
	s.step(bad, none, "POST", emails, object{"name": "Bo", "subject": "s", "reply_to": "not an address"})
	s.step(bad, none, "POST", emails, object{"name": "Bo", "subject": "s", "reply_to": "bo@example.com", "text": strings.Repeat("x", 10<<10+1)})
	s.step(bad, none, "POST", emails, object{"name": "Bo", "subject": "s", "reply_to": "bo@example.com", "metadata": sizedMetadata(4<<10 + 1)})
	s.step(http.StatusMethodNotAllowed, route, "GET", emails, nil)
	if n := s.walk("/v2/channels/?type=native&modality=email"); n != 1 {
		t.Fatalf("walked %d native email channels, want 1", n)
	}

	s.webhooks()
	s.knowledge()
	s.aiAgent()
	s.export(conv)                       // export_test.go
	s.compliance(anaID, blankID, convID) // compliance_test.go: erases ana, last
	s.auditLog()                         // it reads what the session wrote
}

// webhooks is the session's part for the webhooks management API. It emits no event, and its
// endpoints point at a closed loopback port: nothing is delivered anywhere.
func (s *sessionRunner) webhooks() {
	const (
		ok, created, bad, notFound = http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusNotFound
		request, route             = openapicheck.KindRequest, openapicheck.KindRoute
		hookURL                    = "http://127.0.0.1:9/ada-webhooks"
		unknown                    = "/v2/webhooks/ep_000000000000000000000000000"
	)
	t := s.t
	s.stepAuth(authWrong, http.StatusUnauthorized, none, "GET", "/v2/webhooks/", nil)
	if types := s.step(ok, none, "GET", "/v2/webhooks/event-types/", nil)["data"].([]any); len(types) != 7 {
		t.Fatalf("%d event types, want 7", len(types))
	}
	s.step(ok, none, "GET", "/v2/webhooks/", nil) // empty

	// Only subscribed to an event the simulator never emits.
	hook := s.step(created, none, "POST", "/v2/webhooks/", object{"url": hookURL, "description": "Sandbox receiver",
		"event_filters": []string{"v1.audit_log.emitted"}, "enabled": true})
	hookID := str(hook["id"])
	minimal := s.step(created, none, "POST", "/v2/webhooks/", object{"url": hookURL + "/all"})
	if minimal["enabled"] != true || minimal["description"] != "" || len(minimal["event_filters"].([]any)) != 0 {
		t.Fatalf("defaults: %v", minimal)
	}
	minimalID := str(minimal["id"])
	s.step(ok, none, "PATCH", "/v2/webhooks/"+minimalID, object{"enabled": false})
	s.step(created, none, "POST", "/v2/webhooks/", object{"url": hookURL + "/off", "event_filters": []string{}, "enabled": false})
	s.step(bad, request, "POST", "/v2/webhooks/", object{"description": "no url"}) // url is required
	s.step(bad, none, "POST", "/v2/webhooks/", object{"url": "/relative"})
	s.step(bad, none, "POST", "/v2/webhooks/", object{"url": hookURL, "event_filters": []string{"v1.unknown.event"}})
	s.step(bad, request, "POST", "/v2/webhooks/", object{"url": hookURL, "enabled": "yes"})
	s.step(bad, request, "POST", "/v2/webhooks/", `{"url":`)
	if n := s.walk("/v2/webhooks/?limit=2"); n != 3 {
		t.Fatalf("walked %d webhooks, want 3", n)
	}
	s.step(bad, none, "GET", "/v2/webhooks/?limit=0", nil)
	s.step(bad, none, "GET", "/v2/webhooks/?cursor=ep_unknown", nil)

	s.step(ok, none, "GET", "/v2/webhooks/"+hookID, nil)
	s.step(notFound, none, "GET", unknown, nil)
	s.step(ok, none, "PATCH", "/v2/webhooks/"+hookID, object{"description": "Renamed", "url": hookURL + "/v2"})
	s.step(ok, none, "PATCH", "/v2/webhooks/"+hookID, object{})
	s.step(bad, none, "PATCH", "/v2/webhooks/"+hookID, object{"url": "ftp://example.com/x"})
	s.step(bad, none, "PATCH", "/v2/webhooks/"+hookID, object{"event_filters": []string{"v1.nope"}})
	s.step(notFound, none, "PATCH", unknown, object{"enabled": false})

	secret := "/v2/webhooks/" + hookID + "/secret/"
	s.step(ok, none, "GET", secret, nil)
	s.step(ok, none, "POST", secret+"rotate/", nil)
	s.step(ok, none, "POST", secret+"rotate/", object{"key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
	if got := s.step(ok, none, "GET", secret, nil)["key"]; got != "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" {
		t.Fatalf("secret after a custom rotation: %v", got)
	}
	s.step(bad, none, "POST", secret+"rotate/", object{"key": "whsec_c2hvcnQ="}) // 400 undeclared: a universal status
	s.step(notFound, none, "GET", unknown+"/secret/", nil)
	s.step(notFound, none, "POST", unknown+"/secret/rotate/", nil)

	s.step(http.StatusNoContent, none, "DELETE", "/v2/webhooks/"+minimalID, nil)
	s.step(notFound, none, "DELETE", "/v2/webhooks/"+minimalID, nil)
	s.step(notFound, route, "GET", "/v2/webhooks/"+hookID+"/", nil)
	s.step(http.StatusMethodNotAllowed, route, "PUT", "/v2/webhooks/"+hookID, object{"url": hookURL})
	s.step(http.StatusMethodNotAllowed, route, "GET", secret+"rotate/", nil)
}

// knowledge is the session's part for the Knowledge API: sources, tags, articles (bulk upsert,
// filters, pages), and the asynchronous deletes, which show once and are done by the next list.
func (s *sessionRunner) knowledge() {
	const (
		ok, bad, notFound = http.StatusOK, http.StatusBadRequest, http.StatusNotFound
		gone              = http.StatusNoContent
		request, route    = openapicheck.KindRequest, openapicheck.KindRoute
		sources, tags     = "/v2/knowledge/sources/", "/v2/knowledge/tags/"
		articles          = "/v2/knowledge/articles/"
		bulkArticles      = "/v2/knowledge/bulk/articles/"
		bulkTags          = "/v2/knowledge/bulk/tags/"
	)
	t := s.t
	s.stepAuth(authWrong, http.StatusUnauthorized, none, "GET", sources, nil)

	// Sources.
	if data := s.step(ok, none, "GET", sources, nil)["data"].([]any); len(data) != 0 {
		t.Fatalf("sources at start: %v", data)
	}
	s.step(ok, none, "POST", sources, object{"id": "help-center", "name": "Help center",
		"metadata": object{"owner": "support", "sync": object{"every": "1h", "paths": []string{"/a"}}}})
	s.step(ok, none, "POST", "/v2/knowledge/sources", object{"id": "faq", "name": "FAQ", "metadata": nil}) // Ada's demo spelling
	s.step(http.StatusConflict, none, "POST", sources, object{"id": "faq", "name": "FAQ again"})
	s.step(bad, request, "POST", sources, object{"name": "no id"})
	s.step(bad, none, "POST", sources, object{"id": "", "name": "empty id"})
	s.step(bad, request, "POST", sources, object{"id": "x", "name": "x", "metadata": "not an object"})
	faq := s.step(ok, none, "PATCH", sources+"faq", object{"external_id": "zendesk-42", "metadata": object{"k": "v"}})
	if faq["external_id"] != "zendesk-42" || faq["name"] != "FAQ" {
		t.Fatalf("PATCH source: %v", faq)
	}
	s.step(ok, none, "PATCH", sources+"faq", object{"external_id": nil, "metadata": nil, "name": "Questions"})
	s.step(bad, request, "PATCH", sources+"faq", object{"name": nil})
	s.step(notFound, none, "PATCH", sources+"nope", object{"name": "x"})

	// Tags.
	s.step(ok, none, "GET", tags, nil)
	s.step(ok, none, "POST", bulkTags, []object{{"id": "billing", "name": "Billing"}, {"id": "shipping", "name": "Shipping"}})
	s.step(ok, none, "POST", bulkTags, []object{{"id": "billing", "name": "Billing and invoices"}})
	s.step(bad, request, "POST", bulkTags, []object{{"id": "x"}}) // name is required
	s.step(bad, request, "POST", bulkTags, object{"id": "x", "name": "y"})

	// Articles.
	rule := object{"match": "any", "conditions": []any{
		object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00001"}, "operator": "equals", "value": "pro", "case_sensitive": true},
		object{"match": "all", "conditions": []any{
			object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00002"}, "operator": "is_set"},
			object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00005"}, "operator": "greater_than", "value": 3, "case_sensitive": false},
		}},
	}}
	s.step(ok, none, "POST", bulkArticles, []object{
		{"id": "refunds", "name": "Refunds", "content": "# Refunds\nWithin 30 days.", "knowledge_source_id": "help-center",
			"url": "https://help.example.com/refunds", "tag_ids": []string{"billing"}, "language": "en-US",
			"external_created": "2025-12-01T10:00:00Z", "metadata": object{"views": 12}},
		{"id": "retours", "name": "Retours", "content": "Sous 30 jours.", "knowledge_source_id": "help-center",
			"language": "fr", "enabled": false, "availability_rules": rule},
		{"id": "hours", "name": "Opening hours", "content": "", "knowledge_source_id": "faq", "url": nil, "tag_ids": []string{}},
	})
	s.step(ok, none, "POST", "/v2/knowledge/bulk/articles", []object{ // Ada's demo spelling; an update
		{"id": "retours", "name": "Retours", "content": "Sous 14 jours.", "knowledge_source_id": "help-center", "availability_rules": nil}})
	s.step(bad, none, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": "x", "knowledge_source_id": "nope"}})
	s.step(bad, none, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": "x", "knowledge_source_id": "faq", "tag_ids": []string{"nope"}}})
	s.step(bad, none, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": "x", "knowledge_source_id": "faq", "language": "tlh"}})
	s.step(bad, none, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": strings.Repeat("x", 100<<10), "knowledge_source_id": "faq"}})
	s.step(bad, none, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": "x", "knowledge_source_id": "faq",
		"availability_rules": object{"match": "all", "conditions": []any{object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00001"}, "operator": "is_set", "value": "y"}}}}})
	s.step(bad, request, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": "x", "knowledge_source_id": "faq",
		"availability_rules": object{"match": "all", "conditions": []any{object{"variable": object{"id": "66a1f0c2b7e4d3a1c0f00001"}, "operator": "between", "value": 1}}}}})
	s.step(bad, request, "POST", bulkArticles, []object{{"id": "x", "name": "x", "content": "x"}}) // knowledge_source_id is required
	s.step(bad, request, "POST", bulkArticles, `[{"id":`)

	s.step(ok, none, "GET", articles, nil)
	if n := s.walk(articles + "?limit=2"); n != 3 {
		t.Fatalf("walked %d articles, want 3", n)
	}
	if n := s.walk(articles + "?knowledge_source_id=help-center&limit=1"); n != 2 {
		t.Fatalf("walked %d help-center articles, want 2", n)
	}
	if data := s.step(ok, none, "GET", articles+"?tag_ids=billing&language=en&enabled=true", nil)["data"].([]any); len(data) != 1 {
		t.Fatalf("filtered articles: %v", data)
	}
	s.step(bad, request, "GET", articles+"?enabled=maybe", nil)
	s.step(bad, none, "GET", articles+"?limit=0", nil)
	s.step(bad, none, "GET", articles+"?cursor=never-listed", nil)
	s.step(ok, none, "GET", articles+"refunds", nil)
	s.step(notFound, none, "GET", articles+"nope", nil)
	s.step(gone, none, "DELETE", articles+"hours", nil)
	s.step(notFound, none, "DELETE", articles+"hours", nil)
	s.step(notFound, none, "DELETE", articles+"?language=ja", nil)
	s.step(gone, none, "DELETE", articles+"?enabled=false", nil)
	if n := len(s.step(ok, none, "GET", articles, nil)["data"].([]any)); n != 2 {
		t.Fatalf("%d articles right after the delete was accepted, want 2 (it runs in the background)", n)
	}
	if n := len(s.step(ok, none, "GET", articles, nil)["data"].([]any)); n != 1 {
		t.Fatalf("%d articles once the delete ran, want 1", n)
	}

	s.step(gone, none, "DELETE", tags+"shipping", nil)
	s.step(notFound, none, "DELETE", tags+"shipping", nil)
	s.step(gone, none, "DELETE", sources+"help-center", nil)
	s.step(gone, none, "DELETE", sources+"help-center", nil) // accepted again while it runs
	listed := s.step(ok, none, "GET", sources, nil)["data"].([]any)
	if len(listed) != 2 || listed[0].(object)["status"] != "deleting" || listed[1].(object)["status"] != nil {
		t.Fatalf("sources while one is deleted: %v", listed)
	}
	if listed := s.step(ok, none, "GET", sources, nil)["data"].([]any); len(listed) != 1 {
		t.Fatalf("sources once the delete ran: %v", listed)
	}
	s.step(notFound, none, "DELETE", sources+"help-center", nil)
	s.step(notFound, none, "GET", articles+"refunds", nil) // went with its source

	s.step(http.StatusMethodNotAllowed, route, "GET", sources+"faq", nil)
	s.step(notFound, route, "GET", "/v2/knowledge/tags", nil)
	s.step(http.StatusMethodNotAllowed, route, "PATCH", articles+"refunds", object{"name": "x"})
}
