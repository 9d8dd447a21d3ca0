package adasim

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The AI Agent's configuration (ada-api.md 8.1-8.3; Ada's OpenAPI /v2/persona/, /v2/variables/,
// /v2/custom-instructions/): its persona, the variables it can use, and its custom
// instructions. None of it is part of a State: a dump does not show it, a load keeps it, Reset
// brings back the defaults.

// defaultEnabledInstructionLimit is Options.EnabledInstructionLimit's default. Ada documents
// that enabling past "the AI Agent's enabled-instruction limit" is 409, not the number: 20 is
// the simulator's choice.
const defaultEnabledInstructionLimit = 20

// personaJSON is Ada's Persona, as GET and PATCH /v2/persona/ return it.
type personaJSON struct {
	Personality                  []string `json:"personality"`
	EmojiUsage                   bool     `json:"emoji_usage"`
	AllowedEmojis                string   `json:"allowed_emojis"`
	DefaultTimezone              string   `json:"default_timezone"`
	CompanyDescription           *string  `json:"company_description"`
	CommunityGuidelinesURL       *string  `json:"community_guidelines_url"`
	MessageLength                string   `json:"message_length"`
	AskForMoreHelp               bool     `json:"ask_for_more_help"`
	NoCustomerPI                 bool     `json:"no_customer_pi"`
	NoCompetitors                bool     `json:"no_competitors"`
	CompetitorNames              *string  `json:"competitor_names"`
	EnableAcknowledgmentMessages bool     `json:"enable_acknowledgment_messages"`
}

// defaultPersona is the persona a new simulator has (the values are the simulator's choice).
func defaultPersona() personaJSON {
	return personaJSON{Personality: []string{"friendly", "professional"}, DefaultTimezone: "UTC",
		MessageLength: "normal", AskForMoreHelp: true, NoCustomerPI: true, EnableAcknowledgmentMessages: true}
}

func (p personaJSON) clone() personaJSON {
	p.Personality = slices.Clone(p.Personality)
	p.CompanyDescription, p.CommunityGuidelinesURL, p.CompetitorNames =
		copyString(p.CompanyDescription), copyString(p.CommunityGuidelinesURL), copyString(p.CompetitorNames)
	return p
}

// variable is a Variable. Reserved and internal ones exist (rules could not use them otherwise)
// but the API never shows them: the list leaves them out and a GET is 404.
type variable struct {
	id, name string
	reserved bool
}

type variableJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// seededVariables are the simulator's variables, the same in every simulator: a few an AI Agent
// typically has (set from end-user metadata), and reserved ones of Ada's own.
var seededVariables = []variable{
	{id: "66a1f0c2b7e4d3a1c0f00001", name: "plan_type"},
	{id: "66a1f0c2b7e4d3a1c0f00002", name: "region"},
	{id: "66a1f0c2b7e4d3a1c0f00003", name: "order_number"},
	{id: "66a1f0c2b7e4d3a1c0f00004", name: "customer_tier"},
	{id: "66a1f0c2b7e4d3a1c0f00005", name: "loyalty_points"},
	{id: "66a1f0c2b7e4d3a1c0f000f1", name: "language", reserved: true},
	{id: "66a1f0c2b7e4d3a1c0f000f2", name: "browser", reserved: true},
	{id: "66a1f0c2b7e4d3a1c0f000f3", name: "user_agent", reserved: true},
	{id: "66a1f0c2b7e4d3a1c0f000f4", name: "ada_internal_session_state", reserved: true},
}

// visibleVariable returns the variable the API shows under id or name ("" to skip either).
func visibleVariable(id, name string) (variable, bool) {
	for _, v := range seededVariables {
		if !v.reserved && (v.id == id || v.name == name) {
			return v, true
		}
	}
	return variable{}, false
}

type customInstruction struct {
	id, title, text string
	enabled         bool
	notes           *string // nil: never set
	rules           *string // availability_rules; nil: none
}

type customInstructionJSON struct {
	ID                string  `json:"id"`
	Title             string  `json:"title"`
	Text              string  `json:"text"`
	Enabled           bool    `json:"enabled"`
	Notes             *string `json:"notes"`
	AvailabilityRules *string `json:"availability_rules"`
}

