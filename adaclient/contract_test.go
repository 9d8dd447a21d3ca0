package adaclient_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"

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
	srv := httptest.NewServer(v.Middleware(sim, func(err error) {
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
	_, _, err = c.Conversations.EndHandoff(ctx, cv.ID)
	must("end handoff", err)
	_, _, err = c.Conversations.EndHandoff(ctx, cv.ID)
	if adaclient.StatusCode(err) != 422 {
		t.Fatalf("end handoff when not in one: %v", err)
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
