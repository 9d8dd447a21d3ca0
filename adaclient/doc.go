// Package adaclient is a typed client for Ada's public v2 HTTP API
// (https://{handle}.ada.support/api), in the style of go-github: one service
// per API area, typed requests and responses, a typed *ErrorResponse carrying
// the status and Ada's error body, and a *Response carrying the next cursor and
// rate-limit headers.
//
// Everything about Ada's HTTP API lives here: base URL, authentication, the
// exact paths (trailing slashes differ per endpoint), pagination, errors,
// retries and local validation of Ada's documented limits. The package knows
// nothing about MCP.
//
// Retries: 429 responses and connection failures are retried with
// exponential backoff and full jitter, honouring Retry-After, never waiting
// past the request context's deadline. A request that is not safe to repeat
// (a POST that creates something, such as a message) is never retried once it
// may have reached Ada: a 5xx or a broken response then yields an
// *OutcomeUnknownError so the caller can check before sending again.
//
// Rate limits: with WithRateBudget every attempt first waits for its turn in
// its API group's budget (see GroupOf, LocalBudget), and each response's
// X-RateLimit-* headers and 429 Retry-After hold the group back until Ada's
// window resets. A turn that would come after the context's deadline is not
// waited for: the call fails at once with a *RateLimitError.
//
// Response types tolerate unknown fields and unknown enum values (Ada adds
// both without a new API version); enum-like fields are plain strings.
// Write-only fields (sensitive_metadata) exist only on request types.
// Numbers inside metadata maps decode as json.Number, so integers above
// 2^53 keep every digit.
package adaclient
