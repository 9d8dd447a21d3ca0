package adasim

import (
	"fmt"
	"net/http"
	"strconv"
)

// apiError is a failed request, written as Ada's error body:
// {"errors":[{"type":"...","message":"...","details":...}]} (ada-api.md section 0).
type apiError struct {
	status     int
	errType    string
	message    string
	details    any // omitted when nil
	retryAfter int // seconds, for 429
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.errType, e.message) }

type errorItem struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

type errorsBody struct {
	Errors []errorItem `json:"errors"`
}

func (e *apiError) body() errorsBody {
	return errorsBody{Errors: []errorItem{{Type: e.errType, Message: e.message, Details: e.details}}}
}

func (e *apiError) header(h http.Header) {
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if e.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="ada"`)
	}
}

// badRequest: the request as a whole is malformed (unparseable JSON, a bad query parameter).
func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, errType: "bad_request", message: fmt.Sprintf(format, args...)}
}

// invalidField: one field of an otherwise well-formed request is invalid; details names it.
func invalidField(field, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, errType: "validation_error", message: fmt.Sprintf(format, args...), details: field}
}

func unauthorized() *apiError {
	return &apiError{status: http.StatusUnauthorized, errType: "unauthorized", message: "Missing or invalid API key: send \"Authorization: Bearer <api key>\"."}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, errType: "not_found", message: fmt.Sprintf(format, args...)}
}

func methodNotAllowed(method, path string) *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, errType: "method_not_allowed", message: fmt.Sprintf("%s is not supported on %s", method, path)}
}

func conflict(format string, args ...any) *apiError {
	return &apiError{status: http.StatusConflict, errType: "conflict", message: fmt.Sprintf(format, args...)}
}

func unprocessable(format string, args ...any) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, errType: "unprocessable_entity", message: fmt.Sprintf(format, args...)}
}

func tooManyRequests(retryAfter int, format string, args ...any) *apiError {
	return &apiError{status: http.StatusTooManyRequests, errType: "too_many_requests", message: fmt.Sprintf(format, args...), retryAfter: retryAfter}
}

func contentTooLarge() *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, errType: "content_too_large", message: "The request body exceeds the maximum size of 10 MB."}
}
