package adaclient

import (
	"context"
	"net/http"
	"strings"
)

// AIAgentService is the AI Agent's configuration APIs (ada-api.md 8.1-8.3):
// its persona (/v2/persona/), its custom instructions
// (/v2/custom-instructions/) and the variables they can refer to
// (/v2/variables/).
type AIAgentService struct{ c *Client }

// Persona message lengths Ada documents. Responses may carry others.
const (
	MessageLengthConcise = "concise"
	MessageLengthNormal  = "normal"
)

// Persona is the AI Agent's persona: how it writes and what it avoids.
type Persona struct {
	Personality            []string `json:"personality"`
	EmojiUsage             bool     `json:"emoji_usage"`
	AllowedEmojis          string   `json:"allowed_emojis"`
	DefaultTimezone        string   `json:"default_timezone"`
	CompanyDescription     *string  `json:"company_description"`
	CommunityGuidelinesURL *string  `json:"community_guidelines_url"`
	// MessageLength is concise or normal.
	MessageLength                string  `json:"message_length"`
	AskForMoreHelp               bool    `json:"ask_for_more_help"`
	NoCustomerPI                 bool    `json:"no_customer_pi"`
	NoCompetitors                bool    `json:"no_competitors"`
	CompetitorNames              *string `json:"competitor_names"`
	EnableAcknowledgmentMessages bool    `json:"enable_acknowledgment_messages"`
}

// PersonaUpdate is the body of PATCH /v2/persona/: only the fields set are
// sent, and Ada changes only those (it rejects fields it does not know).
type PersonaUpdate struct {
	// Personality nil leaves it unchanged; an empty, non-nil slice clears it.
	Personality            []string         `json:"personality,omitzero"`
	EmojiUsage             *bool            `json:"emoji_usage,omitempty"`
	AllowedEmojis          *string          `json:"allowed_emojis,omitempty"`
	DefaultTimezone        *string          `json:"default_timezone,omitempty"`
	CompanyDescription     Nullable[string] `json:"company_description,omitzero"`
	CommunityGuidelinesURL Nullable[string] `json:"community_guidelines_url,omitzero"`
	MessageLength          *string          `json:"message_length,omitempty"`
	AskForMoreHelp         *bool            `json:"ask_for_more_help,omitempty"`
	NoCustomerPI           *bool            `json:"no_customer_pi,omitempty"`
	NoCompetitors          *bool            `json:"no_competitors,omitempty"`
	CompetitorNames        Nullable[string] `json:"competitor_names,omitzero"`
	// EnableAcknowledgmentMessages: the AI Agent acknowledges before a
	// longer answer.
	EnableAcknowledgmentMessages *bool `json:"enable_acknowledgment_messages,omitempty"`
}

func (u *PersonaUpdate) empty() bool {
	return u.Personality == nil && u.EmojiUsage == nil && u.AllowedEmojis == nil && u.DefaultTimezone == nil &&
		u.CompanyDescription.IsZero() && u.CommunityGuidelinesURL.IsZero() && u.MessageLength == nil &&
		u.AskForMoreHelp == nil && u.NoCustomerPI == nil && u.NoCompetitors == nil && u.CompetitorNames.IsZero() &&
		u.EnableAcknowledgmentMessages == nil
}

// CustomInstruction is system-level guidance the AI Agent follows when it is
// enabled (and, with AvailabilityRules, only for the end users they match).
type CustomInstruction struct {
	ID string `json:"id"`
	// Title is unique per AI Agent.
	Title   string `json:"title"`
	Text    string `json:"text"`
	Enabled bool   `json:"enabled"`
	// Notes are internal, never shown to the AI Agent; nil when none.
	Notes *string `json:"notes"`
	// AvailabilityRules is a rule expression with v("<variable_name>")
	// lookups; nil when no rule is set.
	AvailabilityRules *string `json:"availability_rules"`
}

// CustomInstructionCreate is the body of POST /v2/custom-instructions/.
type CustomInstructionCreate struct {
	Title string `json:"title"`
	Text  string `json:"text"`
	// Enabled nil leaves Ada's default: disabled.
	Enabled *bool  `json:"enabled,omitempty"`
	Notes   string `json:"notes,omitempty"`
	// AvailabilityRules "" sets no rule.
	AvailabilityRules string `json:"availability_rules,omitempty"`
}

// CustomInstructionUpdate is the body of PATCH
// /v2/custom-instructions/{id}: only the fields set change.
type CustomInstructionUpdate struct {
	Title   *string `json:"title,omitempty"`
	Text    *string `json:"text,omitempty"`
	Enabled *bool   `json:"enabled,omitempty"`
	// Notes "" blanks the notes.
	Notes *string `json:"notes,omitempty"`
	// AvailabilityRules Null clears the rule.
	AvailabilityRules Nullable[string] `json:"availability_rules,omitzero"`
}

// Variable is a variable the AI Agent can use; reserved and internal
// variables are never listed.
type Variable struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func customInstructionPath(id string) string { return "/v2/custom-instructions/" + pathEscape(id) }

// GetPersona fetches the persona.
// GET /v2/persona/
func (s *AIAgentService) GetPersona(ctx context.Context) (*Persona, *Response, error) {
	var p Persona
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: "/v2/persona/", mode: idempotent}, &p)
	if err != nil {
		return nil, r, err
	}
	return &p, r, nil
}

