package tools

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
)

// The event log holds the operator's conversations (Ada's webhooks are the
// operator's account's): a tenant's call never reads it, or a tenant whose
// Ada answers for a conversation id of the operator's (a base URL it
// controls) would be given that conversation's history and replies.
func TestTenantCallsDoNotReadTheOperatorsEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := events.NewMemory(events.Limits{})
	const conv = "operators-conversation"
	reply, _ := json.Marshal(map[string]any{"message_id": "m1", "conversation_id": conv,
		"author": map[string]any{"role": adaclient.RoleAIAgent}, "content": map[string]any{"type": "text", "body": "the operator's customer data"}})
	for i, ev := range []events.Event{
		{ID: "e1", Type: events.TypeConversationCreated, ConversationID: conv, Data: json.RawMessage(`{}`)},
		{ID: "e2", Type: events.TypeConversationMessage, ConversationID: conv, Data: reply},
	} {
		ev.At = time.Now().Add(time.Duration(i) * time.Millisecond)
		if _, err := log.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	own, err := adaclient.New("http://127.0.0.1:9/api", "operator_key_0123456789")
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := adaclient.New("http://127.0.0.1:9/api", "tenant_key_0123456789")
	if err != nil {
		t.Fatal(err)
	}
	deps := &Deps{Client: own, Events: log}

	operator := &Env{Client: own, Deps: deps}
	if !operator.beforeSend(ctx, conv).ok || !operator.greeted(ctx, conv) {
		t.Fatal("the operator's own calls do not follow its event log")
	}
	e := &Env{Client: tenant, Deps: deps}
	if e.beforeSend(ctx, conv).ok {
		t.Error("a tenant's send follows the operator's event log")
	}
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond) // the tenant's Ada is unreachable: polling fails at once
	defer stop()
	if e.greeted(short, conv) {
		t.Error("a tenant's start_conversation learned of the operator's conversation from the event log")
	}
}
