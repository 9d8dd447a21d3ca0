package adaclient_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// TestContractWithSimulatorAndOpenAPI runs every client call against the
// simulator while Ada's OpenAPI document checks each request the client
// sends and each response it gets. The client and the simulator were
// written separately from Ada's documents, so agreement here means neither
// misread them the same way unnoticed.
func TestContractWithSimulatorAndOpenAPI(t *testing.T) {
	v, err := openapicheck.Load("../testdata/ada-openapi/ada-knowledge-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []error
	sim := adasim.New(adasim.Options{APIKey: testKey})
	defer sim.Close()
	uploads := &uploadRecorder{next: sim}
	srv := httptest.NewServer(v.Middleware(uploads, func(err error) {
		mu.Lock()
		violations = append(violations, err)
		mu.Unlock()
	}))
	defer srv.Close()
	c, err := adaclient.New(srv.URL+"/api", testKey, adaclient.WithRetryPolicy(adaclient.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// End users.
	_, _, err = c.EndUsers.GetByExternalID(ctx, "crm-9")
	if !adaclient.IsNotFound(err) {
		t.Fatalf("lookup of an unmapped external_id: %v", err)
	}
	u, r, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{ExternalID: "crm-9", Profile: &adaclient.ProfileInput{
		FirstName: adaclient.Value("Ana"), Language: adaclient.Value("pt-BR"),
		Metadata:          map[string]any{"plan": "gold", "visits": 3, "vip": true},
		SensitiveMetadata: &adaclient.SensitiveMetadata{Fields: map[string]any{"auth_token": "tok-abc-123"}},
	}})
	must("create", err)
	if !adaclient.Created(r) || u.EndUserID == "" || u.ExternalID == nil || *u.ExternalID != "crm-9" || u.Profile.Language == nil || *u.Profile.Language != "pt-BR" {
		t.Fatalf("created %+v (status %d)", u, r.StatusCode)
	}
	again, r, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{ExternalID: "CRM-9"})
	must("create again", err)
	if adaclient.Created(r) || again.EndUserID != u.EndUserID {
		t.Fatalf("create with a mapped external_id: %+v (status %d)", again, r.StatusCode)
	}
	got, _, err := c.EndUsers.Get(ctx, u.EndUserID)
	must("get", err)
	if got.Profile.Metadata["visits"] != json.Number("3") {
		t.Fatalf("metadata = %v", got.Profile.Metadata)
	}
	_, _, err = c.EndUsers.Update(ctx, u.EndUserID, &adaclient.UpdateEndUserRequest{Profile: adaclient.ProfileInput{LastName: adaclient.Value("Silva"), Metadata: map[string]any{"plan": "platinum"}}})
	must("update", err)
	other, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{ExternalID: "crm-10"})
	must("create other", err)
	_, _, err = c.EndUsers.Update(ctx, other.EndUserID, &adaclient.UpdateEndUserRequest{ExternalID: adaclient.Value("crm-9")})
	if !adaclient.IsConflict(err) {
		t.Fatalf("taking a mapped external_id: %v", err)
	}
	cleared, _, err := c.EndUsers.Update(ctx, u.EndUserID, &adaclient.UpdateEndUserRequest{ExternalID: adaclient.Null[string]()})
	must("clear external_id", err)
	if cleared.ExternalID != nil {
		t.Fatalf("external_id not cleared: %v", *cleared.ExternalID)
	}
	users, r, err := c.EndUsers.List(ctx, &adaclient.ListOptions{Limit: 1})
	must("list", err)
	if len(users) != 1 || r.NextCursor == "" {
		t.Fatalf("first page: %d users, cursor %q", len(users), r.NextCursor)
	}
	users, r, err = c.EndUsers.List(ctx, &adaclient.ListOptions{Limit: 1, Cursor: r.NextCursor})
	must("list page 2", err)
	if len(users) != 1 || r.NextCursor != "" {
		t.Fatalf("last page: %d users, cursor %q", len(users), r.NextCursor)
	}
	_, _, err = c.EndUsers.Get(ctx, "ffffffffffffffffffffffff")
	if !adaclient.IsNotFound(err) {
		t.Fatalf("unknown id: %v", err)
	}

	// Channels.
	chs, _, err := c.Channels.List(ctx, &adaclient.ListChannelsOptions{Type: adaclient.ChannelTypeCustom})
	must("list channels", err)
	if len(chs) == 0 {
		t.Fatal("no custom channel in the simulator")
	}
	natives, _, err := c.Channels.List(ctx, &adaclient.ListChannelsOptions{Type: adaclient.ChannelTypeNative, Modality: adaclient.ModalityMessaging})
	must("list native channels", err)
	for _, n := range natives {
		if n.Type != adaclient.ChannelTypeNative {
			t.Fatalf("native list has %+v", n)
		}
	}
	ch, _, err := c.Channels.Create(ctx, &adaclient.CreateChannelRequest{Name: "Web", Description: "Our web chat", Modality: adaclient.ModalityMessaging,
		Metadata: map[string]any{"host": "example.com", "weight": 0.5}, Capabilities: &adaclient.Capabilities{Markdown: true}})
	must("create channel", err)
	if ch.ID == "" || ch.Capabilities == nil || !ch.Capabilities.Markdown {
		t.Fatalf("channel = %+v", ch)
	}

	// Conversations.
	cv, _, err := c.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: ch.ID, EndUserID: u.EndUserID, Metadata: map[string]any{"source": "web", "attempt": 1}})
	must("create conversation", err)
	if cv.ID == "" || cv.EndUserID != u.EndUserID || cv.Status != adaclient.StatusActive {
		t.Fatalf("conversation = %+v", cv)
	}
	blank, _, err := c.Conversations.Create(ctx, &adaclient.CreateConversationRequest{ChannelID: ch.ID})
	must("create conversation without end user", err)
	if blank.EndUserID == "" {
		t.Fatal("Ada creates an end user when none is given")
	}
	_, _, err = c.Conversations.Get(ctx, cv.ID)
	must("get conversation", err)
	upd, _, err := c.Conversations.UpdateMetadata(ctx, cv.ID, map[string]any{"source": nil, "score": 0.9})
	must("update metadata", err)
	if _, ok := upd.Metadata["source"]; ok || upd.Metadata["attempt"] != json.Number("1") {
		t.Fatalf("metadata = %v", upd.Metadata)
	}
	m, _, err := c.Conversations.SendMessage(ctx, cv.ID, adaclient.TextMessage(adaclient.MessageAuthor{ID: u.EndUserID, Role: adaclient.RoleEndUser, DisplayName: "Ana"}, "I need a human please"))
	must("send", err)
	if m.ID == "" || m.Author.Role != adaclient.RoleEndUser {
		t.Fatalf("message = %+v", m)
	}
	_, _, err = c.Conversations.SendMessage(ctx, cv.ID, adaclient.TextMessage(adaclient.MessageAuthor{Role: adaclient.RoleHumanAgent, DisplayName: "Sam"}, "Hi, Sam here"))
	must("send as human agent", err)
	logs, _, err := c.Conversations.ListMessages(ctx, cv.ID, &adaclient.ListOptions{Limit: 100})
	must("list messages", err)
	roles := map[string]int{}
	for _, l := range logs {
		roles[l.Author.Role]++
		if l.MessageID == "" || l.Content.Type == "" {
			t.Fatalf("message log without id or content type: %+v", l)
		}
	}
	if roles[adaclient.RoleAIAgent] == 0 || roles[adaclient.RoleEndUser] != 1 || roles[adaclient.RoleHumanAgent] != 1 {
		t.Fatalf("roles = %v", roles)
	}

	// Attachments, while the conversation is in the handoff.
	att, r, err := c.Conversations.UploadAttachment(ctx, cv.ID, &adaclient.AttachmentUpload{Filename: "receipt.pdf", Data: []byte("%PDF-1.4 x")})
	must("upload", err)
	if r.StatusCode != http.StatusCreated || att.MimeType != "application/pdf" || att.Filename != "receipt.pdf" || !strings.HasPrefix(att.URL, srv.URL+"/") {
		t.Fatalf("upload = %+v (status %d)", att, r.StatusCode)
	}
	uploads.check(t, "/api/v2/conversations/"+cv.ID+"/attachments/", "receipt.pdf", "application/pdf", "%PDF-1.4 x")
	_, _, err = c.Conversations.UploadAttachment(ctx, cv.ID, &adaclient.AttachmentUpload{Filename: "notes.txt", ContentType: "text/markdown", Data: []byte("# n")})
	must("upload with a content type", err)
	uploads.check(t, "/api/v2/conversations/"+cv.ID+"/attachments/", "notes.txt", "text/markdown", "# n")
	fm, _, err := c.Conversations.SendMessage(ctx, cv.ID, adaclient.FileMessage(adaclient.MessageAuthor{Role: adaclient.RoleHumanAgent, DisplayName: "Sam"}, att))
	must("send a file message", err)
	if fm.Content.Type != "file" || fm.Content.URL != att.URL || fm.Content.Filename != "receipt.pdf" {
		t.Fatalf("file message = %+v", fm.Content)
	}
	sent := uploads.count()
	for name, up := range map[string]*adaclient.AttachmentUpload{
		"type":  {Filename: "setup.exe", Data: []byte("MZ")},
		"empty": {Filename: "a.txt"},
		"size":  {Filename: "big.zip", Data: make([]byte, adaclient.MaxAttachmentBytes+1)},
		"name":  {Filename: "dir/a.txt", Data: []byte("x")},
	} {
		var invalid *adaclient.ValidationError
		if _, _, err := c.Conversations.UploadAttachment(ctx, cv.ID, up); !errors.As(err, &invalid) {
			t.Fatalf("upload with a bad %s: %v, want a local ValidationError", name, err)
		}
	}
	if uploads.count() != sent {
		t.Fatal("an upload Ada would refuse was sent")
	}

	_, _, err = c.Conversations.EndHandoff(ctx, cv.ID)
	must("end handoff", err)
	_, _, err = c.Conversations.EndHandoff(ctx, cv.ID)
	if adaclient.StatusCode(err) != 422 {
		t.Fatalf("end handoff when not in one: %v", err)
	}
	if _, _, err := c.Conversations.UploadAttachment(ctx, cv.ID, &adaclient.AttachmentUpload{Filename: "a.txt", Data: []byte("x")}); adaclient.StatusCode(err) != 400 {
		t.Fatalf("upload outside a handoff: %v", err)
	}

	// Channel capabilities.
	updated, _, err := c.Channels.Update(ctx, ch.ID, &adaclient.UpdateChannelRequest{Capabilities: adaclient.UpdateCapabilities{Markdown: new(false)}})
	must("update channel", err)
	if updated.ID != ch.ID || updated.Capabilities == nil || updated.Capabilities.Markdown {
		t.Fatalf("updated channel = %+v", updated)
	}
	if _, _, err := c.Channels.Update(ctx, natives[0].ID, &adaclient.UpdateChannelRequest{Capabilities: adaclient.UpdateCapabilities{Markdown: new(true)}}); adaclient.StatusCode(err) != 400 {
		t.Fatalf("update of a native channel: %v", err)
	}

	// Email conversations.
	ec, r, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "Ana Silva", Subject: "Order 42",
		ReplyTo: "ana@example.com", Text: "Where is my order?", CC: []string{"team@example.com"}, Metadata: map[string]any{"order": 42}})
	must("email conversation", err)
	if r.StatusCode != http.StatusOK || ec.ConversationID == "" {
		t.Fatalf("email conversation = %+v (status %d)", ec, r.StatusCode)
	}
	emailConv, _, err := c.Conversations.Get(ctx, ec.ConversationID)
	must("get the email conversation", err)
	if emailConv.ChannelID == ch.ID || emailConv.Status != adaclient.StatusActive {
		t.Fatalf("email conversation = %+v", emailConv)
	}
	if _, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "Bo", Subject: "s", ReplyTo: "bo@example.com", ReplyAs: "help@example.com"}); adaclient.StatusCode(err) != 422 {
		t.Fatalf("reply_as Ada cannot send from: %v", err)
	}
	var invalid *adaclient.ValidationError
	if _, _, err := c.Conversations.CreateEmail(ctx, &adaclient.EmailConversationRequest{Name: "Bo", Subject: "s", ReplyTo: "Bo <bo@example.com>"}); !errors.As(err, &invalid) || invalid.Field != "reply_to" {
		t.Fatalf("reply_to with a display name: %v", err)
	}
	_, _, err = c.Conversations.End(ctx, cv.ID)
	must("end", err)
	_, _, err = c.Conversations.Get(ctx, "ffffffffffffffffffffffff")
	if !adaclient.IsNotFound(err) {
		t.Fatalf("unknown conversation: %v", err)
	}

	// A wrong key.
	bad, _ := adaclient.New(srv.URL+"/api", "wrong-key-0000", adaclient.WithRetryPolicy(adaclient.NoRetries()))
	if _, _, err := bad.Channels.List(ctx, &adaclient.ListChannelsOptions{Type: "custom"}); adaclient.StatusCode(err) != 401 {
		t.Fatalf("wrong key: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, v := range violations {
		t.Errorf("OpenAPI: %v", v)
	}
}

