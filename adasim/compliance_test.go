package adasim_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

var (
	jobStatuses  = []string{"queued", "in_progress", "completed", "partial", "failed"}
	dispositions = []string{"accepted", "not_found", "invalid", "exceeds_limit", "duplicate"}
)

func checkDeletionAccepted(body object, fail failFunc) {
	if !hexID.MatchString(str(body["job_id"])) || !slices.Contains(jobStatuses, str(body["status"])) {
		fail("job_id/status")
	}
	if n, _ := body["submitted_count"].(float64); n < 1 {
		fail("submitted_count %v", body["submitted_count"])
	}
	checkTimes(body, fail, "created_at")
}

func checkDeletionJob(job object, fail failFunc) {
	if !hexID.MatchString(str(job["job_id"])) || !slices.Contains(jobStatuses, str(job["status"])) || str(job["type"]) == "" {
		fail("job_id/status/type")
	}
	ids, ok := job["identifiers"].([]any)
	if !ok || len(ids) == 0 {
		fail("identifiers %v", job["identifiers"])
	}
	for _, i := range ids {
		id := i.(object)
		if !slices.Contains(dispositions, str(id["disposition"])) || str(id["type"]) == "" {
			fail("identifier %v", id)
		}
		if n, _ := id["matched_chatters"].(float64); (n > 0) != (id["disposition"] == "accepted") {
			fail("matched_chatters %v with disposition %v", id["matched_chatters"], id["disposition"])
		}
		if (id["disposition"] == "invalid") != (id["reason"] != nil && id["disposition"] != "not_found") {
			fail("reason %v with disposition %v", id["reason"], id["disposition"])
		}
	}
	checkTimes(job, fail, "created_at")
	terminal := job["status"] == "completed" || job["status"] == "partial" || job["status"] == "failed"
	if completed, _ := job["completed_at"].(string); terminal != (completed != "") {
		fail("completed_at %v with status %v", job["completed_at"], job["status"])
	}
	if (job["status"] == "failed") != (job["failure_reason"] != nil) {
		fail("failure_reason %v with status %v", job["failure_reason"], job["status"])
	}
}

