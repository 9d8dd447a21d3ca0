package schemas

import (
	"fmt"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// DeletionIdentifier names the end user(s) to erase.
type DeletionIdentifier struct {
	Type     string `json:"type" jsonschema:"required,enum=email,enum=chatter_id,enum=external_id,enum=end_user_id,enum=variable_match"`
	Value    string `json:"value" jsonschema:"required"`
	Variable string `json:"variable,omitempty" jsonschema_description:"variable_match only: the stored variable whose value must equal value."`
}

// DeleteEndUserDataArgs are delete_end_user_data's arguments.
type DeleteEndUserDataArgs struct {
	Identifiers     []DeletionIdentifier `json:"identifiers" jsonschema:"required,minItems=1,maxItems=1000" jsonschema_description:"More than 1000: split them, each part with its own client_reference."`
	ClientReference string               `json:"client_reference" jsonschema:"required" jsonschema_description:"Your unique key for this erasure (a ticket id, say): the same key within 24 h returns the same job."`
}

// Validate checks what Ada would reject, and what it would only mark invalid, before anything
// is sent: 1-1000 identifiers of a documented type with a value (an email with an @),
// variable exactly for variable_match, a client_reference, and a body of at most 512 KB. No
// message quotes a value (an email, say).
func (a *DeleteEndUserDataArgs) Validate() error {
	if strings.TrimSpace(a.ClientReference) == "" {
		return argErr("client_reference", "is required: a key of your own for this erasure (a ticket id, say), so that repeating the call cannot erase twice")
	}
	if len(a.Identifiers) == 0 {
		return argErr("identifiers", "give at least one identifier")
	}
	if len(a.Identifiers) > adaclient.MaxDeletionIdentifiers {
		return argErr("identifiers", "has %d identifiers; Ada accepts at most %d per request: split them, each part with its own client_reference", len(a.Identifiers), adaclient.MaxDeletionIdentifiers)
	}
	for i, id := range a.Identifiers {
		field := fmt.Sprintf("identifiers[%d]", i)
		switch {
		case strings.TrimSpace(id.Value) == "":
			return argErr(field+".value", "is required")
		case id.Type == adaclient.IdentifierEmail && !looksLikeEmail(strings.TrimSpace(id.Value)):
			return argErr(field+".value", "is not an email address")
		case id.Type == adaclient.IdentifierVariableMatch && strings.TrimSpace(id.Variable) == "":
			return argErr(field+".variable", "is required for variable_match: the name of the variable to match")
		case id.Type != adaclient.IdentifierVariableMatch && id.Variable != "":
			return argErr(field+".variable", "is only for variable_match")
		}
	}
	return a.Request().Validate() // the documented types, and the 512 KB
}

func looksLikeEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(v, " \t\r\n") && !strings.Contains(domain, "@")
}

// Request converts the arguments.
func (a *DeleteEndUserDataArgs) Request() *adaclient.DeletionRequest {
	req := &adaclient.DeletionRequest{ClientReference: a.ClientReference, Identifiers: make([]adaclient.DeletionIdentifier, len(a.Identifiers))}
	for i, id := range a.Identifiers {
		req.Identifiers[i] = adaclient.DeletionIdentifier{Type: id.Type, Value: id.Value, Variable: id.Variable}
	}
	return req
}

// SameIdentifiers reports whether a job holds exactly the identifiers
// given (in any order; Ada keeps each value as submitted): a repeat of the
// request, not another request under a client_reference used before.
func SameIdentifiers(given []DeletionIdentifier, job []adaclient.IdentifierDisposition) bool {
	if len(given) != len(job) {
		return false
	}
	count := make(map[DeletionIdentifier]int, len(given))
	for _, id := range given {
		count[id]++
	}
	for _, d := range job {
		id := DeletionIdentifier{Type: d.Type, Value: d.Value}
		if d.Variable != nil {
			id.Variable = *d.Variable
		}
		if count[id] == 0 {
			return false
		}
		count[id]--
	}
	return true
}

// DeleteEndUserDataResult is delete_end_user_data's result.
type DeleteEndUserDataResult struct {
	JobID           string `json:"job_id" jsonschema:"required"`
	Status          string `json:"status" jsonschema:"required"`
	SubmittedCount  int    `json:"submitted_count" jsonschema:"required"`
	CreatedAt       string `json:"created_at,omitempty"`
	ClientReference string `json:"client_reference" jsonschema:"required"`
	Note            string `json:"note" jsonschema:"required"`
	Warning         string `json:"warning,omitempty"`
}

