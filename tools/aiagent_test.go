package tools_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func aiAgentHarness(t *testing.T) *harness {
	t.Helper()
	return newHarness(t, harnessOpts{toolsets: []string{"ai_agent"}, allowDestructive: true})
}

// countedSim is a simulator behind a handler that counts the requests reaching it.
func countedSim(t *testing.T, opts adasim.Options) (http.Handler, *atomic.Int64) {
	t.Helper()
	opts.APIKey = apiKey
	sim := adasim.New(opts)
	t.Cleanup(sim.Close)
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		sim.ServeHTTP(w, r)
	}), &n
}

func TestPersonaTools(t *testing.T) {
	h := aiAgentHarness(t)
	before := obj(h.OK("get_persona", nil), "persona")
	if before["message_length"] != "normal" || before["personality"] == nil {
		t.Fatalf("get_persona = %v", before)
	}
	if _, has := before["company_description"]; has {
		t.Fatalf("a null company_description is left out: %v", before)
	}

	after := obj(h.OK("update_persona", map[string]any{"message_length": "concise", "company_description": "We sell tea."}), "persona")
	for k, v := range before {
		if k != "message_length" && fmt.Sprint(after[k]) != fmt.Sprint(v) {
			t.Errorf("update_persona changed %s: %v -> %v", k, v, after[k])
		}
	}
	if after["message_length"] != "concise" || after["company_description"] != "We sell tea." {
		t.Fatalf("update_persona = %v", after)
	}
	cleared := obj(h.OK("update_persona", map[string]any{"company_description": nil, "personality": []string{}}), "persona")
	if _, has := cleared["company_description"]; has || len(list(cleared, "personality")) != 0 || cleared["message_length"] != "concise" {
		t.Fatalf("update_persona(null, []) = %v", cleared)
	}
	if got := obj(h.OK("get_persona", nil), "persona"); fmt.Sprint(got) != fmt.Sprint(cleared) {
		t.Fatalf("get_persona after updates = %v, want %v", got, cleared)
	}
}