// compliance is the session's part for bulk deletion. It erases ana (anaID) and her
// conversation, so it comes last.
func (s *sessionRunner) compliance(anaID, blankID, convID string) {
	const (
		accepted, ok, bad = http.StatusAccepted, http.StatusOK, http.StatusBadRequest
		request, route    = openapicheck.KindRequest, openapicheck.KindRoute
		del               = "/v2/end-users/delete"
	)
	t := s.t
	body := object{"client_reference": "session-1", "identifiers": []object{
		{"type": "end_user_id", "value": blankID},
		{"type": "email", "value": "nobody@example.com"},
		{"type": "email", "value": "not an email"},
		{"type": "end_user_id", "value": blankID},
		{"type": "variable_match", "value": "nobody", "variable": "plan"},
		{"type": "external_id", "value": "no-such-crm-id"},
	}}
	job := s.step(accepted, none, "POST", del, body)
	jobID := str(job["job_id"])
	if job["status"] != "queued" || job["submitted_count"] != float64(6) {
		t.Fatalf("deletion accepted %v", job)
	}
	if again := s.step(accepted, none, "POST", del, body); again["job_id"] != jobID {
		t.Fatalf("same client_reference: job %v, want %s", again["job_id"], jobID)
	}
	if got := s.step(ok, none, "GET", "/v2/jobs/"+jobID, nil); got["status"] != "in_progress" || got["client_reference"] != "session-1" {
		t.Fatalf("first read %v", got)
	}
	done := s.step(ok, none, "GET", "/v2/jobs/"+jobID, nil)
	var outcome []string
	for _, i := range done["identifiers"].([]any) {
		outcome = append(outcome, str(i.(object)["disposition"]))
	}
	if done["status"] != "completed" || strings.Join(outcome, ",") != "accepted,not_found,invalid,duplicate,not_found,not_found" {
		t.Fatalf("completed job %v", done)
	}
	s.step(ok, none, "GET", "/v2/jobs/"+jobID, nil) // stays completed
	s.step(http.StatusNotFound, none, "GET", "/v2/end-users/"+blankID, nil)

	// Ana: by variable_match on her metadata. A second request for her without a reference is a
	// new job, and her identifier is in its 7-day cooldown: that job fails and erases nothing.
	byPlan := object{"identifiers": []object{{"type": "variable_match", "value": "pro", "variable": "plan"}}}
	first := str(s.step(accepted, none, "POST", del, byPlan)["job_id"])
	second := str(s.step(accepted, none, "POST", del, byPlan)["job_id"])
	if first == second {
		t.Fatal("without client_reference, two requests made one job")
	}
	s.step(ok, none, "GET", "/v2/jobs/"+second, nil)
	if failed := s.step(ok, none, "GET", "/v2/jobs/"+second, nil); failed["status"] != "failed" {
		t.Fatalf("job in cooldown %v", failed)
	}
	s.step(ok, none, "GET", "/v2/end-users/"+anaID, nil)
	s.step(ok, none, "GET", "/v2/jobs/"+first, nil)
	s.step(ok, none, "GET", "/v2/jobs/"+first, nil)
	s.step(http.StatusNotFound, none, "GET", "/v2/end-users/"+anaID, nil)
	s.step(http.StatusNotFound, none, "GET", "/v2/conversations/"+convID+"/", nil)
	s.step(http.StatusNotFound, none, "GET", "/v2/conversations/"+convID+"/messages/", nil)

	// Errors.
	s.step(bad, request, "POST", del, object{})                       // identifiers is required
	s.step(bad, none, "POST", del, object{"identifiers": []object{}}) // at least one
	s.step(bad, request, "POST", del, object{"identifiers": []object{{"type": "phone", "value": "1"}}})
	s.step(bad, request, "POST", del, object{"identifiers": []object{{"type": "email"}}}) // value is required
	s.step(bad, request, "POST", del, `{"identifiers":`)
	many := make([]object, 1001)
	for i := range many {
		many[i] = object{"type": "end_user_id", "value": fmt.Sprintf("%024x", i)}
	}
	s.step(bad, none, "POST", del, object{"identifiers": many})
	big := make([]object, 900)
	for i := range big {
		big[i] = object{"type": "external_id", "value": strings.Repeat("x", 600)}
	}
	s.step(http.StatusRequestEntityTooLarge, none, "POST", del, object{"identifiers": big})
	s.step(http.StatusNotFound, none, "GET", "/v2/jobs/000000000000000000000000", nil)
	s.step(http.StatusMethodNotAllowed, route, "POST", "/v2/jobs/"+jobID, nil)
	// GET of the same spelling is the end user item path, for the id "delete" (the document's
	// router takes the literal path first and finds no GET there).
	s.step(http.StatusNotFound, route, "GET", del, nil)
}

func TestDeletionMatchesEachIdentifierType(t *testing.T) {
	c := newSim(t, adasim.Options{})
	ana := c.createEndUser(object{"external_id": "CRM-7", "profile": object{"email": "Ana@Example.com", "metadata": object{"tier": 3}}})
	bo := c.createEndUser(object{"profile": object{"email": "bo@example.com", "metadata": object{"tier": 3, "vip": true}}})
	cy := c.createEndUser(object{"profile": object{"metadata": object{"vip": false}}})
	for _, u := range []object{ana, bo, cy} {
		c.startConversation(str(u["end_user_id"]))
	}
	cases := []struct {
		id      object
		matched int
	}{
		{object{"type": "email", "value": "  ANA@example.COM "}, 1},
		{object{"type": "external_id", "value": " crm-7 "}, 1},
		{object{"type": "end_user_id", "value": str(bo["end_user_id"])}, 1},
		{object{"type": "chatter_id", "value": str(cy["end_user_id"])}, 1},
		{object{"type": "variable_match", "variable": "tier", "value": "3"}, 2},
		{object{"type": "variable_match", "variable": "vip", "value": "false"}, 1},
		{object{"type": "variable_match", "variable": "tier", "value": "4"}, 0},
		{object{"type": "email", "value": "ana@example.org"}, 0},
	}
	for _, tc := range cases {
		job := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", object{"identifiers": []object{tc.id}})
		got := c.expect(http.StatusOK, "GET", "/v2/jobs/"+str(job["job_id"]), nil)["identifiers"].([]any)[0].(object)
		want := "accepted"
		if tc.matched == 0 {
			want = "not_found"
		}
		if got["disposition"] != want || got["matched_chatters"] != float64(tc.matched) || got["value"] != tc.id["value"] {
			t.Errorf("%v: %v, want %s matching %d", tc.id, got, want, tc.matched)
		}
	}
	// Nothing was erased: no job was read to completion.
	if n := len(c.sim.State().EndUsers); n != 3 {
		t.Fatalf("%d end users left, want 3", n)
	}
}

