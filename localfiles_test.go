package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/internal/localclient"
)

// upload_attachment reads a file_path from the server's disk only when the server runs over
// stdio, on the user's machine for them alone, and --local-files is not false; otherwise it
// refuses and asks for the content.
func TestLocalFilesOnlyOverStdio(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("call back at 5pm"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		flags []string
		reads bool
	}{
		{"stdio", []string{"--transport", "stdio"}, true},
		{"stdio without local files", []string{"--transport", "stdio", "--local-files=false"}, false},
		{"http", []string{"--transport", "http"}, false},
		{"http with local files", []string{"--transport", "http", "--local-files=true"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := assembleWith(t, nil, append([]string{"--sandbox"}, c.flags...)...)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := localclient.Connect(ctx, a.MCP, "test", "1")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			call := func(name string, args map[string]any) *mcp.CallToolResult {
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = name, args
				res, err := s.CallTool(ctx, req)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return res
			}
			text := func(res *mcp.CallToolResult) string { return res.Content[0].(mcp.TextContent).Text }
			conv := call("start_conversation", map[string]any{})
			cid := conv.StructuredContent.(map[string]any)["conversation_id"]
			call("send_message", map[string]any{"conversation_id": cid, "body": "a human, please"})
			res := call("upload_attachment", map[string]any{"conversation_id": cid, "file_path": path})
			switch {
			case c.reads && (res.IsError || !strings.Contains(text(res), `"filename":"notes.txt"`)):
				t.Fatalf("the file should be read: %s", text(res))
			case !c.reads && (!res.IsError || !strings.Contains(text(res), "content_base64 with filename")):
				t.Fatalf("the path should be refused: %s", text(res))
			}
		})
	}
}
