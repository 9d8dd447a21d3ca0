// Package openapicheck validates HTTP exchanges with an Ada-like server against Ada's published
// OpenAPI document (testdata/ada-openapi/ada-knowledge-openapi.yml), using kin-openapi.
//
// It is a helper for tests: the Ada simulator's tests run whole scripted sessions through
// [Validator.Middleware], and other packages can check single exchanges with [Validator.Check]
// and webhook deliveries with [Validator.CheckWebhook] (the document's webhooks section).
// It is a normal package (not a _test file) so that any package's tests can import it.
//
// Ada's document is not fully consistent with itself or with Ada's docs. Where they disagree,
// this package follows the docs through a small set of named, narrow exceptions (see
// exceptions.go and [Exceptions]); every other check of the document stays on.
package openapicheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// BasePath is the prefix under which the document's paths are served. Ada's server URL is
// https://{handle}.ada.support/api, so /v2/end-users/ is requested as /api/v2/end-users/.
const BasePath = "/api"

// Kind says which part of an exchange broke the document.
type Kind string

const (
	// KindRoute: the method and path are not an operation of the document (for example the
	// wrong trailing-slash spelling, or an undeclared method).
	KindRoute Kind = "route"
	// KindRequest: the request does not match the operation's parameters or request body.
	KindRequest Kind = "request"
	// KindResponse: the response status, content type or body does not match the operation.
	KindResponse Kind = "response"
)

// Violation is one way an exchange disagrees with the document.
type Violation struct {
	Kind   Kind
	Method string
	Path   string // the request path as sent, including BasePath
	Status int    // the response status (0 for route and request violations)
	Err    error
}

func (v *Violation) Error() string {
	if v.Kind == KindResponse {
		return fmt.Sprintf("openapicheck: %s %s %s -> %d: %v", v.Kind, v.Method, v.Path, v.Status, v.Err)
	}
	return fmt.Sprintf("openapicheck: %s %s %s: %v", v.Kind, v.Method, v.Path, v.Err)
}

func (v *Violation) Unwrap() error { return v.Err }

// Exchange is one request and the response it got.
type Exchange struct {
	Request     *http.Request // its URL path includes BasePath; its Body is ignored
	RequestBody []byte
	Status      int
	Header      http.Header // the response header
	Body        []byte      // the response body
}

// Validator checks exchanges against one loaded document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// Load reads the OpenAPI document at path and prepares it for validation.
//
// The document does not validate as OpenAPI (component names with spaces, a duplicated
// operationId): Load tolerates exactly those known defects, by name, and fails on any other.
// It then applies the schema exceptions listed in exceptions.go, and fails if one of them no
// longer matches the document (a sign the document changed and the exception must be reviewed).
func Load(path string) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: load %s: %w", path, err)
	}
	if err := validateDocumentRelaxed(loader.Context, doc); err != nil {
		return nil, fmt.Errorf("openapicheck: %s: %w", path, err)
	}
	if err := applyDocumentExceptions(doc); err != nil {
		return nil, fmt.Errorf("openapicheck: %s: %w", path, err)
	}
	// The document's only server is https://example.ada.support/api; a relative server URL lets
	// the router match the same paths on any host (httptest servers, the sandbox).
	doc.Servers = openapi3.Servers{{URL: BasePath}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: router: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// validateDocumentRelaxed validates the whole document, collecting every error, and accepts only
// the defects ada-api.md lists for it: nine component names containing spaces, and operations
// sharing the operationId "list".
func validateDocumentRelaxed(ctx context.Context, doc *openapi3.T) error {
	err := doc.Validate(ctx, openapi3.EnableMultiError())
	if err == nil {
		return nil
	}
	var all openapi3.MultiError
	if !errors.As(err, &all) {
		all = openapi3.MultiError{err}
	}
	var unexpected []error
	for _, e := range all {
		if isKnownDocumentDefect(e) {
			continue
		}
		unexpected = append(unexpected, e)
	}
	if len(unexpected) > 0 {
		return fmt.Errorf("document has unexpected validation errors: %w", errors.Join(unexpected...))
	}
	return nil
}

func isKnownDocumentDefect(err error) bool {
	var component *openapi3.ComponentValidationError
	if errors.As(err, &component) {
		return component.Section == "schema" && strings.Contains(component.Name, " ") &&
			strings.Contains(component.Cause.Error(), "is not supported by OpenAPIv3 standard")
	}
	var duplicate *openapi3.DuplicateOperationIDError
	if errors.As(err, &duplicate) {
		return duplicate.OperationID == "list"
	}
	return false
}

// Middleware serves next and validates every request and its response, calling report once
// per violation (each a *Violation). report may be called from many goroutines at once.
func (v *Validator) Middleware(next http.Handler, report func(error)) http.Handler {
	return middleware(next, report, v.Check)
}

// middleware serves next and reports the violations check finds in every exchange.
func middleware(next http.Handler, report func(error), check func(context.Context, Exchange) []*Violation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			report(&Violation{Kind: KindRequest, Method: r.Method, Path: r.URL.Path, Err: fmt.Errorf("reading request body: %w", err)})
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		for _, violation := range check(r.Context(), Exchange{
			Request:     r,
			RequestBody: body,
			Status:      rec.status,
			Header:      w.Header().Clone(),
			Body:        rec.body.Bytes(),
		}) {
			report(violation)
		}
	})
}

