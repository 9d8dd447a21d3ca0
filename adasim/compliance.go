package adasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bulk End-User Deletion API (ada-api.md section 6; Ada's OpenAPI /v2/end-users/delete and
// /v2/jobs/{job_id}): a request names end users by up to 1000 identifiers and creates an
// asynchronous job; the job erases every accepted end user with their conversations and
// messages.

const (
	deletionMaxBodyBytes   = 512 << 10 // 413 beyond (KB taken as 1024 bytes)
	deletionMaxIdentifiers = 1000
	deletionIdempotency    = 24 * time.Hour     // a client_reference returns its job for 24 hours
	deletionCooldown       = 7 * 24 * time.Hour // an identifier submitted again within 7 days fails its job
	deletionJobType        = "end_user_deletion"
	// deletionCooldownFailure is the failure_reason of a job failed by the cooldown (Ada says
	// only that it is opaque and machine-readable).
	deletionCooldownFailure = "identifier_in_cooldown"
)

// Identifier types, job statuses and dispositions of Ada's document.
const (
	identifierEmail         = "email"
	identifierChatterID     = "chatter_id"
	identifierExternalID    = "external_id"
	identifierEndUserID     = "end_user_id"
	identifierVariableMatch = "variable_match"

	jobQueued     = "queued"
	jobInProgress = "in_progress"
	jobCompleted  = "completed"
	jobFailed     = "failed"

	dispositionAccepted  = "accepted"
	dispositionNotFound  = "not_found"
	dispositionInvalid   = "invalid"
	dispositionDuplicate = "duplicate"
)

var identifierTypes = []string{identifierEmail, identifierChatterID, identifierExternalID, identifierEndUserID, identifierVariableMatch}

// deletionJob is one erasure job. Its status moves one step per GET: queued (as submitted),
// in_progress, then completed (the accepted end users erased) or failed (the cooldown).
type deletionJob struct {
	id          string
	reference   *string
	status      string
	identifiers []jobIdentifier
	createdAt   time.Time
	completedAt time.Time
	failure     string
	cooldown    bool // an identifier was submitted within the previous 7 days: the job fails
}

// jobIdentifier is a submitted identifier and its outcome, decided at intake.
type jobIdentifier struct {
	typ, value  string
	variable    *string
	disposition string
	reason      *string
	matched     []string // the end users it selects, by id
}

type jobStore struct {
	byID        map[string]*deletionJob
	byReference map[string]*deletionJob // client_reference → its latest job
	submitted   map[string]time.Time    // identifier key → when it was last submitted
}

func newJobStore() *jobStore {
	return &jobStore{byID: map[string]*deletionJob{}, byReference: map[string]*deletionJob{}, submitted: map[string]time.Time{}}
}

type deletionAcceptedJSON struct {
	JobID          string `json:"job_id"`
	Status         string `json:"status"`
	SubmittedCount int    `json:"submitted_count"`
	CreatedAt      string `json:"created_at"`
}

type identifierDispositionJSON struct {
	Type            string  `json:"type"`
	Value           string  `json:"value"`
	Variable        *string `json:"variable"`
	Disposition     string  `json:"disposition"`
	MatchedChatters int     `json:"matched_chatters"`
	Reason          *string `json:"reason"`
}

type deletionJobJSON struct {
	JobID           string                      `json:"job_id"`
	Type            string                      `json:"type"`
	ClientReference *string                     `json:"client_reference"`
	Status          string                      `json:"status"`
	Identifiers     []identifierDispositionJSON `json:"identifiers"`
	CreatedAt       string                      `json:"created_at"`
	CompletedAt     *string                     `json:"completed_at"`
	FailureReason   *string                     `json:"failure_reason"`
}

func (j *deletionJob) accepted() deletionAcceptedJSON {
	return deletionAcceptedJSON{JobID: j.id, Status: j.status, SubmittedCount: len(j.identifiers), CreatedAt: formatTime(j.createdAt)}
}

func (j *deletionJob) toJSON() deletionJobJSON {
	out := deletionJobJSON{JobID: j.id, Type: deletionJobType, ClientReference: copyString(j.reference), Status: j.status,
		Identifiers: make([]identifierDispositionJSON, 0, len(j.identifiers)), CreatedAt: formatTime(j.createdAt)}
	if !j.completedAt.IsZero() {
		at := formatTime(j.completedAt)
		out.CompletedAt = &at
	}
	if j.failure != "" {
		f := j.failure
		out.FailureReason = &f
	}
	for _, id := range j.identifiers {
		out.Identifiers = append(out.Identifiers, identifierDispositionJSON{Type: id.typ, Value: id.value,
			Variable: copyString(id.variable), Disposition: id.disposition, MatchedChatters: len(id.matched), Reason: copyString(id.reason)})
	}
	return out
}

// parseDeletionRequest reads a DeletionRequest: identifiers (1-1000 objects with a documented
// type and a string value; variable string|null) and client_reference (string|null). A body
// that breaks the document is 400; an identifier that follows it but cannot name anyone is
// accepted and gets the disposition invalid.
func parseDeletionRequest(obj jsonObject) ([]jobIdentifier, *string, *apiError) {
	raw, ok := obj["identifiers"]
	if !ok || isNull(raw) {
		return nil, nil, invalidField("identifiers", "identifiers is required.")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, nil, invalidField("identifiers", "identifiers must be an array.")
	}
	if len(items) == 0 || len(items) > deletionMaxIdentifiers {
		return nil, nil, invalidField("identifiers", "identifiers must hold 1 to %d identifiers.", deletionMaxIdentifiers)
	}
	ids := make([]jobIdentifier, 0, len(items))
	for i, item := range items {
		path := fmt.Sprintf("identifiers[%d]", i)
		o, err := parseObject(item, false)
		if err != nil {
			return nil, nil, invalidField(path, "%s must be an object.", path)
		}
		var id jobIdentifier
		if id.typ, err = o.requiredString("type", path+".type"); err != nil {
			return nil, nil, err
		}
		if !slices.Contains(identifierTypes, id.typ) {
			return nil, nil, invalidField(path+".type", "%s.type must be one of %s.", path, strings.Join(identifierTypes, ", "))
		}
		if id.value, err = o.requiredString("value", path+".value"); err != nil {
			return nil, nil, err
		}
		variable, err := o.stringField("variable", path+".variable")
		if err != nil {
			return nil, nil, err
		}
		if variable.present && !variable.null {
			v := variable.value
			id.variable = &v
		}
		ids = append(ids, id)
	}
	ref, err := obj.stringField("client_reference", "client_reference")
	if err != nil {
		return nil, nil, err
	}
	var reference *string
	if ref.present && !ref.null {
		v := ref.value
		reference = &v
	}
	return ids, reference, nil
}

// identifierKey is how an identifier is compared with others: email and external_id values
// trimmed and lowercased (as Ada normalizes them), the others as given.
func (id *jobIdentifier) key() string {
	value := id.value
	if id.typ == identifierEmail || id.typ == identifierExternalID {
		value = strings.ToLower(strings.TrimSpace(value))
	}
	variable := ""
	if id.variable != nil {
		variable = *id.variable
	}
	return id.typ + "\x00" + variable + "\x00" + value
}

// invalidReason says why an identifier cannot name anyone, or "".
func (id *jobIdentifier) invalidReason() string {
	hasVariable := id.variable != nil && strings.TrimSpace(*id.variable) != ""
	switch {
	case strings.TrimSpace(id.value) == "":
		return "The value is empty."
	case id.typ == identifierEmail && !looksLikeEmail(strings.TrimSpace(id.value)):
		return "The value is not an email address."
	case id.typ == identifierVariableMatch && !hasVariable:
		return "variable is required for variable_match."
	case id.typ != identifierVariableMatch && hasVariable:
		return "variable applies only to variable_match."
	}
	return ""
}

func looksLikeEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(domain, "@ ") && !strings.Contains(local, " ")
}

