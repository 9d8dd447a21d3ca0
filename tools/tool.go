package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// Tool is one MCP tool: its definition, its handler and its toolset.
type Tool struct {
	Definition mcp.Tool
	Handler    server.ToolHandlerFunc
	Toolset    string
	// Gate says what the operator or the user must allow (README): "" for
	// nothing, "confirm" for a deletion, "customer" for a customer-visible
	// message (with CustomerWhen, the condition).
	Gate, CustomerWhen string
	// parse is the handler's first step alone (parseArgs), for tests that
	// check every tool's argument decoding without calling Ada.
	parse func(mcp.CallToolParams) (any, error)
}

// Name is the tool's name.
func (t Tool) Name() string { return t.Definition.Name }

// ReadOnly reports the tool's readOnlyHint, which --read-only filters on.
func (t Tool) ReadOnly() bool {
	h := t.Definition.Annotations.ReadOnlyHint
	return h != nil && *h
}

// ServerTool is the tool in mcp-go's form.
func (t Tool) ServerTool() server.ServerTool {
	return server.ServerTool{Tool: t.Definition, Handler: t.Handler}
}

// hints are a tool's behaviour annotations. Every tool states all four
// (mcp.NewTool would default to destructive); openWorldHint is always true
// because every tool reaches Ada.
type hints struct{ readOnly, destructive, idempotent bool }

var (
	reads      = hints{readOnly: true, idempotent: true}
	idemWrites = hints{idempotent: true}
	writes     = hints{}
	destroys   = hints{destructive: true, idempotent: true}
)

// meta describes a tool for its definition.
type meta struct {
	name, title, description string
	toolset                  string
	hints
	// noConfirm exempts a destructive tool from the confirmation gate
	// (end_conversation: the conversation flow needs it).
	noConfirm bool
	// customerWhen says when the tool sends what a customer reads as a
	// person's ("always", "as human_agent"): its arguments decide, through
	// CustomerVisible; this is for the README and must agree.
	customerWhen string
	// bulky are top-level arguments (file contents) that a transcript
	// records only by size.
	bulky []string
}

// Env is what a handler gets besides its arguments.
type Env struct {
	Client *adaclient.Client
	Deps   *Deps
	req    mcp.CallToolRequest
	red    *redact.Redactor // the call's, which knows the secrets its arguments carry
}

// optional interfaces of argument structs, checked without reflection.
type (
	validator  interface{ Validate() error }
	extraTimer interface{ ExtraTime() time.Duration }
)

// newTool builds a tool from a typed handler: the input schema is reflected
// from A and the output schema from R, the handler decodes arguments
// strictly into A, and every outcome becomes a result (isError for anything
// an assistant can fix) except a bug of ours, the one protocol error.
func newTool[A, R any](m meta, deps *Deps, handle func(ctx context.Context, env *Env, args *A) (*R, error)) Tool {
	// Arguments are checked against the strict schema; the lean ones are
	// what tools/list publishes (see schemas.Input and schemas.Output).
	in, out := schemas.Input[A](), schemas.Output[R]()
	dec, err := argDecoderFor(m.name, schemas.For[A]())
	if err != nil {
		panic(err) // schemas are fixed at build time; the tests catch this
	}
	def := mcp.Tool{
		Name:            m.name,
		Title:           m.title,
		Description:     m.description,
		RawInputSchema:  in,
		RawOutputSchema: out,
		Annotations: mcp.ToolAnnotation{
			// The title is the tool's own (above): not repeated here.
			ReadOnlyHint:    mcp.ToBoolPtr(m.readOnly),
			DestructiveHint: mcp.ToBoolPtr(m.destructive),
			IdempotentHint:  mcp.ToBoolPtr(m.idempotent),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		},
	}
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		start := time.Now()
		red := deps.redactor()
		var sent any // the arguments as received, for the transcript
		res, err := func() (*mcp.CallToolResult, error) {
			// Values the key rules hide (sensitive_metadata, secret-keyed
			// metadata) stay hidden wherever they reappear in this call.
			var args *A
			var err error
			args, sent, err = parseArgs[A](dec, req.Params)
			red = red.With(red.Secrets(sent)...)
			if err != nil {
				return errorResult(err, red)
			}
			if stop := deps.gate(ctx, m, args, req, red); stop != nil {
				return stop, nil
			}
			client, err := deps.client(ctx)
			if err != nil {
				return errorResult(err, red)
			}
			timeout := deps.callTimeout()
			if x, ok := any(&args).(extraTimer); ok {
				timeout += x.ExtraTime()
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			r, err := handle(ctx, &Env{Client: client, Deps: deps, req: req, red: red}, args)
			if err != nil {
				return errorResult(err, red)
			}
			return structuredResult(r, red)
		}()
		deps.logCall(ctx, m.name, start, res, err)
		// A call waiting for the user's answer is recorded once it ends.
		if deps.Transcript != nil && !inputRequired(res) {
			deps.record(ctx, m.name, start, withoutBulk(sent, m.bulky), red, res, err)
		}
		return res, err
	}
	t := Tool{Definition: def, Handler: handler, Toolset: m.toolset,
		parse: func(p mcp.CallToolParams) (any, error) {
			args, _, err := parseArgs[A](dec, p)
			if err != nil {
				return nil, err
			}
			return args, nil
		}}
	switch {
	case m.customerWhen != "":
		t.Gate, t.CustomerWhen = "customer", m.customerWhen
	case m.destructive && !m.noConfirm:
		t.Gate = "confirm"
	}
	if _, ok := any(new(A)).(customerVisible); ok != (m.customerWhen != "") {
		panic(fmt.Sprintf("tool %s: customerWhen and the arguments' CustomerVisible disagree", m.name))
	}
	return t
}

