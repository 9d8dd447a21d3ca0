package schemas

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// Persona is the AI Agent's persona as tools return it; a null text field
// of Ada's is left out.
type Persona struct {
	Personality                  []string `json:"personality" jsonschema:"required"`
	EmojiUsage                   bool     `json:"emoji_usage" jsonschema:"required"`
	AllowedEmojis                string   `json:"allowed_emojis,omitempty"`
	DefaultTimezone              string   `json:"default_timezone,omitempty"`
	CompanyDescription           string   `json:"company_description,omitempty"`
	CommunityGuidelinesURL       string   `json:"community_guidelines_url,omitempty"`
	MessageLength                string   `json:"message_length" jsonschema:"required"`
	AskForMoreHelp               bool     `json:"ask_for_more_help" jsonschema:"required"`
	NoCustomerPI                 bool     `json:"no_customer_pi" jsonschema:"required"`
	NoCompetitors                bool     `json:"no_competitors" jsonschema:"required"`
	CompetitorNames              string   `json:"competitor_names,omitempty"`
	EnableAcknowledgmentMessages bool     `json:"enable_acknowledgment_messages" jsonschema:"required"`
}

// PersonaFrom converts Ada's persona; a null personality becomes [].
func PersonaFrom(p *adaclient.Persona) Persona {
	personality := p.Personality
	if personality == nil {
		personality = []string{}
	}
	return Persona{Personality: personality, EmojiUsage: p.EmojiUsage, AllowedEmojis: p.AllowedEmojis,
		DefaultTimezone: p.DefaultTimezone, CompanyDescription: deref(p.CompanyDescription),
		CommunityGuidelinesURL: deref(p.CommunityGuidelinesURL), MessageLength: p.MessageLength,
		AskForMoreHelp: p.AskForMoreHelp, NoCustomerPI: p.NoCustomerPI, NoCompetitors: p.NoCompetitors,
		CompetitorNames: deref(p.CompetitorNames), EnableAcknowledgmentMessages: p.EnableAcknowledgmentMessages}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// GetPersonaArgs are get_persona's arguments: none.
type GetPersonaArgs struct{}

// PersonaResult is get_persona's and update_persona's result.
type PersonaResult struct {
	Persona Persona `json:"persona" jsonschema:"required"`
}

// UpdatePersonaArgs are update_persona's arguments: the fields given
// change, the others stay. Ada rejects fields it does not know; the strict
// argument decoding already refuses them. company_description is bounded
// (MaxInstructionLength) in internal/schemagen: a struct tag cannot bound a
// nullable string.
type UpdatePersonaArgs struct {
	Personality                  []string                   `json:"personality,omitzero" jsonschema_description:"Traits such as friendly; replaces the list."`
	EmojiUsage                   *bool                      `json:"emoji_usage,omitempty"`
	AllowedEmojis                *string                    `json:"allowed_emojis,omitempty"`
	DefaultTimezone              *string                    `json:"default_timezone,omitempty" jsonschema_description:"IANA zone, e.g. Europe/Paris."`
	CompanyDescription           adaclient.Nullable[string] `json:"company_description,omitzero"`
	CommunityGuidelinesURL       adaclient.Nullable[string] `json:"community_guidelines_url,omitzero"`
	MessageLength                *string                    `json:"message_length,omitempty" jsonschema:"enum=concise,enum=normal"`
	AskForMoreHelp               *bool                      `json:"ask_for_more_help,omitempty"`
	NoCustomerPI                 *bool                      `json:"no_customer_pi,omitempty"`
	NoCompetitors                *bool                      `json:"no_competitors,omitempty"`
	CompetitorNames              adaclient.Nullable[string] `json:"competitor_names,omitzero"`
	EnableAcknowledgmentMessages *bool                      `json:"enable_acknowledgment_messages,omitempty"`
}

// Validate requires at least one field and a non-blank default_timezone;
// message_length is checked by the schema's enum.
func (a *UpdatePersonaArgs) Validate() error {
	if a.Personality == nil && a.EmojiUsage == nil && a.AllowedEmojis == nil && a.DefaultTimezone == nil &&
		a.CompanyDescription.IsZero() && a.CommunityGuidelinesURL.IsZero() && a.MessageLength == nil &&
		a.AskForMoreHelp == nil && a.NoCustomerPI == nil && a.NoCompetitors == nil && a.CompetitorNames.IsZero() &&
		a.EnableAcknowledgmentMessages == nil {
		return argErr("arguments", "nothing to update: give at least one persona field (get_persona shows them)")
	}
	if a.DefaultTimezone != nil && strings.TrimSpace(*a.DefaultTimezone) == "" {
		return argErr("default_timezone", "must not be empty: give an IANA time zone such as Europe/Paris")
	}
	return nil
}

// Request converts the arguments; only the fields given are sent.
func (a *UpdatePersonaArgs) Request() *adaclient.PersonaUpdate {
	return &adaclient.PersonaUpdate{Personality: a.Personality, EmojiUsage: a.EmojiUsage, AllowedEmojis: a.AllowedEmojis,
		DefaultTimezone: a.DefaultTimezone, CompanyDescription: a.CompanyDescription,
		CommunityGuidelinesURL: a.CommunityGuidelinesURL, MessageLength: a.MessageLength,
		AskForMoreHelp: a.AskForMoreHelp, NoCustomerPI: a.NoCustomerPI, NoCompetitors: a.NoCompetitors,
		CompetitorNames: a.CompetitorNames, EnableAcknowledgmentMessages: a.EnableAcknowledgmentMessages}
}

// CustomInstruction is a custom instruction as tools return it; no notes
// or no rule is left out.
type CustomInstruction struct {
	CustomInstructionID string `json:"custom_instruction_id" jsonschema:"required"`
	Title               string `json:"title" jsonschema:"required"`
	Text                string `json:"text" jsonschema:"required"`
	Enabled             bool   `json:"enabled" jsonschema:"required"`
	Notes               string `json:"notes,omitempty"`
	AvailabilityRules   string `json:"availability_rules,omitempty"`
}

// CustomInstructionFrom converts Ada's custom instruction.
func CustomInstructionFrom(ci *adaclient.CustomInstruction) CustomInstruction {
	return CustomInstruction{CustomInstructionID: ci.ID, Title: ci.Title, Text: ci.Text, Enabled: ci.Enabled,
		Notes: deref(ci.Notes), AvailabilityRules: deref(ci.AvailabilityRules)}
}

// CustomInstructionsFrom converts a page of custom instructions.
func CustomInstructionsFrom(cis []adaclient.CustomInstruction) []CustomInstruction {
	return allFrom(cis, CustomInstructionFrom)
}

// maxListedInstructionRunes bounds each of a custom instruction's texts (text, notes,
// availability_rules) in list_custom_instructions: Ada allows 32 KB of text and of notes, so
// a page could be megabytes. get_custom_instruction shows them whole.
const maxListedInstructionRunes = 500

// ListedCustomInstructionsFrom converts a page of custom instructions for
// list_custom_instructions: long texts are cut (between words, marked "…"); cut lists the ids
// of the instructions with a text cut.
func ListedCustomInstructionsFrom(cis []adaclient.CustomInstruction) (out []CustomInstruction, cut []string) {
	out = CustomInstructionsFrom(cis)
	for i := range out {
		ci := &out[i]
		var t, n, r bool
		ci.Text, t = cutText(ci.Text, maxListedInstructionRunes)
		ci.Notes, n = cutText(ci.Notes, maxListedInstructionRunes)
		ci.AvailabilityRules, r = cutText(ci.AvailabilityRules, maxListedInstructionRunes)
		if t || n || r {
			cut = append(cut, ci.CustomInstructionID)
		}
	}
	return out, cut
}

// CustomInstructionResult is the result of the tools that return one
// custom instruction.
type CustomInstructionResult struct {
	CustomInstruction CustomInstruction `json:"custom_instruction" jsonschema:"required"`
}

// CustomInstructionArgs name one custom instruction:
// get_custom_instruction's and delete_custom_instruction's arguments.
type CustomInstructionArgs struct {
	CustomInstructionID string `json:"custom_instruction_id" jsonschema:"required"`
}

// Validate rejects an empty id (and "." or "..", which would name another
// path).
func (a *CustomInstructionArgs) Validate() error {
	return validateID("custom_instruction_id", a.CustomInstructionID, "list_custom_instructions shows the ids")
}

// Destruction names what delete_custom_instruction deletes, for the confirmation.
func (a *CustomInstructionArgs) Destruction() string {
	return fmt.Sprintf("the custom instruction %s (the AI Agent stops following it)", a.CustomInstructionID)
}

// ListCustomInstructionsArgs are list_custom_instructions' arguments.
type ListCustomInstructionsArgs struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
	Cursor string `json:"cursor,omitempty"`
}

