package tools

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// mcp-go's JSON-RPC error for a tool or resource it does not serve repeats
// the name or URI the caller sent ("tool 'X' not found"), and that error
// passes no redactor. A caller can put anything there, a secret too (an
// assistant that pastes the API key where a tool name goes), so the hooks
// below replace an unknown name or URI, before mcp-go looks it up, with its
// length and where the real ones are listed. The error keeps its code.

// unknownToolName is what the name of a tool this server lacks becomes.
func unknownToolName(name string) string {
	return fmt.Sprintf("<a name of %d characters that is no tool here: tools/list has the names>", utf8.RuneCountInString(name))
}

// unknownResourceURI is what a URI no resource template matches becomes.
func unknownResourceURI(uri string) string {
	return fmt.Sprintf("<a URI of %d characters that no resource template here matches: resources/templates/list has them>", utf8.RuneCountInString(uri))
}

// hideUnknownTools rewrites the name of a call to a tool the server does
// not serve: not in served (ours), nor added to the server since (a
// benchmark's or an embedder's), which only an unknown name pays to ask.
// The call is recorded in the transcript (its name redacted), so that
// checks on a run see an assistant's attempt at a tool this server does
// not serve (--read-only, say), as they see every other call.
func hideUnknownTools(deps *Deps, served map[string]bool) func(context.Context, any, *mcp.CallToolRequest) {
	return func(ctx context.Context, _ any, req *mcp.CallToolRequest) {
		if served[req.Params.Name] {
			return
		}
		if s := server.ServerFromContext(ctx); s != nil && s.GetTool(req.Params.Name) != nil {
			return
		}
		if deps.Transcript != nil {
			red := deps.callRedactor(ctx)
			deps.record(ctx, red.String(req.Params.Name), deps.now(), time.Now(), req.Params.Arguments, red, nil,
				errors.New("no such tool on this server: tools/list has the names"))
		}
		req.Params.Name = unknownToolName(req.Params.Name)
	}
}

// hideUnknownURIs rewrites the URI of a read no registered template
// matches, by mcp-go's own test (templates are registered once, before the
// server serves).
func (r *resources) hideUnknownURIs(_ context.Context, _ any, req *mcp.ReadResourceRequest) {
	for _, t := range r.templates {
		if t != nil && t.Template != nil && t.Regexp().MatchString(req.Params.URI) {
			return
		}
	}
	req.Params.URI = unknownResourceURI(req.Params.URI)
}

// redactErrors makes a resource handler's error redacted and stripped like
// a tool's: it can quote the URI, or what Ada echoed back.
func (r *resources) redactErrors(h server.ResourceTemplateHandlerFunc) server.ResourceTemplateHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		out, err := h(ctx, req)
		if err != nil {
			return nil, errors.New(cleanMessage(err.Error(), r.deps.callRedactor(ctx)))
		}
		return out, nil
	}
}
