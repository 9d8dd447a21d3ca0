package tools

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/time/rate"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// Resource URI templates: a conversation with its messages, and an end
// user, both redacted like tool results.
const (
	conversationURITemplate = "ada://conversations/{conversation_id}"
	endUserURITemplate      = "ada://end-users/{end_user_id}"
	conversationURIPrefix   = "ada://conversations/"
	endUserURIPrefix        = "ada://end-users/"
)

// Bounds of the resources.
const (
	// resourceMessagePages bounds the messages a conversation resource
	// holds: five pages of 100, the newest first dropped past it.
	resourceMessagePages = 5
	// maxWatches bounds the conversations watched for subscribers.
	maxWatches = 1000
)

// How watched conversations are polled when the server receives no events
// (variables for the tests).
var (
	// watchPollInterval is how often a watched conversation is polled.
	watchPollInterval = 5 * time.Second
	// watchPollRate bounds the polls of all watches together: with more
	// than five watched conversations each is polled less often than every
	// watchPollInterval. (Ada's budget for conversations is 30/s and 300/min.)
	watchPollRate = rate.Limit(1)
	// watchLogRetry is how long a subscription polls after the event log
	// failed before it tries the log again.
	watchLogRetry = 5 * time.Second
)

// resources serves the resource templates and their subscriptions: a
// client subscribed to a conversation gets notifications/resources/updated
// when a message arrives (by event when the server has them, else by a
// poll every few seconds). Older clients subscribe per session with
// resources/subscribe; 2026-07-28 clients name the URIs in a
// subscriptions/listen stream, subscribed while it lasts.
type resources struct {
	deps *Deps
	srv  *server.MCPServer
	// templates are those registered, for hideUnknownURIs.
	templates []*mcp.URITemplate
	// conversations: the conversation template is served, so its URIs
	// may be watched (a server without it must not poll Ada for them).
	conversations bool

	mu      sync.Mutex
	watches map[watchKey]*watch // a conversation of an account → its subscribers
	// polls paces the polls of all watches together (watchPollRate), so
	// that subscriptions, however many, leave Ada's rate budget to the tools.
	polls *rate.Limiter
	// pollEvery and logRetry are watchPollInterval and watchLogRetry,
	// read once (the tests change them).
	pollEvery, logRetry time.Duration
}

// watchKey is a conversation URI as one Ada account (Deps.account) sees
// it: tenants that name the same URI are watched apart, each with its own
// key, so none hears of another's conversation.
type watchKey struct {
	account string
	uri     string
}

type watch struct {
	subs map[string]subscriber // by sessionKey
	stop context.CancelFunc
}

// subscriber is where a notification goes: a session, and for a listen
// stream the id that tags the stream's messages.
type subscriber struct {
	session server.ClientSession
	listen  any // the subscriptions/listen request id; nil for resources/subscribe
}

// sessionKey identifies a subscriber: a session id, or for a listen
// stream (whose session is made for the request) the session itself.
func sessionKey(s server.ClientSession, listen bool) string {
	if listen || s.SessionID() == "" {
		return fmt.Sprintf("listen:%p", s)
	}
	return s.SessionID()
}

func newResources(deps *Deps) *resources {
	return &resources{deps: deps, watches: map[watchKey]*watch{}, polls: rate.NewLimiter(watchPollRate, 1), pollEvery: watchPollInterval, logRetry: watchLogRetry}
}

