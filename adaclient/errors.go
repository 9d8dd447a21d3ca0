package adaclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
)

// APIError is one entry of Ada's error body:
// {"errors":[{"type":"...","message":"...","details":...}]}.
// Details is documented as a string but Ada also sends objects and arrays
// (bulk article upserts, validation errors), so it is kept as raw JSON.
type APIError struct {
	Type    string          `json:"type"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
}

// DetailsText renders Details for humans: a JSON string unquoted, anything
// else as compact JSON, null or absent as "".
func (e APIError) DetailsText() string {
	d := strings.TrimSpace(string(e.Details))
	if d == "" || d == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(e.Details, &s) == nil {
		return s
	}
	return reencode(e.Details)
}

// reencode writes JSON again from its values, so that an escape Ada
// chose ("\u0053ECRET" for "SECRET") is shown as the character it stands
// for: the redaction of error messages looks for secrets as Go writes
// them, and would miss one escaped otherwise.
func reencode(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers as Ada wrote them, not rounded through float64
	var v any
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if dec.Decode(&v) != nil || enc.Encode(v) != nil {
		return strings.TrimSpace(string(raw)) // not reached: raw was parsed as JSON
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// ErrorResponse is a non-2xx answer from Ada.
type ErrorResponse struct {
	StatusCode int
	Method     string
	// Path is the request path without query string or host, so the error
	// can be shown without leaking lookup values.
	Path   string
	Errors []APIError
	// RetryAfter is the server's Retry-After on a 429 or 503, zero if absent.
	RetryAfter time.Duration
	Rate       Rate
	// BodySnippet is a short, tag-free excerpt of a body that was not Ada's
	// JSON error shape (an HTML page from a proxy, say).
	BodySnippet string
}

func (e *ErrorResponse) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ada: %s %s: %s", e.Method, e.Path, statusLine(e.StatusCode))
	for i, ae := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(ae.Summary())
	}
	if len(e.Errors) == 0 && e.BodySnippet != "" {
		fmt.Fprintf(&b, ": %s", e.BodySnippet)
	}
	return b.String()
}

// Summary is "type: message (details)" with empty parts left out.
func (e APIError) Summary() string {
	s := e.Message
	if e.Type != "" {
		if s == "" {
			s = e.Type
		} else {
			s = e.Type + ": " + s
		}
	}
	if d := e.DetailsText(); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// Message returns Ada's first error message, or the HTTP status text.
func (e *ErrorResponse) Message() string {
	for _, ae := range e.Errors {
		if ae.Message != "" {
			return ae.Message
		}
	}
	if e.BodySnippet != "" {
		return e.BodySnippet
	}
	if text := http.StatusText(e.StatusCode); text != "" {
		return text
	}
	return "an unnamed HTTP status"
}

// statusLine is "404 Not Found", or "599" for a status without a name
// (never a bare code followed by nothing).
func statusLine(code int) string {
	if text := http.StatusText(code); text != "" {
		return strconv.Itoa(code) + " " + text
	}
	return strconv.Itoa(code)
}

// OutcomeUnknownError reports that a request which is not safe to repeat
// failed after it may have reached Ada (a 5xx, or a connection that broke
// after the request was written). It was not retried; whether Ada applied it
// is unknown, so the caller must check (e.g. list messages) before sending it
// again.
type OutcomeUnknownError struct {
	Method string
	Path   string
	Err    error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("ada: %s %s: outcome unknown, the request may have been applied: %v", e.Method, e.Path, e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// ValidationError is a request that Ada would reject, caught before sending.
// Reason never quotes the offending value: it may be sensitive.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason)
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// StatusCode returns the HTTP status of an *ErrorResponse found in err's
// chain, or 0.
func StatusCode(err error) int {
	var er *ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is Ada's 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsConflict reports whether err is Ada's 409.
func IsConflict(err error) bool { return StatusCode(err) == http.StatusConflict }

// IsDailyCap reports a 429 that asks to wait longer than Ada's per-second
// and per-minute limits ever do: a daily cap (100 new channels a day, say).
func IsDailyCap(err error) bool {
	var er *ErrorResponse
	return errors.As(err, &er) && er.StatusCode == http.StatusTooManyRequests && er.RetryAfter > time.Minute
}

// IsRateLimited reports whether err is Ada's 429 (after retries gave up) or
// a *RateLimitError (the rate budget did not send the request).
func IsRateLimited(err error) bool { return errors.Is(err, ErrRateLimited) }

// Is makes errors.Is(err, ErrRateLimited) true for Ada's 429.
func (e *ErrorResponse) Is(target error) bool {
	return target == ErrRateLimited && e.StatusCode == http.StatusTooManyRequests
}

// Compiled at first use: an error page is rare, a start is not.
var (
	tagRE    = lazyregexp.New(`<[^>]*>`)
	spacesRE = lazyregexp.New(`\s+`)
)

// snippet turns an arbitrary body (often an HTML error page) into a short
// single line. It is cut between words, never inside one: the body may echo
// the request, and half a key or token would pass the redaction of error
// messages, which recognises secrets only whole. A first word too long to
// fit is left out.
func snippet(body []byte) string {
	s := tagRE().ReplaceAllString(string(body), " ")
	s = strings.TrimSpace(spacesRE().ReplaceAllString(s, " "))
	const limit = 160
	if len(s) > limit {
		cut := max(0, strings.LastIndexByte(s[:limit+1], ' '))
		s = strings.TrimSpace(s[:cut]) + "…"
	}
	return s
}

// decodeErrorResponse builds the typed error for a non-2xx response.
func decodeErrorResponse(method, path string, status int, header http.Header, body []byte) *ErrorResponse {
	er := &ErrorResponse{StatusCode: status, Method: method, Path: path, Rate: parseRate(header)}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		er.RetryAfter, _ = parseRetryAfter(header.Get("Retry-After"), time.Now())
	}
	var parsed struct {
		Errors []APIError `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) == nil && len(parsed.Errors) > 0 {
		er.Errors = parsed.Errors
	} else if len(body) > 0 {
		er.BodySnippet = snippet(body)
	}
	return er
}
