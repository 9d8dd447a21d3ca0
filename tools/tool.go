package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
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
	// OwnData: the results hold only this server's own data, so their
	// text is plain JSON, never fenced (see fence.go).
	OwnData bool
	// decoder compiles the argument validator on first use (a cold start
	// pays only for the published schemas).
	decoder func() (*argDecoder, error)
	// parse is the handler's first step alone (parseArgs), for tests that
	// check every tool's argument decoding without calling Ada.
	parse func(mcp.CallToolParams) (any, error)
	// argsType and resultType are the Go types the schemas come from.
	argsType, resultType reflect.Type
}

// Check compiles the tool's argument validator, which calls otherwise
// build at their first use; a test checks every tool's this way.
func (t Tool) Check() error {
	_, err := t.decoder()
	return err
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
// (mcp.NewTool would default to destructive); openWorldHint is true
// because every tool reaches Ada, except those marked local (meta.local).
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
	// local: the tool reaches nothing outside this server (get_capabilities):
	// openWorldHint false.
	local bool
	// ownData: results hold nothing an end user or an outside source wrote
	// (get_capabilities), so their text needs no fence. Off by default:
	// a tool forgotten here is fenced, not exposed.
	ownData bool
}

// Env is what a handler gets besides its arguments.
type Env struct {
	Client *adaclient.Client
	Deps   *Deps
	req    mcp.CallToolRequest
	red    *redact.Redactor // the call's, which knows the secrets its arguments carry
	start  time.Time        // when the call came in (zero in tests that make an Env)
}

// optional interfaces of argument structs, checked without reflection.
type (
	validator  interface{ Validate() error }
	extraTimer interface{ ExtraTime() time.Duration }
)

// newTool builds a tool from a typed handler: its published schemas are
// A's and R's, and its MCP handler (call.handle) decodes arguments
// strictly into A before calling handle.
func newTool[A, R any](m meta, deps *Deps, handle func(ctx context.Context, env *Env, args *A) (*R, error)) Tool {
	_, visible := any(new(A)).(customerVisible)
	return buildTool(m, deps, typed{
		args: reflect.TypeFor[A](), result: reflect.TypeFor[R](),
		// Arguments are checked against the strict schema; the lean ones
		// are what tools/list publishes (see schemas.Input and
		// schemas.Output).
		in: schemas.Input[A](), out: schemas.Output[R](), bounded: schemas.Bounded[A],
		customerVisible: visible,
		// Both steps return a nil any, never a nil *A or *R in one (which
		// is not == nil), on error; parse returns the arguments along with
		// an error of Validate's (decoded, not valid).
		parse: func(dec *argDecoder, p mcp.CallToolParams) (any, json.RawMessage, error) {
			args, raw, err := parseArgs[A](dec, p)
			if args == nil {
				return nil, raw, err
			}
			return args, raw, err
		},
		run: func(ctx context.Context, env *Env, args any) (any, error) {
			r, err := handle(ctx, env, args.(*A))
			if err != nil {
				return nil, err
			}
			return r, nil
		},
	})
}

// typed is what newTool knows of a tool's argument and result types.
type typed struct {
	args, result    reflect.Type
	in, out         json.RawMessage
	bounded         func() json.RawMessage
	customerVisible bool // the arguments implement customerVisible
	parse           func(dec *argDecoder, p mcp.CallToolParams) (any, json.RawMessage, error)
	run             func(ctx context.Context, env *Env, args any) (any, error)
}

// buildTool is newTool's untyped part, compiled once rather than for every
// pair of types.
func buildTool(m meta, deps *Deps, ty typed) Tool {
	decoder := sync.OnceValues(func() (*argDecoder, error) { return argDecoderFor(m.name, ty.bounded()) })
	def := mcp.Tool{
		Name:            m.name,
		Title:           m.title,
		Description:     m.description,
		RawInputSchema:  ty.in,
		RawOutputSchema: ty.out,
		Annotations: mcp.ToolAnnotation{
			// The title is the tool's own (above): not repeated here.
			ReadOnlyHint:    mcp.ToBoolPtr(m.readOnly),
			DestructiveHint: mcp.ToBoolPtr(m.destructive),
			IdempotentHint:  mcp.ToBoolPtr(m.idempotent),
			OpenWorldHint:   mcp.ToBoolPtr(!m.local),
		},
	}
	c := &call{m: m, deps: deps, decoder: decoder, parse: ty.parse, run: ty.run}
	t := Tool{Definition: def, Handler: c.handle, Toolset: m.toolset, OwnData: m.ownData, decoder: decoder,
		argsType: ty.args, resultType: ty.result,
		parse: func(p mcp.CallToolParams) (any, error) {
			dec, err := decoder()
			if err != nil {
				return nil, err
			}
			args, _, err := c.parse(dec, p)
			return args, err
		}}
	switch {
	case m.customerWhen != "":
		t.Gate, t.CustomerWhen = "customer", m.customerWhen
	case m.destructive && !m.noConfirm:
		t.Gate = "confirm"
	}
	if ty.customerVisible != (m.customerWhen != "") {
		panic(fmt.Sprintf("tool %s: customerWhen and the arguments' CustomerVisible disagree", m.name))
	}
	return t
}

