package openapicheck

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
)

// webhookNames maps each event type Ada documents to the document's webhook (its key under
// webhooks:), whose POST request body is the payload Ada delivers.
var webhookNames = map[string]string{
	"v1.end_user.created":           "end-user-created-webhook",
	"v1.end_user.updated":           "end-user-updated-webhook",
	"v1.audit_log.emitted":          "audit-log-webhook",
	"v1.conversation.created":       "conversation-created-webhook",
	"v1.conversation.message":       "conversation-message-webhook",
	"v1.conversation.ended":         "conversation-ended-webhook",
	"v1.conversation.handoff.ended": "conversation-handoff-ended-webhook",
}

// WebhookEventTypes are the event types CheckWebhook knows, sorted.
func WebhookEventTypes() []string {
	out := make([]string, 0, len(webhookNames))
	for t := range webhookNames {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// CheckWebhook validates the body of a webhook delivery (the envelope {type, timestamp, data,
// tags?}) against the payload schema the document declares for its type, with the schema
// exceptions applied. A type the document does not declare is an error.
func (v *Validator) CheckWebhook(body []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return fmt.Errorf("openapicheck: webhook body is not a JSON object: %w", err)
	}
	name, ok := webhookNames[head.Type]
	if !ok {
		return fmt.Errorf("openapicheck: webhook type %q is not one Ada documents", head.Type)
	}
	item := v.doc.Webhooks[name]
	if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
		return fmt.Errorf("openapicheck: the document has no webhook %s", name)
	}
	media := item.Post.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return fmt.Errorf("openapicheck: webhook %s declares no JSON payload", name)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	if err := v.validateBody(media.Schema, header, body); err != nil {
		return fmt.Errorf("openapicheck: webhook %s: %w", head.Type, err)
	}
	return nil
}

// CheckWebhook validates a webhook delivery against the first document that declares webhooks.
func (s *Set) CheckWebhook(body []byte) error {
	for _, v := range s.validators {
		if len(v.doc.Webhooks) > 0 {
			return v.CheckWebhook(body)
		}
	}
	return fmt.Errorf("openapicheck: no document of the set declares webhooks")
}
