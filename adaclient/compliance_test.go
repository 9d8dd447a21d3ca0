package adaclient_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const (
	acceptedJSON = `{"job_id":"j1","status":"queued","submitted_count":2,"created_at":"2026-07-14T10:00:00Z"}`
	jobJSON      = `{"job_id":"j1","type":"end_user_deletion","client_reference":"t-1","status":"completed","identifiers":[` +
		`{"type":"email","value":"a@example.com","variable":null,"disposition":"accepted","matched_chatters":2,"reason":null},` +
		`{"type":"variable_match","value":"gold","variable":"plan","disposition":"not_found","matched_chatters":0,"reason":null,"future":1}],` +
		`"created_at":"2026-07-14T10:00:00Z","completed_at":"2026-07-15T10:00:00Z","failure_reason":null}`
)

func TestComplianceRequestsMatchAdasPaths(t *testing.T) {
	rec := newRecorder(t, status(202, acceptedJSON), status(200, jobJSON))
	c := rec.client(t)
	ctx := context.Background()
	acc, r, err := c.Compliance.DeleteEndUsers(ctx, &adaclient.DeletionRequest{ClientReference: "t-1", Identifiers: []adaclient.DeletionIdentifier{
		{Type: adaclient.IdentifierEmail, Value: "a@example.com"}, {Type: adaclient.IdentifierVariableMatch, Value: "gold", Variable: "plan"}}})
	if err != nil || acc.JobID != "j1" || acc.SubmittedCount != 2 || r.StatusCode != 202 {
		t.Fatalf("DeleteEndUsers = %+v, %v", acc, err)
	}
	job, _, err := c.Compliance.Job(ctx, "j1")
	if err != nil || !job.Terminal() || len(job.Identifiers) != 2 || job.Identifiers[0].MatchedChatters != 2 ||
		*job.Identifiers[1].Variable != "plan" || job.CompletedAt == nil {
		t.Fatalf("Job = %+v, %v", job, err)
	}
	reqs := rec.requests()
	if reqs[0].Method != "POST" || reqs[0].Path != "/api/v2/end-users/delete" || reqs[0].ContentType != "application/json" ||
		string(reqs[0].Body) != `{"identifiers":[{"type":"email","value":"a@example.com"},{"type":"variable_match","value":"gold","variable":"plan"}],"client_reference":"t-1"}` {
		t.Fatalf("POST = %+v %s", reqs[0], reqs[0].Body)
	}
	if reqs[1].Method != "GET" || reqs[1].Path != "/api/v2/jobs/j1" {
		t.Fatalf("GET = %+v", reqs[1])
	}
	for status, terminal := range map[string]bool{"queued": false, "in_progress": false, "completed": true, "partial": true, "failed": true, "paused": false} {
		if got := (&adaclient.DeletionJob{Status: status}).Terminal(); got != terminal {
			t.Errorf("Terminal(%s) = %v", status, got)
		}
	}
}

// The deletion POST is repeated only with a client_reference, Ada's idempotency key.
func TestDeletionIsRetriedOnlyWithAClientReference(t *testing.T) {
	ids := []adaclient.DeletionIdentifier{{Type: adaclient.IdentifierEndUserID, Value: "u1"}}
	t.Run("with a reference", func(t *testing.T) {
		rec := newRecorder(t, status(500, errorJSON), status(202, acceptedJSON))
		if _, _, err := rec.client(t).Compliance.DeleteEndUsers(context.Background(), &adaclient.DeletionRequest{Identifiers: ids, ClientReference: "r"}); err != nil {
			t.Fatal(err)
		}
		if n := rec.count.Load(); n != 2 {
			t.Fatalf("requests = %d, want 2", n)
		}
	})
	t.Run("without one", func(t *testing.T) {
		rec := newRecorder(t, status(500, errorJSON), status(202, acceptedJSON))
		_, _, err := rec.client(t).Compliance.DeleteEndUsers(context.Background(), &adaclient.DeletionRequest{Identifiers: ids})
		var ou *adaclient.OutcomeUnknownError
		if !errors.As(err, &ou) || rec.count.Load() != 1 {
			t.Fatalf("err = %v, requests = %d; want outcome unknown after 1", err, rec.count.Load())
		}
	})
	t.Run("an unknown job is not found", func(t *testing.T) {
		rec := newRecorder(t, status(404, `{"errors":[{"type":"not_found","message":"no job"}]}`))
		if _, _, err := rec.client(t).Compliance.Job(context.Background(), "nope"); !adaclient.IsNotFound(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestDeletionValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(202, acceptedJSON))
	c := rec.client(t)
	one := func(id adaclient.DeletionIdentifier) []adaclient.DeletionIdentifier {
		return []adaclient.DeletionIdentifier{id}
	}
	many := make([]adaclient.DeletionIdentifier, 1001)
	for i := range many {
		many[i] = adaclient.DeletionIdentifier{Type: adaclient.IdentifierEndUserID, Value: fmt.Sprint(i)}
	}
	big := make([]adaclient.DeletionIdentifier, 1000)
	for i := range big {
		big[i] = adaclient.DeletionIdentifier{Type: adaclient.IdentifierExternalID, Value: strings.Repeat("x", 520)}
	}
	cases := []struct {
		field string
		req   *adaclient.DeletionRequest
	}{
		{"identifiers", nil},
		{"identifiers", &adaclient.DeletionRequest{}},
		{"identifiers", &adaclient.DeletionRequest{Identifiers: many}},
		{"identifiers", &adaclient.DeletionRequest{Identifiers: big}},
		{"identifiers[0].type", &adaclient.DeletionRequest{Identifiers: one(adaclient.DeletionIdentifier{Type: "phone", Value: "1"})}},
		{"identifiers[0].value", &adaclient.DeletionRequest{Identifiers: one(adaclient.DeletionIdentifier{Type: "email", Value: " "})}},
		{"identifiers[0].variable", &adaclient.DeletionRequest{Identifiers: one(adaclient.DeletionIdentifier{Type: "variable_match", Value: "gold"})}},
		{"identifiers[0].variable", &adaclient.DeletionRequest{Identifiers: one(adaclient.DeletionIdentifier{Type: "email", Value: "a@b.c", Variable: "x"})}},
		{"client_reference", &adaclient.DeletionRequest{Identifiers: one(adaclient.DeletionIdentifier{Type: "email", Value: "a@b.c"}), ClientReference: " "}},
	}
	for _, tc := range cases {
		_, _, err := c.Compliance.DeleteEndUsers(context.Background(), tc.req)
		var v *adaclient.ValidationError
		if !errors.As(err, &v) || v.Field != tc.field {
			t.Errorf("%s: err = %v", tc.field, err)
		}
		if v != nil && strings.Contains(v.Reason, "xxxx") {
			t.Errorf("the reason quotes a value: %s", v.Reason)
		}
	}
	for _, id := range []string{"", " ", ".."} {
		if _, _, err := c.Compliance.Job(context.Background(), id); err == nil {
			t.Errorf("Job(%q) sent", id)
		}
	}
	if n := rec.count.Load(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