// call is what a tool's handler does, apart from its types: newTool
// gives it the two typed steps (parse and run), so that the rest is
// compiled once rather than for every tool's argument and result types.
type call struct {
	m       meta
	deps    *Deps
	decoder func() (*argDecoder, error)
	// parse decodes and validates the arguments into a *A.
	parse func(dec *argDecoder, p mcp.CallToolParams) (args any, raw json.RawMessage, err error)
	// run calls the typed handler with a *A and returns its *R.
	run func(ctx context.Context, env *Env, args any) (any, error)
}

// handle serves one tools/call: every outcome becomes a result (isError
// for anything an assistant can fix) except a bug of ours, the one
// protocol error.
func (c *call) handle(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	m, deps := c.m, c.deps
	start := time.Now()
	at := start // the call's time on the server's clock, for the transcript
	if deps.Now != nil {
		at = deps.Now()
	}
	account := deps.account(ctx)
	// What earlier calls to this account wrote as secret stays hidden.
	red := deps.callRedactor(ctx)
	var raw json.RawMessage // the arguments as received, for the transcript
	var written []string    // the secrets they write, for the account's later calls
	res, err := func() (*mcp.CallToolResult, error) {
		// The transport found a duplicate key or too deep arguments
		// (jsonscan.Guard) and left the arguments out: refuse first.
		if req.Params.Meta != nil {
			if p, refused := jsonscan.Refused(req.Params.Meta.AdditionalFields); refused {
				return errorResult(&schemas.ArgumentError{Field: p.Field, Reason: p.Reason}, red)
			}
		}
		dec, err := c.decoder()
		if err != nil {
			return nil, internalError{err} // schemas are fixed at build time: TestEveryToolCompiles
		}
		var args any
		args, raw, err = c.parse(dec, req.Params)
		// Values the key rules hide (sensitive_metadata, secret-keyed
		// metadata) stay hidden wherever they reappear in this call, and
		// once Ada took them, in the account's later ones.
		sensitive, keyed := red.SecretsJSONByKind(raw)
		red = red.With(append(slices.Clip(sensitive), keyed...)...)
		written = recallable(sensitive, keyed)
		if err != nil {
			// The operator's gate refuses before the arguments' details:
			// mending them would only lead to the refusal.
			if stop := deps.customerGate(m, args); stop != nil {
				return stop, nil
			}
			return errorResult(err, red)
		}
		if !m.readOnly {
			if field, ok := placeholderIn(raw); ok {
				return errorResult(&schemas.ArgumentError{Field: field, Reason: "holds " + redact.Placeholder +
					", the placeholder this server shows in place of a secret it hid: sending it would write the placeholder over the real text in Ada. " +
					"Put the real text back, or leave the field out"}, red)
			}
		}
		if stop := deps.gate(ctx, m, args, req, red); stop != nil {
			return stop, nil
		}
		client, err := deps.client(ctx)
		if err != nil {
			return errorResult(err, red)
		}
		timeout := deps.callTimeout()
		if x, ok := args.(extraTimer); ok {
			timeout += x.ExtraTime()
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		r, err := c.run(ctx, &Env{Client: client, Deps: deps, req: req, red: red, start: start}, args)
		if err != nil {
			return errorResult(cursorHint(err, args), red)
		}
		deps.recall.add(account, written)
		return structuredResult(r, red, !m.ownData && !deps.Unfenced)
	}()
	deps.logCall(ctx, m.name, start, res, err)
	// A call waiting for the user's answer is recorded once it ends.
	if deps.Transcript != nil && !inputRequired(res) {
		deps.record(ctx, m.name, at, start, withoutBulk(sentArguments(raw), m.bulky), red, res, err)
	}
	return res, err
}

// parseArgs turns a call's arguments into A: decoded strictly, then
// validated (args are returned with Validate's error, decoded). raw is the
// arguments as received (even when they are not an object), for the
// redactor and the transcript.
func parseArgs[A any](dec *argDecoder, params mcp.CallToolParams) (args *A, raw json.RawMessage, err error) {
	raw, err = rawArguments(params)
	if err != nil {
		return nil, nil, err
	}
	args = new(A)
	if err := dec.decode(raw, args); err != nil {
		return nil, raw, err
	}
	if v, ok := any(args).(validator); ok {
		if err := v.Validate(); err != nil {
			return args, raw, err
		}
	}
	return args, raw, nil
}

// structuredResult returns v as structuredContent and as text (for clients
// that ignore structured content), redacted and without invisible
// characters. The text is the same JSON, fenced when fenced is set.
func structuredResult(v any, red *redact.Redactor, fenced bool) (*mcp.CallToolResult, error) {
	clean, err := resultJSON(v, red)
	if err != nil {
		return nil, internalError{fmt.Errorf("encoding result: %w", err)}
	}
	clean = noteRedactions(clean)
	var text string
	if fenced {
		text = fence(clean)
	} else {
		text = string(clean)
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(text)},
		StructuredContent: json.RawMessage(clean),
	}, nil
}

