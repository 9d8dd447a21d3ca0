package tools_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/tools"
)

// The JSON-RPC error for a tool or resource the server lacks does not
// repeat the caller's name or URI (mcp-go's does), which could be a
// secret; it says how long it was, where the real ones are, and keeps its
// code. Known names and URIs are untouched.
func TestUnknownNamesAreNotEchoed(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	secret := "sk_live_" + strings.Repeat("Zq", 8)

	_, err := h.CallTool(ctx, &mcp.CallToolParams{Name: secret, Arguments: map[string]any{}})
	wantRPCError(t, err, jsonrpc.CodeInvalidParams, secret, "24 characters", "tools/list")
	h.OK("lookup_end_user", map[string]any{"external_id": "known-tool"})

	for _, uri := range []string{"ada://" + secret, "ada://conversations/" + secret + "/messages", secret} {
		_, err := h.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		wantRPCError(t, err, 0, secret, "characters", "resources/templates/list")
	}
	// A URI a template matches reaches its handler, whose error names the
	// id (not a secret here) as before.
	if _, err := h.ReadResource(ctx, &mcp.ReadResourceParams{URI: "ada://conversations/nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("a known template: %v", err)
	}
}

// A resource's error goes through the redactor, as a tool's does: Ada's
// error can echo the request, API key and all, and the URI can carry it.
func TestResourceErrorsAreRedacted(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"type":"invalid_request","message":"rejected, Authorization: ` + r.Header.Get("Authorization") + `"}]}`))
	})
	h := newHarness(t, harnessOpts{backend: echo})
	for _, uri := range []string{"ada://conversations/c1", "ada://end-users/u1", "ada://end-users/" + apiKey} {
		_, err := h.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
		if err == nil || !strings.Contains(err.Error(), "rejected") {
			t.Fatalf("%s: want Ada's rejection, got %v", uri, err)
		}
		if strings.Contains(err.Error(), apiKey) || strings.Contains(err.Error(), apiKey[:16]) {
			t.Errorf("%s: the error carries the API key: %v", uri, err)
		}
	}
}

// wantRPCError checks a JSON-RPC error (of code, if not 0) that says each
// of says and not hidden.
func wantRPCError(t *testing.T, err error, code int64, hidden string, says ...string) {
	t.Helper()
	var rpc *jsonrpc.Error
	if !errors.As(err, &rpc) {
		t.Fatalf("want a JSON-RPC error, got %v", err)
	}
	if code != 0 && rpc.Code != code {
		t.Errorf("code %d, want %d: %v", rpc.Code, code, rpc)
	}
	if strings.Contains(rpc.Message, hidden) || strings.Contains(rpc.Message, hidden[:12]) {
		t.Errorf("the error repeats the caller's name: %q", rpc.Message)
	}
	for _, s := range says {
		if !strings.Contains(rpc.Message, s) {
			t.Errorf("the error does not say %q: %q", s, rpc.Message)
		}
	}
}

// A tool added to the server after it was built (an embedder's, the
// benchmarks' floor tool) is served, not taken for an unknown name.
func TestToolsAddedLaterAreServed(t *testing.T) {
	s, _, err := tools.NewServer(&tools.Deps{Redactor: redact.New()}, tools.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s.AddTool(mcpgo.NewTool("added_later"), func(context.Context, mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
		return mcpgo.NewToolResultText("served"), nil
	})
	c := testclient.Connect(t, s, nil)
	res, err := c.CallTool(context.Background(), &mcp.CallToolParams{Name: "added_later", Arguments: map[string]any{}})
	if err != nil || res.IsError || testclient.Text(res) != "served" {
		t.Fatalf("added_later: %v %+v", err, res)
	}
}
