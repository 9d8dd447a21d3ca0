package adaclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const (
	webhookJSON = `{"id":"ep_1","url":"https://hooks.example.com/ada","description":"CRM sync","event_filters":["v1.conversation.created"],"enabled":true,"created_at":"2026-10-01T12:00:00Z","updated_at":"2026-10-01T12:00:00Z","channels":["x"],"future":{"a":1}}`
	secretKey   = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	customKey   = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

func TestWebhooksRequestsMatchAdasPaths(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/api")
		switch {
		case p == "/v2/webhooks/event-types/":
			status(200, `{"data":[{"name":"v1.end_user.created","description":"An end user was created","future":true},{"name":"v1.conversation.message","description":"A message"}]}`)(w, r)
		case p == "/v2/webhooks/" && r.Method == "GET":
			status(200, `{"data":[`+webhookJSON+`],"meta":{"next_page_url":"https://x.ada.support/api/v2/webhooks/?cursor=c2&limit=2"}}`)(w, r)
		case p == "/v2/webhooks/":
			status(201, webhookJSON)(w, r)
		case strings.HasSuffix(p, "/secret/rotate/"):
			status(200, `{}`)(w, r)
		case strings.HasSuffix(p, "/secret/"):
			status(200, `{"key":"`+secretKey+`"}`)(w, r)
		case r.Method == "DELETE":
			w.WriteHeader(http.StatusNoContent)
		default:
			status(200, webhookJSON)(w, r)
		}
	})
	c := rec.client(t)
	ctx := context.Background()

	hooks, r, err := c.Webhooks.List(ctx, &adaclient.ListOptions{Limit: 2, Cursor: "c1"})
	if err != nil || len(hooks) != 1 || r.NextCursor != "c2" {
		t.Fatalf("List = %+v, %+v, %v", hooks, r, err)
	}
	want := adaclient.Webhook{ID: "ep_1", URL: "https://hooks.example.com/ada", Description: "CRM sync", EventFilters: []string{"v1.conversation.created"},
		Enabled: true, CreatedAt: "2026-10-01T12:00:00Z", UpdatedAt: "2026-10-01T12:00:00Z"}
	if got := hooks[0]; got.ID != want.ID || got.URL != want.URL || got.Description != want.Description || !slices.Equal(got.EventFilters, want.EventFilters) ||
		got.Enabled != want.Enabled || got.CreatedAt != want.CreatedAt || got.UpdatedAt != want.UpdatedAt {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	created, r, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https://hooks.example.com/ada", Description: "CRM sync",
		EventFilters: []string{"v1.conversation.created"}, Enabled: new(false)})
	if err != nil || created.ID != "ep_1" || r.StatusCode != http.StatusCreated {
		t.Fatalf("Create = %+v, %v", created, err)
	}
	steps := []func() error{
		func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "http://hooks.example.com:8080/ada?t=1"})
			return err
		},
		func() error { _, _, err := c.Webhooks.Get(ctx, "ep_1"); return err },
		func() error {
			_, _, err := c.Webhooks.Update(ctx, "ep_1", &adaclient.WebhookUpdate{Enabled: new(true)})
			return err
		},
		func() error {
			// An empty description and an empty filter list (all events) are values, not "unchanged".
			_, _, err := c.Webhooks.Update(ctx, "ep_1", &adaclient.WebhookUpdate{Description: new(""), EventFilters: []string{}})
			return err
		},
		func() error {
			_, _, err := c.Webhooks.Update(ctx, "ep_1", &adaclient.WebhookUpdate{URL: new("https://hooks.example.com/v2")})
			return err
		},
		func() error {
			r, err := c.Webhooks.Delete(ctx, "ep_1")
			if err == nil && r.StatusCode != http.StatusNoContent {
				return fmt.Errorf("Delete status %d", r.StatusCode)
			}
			return err
		},
		func() error {
			s, _, err := c.Webhooks.Secret(ctx, "ep_1")
			if err == nil && s.Key != secretKey {
				return fmt.Errorf("Secret key not decoded")
			}
			return err
		},
		func() error { _, err := c.Webhooks.RotateSecret(ctx, "ep_1", ""); return err },
		func() error { _, err := c.Webhooks.RotateSecret(ctx, "ep_1", customKey); return err },
		func() error {
			types, _, err := c.Webhooks.EventTypes(ctx)
			if err == nil && (len(types) != 2 || types[0] != (adaclient.WebhookEventType{Name: "v1.end_user.created", Description: "An end user was created"})) {
				return fmt.Errorf("EventTypes = %+v", types)
			}
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	wantReqs := []wantRequest{
		{"GET", "/api/v2/webhooks/", "cursor=c1&limit=2", ""},
		{"POST", "/api/v2/webhooks/", "", `{"url":"https://hooks.example.com/ada","description":"CRM sync","event_filters":["v1.conversation.created"],"enabled":false}`},
		{"POST", "/api/v2/webhooks/", "", `{"url":"http://hooks.example.com:8080/ada?t=1"}`},
		{"GET", "/api/v2/webhooks/ep_1", "", ""},
		{"PATCH", "/api/v2/webhooks/ep_1", "", `{"enabled":true}`},
		{"PATCH", "/api/v2/webhooks/ep_1", "", `{"description":"","event_filters":[]}`},
		{"PATCH", "/api/v2/webhooks/ep_1", "", `{"url":"https://hooks.example.com/v2"}`},
		{"DELETE", "/api/v2/webhooks/ep_1", "", ""},
		{"GET", "/api/v2/webhooks/ep_1/secret/", "", ""},
		{"POST", "/api/v2/webhooks/ep_1/secret/rotate/", "", `{}`},
		{"POST", "/api/v2/webhooks/ep_1/secret/rotate/", "", `{"key":"` + customKey + `"}`},
		{"GET", "/api/v2/webhooks/event-types/", "", ""},
	}
	rec.expect(t, wantReqs)
}

