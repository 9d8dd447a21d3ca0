package openapicheck

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// The named exceptions to Ada's OpenAPI document. Each one covers a place where the document
// disagrees with itself or with Ada's docs, as listed in ada-api.md ("Where Ada's OpenAPI
// document disagrees with itself or with the docs", and section 0 for the last two). Each is
// as narrow as the defect: one operation, one status or one schema, never a disabled check.
const (
	// POST /v2/end-users/ declares only 200, but the docs and the request schema's own
	// description say a new end user is 201 (an already-mapped external_id is 200). A 201 is
	// validated against the operation's 200 schema (EndUser).
	ExceptionCreateEndUser201 = "create-end-user-201"

	// GET /v2/end-users/ 200 is oneOf [EndUser, EndUsers]; neither has required fields, so a
	// list page matches both and always fails oneOf. The body is validated against EndUser
	// when external_id is in the query (the documented single-object lookup), else EndUsers.
	ExceptionGetEndUsersOneOf = "get-end-users-oneof"

	// Conversation, channel and webhook metadata values are oneOf [string, boolean, integer,
	// number]: an integer is also a number, so every integer value fails oneOf. Those schemas
	// (and only those: a oneOf of bare types holding both integer and number) become anyOf.
	ExceptionMetadataNumberOneOf = "metadata-number-oneof"

	// The end-users list's meta.next_page_url (CursorPaginationMetadata) is a non-nullable
	// string, but the pagination docs and the other pagination schema (PaginationMetadata) say
	// it is null on the last page. It is made nullable.
	ExceptionEndUsersNextPageURLNull = "end-users-next-page-url-null"

	// Errors.details is string|null in the schema, but Ada documents an object there (bulk
	// article upsert 400) and a third-party capture shows an array. details also accepts an
	// object or an array; its other fields are unchanged.
	ExceptionErrorDetailsNotString = "error-details-not-string"

	// Ada's Errors, Authentication and Limits pages make 400 (malformed request), 401 (missing or
	// invalid key), 413 (body over 10 MB), 429 (rate limit) and 500 possible on every endpoint,
	// but some operations do not declare them (end-handoff declares no 400/401/429; create
	// message no 413). Such a status, when the operation does not declare it, must carry the
	// Errors body; any other undeclared status is still a violation.
	ExceptionUniversalErrorStatuses = "universal-error-statuses"

	// Ada's own demo code POSTs /v2/conversations, .../messages, .../end, .../end-handoff,
	// .../attachments, /v2/knowledge/sources and /v2/knowledge/bulk/articles without the
	// trailing slash and treats the result as success (ada-api.md, "Trailing slashes"). Those
	// POSTs are checked as the documented slash spelling; nothing else is re-spelled.
	ExceptionNoTrailingSlashPOST = "no-trailing-slash-post"

	// Several delete operations (DELETE /v2/webhooks/{id} among them) declare an
	// application/json body on their 204, but Ada sends none (ada-api.md, "Several delete
	// operations declare a JSON body on their 204"), as 204 No Content says. A DELETE's 204
	// with an empty body and no Content-Type passes; a 204 that does carry a body is still
	// validated as declared.
	ExceptionDelete204NoBody = "delete-204-no-body"

	// KnowledgeSourceResponse.status (KnowledgeSourceResponseStatus) is a non-nullable enum of
	// deleting and delete_failed, but its own description (and ada-api.md section 3) says it is
	// `null` when no deletion is in progress. The schema also accepts null; any other value
	// outside the enum still fails.
	ExceptionKnowledgeStatusNull = "knowledge-source-status-null"
)

var exceptionReasons = map[string]string{
	ExceptionCreateEndUser201:        "POST /v2/end-users/ 201 is validated against the declared 200 schema",
	ExceptionGetEndUsersOneOf:        "GET /v2/end-users/ 200 is EndUser with external_id, else EndUsers, not oneOf",
	ExceptionMetadataNumberOneOf:     "metadata oneOf [string, boolean, integer, number] is treated as anyOf",
	ExceptionEndUsersNextPageURLNull: "CursorPaginationMetadata.next_page_url may be null (last page)",
	ExceptionErrorDetailsNotString:   "Errors.details may also be an object or an array",
	ExceptionUniversalErrorStatuses:  "undeclared 400/401/413/429/500 must carry the Errors body",
	ExceptionNoTrailingSlashPOST:     "POST conversations/messages/end/end-handoff/attachments, knowledge/sources and knowledge/bulk/articles without trailing slash",
	ExceptionDelete204NoBody:         "a DELETE's 204 may have no body though the document declares one",
	ExceptionKnowledgeStatusNull:     "KnowledgeSourceResponseStatus may be null (no deletion in progress)",
}