// matchEndUsers returns the ids of the end users an identifier selects, in creation order:
// by email (case-insensitive), chatter_id or end_user_id (the simulator's chatters are its end
// users), external_id (case-insensitive, trimmed), or variable_match (a profile metadata value,
// written as text, equal to value). Callers hold mu.
func (s *Sim) matchEndUsers(id *jobIdentifier) []string {
	value := strings.TrimSpace(id.value)
	var out []string
	for _, u := range s.endUsers.order {
		var hit bool
		switch id.typ {
		case identifierEmail:
			hit = u.profile.email != nil && strings.EqualFold(strings.TrimSpace(*u.profile.email), value)
		case identifierChatterID, identifierEndUserID:
			hit = u.id == id.value
		case identifierExternalID:
			hit = u.externalID != nil && externalIDKey(strings.TrimSpace(*u.externalID)) == externalIDKey(value)
		case identifierVariableMatch:
			v, ok := u.profile.metadata[*id.variable]
			hit = ok && metadataText(v) == id.value
		}
		if hit {
			out = append(out, u.id)
		}
	}
	return out
}

// metadataText writes a metadata value as text: strings as they are, numbers and booleans as
// JSON writes them.
func metadataText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// notFoundReason is the reason of a not_found: set for the ID-based types, null for email and
// variable_match, as Ada's document describes.
func notFoundReason(typ string) *string {
	var r string
	switch typ {
	case identifierEndUserID:
		r = "No end user has this end_user_id."
	case identifierChatterID:
		r = "No chatter has this chatter_id."
	case identifierExternalID:
		r = "No end user has this external_id."
	default:
		return nil
	}
	return &r
}

