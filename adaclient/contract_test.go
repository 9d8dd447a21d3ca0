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
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/adatime"
	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// TestContractWithSimulatorAndOpenAPI runs every client call against the
// simulator while Ada's OpenAPI document checks each request the client
// sends and each response it gets. The client and the simulator were
// written separately from Ada's documents, so agreement here means neither
// misread them the same way unnoticed.
func TestContractWithSimulatorAndOpenAPI(t *testing.T) {
	var uploads *uploadRecorder
	c, _, violations := contractClientWith(t, adasim.Options{}, func(h http.Handler) http.Handler {
		uploads = &uploadRecorder{next: h}
		return uploads
	})
	var err error
	// The simulator's address: attachment URLs point there.
	front := strings.TrimSuffix(c.BaseURL(), "/api")
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
	if r.StatusCode != http.StatusCreated || att.MimeType != "application/pdf" || att.Filename != "receipt.pdf" || !strings.HasPrefix(att.URL, front+"/") {
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
	bad, _ := adaclient.New(front+"/api", "wrong-key-0000", adaclient.WithRetryPolicy(adaclient.NoRetries()))
	if _, _, err := bad.Channels.List(ctx, &adaclient.ListChannelsOptions{Type: "custom"}); adaclient.StatusCode(err) != 401 {
		t.Fatalf("wrong key: %v", err)
	}

	for _, v := range violations() {
		t.Errorf("OpenAPI: %v", v)
	}
}

// TestClientSendsWhatOpenAPIAccepts: requests Ada's OpenAPI document accepts (at its edges)
// must not be refused locally by the client; each is sent to the simulator under the
// document's check and must succeed without a violation.
func TestClientSendsWhatOpenAPIAccepts(t *testing.T) {
	c, _, violations := contractClient(t, adasim.Options{})
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
	}{
		// CustomChannel.description is a required string with no minLength.
		{"channel with an empty description", func() error {
			_, _, err := c.Channels.Create(ctx, &adaclient.CreateChannelRequest{Name: "Voice line", Description: "", Modality: adaclient.ModalityMessaging})
			return err
		}},
		// BaseChannelModality: messaging, email, voice.
		{"voice channel", func() error {
			_, _, err := c.Channels.Create(ctx, &adaclient.CreateChannelRequest{Name: "Phone", Description: "d", Modality: adaclient.ModalityVoice})
			return err
		}},
		// CreateEndUserRequestProfileSensitiveMetadata.fields: "Values must be non-empty strings,
		// booleans, integers, or null" (additionalProperties oneOf [..., null]), on create too.
		{"end user created with a null sensitive value", func() error {
			_, _, err := c.EndUsers.Create(ctx, &adaclient.CreateEndUserRequest{Profile: &adaclient.ProfileInput{
				SensitiveMetadata: &adaclient.SensitiveMetadata{Fields: map[string]any{"auth_token": "tok-1", "old_session": nil}}}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(violations())
			if err := tc.call(); err != nil {
				t.Fatalf("refused: %v", err)
			}
			for _, v := range violations()[before:] {
				t.Errorf("OpenAPI: %v", v)
			}
		})
	}
}

// TestKnowledgeContractWithSimulatorAndOpenAPI runs every Knowledge API call of the client
// against the simulator while Ada's OpenAPI document checks each request and response.
func TestKnowledgeContractWithSimulatorAndOpenAPI(t *testing.T) {
	c, _, violations := contractClient(t, adasim.Options{KnowledgeArticleLimit: 4})
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	k := c.Knowledge

	// Sources.
	src, _, err := k.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "kb", Name: "Help center", Metadata: map[string]any{"owner": "support", "n": 1}})
	must("create source", err)
	if src.ID != "kb" || src.Status != nil || src.Metadata["n"] != json.Number("1") {
		t.Fatalf("created %+v", src)
	}
	if _, _, err := k.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "kb", Name: "again"}); !adaclient.IsConflict(err) {
		t.Fatalf("duplicate source: %v", err)
	}
	_, _, err = k.CreateSource(ctx, &adaclient.KnowledgeSourceCreate{ID: "old", Name: "Old"})
	must("create second source", err)
	upd, _, err := k.UpdateSource(ctx, "kb", &adaclient.KnowledgeSourceUpdate{ExternalID: adaclient.Value("zd-1"), Name: new("Help")})
	must("update source", err)
	if upd.ExternalID == nil || *upd.ExternalID != "zd-1" || upd.Name != "Help" || upd.Metadata["owner"] != "support" {
		t.Fatalf("updated %+v", upd)
	}
	cleared, _, err := k.UpdateSource(ctx, "kb", &adaclient.KnowledgeSourceUpdate{ExternalID: adaclient.Null[string](), Metadata: adaclient.Null[map[string]any]()})
	must("clear source fields", err)
	if cleared.ExternalID != nil || cleared.Metadata != nil {
		t.Fatalf("cleared %+v", cleared)
	}
	if _, _, err := k.UpdateSource(ctx, "nope", &adaclient.KnowledgeSourceUpdate{Name: new("x")}); !adaclient.IsNotFound(err) {
		t.Fatalf("update unknown source: %v", err)
	}

	// Tags and articles.
	tags, _, err := k.UpsertTags(ctx, []adaclient.ArticleTag{{ID: "billing", Name: "Billing"}, {ID: "old", Name: "Old"}})
	must("upsert tags", err)
	if len(tags) != 2 || !tags[0].Created || tags[0].Success == nil || !*tags[0].Success {
		t.Fatalf("tag results %+v", tags)
	}
	rule := adaclient.AvailabilityRule{Match: "any", Conditions: []adaclient.AvailabilityCondition{
		{Variable: &adaclient.VariableRef{ID: "66a1f0c2b7e4d3a1c0f00001"}, Operator: "equals", Value: "pro", CaseSensitive: new(true)},
		{Match: "all", Conditions: []adaclient.AvailabilityCondition{{Variable: &adaclient.VariableRef{ID: "66a1f0c2b7e4d3a1c0f00005"}, Operator: "greater_than", Value: 3}}},
	}}
	res, _, err := k.UpsertArticles(ctx, []adaclient.ArticleUpsert{
		{ID: "a1", Name: "Refunds", Content: "# Refunds", KnowledgeSourceID: "kb", URL: adaclient.Value("https://help.example.com/a1"), TagIDs: []string{"billing"},
			Language: "en-GB", ExternalUpdated: adaclient.Value("2026-09-01T00:00:00Z"), Metadata: adaclient.Value(map[string]any{"views": 3}), AvailabilityRules: adaclient.Value(rule)},
		{ID: "a2", Name: "Retours", Content: "Sous 30 jours", KnowledgeSourceID: "kb", Language: "fr", Enabled: new(false)},
		{ID: "o1", Name: "Old", Content: "old", KnowledgeSourceID: "old", TagIDs: []string{"old"}},
	})
	must("upsert articles", err)
	if len(res) != 3 || !res[0].Created || res[0].ID != "a1" {
		t.Fatalf("article results %+v", res)
	}
	again, _, err := k.UpsertArticles(ctx, []adaclient.ArticleUpsert{{ID: "a2", Name: "Retours", Content: "Sous 14 jours", KnowledgeSourceID: "kb",
		AvailabilityRules: adaclient.Null[adaclient.AvailabilityRule]()}})
	must("update article", err)
	if again[0].Created {
		t.Fatalf("update reported as created: %+v", again)
	}
	a1, _, err := k.GetArticle(ctx, "a1")
	must("get article", err)
	if a1.Language != "en" || a1.AvailabilityRules == nil || len(a1.AvailabilityRules.Conditions) != 2 || !a1.AvailabilityRules.Conditions[1].IsGroup() ||
		a1.Enabled == nil || !*a1.Enabled || a1.ExternalUpdated == nil || a1.Metadata["views"] != json.Number("3") {
		t.Fatalf("a1 = %+v", a1)
	}
	page, r, err := k.ListArticles(ctx, &adaclient.ListArticlesOptions{ArticleFilter: adaclient.ArticleFilter{KnowledgeSourceIDs: []string{"kb"}}, ListOptions: adaclient.ListOptions{Limit: 1}})
	must("list articles", err)
	if len(page) != 1 || page[0].ID != "a1" || r.NextCursor == "" {
		t.Fatalf("first page %+v, cursor %q", page, r.NextCursor)
	}
	page, r, err = k.ListArticles(ctx, &adaclient.ListArticlesOptions{ArticleFilter: adaclient.ArticleFilter{KnowledgeSourceIDs: []string{"kb"}}, ListOptions: adaclient.ListOptions{Limit: 1, Cursor: r.NextCursor}})
	must("list articles page 2", err)
	if len(page) != 1 || page[0].ID != "a2" || r.NextCursor != "" || page[0].Enabled == nil || *page[0].Enabled {
		t.Fatalf("last page %+v, cursor %q", page, r.NextCursor)
	}
	filtered, _, err := k.ListArticles(ctx, &adaclient.ListArticlesOptions{ArticleFilter: adaclient.ArticleFilter{
		IDs: []string{"a1", "a2"}, Enabled: []bool{true}, Languages: []string{"en"}, TagIDs: []string{"billing"}}})
	must("filter articles", err)
	if len(filtered) != 1 || filtered[0].ID != "a1" {
		t.Fatalf("filtered %+v", filtered)
	}

	// The article limit (4): two new ids where one fits.
	_, _, err = k.UpsertArticles(ctx, []adaclient.ArticleUpsert{{ID: "n1", Name: "n", Content: "c", KnowledgeSourceID: "kb"}, {ID: "n2", Name: "n", Content: "c", KnowledgeSourceID: "kb"}})
	if al, ok := adaclient.ArticleLimitFrom(err); !ok || al.Limit != 4 || al.NewArticleCount != 2 || !slices.Equal(al.NewArticleIDs, []string{"n1", "n2"}) {
		t.Fatalf("article limit: %v (%+v)", err, al)
	}
	if _, _, err := k.UpsertArticles(ctx, []adaclient.ArticleUpsert{{ID: "x", Name: "n", Content: "c", KnowledgeSourceID: "nope"}}); adaclient.StatusCode(err) != 400 {
		t.Fatalf("unknown source: %v", err)
	}

	// Deletes.
	_, err = k.DeleteArticle(ctx, "a2")
	must("delete article", err)
	if _, _, err := k.GetArticle(ctx, "a2"); !adaclient.IsNotFound(err) {
		t.Fatalf("get a deleted article: %v", err)
	}
	if _, err := k.DeleteArticles(ctx, &adaclient.ArticleFilter{Languages: []string{"ja"}}); !adaclient.IsNotFound(err) {
		t.Fatalf("delete matching nothing: %v", err)
	}
	_, err = k.DeleteArticles(ctx, &adaclient.ArticleFilter{TagIDs: []string{"billing"}})
	must("delete by filter", err)
	_, err = k.DeleteTag(ctx, "old")
	must("delete tag", err)
	_, err = k.DeleteSource(ctx, "old")
	must("delete source", err)
	srcs, _, err := k.ListSources(ctx)
	must("list sources", err)
	if len(srcs) != 2 || srcs[1].Status == nil || *srcs[1].Status != adaclient.KnowledgeSourceDeleting || srcs[0].Status != nil {
		t.Fatalf("sources while one is deleted: %+v", srcs)
	}
	srcs, _, err = k.ListSources(ctx)
	must("list sources again", err)
	if len(srcs) != 1 || srcs[0].ID != "kb" {
		t.Fatalf("sources once deleted: %+v", srcs)
	}
	left, _, err := k.ListArticles(ctx, nil)
	must("list articles after the deletes", err)
	if len(left) != 0 {
		t.Fatalf("articles left: %+v", left)
	}
	ts, _, err := k.ListTags(ctx)
	must("list tags", err)
	if len(ts) != 1 || ts[0] != (adaclient.ArticleTag{ID: "billing", Name: "Billing"}) {
		t.Fatalf("tags %+v", ts)
	}

	for _, v := range violations() {
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

// contractClient is a client of a simulator whose every exchange Ada's OpenAPI document checks;
// violations reports what it found so far.
func contractClient(t *testing.T, opts adasim.Options) (c *adaclient.Client, sim *adasim.Sim, violations func() []error) {
	t.Helper()
	return contractClientWith(t, opts, nil)
}

// contractClientWith is contractClient with wrap (nil: none) between the
// OpenAPI check and the simulator: a recorder of what reached Ada.
func contractClientWith(t *testing.T, opts adasim.Options, wrap func(http.Handler) http.Handler) (c *adaclient.Client, sim *adasim.Sim, violations func() []error) {
	t.Helper()
	v, err := openapicheck.LoadSet("../testdata/ada-openapi/ada-knowledge-openapi.yml", "../testdata/ada-openapi/ada-data-export-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var found []error
	opts.APIKey = testKey
	sim = adasim.New(opts)
	t.Cleanup(sim.Close)
	var backend http.Handler = sim
	if wrap != nil {
		backend = wrap(sim)
	}
	srv := httptest.NewServer(v.Middleware(backend, func(err error) {
		mu.Lock()
		found = append(found, err)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	c, err = adaclient.New(srv.URL+"/api", testKey, adaclient.WithRetryPolicy(adaclient.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	return c, sim, func() []error {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(found)
	}
}

// TestAIAgentContractWithSimulatorAndOpenAPI runs every persona, custom instruction and
// variable call against the simulator, Ada's OpenAPI document checking each request and
// response.
func TestAIAgentContractWithSimulatorAndOpenAPI(t *testing.T) {
	c, _, violations := contractClient(t, adasim.Options{EnabledInstructionLimit: 1})
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	p, _, err := c.AIAgent.GetPersona(ctx)
	must("get persona", err)
	if p.MessageLength == "" || p.DefaultTimezone == "" || p.Personality == nil {
		t.Fatalf("persona %+v", p)
	}
	upd, _, err := c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{MessageLength: new(adaclient.MessageLengthConcise),
		CompanyDescription: adaclient.Value("We sell tea."), Personality: []string{"warm", "direct"}})
	must("update persona", err)
	if upd.MessageLength != "concise" || upd.CompanyDescription == nil || *upd.CompanyDescription != "We sell tea." ||
		upd.DefaultTimezone != p.DefaultTimezone || upd.AskForMoreHelp != p.AskForMoreHelp {
		t.Fatalf("updated persona %+v (was %+v)", upd, p)
	}
	upd, _, err = c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{CompanyDescription: adaclient.Null[string](), Personality: []string{}})
	must("clear persona fields", err)
	if upd.CompanyDescription != nil || len(upd.Personality) != 0 || upd.MessageLength != "concise" {
		t.Fatalf("persona after null and [] %+v", upd)
	}

	vars, _, err := c.AIAgent.ListVariables(ctx)
	must("list variables", err)
	if len(vars) == 0 || vars[0].ID == "" || vars[0].Name == "" {
		t.Fatalf("variables %+v", vars)
	}
	got, _, err := c.AIAgent.GetVariable(ctx, vars[0].ID)
	must("get variable", err)
	if *got != vars[0] {
		t.Fatalf("variable %+v, want %+v", got, vars[0])
	}
	if _, _, err := c.AIAgent.GetVariable(ctx, "ffffffffffffffffffffffff"); !adaclient.IsNotFound(err) {
		t.Fatalf("unknown variable: %v", err)
	}

	rule := `v("` + vars[0].Name + `") == "gold"`
	first, r, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "Gold", Text: "Offer free shipping.",
		Enabled: new(true), Notes: "Q3", AvailabilityRules: rule})
	must("create", err)
	if r.StatusCode != http.StatusCreated || first.ID == "" || !first.Enabled || first.Notes == nil || *first.Notes != "Q3" ||
		first.AvailabilityRules == nil || *first.AvailabilityRules != rule {
		t.Fatalf("created %+v (status %d)", first, r.StatusCode)
	}
	second, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "Tone", Text: "Be brief."})
	must("create disabled", err)
	if second.Enabled || second.Notes != nil || second.AvailabilityRules != nil {
		t.Fatalf("created with defaults %+v", second)
	}
	if _, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "gold", Text: "x"}); !adaclient.IsConflict(err) {
		t.Fatalf("a taken title: %v", err)
	}
	if _, _, err := c.AIAgent.UpdateCustomInstruction(ctx, second.ID, &adaclient.CustomInstructionUpdate{Enabled: new(true)}); !adaclient.IsConflict(err) {
		t.Fatalf("enabling past the limit: %v", err)
	}
	page, r, err := c.AIAgent.ListCustomInstructions(ctx, &adaclient.ListOptions{Limit: 1})
	must("list", err)
	if len(page) != 1 || r.NextCursor == "" {
		t.Fatalf("first page %+v, cursor %q", page, r.NextCursor)
	}
	page, r, err = c.AIAgent.ListCustomInstructions(ctx, &adaclient.ListOptions{Limit: 1, Cursor: r.NextCursor})
	must("list page 2", err)
	if len(page) != 1 || r.NextCursor != "" || page[0].ID != second.ID {
		t.Fatalf("last page %+v, cursor %q", page, r.NextCursor)
	}
	cleared, _, err := c.AIAgent.UpdateCustomInstruction(ctx, first.ID, &adaclient.CustomInstructionUpdate{Notes: new(""),
		AvailabilityRules: adaclient.Null[string]()})
	must("update", err)
	if cleared.Notes == nil || *cleared.Notes != "" || cleared.AvailabilityRules != nil || cleared.Title != "Gold" || !cleared.Enabled {
		t.Fatalf("updated %+v", cleared)
	}
	one, _, err := c.AIAgent.GetCustomInstruction(ctx, first.ID)
	must("get", err)
	if one.Text != "Offer free shipping." {
		t.Fatalf("got %+v", one)
	}
	r, err = c.AIAgent.DeleteCustomInstruction(ctx, first.ID)
	must("delete", err)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("delete status %d", r.StatusCode)
	}
	if _, err := c.AIAgent.DeleteCustomInstruction(ctx, first.ID); !adaclient.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}
	if _, _, err := c.AIAgent.GetCustomInstruction(ctx, first.ID); !adaclient.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	for _, v := range violations() {
		t.Errorf("OpenAPI: %v", v)
	}
}

