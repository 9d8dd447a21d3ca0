package adasim

import (
	"encoding/json"
	"maps"
	"net/http"
	"time"
)

// End Users API (ada-api.md section 1; seed "Developer guide").

// endUserTTL: end users created by POST /v2/end-users/ and not attached to a conversation
// within 24 hours are deleted, freeing their external_id. sensitive_metadata values are deleted
// 24 hours after they are set.
const endUserTTL = 24 * time.Hour

type endUser struct {
	id         string
	seq        int
	externalID *string // as last spelled by the caller; matched case-insensitively
	profile    profile
	sensitive  map[string]sensitiveValue // write-only: never rendered
	createdAt  time.Time
	updatedAt  time.Time
	expires    bool // created by POST /v2/end-users/ and not yet attached to a conversation
}

type profile struct {
	firstName, lastName, displayName, avatar, email, language *string
	metadata                                                  map[string]any
}

// stringFields maps the profile's string|null fields to their storage, in Ada's field order.
func (p *profile) stringFields() []struct {
	name string
	ptr  **string
} {
	return []struct {
		name string
		ptr  **string
	}{
		{"first_name", &p.firstName}, {"last_name", &p.lastName}, {"display_name", &p.displayName},
		{"avatar", &p.avatar}, {"email", &p.email}, {"language", &p.language},
	}
}

type sensitiveValue struct {
	value     any
	setAt     time.Time
	permanent bool // loaded from a State: fixtures do not expire
}

// endUserJSON is Ada's EndUser. sensitive_metadata has no field here, so it cannot leak.
type endUserJSON struct {
	EndUserID  string      `json:"end_user_id"`
	ExternalID *string     `json:"external_id"`
	Profile    profileJSON `json:"profile"`
	CreatedAt  string      `json:"created_at"`
	UpdatedAt  string      `json:"updated_at"`
}

// profileJSON is the EndUser's profile, the same type as a State's, so a dump renders it alike.
type profileJSON = StateProfile

func (u *endUser) toJSON() endUserJSON {
	p := u.profile
	return endUserJSON{
		EndUserID:  u.id,
		ExternalID: copyString(u.externalID),
		Profile: profileJSON{
			FirstName: copyString(p.firstName), LastName: copyString(p.lastName),
			DisplayName: copyString(p.displayName), Avatar: copyString(p.avatar),
			Email: copyString(p.email), Language: copyString(p.language),
			Metadata: maps.Clone(p.metadata),
		},
		CreatedAt: formatTime(u.createdAt),
		UpdatedAt: formatTime(u.updatedAt),
	}
}

func copyString(s *string) *string {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}

type endUserStore struct {
	byID         map[string]*endUser
	order        []*endUser          // creation order
	byExternalID map[string]*endUser // externalIDKey → end user
	seqs         seqIndex
}

func newEndUserStore() endUserStore {
	return endUserStore{byID: map[string]*endUser{}, byExternalID: map[string]*endUser{}, seqs: newSeqIndex()}
}

// newEndUser stores a blank end user. Callers hold mu.
func (s *Sim) newEndUser(at time.Time, expires bool) *endUser {
	u := &endUser{createdAt: at, updatedAt: at, expires: expires,
		profile: profile{metadata: map[string]any{}}, sensitive: map[string]sensitiveValue{}}
	s.storeEndUser(u)
	return u
}

// storeEndUser stores an end user, with a new id unless it has one (loaded: see State).
// Callers hold mu.
func (s *Sim) storeEndUser(u *endUser) {
	if u.id == "" {
		u.id = s.newID()
	}
	u.seq = s.endUsers.seqs.add(u.id)
	s.endUsers.byID[u.id] = u
	s.endUsers.order = append(s.endUsers.order, u)
}

// sweepEndUsers deletes what Ada deletes after 24 hours: unattached end users created by POST
// and sensitive_metadata values. Done lazily, whenever the store is used. Callers hold mu.
func (s *Sim) sweepEndUsers() {
	now := s.clock.Now()
	kept := s.endUsers.order[:0]
	for _, u := range s.endUsers.order {
		if u.expires && !now.Before(u.createdAt.Add(endUserTTL)) {
			delete(s.endUsers.byID, u.id)
			if u.externalID != nil {
				delete(s.endUsers.byExternalID, externalIDKey(*u.externalID))
			}
			continue
		}
		for k, v := range u.sensitive {
			if !v.permanent && !now.Before(v.setAt.Add(endUserTTL)) {
				delete(u.sensitive, k)
			}
		}
		kept = append(kept, u)
	}
	clear(s.endUsers.order[len(kept):])
	s.endUsers.order = kept
}

