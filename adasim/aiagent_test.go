package adasim_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// aiAgent is the session's part for the persona, variables and custom instructions.
func (s *sessionRunner) aiAgent() {
	const (
		ok, created, bad, notFound = http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusNotFound
		conflict, noContent        = http.StatusConflict, http.StatusNoContent
		request, route             = openapicheck.KindRequest, openapicheck.KindRoute
		unknownID                  = "000000000000000000000000"
	)
	t := s.t

	// Persona.
	s.step(ok, none, "GET", "/v2/persona/", nil)
	p := s.step(ok, none, "PATCH", "/v2/persona/", object{"message_length": "concise", "company_description": "Sandbox Co. sells tea.",
		"personality": []string{"warm"}, "emoji_usage": true, "allowed_emojis": "🍵"})
	if p["message_length"] != "concise" || p["company_description"] != "Sandbox Co. sells tea." || p["ask_for_more_help"] != true {
		t.Fatalf("persona after PATCH: %v", p)
	}
	if p = s.step(ok, none, "PATCH", "/v2/persona/", object{"company_description": nil}); p["company_description"] != nil {
		t.Fatalf("company_description: null did not clear it: %v", p)
	}
	s.step(ok, none, "PATCH", "/v2/persona/", object{})
	s.step(bad, none, "PATCH", "/v2/persona/", object{"tone": "pirate"}) // not a persona field
	s.step(bad, request, "PATCH", "/v2/persona/", object{"message_length": "long"})
	s.step(bad, request, "PATCH", "/v2/persona/", object{"emoji_usage": "yes"})
	s.step(bad, request, "PATCH", "/v2/persona/", `{"emoji_usage":`)
	s.step(notFound, route, "GET", "/v2/persona", nil)
	s.step(http.StatusMethodNotAllowed, route, "POST", "/v2/persona/", object{})

	// Variables.
	vars := s.step(ok, none, "GET", "/v2/variables/", nil)["data"].([]any)
	if len(vars) != 5 {
		t.Fatalf("%d variables, want the 5 that are not reserved", len(vars))
	}
	plan := vars[0].(object)
	s.step(ok, none, "GET", "/v2/variables/"+str(plan["id"]), nil)
	s.step(notFound, none, "GET", "/v2/variables/66a1f0c2b7e4d3a1c0f000f1", nil) // reserved: language
	s.step(notFound, none, "GET", "/v2/variables/"+unknownID, nil)

	// Custom instructions.
	const path = "/v2/custom-instructions/"
	first := s.step(created, none, "POST", path, object{"title": "Refund tone", "text": "Apologise before you explain a refund."})
	if first["enabled"] != false || first["notes"] != nil || first["availability_rules"] != nil {
		t.Fatalf("create defaults: %v", first)
	}
	firstID := str(first["id"])
	gold := s.step(created, none, "POST", path, object{"title": "Gold customers", "text": "Offer free shipping.", "enabled": true,
		"notes": "Q3 campaign", "availability_rules": `v("plan_type") == "gold"`})
	s.step(conflict, none, "POST", path, object{"title": "refund TONE", "text": "x"})
	s.step(bad, request, "POST", path, object{"title": "No text"})
	s.step(bad, none, "POST", path, object{"title": " ", "text": "x"})
	s.step(bad, none, "POST", path, object{"title": "Rule", "text": "x", "availability_rules": `v("shoe_size") > 40`})
	s.step(bad, none, "POST", path, object{"title": "Rule", "text": "x", "availability_rules": `v("plan_type" == "gold"`})
	s.step(bad, request, "POST", path, object{"title": "Notes", "text": "x", "notes": nil})
	s.step(bad, request, "POST", path, object{"title": "On", "text": "x", "enabled": "yes"})
	if n := s.walk(path + "?limit=1"); n != 2 {
		t.Fatalf("walked %d custom instructions, want 2", n)
	}
	s.step(bad, none, "GET", path+"?limit=0", nil)
	s.step(bad, none, "GET", path+"?cursor=not-an-id", nil)

	item := path + firstID
	s.step(ok, none, "GET", item, nil)
	s.step(notFound, none, "GET", path+unknownID, nil)
	upd := s.step(ok, none, "PATCH", item, object{"notes": "", "enabled": true})
	if upd["notes"] != "" || upd["enabled"] != true || upd["title"] != "Refund tone" {
		t.Fatalf("PATCH notes/enabled: %v", upd)
	}
	if upd = s.step(ok, none, "PATCH", path+str(gold["id"]), object{"availability_rules": nil}); upd["availability_rules"] != nil || upd["notes"] != "Q3 campaign" {
		t.Fatalf("PATCH availability_rules: null: %v", upd)
	}
	s.step(ok, none, "PATCH", item, object{})
	s.step(conflict, none, "PATCH", item, object{"title": "GOLD customers"})
	s.step(bad, none, "PATCH", item, object{"availability_rules": ""})
	s.step(bad, request, "PATCH", item, object{"notes": nil})
	s.step(notFound, none, "PATCH", path+unknownID, object{"enabled": false})
	s.step(noContent, none, "DELETE", item, nil)
	s.step(notFound, none, "DELETE", item, nil)
	s.step(notFound, route, "GET", "/v2/custom-instructions", nil)
	s.step(http.StatusMethodNotAllowed, route, "PUT", path+str(gold["id"]), object{"title": "x", "text": "y"})
}