func (a *ListCustomInstructionsArgs) Validate() error { return validateCursor(a.Cursor) }

// DefaultCustomInstructionsPage is list_custom_instructions' page size when
// limit is not given.
const DefaultCustomInstructionsPage = 20

// Options converts the arguments, defaulting limit to
// DefaultCustomInstructionsPage.
func (a *ListCustomInstructionsArgs) Options() *adaclient.ListOptions {
	limit := cmp.Or(a.Limit, DefaultCustomInstructionsPage)
	return &adaclient.ListOptions{Limit: limit, Cursor: a.Cursor}
}

// ListCustomInstructionsResult is list_custom_instructions' result.
type ListCustomInstructionsResult struct {
	CustomInstructions []CustomInstruction `json:"custom_instructions" jsonschema:"required"`
	// Truncated names the instructions whose text, notes or rule the list cut.
	Truncated []string `json:"truncated,omitempty" jsonschema_description:"custom_instruction_ids whose long text, notes or availability_rules was cut here: get_custom_instruction shows them whole."`
	Page
}

// CreateCustomInstructionArgs are create_custom_instruction's arguments.
type CreateCustomInstructionArgs struct {
	Title             string `json:"title" jsonschema:"required" jsonschema_description:"Unique among the AI Agent's instructions."`
	Text              string `json:"text" jsonschema:"required,maxLength=32768" jsonschema_description:"The rule the AI Agent follows."`
	Enabled           bool   `json:"enabled,omitempty" jsonschema:"default=false"`
	Notes             string `json:"notes,omitempty" jsonschema:"maxLength=32768" jsonschema_description:"Internal; never shown to the AI Agent."`
	AvailabilityRules string `json:"availability_rules,omitempty" jsonschema:"maxLength=16384" jsonschema_description:"Who it applies to: a rule with v(\"name\") lookups (names from list_variables), e.g. v(\"plan_type\") == \"gold\"."`
}