// UpdatePersona changes the fields set in req, at least one, and returns the
// whole persona. Repeating it changes nothing more, so it is retried.
// PATCH /v2/persona/
func (s *AIAgentService) UpdatePersona(ctx context.Context, req *PersonaUpdate) (*Persona, *Response, error) {
	if req == nil || req.empty() {
		return nil, nil, invalid("persona", "an update needs at least one field")
	}
	if req.MessageLength != nil && *req.MessageLength != MessageLengthConcise && *req.MessageLength != MessageLengthNormal {
		return nil, nil, invalid("message_length", "must be %q or %q", MessageLengthConcise, MessageLengthNormal)
	}
	var p Persona
	r, err := s.c.do(ctx, call{method: http.MethodPatch, path: "/v2/persona/", body: req, mode: idempotent}, &p)
	if err != nil {
		return nil, r, err
	}
	return &p, r, nil
}

// ListCustomInstructions returns one page of custom instructions, enabled
// and not, ordered by id; Response.NextCursor continues.
// GET /v2/custom-instructions/
func (s *AIAgentService) ListCustomInstructions(ctx context.Context, opts *ListOptions) ([]CustomInstruction, *Response, error) {
	q, err := opts.values(nil)
	if err != nil {
		return nil, nil, err
	}
	return list[CustomInstruction](s.c, ctx, "/v2/custom-instructions/", q)
}

// GetCustomInstruction fetches a custom instruction.
// GET /v2/custom-instructions/{custom_instruction_id}
func (s *AIAgentService) GetCustomInstruction(ctx context.Context, id string) (*CustomInstruction, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	return s.instruction(ctx, call{method: http.MethodGet, path: customInstructionPath(id), mode: idempotent})
}

// CreateCustomInstruction creates a custom instruction (Ada answers 201;
// 409 when the title is taken or enabling it would pass the AI Agent's
// limit of enabled instructions). Not idempotent: it is never repeated once
// it may have reached Ada.
// POST /v2/custom-instructions/
func (s *AIAgentService) CreateCustomInstruction(ctx context.Context, req *CustomInstructionCreate) (*CustomInstruction, *Response, error) {
	if req == nil {
		req = &CustomInstructionCreate{}
	}
	if err := requireText("title", req.Title); err != nil {
		return nil, nil, err
	}
	if err := requireText("text", req.Text); err != nil {
		return nil, nil, err
	}
	if req.AvailabilityRules != "" && strings.TrimSpace(req.AvailabilityRules) == "" {
		return nil, nil, invalid("availability_rules", "must not be blank; leave it out for no rule")
	}
	return s.instruction(ctx, call{method: http.MethodPost, path: "/v2/custom-instructions/", body: req, mode: notIdempotent})
}

// UpdateCustomInstruction changes the fields set in req, at least one.
// PATCH /v2/custom-instructions/{custom_instruction_id}
func (s *AIAgentService) UpdateCustomInstruction(ctx context.Context, id string, req *CustomInstructionUpdate) (*CustomInstruction, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	if req == nil || (req.Title == nil && req.Text == nil && req.Enabled == nil && req.Notes == nil && req.AvailabilityRules.IsZero()) {
		return nil, nil, invalid("custom_instruction", "an update needs at least one of title, text, enabled, notes, availability_rules")
	}
	if req.Title != nil {
		if err := requireText("title", *req.Title); err != nil {
			return nil, nil, err
		}
	}
	if req.Text != nil {
		if err := requireText("text", *req.Text); err != nil {
			return nil, nil, err
		}
	}
	if rule, ok := req.AvailabilityRules.Get(); ok && strings.TrimSpace(rule) == "" {
		return nil, nil, invalid("availability_rules", "must not be blank; null clears the rule")
	}
	return s.instruction(ctx, call{method: http.MethodPatch, path: customInstructionPath(id), body: req, mode: idempotent})
}

// DeleteCustomInstruction deletes a custom instruction (Ada answers 204).
// It is retried like a GET, so after a retry a 404 may mean an earlier
// attempt deleted it.
// DELETE /v2/custom-instructions/{custom_instruction_id}
func (s *AIAgentService) DeleteCustomInstruction(ctx context.Context, id string) (*Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: customInstructionPath(id), mode: idempotent}, nil)
}

// ListVariables returns every variable the AI Agent can use (Ada does not
// paginate them).
// GET /v2/variables/
func (s *AIAgentService) ListVariables(ctx context.Context) ([]Variable, *Response, error) {
	return list[Variable](s.c, ctx, "/v2/variables/", nil)
}

// GetVariable fetches a variable; a reserved or internal one is 404.
// GET /v2/variables/{id}
func (s *AIAgentService) GetVariable(ctx context.Context, id string) (*Variable, *Response, error) {
	if err := validateID("id", id); err != nil {
		return nil, nil, err
	}
	var v Variable
	r, err := s.c.do(ctx, call{method: http.MethodGet, path: "/v2/variables/" + pathEscape(id), mode: idempotent}, &v)
	if err != nil {
		return nil, r, err
	}
	return &v, r, nil
}

func (s *AIAgentService) instruction(ctx context.Context, cl call) (*CustomInstruction, *Response, error) {
	var ci CustomInstruction
	r, err := s.c.do(ctx, cl, &ci)
	if err != nil {
		return nil, r, err
	}
	return &ci, r, nil
}