var (
	noteKeys        = []string{"company_description", "community_guidelines_url", "competitor_names"}
	personaRequired = []string{"personality", "emoji_usage", "allowed_emojis", "default_timezone", "message_length", "ask_for_more_help",
		"no_customer_pi", "no_competitors", "enable_acknowledgment_messages"}
	instructionID = regexp.MustCompile(`^[0-9a-f]{24}$`)
)

func checkPersona(p object, fail failFunc) {
	for _, k := range append(slices.Clone(personaRequired), noteKeys...) {
		if _, ok := p[k]; !ok {
			fail("persona without %s", k)
		}
	}
	if _, ok := p["personality"].([]any); !ok {
		fail("personality %v", p["personality"])
	}
	if p["message_length"] != "concise" && p["message_length"] != "normal" {
		fail("message_length %v", p["message_length"])
	}
}

func checkVariables(body object, fail failFunc) {
	data, ok := body["data"].([]any)
	if !ok || len(data) == 0 {
		fail("no variables")
	}
	for _, d := range data {
		checkVariable(d.(object), fail)
	}
}

func checkVariable(v object, fail failFunc) {
	if str(v["id"]) == "" || str(v["name"]) == "" {
		fail("variable id/name")
	}
}

func checkCustomInstruction(ci object, fail failFunc) {
	if !instructionID.MatchString(str(ci["id"])) || str(ci["title"]) == "" || str(ci["text"]) == "" {
		fail("custom instruction id/title/text")
	}
	if _, ok := ci["enabled"].(bool); !ok {
		fail("enabled %v", ci["enabled"])
	}
	for _, k := range []string{"notes", "availability_rules"} {
		if v, present := ci[k]; !present {
			fail("%s missing", k)
		} else if _, isString := v.(string); v != nil && !isString {
			fail("%s %v", k, v)
		}
	}
}

