package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// internalError is a bug of ours (a result that cannot be encoded, say):
// the one failure that becomes a JSON-RPC error instead of an isError
// result.
type internalError struct{ err error }

func (e internalError) Error() string { return "internal error: " + e.err.Error() }
func (e internalError) Unwrap() error { return e.err }

// plainError is a complete message of a tool's own, shown as it is: an
// outcome the tool explains better than the generic mapping would.
type plainError interface {
	error
	plain()
}

// ownMessage is a tool's complete message for an error it understands
// better than the generic mapping (Ada's 422 on end-handoff, say); the
// error stays in the chain.
type ownMessage struct {
	msg string
	err error
}

func (e *ownMessage) Error() string { return e.msg }
func (e *ownMessage) Unwrap() error { return e.err }
func (e *ownMessage) plain()        {}

// plainf replaces err's message with the tool's own.
func plainf(err error, format string, args ...any) error {
	return &ownMessage{msg: fmt.Sprintf(format, args...), err: err}
}

// hinted adds what to do next to an error, for the cases where the handler
// knows better than the generic mapping (a 409 on external_id, say).
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

func withHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: fmt.Sprintf(format, args...)}
}

// cursorHint explains Ada's refusal of a list call that passed a cursor
// through: the usual cause is a cursor from another tool or listing.
func cursorHint(err error, args any) error {
	c, ok := args.(schemas.AdaCursor)
	if !ok || c.AdaCursor() == "" {
		return err
	}
	var h *hinted
	if status := adaclient.StatusCode(err); (status != http.StatusBadRequest && status != http.StatusUnprocessableEntity) || errors.As(err, &h) {
		return err
	}
	return withHint(err, "cursor must be a next_cursor this tool returned: leave it out to start from the first page.")
}

// hintIfUncertain adds hint only when Ada may or may not have applied the
// request: a definite rejection needs no advice about checking for a duplicate.
func hintIfUncertain(err error, hint string) error {
	var unknown *adaclient.OutcomeUnknownError
	if !errors.As(err, &unknown) {
		return err
	}
	return withHint(err, "%s", hint)
}

// errorResult maps an error, by kind, to the result an assistant sees. Every
// message goes through the redactor.
func errorResult(err error, red *redact.Redactor) (*mcp.CallToolResult, error) {
	var ie internalError
	if errors.As(err, &ie) {
		return nil, errors.New(red.String(ie.Error()))
	}
	msg := describe(err)
	var h *hinted
	if errors.As(err, &h) && h.hint != "" {
		msg += " " + h.hint
	}
	return mcp.NewToolResultError(cleanMessage(msg, red)), nil
}

// cleanMessage is an error message as it may leave the server: redacted,
// without invisible characters (it can quote what Ada echoed back), and
// redacted again if stripping joined something.
func cleanMessage(msg string, red *redact.Redactor) string {
	msg = red.String(msg)
	if !strings.ContainsFunc(msg, redact.Invisible) {
		return msg
	}
	msg, _ = redact.StripInvisibleString(msg)
	return red.String(msg)
}

func describe(err error) string {
	var (
		arg     *schemas.ArgumentError
		invalid *adaclient.ValidationError
		unknown *adaclient.OutcomeUnknownError
		ada     *adaclient.ErrorResponse
		budget  *adaclient.RateLimitError
	)
	var own plainError
	switch {
	case errors.As(err, &own):
		return strings.TrimSuffix(own.Error(), ".") + "."
	case errors.As(err, &arg):
		return fmt.Sprintf("Invalid argument %s: %s.", arg.Field, strings.TrimSuffix(arg.Reason, "."))
	case errors.As(err, &invalid):
		return fmt.Sprintf("Invalid %s: %s. Nothing was sent to Ada.", argumentField(invalid.Field), strings.TrimSuffix(invalid.Reason, "."))
	case errors.As(err, &unknown):
		return fmt.Sprintf("The request may or may not have been applied by Ada (%s). Check its effect before repeating it.", cause(unknown.Err))
	case errors.As(err, &budget):
		return fmt.Sprintf("Not sent: Ada's rate limit for %s requests would let this one go only in %d seconds, after this call's time limit. Retry in %d seconds.",
			strings.ReplaceAll(budget.Group, "_", " "), secondsUp(budget.RetryAfter), secondsUp(budget.RetryAfter))
	case errors.As(err, &ada):
		return describeAdaError(ada)
	case errors.Is(err, context.DeadlineExceeded):
		return "Timed out waiting for Ada. Try again; if it keeps happening Ada may be degraded."
	case errors.Is(err, context.Canceled):
		return "The call was cancelled."
	case errors.Is(err, errNoCredentials):
		return err.Error()
	}
	return fmt.Sprintf("Could not complete the request to Ada: %s.", strings.TrimSuffix(err.Error(), "."))
}

// cause is the short reason inside an OutcomeUnknownError.
func cause(err error) string {
	var ada *adaclient.ErrorResponse
	if errors.As(err, &ada) {
		return fmt.Sprintf("Ada answered %d: %s", ada.StatusCode, ada.Message())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the timeout"
	}
	return "the connection failed: " + err.Error()
}

func describeAdaError(e *adaclient.ErrorResponse) string {
	detail := adaDetail(e)
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "Ada rejected the API key (401). Check ADA_API_KEY and that it belongs to this AI Agent (ADA_BOT_HANDLE or ADA_BASE_URL)."
	case http.StatusForbidden:
		return fmt.Sprintf("Ada refused access (403)%s. The API key's organisation may not have this API.", detail)
	case http.StatusNotFound:
		return fmt.Sprintf("Not found (404)%s. Check the id.", detail)
	case http.StatusConflict:
		return fmt.Sprintf("Conflict (409)%s.", detail)
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("Too large for Ada (413)%s.", detail)
	case http.StatusTooManyRequests:
		// Ada's own message says which limit (a daily cap, say).
		if e.RetryAfter > 0 {
			return fmt.Sprintf("Ada's rate limit was reached (429)%s; retry in %d seconds.", detail, int(math.Ceil(e.RetryAfter.Seconds())))
		}
		return fmt.Sprintf("Ada's rate limit was reached (429)%s and retries ran out; wait a few seconds and retry.", detail)
	}
	if e.StatusCode >= 500 {
		return fmt.Sprintf("Ada had a server error (%d)%s. Try again shortly.", e.StatusCode, detail)
	}
	return fmt.Sprintf("Ada rejected the request (%d)%s.", e.StatusCode, detail)
}

// adaDetail is ": <type>: <message> (details)" from Ada's error body.
func adaDetail(e *adaclient.ErrorResponse) string {
	var parts []string
	for _, ae := range e.Errors {
		parts = append(parts, ae.Summary())
	}
	if len(parts) == 0 && e.BodySnippet != "" {
		parts = append(parts, e.BodySnippet)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.TrimSuffix(strings.Join(parts, "; "), ".")
}

// secondsUp is d in whole seconds, rounded up, at least 1.
func secondsUp(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// argumentField names a field the client refused (Ada's request body) as
// the tool's arguments do, where the two differ: sensitive_metadata is an
// argument of its own, sent as profile.sensitive_metadata.fields.
func argumentField(wire string) string {
	if rest, ok := strings.CutPrefix(wire, "profile.sensitive_metadata.fields"); ok {
		return "sensitive_metadata" + rest
	}
	if rest, ok := strings.CutPrefix(wire, "profile.sensitive_metadata"); ok {
		return "sensitive_metadata" + rest
	}
	return wire
}
