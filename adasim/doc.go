// Package adasim is an in-memory simulator of Ada's v2 Platform API (ada.cx): the End Users,
// Channels, Conversations, Webhooks, Knowledge, Persona, Variables, Custom Instructions and
// Audit log endpoints, Data Export v2 and bulk end-user deletion, served as an [http.Handler]
// under the base path /api,
// so that a client's base URL is http://HOST/api just as Ada's is https://{handle}.ada.support/api.
//
// It is the project's independent witness of Ada's behaviour: it is written from Ada's
// documents (the developer guides, the pagination and errors pages, Ada's OpenAPI document and
// the project's notes in ada-api.md), never from a client's code, so that a misreading cannot
// hide in both. The HTTP client is tested against it, `ada-mcp --sandbox` serves it to
// newcomers without an Ada account, and scripted evaluations replay against it
// deterministically.
//
// # Documented behaviour it implements
//
//   - Bearer authentication on every request (401), Ada's error body
//     {"errors":[{"type","message","details"}]} on every error, 413 over 10 MB, 400 on
//     malformed JSON, exact trailing-slash spellings (404 otherwise, 405 for a method a known
//     path does not serve).
//   - End users: POST is 201 for a new end user and 200 (unchanged) for an already-mapped
//     external_id; external_id is 1-36 characters without < or >, unique and matched
//     case-insensitively; PATCH requires profile, sets or clears (null) external_id with 409 on
//     a conflict; profile.metadata values are string|boolean|integer, at most 10 KB (400);
//     sensitive_metadata is write-only (never returned) with at most 20 pairs, keys
//     [A-Za-z0-9_-]+, no overlap with metadata keys on create; end users created by POST and not
//     attached to a conversation within 24 hours are deleted; lookup by ?external_id returns one
//     end user or 404.
//   - Cursor pagination: limit and cursor (the id of a page's first record), with
//     meta.next_page_url an absolute URL, null on the last page.
//   - Channels: list by required type (custom|native) and optional modality; create a custom
//     channel (201, at most 100 per 24 h: 429); PATCH capabilities of a custom channel (native: 400).
//   - Conversations: create (201) on a custom channel, with a new blank end user when
//     end_user_id is omitted; metadata at most 4 KB, values string|boolean|integer|number;
//     PATCH metadata is additive and null removes a key; messages as end_user (author.id must be
//     the conversation's end user) or human_agent (display_name required), never ai_agent;
//     the AI Agent's replies are not in the POST response but appear in the message list; end
//     (status ended) and end-handoff (422 when not in a handoff).
//   - Attachments: POST .../attachments/ takes multipart/form-data with a "file" part of at most
//     50 MB (this route only: the 10 MB body limit does not apply) of an allowed type (TXT, LOG,
//     CSV, EML, PNG, SVG, JPEG, JPG, GIF, HEIF, HEIC, AVIF, WAV, M4A, MP3, MP4, M4V, MOV, MPEG,
//     MPG, ZIP, PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, Keynote, Pages, Numbers, by extension),
//     only while the conversation is in a handoff (else 400), and answers 201 {url, mime_type,
//     filename}; the URL serves the file for 7 days (see Sandbox endpoints).
//   - Email conversations: POST /v2/conversations/email/ (name, subject and reply_to required;
//     text at most 10 KB; reply_as, cc; metadata at most 4 KB) answers 200 {conversation_id};
//     the conversation is on Ada's native Email channel.
//   - Webhooks management: list (paginated like the other lists); create (201; url an absolute
//     http(s) URL, required; description "" by default; event_filters [] by default, meaning
//     every event, an unknown event type 400; enabled true by default); get; PATCH (only the
//     fields given); DELETE (204, no body); the signing secret (GET .../secret/:
//     {"key": "whsec_..."}); its rotation (POST .../secret/rotate/ with an optional custom key,
//     whsec_ and the base64 of 24 to 64 bytes; 200 {}: the new secret is not returned); the
//     event types (the six the simulator emits and v1.audit_log.emitted, which it never emits).
//     Ids are Svix endpoint ids (ep_ and 27 base62 characters), secrets whsec_ and the base64 of
//     24 bytes. Webhook delivery is described below.
//   - Knowledge: sources (list {data} without meta; create 200, id and name required, 409 for
//     an id taken; PATCH name, external_id and metadata, null clearing; DELETE 204, and the
//     source and its articles are deleted in the background, the source listed with status
//     deleting meanwhile, null otherwise); articles (bulk upsert by id answering [{success,
//     created, id}], knowledge_source_id must name an existing source, an article at most 100
//     KB, availability_rules attached or replaced by an object, detached by null, unchanged
//     when left out, with Ada's rule shape and 1000-condition limit; the article limit,
//     Options.KnowledgeArticleLimit or 50,000, rejecting a whole batch that adds an id with
//     Ada's 400 "Maximum article limit of N exceeded" and details code, new_article_ids (first
//     100) and new_article_count, update-only batches passing; list with the array filters id,
//     enabled, language, knowledge_source_id, tag_ids and cursor pagination; get; DELETE by id
//     204; DELETE by filters 204 in the background, 404 when none matches); tags (list {data};
//     bulk upsert; DELETE 204). POST /v2/knowledge/sources and /v2/knowledge/bulk/articles
//     also work without the trailing slash, as Ada's demo code sends them.
//   - Persona: GET, and PATCH of only the fields given (null clears the nullable ones); a field
//     that is not the persona's, or a value of the wrong type, is 400 and nothing changes.
//   - Variables: a fixed set; the list (not paginated) and GET leave out the reserved and
//     internal ones (404).
//   - Custom instructions: list ordered by id (paginated), create (201; disabled unless enabled;
//     notes and availability_rules null when not set), get, PATCH of only the fields given
//     (notes "" blanks, availability_rules null clears), DELETE (204); 409 for a title another
//     instruction has, or for enabling one past Options.EnabledInstructionLimit (default 20);
//     a rule naming an unknown variable, or malformed, is 400.
//   - Audit log: GET /v2/analytics/audit-log/events/ lists the simulator's own writes of
//     the kinds Ada records (see audit.go), newest first, for start_date to end_date (default now) of at most
//     30 days; next_page_url carries the resolved window and an opaque base64 cursor, and a
//     window that changed between pages is 400; 404 with Options.AuditLogDisabled.
//   - Data Export v2 (GET /v2/export/conversations and /v2/export/messages; Ada's separate
//     Data Export document): the stored conversations and their visible messages rendered as
//     export records, in a window: conversations by created_since/created_to or
//     updated_since/updated_to (mutually exclusive, 400), messages by created_since/created_to
//     and an optional conversation_id; bounds ISO 8601 UTC ending in Z (400 otherwise), the
//     lower inclusive and the upper exclusive, the upper 7 days after the lower by default and
//     at most 60 days after it (400), the lower not older than 12 months by the simulator's
//     clock (400); page_size 100-10000, default 10000 (400 otherwise); sorted by the window's
//     time; {"data", "meta": {"next_page_uri"}}, next_page_uri an absolute URI of this request
//     with the lower bound advanced to the next page's first record and the upper bound written
//     out, null on the last page.
//   - Bulk end-user deletion (POST /v2/end-users/delete, GET /v2/jobs/{job_id}): 1-1000
//     identifiers of a documented type with a value (400 otherwise), a body of at most 512 KB
//     (413); 202 {job_id, status, submitted_count, created_at}; a client_reference returns its
//     job for 24 hours instead of a new one; each identifier's disposition decided at intake:
//     invalid (empty value, an email without @, variable_match without variable, variable on
//     another type), duplicate (already in the request), accepted (it matches end users:
//     email and external_id case-insensitively and trimmed, end_user_id and chatter_id exactly,
//     variable_match a profile metadata value written as text), else not_found (with a reason
//     for the id types); status queued, then one step per read: in_progress, then completed
//     (the accepted end users erased with their external_id, conversations and messages) or
//     failed (failure_reason identifier_in_cooldown, nothing erased) when an identifier was
//     submitted within the previous 7 days; 404 for an unknown job. Jobs go with the data:
//     Reset and a load clear them.
//   - Optionally, Ada's per-instance rate limits with 429 + Retry-After and X-RateLimit-* headers.
//
// # Assumptions (behaviour Ada does not document; chosen here and marked in the code)
//
//   - The AI Agent's messages announcing a handoff carry handoff_integration in their
//     v1.conversation.message webhook, like every message of the conversation until the
//     handoff ends: Ada documents it as null only for messages directed to the AI Agent.
//   - PATCH profile.metadata merges keys into the existing metadata, a null value deletes a key,
//     and metadata: null clears it; the 10 KB limit applies to the result. The same merge rules
//     apply to sensitive_metadata.fields. (ada-api.md: "merge vs replace is not stated".)
//   - external_id is returned as the caller last spelled it, and matched case-insensitively.
//   - KB means 1024 bytes, measured on the JSON encoding of the metadata object.
//   - A cursor stays valid after its record is deleted; an unknown cursor is 400. limit outside
//     1-100 is 400 on every list.
//   - The AI Agent (unless Options.Agent scripts it, see below) is a deterministic stand-in: it greets with the end user's first_name and
//     language (en, fr, es, pt, de; en otherwise), quotes each end-user message back, hands off
//     when a message contains the word "human", "agent" or "person", stays silent during a
//     handoff, says it is back after end-handoff, and posts a CSAT link message when a
//     conversation ends. Handoff is decided when the message is received.
//   - End is idempotent (200 again); ending drops the AI Agent's pending replies and any handoff;
//     posting to an ended conversation is 400; PATCH metadata on an ended conversation is allowed.
//   - The seeded native channel "Web Chat" renders markdown. Conversations on a native channel
//     are 400 (the Conversations API is for custom channels).
//   - Rate limits are counted per API (end users, conversations: 30/s and 300/min; channels,
//     and apart from them webhooks and the AI Agent's configuration: Ada's default 10/s,
//     100/min, 10,000/day; the audit log: 10/s, 120/min, 40,000/day) in fixed windows of the
//     simulator's clock;
//     X-RateLimit-* describe the per-minute window, X-RateLimit-Reset in Unix seconds.
//   - Authentication comes first: a request without the right key is 401 whatever its path.
//   - Data Export: chatter_id is the end user's id (the simulator's chatters are its end users);
//     language and metavariables are the end user's profile's; inquiry_summary is their first
//     text (280 characters); is_escalated means a human agent wrote or a handoff happened;
//     platform is "custom"; date_updated is the latest of updated_at and the last visible
//     message; sender and recipient are the Conversations API roles; message_data is the
//     message's content as the message list renders it. Fields the simulator has nothing for are
//     left out. A page never ends inside a group of records of the same time (the lower bound is
//     inclusive), so no record comes twice; a group larger than page_size comes whole. A window
//     reaching into the future is allowed. Rate limits count each export endpoint apart.
//   - Deletion: job ids look like the other ids; type is end_user_deletion; a client_reference
//     returns its job whatever the identifiers of the repeat; status moves on reads, never on
//     time; partial and exceeds_limit are never produced; erasure emits no webhook. GET and PATCH
//     of /v2/end-users/delete are the end user item path (an end user with the id "delete").
//   - Webhooks: null is refused (400) for every field of a request; other unknown fields are
//     ignored; event_filters keeps the first of repeated names. A PATCH that changes nothing
//     keeps updated_at; a rotation does not change updated_at. A custom key is standard base64
//     (padded).
//   - Knowledge: an asynchronous deletion (a source, or articles by filter) shows in the first
//     list of sources, articles or tags after it was accepted (the source with status deleting,
//     the articles still there) and is done once that list is answered. A source's metadata is
//     replaced by PATCH, not merged; any JSON object is accepted as metadata. An article's
//     language is sent as BCP 47 and reported as Ada's ISO 639-1 list: the code itself when
//     listed (zh-TW is zh-tw), else its primary subtag (pt-BR is pt), else 400; the language
//     filter reads codes alike. An update leaves the optional fields it omits unchanged, not
//     only availability_rules. tag_ids must name existing tags, and deleting a tag takes it off
//     every article. Filters combine with AND, the values of one filter with OR, tag_ids
//     matching an article that has any of them; no filter matches every article. A bulk
//     upsert's invalid batch is a 400 validation_error whose details list every problem as
//     {parameter ("$[1].knowledge_source_id"), location ("body"), message}, the shape a
//     third-party capture shows; the article-limit 400 is bad_request. A batch is one state
//     change (one tick of the logical clock); an update that changes nothing keeps updated;
//     upserting into a source sets its last_sync. Ada answers each item with a success flag
//     without saying when it is false: the simulator answers false only for the ids of
//     Options.KnowledgeUpsertFailures (not written; the rest of the batch is). The variables
//     of availability rules are not checked (the simulator has no Variables API). Sources and
//     tags count in Ada's default rate budget, the article endpoints (the bulk upsert
//     included) in one of their own without a daily cap. The knowledge base is not part of a
//     State: a load keeps it, Reset empties it.
//   - Custom instructions: titles are unique case-insensitively; ids are shaped like MongoDB
//     ObjectIds (creation second, a fixed random part, a counter) so that id order is creation
//     order; a list cursor is an id, and one whose record was deleted continues at the next id.
//     An availability rule is malformed when it has no v("name") lookup or unbalanced quotes or
//     parentheses; rules may only name the variables the API shows. The persona's
//     default_timezone only has to be non-empty.
//   - Audit log: limit is 1-100 (default 50); the writes Ada's coverage list names are recorded
//     (knowledge sources and articles, custom instructions; see audit.go), with the sandbox's
//     API key as actor and no IP or user agent; v1.audit_log.emitted is not emitted; the log keeps the newest 10,000 events.
//   - Attachments: a file over 50 MB is 413 (the Errors page's status for a payload over a size
//     limit; the operation lists only 400), an empty file or one without a file name 400. The
//     MIME type is the part's Content-Type, or the extension's when the part has none (or
//     application/octet-stream). Files are kept in memory, at most 64 MB in all: beyond, the
//     oldest are dropped and their URLs answer 404, as do URLs older than 7 days. A load keeps
//     them (they are not part of a State); Reset drops them.
//   - Email conversations: Ada's native Email channel ("Email", modality email) is created the
//     first time it is needed, never seeded, so the seeded ids stay those of earlier versions.
//     The end user is the first created whose profile email is reply_to (case-insensitively),
//     else a new one with that email and name as display_name. The inquiry (text, or the
//     subject without text) is the end user's first message, answered by the AI Agent as on any
//     channel (no greeting). reply_as must be empty (Ada's default address) or an address on
//     @sandbox.ada.support, which stands for the domains configured through Bring Your Own
//     Domain: another valid address is 422. cc addresses are checked, not kept; metadata is the
//     conversation's. A State may hold conversations on the native Email channel.
//   - Error types are snake_case: bad_request (malformed request), validation_error (a field,
//     named in details), unauthorized, not_found, method_not_allowed, conflict,
//     unprocessable_entity, too_many_requests, content_too_large.
//
// # Sandbox endpoints
//
// Beside the API, outside /api because they are not Ada's, the simulator serves its own
// endpoints for scripted evaluations and `ada-mcp sandbox`: same Bearer authentication (401),
// Ada's error body, 405 with Allow for another method, logged like any request (never the
// body), not rate-limited, no webhook events.
//
//   - GET /_sandbox/state: 200 and the whole state ([State]): end users, channels and
//     conversations exactly as the API renders them, in creation order, plus each end user's
//     sensitive_metadata key names (never the values), each conversation's handoff flag and
//     its visible messages.
//   - PUT /_sandbox/state: the body (a dump, or a hand-written fixture; at most 32 MiB, 413
//     beyond) replaces the whole state as [Sim.LoadState] does; 200 and the new state, or 400
//     whose message and details name the JSON path at fault, the state unchanged.
//   - POST /_sandbox/reset: [Sim.Reset]; 200 and the new state.
//   - GET /_sandbox/attachments/{id}/{filename}: an uploaded file, as Ada's presigned URL serves
//     it: without authentication (the one sandbox endpoint that needs none), as a download
//     (Content-Disposition: attachment, nosniff, a sandboxing CSP), 404 once dropped or expired.
//
// [Listen] serves a simulator on a TCP port (by default a free loopback one).
//
// # Webhook delivery
//
// Every event the simulator emits (the Event* types) is delivered, as Svix delivers Ada's
// webhooks, to every enabled endpoint whose event_filters is empty or holds its type, as the
// endpoints are when the event is emitted. Endpoints come from POST /v2/webhooks/ and from
// [Options].Webhooks, which are registered at start and again by every Reset.
//
//   - The request is a POST of the envelope {"type", "timestamp", "data", "tags"}: timestamp is
//     the event's time (the simulator's clock) with milliseconds, in UTC without a zone, as
//     Ada writes it ("2026-01-01T00:00:02.000"); data is what [Event].Data marshals to; tags,
//     on end-user events only, is [the end user's id], as Ada tags them by default.
//   - Headers: svix-id (msg_ and 27 base62 characters; one per event, the same for every
//     endpoint and every attempt), svix-timestamp (Unix seconds of real time at the attempt,
//     even under the logical clock: receivers reject signatures more than 5 minutes off),
//     svix-signature ("v1," and the base64 of HMAC-SHA256 of "{svix-id}.{svix-timestamp}.{body}"
//     keyed with the base64-decoded part of the secret after whsec_), Content-Type
//     application/json and a User-Agent like Svix's. After a rotation, for
//     Options.WebhookRotationOverlap (24 hours by default, as Svix), every delivery is signed
//     with the new and the previous secret: "v1,<new> v1,<old>".
//   - A 2xx answer within 15 s (Ada's limit) delivers the message. Anything else (another
//     status, a 3xx included: redirects are not followed; a transport error; a timeout) is a
//     failed attempt, retried after each delay of Options.WebhookRetrySchedule in turn (by
//     default Ada's: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); after the last the
//     message is dropped. Ada's automatic disabling of an endpoint that fails for a week, tags,
//     channel filtering and message replay are not simulated.
//   - Delivery is asynchronous: it never holds up a request. Each endpoint has one goroutine
//     and one queue, so it gets the events in the order they were emitted; a message being
//     retried holds back the next ones of its endpoint, not another endpoint's. A PATCH applies
//     to queued messages (a new url is used; disabling drops them); DELETE, Reset and Close drop
//     them (Close ends every delivery goroutine before it returns).
//   - Ada (Svix) delivers at least once: a receiver must deduplicate on svix-id. With
//     Options.WebhookDuplicateEvery = N, every Nth message of an endpoint is sent twice in a row
//     (same svix-id and body), deterministically, so that deduplication can be tested.
//   - [Sim.WebhookStats] counts, per endpoint, the messages delivered, the failed attempts,
//     the messages dropped and the duplicates sent. Options.OnEvent is called for every event
//     whatever the endpoints.
//   - Webhook endpoints are not part of a [State]: a dump does not list them, a load
//     (LoadState, PUT /_sandbox/state) keeps them, Reset brings back Options.Webhooks (with the
//     same ids and secrets) and nothing else.
//
// # Scripted AI Agent
//
// [Options].Agent replaces the built-in answers with a script, for evaluations that control
// what the AI Agent says. A script file ([ReadAgentScript], [ParseAgentScript]) is strict JSON
// (an unknown field is an error; errors name the rule and field, e.g. rules[1].match):
//
//	{
//	  "rules": [
//	    {"match": "(?i)\\brefund\\b", "replies": ["I can help with refunds.", "What is your order number?"]},
//	    {"match": "(?i)talk to sales", "replies": ["Connecting you to our sales team."], "handoff": true},
//	    {"match": "^lawyer$", "handoff": true}
//	  ]
//	}
//
// Each end-user text message is answered so:
//
//   - match is a Go regular expression (RE2 syntax), required, searched in the text of each
//     end-user text message: unanchored and case-sensitive unless it says otherwise.
//   - The first rule that matches answers with its replies, in order, each a separate AI Agent
//     message (and v1.conversation.message event): the first after ReplyDelay, each next one
//     Options.ReplyGap later (100 ms by default); all at once when ReplyDelay is 0.
//   - handoff: true hands the conversation to a human agent after the replies, exactly as the
//     built-in handoff: decided when the message is received, the AI Agent silent until
//     end-handoff, then back. A handoff rule may have no replies: then the AI Agent says the
//     built-in handoff announcement, in the end user's language. Any other rule needs a reply;
//     a reply must not be blank.
//   - When no rule matches, and for file messages, the built-in AI Agent answers (the canned
//     answer, the handoff words). The greeting, the return after end-handoff and the CSAT link
//     stay built-in. Replies are allocated on receipt, so a script is deterministic too.
//   - "greeting": false beside "rules" is an AI Agent set up without a greeting: a new
//     conversation starts with no message.
//
// # Determinism
//
// Ids are 24 hex digits drawn from a generator seeded by [Options].Seed, in request order.
// With [Options].Deterministic and no Clock, time is a logical clock that starts at
// 2026-01-01T00:00:00Z and advances one second per state change, so the same requests in the
// same order produce byte-identical responses. The AI Agent's reply is allocated (id and time)
// when the end-user message is received, so a ReplyDelay changes only when it becomes visible.
// Loading a state (Options.State, LoadState, PUT /_sandbox/state) and Reset start ids and the
// clock over, so the same Options and State, then the same requests, give the same answers;
// after a load the logical clock continues past the latest time loaded.
//
// Webhook endpoint ids, secrets and message ids, custom instruction ids and audit event ids come
// from generators of their own, seeded by Options.Seed, so webhooks, custom instructions and the
// audit log never change the other APIs' ids; the endpoints of Options.Webhooks are
// registered without ticking the logical clock (their created_at is the start), so they change
// no answer of the API either. Reset restarts those generators; a load does not.
package adasim