func TestPersonaPartialUpdate(t *testing.T) {
	c := newSim(t, adasim.Options{})
	def := c.expect(http.StatusOK, "GET", "/v2/persona/", nil)
	if def["message_length"] != "normal" || def["company_description"] != nil || len(def["personality"].([]any)) == 0 {
		t.Fatalf("default persona %v", def)
	}
	got := c.expect(http.StatusOK, "PATCH", "/v2/persona/", object{"competitor_names": "Acme, Globex", "no_competitors": true})
	for k, v := range def {
		if k != "competitor_names" && k != "no_competitors" && fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("PATCH of two fields changed %s: %v -> %v", k, v, got[k])
		}
	}
	if got["competitor_names"] != "Acme, Globex" || got["no_competitors"] != true {
		t.Fatalf("PATCH = %v", got)
	}
	// One unknown field rejects the whole request: the valid field beside it is not applied.
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/persona/", object{"message_length": "concise", "voice": "calm"})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/persona/", object{"message_length": "concise", "default_timezone": ""})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/persona/", object{"personality": nil})
	c.expectError(http.StatusBadRequest, "bad_request", "PATCH", "/v2/persona/", nil)
	if now := c.expect(http.StatusOK, "GET", "/v2/persona/", nil); now["message_length"] != "normal" {
		t.Fatalf("a rejected PATCH changed the persona: %v", now)
	}
	// null clears a nullable field; personality [] is a value.
	got = c.expect(http.StatusOK, "PATCH", "/v2/persona/", object{"competitor_names": nil, "personality": []string{}})
	if got["competitor_names"] != nil || got["personality"] == nil || len(got["personality"].([]any)) != 0 {
		t.Fatalf("PATCH null/[] = %v", got)
	}
	c.sim.Reset()
	if again := c.expect(http.StatusOK, "GET", "/v2/persona/", nil); fmt.Sprint(again) != fmt.Sprint(def) {
		t.Fatalf("after Reset %v, want the default %v", again, def)
	}
}

func TestVariablesHideReservedOnes(t *testing.T) {
	c := newSim(t, adasim.Options{})
	data := c.expect(http.StatusOK, "GET", "/v2/variables/", nil)["data"].([]any)
	var names []string
	for _, d := range data {
		v := d.(object)
		names = append(names, str(v["name"]))
		if got := c.expect(http.StatusOK, "GET", "/v2/variables/"+str(v["id"]), nil); got["name"] != v["name"] || got["id"] != v["id"] {
			t.Fatalf("GET %v = %v", v["id"], got)
		}
	}
	if strings.Join(names, ",") != "plan_type,region,order_number,customer_tier,loyalty_points" {
		t.Fatalf("variables %v", names)
	}
	for _, reserved := range []string{"66a1f0c2b7e4d3a1c0f000f1", "66a1f0c2b7e4d3a1c0f000f4", "language", ".."} {
		c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/variables/"+reserved, nil)
	}
}

func TestCustomInstructionsLifecycle(t *testing.T) {
	c := newSim(t, adasim.Options{Deterministic: true})
	const path = "/v2/custom-instructions/"
	var ids []string
	for i := range 5 {
		ci := c.expect(http.StatusCreated, "POST", path, object{"title": fmt.Sprintf("Rule %d", i), "text": "Say hello."})
		ids = append(ids, str(ci["id"]))
	}
	if !slices.IsSorted(ids) {
		t.Fatalf("ids %v are not in creation order: listing by id would reorder them", ids)
	}
	// Listing is by id; a cursor whose record is deleted continues at the next id.
	page := c.expect(http.StatusOK, "GET", path+"?limit=2", nil)
	next := str(page["meta"].(object)["next_page_url"])
	if !strings.Contains(next, "cursor="+ids[2]) {
		t.Fatalf("next_page_url %q, want cursor %s", next, ids[2])
	}
	c.deleteOK(path + ids[2])
	rest := c.expect(http.StatusOK, "GET", next, nil)["data"].([]any)
	if len(rest) != 2 || rest[0].(object)["id"] != ids[3] {
		t.Fatalf("page after a deleted cursor: %v", rest)
	}

	// notes: "" blanks, availability_rules: null clears, fields left out stay.
	id := ids[0]
	c.expect(http.StatusOK, "PATCH", path+id, object{"notes": "internal", "availability_rules": `v("region") == "EU" and v("customer_tier") != "trial"`})
	got := c.expect(http.StatusOK, "PATCH", path+id, object{"notes": "", "availability_rules": nil, "text": "Say hi."})
	if got["notes"] != "" || got["availability_rules"] != nil || got["title"] != "Rule 0" || got["text"] != "Say hi." || got["enabled"] != false {
		t.Fatalf("PATCH = %v", got)
	}
	// A title may be kept, or changed in case only, by its own instruction.
	c.expect(http.StatusOK, "PATCH", path+id, object{"title": "RULE 0"})
	c.expectError(http.StatusConflict, "conflict", "PATCH", path+id, object{"title": " rule 1 "})
	for _, bad := range []string{`v("region")) == "EU"`, `"EU" == "EU"`, `v("browser") == "Chrome"`, `v("region) == "EU"`} {
		c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path+id, object{"availability_rules": bad})
	}
	if now := c.expect(http.StatusOK, "GET", path+id, nil); now["title"] != "RULE 0" || now["availability_rules"] != nil {
		t.Fatalf("a rejected PATCH changed it: %v", now)
	}
}

