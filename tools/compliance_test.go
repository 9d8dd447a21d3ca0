package tools_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func complianceHarness(t *testing.T) *harness {
	t.Helper()
	return newHarness(t, harnessOpts{toolsets: []string{"compliance", "end_users", "conversations"}, allowDestructive: true})
}

// An end user with a conversation, by external_id and email.
func endUserWithConversation(t *testing.T, h *harness, externalID, email string) (endUserID, conversationID string) {
	t.Helper()
	up := h.OK("upsert_end_user", map[string]any{"external_id": externalID, "profile": map[string]any{"email": email}})
	endUserID = str(up, "end_user", "end_user_id")
	conv := h.OK("start_conversation", map[string]any{"end_user_id": endUserID})
	return endUserID, str(conv, "conversation_id")
}

func TestDeleteEndUserDataErasesOnCompletion(t *testing.T) {
	h := complianceHarness(t)
	_, anaConv := endUserWithConversation(t, h, "crm-ana", "ana@example.com")
	_, boConv := endUserWithConversation(t, h, "crm-bo", "bo@example.com")
	_, keptConv := endUserWithConversation(t, h, "crm-kept", "kept@example.com")

	args := map[string]any{"client_reference": "gdpr-ticket-1", "identifiers": []map[string]any{
		{"type": "email", "value": "ANA@example.com"},
		{"type": "external_id", "value": "CRM-BO"},
		{"type": "email", "value": "nobody@example.com"},
	}}
	// The simulator moves a job one step each time it is read, the tool's
	// own read-back (to tell a repeat from a reused client_reference)
	// included: queued, in_progress, completed.
	job := h.OK("delete_end_user_data", args)
	jobID := str(job, "job_id")
	if jobID == "" || job["status"] != "in_progress" || job["submitted_count"] != float64(3) || str(job, "client_reference") != "gdpr-ticket-1" ||
		!strings.Contains(str(job, "note"), "get_job_status") || !strings.Contains(str(job, "note"), "30 days") || job["warning"] != nil {
		t.Fatalf("delete_end_user_data = %v", job)
	}
	if found := h.OK("lookup_end_user", map[string]any{"external_id": "crm-ana"}); found["found"] != true {
		t.Fatalf("erased before the job completed: %v", found)
	}
	running := h.OK("get_job_status", map[string]any{"job_id": jobID})
	if running["status"] != "completed" || running["done"] != true {
		t.Fatalf("first status = %v", running)
	}
	// The same call again (a retry after a lost answer, say) is the same job.
	if again := h.OK("delete_end_user_data", args); str(again, "job_id") != jobID || again["warning"] != nil || again["status"] != "completed" {
		t.Fatalf("repeated call = %v, want job %s", again, jobID)
	}
	done := h.OK("get_job_status", map[string]any{"job_id": jobID})
	if done["status"] != "completed" || done["done"] != true || str(done, "completed_at") == "" ||
		fmt.Sprint(done["dispositions"]) != "map[accepted:2 not_found:1]" || str(done, "client_reference") != "gdpr-ticket-1" {
		t.Fatalf("final status = %v", done)
	}
	ids := list(done, "identifiers")
	if len(ids) != 3 || str(ids[0].(map[string]any), "value") != "ANA@example.com" || ids[0].(map[string]any)["matched_chatters"] != float64(1) ||
		str(ids[2].(map[string]any), "disposition") != "not_found" {
		t.Fatalf("identifiers = %v", ids)
	}
	for _, ext := range []string{"crm-ana", "crm-bo"} {
		if found := h.OK("lookup_end_user", map[string]any{"external_id": ext}); found["found"] != false {
			t.Fatalf("%s still there: %v", ext, found)
		}
	}
	for _, cid := range []string{anaConv, boConv} {
		if msg := h.Err("get_conversation", map[string]any{"conversation_id": cid}); !strings.Contains(msg, "404") {
			t.Fatalf("conversation %s after erasure: %s", cid, msg)
		}
	}
	h.OK("get_conversation", map[string]any{"conversation_id": keptConv})
}