// Exceptions returns every exception this package applies, by name, with a one-line reason.
func Exceptions() map[string]string {
	out := make(map[string]string, len(exceptionReasons))
	for k, v := range exceptionReasons {
		out[k] = v
	}
	return out
}

// noTrailingSlashPOST matches the POST spellings of ExceptionNoTrailingSlashPOST.
var noTrailingSlashPOST = regexp.MustCompile(`^` + BasePath +
	`/v2/(conversations(/[^/]+/(messages|end|end-handoff|attachments))?|knowledge/sources|knowledge/bulk/articles)$`)

// documentedSpelling returns the path to route the request by: the path itself, or for
// ExceptionNoTrailingSlashPOST the documented spelling with the trailing slash.
func documentedSpelling(method, path string) string {
	if method == http.MethodPost && noTrailingSlashPOST.MatchString(path) {
		return path + "/"
	}
	return path
}

// bodylessDelete204 is ExceptionDelete204NoBody: a DELETE answered 204 with nothing in it,
// where the operation declares a JSON body for its 204.
func bodylessDelete204(in *openapi3filter.RequestValidationInput, status int, body []byte) bool {
	if in.Request.Method != http.MethodDelete || status != http.StatusNoContent || len(body) != 0 {
		return false
	}
	declared := in.Route.Operation.Responses.Status(http.StatusNoContent)
	return declared != nil && declared.Value != nil && declared.Value.Content.Get("application/json") != nil
}

// universalErrorStatuses are the statuses of ExceptionUniversalErrorStatuses.
var universalErrorStatuses = []int{
	http.StatusBadRequest,
	http.StatusUnauthorized,
	http.StatusRequestEntityTooLarge,
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
}

// responseSchemaException returns the schema a response body must match when one of the
// response exceptions applies to this operation and status.
func (v *Validator) responseSchemaException(in *openapi3filter.RequestValidationInput, status int) (*openapi3.SchemaRef, bool) {
	op := in.Route.Operation
	switch {
	case op.OperationID == "create-end-user" && status == http.StatusCreated: // ExceptionCreateEndUser201
		if ok := op.Responses.Status(http.StatusCreated); ok != nil {
			return nil, false // the document was fixed: validate as declared
		}
		return jsonSchemaOf(op.Responses.Status(http.StatusOK))
	case op.OperationID == "get-end-users" && status == http.StatusOK: // ExceptionGetEndUsersOneOf
		if in.Request.URL.Query().Has("external_id") {
			return v.Schema("EndUser"), true
		}
		return v.Schema("EndUsers"), true
	case slices.Contains(universalErrorStatuses, status) && // ExceptionUniversalErrorStatuses
		op.Responses.Status(status) == nil && op.Responses.Default() == nil:
		return v.Schema("Errors"), true
	}
	return nil, false
}

func jsonSchemaOf(resp *openapi3.ResponseRef) (*openapi3.SchemaRef, bool) {
	if resp == nil || resp.Value == nil {
		return nil, false
	}
	media := resp.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil, false
	}
	return media.Schema, true
}