// profileUpdate is a decoded request profile. A null metadata or sensitive_metadata clears it
// (an assumption: Ada documents null-clears only for the string fields and single keys).
type profileUpdate struct {
	strings   map[string]optional[string]
	metadata  optional[map[string]any]
	sensitive optional[map[string]any]
}

// parseProfile decodes and validates profile for create (create=true) or PATCH.
func parseProfile(obj jsonObject, create bool) (profileUpdate, *apiError) {
	upd := profileUpdate{strings: map[string]optional[string]{}}
	for _, f := range (&profile{}).stringFields() {
		v, err := obj.stringField(f.name, "profile."+f.name)
		if err != nil {
			return upd, err
		}
		upd.strings[f.name] = v
	}

	if raw, ok := obj["metadata"]; ok {
		upd.metadata.present = true
		if isNull(raw) {
			upd.metadata.null = true
		} else {
			// On PATCH a null value deletes the key; on create there is nothing to delete.
			m, err := decodeMetadata(raw, "profile.metadata", metadataRules{allowNull: !create})
			if err != nil {
				return upd, err
			}
			upd.metadata.value = m
		}
	}

	sensitive, present, err := obj.objectField("sensitive_metadata", "profile.sensitive_metadata")
	if err != nil {
		return upd, err
	}
	if present {
		upd.sensitive.present = true
		if sensitive == nil {
			upd.sensitive.null = true
		} else {
			fields, err := decodeSensitiveFields(sensitive, "profile.sensitive_metadata")
			if err != nil {
				return upd, err
			}
			upd.sensitive.value = fields
		}
	}

	if create {
		if upd.metadata.present && !upd.metadata.null {
			if err := checkMetadataSize(upd.metadata.value, "profile.metadata", endUserMetadataMaxBytes); err != nil {
				return upd, err
			}
		}
		// On create, sensitive keys must not overlap metadata keys (CreateEndUserRequest).
		for k := range upd.sensitive.value {
			if _, dup := upd.metadata.value[k]; dup {
				return upd, invalidField("profile.sensitive_metadata.fields."+k,
					"profile.sensitive_metadata.fields keys must not overlap profile.metadata keys (%q).", k)
			}
		}
	}
	return upd, nil
}

// resultMetadata is the metadata an update leaves. Ada does not say whether PATCH
// profile.metadata merges or replaces (ada-api.md section 1, "not stated"): the simulator
// merges, like conversation metadata: keys given are set, a null value deletes its key, keys
// left out stay, and metadata: null clears them all.
func (upd profileUpdate) resultMetadata(current map[string]any) map[string]any {
	switch {
	case !upd.metadata.present:
		return current
	case upd.metadata.null:
		return map[string]any{}
	default:
		return mergeMetadata(current, upd.metadata.value)
	}
}

// apply writes a validated update onto u (metadata already merged into metadata).
func (upd profileUpdate) apply(u *endUser, metadata map[string]any, at time.Time) {
	for _, f := range u.profile.stringFields() {
		v := upd.strings[f.name]
		switch {
		case !v.present:
		case v.null:
			*f.ptr = nil
		default:
			*f.ptr = &v.value
		}
	}
	u.profile.metadata = metadata
	if upd.sensitive.null {
		clear(u.sensitive)
	}
	for k, v := range upd.sensitive.value {
		if v == nil {
			delete(u.sensitive, k)
		} else {
			u.sensitive[k] = sensitiveValue{value: v, setAt: at}
		}
	}
}

// createEndUser is POST /v2/end-users/: 201 for a new end user; 200 and the existing end user,
// unchanged, when external_id is already mapped (idempotent upsert).
func (s *Sim) createEndUser(c *call) (int, any, *apiError) {
	obj, err := c.object(true)
	if err != nil {
		return 0, nil, err
	}
	extID, err := obj.stringField("external_id", "external_id")
	if err != nil {
		return 0, nil, err
	}
	hasExtID := extID.present && !extID.null
	if hasExtID {
		if err := validateExternalID(extID.value, "external_id"); err != nil {
			return 0, nil, err
		}
	}
	profileObj, _, err := obj.objectField("profile", "profile")
	if err != nil {
		return 0, nil, err
	}
	upd, err := parseProfile(profileObj, true) // a nil object parses as an empty profile
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	if hasExtID {
		if existing := s.endUsers.byExternalID[externalIDKey(extID.value)]; existing != nil {
			return http.StatusOK, existing.toJSON(), nil
		}
	}
	at := s.clock.Tick()
	u := s.newEndUser(at, true)
	if hasExtID {
		v := extID.value
		u.externalID = &v
		s.endUsers.byExternalID[externalIDKey(v)] = u
	}
	upd.apply(u, upd.resultMetadata(u.profile.metadata), at)
	s.audit(auditEndUser, u.id, u.auditName(), activityCreated)
	s.emit(EventEndUserCreated, at, u.toJSON())
	return http.StatusCreated, u.toJSON(), nil
}

