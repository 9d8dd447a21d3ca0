package bench

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// BenchmarkLayers times get_conversation one layer at a time, in process,
// so each layer's cost is the difference from the one below it:
//
//	ada-direct   GET /v2/conversations/{id}/ with net/http (as "direct")
//	adaclient    the same request through adaclient (retries, errors, decoding)
//	tool         our tool handler: arguments, redaction, result, log line
//	mcp-dispatch mcp-go's HandleMessage: JSON-RPC decoding, dispatch, encoding
//	stdio-raw    plus mcp-go's stdio transport and OS pipes, minimal client
func BenchmarkLayers(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	client := e.client
	srv, list := e.mcpServer()
	var handler func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error)
	for _, t := range list {
		if t.Name() == "get_conversation" {
			handler = t.Handler
		}
	}
	args := `{"conversation_id":"` + e.conversation + `"}`
	req := mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_conversation",
		Arguments: map[string]any{"conversation_id": e.conversation}, RawArguments: json.RawMessage(args)}}
	msg := json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_conversation","arguments":` + args + `}}`)

	run := func(name string, call func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("ada-direct", func() error { return e.getDirect(ctx) })
	run("adaclient", func() error { _, _, err := client.Conversations.Get(ctx, e.conversation); return err })
	run("tool", func() error {
		res, err := handler(ctx, req)
		if err == nil && res.IsError {
			return errTool
		}
		return err
	})
	run("mcp-dispatch", func() error {
		out, err := json.Marshal(srv.HandleMessage(ctx, msg))
		if err != nil {
			return err
		}
		return checkToolResult(out)
	})
	raw := e.rawStdioClients(1)[0]
	run("stdio-raw", func() error { return e.rawStdioCall(raw) })
}

var errTool = errors.New("tool returned isError")
