package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetWebhooks = "webhooks"

func webhookTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "list_webhooks", title: "List webhooks", toolset: toolsetWebhooks, hints: reads,
			description: "List the endpoints Ada sends events to (url, event_filters, enabled), one page at a time. Returns webhooks, next_cursor and has_more.",
		}, d, listWebhooks),
		newTool(meta{
			name: "create_webhook", title: "Create a webhook", toolset: toolsetWebhooks, hints: writes,
			description: "Register a URL to receive Ada's events, all or those in event_filters (names from list_webhook_event_types). Not idempotent: check list_webhooks first. Returns the webhook; its signing secret is never returned.",
		}, d, createWebhook),
		newTool(meta{
			name: "get_webhook", title: "Get a webhook", toolset: toolsetWebhooks, hints: reads,
			description: "Get one webhook by webhook_id: url, description, event_filters and enabled.",
		}, d, getWebhook),
		newTool(meta{
			name: "update_webhook", title: "Update a webhook", toolset: toolsetWebhooks, hints: idemWrites,
			description: "Change a webhook's url, description, event_filters ([] for every event) or enabled (false pauses deliveries); fields not given stay. Returns the webhook.",
		}, d, updateWebhook),
		newTool(meta{
			name: "delete_webhook", title: "Delete a webhook", toolset: toolsetWebhooks, hints: destroys,
			description: "Delete a webhook: Ada stops sending events to its URL. To pause deliveries instead, use update_webhook with enabled:false.",
		}, d, deleteWebhook),
		newTool(meta{
			name: "list_webhook_event_types", title: "List webhook event types", toolset: toolsetWebhooks, hints: reads,
			description: "List the event types a webhook can subscribe to: the names for event_filters, with what triggers each.",
		}, d, listWebhookEventTypes),
		newTool(meta{
			name: "rotate_webhook_secret", title: "Rotate a webhook's signing secret", toolset: toolsetWebhooks,
			// Destructive (the previous secret stops working), but not a
			// deletion: TOOLS.md's confirmation gate is for deletions.
			hints: hints{destructive: true}, noConfirm: true,
			description: "Replace a webhook's signing secret with a new one made by Ada. The secret is never returned: for this server's own webhook it is stored where configured (secret_written_to), else the note says how to get it. Not idempotent: each call retires the previous secret.",
		}, d, rotateWebhookSecret),
	}
}

func listWebhooks(ctx context.Context, env *Env, a *schemas.ListWebhooksArgs) (*schemas.ListWebhooksResult, error) {
	ws, r, err := env.Client.Webhooks.List(ctx, a.Options())
	if err != nil {
		return nil, err
	}
	return &schemas.ListWebhooksResult{Webhooks: schemas.WebhooksFrom(ws), Page: pageOf(r)}, nil
}

func createWebhook(ctx context.Context, env *Env, a *schemas.CreateWebhookArgs) (*schemas.WebhookResult, error) {
	w, _, err := env.Client.Webhooks.Create(ctx, a.Request())
	if adaclient.StatusCode(err) == http.StatusBadRequest {
		return nil, withHint(err, eventTypesHint)
	}
	if err != nil {
		return nil, hintIfUncertain(err, "Check list_webhooks before creating it again.")
	}
	return &schemas.WebhookResult{Webhook: schemas.WebhookFrom(w)}, nil
}

func getWebhook(ctx context.Context, env *Env, a *schemas.WebhookArgs) (*schemas.WebhookResult, error) {
	w, _, err := env.Client.Webhooks.Get(ctx, a.WebhookID)
	if err != nil {
		return nil, webhookNotFoundHint(err)
	}
	return &schemas.WebhookResult{Webhook: schemas.WebhookFrom(w)}, nil
}

func updateWebhook(ctx context.Context, env *Env, a *schemas.UpdateWebhookArgs) (*schemas.WebhookResult, error) {
	w, _, err := env.Client.Webhooks.Update(ctx, a.WebhookID, a.Request())
	if adaclient.StatusCode(err) == http.StatusBadRequest {
		return nil, withHint(err, eventTypesHint)
	}
	if err != nil {
		return nil, webhookNotFoundHint(err)
	}
	return &schemas.WebhookResult{Webhook: schemas.WebhookFrom(w)}, nil
}