// TestAuditLogContractWithSimulatorAndOpenAPI lists the simulator's audit log through the
// client, page by page, Ada's OpenAPI document checking each request and response.
func TestAuditLogContractWithSimulatorAndOpenAPI(t *testing.T) {
	c, _, violations := contractClient(t, adasim.Options{})
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	for i := range 5 {
		if _, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: fmt.Sprint("Rule ", i), Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	events, r, err := c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: start, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	seen := len(events)
	for pages := 0; r.NextPageURL != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		query, err := adaclient.AuditLogPageQuery(r.NextPageURL)
		if err != nil {
			t.Fatal(err)
		}
		var page []adaclient.AuditLogEvent
		page, r, err = c.AuditLog.ListPage(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(page)
		events = append(events, page...)
	}
	if seen != 5 || events[0].EntityName != "Rule 4" || events[4].EntityName != "Rule 0" || events[0].Activity != "created" ||
		events[0].EntityType != "custom_instruction" || events[0].ID == "" || events[0].Timestamp == "" {
		t.Fatalf("events %+v", events)
	}
	// An explicit window, and one that Ada refuses: a cursor whose window changed.
	if _, _, err := c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: start, EndDate: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	_, r, err = c.AuditLog.List(ctx, &adaclient.AuditLogOptions{StartDate: start, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	query, _ := adaclient.AuditLogPageQuery(r.NextPageURL)
	q, _ := url.ParseQuery(query)
	q.Set("start_date", adaclient.FormatAuditLogTime(start.Add(time.Second)))
	if _, _, err := c.AuditLog.ListPage(ctx, q.Encode()); adaclient.StatusCode(err) != http.StatusBadRequest {
		t.Fatalf("a drifted window: %v", err)
	}
	for _, v := range violations() {
		t.Errorf("OpenAPI: %v", v)
	}
}

// TestExportAndComplianceContractWithSimulatorAndOpenAPI runs the Data Export and bulk
// deletion calls against the simulator while Ada's documents (Data Export has its own) check
// every request the client sends and every response it gets.
func TestExportAndComplianceContractWithSimulatorAndOpenAPI(t *testing.T) {
	c, sim, violations := contractClient(t, adasim.Options{})
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// 150 conversations a minute apart, each with one message: two pages of 100.
	start := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	st := adasim.State{EndUsers: []adasim.StateEndUser{{EndUserID: "e00000000000000000000001", ExternalID: new("crm-export"),
		Profile: adasim.StateProfile{Email: new("export@example.com")}}}}
	for i := range 150 {
		at := start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		st.Conversations = append(st.Conversations, adasim.StateConversation{ID: fmt.Sprintf("c%023d", i), ChannelID: sim.DefaultChannelID(),
			EndUserID: "e00000000000000000000001", CreatedAt: at, Messages: []adasim.StateMessage{{CreatedAt: at,
				Author: adasim.StateAuthor{Role: "end_user"}, Content: adasim.StateContent{Type: "text", Body: "hello"}}}})
	}
	must("load", sim.LoadState(st))

	q := &adaclient.ExportQuery{Since: start, To: start.Add(7 * 24 * time.Hour), PageSize: adaclient.MinExportPageSize}
	var got []string
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("export pagination does not end")
		}
		convs, r, err := c.Export.Conversations(ctx, q)
		must("export conversations", err)
		for _, cv := range convs {
			got = append(got, cv.ID)
			if cv.EndUserID == nil || *cv.EndUserID != "e00000000000000000000001" {
				t.Fatalf("record %+v", cv)
			}
			if _, err := adatime.Parse(cv.DateCreated); err != nil {
				t.Fatalf("date_created %q: %v", cv.DateCreated, err)
			}
		}
		if r.NextPageURL == "" {
			break
		}
		q = &adaclient.ExportQuery{Next: r.NextPageURL, PageSize: adaclient.MinExportPageSize}
	}
	if len(got) != 150 || got[0] != fmt.Sprintf("c%023d", 0) || got[149] != fmt.Sprintf("c%023d", 149) {
		t.Fatalf("exported %d conversations", len(got))
	}
	_, _, err := c.Export.Conversations(ctx, &adaclient.ExportQuery{By: adaclient.ExportByUpdated, Since: start, To: start.Add(adaclient.MaxExportWindow)})
	must("export by update time", err)
	msgs, _, err := c.Export.Messages(ctx, &adaclient.ExportQuery{Since: start, ConversationID: fmt.Sprintf("c%023d", 7)})
	must("export messages", err)
	if len(msgs) != 1 || msgs[0].ConversationID != fmt.Sprintf("c%023d", 7) || msgs[0].Sender == nil {
		t.Fatalf("messages %+v", msgs)
	}

	acc, r, err := c.Compliance.DeleteEndUsers(ctx, &adaclient.DeletionRequest{ClientReference: "contract-1", Identifiers: []adaclient.DeletionIdentifier{
		{Type: adaclient.IdentifierEmail, Value: "export@example.com"}, {Type: adaclient.IdentifierExternalID, Value: "nobody"},
		{Type: adaclient.IdentifierVariableMatch, Value: "gold", Variable: "plan"}}})
	must("delete", err)
	if r.StatusCode != 202 || acc.SubmittedCount != 3 || acc.Status != adaclient.JobQueued {
		t.Fatalf("accepted %+v (%d)", acc, r.StatusCode)
	}
	var job *adaclient.DeletionJob
	for reads := 0; job == nil || !job.Terminal(); reads++ {
		if reads == 5 {
			t.Fatalf("job still %s after %d reads", job.Status, reads)
		}
		job, _, err = c.Compliance.Job(ctx, acc.JobID)
		must("job", err)
	}
	if job.Status != adaclient.JobCompleted || job.Identifiers[0].Disposition != adaclient.DispositionAccepted || job.Identifiers[1].Reason == nil {
		t.Fatalf("job %+v", job)
	}
	if _, _, err := c.EndUsers.GetByExternalID(ctx, "crm-export"); !adaclient.IsNotFound(err) {
		t.Fatalf("the end user outlived the job: %v", err)
	}
	if _, _, err := c.Compliance.Job(ctx, "000000000000000000000000"); !adaclient.IsNotFound(err) {
		t.Fatalf("unknown job: %v", err)
	}

	for _, v := range violations() {
		t.Errorf("OpenAPI: %v", v)
	}
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