// hooks track subscriptions and forget those of ended sessions and
// streams, and keep a URI no template matches out of mcp-go's error.
func (r *resources) hooks() *server.Hooks {
	h := &server.Hooks{}
	h.AddBeforeReadResource(r.hideUnknownURIs)
	h.AddAfterSubscribe(func(ctx context.Context, _ any, req *mcp.SubscribeRequest, _ *mcp.EmptyResult) {
		if s := server.ClientSessionFromContext(ctx); s != nil && s.SessionID() != "" {
			r.subscribe(ctx, req.Params.URI, subscriber{session: s})
		}
	})
	h.AddAfterUnsubscribe(func(ctx context.Context, _ any, req *mcp.UnsubscribeRequest, _ *mcp.EmptyResult) {
		if s := server.ClientSessionFromContext(ctx); s != nil {
			r.unsubscribe(r.key(ctx, req.Params.URI), sessionKey(s, false))
		}
	})
	h.AddBeforeSubscriptionsListen(func(ctx context.Context, id any, req *mcp.SubscriptionsListenRequest) {
		s := server.ClientSessionFromContext(ctx)
		if s == nil {
			return
		}
		for _, uri := range req.Params.Notifications.ResourceSubscriptions {
			r.subscribe(ctx, uri, subscriber{session: s, listen: id})
		}
	})
	h.AddAfterSubscriptionsListen(func(ctx context.Context, _ any, req *mcp.SubscriptionsListenRequest, _ *mcp.SubscriptionsListenResult) {
		if s := server.ClientSessionFromContext(ctx); s != nil {
			for _, uri := range req.Params.Notifications.ResourceSubscriptions {
				r.unsubscribe(r.key(ctx, uri), sessionKey(s, true))
			}
		}
	})
	h.AddOnUnregisterSession(func(_ context.Context, s server.ClientSession) {
		r.mu.Lock()
		var keys []watchKey
		for k, w := range r.watches {
			if _, ok := w.subs[sessionKey(s, false)]; ok {
				keys = append(keys, k)
			}
		}
		r.mu.Unlock()
		for _, k := range keys {
			r.unsubscribe(k, sessionKey(s, false))
		}
	})
	return h
}

// register adds the templates of the enabled toolsets.
func (r *resources) register(s *server.MCPServer, enabled map[string]bool) {
	r.srv = s
	add := func(t mcp.ResourceTemplate, h server.ResourceTemplateHandlerFunc) {
		r.templates = append(r.templates, t.URITemplate)
		s.AddResourceTemplate(t, r.redactErrors(h))
	}
	if enabled[toolsetConversations] {
		r.conversations = true
		add(mcp.NewResourceTemplate(conversationURITemplate, "conversation",
			mcp.WithTemplateTitle("Ada conversation"),
			mcp.WithTemplateDescription("A conversation with its messages, oldest first (at most 500). Subscribe to be told when a message arrives."),
			mcp.WithTemplateMIMEType("application/json")), r.byID(conversationURIPrefix, r.readConversation))
	}
	if enabled[toolsetEndUsers] {
		add(mcp.NewResourceTemplate(endUserURITemplate, "end-user",
			mcp.WithTemplateTitle("Ada end user"),
			mcp.WithTemplateDescription("An end user's profile (sensitive_metadata is never shown)."),
			mcp.WithTemplateMIMEType("application/json")), r.byID(endUserURIPrefix, readEndUser))
	}
}

func idFrom(uri, prefix string) (string, error) {
	raw, ok := strings.CutPrefix(uri, prefix)
	if !ok || raw == "" || strings.ContainsAny(raw, "/?#") {
		return "", fmt.Errorf("the URI is not of the form %s{id}", prefix)
	}
	// An id is percent-encoded in a URI (RFC 6570 {id}); the client
	// encodes it again for Ada's path.
	id, err := url.PathUnescape(raw)
	if err != nil || id == "" {
		return "", fmt.Errorf("the URI's id is not percent-encoded correctly: %s{id}", prefix)
	}
	return id, nil
}

// byID serves the template of prefix{id}: read gets the id from the URI
// and the call's Ada client and deadline; its value is the resource's JSON,
// its error Ada's failure in words (redacted by redactErrors).
func (r *resources) byID(prefix string, read func(ctx context.Context, client *adaclient.Client, id string) (any, error)) server.ResourceTemplateHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id, err := idFrom(req.Params.URI, prefix)
		if err != nil {
			return nil, err
		}
		client, err := r.deps.client(ctx)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, r.deps.callTimeout())
		defer cancel()
		v, err := read(ctx, client, id)
		if err != nil {
			return nil, errors.New(describe(err))
		}
		return r.contents(req.Params.URI, v, r.deps.callRedactor(ctx))
	}
}