// recorder passes a response through while keeping a copy of its status and body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Check validates one exchange and returns its violations (none when it matches the document).
func (v *Validator) Check(ctx context.Context, ex Exchange) []*Violation {
	reqInput, violations := v.checkRequest(ctx, ex.Request, ex.RequestBody)
	if reqInput == nil {
		return violations
	}
	if err := v.validateResponse(ctx, reqInput, ex); err != nil {
		violations = append(violations, &Violation{Kind: KindResponse, Method: ex.Request.Method, Path: ex.Request.URL.Path, Status: ex.Status, Err: err})
	}
	return violations
}

// CheckRequest validates a request alone (for example one a client sent to a fake server):
// its route, parameters and body.
func (v *Validator) CheckRequest(ctx context.Context, req *http.Request, body []byte) []*Violation {
	_, violations := v.checkRequest(ctx, req, body)
	return violations
}

// checkRequest routes and validates a request. The returned input is nil when no route matched.
func (v *Validator) checkRequest(ctx context.Context, r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, []*Violation) {
	method, path := r.Method, r.URL.Path
	req := r.Clone(ctx)
	req.URL.Path = documentedSpelling(method, path)
	req.URL.RawPath = ""
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	route, pathParams, err := v.router.FindRoute(req)
	if err != nil {
		return nil, []*Violation{{Kind: KindRoute, Method: method, Path: path, Err: err}}
	}
	reqInput := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      route,
		Options:    &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
		return reqInput, []*Violation{{Kind: KindRequest, Method: method, Path: path, Err: err}}
	}
	return reqInput, nil
}

// validateResponse validates the response of a routed exchange, through the exceptions of
// exceptions.go when one applies, else with kin-openapi's own response validation (where a
// status the operation does not declare is an error).
func (v *Validator) validateResponse(ctx context.Context, reqInput *openapi3filter.RequestValidationInput, ex Exchange) error {
	if schema, ok := v.responseSchemaException(reqInput, ex.Status); ok {
		return v.validateBody(schema, ex.Header, ex.Body)
	}
	if bodylessDelete204(reqInput, ex.Status, ex.Body) {
		return nil
	}
	// The request input was consumed by request validation; give the response check its own.
	reqInput.Request.Body = io.NopCloser(bytes.NewReader(ex.RequestBody))
	return openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 ex.Status,
		Header:                 ex.Header,
		Body:                   io.NopCloser(bytes.NewReader(ex.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}

// validateBody checks a JSON body (a response's, or a webhook payload's) against one schema,
// as kin-openapi does for a response.
func (v *Validator) validateBody(schema *openapi3.SchemaRef, header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q, want application/json", ct)
	}
	value, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(body), header, schema, nil)
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}
	if v.doc.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	if err := schema.Value.VisitJSON(value, opts...); err != nil {
		return fmt.Errorf("body doesn't match schema %s: %w", schemaName(schema), err)
	}
	return nil
}

func schemaName(s *openapi3.SchemaRef) string {
	if s.Ref != "" {
		return s.Ref
	}
	if s.Value != nil && s.Value.Title != "" {
		return s.Value.Title
	}
	return "(inline)"
}

// Schema returns a component schema of the document by name (nil if it has none), with the
// exceptions of exceptions.go applied.
func (v *Validator) Schema(name string) *openapi3.SchemaRef {
	return v.doc.Components.Schemas[name]
}