// A client_reference reused for other identifiers gets the earlier job from Ada: the call
// fails, saying these identifiers were not submitted, whether their number differs or not;
// a repeat of the same identifiers (in another order) is the same job, without a warning.
func TestDeleteEndUserDataRefusesAReusedReference(t *testing.T) {
	h := complianceHarness(t)
	ids := func(values ...string) []map[string]any {
		var out []map[string]any
		for _, v := range values {
			out = append(out, map[string]any{"type": "email", "value": v})
		}
		return out
	}
	first := h.OK("delete_end_user_data", map[string]any{"client_reference": "ref-1", "identifiers": ids("a@example.com", "u@example.com")})
	for _, other := range [][]map[string]any{ids("b@example.com", "c@example.com"), ids("b@example.com"), ids("a@example.com", "A@example.com")} {
		msg := h.Err("delete_end_user_data", map[string]any{"client_reference": "ref-1", "identifiers": other})
		for _, want := range []string{"Not submitted", str(first, "job_id"), "new client_reference"} {
			if !strings.Contains(msg, want) {
				t.Errorf("reused reference for %v: message lacks %q: %s", other, want, msg)
			}
		}
	}
	again := h.OK("delete_end_user_data", map[string]any{"client_reference": "ref-1", "identifiers": ids("u@example.com", "a@example.com")})
	if str(again, "job_id") != str(first, "job_id") || again["warning"] != nil {
		t.Fatalf("a repeat = %v", again)
	}
}

// recordingBackend answers from a script of statuses, then the simulator, recording bodies.
type recordingBackend struct {
	sim    *adasim.Sim
	mu     sync.Mutex
	script []int
	bodies []string
}

func (b *recordingBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.bodies = append(b.bodies, string(body))
	status := 0
	if len(b.script) > 0 {
		status, b.script = b.script[0], b.script[1:]
	}
	b.mu.Unlock()
	if status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, `{"errors":[{"type":"server_error","message":"try again"}]}`)
		return
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	b.sim.ServeHTTP(w, r)
}

// The POST is safe to repeat only thanks to client_reference, so the client retries it; when
// retries run out, the message says another call is safe.
func TestDeleteEndUserDataRetriesWithItsReference(t *testing.T) {
	b := &recordingBackend{sim: adasim.New(adasim.Options{APIKey: apiKey}), script: []int{503}}
	t.Cleanup(b.sim.Close)
	h := newHarness(t, harnessOpts{backend: b, toolsets: []string{"compliance"}, allowDestructive: true})
	args := map[string]any{"client_reference": "ref-retry", "identifiers": []map[string]any{{"type": "end_user_id", "value": "5f7e0e2c1e7c7e000f0f9c3a"}}}
	if job := h.OK("delete_end_user_data", args); str(job, "job_id") == "" {
		t.Fatalf("after a retry: %v", job)
	}
	b.mu.Lock()
	bodies := b.bodies
	b.mu.Unlock()
	// Two POSTs, then the job read back (a GET, no body).
	if len(bodies) != 3 || bodies[0] != bodies[1] || bodies[2] != "" || !strings.Contains(bodies[0], `"client_reference":"ref-retry"`) {
		t.Fatalf("requests %q, want the same body twice", bodies)
	}

	b.mu.Lock()
	b.script = []int{500, 500, 500}
	b.mu.Unlock()
	msg := h.Err("delete_end_user_data", args)
	if !strings.Contains(msg, "500") || !strings.Contains(msg, "same client_reference is safe") {
		t.Fatalf("retries ran out: %s", msg)
	}
}

func TestGetJobStatusOfAnUnknownJob(t *testing.T) {
	h := complianceHarness(t)
	msg := h.Err("get_job_status", map[string]any{"job_id": "000000000000000000000000"})
	if !strings.Contains(msg, "404") || !strings.Contains(msg, "delete_end_user_data") {
		t.Fatalf("unknown job: %s", msg)
	}
}

