package adaclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// WebhooksService is Ada's webhook management API (/v2/webhooks/): the
// endpoints Ada delivers events to (through Svix), and their signing secrets.
type WebhooksService struct{ c *Client }

// Webhook is a webhook endpoint. Its ID is a Svix endpoint id ("ep_...").
type Webhook struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	Description string `json:"description"`
	// EventFilters are the event types delivered; empty means all.
	EventFilters []string `json:"event_filters"`
	Enabled      bool     `json:"enabled"`
	CreatedAt    string   `json:"created_at,omitempty"`
	UpdatedAt    string   `json:"updated_at,omitempty"`
}

// WebhookCreate is the body of POST /v2/webhooks/.
type WebhookCreate struct {
	// URL receives the events: an absolute http(s) URL.
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
	// EventFilters are event types (see EventTypes); empty subscribes to all.
	EventFilters []string `json:"event_filters,omitempty"`
	// Enabled nil leaves Ada's default (enabled).
	Enabled *bool `json:"enabled,omitempty"`
}

// WebhookUpdate is the body of PATCH /v2/webhooks/{id}: only the fields set
// are sent, and Ada changes only those.
type WebhookUpdate struct {
	URL         *string `json:"url,omitempty"`
	Description *string `json:"description,omitempty"`
	// EventFilters nil leaves the filters unchanged; an empty, non-nil slice
	// subscribes to all events.
	EventFilters []string `json:"event_filters,omitzero"`
	Enabled      *bool    `json:"enabled,omitempty"`
}

// WebhookEventType is an event a webhook can subscribe to.
type WebhookEventType struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// WebhookSecret is a webhook's signing secret ("whsec_..."). Only Key holds
// it: printing, logging (slog) or JSON-encoding the value shows it redacted,
// so it cannot leak by accident; read Key to use it.
type WebhookSecret struct {
	Key string `json:"key"`
}

const redacted = "[redacted]"

func (s WebhookSecret) redactedKey() string {
	if s.Key == "" {
		return ""
	}
	return redacted
}

// String returns the secret redacted.
func (s WebhookSecret) String() string { return "WebhookSecret{Key:" + s.redactedKey() + "}" }

// GoString returns the secret redacted (for %#v).
func (s WebhookSecret) GoString() string {
	return `adaclient.WebhookSecret{Key:"` + s.redactedKey() + `"}`
}

// LogValue returns the secret redacted.
func (s WebhookSecret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key", s.redactedKey()))
}

// MarshalJSON encodes the secret redacted; a caller that means to hand the
// key on copies Key into its own value.
func (s WebhookSecret) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"key": s.redactedKey()})
}

func webhookPath(id string) string { return "/v2/webhooks/" + pathEscape(id) }

// List returns one page of webhooks; Response.NextCursor continues.
// GET /v2/webhooks/
func (s *WebhooksService) List(ctx context.Context, opts *ListOptions) ([]Webhook, *Response, error) {
	q, err := opts.values(nil)
	if err != nil {
		return nil, nil, err
	}
	return list[Webhook](s.c, ctx, "/v2/webhooks/", q)
}

// Create creates a webhook (Ada answers 201; the first one also provisions
// Ada's webhook delivery). Not idempotent: it is never repeated once it may
// have reached Ada.
// POST /v2/webhooks/
func (s *WebhooksService) Create(ctx context.Context, req *WebhookCreate) (*Webhook, *Response, error) {
	if req == nil {
		return nil, nil, invalid("url", "is required")
	}
	if err := validateWebhookURL("url", req.URL); err != nil {
		return nil, nil, err
	}
	if err := validateEventFilters(req.EventFilters); err != nil {
		return nil, nil, err
	}
	return s.one(ctx, call{method: http.MethodPost, path: "/v2/webhooks/", body: req, mode: notIdempotent})
}

// Get fetches a webhook.
// GET /v2/webhooks/{id}
func (s *WebhooksService) Get(ctx context.Context, id string) (*Webhook, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	return s.one(ctx, call{method: http.MethodGet, path: webhookPath(id), mode: idempotent})
}

