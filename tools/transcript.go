package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// record writes one call to the transcript, redacted with the call's own
// redactor (which knows the secrets this call's arguments carried), so a
// transcript shows exactly what a tool result would. at is when the call
// began on the server's clock (a seeded sandbox's logical one, so that a
// replay records the same times); start, on the real one, times it.
func (d *Deps) record(ctx context.Context, tool string, at, start time.Time, sent any, red *redact.Redactor, res *mcp.CallToolResult, callErr error) {
	rec := transcript.Record{
		Time:       at.UTC(),
		Tool:       tool,
		DurationMS: math.Round(float64(time.Since(start).Microseconds())) / 1000,
	}
	if s := server.ClientSessionFromContext(ctx); s != nil {
		rec.Session = transcript.SessionTag(s.SessionID())
	}
	if sent == nil {
		sent = map[string]any{}
	}
	args, err := red.Marshal(sent)
	if err != nil {
		args = []byte(`"` + redact.Placeholder + `"`) // fail closed
	}
	rec.Arguments = args
	switch {
	case callErr != nil:
		rec.IsError, rec.Error = true, red.String(callErr.Error())
	case res != nil && res.IsError:
		rec.IsError, rec.Error = true, resultText(res)
	case res != nil:
		// structuredResult put the redacted JSON here.
		if raw, ok := res.StructuredContent.(json.RawMessage); ok {
			rec.Result = raw
		} else if b, err := red.Marshal(res.StructuredContent); err == nil {
			rec.Result = b
		}
	}
	if err := d.Transcript.Write(rec); err != nil {
		d.logger().LogAttrs(ctx, slog.LevelWarn, "transcript write failed; later calls are not recorded", slog.String("error", err.Error()))
	}
}

// resultText joins a result's text blocks (an error result's message).
func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// withoutBulk replaces the string values of the named top-level arguments
// (a file's content) by their size, so a transcript never holds them.
func withoutBulk(sent any, keys []string) any {
	args, ok := sent.(map[string]any)
	if !ok || len(keys) == 0 {
		return sent
	}
	var out map[string]any
	for _, k := range keys {
		v, has := args[k]
		if !has {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(args))
			for k2, v2 := range args {
				out[k2] = v2
			}
		}
		if s, isString := v.(string); isString {
			out[k] = fmt.Sprintf("(%d characters, not recorded)", len(s))
		} else {
			out[k] = "(not recorded)"
		}
	}
	if out == nil {
		return sent
	}
	return out
}
