package schemas

import (
	"github.com/ada-mcp/ada-mcp/adaclient"
)

// ProfileArgs is the writable end-user profile of update_end_user. A null
// string clears the field; an absent one leaves it unchanged.
type ProfileArgs struct {
	FirstName   adaclient.Nullable[string] `json:"first_name,omitzero"`
	LastName    adaclient.Nullable[string] `json:"last_name,omitzero"`
	DisplayName adaclient.Nullable[string] `json:"display_name,omitzero"`
	Avatar      adaclient.Nullable[string] `json:"avatar,omitzero" jsonschema_description:"Image URL."`
	Email       adaclient.Nullable[string] `json:"email,omitzero"`
	Language    adaclient.Nullable[string] `json:"language,omitzero" jsonschema_description:"BCP 47 (en-US): the AI Agent answers in it."`
	Metadata    EndUserMetadata            `json:"metadata,omitempty" jsonschema_description:"Metavariables for the AI Agent (10 KB)."`
}

// ProfileSet is a profile to set, for the tools that create or find an end
// user: the fields given are written, the others left as they are.
// Clearing a field is update_end_user's (null there), which keeps these
// schemas short: they are in every client's context.
type ProfileSet struct {
	FirstName   string          `json:"first_name,omitempty"`
	LastName    string          `json:"last_name,omitempty"`
	DisplayName string          `json:"display_name,omitempty"`
	Avatar      string          `json:"avatar,omitempty" jsonschema_description:"Image URL."`
	Email       string          `json:"email,omitempty"`
	Language    string          `json:"language,omitempty" jsonschema_description:"BCP 47 (en-US): the AI Agent answers in it."`
	Metadata    EndUserMetadata `json:"metadata,omitempty" jsonschema_description:"Metavariables for the AI Agent (10 KB)."`
}

// Args is the profile as ProfileArgs (nil for nil).
func (p *ProfileSet) Args() *ProfileArgs {
	if p == nil {
		return nil
	}
	set := func(s string) adaclient.Nullable[string] {
		if s == "" {
			return adaclient.Nullable[string]{}
		}
		return adaclient.Value(s)
	}
	return &ProfileArgs{FirstName: set(p.FirstName), LastName: set(p.LastName), DisplayName: set(p.DisplayName),
		Avatar: set(p.Avatar), Email: set(p.Email), Language: set(p.Language), Metadata: p.Metadata}
}

func (p *ProfileArgs) input(sensitive SensitiveMetadata) *adaclient.ProfileInput {
	in := &adaclient.ProfileInput{}
	if p != nil {
		in.FirstName, in.LastName, in.DisplayName = p.FirstName, p.LastName, p.DisplayName
		in.Avatar, in.Email, in.Language = p.Avatar, p.Email, p.Language
		in.Metadata = p.Metadata
	}
	if sensitive != nil {
		in.SensitiveMetadata = &adaclient.SensitiveMetadata{Fields: sensitive}
	}
	return in
}

// CreateRequest is the POST body for an end user with this external_id,
// profile and sensitive metadata. Null sensitive values are dropped: they
// remove keys on update, and a new end user has nothing to remove (Ada
// accepts them on create, to no effect; an existing end user gets them in
// the PATCH that follows).
func (p *ProfileArgs) CreateRequest(externalID string, sensitive SensitiveMetadata) *adaclient.CreateEndUserRequest {
	req := &adaclient.CreateEndUserRequest{ExternalID: externalID}
	if p.IsEmpty() && len(sensitive) == 0 {
		return req
	}
	req.Profile = p.input(withoutNulls(sensitive))
	return req
}