func TestWebhookIDsArePathEscaped(t *testing.T) {
	rec := newRecorder(t, status(200, `{"key":"k"}`))
	c := rec.client(t)
	if _, _, err := c.Webhooks.Get(context.Background(), "ep/1 ?x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Webhooks.Secret(context.Background(), "../channels"); err != nil {
		t.Fatal(err)
	}
	rec.expectURIs(t, "/api/v2/webhooks/ep%2F1%20%3Fx", "/api/v2/webhooks/..%2Fchannels/secret/")
}

func TestWebhooksRetrySafety(t *testing.T) {
	ctx := context.Background()
	create := &adaclient.WebhookCreate{URL: "https://hooks.example.com/ada"}
	runRetryCases(t, []retryCase{
		{"GET is retried", []http.HandlerFunc{status(500, errorJSON), status(200, webhookJSON)},
			func(c *adaclient.Client) error { _, _, err := c.Webhooks.Get(ctx, "ep_1"); return err }, 2, false},
		{"PATCH is retried", []http.HandlerFunc{hangUp, status(200, webhookJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.Webhooks.Update(ctx, "ep_1", &adaclient.WebhookUpdate{Enabled: new(false)})
				return err
			}, 2, false},
		{"DELETE is retried", []http.HandlerFunc{status(502, "<html>bad gateway</html>"), status(204, "")},
			func(c *adaclient.Client) error { _, err := c.Webhooks.Delete(ctx, "ep_1"); return err }, 2, false},
		{"secret GET is retried", []http.HandlerFunc{truncated, status(200, `{"key":"k"}`)},
			func(c *adaclient.Client) error { _, _, err := c.Webhooks.Secret(ctx, "ep_1"); return err }, 2, false},
		{"create after a 500 is sent once", []http.HandlerFunc{status(500, errorJSON), status(201, webhookJSON)},
			func(c *adaclient.Client) error { _, _, err := c.Webhooks.Create(ctx, create); return err }, 1, true},
		{"create whose answer is lost is sent once", []http.HandlerFunc{hangUp, status(201, webhookJSON)},
			func(c *adaclient.Client) error { _, _, err := c.Webhooks.Create(ctx, create); return err }, 1, true},
		{"create after a 429 is resent", []http.HandlerFunc{status(429, errorJSON, "Retry-After", "0"), status(201, webhookJSON)},
			func(c *adaclient.Client) error { _, _, err := c.Webhooks.Create(ctx, create); return err }, 2, false},
		{"rotate after a 503 is sent once", []http.HandlerFunc{status(503, errorJSON), status(200, `{}`)},
			func(c *adaclient.Client) error { _, err := c.Webhooks.RotateSecret(ctx, "ep_1", ""); return err }, 1, true},
		{"rotate with a truncated answer is sent once", []http.HandlerFunc{truncated, status(200, `{}`)},
			func(c *adaclient.Client) error { _, err := c.Webhooks.RotateSecret(ctx, "ep_1", customKey); return err }, 1, true},
	})
}

func TestWebhooksLocalValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(200, `{}`))
	c := rec.client(t)
	ctx := context.Background()
	const tokenURL = "hooks.example.com/ada?token=s3cr3t-value"
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"create without body", "url", func() error { _, _, err := c.Webhooks.Create(ctx, nil); return err }},
		{"create without url", "url", func() error { _, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{}); return err }},
		{"relative url", "url", func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: tokenURL})
			return err
		}},
		{"ftp url", "url", func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "ftp://hooks.example.com/ada"})
			return err
		}},
		{"url without host", "url", func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https:///ada"})
			return err
		}},
		{"url with only a port", "url", func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https://:8443/ada"})
			return err
		}},
		{"url with a space", "url", func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https://hooks.example.com/a b"})
			return err
		}},
		{"blank event filter", "event_filters", func() error {
			_, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: "https://hooks.example.com/ada", EventFilters: []string{"v1.end_user.created", " "}})
			return err
		}},
		{"update with a bad url", "url", func() error {
			_, _, err := c.Webhooks.Update(ctx, "ep_1", &adaclient.WebhookUpdate{URL: new("mailto:ops@example.com")})
			return err
		}},
		{"empty update", "webhook", func() error {
			_, _, err := c.Webhooks.Update(ctx, "ep_1", &adaclient.WebhookUpdate{})
			return err
		}},
		{"nil update", "webhook", func() error { _, _, err := c.Webhooks.Update(ctx, "ep_1", nil); return err }},
		{"get without id", "id", func() error { _, _, err := c.Webhooks.Get(ctx, " "); return err }},
		{"delete without id", "id", func() error { _, err := c.Webhooks.Delete(ctx, ""); return err }},
		{"delete ..", "id", func() error { _, err := c.Webhooks.Delete(ctx, ".."); return err }},
		{"secret of .", "id", func() error { _, _, err := c.Webhooks.Secret(ctx, "."); return err }},
		{"rotate without id", "id", func() error { _, err := c.Webhooks.RotateSecret(ctx, "", ""); return err }},
		{"rotate with a key holding spaces", "key", func() error {
			_, err := c.Webhooks.RotateSecret(ctx, "ep_1", "whsec_abc s3cr3t-value")
			return err
		}},
		{"limit over 100", "limit", func() error {
			_, _, err := c.Webhooks.List(ctx, &adaclient.ListOptions{Limit: 101})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *adaclient.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if ve.Field != tc.field {
				t.Fatalf("Field = %q, want %q (%v)", ve.Field, tc.field, err)
			}
			if strings.Contains(err.Error(), "s3cr3t-value") {
				t.Fatal("the error quotes the rejected value")
			}
		})
	}
	if got := rec.count.Load(); got != 0 {
		t.Fatalf("%d requests were sent for invalid input", got)
	}
}

