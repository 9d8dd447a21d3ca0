package adaclient

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// ComplianceService is Ada's Bulk End-User Deletion API (released
// 2026-07-14): erase all personal data of up to 1000 end users in one
// asynchronous job, then poll the job. The deprecated v1 data-subject
// endpoint is not wrapped.
//
// POST /v2/end-users/delete
// GET /v2/jobs/{job_id}
type ComplianceService struct{ c *Client }

// Identifier types of a deletion request.
const (
	// IdentifierEmail: normalized, matched case-insensitively.
	IdentifierEmail = "email"
	// IdentifierChatterID: a legacy chatter record id.
	IdentifierChatterID = "chatter_id"
	// IdentifierExternalID: trimmed and lowercased by Ada.
	IdentifierExternalID = "external_id"
	IdentifierEndUserID  = "end_user_id"
	// IdentifierVariableMatch: every end user whose stored variable
	// (Variable) equals Value.
	IdentifierVariableMatch = "variable_match"
)

// IdentifierTypes are the identifier types Ada documents.
var IdentifierTypes = []string{IdentifierEmail, IdentifierChatterID, IdentifierExternalID, IdentifierEndUserID, IdentifierVariableMatch}

// Deletion job statuses: queued and in_progress are not terminal.
const (
	JobQueued     = "queued"
	JobInProgress = "in_progress"
	JobCompleted  = "completed"
	JobPartial    = "partial"
	JobFailed     = "failed"
)

// Identifier dispositions: only accepted identifiers are erased.
const (
	DispositionAccepted     = "accepted"
	DispositionNotFound     = "not_found"
	DispositionInvalid      = "invalid"
	DispositionExceedsLimit = "exceeds_limit"
	DispositionDuplicate    = "duplicate"
)

// Ada's limits on a deletion request.
const (
	MaxDeletionIdentifiers = 1000
	// MaxDeletionBodyBytes: a larger body is Ada's 413 (512 KB, KB taken
	// as 1024 bytes).
	MaxDeletionBodyBytes = 512 * 1024
)

// DeletionIdentifier names the end user(s) to erase.
type DeletionIdentifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	// Variable is the stored variable's name, for variable_match only.
	Variable string `json:"variable,omitempty"`
}

// DeletionRequest is the body of POST /v2/end-users/delete.
type DeletionRequest struct {
	Identifiers []DeletionIdentifier `json:"identifiers"`
	// ClientReference is echoed on the job and is the idempotency key: an
	// identical request with the same reference within 24 hours returns the
	// original job. Without it Ada does not deduplicate, so the request is
	// never repeated once it may have reached Ada.
	ClientReference string `json:"client_reference,omitempty"`
}

// DeletionRequestAccepted is Ada's 202 answer.
type DeletionRequestAccepted struct {
	JobID          string `json:"job_id"`
	Status         string `json:"status"`
	SubmittedCount int    `json:"submitted_count"`
	CreatedAt      string `json:"created_at"`
}

// DeletionJob is a job's state with each identifier's outcome.
type DeletionJob struct {
	JobID           string                  `json:"job_id"`
	Type            string                  `json:"type"`
	ClientReference *string                 `json:"client_reference"`
	Status          string                  `json:"status"`
	Identifiers     []IdentifierDisposition `json:"identifiers"`
	CreatedAt       string                  `json:"created_at"`
	CompletedAt     *string                 `json:"completed_at"`
	// FailureReason is opaque, set only when Status is failed.
	FailureReason *string `json:"failure_reason"`
}

// Terminal reports whether the job reached a final status (completed,
// partial or failed). An unknown status is not taken as final.
func (j *DeletionJob) Terminal() bool {
	switch j.Status {
	case JobCompleted, JobPartial, JobFailed:
		return true
	}
	return false
}

// IdentifierDisposition is the outcome of one submitted identifier.
type IdentifierDisposition struct {
	Type            string  `json:"type"`
	Value           string  `json:"value"`
	Variable        *string `json:"variable"`
	Disposition     string  `json:"disposition"`
	MatchedChatters int     `json:"matched_chatters"`
	Reason          *string `json:"reason"`
}

// DeleteEndUsers submits an erasure job (Ada answers 202). With a
// ClientReference the request is retried like a GET (Ada returns the same
// job for a repeat within 24 hours); without one it is never repeated once
// it may have reached Ada.
// POST /v2/end-users/delete
func (s *ComplianceService) DeleteEndUsers(ctx context.Context, req *DeletionRequest) (*DeletionRequestAccepted, *Response, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	mode := notIdempotent
	if req.ClientReference != "" {
		mode = idempotent
	}
	var out DeletionRequestAccepted
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: "/v2/end-users/delete", body: req, mode: mode}, &out)
	if err != nil {
		return nil, r, err
	}
	return &out, r, nil
}

// Job fetches a deletion job. An unknown (or another AI Agent's) job is a
// 404 *ErrorResponse.
// GET /v2/jobs/{job_id}
func (s *ComplianceService) Job(ctx context.Context, jobID string) (*DeletionJob, *Response, error) {
	if err := validateID("job_id", jobID); err != nil {
		return nil, nil, err
	}
	var j DeletionJob
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: "/v2/jobs/" + pathEscape(jobID), mode: idempotent}, &j)
	if err != nil {
		return nil, r, err
	}
	if j.Identifiers == nil {
		j.Identifiers = []IdentifierDisposition{}
	}
	return &j, r, nil
}

// Validate applies Ada's rules: 1-1000 identifiers, each with a documented
// type and a value, variable exactly for variable_match, and a body of at
// most 512 KB. Reasons never quote a value (an email, say).
func (req *DeletionRequest) Validate() error {
	if req == nil || len(req.Identifiers) == 0 {
		return invalid("identifiers", "at least one identifier is required")
	}
	if n := len(req.Identifiers); n > MaxDeletionIdentifiers {
		return invalid("identifiers", "has %d identifiers; Ada accepts at most %d per request: split them", n, MaxDeletionIdentifiers)
	}
	for i, id := range req.Identifiers {
		if err := id.validate(i); err != nil {
			return err
		}
	}
	if req.ClientReference != "" && strings.TrimSpace(req.ClientReference) == "" {
		return invalid("client_reference", "must not be blank")
	}
	b, err := marshal(req)
	if err != nil {
		return invalid("identifiers", "cannot be encoded as JSON: %v", err)
	}
	if len(b) > MaxDeletionBodyBytes {
		return invalid("identifiers", "the request is %d bytes; Ada accepts at most 512 KB: split the identifiers across requests", len(b))
	}
	return nil
}

func (id DeletionIdentifier) validate(i int) error {
	field := "identifiers[" + strconv.Itoa(i) + "]"
	known := false
	for _, t := range IdentifierTypes {
		known = known || id.Type == t
	}
	switch {
	case !known:
		return invalid(field+".type", "must be one of %s", strings.Join(IdentifierTypes, ", "))
	case strings.TrimSpace(id.Value) == "":
		return invalid(field+".value", "is required")
	case id.Type == IdentifierVariableMatch && strings.TrimSpace(id.Variable) == "":
		return invalid(field+".variable", "is required for variable_match: the name of the stored variable to match")
	case id.Type != IdentifierVariableMatch && id.Variable != "":
		return invalid(field+".variable", "is only for variable_match")
	}
	return nil
}