// Update changes the fields set in req, at least one.
// PATCH /v2/webhooks/{id}
func (s *WebhooksService) Update(ctx context.Context, id string, req *WebhookUpdate) (*Webhook, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	if req == nil || (req.URL == nil && req.Description == nil && req.EventFilters == nil && req.Enabled == nil) {
		return nil, nil, invalid("webhook", "an update needs at least one of url, description, event_filters, enabled")
	}
	if req.URL != nil {
		if err := validateWebhookURL("url", *req.URL); err != nil {
			return nil, nil, err
		}
	}
	if err := validateEventFilters(req.EventFilters); err != nil {
		return nil, nil, err
	}
	return s.one(ctx, call{method: http.MethodPatch, path: webhookPath(id), body: req, mode: idempotent})
}

// Delete deletes a webhook (Ada answers 204). It is retried like a GET, so
// after a retry a 404 may mean an earlier attempt deleted it.
// DELETE /v2/webhooks/{id}
func (s *WebhooksService) Delete(ctx context.Context, id string) (*Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: webhookPath(id), mode: idempotent}, nil)
}

// Secret fetches the webhook's signing secret, to verify deliveries.
// GET /v2/webhooks/{id}/secret/
func (s *WebhooksService) Secret(ctx context.Context, id string) (*WebhookSecret, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	var sec WebhookSecret
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: webhookPath(id) + "/secret/", mode: idempotent}, &sec)
	if err != nil {
		return nil, r, err
	}
	return &sec, r, nil
}

// RotateSecret replaces the webhook's signing secret with key, or with a new
// random one when key is "". Ada answers {} without the new secret: call
// Secret for it. Not idempotent (a second rotation retires the secret the
// first one made): it is never repeated once it may have reached Ada.
// POST /v2/webhooks/{id}/secret/rotate/
func (s *WebhooksService) RotateSecret(ctx context.Context, id, key string) (*Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, err
	}
	if strings.ContainsAny(key, " \t\r\n") {
		return nil, invalid("key", "must not contain whitespace")
	}
	body := struct {
		Key string `json:"key,omitempty"`
	}{key}
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: webhookPath(id) + "/secret/rotate/", body: body, mode: notIdempotent}, nil)
	if err != nil && key != "" {
		scrubErrorResponse(err, key)
	}
	return r, err
}

// EventTypes lists the event types a webhook can subscribe to.
// GET /v2/webhooks/event-types/
func (s *WebhooksService) EventTypes(ctx context.Context) ([]WebhookEventType, *Response, error) {
	return list[WebhookEventType](s.c, ctx, "/v2/webhooks/event-types/", nil)
}

func (s *WebhooksService) one(ctx context.Context, cl call) (*Webhook, *Response, error) {
	var w Webhook
	r, err := s.c.do(ctx, cl, &w)
	if err != nil {
		return nil, r, err
	}
	return &w, r, nil
}

// validateWebhookURL requires an absolute http(s) URL; the reason never
// quotes it (a URL may carry a token).
func validateWebhookURL(field, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return invalid(field, "is required")
	}
	if !IsHTTPURL(raw) {
		return invalid(field, "must be an absolute http(s) URL such as https://hooks.example.com/ada")
	}
	return nil
}

// IsHTTPURL reports whether raw is an absolute http(s) URL with a host and
// no whitespace: what Ada takes for a webhook, an article's url or an API
// base URL.
func IsHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && !strings.ContainsAny(raw, " \t\r\n")
}

func validateEventFilters(filters []string) error {
	for _, f := range filters {
		if strings.TrimSpace(f) == "" {
			return invalid("event_filters", "must not contain an empty event type")
		}
	}
	return nil
}

// scrubErrorResponse removes secret from the Ada error in err's chain, in
// case Ada's message quotes the key it rejected.
func scrubErrorResponse(err error, secret string) {
	var er *ErrorResponse
	if !errors.As(err, &er) {
		return
	}
	for i := range er.Errors {
		e := &er.Errors[i]
		e.Type = strings.ReplaceAll(e.Type, secret, redacted)
		e.Message = strings.ReplaceAll(e.Message, secret, redacted)
		if bytes.Contains(e.Details, []byte(secret)) {
			d, _ := json.Marshal(redacted)
			e.Details = d
		}
	}
	er.BodySnippet = strings.ReplaceAll(er.BodySnippet, secret, redacted)
}