// DeleteEndUserDataResultFrom converts Ada's answer. A submitted_count other than the
// identifiers given means Ada returned an earlier job of the same client_reference: the
// warning says this call's identifiers were not submitted.
func DeleteEndUserDataResultFrom(a *DeleteEndUserDataArgs, acc *adaclient.DeletionRequestAccepted) *DeleteEndUserDataResult {
	out := &DeleteEndUserDataResult{JobID: acc.JobID, Status: acc.Status, SubmittedCount: acc.SubmittedCount, CreatedAt: acc.CreatedAt,
		ClientReference: a.ClientReference,
		Note:            "Erasure is asynchronous and can take up to 30 days: follow it with get_job_status(job_id)."}
	if acc.SubmittedCount != len(a.Identifiers) {
		out.Warning = fmt.Sprintf("Ada returned an earlier job of this client_reference, with %d identifiers, not the %d given: these were not submitted. "+
			"To erase them, call again with a new client_reference.", acc.SubmittedCount, len(a.Identifiers))
	}
	return out
}

// GetJobStatusArgs are get_job_status' arguments.
type GetJobStatusArgs struct {
	JobID string `json:"job_id" jsonschema:"required"`
}

// Validate rejects an empty id (and "." or "..", which would name another path).
func (a *GetJobStatusArgs) Validate() error {
	return validateID("job_id", a.JobID, "delete_end_user_data returns it")
}

// IdentifierOutcome is what a job did with one identifier.
type IdentifierOutcome struct {
	Type            string `json:"type" jsonschema:"required"`
	Value           string `json:"value" jsonschema:"required"`
	Variable        string `json:"variable,omitempty"`
	Disposition     string `json:"disposition" jsonschema:"required" jsonschema_description:"accepted (erased), not_found, invalid, exceeds_limit or duplicate."`
	MatchedChatters int    `json:"matched_chatters"`
	Reason          string `json:"reason,omitempty"`
}

// GetJobStatusResult is get_job_status' result.
type GetJobStatusResult struct {
	JobID           string `json:"job_id" jsonschema:"required"`
	Status          string `json:"status" jsonschema:"required"`
	Done            bool   `json:"done" jsonschema:"required" jsonschema_description:"The status is final."`
	ClientReference string `json:"client_reference,omitempty"`
	CreatedAt       string `json:"created_at,omitempty"`
	CompletedAt     string `json:"completed_at,omitempty"`
	FailureReason   string `json:"failure_reason,omitempty"`
	// Dispositions counts the identifiers by disposition.
	Dispositions map[string]int      `json:"dispositions" jsonschema:"required"`
	Identifiers  []IdentifierOutcome `json:"identifiers" jsonschema:"required"`
	Note         string              `json:"note,omitempty"`
}

// GetJobStatusResultFrom converts Ada's job.
func GetJobStatusResultFrom(j *adaclient.DeletionJob) *GetJobStatusResult {
	out := &GetJobStatusResult{JobID: j.JobID, Status: j.Status, Done: j.Terminal(), ClientReference: str(j.ClientReference),
		CreatedAt: j.CreatedAt, CompletedAt: str(j.CompletedAt), FailureReason: str(j.FailureReason),
		Dispositions: map[string]int{}, Identifiers: make([]IdentifierOutcome, len(j.Identifiers))}
	for i, id := range j.Identifiers {
		out.Identifiers[i] = IdentifierOutcome{Type: id.Type, Value: id.Value, Variable: str(id.Variable), Disposition: id.Disposition,
			MatchedChatters: id.MatchedChatters, Reason: str(id.Reason)}
		out.Dispositions[id.Disposition]++
	}
	switch {
	case !out.Done:
		out.Note = "Not finished: erasure can take up to 30 days. Call get_job_status again later."
	case j.Status == adaclient.JobFailed:
		out.Note = "The job failed. One cause Ada documents: an identifier submitted in the previous 7 days can fail a whole job."
	}
	return out
}

// Destruction names what delete_end_user_data erases, for the confirmation:
// how many identifiers of each type, never their values.
func (a *DeleteEndUserDataArgs) Destruction() string {
	counts := map[string]int{}
	var types []string
	for _, id := range a.Identifiers {
		if counts[id.Type] == 0 {
			types = append(types, id.Type)
		}
		counts[id.Type]++
	}
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%d by %s", counts[t], t)
	}
	return fmt.Sprintf("all data (profiles, conversations, messages) of the end users matching %d identifier(s) (%s), irreversibly; reference %q",
		len(a.Identifiers), strings.Join(parts, ", "), a.ClientReference)
}