func TestComplianceArgumentsAreStrict(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"compliance"}, allowDestructive: true})
	one := []map[string]any{{"type": "email", "value": "a@example.com"}}
	many := make([]map[string]any, 1001)
	for i := range many {
		many[i] = map[string]any{"type": "end_user_id", "value": fmt.Sprintf("%024x", i)}
	}
	big := make([]map[string]any, 900)
	for i := range big {
		big[i] = map[string]any{"type": "variable_match", "variable": "order_note", "value": strings.Repeat("x", 600)}
	}
	h.refuses(t, []refusal{
		{"delete_end_user_data", map[string]any{"identifiers": one}, "client_reference"},
		{"delete_end_user_data", map[string]any{"identifiers": one, "client_reference": "  "}, "client_reference"},
		{"delete_end_user_data", map[string]any{"identifiers": []map[string]any{}, "client_reference": "r"}, "identifiers"},
		{"delete_end_user_data", map[string]any{"identifiers": many, "client_reference": "r"}, "identifiers"},
		{"delete_end_user_data", map[string]any{"identifiers": big, "client_reference": "r"}, "512 KB"},
		{"delete_end_user_data", map[string]any{"identifiers": []map[string]any{{"type": "phone", "value": "1"}}, "client_reference": "r"}, "type"},
		{"delete_end_user_data", map[string]any{"identifiers": []map[string]any{{"type": "email", "value": "Ana Silva"}}, "client_reference": "r"}, "identifiers[0].value"},
		{"delete_end_user_data", map[string]any{"identifiers": []map[string]any{{"type": "email", "value": " "}}, "client_reference": "r"}, "identifiers[0].value"},
		{"delete_end_user_data", map[string]any{"identifiers": []map[string]any{{"type": "variable_match", "value": "gold"}}, "client_reference": "r"}, "identifiers[0].variable"},
		{"delete_end_user_data", map[string]any{"identifiers": []map[string]any{one[0], {"type": "email", "value": "b@example.com", "variable": "plan"}}, "client_reference": "r"}, "identifiers[1].variable"},
		{"delete_end_user_data", map[string]any{"identifiers": one, "client_reference": "r", "confirm": true}, "confirm"},
		{"get_job_status", map[string]any{}, "job_id"},
		{"get_job_status", map[string]any{"job_id": ".."}, "job_id"},
		{"get_job_status", map[string]any{"Job_ID": "j"}, "Job_ID"},
	})
}

// Ada's errors may echo the request: identifiers that carry a secret stay hidden, as
// everywhere.
func TestComplianceAndExportErrorsNeverCarrySecrets(t *testing.T) {
	for _, status := range []int{400, 403, 500, 502} {
		h := newHarness(t, harnessOpts{backend: echoAda(status), toolsets: []string{"compliance", "export"}, allowDestructive: true})
		msg := h.Err("delete_end_user_data", map[string]any{"client_reference": "ref " + jwt, "identifiers": []map[string]any{
			{"type": "external_id", "value": "Bearer " + jwt}, {"type": "variable_match", "variable": "card", "value": card}}})
		assertClean(t, fmt.Sprintf("delete_end_user_data error (Ada %d)", status), msg)
		msg = h.Err("export_messages", map[string]any{"start": "2026-12-01", "conversation_id": "5df263b7db5a7e6ea03fae9b"})
		assertClean(t, fmt.Sprintf("export_messages error (Ada %d)", status), msg)
		assertClean(t, "logs", h.logs.String())
	}
}

// A job read back without its identifiers (a job Ada has not yet broken
// down, say) is no evidence that the client_reference named another
// request: the call neither claims that nothing was submitted nor tells
// the assistant to submit again (which would erase under a second job, in
// Ada's 7-day cooldown); it returns the job with a warning to check it.
func TestDeleteEndUserDataWithAJobNotYetListingIdentifiers(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: apiKey})
	t.Cleanup(sim.Close)
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/api/v2/jobs/") {
			sim.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		var job map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &job); err != nil {
			t.Error(err)
		}
		job["identifiers"] = []any{}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(job)
	})
	h := newHarness(t, harnessOpts{backend: backend, toolsets: []string{"compliance"}, allowDestructive: true})
	job := h.OK("delete_end_user_data", map[string]any{"client_reference": "ref-empty",
		"identifiers": []map[string]any{{"type": "email", "value": "a@example.com"}}})
	if str(job, "job_id") == "" || !strings.Contains(str(job, "warning"), "get_job_status") {
		t.Fatalf("delete_end_user_data = %v", job)
	}
}
