package schemas

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// Webhook is a webhook endpoint as tools return it. It has no field for the
// signing secret: no tool ever returns one.
type Webhook struct {
	WebhookID    string   `json:"webhook_id" jsonschema:"required"`
	URL          string   `json:"url" jsonschema:"required"`
	Description  string   `json:"description,omitempty"`
	EventFilters []string `json:"event_filters" jsonschema:"required"`
	Enabled      bool     `json:"enabled" jsonschema:"required"`
	CreatedAt    string   `json:"created_at,omitempty"`
	UpdatedAt    string   `json:"updated_at,omitempty"`
}

// WebhookFrom converts Ada's webhook; null event_filters become [].
func WebhookFrom(w *adaclient.Webhook) Webhook {
	filters := w.EventFilters
	if filters == nil {
		filters = []string{}
	}
	return Webhook{WebhookID: w.ID, URL: w.URL, Description: w.Description, EventFilters: filters,
		Enabled: w.Enabled, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// WebhookArgs name one webhook: get_webhook's, delete_webhook's and
// rotate_webhook_secret's arguments.
type WebhookArgs struct {
	WebhookID string `json:"webhook_id" jsonschema:"required"`
}

// Validate rejects an empty id (and "." or "..", which would name another
// path).
func (a *WebhookArgs) Validate() error {
	return validateID("webhook_id", a.WebhookID, "list_webhooks shows the ids")
}

// Destruction names what delete_webhook deletes.
func (a *WebhookArgs) Destruction() string {
	return fmt.Sprintf("the webhook endpoint %s (Ada stops delivering events to it)", a.WebhookID)
}

// WebhookResult is the result of the tools that return one webhook.
type WebhookResult struct {
	Webhook Webhook `json:"webhook" jsonschema:"required"`
}

// ListWebhooksArgs are list_webhooks' arguments.
type ListWebhooksArgs struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
	Cursor string `json:"cursor,omitempty"`
}

func (a *ListWebhooksArgs) Validate() error { return validateCursor(a.Cursor) }

// DefaultWebhooksPage is list_webhooks' page size when limit is not given.
const DefaultWebhooksPage = 20

// Options converts the arguments, defaulting limit to DefaultWebhooksPage.
func (a *ListWebhooksArgs) Options() *adaclient.ListOptions {
	limit := cmp.Or(a.Limit, DefaultWebhooksPage)
	return &adaclient.ListOptions{Limit: limit, Cursor: a.Cursor}
}

// ListWebhooksResult is list_webhooks' result.
type ListWebhooksResult struct {
	Webhooks []Webhook `json:"webhooks" jsonschema:"required"`
	Page
}

// WebhooksFrom converts a page of webhooks.
func WebhooksFrom(ws []adaclient.Webhook) []Webhook { return allFrom(ws, WebhookFrom) }

// CreateWebhookArgs are create_webhook's arguments.
type CreateWebhookArgs struct {
	URL          string   `json:"url" jsonschema:"required" jsonschema_description:"Absolute http(s) URL that receives the events."`
	Description  string   `json:"description,omitempty"`
	EventFilters []string `json:"event_filters,omitempty" jsonschema_description:"Event type names (list_webhook_event_types); empty or absent: every event."`
	Enabled      *bool    `json:"enabled,omitempty" jsonschema:"default=true"`
}

// Validate checks that url is an absolute http(s) URL and that no event
// type is empty; Ada checks the event type names.
func (a *CreateWebhookArgs) Validate() error {
	if err := validateWebhookURL(a.URL); err != nil {
		return err
	}
	return validateEventFilters(a.EventFilters)
}

// Request converts the arguments; enabled absent leaves Ada's default
// (enabled), event_filters empty subscribes to every event.
func (a *CreateWebhookArgs) Request() *adaclient.WebhookCreate {
	return &adaclient.WebhookCreate{URL: a.URL, Description: a.Description, EventFilters: a.EventFilters, Enabled: a.Enabled}
}

// UpdateWebhookArgs are update_webhook's arguments: the fields given change,
// the others stay.
type UpdateWebhookArgs struct {
	WebhookID    string   `json:"webhook_id" jsonschema:"required"`
	URL          *string  `json:"url,omitempty" jsonschema_description:"Absolute http(s) URL."`
	Description  *string  `json:"description,omitempty"`
	EventFilters []string `json:"event_filters,omitempty" jsonschema_description:"Replaces the filters; [] subscribes to every event."`
	Enabled      *bool    `json:"enabled,omitempty" jsonschema_description:"false pauses deliveries."`
}

// Validate checks the id, that at least one field is given, and the url and
// event types given. An event_filters of [] is a change (to every event),
// not an absent field.
func (a *UpdateWebhookArgs) Validate() error {
	if err := validateID("webhook_id", a.WebhookID, "list_webhooks shows the ids"); err != nil {
		return err
	}
	if a.URL == nil && a.Description == nil && a.EventFilters == nil && a.Enabled == nil {
		return argErr("webhook_id", "nothing to update: give url, description, event_filters or enabled")
	}
	if a.URL != nil {
		if err := validateWebhookURL(*a.URL); err != nil {
			return err
		}
	}
	return validateEventFilters(a.EventFilters)
}

// Request converts the arguments; only the fields given are sent.
func (a *UpdateWebhookArgs) Request() *adaclient.WebhookUpdate {
	return &adaclient.WebhookUpdate{URL: a.URL, Description: a.Description, EventFilters: a.EventFilters, Enabled: a.Enabled}
}

// validateWebhookURL requires an absolute http(s) URL with a host. The
// reason never quotes the URL, which may carry a token.
func validateWebhookURL(raw string) error {
	if !adaclient.IsHTTPURL(raw) {
		return argErr("url", "must be an absolute http(s) URL such as https://hooks.example.com/ada")
	}
	return nil
}

func validateEventFilters(filters []string) error {
	for _, f := range filters {
		if strings.TrimSpace(f) == "" {
			return argErr("event_filters", "must not contain an empty event type: list_webhook_event_types shows the names")
		}
	}
	return nil
}

// DeleteWebhookResult is delete_webhook's result.
type DeleteWebhookResult struct {
	WebhookID string `json:"webhook_id" jsonschema:"required"`
	Deleted   bool   `json:"deleted" jsonschema:"required"`
}

// WebhookEventType is an event type a webhook can subscribe to.
type WebhookEventType struct {
	Name        string `json:"name" jsonschema:"required"`
	Description string `json:"description,omitempty"`
}

// ListWebhookEventTypesArgs are list_webhook_event_types' arguments: none.
type ListWebhookEventTypesArgs struct{}

// ListWebhookEventTypesResult is list_webhook_event_types' result. Ada
// returns every event type at once, so there is no cursor.
type ListWebhookEventTypesResult struct {
	EventTypes []WebhookEventType `json:"event_types" jsonschema:"required"`
	Page                          // has_more always false: one page holds them all
}

// WebhookEventTypesFrom converts Ada's event types.
func WebhookEventTypesFrom(ts []adaclient.WebhookEventType) []WebhookEventType {
	return allFrom(ts, func(t *adaclient.WebhookEventType) WebhookEventType {
		return WebhookEventType{Name: t.Name, Description: t.Description}
	})
}

// RotateWebhookSecretResult is rotate_webhook_secret's result. It never
// carries the secret: only where this server stored it, or a note saying
// it did not.
type RotateWebhookSecretResult struct {
	WebhookID       string `json:"webhook_id" jsonschema:"required"`
	Rotated         bool   `json:"rotated" jsonschema:"required"`
	SecretWrittenTo string `json:"secret_written_to,omitempty" jsonschema_description:"Where this server stored the new secret."`
	Note            string `json:"note,omitempty"`
}