func deleteWebhook(ctx context.Context, env *Env, a *schemas.WebhookArgs) (*schemas.DeleteWebhookResult, error) {
	_, err := env.Client.Webhooks.Delete(ctx, a.WebhookID)
	if adaclient.IsNotFound(err) {
		// A retried DELETE also ends here when an earlier attempt deleted it.
		return nil, withHint(err, "It may already be deleted: list_webhooks shows the webhooks that remain.")
	}
	if err != nil {
		return nil, err
	}
	return &schemas.DeleteWebhookResult{WebhookID: a.WebhookID, Deleted: true}, nil
}

func listWebhookEventTypes(ctx context.Context, env *Env, _ *schemas.ListWebhookEventTypesArgs) (*schemas.ListWebhookEventTypesResult, error) {
	ts, _, err := env.Client.Webhooks.EventTypes(ctx)
	if err != nil {
		return nil, err
	}
	return &schemas.ListWebhookEventTypesResult{EventTypes: schemas.WebhookEventTypesFrom(ts)}, nil
}

// eventTypesHint follows Ada's 400s on create and update: after our own
// checks, the usual cause is an unknown event type.
const eventTypesHint = "event_filters takes names from list_webhook_event_types."

func webhookNotFoundHint(err error) error {
	if adaclient.IsNotFound(err) {
		return withHint(err, "list_webhooks shows the webhooks.")
	}
	return err
}

// WebhookSecretStore keeps the signing secret of this server's own webhook,
// the one its receiver verifies deliveries with, after a rotation.
type WebhookSecretStore interface {
	// Holds reports whether webhook webhookID, whose current secret is
	// secret, is this server's own: secret is the one it verifies
	// deliveries with or keeps in its secret file, or the webhook was found
	// to be its own before (a rotation whose new secret could not be
	// stored leaves a secret it does not hold). An error: it cannot tell
	// (Redis does not answer), and nothing is rotated.
	Holds(ctx context.Context, webhookID, secret string) (bool, error)
	// Keep stores the new secret and says where it went.
	Keep(ctx context.Context, secret string) (where string, err error)
}

// RotationLocker, if a WebhookSecretStore has it, makes rotations one at a
// time across the replicas that share the store.
type RotationLocker interface {
	LockRotation(ctx context.Context) (unlock func(), err error)
}

// rotationLock makes this process's rotations one at a time: two at once
// could leave the store with the secret Ada replaced last.
type rotationLock struct {
	once sync.Once
	ch   chan struct{}
}