func TestWebhookSecretIsRedacted(t *testing.T) {
	sec := adaclient.WebhookSecret{Key: secretKey}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("secret", "value", sec, "pointer", &sec)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("secret", "value", sec, slog.Any("pointer", &sec))
	encoded, err := json.Marshal(map[string]any{"value": sec, "pointer": &sec})
	if err != nil {
		t.Fatal(err)
	}
	printed := []string{
		fmt.Sprint(sec), fmt.Sprint(&sec), fmt.Sprintf("%v %+v %s %q %#v", sec, sec, sec, sec, sec),
		fmt.Sprintf("%+v %#v", &sec, &sec), fmt.Sprintf("%+v", struct{ S adaclient.WebhookSecret }{sec}),
		fmt.Sprintf("%v", []adaclient.WebhookSecret{sec}), logs.String(), string(encoded),
	}
	for _, p := range printed {
		if strings.Contains(p, secretKey) || strings.Contains(p, "C2FVsBQIhrsc") {
			t.Errorf("the secret leaks: %s", p)
		}
		if !strings.Contains(p, "[redacted]") {
			t.Errorf("no redaction marker in %s", p)
		}
	}
	if got := fmt.Sprintf("%#v", sec); got != `adaclient.WebhookSecret{Key:"[redacted]"}` {
		t.Errorf("GoString = %s", got)
	}
	if got := fmt.Sprint(adaclient.WebhookSecret{}); got != "WebhookSecret{Key:}" {
		t.Errorf("an empty secret prints as %s", got)
	}
	if sec.Key != secretKey {
		t.Fatal("Key must still hold the secret")
	}
}

