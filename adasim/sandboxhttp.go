package adasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
)

// The sandbox's own endpoints, beside the API rather than under /api: they are not Ada's. Same
// authentication and error body as the API; no rate limit; no webhook events.

const sandboxPrefix = "/_sandbox/"

// maxStateBytes bounds the body of PUT /_sandbox/state (413 beyond).
const maxStateBytes = 32 << 20

var sandboxRoutes = sync.OnceValue(func() map[string]map[string]handler {
	return map[string]map[string]handler{
		"/_sandbox/state": {http.MethodGet: (*Sim).getState, http.MethodPut: (*Sim).putState},
		"/_sandbox/reset": {http.MethodPost: (*Sim).postReset},
	}
})

func (s *Sim) serveSandbox(w http.ResponseWriter, r *http.Request) int {
	methods, ok := sandboxRoutes()[r.URL.Path]
	if !ok {
		return writeError(w, notFound("No such path: %s.", r.URL.Path))
	}
	h, ok := methods[r.Method]
	if !ok {
		return notAllowed(w, r, methods)
	}
	status, body, err := h(s, &call{w: w, r: r})
	if err != nil {
		return writeError(w, err)
	}
	writeJSON(w, status, body)
	return status
}

// getState is GET /_sandbox/state: the whole state.
func (s *Sim) getState(*call) (int, any, *apiError) { return http.StatusOK, s.State(), nil }

// putState is PUT /_sandbox/state: the body replaces the whole state (LoadState); 200 and the
// new state, or 400 naming the JSON path at fault with the state unchanged.
func (s *Sim) putState(c *call) (int, any, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxStateBytes))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return 0, nil, &apiError{status: http.StatusRequestEntityTooLarge, errType: "content_too_large",
				message: "The state exceeds the maximum size of 32 MiB."}
		}
		return 0, nil, badRequest("The request body could not be read.")
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || isNull(trimmed) {
		return 0, nil, badRequest("The request body is required: a state as GET /_sandbox/state returns it.")
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return 0, nil, stateAPIError(err)
	}
	fresh, err := s.build(&st)
	if err != nil {
		return 0, nil, stateAPIError(err)
	}
	var dump State
	s.install(fresh, false, &dump)
	return http.StatusOK, dump, nil
}

// postReset is POST /_sandbox/reset: Reset, then 200 and the new state.
func (s *Sim) postReset(*call) (int, any, *apiError) {
	var dump State
	s.reset(&dump)
	return http.StatusOK, dump, nil
}

// stateAPIError is a decoding or loading error as Ada's error body: a validation_error whose
// details are the JSON path. A syntax error gives only its offset: the text around it may be a
// sensitive value.
func stateAPIError(err error) *apiError {
	if se, ok := errors.AsType[*stateError](err); ok && se.path != "" {
		return invalidField(se.path, "%s", se.Error())
	}
	if se, ok := errors.AsType[*stateError](err); ok {
		return badRequest("%s", se.msg)
	}
	if syntax, ok := errors.AsType[*json.SyntaxError](err); ok {
		return badRequest("The request body is not valid JSON (error at byte %d).", syntax.Offset)
	}
	return badRequest("The request body is not a valid state.")
}