// lock waits for the lock until ctx ends.
func (l *rotationLock) lock(ctx context.Context) (unlock func(), err error) {
	l.once.Do(func() { l.ch = make(chan struct{}, 1) })
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lockRotation takes this process's lock, then the replicas' (the store's).
func (d *Deps) lockRotation(ctx context.Context) (unlock func(), err error) {
	local, err := d.rotations.lock(ctx)
	if err != nil {
		return nil, err
	}
	l, ok := d.WebhookSecrets.(RotationLocker)
	if !ok {
		return local, nil
	}
	shared, err := l.LockRotation(ctx)
	if err != nil {
		local()
		return nil, err
	}
	return func() { shared(); local() }, nil
}

// noSecretSinkNote is rotate_webhook_secret's note when the server has
// nowhere to store the new secret.
const noSecretSinkNote = "The new signing secret was not stored anywhere by this server: copy it from Ada's dashboard to the webhook's receiver, or start this server with --webhook-secret-file so it stores the next one."

// notOwnWebhookNote is its note when the webhook is another receiver's:
// its secret goes to that receiver, not into this server's file.
const notOwnWebhookNote = "This webhook is not this server's own (its previous secret is not the one this server verifies deliveries with or keeps in its secret file), so the new signing secret was not stored here: copy it from Ada's dashboard to that webhook's receiver."

// rotateWebhookSecret has Ada generate a new secret and, when the webhook
// is this server's own (its current secret is the one Deps.WebhookSecrets
// holds), reads the new one and keeps it there. Another webhook's secret
// is never written over this server's. A secret goes nowhere else: not
// into the result, and not into an error, whose text is scrubbed of it
// before it leaves.
func rotateWebhookSecret(ctx context.Context, env *Env, a *schemas.WebhookArgs) (*schemas.RotateWebhookSecretResult, error) {
	id := a.WebhookID
	store := env.Deps.WebhookSecrets
	// One rotation at a time: the secret read before is the one replaced.
	unlock, err := env.Deps.lockRotation(ctx)
	if err != nil {
		return nil, plainf(err, "another rotation of a webhook secret is under way and did not end in time (%s). Nothing was rotated: try again.", strings.TrimRight(describe(err), ". "))
	}
	defer unlock()
	own := false
	if store != nil {
		// Read before rotating: afterwards only the new secret is known.
		old, _, err := env.Client.Webhooks.Secret(ctx, id)
		if err != nil {
			return nil, withHint(webhookNotFoundHint(err), "Nothing was rotated.")
		}
		if own, err = store.Holds(ctx, id, old.Key); err != nil {
			// Rotating a webhook that may be this server's own without
			// storing its new secret would stop its deliveries.
			reason := env.redactor().With(old.Key).String(err.Error())
			return nil, plainf(err, "could not tell whether webhook %s is this server's own (%s). Nothing was rotated: try again once that is fixed.", id, strings.TrimRight(reason, ". "))
		}
	}
	if _, err := env.Client.Webhooks.RotateSecret(ctx, id, ""); err != nil {
		var unknown *adaclient.OutcomeUnknownError
		if errors.As(err, &unknown) {
			return nil, withHint(err, "If it was rotated, only Ada's dashboard shows the new secret; rotating again is safe.")
		}
		return nil, webhookNotFoundHint(err)
	}
	res := &schemas.RotateWebhookSecretResult{WebhookID: id, Rotated: true}
	switch {
	case store == nil:
		res.Note = noSecretSinkNote
		return res, nil
	case !own:
		res.Note = notOwnWebhookNote
		return res, nil
	}
	// The rotation is done: finish storing the secret even if the client
	// gives up on the call now, within a bound of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), env.Deps.callTimeout())
	defer cancel()
	sec, _, err := env.Client.Webhooks.Secret(ctx, id)
	if err != nil {
		return nil, &rotatedButNotStored{id: id, step: "reading the new secret from Ada failed", reason: describe(err)}
	}
	key := sec.Key // WebhookSecret redacts itself everywhere else
	if key == "" {
		return nil, &rotatedButNotStored{id: id, step: "Ada returned no secret to store"}
	}
	// newTool's redactor for this call cannot learn the secret, so every
	// text from here on is scrubbed of it here, before it leaves.
	red := env.redactor().With(key)
	where, err := store.Keep(ctx, key)
	if err != nil {
		return nil, &rotatedButNotStored{id: id, step: "storing the new secret failed", reason: red.String(err.Error())}
	}
	res.SecretWrittenTo = red.String(where)
	return res, nil
}

// rotatedButNotStored is a rotation that happened at Ada whose new secret
// this server could not read or store, so its receiver lacks it. Its
// text never holds the secret (the reason is scrubbed of it).
type rotatedButNotStored struct {
	id, step, reason string
}

func (e *rotatedButNotStored) plain() {}

func (e *rotatedButNotStored) Error() string {
	what := e.step
	if e.reason != "" {
		what += " (" + strings.TrimRight(e.reason, ". ") + ")"
	}
	return fmt.Sprintf("the signing secret of webhook %s was rotated at Ada, but %s. "+
		"Until the receiver has the new secret, deliveries signed with it fail verification: "+
		"fix the cause and call rotate_webhook_secret again, or copy the new secret from Ada's dashboard", e.id, what)
}
