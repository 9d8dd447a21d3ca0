package adaclient

import (
	"context"
	"net/http"
	"net/url"
)

// EndUsersService is Ada's End Users API (/v2/end-users/).
type EndUsersService struct{ c *Client }

// EndUser is Ada's EndUser. Timestamps are kept as Ada's strings (their
// format varies: "2023-12-08T19:06:04.890000", "...+00:00").
type EndUser struct {
	EndUserID  string  `json:"end_user_id"`
	ExternalID *string `json:"external_id"`
	Profile    Profile `json:"profile"`
	CreatedAt  string  `json:"created_at,omitempty"`
	UpdatedAt  string  `json:"updated_at,omitempty"`
}

// Profile is an end user's profile as Ada returns it.
type Profile struct {
	FirstName        *string           `json:"first_name"`
	LastName         *string           `json:"last_name"`
	DisplayName      *string           `json:"display_name"`
	Avatar           *string           `json:"avatar"`
	Email            *string           `json:"email"`
	Language         *string           `json:"language"`
	Metadata         map[string]any    `json:"metadata"`
	SystemProperties *SystemProperties `json:"system_properties,omitempty"`
}

// SystemProperties are read-only properties Ada maintains.
type SystemProperties struct {
	SunshineUserID *string `json:"sunshine_user_id"`
}

// ProfileInput is the writable profile of a create or update request. Each
// string field is absent (left unchanged), null (cleared) or a value.
type ProfileInput struct {
	FirstName   Nullable[string] `json:"first_name,omitzero"`
	LastName    Nullable[string] `json:"last_name,omitzero"`
	DisplayName Nullable[string] `json:"display_name,omitzero"`
	Avatar      Nullable[string] `json:"avatar,omitzero"`
	Email       Nullable[string] `json:"email,omitzero"`
	Language    Nullable[string] `json:"language,omitzero"`
	// Metadata values are strings, booleans or integers, at most 10 KB as
	// JSON. Ada's document does not allow null values here (unlike
	// conversation metadata), so none is sent.
	Metadata map[string]any `json:"metadata,omitempty"`
	// SensitiveMetadata is write-only: Ada never returns it.
	SensitiveMetadata *SensitiveMetadata `json:"sensitive_metadata,omitempty"`
}

// SensitiveMetadata holds values Ada stores encrypted for 24 hours, uses in
// authenticated Actions and never returns.
type SensitiveMetadata struct {
	// Fields: keys [A-Za-z0-9_-]+; non-empty string, boolean or integer
	// values; null removes a key on update; at most 20 per request.
	Fields map[string]any `json:"fields"`
}

// CreateEndUserRequest is the body of POST /v2/end-users/.
type CreateEndUserRequest struct {
	ExternalID string        `json:"external_id,omitempty"`
	Profile    *ProfileInput `json:"profile,omitempty"`
}

// UpdateEndUserRequest is the body of PATCH /v2/end-users/{id}. Profile is
// always sent (Ada requires it, possibly empty); ExternalID null clears the
// mapping.
type UpdateEndUserRequest struct {
	ExternalID Nullable[string] `json:"external_id,omitzero"`
	Profile    ProfileInput     `json:"profile"`
}

func (p *ProfileInput) validate(onCreate bool) error {
	if p == nil {
		return nil
	}
	if err := validateMetadata("profile.metadata", p.Metadata, endUserMetadata, false); err != nil {
		return err
	}
	return validateSensitive("profile.sensitive_metadata", p.SensitiveMetadata, p.Metadata, onCreate)
}

// withIntegers is p with its whole numbers (1.0, 1e3, as JSON may write
// them) written as integers: end-user metadata takes strings, booleans and
// integers, and to Ada a number with a fraction or an exponent is not one.
// p is unchanged; nil stays nil.
func (p *ProfileInput) withIntegers() *ProfileInput {
	if p == nil {
		return nil
	}
	out := *p
	out.Metadata = wholeNumbersAsIntegers(p.Metadata)
	if p.SensitiveMetadata != nil {
		out.SensitiveMetadata = &SensitiveMetadata{Fields: wholeNumbersAsIntegers(p.SensitiveMetadata.Fields)}
	}
	return &out
}