func TestWebhookSecretsNeverReachTheLogs(t *testing.T) {
	rec := newRecorder(t,
		status(429, errorJSON, "Retry-After", "0"),
		status(200, `{"key":"`+secretKey+`"}`),
		status(400, `{"errors":[{"type":"bad_request","message":"invalid key `+customKey+`","details":"`+customKey+` is too short"}]}`),
		status(502, `<html>upstream echoed `+customKey+`</html>`),
		status(200, `{}`))
	var logs bytes.Buffer
	c := rec.client(t, adaclient.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		adaclient.WithRateBudget(adaclient.NewLocalBudget(adaclient.DefaultLimits())))
	ctx := context.Background()
	sec, _, err := c.Webhooks.Secret(ctx, "ep_1")
	if err != nil || sec.Key != secretKey {
		t.Fatalf("Secret = %v, %v", sec, err)
	}
	var errs []error
	for range 2 {
		_, err := c.Webhooks.RotateSecret(ctx, "ep_1", customKey)
		if err == nil {
			t.Fatal("rotation should have failed")
		}
		errs = append(errs, err)
	}
	if _, err := c.Webhooks.RotateSecret(ctx, "ep_1", customKey); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"msg":"ada retry"`) || strings.Count(logs.String(), `"msg":"ada request"`) != 4 {
		t.Fatalf("expected debug logs of every request and the retry, got:\n%s", logs.String())
	}
	for _, key := range []string{secretKey, customKey} {
		if strings.Contains(logs.String(), key) {
			t.Errorf("a key reached the debug log:\n%s", logs.String())
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), key) {
				t.Errorf("a key is in the error: %v", err)
			}
		}
	}
	var er *adaclient.ErrorResponse
	if !errors.As(errs[0], &er) || er.StatusCode != 400 || !strings.Contains(er.Message(), "[redacted]") || strings.Contains(er.Errors[0].DetailsText(), customKey) {
		t.Fatalf("the rejected rotation: %v", errs[0])
	}
	var ou *adaclient.OutcomeUnknownError
	if !errors.As(errs[1], &ou) || !strings.Contains(errs[1].Error(), "[redacted]") {
		t.Fatalf("the failed rotation: %v", errs[1])
	}
}

// One check of an http(s) URL serves webhooks, articles and the base URL:
// a port without a host, or whitespace, is no URL Ada can reach.
func TestIsHTTPURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://hooks.example.com/ada": true,
		"http://127.0.0.1:8080/x":       true,
		"http://:80/x":                  false,
		"https:///x":                    false,
		"ftp://example.com/x":           false,
		"/relative":                     false,
		"https://example.com/a b":       false,
		"":                              false,
	} {
		if got := adaclient.IsHTTPURL(raw); got != want {
			t.Errorf("IsHTTPURL(%q) = %v, want %v", raw, got, want)
		}
	}
}