func (ci *customInstruction) toJSON() customInstructionJSON {
	return customInstructionJSON{ID: ci.id, Title: ci.title, Text: ci.text, Enabled: ci.enabled,
		Notes: copyString(ci.notes), AvailabilityRules: copyString(ci.rules)}
}

// aiAgentStore is the persona and the custom instructions. Its id generator is its own, seeded
// by Options.Seed, so that custom instructions never change the other APIs' ids, and a load
// (which restarts those) cannot make an id twice.
type aiAgentStore struct {
	persona      personaJSON
	instructions map[string]*customInstruction
	machine      [5]byte // the random middle of every id
	counter      uint32
}

func newAIAgentStore(seed int64) *aiAgentStore {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed_a1a9_e270_0001))
	st := &aiAgentStore{persona: defaultPersona(), instructions: map[string]*customInstruction{}}
	binary.BigEndian.PutUint32(st.machine[:4], rng.Uint32())
	st.machine[4] = byte(rng.Uint32())
	st.counter = rng.Uint32() & 0x7f_ffff // room for 8 million ids before the 24 bits wrap
	return st
}

// newInstructionID is 24 hex digits shaped like Ada's (MongoDB ObjectId) ids: the creation time
// in seconds, 5 random bytes fixed per simulator and a counter, so that ordering by id is
// creation order. Callers hold mu, after the creation's Tick.
func (s *Sim) newInstructionID() string {
	st := s.aiAgent
	for {
		var b [12]byte
		binary.BigEndian.PutUint32(b[:4], uint32(s.clock.changedAt().Unix()))
		copy(b[4:9], st.machine[:])
		st.counter++
		b[9], b[10], b[11] = byte(st.counter>>16), byte(st.counter>>8), byte(st.counter)
		if id := hex.EncodeToString(b[:]); st.instructions[id] == nil {
			return id
		}
	}
}

// sortedInstructions returns the custom instructions ordered by id. Callers hold mu.
func (st *aiAgentStore) sortedInstructions() []*customInstruction {
	out := make([]*customInstruction, 0, len(st.instructions))
	for _, ci := range st.instructions {
		out = append(out, ci)
	}
	slices.SortFunc(out, func(a, b *customInstruction) int { return strings.Compare(a.id, b.id) })
	return out
}

// titleTaken reports whether another custom instruction has the title, compared
// case-insensitively without surrounding spaces (an assumption: Ada says "unique per Agent").
func (st *aiAgentStore) titleTaken(title string, except *customInstruction) bool {
	key := strings.ToLower(strings.TrimSpace(title))
	for _, ci := range st.instructions {
		if ci != except && strings.ToLower(strings.TrimSpace(ci.title)) == key {
			return true
		}
	}
	return false
}

func (st *aiAgentStore) enabledCount() int {
	n := 0
	for _, ci := range st.instructions {
		if ci.enabled {
			n++
		}
	}
	return n
}

func (s *Sim) enabledInstructionLimit() int {
	if s.opts.EnabledInstructionLimit > 0 {
		return s.opts.EnabledInstructionLimit
	}
	return defaultEnabledInstructionLimit
}

// getPersona is GET /v2/persona/.
func (s *Sim) getPersona(*call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return http.StatusOK, s.aiAgent.persona.clone(), nil
}

// personaField decodes one field of a PATCH /v2/persona/ body into p; false: the value is not
// of the field's type.
type personaField func(p *personaJSON, raw json.RawMessage) bool

func boolField(set func(*personaJSON, bool)) personaField {
	return func(p *personaJSON, raw json.RawMessage) bool {
		var v bool
		if isNull(raw) || json.Unmarshal(raw, &v) != nil {
			return false
		}
		set(p, v)
		return true
	}
}

// stringField decodes a string, or null when nullable; check, if set, also vets the string.
func stringField(nullable bool, check func(string) bool, set func(*personaJSON, *string)) personaField {
	return func(p *personaJSON, raw json.RawMessage) bool {
		if isNull(raw) {
			if nullable {
				set(p, nil)
			}
			return nullable
		}
		var v string
		if json.Unmarshal(raw, &v) != nil || (check != nil && !check(v)) {
			return false
		}
		set(p, &v)
		return true
	}
}

// personaFieldRule is what a persona field accepts (want, for the error) and how it is set.
type personaFieldRule struct {
	want  string
	apply personaField
}

