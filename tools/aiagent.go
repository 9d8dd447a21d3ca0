package tools

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetAIAgent = "ai_agent"

func aiAgentTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "get_persona", title: "Get the AI Agent's persona", toolset: toolsetAIAgent, hints: reads,
			description: "Get the AI Agent's persona: personality, emoji use, message length, company description, competitor and personal-information rules. Read it before update_persona.",
		}, d, getPersona),
		newTool(meta{
			name: "update_persona", title: "Update the AI Agent's persona", toolset: toolsetAIAgent, hints: idemWrites,
			description: "Change persona fields; those not given stay. null clears company_description, community_guidelines_url or competitor_names. Returns the whole persona.",
		}, d, updatePersona),
		newTool(meta{
			name: "list_custom_instructions", title: "List custom instructions", toolset: toolsetAIAgent, hints: reads,
			description: "List the AI Agent's custom instructions, enabled and disabled, ordered by id, one page at a time. Returns custom_instructions (long texts cut, ids in truncated: get_custom_instruction has them whole), next_cursor and has_more.",
		}, d, listCustomInstructions),
		newTool(meta{
			name: "get_custom_instruction", title: "Get a custom instruction", toolset: toolsetAIAgent, hints: reads,
			description: "Get one custom instruction by custom_instruction_id (list_custom_instructions shows the ids): its title, text, enabled, notes and availability_rules.",
		}, d, getCustomInstruction),
		newTool(meta{
			name: "create_custom_instruction", title: "Create a custom instruction", toolset: toolsetAIAgent, hints: writes,
			description: "Add a rule the AI Agent follows, disabled unless enabled:true. Titles are unique. Not idempotent: check list_custom_instructions first. Returns the custom instruction.",
		}, d, createCustomInstruction),
		newTool(meta{
			name: "update_custom_instruction", title: "Update a custom instruction", toolset: toolsetAIAgent, hints: idemWrites,
			description: "Change a custom instruction's title, text, enabled, notes or availability_rules; fields not given stay. enabled:false pauses it without deleting it. Returns it.",
		}, d, updateCustomInstruction),
		newTool(meta{
			name: "delete_custom_instruction", title: "Delete a custom instruction", toolset: toolsetAIAgent, hints: destroys,
			description: "Delete a custom instruction for good. To stop the AI Agent following it but keep it, use update_custom_instruction with enabled:false instead.",
		}, d, deleteCustomInstruction),
		newTool(meta{
			name: "list_variables", title: "List variables", toolset: toolsetAIAgent, hints: reads,
			description: "List the variables the AI Agent can use (variable_id and name; reserved and internal ones are not shown): the names availability_rules refer to.",
		}, d, listVariables),
		newTool(meta{
			name: "get_variable", title: "Get a variable", toolset: toolsetAIAgent, hints: reads,
			description: "Get one variable's name by variable_id. Reserved and internal variables are not found; list_variables shows those the API exposes.",
		}, d, getVariable),
	}
}

func getPersona(ctx context.Context, env *Env, _ *schemas.GetPersonaArgs) (*schemas.PersonaResult, error) {
	p, _, err := env.Client.AIAgent.GetPersona(ctx)
	if err != nil {
		return nil, err
	}
	return &schemas.PersonaResult{Persona: schemas.PersonaFrom(p)}, nil
}

func updatePersona(ctx context.Context, env *Env, a *schemas.UpdatePersonaArgs) (*schemas.PersonaResult, error) {
	p, _, err := env.Client.AIAgent.UpdatePersona(ctx, a.Request())
	if adaclient.StatusCode(err) == http.StatusBadRequest {
		return nil, withHint(err, "get_persona shows the fields and their current values.")
	}
	if err != nil {
		return nil, err
	}
	return &schemas.PersonaResult{Persona: schemas.PersonaFrom(p)}, nil
}

func listCustomInstructions(ctx context.Context, env *Env, a *schemas.ListCustomInstructionsArgs) (*schemas.ListCustomInstructionsResult, error) {
	cis, r, err := env.Client.AIAgent.ListCustomInstructions(ctx, a.Options())
	if err != nil {
		return nil, err
	}
	listed, cut := schemas.ListedCustomInstructionsFrom(cis)
	return &schemas.ListCustomInstructionsResult{CustomInstructions: listed, Truncated: cut, Page: pageOf(r)}, nil
}