// Get fetches an end user by Ada's end_user_id.
func (s *EndUsersService) Get(ctx context.Context, endUserID string) (*EndUser, *Response, error) {
	if err := validateID("end_user_id", endUserID); err != nil {
		return nil, nil, err
	}
	var u EndUser
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: "/v2/end-users/" + pathEscape(endUserID), mode: idempotent}, &u)
	if err != nil {
		return nil, r, err
	}
	return &u, r, nil
}

// GetByExternalID looks an end user up by external_id (matched
// case-insensitively by Ada). No mapping is a 404 *ErrorResponse
// (IsNotFound).
func (s *EndUsersService) GetByExternalID(ctx context.Context, externalID string) (*EndUser, *Response, error) {
	if err := ValidateExternalID("external_id", externalID); err != nil {
		return nil, nil, err
	}
	var u EndUser
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: "/v2/end-users/", query: url.Values{"external_id": {externalID}}, mode: idempotent}, &u)
	if err != nil {
		return nil, r, err
	}
	return &u, r, nil
}

// List returns one page of end users; Response.NextCursor continues.
func (s *EndUsersService) List(ctx context.Context, opts *ListOptions) ([]EndUser, *Response, error) {
	q, err := opts.values(nil)
	if err != nil {
		return nil, nil, err
	}
	return list[EndUser](s.c, ctx, "/v2/end-users/", q)
}

// Create creates an end user, or returns the existing one when ExternalID is
// already mapped (Ada answers 201 for a new user, 200 for an existing one:
// see Created). With an ExternalID the call is idempotent and retried like a
// GET; without one each call creates a user, so it is never repeated.
func (s *EndUsersService) Create(ctx context.Context, req *CreateEndUserRequest) (*EndUser, *Response, error) {
	if req == nil {
		req = &CreateEndUserRequest{}
	}
	mode := notIdempotent
	if req.ExternalID != "" {
		if err := ValidateExternalID("external_id", req.ExternalID); err != nil {
			return nil, nil, err
		}
		mode = idempotent
	}
	if err := req.Profile.validate(true); err != nil {
		return nil, nil, err
	}
	body := *req
	body.Profile = req.Profile.withIntegers()
	var u EndUser
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: "/v2/end-users/", body: &body, mode: mode}, &u)
	if err != nil {
		return nil, r, err
	}
	return &u, r, nil
}

// Created reports whether a Create response made a new end user (201) rather
// than returning an existing one (200).
func Created(r *Response) bool { return r != nil && r.StatusCode == http.StatusCreated }

// Update patches an end user. A 409 *ErrorResponse (IsConflict) means the
// external_id belongs to another end user.
func (s *EndUsersService) Update(ctx context.Context, endUserID string, req *UpdateEndUserRequest) (*EndUser, *Response, error) {
	if err := validateID("end_user_id", endUserID); err != nil {
		return nil, nil, err
	}
	if req == nil {
		req = &UpdateEndUserRequest{}
	}
	if v, ok := req.ExternalID.Get(); ok {
		if err := ValidateExternalID("external_id", v); err != nil {
			return nil, nil, err
		}
	}
	if err := req.Profile.validate(false); err != nil {
		return nil, nil, err
	}
	body := *req
	body.Profile = *req.Profile.withIntegers()
	var u EndUser
	r, err := s.c.do(ctx, call{method: http.MethodPatch, path: "/v2/end-users/" + pathEscape(endUserID), body: &body, mode: idempotent}, &u)
	if err != nil {
		return nil, r, err
	}
	return &u, r, nil
}
