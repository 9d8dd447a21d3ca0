package bench

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/bench/internal/bare"
	"github.com/ada-mcp/ada-mcp/bench/internal/fixture"
	"github.com/ada-mcp/ada-mcp/tools"
)

// BenchmarkDispatch is the child-process comparison (TestChildProcess) in
// process, without transports or a network: one lookup_end_user through
// mcp-go's HandleMessage and the encoding of its answer (what the stdio
// transport does with a line), for ada-mcp as served (tools.Build, logs at
// info) and for the minimal server's handler (bench/internal/bare), both
// against Ada's answer served from memory. The difference per call, in
// time and allocations, is ada-mcp's own work, with much less noise than
// the outside view; -par runs the calls from GOMAXPROCS goroutines, and
// -cold one at a time after an idle pause (run it with a fixed count):
//
//	go test -run '^$' -bench BenchmarkDispatch -benchtime 400x -count 5 ./bench
func BenchmarkDispatch(b *testing.B) {
	canned := &http.Client{Transport: memTransport{body: []byte(fixture.EndUser)}}
	built, err := tools.Build(tools.Config{APIKey: adaKey, BaseURL: "http://ada.invalid/api", Version: "bench",
		LogHandler: slog.NewJSONHandler(io.Discard, nil), HTTPClient: canned})
	if err != nil {
		b.Fatal(err)
	}
	minimal := server.NewMCPServer("minimal", "1", server.WithToolCapabilities(false))
	minimal.AddTool(bare.Tool(), bare.Lookup("http://ada.invalid/api", adaKey, canned))

	ctx := context.Background()
	initialize := json.RawMessage(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
		`"capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`)
	call := json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"lookup_end_user",` +
		`"arguments":{"external_id":"cust-42"}}}`)
	for _, s := range []struct {
		name string
		srv  *server.MCPServer
	}{{"ada-mcp", built.MCP}, {"minimal", minimal}} {
		s.srv.HandleMessage(ctx, initialize)
		out, err := json.Marshal(s.srv.HandleMessage(ctx, call))
		if err != nil || !strings.Contains(string(out), "Grace Hopper") || strings.Contains(string(out), `"isError":true`) {
			b.Fatalf("%s: not the end user: %s %v", s.name, out, err)
		}
		do := func() error {
			_, err := json.Marshal(s.srv.HandleMessage(ctx, call))
			return err
		}
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := do(); err != nil {
					b.Fatal(err)
				}
			}
		})
		// -cold: idle 2 ms before each call, as between an assistant's
		// calls: caches have gone cold when it comes.
		b.Run(s.name+"-cold", func(b *testing.B) {
			b.ReportAllocs()
			afterIdle(b, 2*time.Millisecond, do)
		})
		b.Run(s.name+"-par", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := do(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