// personaFieldRules are the fields of PersonaUpdate, each with what it accepts. Any other field
// is rejected, as Ada documents ("Fields that are not part of the public persona schema are
// rejected"). default_timezone is only required to be non-empty (whether Ada checks the zone
// name is not documented).
var personaFieldRules = sync.OnceValue(func() map[string]personaFieldRule {
	return map[string]personaFieldRule{
		"personality": {"an array of strings", func(p *personaJSON, raw json.RawMessage) bool {
			v := []string{}
			if isNull(raw) || json.Unmarshal(raw, &v) != nil {
				return false
			}
			p.Personality = v
			return true
		}},
		"emoji_usage":    {"a boolean", boolField(func(p *personaJSON, v bool) { p.EmojiUsage = v })},
		"allowed_emojis": {"a string", stringField(false, nil, func(p *personaJSON, v *string) { p.AllowedEmojis = *v })},
		"default_timezone": {"a non-empty string (a time zone such as Europe/Paris)", stringField(false,
			func(v string) bool { return strings.TrimSpace(v) != "" }, func(p *personaJSON, v *string) { p.DefaultTimezone = *v })},
		"company_description":      {"a string or null", stringField(true, nil, func(p *personaJSON, v *string) { p.CompanyDescription = v })},
		"community_guidelines_url": {"a string or null", stringField(true, nil, func(p *personaJSON, v *string) { p.CommunityGuidelinesURL = v })},
		"message_length": {"concise or normal", stringField(false,
			func(v string) bool { return v == "concise" || v == "normal" }, func(p *personaJSON, v *string) { p.MessageLength = *v })},
		"ask_for_more_help":              {"a boolean", boolField(func(p *personaJSON, v bool) { p.AskForMoreHelp = v })},
		"no_customer_pi":                 {"a boolean", boolField(func(p *personaJSON, v bool) { p.NoCustomerPI = v })},
		"no_competitors":                 {"a boolean", boolField(func(p *personaJSON, v bool) { p.NoCompetitors = v })},
		"competitor_names":               {"a string or null", stringField(true, nil, func(p *personaJSON, v *string) { p.CompetitorNames = v })},
		"enable_acknowledgment_messages": {"a boolean", boolField(func(p *personaJSON, v bool) { p.EnableAcknowledgmentMessages = v })},
	}
})

// patchPersona is PATCH /v2/persona/: only the fields given change (null clears the nullable
// ones); an unknown field, or a value of the wrong type, is 400 and nothing changes.
func (s *Sim) patchPersona(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if _, known := personaFieldRules()[key]; !known {
			return 0, nil, invalidField(key, "Unknown persona field %q: only the fields of the persona can be updated.", key)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.aiAgent.persona.clone()
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		rule := personaFieldRules()[key]
		if !rule.apply(&p, obj[key]) {
			return 0, nil, invalidField(key, "%s must be %s.", key, rule.want)
		}
	}
	before, _ := json.Marshal(s.aiAgent.persona)
	after, _ := json.Marshal(p)
	if !bytes.Equal(before, after) {
		s.aiAgent.persona = p
		s.clock.Tick()
	}
	return http.StatusOK, p.clone(), nil
}

// getVariables is GET /v2/variables/: {"data": [...]}, not paginated, without the reserved and
// internal variables.
func (s *Sim) getVariables(*call) (int, any, *apiError) {
	data := []variableJSON{}
	for _, v := range seededVariables {
		if !v.reserved {
			data = append(data, variableJSON{ID: v.id, Name: v.name})
		}
	}
	return http.StatusOK, map[string][]variableJSON{"data": data}, nil
}

// getVariable is GET /v2/variables/{id}: 404 for an unknown id and for a reserved or internal
// variable.
func (s *Sim) getVariable(c *call) (int, any, *apiError) {
	v, ok := visibleVariable(c.id, "")
	if !ok {
		return 0, nil, notFound("Variable %q not found.", c.id)
	}
	return http.StatusOK, variableJSON{ID: v.id, Name: v.name}, nil
}

var hexIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{24}$`) })

// getCustomInstructions is GET /v2/custom-instructions/: every custom instruction, enabled or
// not, ordered by id and paginated. The cursor is the id of the page's first record; one whose
// record was deleted continues at the next id.
func (s *Sim) getCustomInstructions(c *call) (int, any, *apiError) {
	p, err := parsePageParams(c.r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	if p.cursor != "" && !hexIDPattern().MatchString(p.cursor) {
		return 0, nil, badRequest("cursor %q is not a valid cursor for this list.", p.cursor)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.aiAgent.sortedInstructions()
	start := 0
	if p.cursor != "" {
		start, _ = slices.BinarySearchFunc(all, p.cursor, func(ci *customInstruction, id string) int { return strings.Compare(ci.id, id) })
	}
	page, next := pageFrom(all, start, p.limit, func(ci *customInstruction) string { return ci.id })
	body := listPage[customInstructionJSON]{Data: make([]customInstructionJSON, 0, len(page)), Meta: pageMeta{NextPageURL: nextPageURL(c.r, next, p.limit)}}
	for _, ci := range page {
		body.Data = append(body.Data, ci.toJSON())
	}
	return http.StatusOK, body, nil
}

// instructionFields are the fields of a create or update request; nil: not given. rules is
// present with a nil value for an explicit null.
type instructionFields struct {
	title, text, notes *string
	enabled            *bool
	rules              optional[string]
}

// parseInstructionFields reads title and text (non-empty strings), enabled (a boolean), notes
// (a string, "" blanks it) and availability_rules (a rule expression, or null for none). Other
// fields are ignored, as the id a client might echo.
func parseInstructionFields(obj jsonObject) (instructionFields, *apiError) {
	var f instructionFields
	for _, key := range []string{"title", "text", "notes"} {
		raw, ok := obj[key]
		if !ok {
			continue
		}
		var v string
		if isNull(raw) || json.Unmarshal(raw, &v) != nil {
			if key == "notes" {
				return f, invalidField(key, "notes must be a string; send \"\" to blank it.")
			}
			return f, invalidField(key, "%s must be a string.", key)
		}
		if key != "notes" && strings.TrimSpace(v) == "" {
			return f, invalidField(key, "%s must not be empty.", key)
		}
		switch key {
		case "title":
			f.title = &v
		case "text":
			f.text = &v
		default:
			f.notes = &v
		}
	}
	if raw, ok := obj["enabled"]; ok {
		var v bool
		if isNull(raw) || json.Unmarshal(raw, &v) != nil {
			return f, invalidField("enabled", "enabled must be a boolean.")
		}
		f.enabled = &v
	}
	rules, err := obj.stringField("availability_rules", "availability_rules")
	if err != nil {
		return f, err
	}
	if rules.present && !rules.null {
		if err := validateAvailabilityRules(rules.value); err != nil {
			return f, err
		}
	}
	f.rules = rules
	return f, nil
}

var variableLookup = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`v\(\s*"([^"\\]*)"\s*\)`) })

// validateAvailabilityRules checks a rule expression as far as Ada documents it: a non-empty
// string whose v("<variable_name>") lookups name known variables. The simulator's reading of
// "malformed" (an assumption; Ada does not publish the grammar): no lookup at all, unbalanced
// double quotes, or unbalanced parentheses outside quotes. Operators are not checked.
func validateAvailabilityRules(rule string) *apiError {
	const field = "availability_rules"
	if strings.TrimSpace(rule) == "" {
		return invalidField(field, "availability_rules must not be empty; send null to clear it.")
	}
	depth, quoted := 0, false
	for _, r := range rule {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		}
		if depth < 0 {
			break
		}
	}
	lookups := variableLookup().FindAllStringSubmatch(rule, -1)
	if quoted || depth != 0 || len(lookups) == 0 {
		return invalidField(field, `availability_rules is malformed: it must be a rule expression with v("<variable_name>") lookups, e.g. v("plan_type") == "gold".`)
	}
	for _, m := range lookups {
		if _, ok := visibleVariable("", m[1]); !ok {
			return invalidField(field, "availability_rules refers to the unknown variable %q: GET /v2/variables/ lists them.", m[1])
		}
	}
	return nil
}

