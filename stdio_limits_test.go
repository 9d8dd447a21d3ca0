package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// main's stdio serving is guarded as the HTTP transports are: a duplicate
// key is an isError naming it, and a message over --max-body-bytes is a
// protocol error saying so, after which the session goes on.
func TestStdioGuardsAndLimit(t *testing.T) {
	s, _ := serveStdioInProcess(t, nil, io.Discard, "--sandbox", "--max-body-bytes", "4096")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "upsert_end_user",
		Arguments: json.RawMessage(`{"external_id":"cust-1","profile":{"first_name":"Ana","first_name":"Bea"}}`)})
	if err != nil || !res.IsError || !strings.Contains(testclient.Text(res), "profile.first_name") {
		t.Fatalf("duplicate key: %v %s", err, testclient.Text(res))
	}
	_, err = s.CallTool(ctx, &mcp.CallToolParams{Name: "upsert_end_user",
		Arguments: map[string]any{"external_id": "cust-1", "profile": map[string]any{"first_name": strings.Repeat("a", 5000)}}})
	if err == nil || !strings.Contains(err.Error(), "limit of 4096 bytes") || !strings.Contains(err.Error(), "--max-body-bytes") {
		t.Fatalf("oversized message: %v", err)
	}
	s.OK("upsert_end_user", map[string]any{"external_id": "cust-1", "profile": map[string]any{"first_name": "Ana"}})
}

// --max-body-bytes and --max-concurrent-per-client bound stdio too (the
// server package tests what ServeStdio does with them).
func TestStdioTakesTheHTTPBounds(t *testing.T) {
	c, err := load(t, map[string]string{"ADA_MCP_MAX_CONCURRENT_PER_CLIENT": "7"}, "--sandbox", "--max-body-bytes", "4096")
	if err != nil {
		t.Fatal(err)
	}
	if sc := stdioConfig(c, nil); sc.MaxConcurrent != 7 || sc.MaxLineBytes != 4096 {
		t.Fatalf("stdio config = %+v", sc)
	}
}