func TestDeletionCompletesAndErases(t *testing.T) {
	c := newSim(t, adasim.Options{})
	gone := c.createEndUser(object{"external_id": "crm-gone", "profile": object{"email": "gone@example.com"}})
	kept := c.createEndUser(object{"profile": object{"email": "kept@example.com"}})
	goneConv := c.startConversation(str(gone["end_user_id"]))
	keptConv := c.startConversation(str(kept["end_user_id"]))

	job := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", object{"client_reference": "ticket-42",
		"identifiers": []object{{"type": "email", "value": "gone@example.com"}}})
	path := "/v2/jobs/" + str(job["job_id"])
	if got := c.expect(http.StatusOK, "GET", path, nil); got["status"] != "in_progress" || got["completed_at"] != nil {
		t.Fatalf("first read %v", got)
	}
	c.expect(http.StatusOK, "GET", "/v2/end-users/"+str(gone["end_user_id"]), nil) // not yet
	done := c.expect(http.StatusOK, "GET", path, nil)
	if done["status"] != "completed" || str(done["completed_at"]) == "" {
		t.Fatalf("second read %v", done)
	}
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/"+str(gone["end_user_id"]), nil)
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/?external_id=crm-gone", nil)
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/conversations/"+str(goneConv["id"])+"/", nil)
	c.expect(http.StatusOK, "GET", "/v2/conversations/"+str(keptConv["id"])+"/", nil)
	st := c.sim.State()
	if len(st.EndUsers) != 1 || len(st.Conversations) != 1 || st.Conversations[0].ID != keptConv["id"] {
		t.Fatalf("state after erasure: %d end users, %d conversations", len(st.EndUsers), len(st.Conversations))
	}
	// The external_id is free again.
	c.createEndUser(object{"external_id": "crm-gone"})
	// The same client_reference within 24 h is the same job, completed.
	again := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", object{"client_reference": "ticket-42",
		"identifiers": []object{{"type": "email", "value": "gone@example.com"}}})
	if again["job_id"] != job["job_id"] || again["status"] != "completed" {
		t.Fatalf("replayed request %v, want job %v completed", again, job["job_id"])
	}
}

func TestDeletionIdempotencyExpiresAfter24Hours(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	body := object{"client_reference": "r-1", "identifiers": []object{{"type": "email", "value": "x@example.com"}}}
	first := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", body)
	clk.Advance(23 * time.Hour)
	if again := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", body); again["job_id"] != first["job_id"] {
		t.Fatalf("within 24 h: %v, want %v", again["job_id"], first["job_id"])
	}
	clk.Advance(time.Hour)
	if later := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", body); later["job_id"] == first["job_id"] {
		t.Fatal("after 24 h the reference still returned the old job")
	}
}

func TestDeletionJobsResetWithTheState(t *testing.T) {
	c := newSim(t, adasim.Options{})
	job := c.expect(http.StatusAccepted, "POST", "/v2/end-users/delete", object{"identifiers": []object{{"type": "email", "value": "x@example.com"}}})
	c.sim.Reset()
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/jobs/"+str(job["job_id"]), nil)
}
