package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Instructions teach an assistant the flow Ada's docs recommend for custom
// channels. They are sent once per session, so they stay short.
const Instructions = `Ada is a customer-service AI Agent platform. These tools drive Ada's public API.
Typical flow for talking to the AI Agent as a customer:
1. lookup_end_user with the customer's external_id (your system's id). found:false means none yet.
2. upsert_end_user with external_id and profile (language, metadata) and any sensitive_metadata; it is safe to repeat.
3. start_conversation with that end_user_id (or external_id+profile in one step) so the greeting uses the context.
4. send_message with wait_for_reply_seconds to get the AI Agent's answer (or list_messages later).
5. update_conversation_metadata as needed; end_conversation when done.
sensitive_metadata is write-only: its values are never shown. A result whose delivery is uncertain means: check list_messages before resending.`

// Options configure the MCP server.
type Options struct {
	Name, Version string
	Toolsets      []string
	ReadOnly      bool
}

// NewServer builds the MCP server with the selected tools.
func NewServer(deps *Deps, opts Options) (*server.MCPServer, []Tool, error) {
	selected, err := Select(Toolsets(deps), opts.Toolsets, opts.ReadOnly)
	if err != nil {
		return nil, nil, err
	}
	name := opts.Name
	if name == "" {
		name = "ada-mcp"
	}
	res := newResources(deps)
	hooks := res.hooks()
	served := make(map[string]bool, len(selected))
	for _, t := range selected {
		served[t.Name()] = true
	}
	hooks.AddBeforeCallTool(hideUnknownTools(deps, served))
	hooks.AddAfterListTools(titlesInAnnotations)
	instructions := Instructions
	if !deps.Unfenced {
		instructions += fenceInstructions
	}
	s := server.NewMCPServer(name, opts.Version,
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(true, false),
		server.WithHooks(hooks),
		server.WithInstructions(instructions),
		server.WithRecovery(),
	)
	st := make([]server.ServerTool, len(selected))
	enabled := map[string]bool{}
	deps.surface = surface{version: opts.Version, readOnly: opts.ReadOnly}
	for i, t := range selected {
		st[i] = t.ServerTool()
		if !enabled[t.Toolset] {
			deps.surface.toolsets = append(deps.surface.toolsets, t.Toolset)
		}
		enabled[t.Toolset] = true
		deps.surface.tools = append(deps.surface.tools, t.Name())
	}
	s.AddTools(st...)
	res.register(s, enabled)
	return s, selected, nil
}

// titlesInAnnotations gives each tool's title as annotations.title too to
// clients of protocols before 2025-06-18, which know it only there (the
// top-level title came in 2025-06-18), and to no one else: it would cost
// newer clients' context tokens for nothing. The listed tools are copies.
func titlesInAnnotations(ctx context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
	if v := server.RequestProtocolVersion(ctx); v == "" || v >= "2025-06-18" {
		return
	}
	for i := range res.Tools {
		if t := &res.Tools[i]; t.Annotations.Title == "" {
			t.Annotations.Title = t.Title
		}
	}
}
