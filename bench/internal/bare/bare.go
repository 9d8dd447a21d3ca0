// Package bare is the minimal server's one tool: lookup_end_user as a bare
// mcp-go handler that makes ada-mcp's Ada request with net/http and returns
// the body as text. bench/minimal serves it; the in-process comparison
// (BenchmarkDispatch) calls it, so both measure the same handler.
package bare

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Tool is lookup_end_user's definition: one required string.
func Tool() mcp.Tool {
	return mcp.NewTool("lookup_end_user",
		mcp.WithDescription("Find one end user by your external_id."),
		mcp.WithString("external_id", mcp.Required(), mcp.Description("your id for the end user")),
	)
}

// Lookup is the handler: GET base/v2/end-users/?external_id=, with key as
// the Bearer token, through client; the body as text, or an error result.
func Lookup(base, key string, client *http.Client) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		id, err := req.RequireString("external_id")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v2/end-users/?external_id="+url.QueryEscape(id), nil)
		if err != nil {
			return nil, err
		}
		r.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(r)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if resp.StatusCode != http.StatusOK {
			return mcp.NewToolResultError(fmt.Sprintf("Ada answered %d: %s", resp.StatusCode, body)), nil
		}
		return mcp.NewToolResultText(string(body)), nil
	}
}