func TestCustomInstructionLifecycle(t *testing.T) {
	h := aiAgentHarness(t)
	created := obj(h.OK("create_custom_instruction", map[string]any{"title": "Refund tone", "text": "Apologise before explaining a refund."}), "custom_instruction")
	id := str(created, "custom_instruction_id")
	if id == "" || created["enabled"] != false || created["notes"] != nil || created["availability_rules"] != nil {
		t.Fatalf("create_custom_instruction = %v", created)
	}
	if _, has := created["id"]; has {
		t.Fatalf("the id is custom_instruction_id: %v", created)
	}
	rule := `v("plan_type") == "gold"`
	gold := obj(h.OK("create_custom_instruction", map[string]any{"title": "Gold", "text": "Offer free shipping.", "enabled": true,
		"notes": "Q3", "availability_rules": rule}), "custom_instruction")
	if gold["enabled"] != true || gold["notes"] != "Q3" || gold["availability_rules"] != rule {
		t.Fatalf("create_custom_instruction(enabled, notes, rule) = %v", gold)
	}

	if msg := h.Err("create_custom_instruction", map[string]any{"title": "refund tone", "text": "x"}); !strings.Contains(msg, "409") ||
		!strings.Contains(msg, "Choose another title") {
		t.Fatalf("a taken title: %s", msg)
	}
	if msg := h.Err("create_custom_instruction", map[string]any{"title": "Shoes", "text": "x", "availability_rules": `v("shoe_size") > 40`}); !strings.Contains(msg, "400") ||
		!strings.Contains(msg, "list_variables") {
		t.Fatalf("an unknown variable in the rule: %s", msg)
	}

	got := obj(h.OK("get_custom_instruction", map[string]any{"custom_instruction_id": str(gold, "custom_instruction_id")}), "custom_instruction")
	if fmt.Sprint(got) != fmt.Sprint(gold) {
		t.Fatalf("get_custom_instruction = %v, want %v", got, gold)
	}
	// Partial: notes "" blanks them, availability_rules null clears the rule, the rest stays.
	upd := obj(h.OK("update_custom_instruction", map[string]any{"custom_instruction_id": str(gold, "custom_instruction_id"),
		"notes": "", "availability_rules": nil}), "custom_instruction")
	if upd["notes"] != nil || upd["availability_rules"] != nil || upd["enabled"] != true || upd["text"] != "Offer free shipping." || upd["title"] != "Gold" {
		t.Fatalf("update_custom_instruction(notes \"\", rules null) = %v", upd)
	}
	upd = obj(h.OK("update_custom_instruction", map[string]any{"custom_instruction_id": id, "enabled": true}), "custom_instruction")
	if upd["enabled"] != true || upd["title"] != "Refund tone" {
		t.Fatalf("update_custom_instruction(enabled) = %v", upd)
	}
	if msg := h.Err("update_custom_instruction", map[string]any{"custom_instruction_id": id, "title": "GOLD"}); !strings.Contains(msg, "Choose another title") {
		t.Fatalf("renaming to a taken title: %s", msg)
	}

	del := h.OK("delete_custom_instruction", map[string]any{"custom_instruction_id": id})
	if str(del, "custom_instruction_id") != id || del["deleted"] != true {
		t.Fatalf("delete_custom_instruction = %v", del)
	}
	if msg := h.Err("get_custom_instruction", map[string]any{"custom_instruction_id": id}); !strings.Contains(msg, "Not found (404)") || !strings.Contains(msg, "list_custom_instructions") {
		t.Fatalf("get after delete: %s", msg)
	}
	if msg := h.Err("delete_custom_instruction", map[string]any{"custom_instruction_id": id}); !strings.Contains(msg, "already be deleted") {
		t.Fatalf("second delete: %s", msg)
	}
	if msg := h.Err("update_custom_instruction", map[string]any{"custom_instruction_id": id, "enabled": false}); !strings.Contains(msg, "404") {
		t.Fatalf("update after delete: %s", msg)
	}
}