// getEndUsers is GET /v2/end-users/: one end user by ?external_id (404 when unmapped), or a
// page of end users in creation order.
func (s *Sim) getEndUsers(c *call) (int, any, *apiError) {
	q := c.r.URL.Query()
	if q.Has("external_id") {
		if q.Has("cursor") || q.Has("limit") {
			return 0, nil, badRequest("external_id cannot be combined with cursor or limit.")
		}
		extID := q.Get("external_id")
		if err := validateExternalID(extID, "external_id"); err != nil {
			return 0, nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.sweepEndUsers()
		u := s.endUsers.byExternalID[externalIDKey(extID)]
		if u == nil {
			return 0, nil, notFound("No end user is mapped to external_id %q.", extID)
		}
		return http.StatusOK, u.toJSON(), nil
	}

	p, err := parsePageParams(q)
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	cursorSeq, err := s.endUsers.seqs.cursorSeq(p.cursor)
	if err != nil {
		return 0, nil, err
	}
	all := s.endUsers.order
	start := seqStart(all, func(u *endUser) int { return u.seq }, cursorSeq)
	page, next := pageFrom(all, start, p.limit, func(u *endUser) string { return u.id })
	body := listPage[endUserJSON]{Data: make([]endUserJSON, 0, len(page)), Meta: pageMeta{NextPageURL: nextPageURL(c.r, next, p.limit)}}
	for _, u := range page {
		body.Data = append(body.Data, u.toJSON())
	}
	return http.StatusOK, body, nil
}

// getEndUser is GET /v2/end-users/{end_user_id}.
func (s *Sim) getEndUser(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	u := s.endUsers.byID[c.id]
	if u == nil {
		return 0, nil, notFound("End user %q not found.", c.id)
	}
	return http.StatusOK, u.toJSON(), nil
}

// patchEndUser is PATCH /v2/end-users/{end_user_id}: profile is required (may be {});
// external_id sets, changes (409 if another end user has it) or clears (null) the mapping.
func (s *Sim) patchEndUser(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	profileObj, present, err := obj.objectField("profile", "profile")
	if err != nil {
		return 0, nil, err
	}
	if profileObj == nil {
		if present {
			return 0, nil, invalidField("profile", "profile must be an object; send {} to change nothing in it.")
		}
		return 0, nil, invalidField("profile", "profile is required; send {} to change only external_id.")
	}
	upd, err := parseProfile(profileObj, false)
	if err != nil {
		return 0, nil, err
	}
	extID, err := obj.stringField("external_id", "external_id")
	if err != nil {
		return 0, nil, err
	}
	if extID.present && !extID.null {
		if err := validateExternalID(extID.value, "external_id"); err != nil {
			return 0, nil, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	u := s.endUsers.byID[c.id]
	if u == nil {
		return 0, nil, notFound("End user %q not found.", c.id)
	}
	if extID.present && !extID.null {
		if owner := s.endUsers.byExternalID[externalIDKey(extID.value)]; owner != nil && owner != u {
			return 0, nil, conflict("external_id %q is already assigned to a different end user.", extID.value)
		}
	}
	metadata := upd.resultMetadata(u.profile.metadata)
	if err := checkMetadataSize(metadata, "profile.metadata", endUserMetadataMaxBytes); err != nil {
		return 0, nil, err
	}

	// Every successful PATCH is a save: updated_at moves (an assumption). The webhook
	// v1.end_user.updated fires only when a profile value changes (seed "Getting started").
	profileBefore, _ := json.Marshal(u.toJSON().Profile)
	at := s.clock.Tick()
	if extID.present {
		if u.externalID != nil {
			delete(s.endUsers.byExternalID, externalIDKey(*u.externalID))
			u.externalID = nil
		}
		if !extID.null {
			v := extID.value
			u.externalID = &v
			s.endUsers.byExternalID[externalIDKey(v)] = u
		}
	}
	upd.apply(u, metadata, at)
	u.updatedAt = at
	s.audit(auditEndUser, u.id, u.auditName(), activityUpdated)
	if profileAfter, _ := json.Marshal(u.toJSON().Profile); string(profileAfter) != string(profileBefore) {
		s.emit(EventEndUserUpdated, at, u.toJSON())
	}
	return http.StatusOK, u.toJSON(), nil
}

// attach marks an end user as part of a conversation: it is no longer deleted after 24
// hours. Callers hold mu.
func (u *endUser) attach() { u.expires = false }