// applySchemaExceptions rewrites, in memory, the schemas named by the schema exceptions. Each
// rewrite first checks that the document still has the defect; if not, it fails, so that a
// corrected document makes the stale exception visible instead of hiding a new problem.
func applySchemaExceptions(doc *openapi3.T) error {
	schemas := doc.Components.Schemas
	var errs []error

	// ExceptionMetadataNumberOneOf.
	var rewritten []string
	for name, ref := range schemas {
		if s := ref.Value; s != nil && isBareTypesOneOfWithIntegerAndNumber(s) {
			s.AnyOf, s.OneOf = s.OneOf, nil
			rewritten = append(rewritten, name)
		}
	}
	sort.Strings(rewritten)
	// The last two are webhook payloads' (CheckWebhook).
	for _, want := range []string{"ConversationCreateRequestMetadata", "ConversationMetadata", "ConversationPatchRequestMetadata", "CustomChannelMetadata",
		"ConversationCreatedWebhookPayloadDataMetadata", "ConversationEndedWebhookPayloadDataMetadata"} {
		if !slices.Contains(rewritten, want) {
			errs = append(errs, fmt.Errorf("exception %s: schema %s no longer has the oneOf defect", ExceptionMetadataNumberOneOf, want))
		}
	}

	// ExceptionEndUsersNextPageURLNull.
	if next := property(schemas, "CursorPaginationMetadata", "next_page_url"); next == nil || next.Type == nil || !next.Type.Is("string") {
		errs = append(errs, fmt.Errorf("exception %s: CursorPaginationMetadata.next_page_url is no longer a non-nullable string", ExceptionEndUsersNextPageURLNull))
	} else {
		next.Type = &openapi3.Types{"string", "null"}
	}

	// ExceptionErrorDetailsNotString.
	if details := property(schemas, "ErrorsErrorsItems", "details"); details == nil || details.Type == nil ||
		!slices.Equal(details.Type.Slice(), []string{"string", "null"}) {
		errs = append(errs, fmt.Errorf("exception %s: ErrorsErrorsItems.details is no longer string|null", ExceptionErrorDetailsNotString))
	} else {
		details.Type = &openapi3.Types{"string", "null", "object", "array"}
	}

	// ExceptionKnowledgeStatusNull. The property carries a description beside its $ref,
	// so the loader gives it a schema of its own: both it and the component are rewritten.
	statuses := []*openapi3.Schema{componentSchema(schemas, "KnowledgeSourceResponseStatus"),
		property(schemas, "KnowledgeSourceResponse", "status")}
	if statuses[0] == statuses[1] {
		statuses = statuses[:1]
	}
	for _, status := range statuses {
		if status == nil || status.Type == nil || !slices.Equal(status.Type.Slice(), []string{"string"}) ||
			len(status.Enum) == 0 || slices.Contains(status.Enum, nil) {
			errs = append(errs, fmt.Errorf("exception %s: KnowledgeSourceResponse.status is no longer a non-nullable string enum", ExceptionKnowledgeStatusNull))
			break
		}
		status.Type = &openapi3.Types{"string", "null"}
		status.Enum = append(status.Enum, nil)
	}
	return errors.Join(errs...)
}

// isBareTypesOneOfWithIntegerAndNumber reports whether s is oneOf a list of schemas that only
// name a type, among them both integer and number: the metadata-value shape of the defect.
func isBareTypesOneOfWithIntegerAndNumber(s *openapi3.Schema) bool {
	if len(s.OneOf) == 0 {
		return false
	}
	var types []string
	for _, branch := range s.OneOf {
		b := branch.Value
		if branch.Ref != "" || b == nil || b.Type == nil || !b.Type.IsSingle() ||
			len(b.Properties) > 0 || len(b.Enum) > 0 || b.Items != nil {
			return false
		}
		types = append(types, b.Type.Slice()[0])
	}
	return slices.Contains(types, "integer") && slices.Contains(types, "number")
}

func componentSchema(schemas openapi3.Schemas, name string) *openapi3.Schema {
	if ref := schemas[name]; ref != nil {
		return ref.Value
	}
	return nil
}

func property(schemas openapi3.Schemas, schema, prop string) *openapi3.Schema {
	ref := schemas[schema]
	if ref == nil || ref.Value == nil {
		return nil
	}
	p := ref.Value.Properties[prop]
	if p == nil {
		return nil
	}
	return p.Value
}

// exportDocumentTitle is the info.title of Ada's Data Export document
// (testdata/ada-openapi/ada-data-export-openapi.yml), which Load also reads (see Set).
const exportDocumentTitle = "Data Export"

// applyDocumentExceptions applies the schema exceptions of the document Load read. Every
// document but Data Export is taken for the Platform API document, whose exceptions must all
// still match. The Data Export document has none: the simulator's exchanges and the client's
// requests meet it as written (its responses' errors declare Errors with details string|null,
// and the simulator sends a string there).
func applyDocumentExceptions(doc *openapi3.T) error {
	if doc.Info != nil && doc.Info.Title == exportDocumentTitle {
		return nil
	}
	return applySchemaExceptions(doc)
}
