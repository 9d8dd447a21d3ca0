package tools

import (
	"context"
	"net/http"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetCompliance = "compliance"

func complianceTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "delete_end_user_data", title: "Erase end users' data", toolset: toolsetCompliance, hints: destroys,
			description: "Irreversibly erase end users (profile, conversations, messages) named by 1-1000 identifiers, in an Ada job. Repeating with the same client_reference within 24 h returns that job instead of erasing again. Then get_job_status.",
		}, d, deleteEndUserData),
		newTool(meta{
			name: "get_job_status", title: "Get a deletion job's status", toolset: toolsetCompliance, hints: reads,
			description: "Get a delete_end_user_data job: status (queued, in_progress, then completed, partial or failed) and each identifier's disposition. Completion can take up to 30 days.",
		}, d, getJobStatus),
	}
}

func deleteEndUserData(ctx context.Context, env *Env, a *schemas.DeleteEndUserDataArgs) (*schemas.DeleteEndUserDataResult, error) {
	acc, _, err := env.Client.Compliance.DeleteEndUsers(ctx, a.Request())
	if err != nil {
		return nil, deletionHint(err)
	}
	// Within 24 h a client_reference returns its first job, whatever the
	// identifiers now: read the job to tell a repeat (the same identifiers)
	// from a new request that Ada did not submit. A job that lists no
	// identifiers tells neither: "not submitted" would be a guess, and
	// submitting again could erase twice.
	job, _, jerr := env.Client.Compliance.Job(ctx, acc.JobID)
	checked := jerr == nil && len(job.Identifiers) > 0
	if checked && !schemas.SameIdentifiers(a.Identifiers, job.Identifiers) {
		return nil, plainf(nil, "Not submitted: client_reference %q already names job %s (created %s, %d identifiers), which holds other identifiers; "+
			"Ada returned that job and erases nothing of this request. To erase these identifiers, call again with a new client_reference.",
			a.ClientReference, acc.JobID, job.CreatedAt, len(job.Identifiers))
	}
	res := schemas.DeleteEndUserDataResultFrom(a, acc)
	if jerr == nil {
		res.Status = job.Status // as read back: it may have moved on
	}
	if !checked && res.Warning == "" {
		res.Warning = "Could not check that the job holds these identifiers (a client_reference used before returns its earlier job): check with get_job_status before submitting again."
	}
	return res, nil
}

// deletionHint: Ada's refusals say what to fix; anything else (a 5xx, a timeout, a 429) may
// or may not have created the job, and the client_reference makes trying again safe.
func deletionHint(err error) error {
	switch status := adaclient.StatusCode(err); {
	case status == http.StatusForbidden:
		return withHint(err, "The API key may lack access to Ada's Bulk End-User Deletion API.")
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		return withHint(err, "Check each identifier's type and value.")
	}
	return withHint(err, "Calling again with the same client_reference is safe: within 24 h Ada returns the same job rather than erasing twice.")
}

func getJobStatus(ctx context.Context, env *Env, a *schemas.GetJobStatusArgs) (*schemas.GetJobStatusResult, error) {
	j, _, err := env.Client.Compliance.Job(ctx, a.JobID)
	if adaclient.IsNotFound(err) {
		return nil, withHint(err, "No such job for this AI Agent: use the job_id delete_end_user_data returned.")
	}
	if err != nil {
		return nil, err
	}
	return schemas.GetJobStatusResultFrom(j), nil
}
