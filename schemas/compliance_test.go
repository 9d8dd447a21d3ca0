package schemas_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

func TestGetJobStatusResult(t *testing.T) {
	reason, variable := "No end user has this end_user_id.", "plan"
	job := &adaclient.DeletionJob{JobID: "j1", Status: adaclient.JobFailed, Identifiers: []adaclient.IdentifierDisposition{
		{Type: "email", Value: "a@example.com", Disposition: "accepted", MatchedChatters: 2},
		{Type: "end_user_id", Value: "u9", Disposition: "not_found", Reason: &reason},
		{Type: "variable_match", Value: "gold", Variable: &variable, Disposition: "not_found"},
	}}
	out := schemas.GetJobStatusResultFrom(job)
	if !out.Done || fmt.Sprint(out.Dispositions) != "map[accepted:1 not_found:2]" || !strings.Contains(out.Note, "7 days") ||
		out.Identifiers[1].Reason != reason || out.Identifiers[2].Variable != "plan" || out.Identifiers[0].MatchedChatters != 2 {
		t.Fatalf("%+v", out)
	}
	job.Status = adaclient.JobInProgress
	if out := schemas.GetJobStatusResultFrom(job); out.Done || !strings.Contains(out.Note, "30 days") {
		t.Fatalf("%+v", out)
	}
	job.Status = "archived" // a status Ada may add: not taken as final
	if out := schemas.GetJobStatusResultFrom(job); out.Done {
		t.Fatalf("%+v", out)
	}
}

func TestDeleteEndUserDataRequest(t *testing.T) {
	a := &schemas.DeleteEndUserDataArgs{ClientReference: "t-1", Identifiers: []schemas.DeletionIdentifier{
		{Type: "email", Value: "a@example.com"}, {Type: "variable_match", Value: "gold", Variable: "plan"}}}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	req := a.Request()
	if req.ClientReference != "t-1" || len(req.Identifiers) != 2 || req.Identifiers[1].Variable != "plan" {
		t.Fatalf("%+v", req)
	}
	ok := schemas.DeleteEndUserDataResultFrom(a, &adaclient.DeletionRequestAccepted{JobID: "j", Status: "queued", SubmittedCount: 2})
	if ok.Warning != "" || !strings.Contains(ok.Note, "get_job_status") {
		t.Fatalf("%+v", ok)
	}
	if other := schemas.DeleteEndUserDataResultFrom(a, &adaclient.DeletionRequestAccepted{JobID: "j", SubmittedCount: 5}); !strings.Contains(other.Warning, "not submitted") {
		t.Fatalf("%+v", other)
	}
}