// createCustomInstruction is POST /v2/custom-instructions/: 201 and the custom instruction,
// disabled unless enabled is true; 409 when the title is taken or enabling it would pass the
// enabled-instruction limit.
func (s *Sim) createCustomInstruction(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	f, err := parseInstructionFields(obj)
	if err != nil {
		return 0, nil, err
	}
	if f.title == nil {
		return 0, nil, invalidField("title", "title is required.")
	}
	if f.text == nil {
		return 0, nil, invalidField("text", "text is required.")
	}
	ci := &customInstruction{title: *f.title, text: *f.text, notes: f.notes}
	if f.enabled != nil {
		ci.enabled = *f.enabled
	}
	if f.rules.present && !f.rules.null {
		ci.rules = &f.rules.value
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.instructionConflict(ci, ci.enabled, nil); err != nil {
		return 0, nil, err
	}
	s.clock.Tick()
	ci.id = s.newInstructionID()
	s.aiAgent.instructions[ci.id] = ci
	s.audit(auditCustomInstruction, ci.id, ci.title, activityCreated)
	return http.StatusCreated, ci.toJSON(), nil
}

// instructionConflict is the 409 of a create or update: the title taken by another custom
// instruction, or one more enabled instruction than the limit. Callers hold mu.
func (s *Sim) instructionConflict(ci *customInstruction, enabling bool, self *customInstruction) *apiError {
	if s.aiAgent.titleTaken(ci.title, self) {
		return conflict("A custom instruction titled %q already exists: titles are unique.", ci.title)
	}
	if limit := s.enabledInstructionLimit(); enabling && s.aiAgent.enabledCount() >= limit {
		return conflict("Enabling this custom instruction would exceed the limit of %d enabled custom instructions: disable another first.", limit)
	}
	return nil
}

// customInstructionLocked finds a custom instruction (404 otherwise). Callers hold mu.
func (s *Sim) customInstructionLocked(id string) (*customInstruction, *apiError) {
	ci := s.aiAgent.instructions[id]
	if ci == nil {
		return nil, notFound("Custom instruction %q not found.", id)
	}
	return ci, nil
}

// getCustomInstruction is GET /v2/custom-instructions/{id}.
func (s *Sim) getCustomInstruction(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ci, err := s.customInstructionLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ci.toJSON(), nil
}

// patchCustomInstruction is PATCH /v2/custom-instructions/{id}: only the fields given change;
// notes "" blanks the notes, availability_rules null clears the rule; 409 as on create.
func (s *Sim) patchCustomInstruction(c *call) (int, any, *apiError) {
	obj, err := c.object(false)
	if err != nil {
		return 0, nil, err
	}
	f, err := parseInstructionFields(obj)
	if err != nil {
		return 0, nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ci, err := s.customInstructionLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	next := *ci
	if f.title != nil {
		next.title = *f.title
	}
	if f.text != nil {
		next.text = *f.text
	}
	if f.notes != nil {
		next.notes = f.notes
	}
	if f.enabled != nil {
		next.enabled = *f.enabled
	}
	if f.rules.present {
		next.rules = nil
		if !f.rules.null {
			next.rules = &f.rules.value
		}
	}
	if err := s.instructionConflict(&next, next.enabled && !ci.enabled, ci); err != nil {
		return 0, nil, err
	}
	if before, after := mustJSON(ci.toJSON()), mustJSON(next.toJSON()); !bytes.Equal(before, after) {
		// Turning it on or off, and nothing else, is an activation or a deactivation.
		activity := activityUpdated
		if toggled := next; toggled.enabled != ci.enabled {
			toggled.enabled = ci.enabled
			if bytes.Equal(before, mustJSON(toggled.toJSON())) {
				activity = activityDeactivated
				if next.enabled {
					activity = activityActivated
				}
			}
		}
		*ci = next
		s.clock.Tick()
		s.audit(auditCustomInstruction, ci.id, ci.title, activity)
	}
	return http.StatusOK, ci.toJSON(), nil
}

// deleteCustomInstruction is DELETE /v2/custom-instructions/{id}: 204 without a body.
func (s *Sim) deleteCustomInstruction(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ci, err := s.customInstructionLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	delete(s.aiAgent.instructions, ci.id)
	s.clock.Tick()
	s.audit(auditCustomInstruction, ci.id, ci.title, activityDeleted)
	return http.StatusNoContent, nil, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("adasim: encoding " + err.Error()) // the simulator's own types
	}
	return b
}