// readDeletionBody reads the body, at most 512 KB (413 beyond, with Ada's advice).
func readDeletionBody(c *call) ([]byte, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, deletionMaxBodyBytes))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, errType: "content_too_large",
				message: "The request body exceeds the maximum size of 512 KB. Split the identifiers across multiple requests."}
		}
		return nil, badRequest("The request body could not be read.")
	}
	return data, nil
}

// submitDeletion is POST /v2/end-users/delete: 202 and the job. A client_reference used within
// the past 24 hours returns that job, whatever the identifiers (the reference is the
// idempotency key; what Ada does with a different body under a used reference is not
// documented). Each identifier's disposition is decided at intake: invalid (see
// invalidReason), duplicate (an identifier already in this request), accepted (it selects
// end users: matched_chatters counts them) or not_found.
func (s *Sim) submitDeletion(c *call) (int, any, *apiError) {
	data, err := readDeletionBody(c)
	if err != nil {
		return 0, nil, err
	}
	obj, err := parseObject(data, false)
	if err != nil {
		return 0, nil, err
	}
	ids, reference, err := parseDeletionRequest(obj)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepEndUsers()
	now := s.clock.Now()
	if reference != nil {
		if j := s.jobs.byReference[*reference]; j != nil && now.Before(j.createdAt.Add(deletionIdempotency)) {
			return http.StatusAccepted, j.accepted(), nil
		}
	}
	job := &deletionJob{id: s.newID(), reference: reference, status: jobQueued, createdAt: s.clock.Tick()}
	seen := map[string]bool{}
	for i := range ids {
		id := &ids[i]
		if reason := id.invalidReason(); reason != "" {
			id.disposition, id.reason = dispositionInvalid, &reason
			continue
		}
		key := id.key()
		if seen[key] {
			id.disposition = dispositionDuplicate
			continue
		}
		seen[key] = true
		if last, ok := s.jobs.submitted[key]; ok && job.createdAt.Before(last.Add(deletionCooldown)) {
			job.cooldown = true
		}
		if id.matched = s.matchEndUsers(id); len(id.matched) > 0 {
			id.disposition = dispositionAccepted
		} else {
			id.disposition, id.reason = dispositionNotFound, notFoundReason(id.typ)
		}
	}
	for key := range seen {
		s.jobs.submitted[key] = job.createdAt
	}
	job.identifiers = ids
	s.jobs.byID[job.id] = job
	if reference != nil {
		s.jobs.byReference[*reference] = job
	}
	return http.StatusAccepted, job.accepted(), nil
}

// getDeletionJob is GET /v2/jobs/{job_id}: the job, one step further along than the last read
// (queued → in_progress → completed or failed; an assumption standing in for Ada's up to 30
// days); 404 for an unknown job.
func (s *Sim) getDeletionJob(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	job := s.jobs.byID[c.id]
	if job == nil {
		return 0, nil, notFound("No deletion job %q exists for this AI Agent.", c.id)
	}
	switch job.status {
	case jobQueued:
		job.status = jobInProgress
	case jobInProgress:
		s.finishJob(job)
	}
	return http.StatusOK, job.toJSON(), nil
}

// finishJob ends a job: failed, erasing nothing, when an identifier was in its 7-day cooldown
// ("a single identifier in that cooldown can fail an entire job"); else completed, the end
// users of the accepted identifiers erased. Callers hold mu.
func (s *Sim) finishJob(job *deletionJob) {
	job.completedAt = s.clock.Tick()
	if job.cooldown {
		job.status, job.failure = jobFailed, deletionCooldownFailure
		return
	}
	job.status = jobCompleted
	for _, id := range job.identifiers {
		if id.disposition != dispositionAccepted {
			continue
		}
		for _, endUserID := range id.matched {
			s.eraseEndUser(endUserID)
		}
	}
}

// eraseEndUser deletes an end user (if still there) with their external_id mapping,
// sensitive values, conversations and messages, and the AI Agent's pending replies in them. It
// emits no webhook: Ada documents none for erasure. Callers hold mu.
func (s *Sim) eraseEndUser(endUserID string) {
	if u := s.endUsers.byID[endUserID]; u != nil {
		delete(s.endUsers.byID, u.id)
		if u.externalID != nil && s.endUsers.byExternalID[externalIDKey(*u.externalID)] == u {
			delete(s.endUsers.byExternalID, externalIDKey(*u.externalID))
		}
		s.endUsers.order = slices.DeleteFunc(s.endUsers.order, func(o *endUser) bool { return o == u })
	}
	for _, cv := range slices.Collect(maps.Values(s.conversations)) {
		if cv.endUserID != endUserID {
			continue
		}
		s.dropPendingReplies(cv)
		delete(s.conversations, cv.id)
		s.conversationOrder = slices.DeleteFunc(s.conversationOrder, func(o *conversation) bool { return o == cv })
	}
}