// parseArgs turns a call's arguments into A: decoded strictly, then
// validated. sent is the arguments as received (even when they are not
// an object), for the redactor and the transcript.
func parseArgs[A any](dec *argDecoder, params mcp.CallToolParams) (args *A, sent any, err error) {
	sent, err = arguments(params)
	if err != nil {
		return nil, params.Arguments, err
	}
	args = new(A)
	if err := dec.decode(sent, params.RawArguments, args); err != nil {
		return nil, sent, err
	}
	if v, ok := any(args).(validator); ok {
		if err := v.Validate(); err != nil {
			return nil, sent, err
		}
	}
	return args, sent, nil
}

// structuredResult returns v as structuredContent and as the same JSON in a
// text block (for clients that ignore structured content), redacted.
func structuredResult(v any, red *redact.Redactor) (*mcp.CallToolResult, error) {
	clean, err := red.Marshal(v)
	if err != nil {
		return nil, internalError{fmt.Errorf("encoding result: %w", err)}
	}
	clean = noteRedactions(clean)
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(string(clean))},
		StructuredContent: json.RawMessage(clean),
	}, nil
}

// redactedNote tells the assistant that a hidden value is not a lost one, so
// it does not write the value again.
const redactedNote = `Values shown as ` + redact.Placeholder + ` are stored in Ada and hidden here because they look secret; nothing was lost, do not send them again.`

// noteRedactions adds a top-level "redacted" note to a result object that
// shows the placeholder. Output schemas leave extra properties open.
func noteRedactions(obj []byte) []byte {
	if len(obj) < 2 || obj[0] != '{' || !bytes.Contains(obj, []byte(redact.Placeholder)) {
		return obj
	}
	note, _ := json.Marshal(redactedNote)
	out := make([]byte, 0, len(obj)+len(note)+16)
	out = append(out, `{"redacted":`...)
	out = append(out, note...)
	if rest := bytes.TrimSpace(obj[1:]); len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, obj[1:]...)
}

// inputRequired reports whether a result asks the client for input (a
// confirmation) before the call can go on.
func inputRequired(res *mcp.CallToolResult) bool {
	return res != nil && res.ResultType == mcp.ResultTypeInputRequired
}

func (d *Deps) logCall(ctx context.Context, tool string, start time.Time, res *mcp.CallToolResult, err error) {
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "internal_error"
	case res != nil && res.IsError:
		outcome = "tool_error"
	case inputRequired(res):
		outcome = "asked_user"
	}
	attrs := []slog.Attr{slog.String("tool", tool), slog.String("outcome", outcome), slog.Duration("duration", time.Since(start))}
	switch {
	case err != nil:
		attrs = append(attrs, slog.String("error", err.Error()))
	case outcome == "tool_error" && d.logger().Enabled(ctx, slog.LevelDebug):
		// The message can quote customer data Ada echoed back: debug only.
		for _, c := range res.Content {
			if tc, ok := c.(mcp.TextContent); ok {
				attrs = append(attrs, slog.String("message", tc.Text))
			}
		}
	}
	d.logger().LogAttrs(ctx, slog.LevelInfo, "tool call", attrs...)
}

// progress sends a progress notification if the client asked for them (by
// sending a progress token).
func (e *Env) progress(ctx context.Context, done, total float64, msg string) {
	if e.req.Params.Meta == nil || e.req.Params.Meta.ProgressToken == nil {
		return
	}
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return
	}
	_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
		"progressToken": e.req.Params.Meta.ProgressToken,
		"progress":      done,
		"total":         total,
		"message":       e.redactor().String(msg),
	})
}

func (e *Env) redactor() *redact.Redactor {
	if e.red == nil {
		return e.Deps.redactor()
	}
	return e.red
}