func TestEnabledInstructionLimit(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: testKey, EnabledInstructionLimit: 2})
	defer sim.Close()
	s := &sessionRunner{t: t, channelID: sim.DefaultChannelID(), send: conformanceServer(t, sim)}
	const path = "/v2/custom-instructions/"
	on := func(title string) object { return object{"title": title, "text": "x", "enabled": true} }
	a := s.step(http.StatusCreated, none, "POST", path, on("A"))
	s.step(http.StatusCreated, none, "POST", path, on("B"))
	s.step(http.StatusConflict, none, "POST", path, on("C"))
	off := s.step(http.StatusCreated, none, "POST", path, object{"title": "C", "text": "x"})
	s.step(http.StatusConflict, none, "PATCH", path+str(off["id"]), object{"enabled": true})
	s.step(http.StatusOK, none, "PATCH", path+str(a["id"]), object{"text": "still enabled"}) // not enabling: no limit
	s.step(http.StatusOK, none, "PATCH", path+str(a["id"]), object{"enabled": false})
	s.step(http.StatusOK, none, "PATCH", path+str(off["id"]), object{"enabled": true})
}

// The AI Agent's configuration has its own id generator: creating custom instructions does not
// change the ids the other APIs give, so recorded evaluations keep replaying.
func TestCustomInstructionsKeepOtherIDs(t *testing.T) {
	endUserID := func(withInstructions bool) string {
		c := newSim(t, adasim.Options{Seed: 7, Deterministic: true})
		if withInstructions {
			c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": "T", "text": "x"})
			c.expect(http.StatusOK, "PATCH", "/v2/persona/", object{"emoji_usage": true})
		}
		return str(c.createEndUser(object{})["end_user_id"])
	}
	if a, b := endUserID(false), endUserID(true); a != b {
		t.Fatalf("end user id %s became %s after custom instructions were created", a, b)
	}
}

func TestAIAgentConfigurationSurvivesALoad(t *testing.T) {
	c := newSim(t, adasim.Options{Deterministic: true})
	ci := c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": "Kept", "text": "x"})
	c.expect(http.StatusOK, "PATCH", "/v2/persona/", object{"message_length": "concise"})
	if err := c.sim.LoadState(adasim.State{}); err != nil {
		t.Fatal(err)
	}
	c.expect(http.StatusOK, "GET", "/v2/custom-instructions/"+str(ci["id"]), nil)
	if p := c.expect(http.StatusOK, "GET", "/v2/persona/", nil); p["message_length"] != "concise" {
		t.Fatalf("a load reset the persona: %v", p)
	}
	// After the load the clock starts over, yet a new id never repeats one that was kept.
	again := c.expect(http.StatusCreated, "POST", "/v2/custom-instructions/", object{"title": "New", "text": "x"})
	if again["id"] == ci["id"] {
		t.Fatal("an id was given twice")
	}
	c.sim.Reset()
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/custom-instructions/"+str(ci["id"]), nil)
}

// deleteOK sends a DELETE that must answer 204 without a body.
func (c *client) deleteOK(path string) {
	c.t.Helper()
	if r := c.do("DELETE", path, nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		c.t.Fatalf("DELETE %s: %d %s", path, r.status, r.body)
	}
}