func withoutNulls[M ~map[string]any](m M) M {
	if m == nil {
		return nil
	}
	out := make(M, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// UpdateRequest is the PATCH body; Ada requires profile, so it is always
// present (possibly empty).
func (p *ProfileArgs) UpdateRequest(externalID adaclient.Nullable[string], sensitive SensitiveMetadata) *adaclient.UpdateEndUserRequest {
	return &adaclient.UpdateEndUserRequest{ExternalID: externalID, Profile: *p.input(sensitive)}
}

// IsEmpty reports whether the profile sets nothing.
func (p *ProfileArgs) IsEmpty() bool {
	return p == nil || (p.FirstName.IsZero() && p.LastName.IsZero() && p.DisplayName.IsZero() &&
		p.Avatar.IsZero() && p.Email.IsZero() && p.Language.IsZero() && len(p.Metadata) == 0)
}

// EndUser is an end user as tools return it.
type EndUser struct {
	EndUserID  string  `json:"end_user_id" jsonschema:"required"`
	ExternalID string  `json:"external_id,omitempty"`
	Profile    Profile `json:"profile" jsonschema:"required"`
	CreatedAt  string  `json:"created_at,omitempty"`
	UpdatedAt  string  `json:"updated_at,omitempty"`
}

// Profile is the readable profile (never sensitive metadata: Ada does not
// return it).
type Profile struct {
	FirstName   string   `json:"first_name,omitempty"`
	LastName    string   `json:"last_name,omitempty"`
	DisplayName string   `json:"display_name,omitempty"`
	Avatar      string   `json:"avatar,omitempty"`
	Email       string   `json:"email,omitempty"`
	Language    string   `json:"language,omitempty"`
	Metadata    Metadata `json:"metadata,omitempty"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// EndUserFrom converts Ada's end user.
func EndUserFrom(u *adaclient.EndUser) EndUser {
	p := u.Profile
	return EndUser{
		EndUserID:  u.EndUserID,
		ExternalID: str(u.ExternalID),
		Profile: Profile{
			FirstName: str(p.FirstName), LastName: str(p.LastName), DisplayName: str(p.DisplayName),
			Avatar: str(p.Avatar), Email: str(p.Email), Language: str(p.Language),
			Metadata: Metadata(p.Metadata),
		},
		CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt,
	}
}

// EndUsersFrom converts a page of end users.
func EndUsersFrom(us []adaclient.EndUser) []EndUser { return allFrom(us, EndUserFrom) }

// Bounds of an end user's metadata in list_end_users: Ada allows 10 KB each, so a page of
// 100 could put a megabyte in the assistant's context. lookup_end_user shows it whole.
const (
	maxListedMetadataBytes      = 1 << 10
	maxListedMetadataValueRunes = 200
)

// ListedEndUsersFrom converts a page of end users for list_end_users: metadata over
// maxListedMetadataBytes is cut (long values, then the last keys); cut lists their ids.
func ListedEndUsersFrom(us []adaclient.EndUser) (out []EndUser, cut []string) {
	out = EndUsersFrom(us)
	for i := range out {
		var c bool
		if out[i].Profile.Metadata, c = boundListedMetadata(out[i].Profile.Metadata); c {
			cut = append(cut, out[i].EndUserID)
		}
	}
	return out, cut
}

// LookupEndUserArgs are lookup_end_user's arguments.
type LookupEndUserArgs struct {
	EndUserID  string `json:"end_user_id,omitempty"`
	ExternalID string `json:"external_id,omitempty" jsonschema:"maxLength=36" jsonschema_description:"Your system's id for the user (matched case-insensitively)."`
}

func (a *LookupEndUserArgs) Validate() error {
	return exactlyOne("end_user_id", "external_id", a.EndUserID, a.ExternalID)
}

// LookupEndUserResult is lookup_end_user's result.
type LookupEndUserResult struct {
	Found   bool     `json:"found" jsonschema:"required"`
	EndUser *EndUser `json:"end_user,omitempty"`
}

// ListEndUsersArgs are list_end_users' arguments.
type ListEndUsersArgs struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
	Cursor string `json:"cursor,omitempty"`
}

func (a *ListEndUsersArgs) Validate() error { return validateCursor(a.Cursor) }

// ListEndUsersResult is list_end_users' result.
type ListEndUsersResult struct {
	EndUsers []EndUser `json:"end_users" jsonschema:"required"`
	// MetadataTruncated names the end users whose metadata the list cut.
	MetadataTruncated []string `json:"metadata_truncated,omitempty" jsonschema_description:"end_user_ids whose long metadata was cut here: lookup_end_user shows it whole."`
	Page
}

// UpsertEndUserArgs are upsert_end_user's arguments.
type UpsertEndUserArgs struct {
	ExternalID        string            `json:"external_id,omitempty" jsonschema:"maxLength=36" jsonschema_description:"Create or find the user by your system's id."`
	EndUserID         string            `json:"end_user_id,omitempty" jsonschema_description:"Update this existing user instead."`
	Profile           *ProfileSet       `json:"profile,omitempty"`
	SensitiveMetadata SensitiveMetadata `json:"sensitive_metadata,omitempty" jsonschema_description:"Write-only secrets for Actions (an auth token): never returned, gone after 24 h. At most 20."`
}

func (a *UpsertEndUserArgs) Validate() error {
	return exactlyOne("external_id", "end_user_id", a.ExternalID, a.EndUserID)
}

// SensitiveKeys reports which sensitive keys a call set or removed; the
// values themselves are never returned.
type SensitiveKeys struct {
	SensitiveKeysSet     []string `json:"sensitive_metadata_keys_set,omitempty"`
	SensitiveKeysRemoved []string `json:"sensitive_metadata_keys_removed,omitempty"`
}

// SensitiveKeysOf summarises a sensitive_metadata argument.
func SensitiveKeysOf(s SensitiveMetadata) SensitiveKeys {
	set, removed := s.Keys()
	return SensitiveKeys{SensitiveKeysSet: set, SensitiveKeysRemoved: removed}
}

// UpsertEndUserResult is upsert_end_user's result.
type UpsertEndUserResult struct {
	Created bool    `json:"created" jsonschema:"required"`
	EndUser EndUser `json:"end_user" jsonschema:"required"`
	SensitiveKeys
}

// UpdateEndUserArgs are update_end_user's arguments.
type UpdateEndUserArgs struct {
	EndUserID         string                     `json:"end_user_id" jsonschema:"required"`
	ExternalID        adaclient.Nullable[string] `json:"external_id,omitzero" jsonschema_description:"New external_id (max 36); null clears it and frees it for reuse."`
	Profile           *ProfileArgs               `json:"profile,omitempty"`
	SensitiveMetadata SensitiveMetadata          `json:"sensitive_metadata,omitempty" jsonschema_description:"Write-only secrets; null removes a key."`
}

func (a *UpdateEndUserArgs) Validate() error {
	if a.ExternalID.IsZero() && a.Profile.IsEmpty() && len(a.SensitiveMetadata) == 0 {
		return argErr("end_user_id", "nothing to update: give external_id, profile or sensitive_metadata")
	}
	return nil
}

// UpdateEndUserResult is update_end_user's result.
type UpdateEndUserResult struct {
	EndUser EndUser `json:"end_user" jsonschema:"required"`
	SensitiveKeys
}

// EndUserResource is what the resource ada://end-users/{id} holds.
type EndUserResource struct {
	EndUser EndUser `json:"end_user"`
}
