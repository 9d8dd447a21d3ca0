package openapicheck_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// The repository's copy of Ada's document: CI runs on a clean clone without /work/shared.
const docPath = "../../testdata/ada-openapi/ada-knowledge-openapi.yml"

func load(t *testing.T) *openapicheck.Validator {
	t.Helper()
	v, err := openapicheck.Load(docPath)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// exchange builds an Exchange with an optional JSON request body and a JSON response.
func exchange(method, target, reqBody string, status int, respBody string) openapicheck.Exchange {
	req := httptest.NewRequest(method, "http://127.0.0.1:8080"+target, strings.NewReader(reqBody))
	req.Header.Set("Authorization", "Bearer k")
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return openapicheck.Exchange{Request: req, RequestBody: []byte(reqBody), Status: status, Header: h, Body: []byte(respBody)}
}

const (
	endUser    = `{"end_user_id":"5f7e0e2c1e7c7e000f0f9c3a","external_id":null,"profile":{"first_name":null,"metadata":{"n":1},"system_properties":{"sunshine_user_id":null}},"created_at":"2026-01-01T00:00:00.000000+00:00","updated_at":"2026-01-01T00:00:00.000000+00:00"}`
	errorsBody = `{"errors":[{"type":"bad_request","message":"m"}]}`
)

func TestCheck(t *testing.T) {
	v := load(t)
	cases := []struct {
		name string
		ex   openapicheck.Exchange
		want []openapicheck.Kind // kinds of the expected violations, in order
	}{
		{"plain valid GET", exchange("GET", "/api/v2/end-users/abc", "", 200, endUser), nil},
		{"wrong type in body", exchange("GET", "/api/v2/end-users/abc", "", 200, `{"end_user_id":5}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"error body must be Errors", exchange("GET", "/api/v2/end-users/abc", "", 404, `{"error":"nope"}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"undeclared success status", exchange("GET", "/api/v2/end-users/abc", "", 201, endUser), []openapicheck.Kind{openapicheck.KindResponse}},
		{"non-JSON content type", func() openapicheck.Exchange {
			ex := exchange("GET", "/api/v2/end-users/abc", "", 200, endUser)
			ex.Header.Set("Content-Type", "text/plain")
			return ex
		}(), []openapicheck.Kind{openapicheck.KindResponse}},

		// Routes are exact about trailing slashes.
		{"wrong trailing slash", exchange("GET", "/api/v2/end-users/abc/", "", 200, endUser), []openapicheck.Kind{openapicheck.KindRoute}},
		{"undeclared method", exchange("DELETE", "/api/v2/end-users/abc", "", 204, ""), []openapicheck.Kind{openapicheck.KindRoute}},
		{"outside base path", exchange("GET", "/v2/end-users/abc", "", 200, endUser), []openapicheck.Kind{openapicheck.KindRoute}},

		// Requests are checked too.
		{"request: ai_agent role", exchange("POST", "/api/v2/conversations/c1/messages/", `{"author":{"role":"ai_agent"},"content":{"type":"text","body":"x"}}`, 400, errorsBody), []openapicheck.Kind{openapicheck.KindRequest}},
		{"request: missing required channel type", exchange("GET", "/api/v2/channels/", "", 400, errorsBody), []openapicheck.Kind{openapicheck.KindRequest}},
		{"request: missing Authorization", func() openapicheck.Exchange {
			ex := exchange("GET", "/api/v2/end-users/abc", "", 401, errorsBody)
			ex.Request.Header.Del("Authorization")
			return ex
		}(), []openapicheck.Kind{openapicheck.KindRequest}},

		// ExceptionCreateEndUser201: 201 is checked against the 200 schema, not waved through.
		{"create end user 201", exchange("POST", "/api/v2/end-users/", `{"external_id":"a"}`, 201, endUser), nil},
		{"create end user 201 bad body", exchange("POST", "/api/v2/end-users/", `{}`, 201, `{"profile":"x"}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"create end user 202 still undeclared", exchange("POST", "/api/v2/end-users/", `{}`, 202, endUser), []openapicheck.Kind{openapicheck.KindResponse}},

		// ExceptionGetEndUsersOneOf and ExceptionEndUsersNextPageURLNull.
		{"end users list, last page", exchange("GET", "/api/v2/end-users/?limit=2", "", 200, `{"data":[`+endUser+`],"meta":{"next_page_url":null}}`), nil},
		{"end users list, next page", exchange("GET", "/api/v2/end-users/", "", 200, `{"data":[`+endUser+`],"meta":{"next_page_url":"http://h/api/v2/end-users/?cursor=a&limit=1"}}`), nil},
		{"end users list, bad item", exchange("GET", "/api/v2/end-users/", "", 200, `{"data":[{"profile":7}],"meta":{"next_page_url":null}}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"end users list, next_page_url wrong type", exchange("GET", "/api/v2/end-users/", "", 200, `{"data":[],"meta":{"next_page_url":3}}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"end user by external_id", exchange("GET", "/api/v2/end-users/?external_id=crm-1", "", 200, endUser), nil},
		{"end user by external_id, bad body", exchange("GET", "/api/v2/end-users/?external_id=crm-1", "", 200, `{"external_id":5}`), []openapicheck.Kind{openapicheck.KindResponse}},

		// ExceptionMetadataNumberOneOf: integers pass, objects still fail.
		{"conversation metadata integer", exchange("PATCH", "/api/v2/conversations/c1/", `{"metadata":{"a":1,"b":null,"c":1.5}}`, 200, `{"id":"c1","status":"active","metadata":{"a":1,"c":1.5}}`), nil},
		{"conversation metadata object value", exchange("GET", "/api/v2/conversations/c1/", "", 200, `{"id":"c1","metadata":{"a":{"b":1}}}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"conversation status outside enum", exchange("GET", "/api/v2/conversations/c1/", "", 200, `{"id":"c1","status":"handoff"}`), []openapicheck.Kind{openapicheck.KindResponse}},

		// ExceptionErrorDetailsNotString.
		{"error details object", exchange("GET", "/api/v2/end-users/abc", "", 404, `{"errors":[{"type":"not_found","message":"m","details":{"code":"x"}}]}`), nil},
		{"error details number", exchange("GET", "/api/v2/end-users/abc", "", 404, `{"errors":[{"type":"not_found","message":"m","details":3}]}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"error without message", exchange("GET", "/api/v2/end-users/abc", "", 404, `{"errors":[{"type":"not_found"}]}`), []openapicheck.Kind{openapicheck.KindResponse}},

		// ExceptionUniversalErrorStatuses: only those statuses, only with the Errors body.
		{"end-handoff 401", exchange("POST", "/api/v2/conversations/c1/end-handoff/", "", 401, errorsBody), nil},
		{"end-handoff 429 bad body", exchange("POST", "/api/v2/conversations/c1/end-handoff/", "", 429, `{"message":"slow down"}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"end-handoff 409 undeclared", exchange("POST", "/api/v2/conversations/c1/end-handoff/", "", 409, errorsBody), []openapicheck.Kind{openapicheck.KindResponse}},

		// ExceptionKnowledgeStatusNull: null passes, another value still fails.
		{"knowledge source status null", exchange("GET", "/api/v2/knowledge/sources/", "", 200, `{"data":[{"id":"s1","name":"n","external_id":null,"metadata":null,"status":null}]}`), nil},
		{"knowledge source status deleting", exchange("PATCH", "/api/v2/knowledge/sources/s1", `{"name":"m"}`, 200, `{"id":"s1","name":"m","status":"deleting"}`), nil},
		{"knowledge source status outside enum", exchange("GET", "/api/v2/knowledge/sources/", "", 200, `{"data":[{"id":"s1","name":"n","status":"deleted"}]}`), []openapicheck.Kind{openapicheck.KindResponse}},

		// ExceptionNoTrailingSlashPOST: only the POSTs Ada's demo code makes.
		{"POST end without slash", exchange("POST", "/api/v2/conversations/c1/end", "", 200, `{"message":"ok"}`), nil},
		{"POST conversations without slash", exchange("POST", "/api/v2/conversations", `{"channel_id":"ch"}`, 201, `{"id":"c1","channel_id":"ch","end_user_id":"u","status":"active","metadata":{}}`), nil},
		{"GET messages without slash", exchange("GET", "/api/v2/conversations/c1/messages", "", 200, `{"data":[],"meta":{"next_page_url":null}}`), []openapicheck.Kind{openapicheck.KindRoute}},
		{"POST knowledge source without slash", exchange("POST", "/api/v2/knowledge/sources", `{"id":"s1","name":"n"}`, 200, `{"id":"s1","name":"n"}`), nil},
		{"POST bulk articles without slash", exchange("POST", "/api/v2/knowledge/bulk/articles", `[{"id":"a","name":"n","content":"c","knowledge_source_id":"s1"}]`, 200, `[{"id":"a","success":true,"created":true}]`), nil},
		{"POST bulk tags without slash", exchange("POST", "/api/v2/knowledge/bulk/tags", `[{"id":"t","name":"T"}]`, 200, `[]`), []openapicheck.Kind{openapicheck.KindRoute}},
		{"GET knowledge sources without slash", exchange("GET", "/api/v2/knowledge/sources", "", 200, `{"data":[]}`), []openapicheck.Kind{openapicheck.KindRoute}},
		{"POST channels without slash", exchange("POST", "/api/v2/channels", `{"name":"n","description":"d","modality":"messaging"}`, 201, `{}`), []openapicheck.Kind{openapicheck.KindRoute}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := v.Check(context.Background(), tc.ex)
			for _, g := range got {
				t.Log(firstLine(g.Error()))
			}
			var kinds []openapicheck.Kind
			for _, violation := range got {
				kinds = append(kinds, violation.Kind)
			}
			if !equalKinds(kinds, tc.want) {
				t.Fatalf("violations %v, want kinds %v", got, tc.want)
			}
		})
	}
}

func equalKinds(a, b []openapicheck.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCheckRequest(t *testing.T) {
	v := load(t)
	good := exchange("POST", "/api/v2/conversations/c1/messages", `{"author":{"id":"u","role":"end_user"},"content":{"type":"text","body":"hi"}}`, 0, "")
	if got := v.CheckRequest(context.Background(), good.Request, good.RequestBody); len(got) != 0 {
		t.Fatalf("violations %v for a valid request", got)
	}
	bad := exchange("POST", "/api/v2/conversations/c1/messages/", `{"author":{"role":"end_user"},"content":{"type":"file","url":"u"}}`, 0, "")
	if got := v.CheckRequest(context.Background(), bad.Request, bad.RequestBody); len(got) != 1 || got[0].Kind != openapicheck.KindRequest {
		t.Fatalf("violations %v, want one request violation (file content without mime_type, filename)", got)
	}
}

func TestExceptionsAreNamed(t *testing.T) {
	for _, name := range []string{
		openapicheck.ExceptionCreateEndUser201, openapicheck.ExceptionGetEndUsersOneOf,
		openapicheck.ExceptionMetadataNumberOneOf, openapicheck.ExceptionEndUsersNextPageURLNull,
		openapicheck.ExceptionErrorDetailsNotString, openapicheck.ExceptionUniversalErrorStatuses,
		openapicheck.ExceptionNoTrailingSlashPOST, openapicheck.ExceptionKnowledgeStatusNull,
	} {
		if openapicheck.Exceptions()[name] == "" {
			t.Errorf("exception %q has no reason", name)
		}
	}
}

func TestLoadFailsOnMissingDocument(t *testing.T) {
	if _, err := openapicheck.Load("does-not-exist.yml"); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
}

func TestMiddlewareReportsAndPassesThrough(t *testing.T) {
	v := load(t)
	var mu sync.Mutex
	var reported []error
	handler := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && len(body) == 0 {
			t.Error("the wrapped handler did not get the request body")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK) // Ada says 201 for a new conversation
		_, _ = w.Write([]byte(`{"id":"c1","status":"active"}`))
	}), func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	})
	srv := httptest.NewServer(handler)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v2/conversations/", strings.NewReader(`{"channel_id":"ch"}`))
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != `{"id":"c1","status":"active"}` {
		t.Fatalf("response changed by the middleware: %d %s", resp.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 {
		t.Fatalf("reported %v, want one response violation", reported)
	}
	var violation *openapicheck.Violation
	if !errors.As(reported[0], &violation) || violation.Kind != openapicheck.KindResponse || violation.Status != http.StatusOK {
		t.Fatalf("reported %v, want a response violation for status 200", reported[0])
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// A corrected document makes a stale exception fail Load, naming it, instead of hiding a new
// problem: here, KnowledgeSourceResponseStatus made nullable as its description says.
func TestStaleExceptionFailsLoad(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	const defect = "    KnowledgeSourceResponseStatus:\n      type: string\n      enum:\n        - deleting\n        - delete_failed\n"
	if !strings.Contains(string(doc), defect) {
		t.Fatal("the document no longer spells KnowledgeSourceResponseStatus as this test expects")
	}
	fixed := strings.Replace(string(doc), defect,
		"    KnowledgeSourceResponseStatus:\n      type:\n        - string\n        - 'null'\n      enum:\n        - deleting\n        - delete_failed\n        - null\n", 1)
	path := filepath.Join(t.TempDir(), "fixed.yml")
	if err := os.WriteFile(path, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = openapicheck.Load(path)
	if err == nil || !strings.Contains(err.Error(), openapicheck.ExceptionKnowledgeStatusNull) {
		t.Fatalf("Load of a document without the defect: %v, want an error naming %s", err, openapicheck.ExceptionKnowledgeStatusNull)
	}
}

func TestCheckWebhook(t *testing.T) {
	v := load(t)
	const (
		user    = `"data":{"end_user_id":"u1","external_id":null,"profile":{"first_name":"Ana","metadata":{"n":1}},"created_at":"t","updated_at":"t"}`
		created = `{"type":"v1.conversation.created","timestamp":"2026-01-01T00:00:00.000","data":{"conversation_id":"c1","channel_id":"ch1","created_at":"t","end_user_id":"u1","metadata":{"n":1,"f":0.5},"ai_agent_domain":"example.ada.support"}}`
		message = `{"type":"v1.conversation.message","timestamp":"2026-01-01T00:00:00.000","data":{"message_id":"m1","conversation_id":"c1","end_user_id":"u1","handoff_integration":null,` +
			`"channel":{"type":"custom","id":"ch1","name":"Web","description":"d","modality":"messaging","metadata":{"n":1}},"created_at":"t",` +
			`"author":{"id":null,"role":"%s","avatar":null,"display_name":"AI"},"content":{"type":"text","body":"hi"},"ai_agent_domain":"example.ada.support"}}`
	)
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"end user created with tags", `{"type":"v1.end_user.created","timestamp":"2026-01-01T00:00:00.000",` + user + `,"tags":["u1"]}`, true},
		{"end user updated without tags", `{"type":"v1.end_user.updated","timestamp":"2026-01-01T00:00:00.000",` + user + `}`, true},
		{"tags not strings", `{"type":"v1.end_user.created","timestamp":"t",` + user + `,"tags":[1]}`, false},
		{"integer and decimal metadata (metadata-number-oneof)", created, true},
		{"message from the AI Agent", fmt.Sprintf(message, "ai_agent"), true},
		{"message author role undocumented", fmt.Sprintf(message, "bot"), false},
		{"handoff ended without its integration", `{"type":"v1.conversation.handoff.ended","timestamp":"t","data":{"conversation_id":"c1","end_user_id":"u1","ai_agent_domain":"d"}}`, false},
		{"undocumented type", `{"type":"v1.end_user.deleted","timestamp":"t","data":{}}`, false},
		{"not JSON", `{"type":`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := v.CheckWebhook([]byte(tc.body)); (err == nil) != tc.ok {
				t.Fatalf("CheckWebhook = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if got := openapicheck.WebhookEventTypes(); len(got) != 7 || got[0] != "v1.audit_log.emitted" {
		t.Fatalf("WebhookEventTypes = %v", got)
	}
}
