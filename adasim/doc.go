// Package adasim is an in-memory simulator of Ada's v2 Platform API (ada.cx): the End Users,
// Channels and Conversations endpoints, served as an [http.Handler] under the base path /api,
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
//   - Optionally, Ada's per-instance rate limits with 429 + Retry-After and X-RateLimit-* headers.
//
// # Assumptions (behaviour Ada does not document; chosen here and marked in the code)
//
//   - PATCH profile.metadata merges keys into the existing metadata, a null value deletes a key,
//     and metadata: null clears it; the 10 KB limit applies to the result. The same merge rules
//     apply to sensitive_metadata.fields. (ada-api.md: "merge vs replace is not stated".)
//   - external_id is returned as the caller last spelled it, and matched case-insensitively.
//   - KB means 1024 bytes, measured on the JSON encoding of the metadata object.
//   - A cursor stays valid after its record is deleted; an unknown cursor is 400. limit outside
//     1-100 is 400 on every list.
//   - The AI Agent is a deterministic stand-in: it greets with the end user's first_name and
//     language (en, fr, es, pt, de; en otherwise), quotes each end-user message back, hands off
//     when a message contains the word "human", "agent" or "person", stays silent during a
//     handoff, says it is back after end-handoff, and posts a CSAT link message when a
//     conversation ends. Handoff is decided when the message is received.
//   - End is idempotent (200 again); ending drops the AI Agent's pending replies and any handoff;
//     posting to an ended conversation is 400; PATCH metadata on an ended conversation is allowed.
//   - The seeded native channel "Web Chat" renders markdown. Conversations on a native channel
//     are 400 (the Conversations API is for custom channels).
//   - Rate limits are counted per API (end users, conversations: 30/s and 300/min; channels:
//     Ada's default 10/s, 100/min, 10,000/day) in fixed windows of the simulator's clock;
//     X-RateLimit-* describe the per-minute window, X-RateLimit-Reset in Unix seconds.
//   - Authentication comes first: a request without the right key is 401 whatever its path.
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
//
// [Listen] serves a simulator on a TCP port (by default a free loopback one).
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
package adasim