func (r *resources) readConversation(ctx context.Context, client *adaclient.Client, id string) (any, error) {
	cv, _, err := client.Conversations.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := schemas.ConversationResource{Conversation: schemas.ConversationFrom(cv), Messages: []schemas.Message{}}
	out.Truncated, err = eachMessagePage(ctx, client, id, "", func(logs []adaclient.MessageLog, _ string) {
		for i := range logs {
			if logs[i].IsMessage() {
				out.Messages = append(out.Messages, schemas.MessageFromLog(&logs[i]))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachMessagePage reads a conversation's message list from cursor ("" for
// the start), at most resourceMessagePages pages of 100, handing page each
// one with the cursor that fetched it; more reports that pages are left.
func eachMessagePage(ctx context.Context, client *adaclient.Client, id, cursor string, page func(logs []adaclient.MessageLog, cursor string)) (more bool, err error) {
	for range resourceMessagePages {
		logs, resp, err := client.Conversations.ListMessages(ctx, id, &adaclient.ListOptions{Limit: 100, Cursor: cursor})
		if err != nil {
			return false, err
		}
		page(logs, cursor)
		if resp.NextCursor == "" {
			return false, nil
		}
		cursor = resp.NextCursor
	}
	return true, nil
}

func readEndUser(ctx context.Context, client *adaclient.Client, id string) (any, error) {
	u, _, err := client.EndUsers.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return schemas.EndUserResource{EndUser: schemas.EndUserFrom(u)}, nil
}

// contents is v as the resource's JSON, redacted and stripped like a tool
// result. It is not fenced: a resource is JSON by its MIME type, and the
// host, not the model, decides to read it.
func (r *resources) contents(uri string, v any, red *redact.Redactor) ([]mcp.ResourceContents, error) {
	b, err := resultJSON(v, red)
	if err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: string(b)}}, nil
}

// subscribe starts watching a conversation for a subscriber, once per
// conversation whatever the number of subscribers.
func (r *resources) subscribe(ctx context.Context, uri string, sub subscriber) {
	id, err := idFrom(uri, conversationURIPrefix)
	if err != nil || !r.conversations {
		return // not a conversation served here: nothing changes under an end user's URI that we hear of
	}
	client, err := r.deps.client(ctx)
	if err != nil {
		return
	}
	wk, key := watchKey{r.deps.account(ctx), uri}, sessionKey(sub.session, sub.listen != nil)
	r.mu.Lock()
	defer r.mu.Unlock()
	if w := r.watches[wk]; w != nil {
		w.subs[key] = sub
		return
	}
	if len(r.watches) >= maxWatches {
		r.deps.logger().Warn("too many watched conversations: a subscription gets no updates", "limit", maxWatches)
		return
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.watches[wk] = &watch{subs: map[string]subscriber{key: sub}, stop: stop}
	go r.follow(wctx, wk, id, client)
}

// key is the watch of uri for the account of ctx's call.
func (r *resources) key(ctx context.Context, uri string) watchKey {
	return watchKey{r.deps.account(ctx), uri}
}

func (r *resources) unsubscribe(wk watchKey, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.watches[wk]
	if w == nil {
		return
	}
	delete(w.subs, key)
	if len(w.subs) == 0 {
		w.stop()
		delete(r.watches, wk)
	}
}

// follow notifies the subscribers of a conversation of each new message,
// from the event log when there is one and the account is the server's
// own (webhooks carry its conversations' events, not a tenant's), else by
// polling with the account's own key: a conversation it cannot read
// gives it no notification. When the event log fails (Redis is down), the
// watch polls for watchLogRetry, then tries the log again: it never just
// stops.
func (r *resources) follow(ctx context.Context, wk watchKey, id string, client *adaclient.Client) {
	log := r.deps.Events
	var seen pollState
	if log == nil || wk.account != "" {
		r.poll(ctx, wk, id, client, &seen, time.Time{})
		return
	}
	warned := false
	for {
		followed, err := followLog(ctx, log, id, func() { r.notify(wk) })
		if ctx.Err() != nil {
			return // the watch ended
		}
		if !warned {
			r.deps.logger().Warn("event log unavailable for a subscription; polling Ada until it is back", "uri", wk.uri, "error", err)
			warned = true
		}
		if followed {
			// It failed while following: a message may have come in
			// between (later ones, the polls see, from a fresh mark).
			r.notify(wk)
			seen = pollState{}
		}
		// The mark carries over from one segment of polls to the next:
		// with one poll a segment, a fresh mark each time never saw a change.
		if !r.poll(ctx, wk, id, client, &seen, time.Now().Add(r.logRetry)) {
			return
		}
	}
}

// followLog calls notify for each new message event of conversation id
// until ctx ends or the log fails; followed: it got as far as following.
func followLog(ctx context.Context, log events.Log, id string, notify func()) (followed bool, err error) {
	key := events.ConversationKey(id)
	cur, err := log.End(ctx, key)
	followed = err == nil
	for err == nil {
		var evs []events.Event
		if evs, cur, err = log.Next(ctx, key, cur); err == nil {
			if slices.ContainsFunc(evs, func(e events.Event) bool { return e.Type == events.TypeConversationMessage }) {
				notify()
			}
		}
	}
	return followed, err
}

// pollState is what the polls of a watch have seen so far.
type pollState struct {
	last pollMark
	set  bool // a poll has set last
}

// poll notifies when a poll of the message list finds it changed since
// seen, until until (the zero time: for as long as the watch lasts). It
// reports whether the watch goes on.
func (r *resources) poll(ctx context.Context, wk watchKey, id string, client *adaclient.Client, seen *pollState, until time.Time) bool {
	for until.IsZero() || time.Now().Before(until) {
		if err := r.polls.Wait(ctx); err != nil {
			return false // the watch ended
		}
		mark, err := pollEnd(ctx, client, id, seen.last)
		switch {
		case adaclient.IsNotFound(err):
			// No such conversation for this account: nothing will ever
			// change, and the polls would only spend Ada's budget.
			r.deps.logger().Info("subscription to a conversation Ada does not know: no longer watched", "uri", wk.uri)
			r.drop(wk)
			return false
		case err == nil:
			if seen.set && mark != seen.last {
				r.notify(wk)
			}
			*seen = pollState{last: mark, set: true}
		}
		t := time.NewTimer(r.pollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
	return true
}

// pollMark is where a conversation's message list ended at a poll: the
// cursor of its last page, that page's length and its last message.
type pollMark struct {
	cursor string
	n      int
	lastID string
}

// pollEnd reads the message list from the last page seen (from the start
// the first time) to its end, at most resourceMessagePages pages a poll:
// a new message changes the mark, however long the conversation (comparing
// the first page's length stopped at 100 messages).
func pollEnd(ctx context.Context, client *adaclient.Client, id string, from pollMark) (pollMark, error) {
	mark := from
	_, err := eachMessagePage(ctx, client, id, from.cursor, func(logs []adaclient.MessageLog, cursor string) {
		mark = pollMark{cursor: cursor, n: len(logs)}
		if len(logs) > 0 {
			mark.lastID = logs[len(logs)-1].MessageID
		}
	})
	if err != nil {
		return from, err
	}
	return mark, nil
}

// drop ends a watch and forgets its subscribers.
func (r *resources) drop(wk watchKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w := r.watches[wk]; w != nil {
		w.stop()
		delete(r.watches, wk)
	}
}

func (r *resources) notify(wk watchKey) {
	uri := wk.uri
	r.mu.Lock()
	var subs []subscriber
	if w := r.watches[wk]; w != nil {
		for _, sub := range w.subs {
			subs = append(subs, sub)
		}
	}
	r.mu.Unlock()
	for _, sub := range subs {
		params := map[string]any{"uri": uri}
		if sub.listen != nil {
			// Every message of a listen stream carries the stream's id.
			params["_meta"] = map[string]any{mcp.MetaKeySubscriptionID: sub.listen}
		}
		_ = r.srv.SendNotificationToClient(r.srv.WithContext(context.Background(), sub.session), mcp.MethodNotificationResourceUpdated, params)
	}
}