func TestListCustomInstructionsPages(t *testing.T) {
	h := aiAgentHarness(t)
	var want []string
	for i := range 5 {
		ci := h.OK("create_custom_instruction", map[string]any{"title": fmt.Sprintf("Rule %d", i), "text": "x"})
		want = append(want, str(ci, "custom_instruction", "custom_instruction_id"))
	}
	sort.Strings(want) // Ada lists them by id
	var got []string
	next := func(cursor string) map[string]any { return map[string]any{"limit": 2, "cursor": cursor} }
	for _, out := range h.pages(t, "list_custom_instructions", map[string]any{"limit": 2}, next, 5) {
		for _, ci := range list(out, "custom_instructions") {
			got = append(got, str(ci.(map[string]any), "custom_instruction_id"))
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v, want %v", got, want)
	}
}

func TestEnablingPastTheLimitSaysWhatToDo(t *testing.T) {
	backend, _ := countedSim(t, adasim.Options{EnabledInstructionLimit: 1})
	h := newHarness(t, harnessOpts{toolsets: []string{"ai_agent"}, backend: backend})
	h.OK("create_custom_instruction", map[string]any{"title": "A", "text": "x", "enabled": true})
	msg := h.Err("create_custom_instruction", map[string]any{"title": "B", "text": "x", "enabled": true})
	if !strings.Contains(msg, "409") || !strings.Contains(msg, "enabled:false") || strings.Contains(msg, "Choose another title") {
		t.Fatalf("enabling past the limit: %s", msg)
	}
	off := h.OK("create_custom_instruction", map[string]any{"title": "B", "text": "x"})
	msg = h.Err("update_custom_instruction", map[string]any{"custom_instruction_id": str(off, "custom_instruction", "custom_instruction_id"), "enabled": true})
	if !strings.Contains(msg, "Disable an enabled one") {
		t.Fatalf("enabling an existing one past the limit: %s", msg)
	}
}

func TestVariableTools(t *testing.T) {
	h := aiAgentHarness(t)
	vars := list(h.OK("list_variables", nil), "variables")
	var names []string
	for _, v := range vars {
		names = append(names, str(v.(map[string]any), "name"))
	}
	if len(vars) != 5 || !strings.Contains(strings.Join(names, ","), "plan_type") || strings.Contains(strings.Join(names, ","), "browser") {
		t.Fatalf("list_variables = %v", names)
	}
	first := vars[0].(map[string]any)
	got := h.OK("get_variable", map[string]any{"variable_id": str(first, "variable_id")})
	if fmt.Sprint(obj(got, "variable")) != fmt.Sprint(first) {
		t.Fatalf("get_variable = %v, want %v", got, first)
	}
	if msg := h.Err("get_variable", map[string]any{"variable_id": "66a1f0c2b7e4d3a1c0f000f2"}); !strings.Contains(msg, "404") || !strings.Contains(msg, "reserved") {
		t.Fatalf("a reserved variable: %s", msg)
	}
}

func TestAIAgentArgumentsAreStrict(t *testing.T) {
	h := newHarness(t, harnessOpts{toolsets: []string{"ai_agent"}})
	h.refuses(t, []refusal{
		{"get_persona", map[string]any{"verbose": true}, "verbose"},
		{"update_persona", map[string]any{}, "nothing to update"},
		{"update_persona", map[string]any{"tone": "pirate"}, "tone"},
		{"update_persona", map[string]any{"Message_Length": "concise"}, "Message_Length"},
		{"update_persona", map[string]any{"message_length": "long"}, "message_length"},
		{"update_persona", map[string]any{"default_timezone": " "}, "default_timezone"},
		{"update_persona", map[string]any{"emoji_usage": nil}, "emoji_usage"},
		{"create_custom_instruction", map[string]any{"text": "x"}, "title"},
		{"create_custom_instruction", map[string]any{"title": "t", "text": " "}, "text"},
		{"create_custom_instruction", map[string]any{"title": "t", "text": "x", "availability_rules": " "}, "availability_rules"},
		{"create_custom_instruction", map[string]any{"title": "t", "text": "x", "availability_rules": nil}, "availability_rules"},
		{"update_custom_instruction", map[string]any{"custom_instruction_id": "66b000000000000000000001"}, "nothing to update"},
		{"update_custom_instruction", map[string]any{"custom_instruction_id": "66b000000000000000000001", "title": ""}, "title"},
		{"update_custom_instruction", map[string]any{"custom_instruction_id": "66b000000000000000000001", "availability_rules": ""}, "null clears"},
		{"update_custom_instruction", map[string]any{"custom_instruction_id": "66b000000000000000000001", "notes": nil}, "notes"},
		{"get_custom_instruction", map[string]any{"custom_instruction_id": " "}, "custom_instruction_id"},
		{"delete_custom_instruction", map[string]any{"custom_instruction_id": ".."}, "custom_instruction_id"},
		{"list_custom_instructions", map[string]any{"limit": 101}, "limit"},
		{"get_variable", map[string]any{}, "variable_id"},
		{"list_variables", map[string]any{"limit": 5}, "limit"},
	})
}

func TestAIAgentToolsetIsOptIn(t *testing.T) {
	all := strings.Join(toolNames(t, aiAgentHarness(t)), ",")
	if all != "create_custom_instruction,delete_custom_instruction,get_capabilities,get_custom_instruction,get_persona,get_variable,list_custom_instructions,list_variables,update_custom_instruction,update_persona" {
		t.Fatalf("ai_agent toolset = %s", all)
	}
	ro := strings.Join(toolNames(t, newHarness(t, harnessOpts{toolsets: []string{"ai_agent"}, readOnly: true})), ",")
	if ro != "get_capabilities,get_custom_instruction,get_persona,get_variable,list_custom_instructions,list_variables" {
		t.Fatalf("read-only ai_agent toolset = %s", ro)
	}
	for _, n := range toolNames(t, newHarness(t, harnessOpts{})) {
		if strings.Contains(n, "persona") || strings.Contains(n, "instruction") || strings.Contains(n, "variable") {
			t.Fatalf("default toolsets include %s", n)
		}
	}
}

// adaAnswers is an Ada that answers every request with status and Ada's error body.
func adaAnswers(status int, errType, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"type":%q,"message":%q}]}`, errType, message)
	}
}

func TestCustomInstructionErrorsSayWhatToDo(t *testing.T) {
	create := map[string]any{"title": "T", "text": "x"}
	for _, c := range []struct {
		name    string
		backend http.HandlerFunc
		tool    string
		args    map[string]any
		want    []string
	}{
		{"409 of either cause", adaAnswers(409, "conflict", "Conflict"), "create_custom_instruction", create,
			[]string{"409", "title is taken", "Choose another title", "enabled:false"}},
		{"500 on create", adaAnswers(500, "internal_error", "boom"), "create_custom_instruction", create,
			[]string{"may or may not have been applied", "Check list_custom_instructions before creating it again"}},
		{"400 on update", adaAnswers(400, "validation_error", "bad rule"), "update_custom_instruction",
			map[string]any{"custom_instruction_id": "i1", "availability_rules": "v(x)"}, []string{"400", "list_variables"}},
		{"400 on persona", adaAnswers(400, "validation_error", "Unknown persona field"), "update_persona",
			map[string]any{"emoji_usage": true}, []string{"400", "get_persona"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{toolsets: []string{"ai_agent"}, backend: c.backend})
			msg := h.Err(c.tool, c.args)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q: %s", w, msg)
				}
			}
		})
	}
}

// Ada allows 32 KB of text (and of notes) per custom instruction: list_custom_instructions
// shows the first ~500 characters of each, cut between words and marked, names the
// instructions it cut, and get_custom_instruction shows them whole.
func TestListCustomInstructionsBoundsTexts(t *testing.T) {
	h := aiAgentHarness(t)
	long := strings.Repeat("Always greet the customer by name. ", 900) // ~31 KB
	fat := str(h.OK("create_custom_instruction", map[string]any{"title": "Long", "text": long}), "custom_instruction", "custom_instruction_id")
	notes := str(h.OK("create_custom_instruction", map[string]any{"title": "Noted", "text": "Be brief.", "notes": "é" + long}), "custom_instruction", "custom_instruction_id")
	thin := str(h.OK("create_custom_instruction", map[string]any{"title": "Short", "text": "Be kind."}), "custom_instruction", "custom_instruction_id")

	page := h.OK("list_custom_instructions", map[string]any{})
	listed := map[string]map[string]any{}
	for _, ci := range list(page, "custom_instructions") {
		ci := ci.(map[string]any)
		listed[str(ci, "custom_instruction_id")] = ci
	}
	for id, field := range map[string]string{fat: "text", notes: "notes"} {
		got := str(listed[id], field)
		if n := utf8.RuneCountInString(got); n > 501 || n < 400 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
			t.Fatalf("listed %s of %s: %d runes, ends %q", field, id, n, got[max(0, len(got)-20):])
		}
	}
	if str(listed[thin], "text") != "Be kind." || str(listed[notes], "text") != "Be brief." {
		t.Fatalf("short texts changed: %v", listed)
	}
	cut := fmt.Sprint(list(page, "truncated"))
	if want := fmt.Sprint(sortedAny(fat, notes)); cut != want {
		t.Fatalf("truncated = %s, want %s", cut, want)
	}
	whole := h.OK("get_custom_instruction", map[string]any{"custom_instruction_id": fat})
	if str(whole, "custom_instruction", "text") != long {
		t.Fatal("get_custom_instruction cut the text")
	}
}

func sortedAny(ids ...string) []any {
	sort.Strings(ids) // Ada lists custom instructions by id
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