// Validate requires a title and a text; a rule, if given, must not be
// blank. Ada checks the rule's variables and syntax.
func (a *CreateCustomInstructionArgs) Validate() error {
	if strings.TrimSpace(a.Title) == "" {
		return argErr("title", "is required")
	}
	if strings.TrimSpace(a.Text) == "" {
		return argErr("text", "is required: the rule the AI Agent follows")
	}
	if a.AvailabilityRules != "" && strings.TrimSpace(a.AvailabilityRules) == "" {
		return argErr("availability_rules", "must not be blank; leave it out to apply the instruction to everyone")
	}
	return nil
}

// Request converts the arguments: enabled is sent only when true (Ada's
// default is disabled), empty notes and rule are left out.
func (a *CreateCustomInstructionArgs) Request() *adaclient.CustomInstructionCreate {
	req := &adaclient.CustomInstructionCreate{Title: a.Title, Text: a.Text, Notes: a.Notes, AvailabilityRules: a.AvailabilityRules}
	if a.Enabled {
		req.Enabled = &a.Enabled
	}
	return req
}

// UpdateCustomInstructionArgs are update_custom_instruction's arguments:
// the fields given change, the others stay. availability_rules is bounded
// (MaxRuleLength) in internal/schemagen: a struct tag cannot bound a
// nullable string.
type UpdateCustomInstructionArgs struct {
	CustomInstructionID string                     `json:"custom_instruction_id" jsonschema:"required"`
	Title               *string                    `json:"title,omitempty"`
	Text                *string                    `json:"text,omitempty" jsonschema:"maxLength=32768"`
	Enabled             *bool                      `json:"enabled,omitempty"`
	Notes               *string                    `json:"notes,omitempty" jsonschema:"maxLength=32768" jsonschema_description:"\"\" blanks them."`
	AvailabilityRules   adaclient.Nullable[string] `json:"availability_rules,omitzero" jsonschema_description:"A rule with v(\"name\") lookups; null clears it (applies to everyone)."`
}