// resultJSON is v as it may leave the server: redacted, invisible
// characters stripped and counted in a top-level "stripped_characters".
func resultJSON(v any, red *redact.Redactor) ([]byte, error) {
	clean, err := red.Marshal(v)
	if err != nil {
		return nil, err
	}
	clean, n, err := redact.StripInvisible(clean, red)
	if err != nil || n == 0 {
		return clean, err
	}
	return prependField(clean, "stripped_characters", []byte(strconv.Itoa(n))), nil
}

// redactedNote tells the assistant that a hidden value is not a lost one, so
// it does not write the value again.
const redactedNote = `Values shown as ` + redact.Placeholder + ` are stored in Ada and hidden here because they look secret; nothing was lost, do not send them again.`

// noteRedactions adds a top-level "redacted" note to a result object that
// shows the placeholder.
func noteRedactions(obj []byte) []byte {
	if !bytes.Contains(obj, []byte(redact.Placeholder)) {
		return obj
	}
	note, _ := json.Marshal(redactedNote)
	return prependField(obj, "redacted", note)
}

// prependField adds "key": value (raw JSON) at the front of a result object.
// Output schemas leave extra top-level properties open for such notes.
func prependField(obj []byte, key string, value []byte) []byte {
	if len(obj) < 2 || obj[0] != '{' {
		return obj
	}
	out := make([]byte, 0, len(obj)+len(key)+len(value)+8)
	out = append(out, `{"`...)
	out = append(out, key...)
	out = append(out, `":`...)
	out = append(out, value...)
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
	took := time.Since(start)
	// A call that went well and fast is routine: debug, so the hot path
	// pays no log line (and no write to stderr). Failures, questions to the
	// user and slow calls are what an operator looks for: info.
	level := slog.LevelInfo
	if outcome == "ok" && took < SlowCall {
		level = slog.LevelDebug
	}
	if !d.logger().Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("tool", tool), slog.String("outcome", outcome), slog.Duration("duration", took)}
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
	d.logger().LogAttrs(ctx, level, "tool call", attrs...)
}

// SlowCall is how long a successful call may take before its log line
// moves from debug to info.
const SlowCall = 2 * time.Second

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

// placeholderIn finds the first string of a write call's arguments that
// holds redact.Placeholder: text copied from a result (an article read
// with get_article, say) with a secret hidden in it, which would replace
// the secret in Ada. It costs one search of the bytes when there is none.
func placeholderIn(raw json.RawMessage) (field string, ok bool) {
	if !bytes.Contains(raw, []byte(redact.Placeholder)) {
		return "", false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "arguments", true
	}
	return findPlaceholder(v, "")
}

func findPlaceholder(v any, path string) (string, bool) {
	switch t := v.(type) {
	case string:
		return path, strings.Contains(t, redact.Placeholder)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if f, ok := findPlaceholder(t[k], p); ok {
				return f, true
			}
		}
	case []any:
		for i, e := range t {
			if f, ok := findPlaceholder(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return f, true
			}
		}
	}
	return "", false
}