func getCustomInstruction(ctx context.Context, env *Env, a *schemas.CustomInstructionArgs) (*schemas.CustomInstructionResult, error) {
	ci, _, err := env.Client.AIAgent.GetCustomInstruction(ctx, a.CustomInstructionID)
	if err != nil {
		return nil, instructionNotFoundHint(err)
	}
	return &schemas.CustomInstructionResult{CustomInstruction: schemas.CustomInstructionFrom(ci)}, nil
}

func createCustomInstruction(ctx context.Context, env *Env, a *schemas.CreateCustomInstructionArgs) (*schemas.CustomInstructionResult, error) {
	ci, _, err := env.Client.AIAgent.CreateCustomInstruction(ctx, a.Request())
	var unknown *adaclient.OutcomeUnknownError
	switch {
	case adaclient.IsConflict(err):
		return nil, instructionConflictHint(err)
	case adaclient.StatusCode(err) == http.StatusBadRequest:
		return nil, withHint(err, rulesHint)
	case errors.As(err, &unknown):
		return nil, hintIfUncertain(err, "Check list_custom_instructions before creating it again.")
	case err != nil:
		return nil, err
	}
	return &schemas.CustomInstructionResult{CustomInstruction: schemas.CustomInstructionFrom(ci)}, nil
}

func updateCustomInstruction(ctx context.Context, env *Env, a *schemas.UpdateCustomInstructionArgs) (*schemas.CustomInstructionResult, error) {
	ci, _, err := env.Client.AIAgent.UpdateCustomInstruction(ctx, a.CustomInstructionID, a.Request())
	switch {
	case adaclient.IsConflict(err):
		return nil, instructionConflictHint(err)
	case adaclient.StatusCode(err) == http.StatusBadRequest:
		return nil, withHint(err, rulesHint)
	case err != nil:
		return nil, instructionNotFoundHint(err)
	}
	return &schemas.CustomInstructionResult{CustomInstruction: schemas.CustomInstructionFrom(ci)}, nil
}

func deleteCustomInstruction(ctx context.Context, env *Env, a *schemas.CustomInstructionArgs) (*schemas.DeleteCustomInstructionResult, error) {
	_, err := env.Client.AIAgent.DeleteCustomInstruction(ctx, a.CustomInstructionID)
	if adaclient.IsNotFound(err) {
		// A retried DELETE also ends here when an earlier attempt deleted it.
		return nil, withHint(err, "It may already be deleted: list_custom_instructions shows those that remain.")
	}
	if err != nil {
		return nil, err
	}
	return &schemas.DeleteCustomInstructionResult{CustomInstructionID: a.CustomInstructionID, Deleted: true}, nil
}

func listVariables(ctx context.Context, env *Env, _ *schemas.ListVariablesArgs) (*schemas.ListVariablesResult, error) {
	vs, _, err := env.Client.AIAgent.ListVariables(ctx)
	if err != nil {
		return nil, err
	}
	return &schemas.ListVariablesResult{Variables: schemas.VariablesFrom(vs)}, nil
}

func getVariable(ctx context.Context, env *Env, a *schemas.VariableArgs) (*schemas.VariableResult, error) {
	v, _, err := env.Client.AIAgent.GetVariable(ctx, a.VariableID)
	if adaclient.IsNotFound(err) {
		return nil, withHint(err, "Unknown, or a reserved or internal variable, which the API does not expose: list_variables shows those it does.")
	}
	if err != nil {
		return nil, err
	}
	return &schemas.VariableResult{Variable: schemas.VariableFrom(v)}, nil
}

// rulesHint follows Ada's 400s on create and update: after our own checks,
// the usual cause is the availability rule.
const rulesHint = `If it is availability_rules: refer to variables by name as v("name"), with names from list_variables.`

func instructionNotFoundHint(err error) error {
	if adaclient.IsNotFound(err) {
		return withHint(err, "list_custom_instructions shows the custom instructions.")
	}
	return err
}

// instructionConflictHint explains Ada's 409, which has two causes: it
// names the one Ada's message points to, else both.
func instructionConflictHint(err error) error {
	const (
		title = "Choose another title, or update the instruction that has it (list_custom_instructions shows the titles)."
		limit = "Disable an enabled one with update_custom_instruction (enabled:false) first, or leave this one disabled."
	)
	var ada *adaclient.ErrorResponse
	msg := ""
	if errors.As(err, &ada) {
		msg = strings.ToLower(ada.Message())
	}
	switch {
	case strings.Contains(msg, "title"):
		return withHint(err, title)
	case strings.Contains(msg, "limit") || strings.Contains(msg, "enabl"):
		return withHint(err, limit)
	}
	return withHint(err, "Either the title is taken (titles are unique) or too many instructions are enabled. "+title+" "+limit)
}