// Validate checks the id, that at least one field is given, that a title
// or text given is not blank, and that a rule given is not blank (null
// clears it).
func (a *UpdateCustomInstructionArgs) Validate() error {
	if err := validateID("custom_instruction_id", a.CustomInstructionID, "list_custom_instructions shows the ids"); err != nil {
		return err
	}
	if a.Title == nil && a.Text == nil && a.Enabled == nil && a.Notes == nil && a.AvailabilityRules.IsZero() {
		return argErr("custom_instruction_id", "nothing to update: give title, text, enabled, notes or availability_rules")
	}
	if a.Title != nil && strings.TrimSpace(*a.Title) == "" {
		return argErr("title", "must not be blank")
	}
	if a.Text != nil && strings.TrimSpace(*a.Text) == "" {
		return argErr("text", "must not be blank; to stop the AI Agent following it, set enabled to false")
	}
	if rule, ok := a.AvailabilityRules.Get(); ok && strings.TrimSpace(rule) == "" {
		return argErr("availability_rules", "must not be blank; null clears the rule")
	}
	return nil
}

// Request converts the arguments; only the fields given are sent.
func (a *UpdateCustomInstructionArgs) Request() *adaclient.CustomInstructionUpdate {
	return &adaclient.CustomInstructionUpdate{Title: a.Title, Text: a.Text, Enabled: a.Enabled, Notes: a.Notes,
		AvailabilityRules: a.AvailabilityRules}
}

// DeleteCustomInstructionResult is delete_custom_instruction's result.
type DeleteCustomInstructionResult struct {
	CustomInstructionID string `json:"custom_instruction_id" jsonschema:"required"`
	Deleted             bool   `json:"deleted" jsonschema:"required"`
}

// Variable is a variable the AI Agent can use.
type Variable struct {
	VariableID string `json:"variable_id" jsonschema:"required"`
	Name       string `json:"name" jsonschema:"required"`
}

// VariableFrom converts Ada's variable.
func VariableFrom(v *adaclient.Variable) Variable { return Variable{VariableID: v.ID, Name: v.Name} }

// ListVariablesArgs are list_variables' arguments: none (Ada returns every
// variable at once).
type ListVariablesArgs struct{}

// ListVariablesResult is list_variables' result.
type ListVariablesResult struct {
	Variables []Variable `json:"variables" jsonschema:"required"`
	Page                 // has_more always false: one page holds them all
}

// VariablesFrom converts Ada's variables.
func VariablesFrom(vs []adaclient.Variable) []Variable { return allFrom(vs, VariableFrom) }

// VariableArgs are get_variable's arguments.
type VariableArgs struct {
	VariableID string `json:"variable_id" jsonschema:"required"`
}

// Validate rejects an empty id (and "." or "..").
func (a *VariableArgs) Validate() error {
	return validateID("variable_id", a.VariableID, "list_variables shows the ids")
}

// VariableResult is get_variable's result.
type VariableResult struct {
	Variable Variable `json:"variable" jsonschema:"required"`
}