// TestWebhooksContractWithOpenAPI runs every webhook management call against
// a small in-memory fake of Ada's /v2/webhooks/ API (the simulator's own
// webhooks are tested on their own) while Ada's OpenAPI document checks each
// request the client sends and each response the fake gives.
func TestWebhooksContractWithOpenAPI(t *testing.T) {
	v, err := openapicheck.Load("../testdata/ada-openapi/ada-knowledge-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []*openapicheck.Violation
	srv := httptest.NewServer(v.Middleware(newFakeWebhooks(), func(err error) {
		var violation *openapicheck.Violation
		if !errors.As(err, &violation) {
			violation = &openapicheck.Violation{Kind: "unknown", Err: err}
		}
		mu.Lock()
		violations = append(violations, violation)
		mu.Unlock()
	}))
	defer srv.Close()
	c, err := adaclient.New(srv.URL+"/api", testKey, adaclient.WithRetryPolicy(adaclient.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	types, _, err := c.Webhooks.EventTypes(ctx)
	must("event types", err)
	if len(types) == 0 || types[0].Name == "" {
		t.Fatalf("event types = %+v", types)
	}
	first, r, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https://hooks.example.com/ada"})
	must("create", err)
	if r.StatusCode != http.StatusCreated || first.ID == "" || !first.Enabled || len(first.EventFilters) != 0 {
		t.Fatalf("created %+v (status %d)", first, r.StatusCode)
	}
	second, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https://hooks.example.com/crm", Description: "CRM",
		EventFilters: []string{types[0].Name}, Enabled: new(false)})
	must("create filtered", err)
	if second.Enabled || !slices.Equal(second.EventFilters, []string{types[0].Name}) {
		t.Fatalf("created %+v", second)
	}
	hooks, r, err := c.Webhooks.List(ctx, &adaclient.ListOptions{Limit: 1})
	must("list", err)
	if len(hooks) != 1 || r.NextCursor == "" {
		t.Fatalf("first page: %d webhooks, cursor %q", len(hooks), r.NextCursor)
	}
	hooks, r, err = c.Webhooks.List(ctx, &adaclient.ListOptions{Limit: 1, Cursor: r.NextCursor})
	must("list page 2", err)
	if len(hooks) != 1 || r.NextCursor != "" || hooks[0].ID != second.ID {
		t.Fatalf("last page: %+v, cursor %q", hooks, r.NextCursor)
	}
	got, _, err := c.Webhooks.Get(ctx, first.ID)
	must("get", err)
	if got.URL != first.URL {
		t.Fatalf("get = %+v", got)
	}
	upd, _, err := c.Webhooks.Update(ctx, second.ID, &adaclient.WebhookUpdate{Enabled: new(true), EventFilters: []string{}})
	must("update", err)
	if !upd.Enabled || len(upd.EventFilters) != 0 || upd.Description != "CRM" || upd.URL != second.URL {
		t.Fatalf("update changed more or less than asked: %+v", upd)
	}
	sec, _, err := c.Webhooks.Secret(ctx, first.ID)
	must("secret", err)
	if !strings.HasPrefix(sec.Key, "whsec_") {
		t.Fatal("secret without the whsec_ prefix")
	}
	_, err = c.Webhooks.RotateSecret(ctx, first.ID, "")
	must("rotate", err)
	rotated, _, err := c.Webhooks.Secret(ctx, first.ID)
	must("secret after rotation", err)
	if rotated.Key == sec.Key {
		t.Fatal("rotation kept the secret")
	}
	_, err = c.Webhooks.RotateSecret(ctx, first.ID, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	must("rotate to a custom key", err)
	if custom, _, _ := c.Webhooks.Secret(ctx, first.ID); custom == nil || custom.Key != "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" {
		t.Fatal("the custom key was not set")
	}
	_, err = c.Webhooks.Delete(ctx, first.ID)
	must("delete", err)
	if _, _, err := c.Webhooks.Get(ctx, first.ID); !adaclient.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := c.Webhooks.Delete(ctx, first.ID); !adaclient.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, v := range violations {
		t.Errorf("OpenAPI: %v", v)
	}
}

// fakeWebhooks is Ada's webhook management API in memory, answering as the
// OpenAPI document and ada-api.md section 4 describe.
type fakeWebhooks struct {
	mu      sync.Mutex
	hooks   []map[string]any // in creation order
	secrets map[string]string
	n       int
}

func newFakeWebhooks() *fakeWebhooks { return &fakeWebhooks{secrets: map[string]string{}} }

func (f *fakeWebhooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api/v2/webhooks/")
	id, rest, _ := strings.Cut(p, "/")
	switch {
	case p == "event-types/" && r.Method == http.MethodGet:
		fakeJSON(w, 200, map[string]any{"data": []map[string]string{
			{"name": "v1.conversation.created", "description": "A conversation was created"},
			{"name": "v1.end_user.created", "description": "An end user was created"}}})
	case p == "" && r.Method == http.MethodGet:
		f.list(w, r)
	case p == "" && r.Method == http.MethodPost:
		f.create(w, r)
	case f.find(id) < 0:
		fakeJSON(w, 404, map[string]any{"errors": []map[string]string{{"type": "not_found", "message": "Webhook not found"}}})
	case rest == "" && r.Method == http.MethodGet:
		fakeJSON(w, 200, f.hooks[f.find(id)])
	case rest == "" && r.Method == http.MethodPatch:
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		h := f.hooks[f.find(id)]
		for k, v := range in {
			h[k] = v
		}
		fakeJSON(w, 200, h)
	case rest == "" && r.Method == http.MethodDelete:
		f.hooks = slices.Delete(f.hooks, f.find(id), f.find(id)+1)
		w.WriteHeader(http.StatusNoContent)
	case rest == "secret/" && r.Method == http.MethodGet:
		fakeJSON(w, 200, map[string]string{"key": f.secrets[id]})
	case rest == "secret/rotate/" && r.Method == http.MethodPost:
		var in struct{ Key string }
		json.NewDecoder(r.Body).Decode(&in)
		f.n++
		f.secrets[id] = cmp.Or(in.Key, fmt.Sprintf("whsec_rotated%024d", f.n))
		fakeJSON(w, 200, map[string]any{})
	default:
		http.Error(w, "no such route", http.StatusMethodNotAllowed)
	}
}

func (f *fakeWebhooks) find(id string) int {
	return slices.IndexFunc(f.hooks, func(h map[string]any) bool { return h["id"] == id })
}

func (f *fakeWebhooks) list(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	if limit <= 0 {
		limit = 100
	}
	end := min(start+limit, len(f.hooks))
	var next any
	if end < len(f.hooks) {
		next = fmt.Sprintf("http://%s/api/v2/webhooks/?cursor=%d&limit=%d", r.Host, end, limit)
	}
	fakeJSON(w, 200, map[string]any{"data": f.hooks[start:end], "meta": map[string]any{"next_page_url": next}})
}

func (f *fakeWebhooks) create(w http.ResponseWriter, r *http.Request) {
	in := map[string]any{"description": "", "event_filters": []any{}, "enabled": true}
	json.NewDecoder(r.Body).Decode(&in)
	f.n++
	now := time.Date(2026, 10, 1, 12, 0, f.n, 0, time.UTC).Format(time.RFC3339)
	in["id"] = fmt.Sprintf("ep_fake%022d", f.n)
	in["created_at"], in["updated_at"] = now, now
	f.hooks = append(f.hooks, in)
	f.secrets[in["id"].(string)] = fmt.Sprintf("whsec_initial%024d", f.n)
	fakeJSON(w, 201, in)
}

func fakeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// uploadRecorder passes requests through, keeping the last attachment upload as the client
// sent it, so that its multipart encoding can be checked beside the OpenAPI document's check.
type uploadRecorder struct {
	next    http.Handler
	mu      sync.Mutex
	n       int
	method  string
	path    string
	ctype   string
	payload []byte
}

func (u *uploadRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/attachments") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		u.mu.Lock()
		u.n++
		u.method, u.path, u.ctype, u.payload = r.Method, r.URL.Path, r.Header.Get("Content-Type"), body
		u.mu.Unlock()
	}
	u.next.ServeHTTP(w, r)
}

func (u *uploadRecorder) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n
}

// check asserts the last upload: a POST to path, multipart/form-data whose one part is named
// file and carries the file name, its Content-Type and the data.
func (u *uploadRecorder) check(t *testing.T, path, filename, contentType, data string) {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.method != http.MethodPost || u.path != path {
		t.Fatalf("upload sent as %s %s, want POST %s", u.method, u.path, path)
	}
	mt, params, err := mime.ParseMediaType(u.ctype)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("upload Content-Type %q, want multipart/form-data with a boundary", u.ctype)
	}
	mr := multipart.NewReader(bytes.NewReader(u.payload), params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		t.Fatalf("upload body: %v", err)
	}
	got, _ := io.ReadAll(part)
	if part.FormName() != "file" || part.FileName() != filename || part.Header.Get("Content-Type") != contentType || string(got) != data {
		t.Fatalf("upload part %q (file %q, %q): %q", part.FormName(), part.FileName(), part.Header.Get("Content-Type"), got)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Fatalf("upload has more than the file part: %v", err)
	}
}
