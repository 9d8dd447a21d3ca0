package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/internal/localclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/tools"
)

const toolsUsage = `Usage:
  ada-mcp tools list [--json] [flags]
  ada-mcp tools call NAME (--args JSON | --args-file FILE) [flags]

list prints the tools this configuration serves; call calls one, through the
same registration, argument validation and redaction as a served call, and
prints its structured result as JSON on stdout. Exit status: 0 success, 1 the
tool answered with an error (its message on stderr), 2 a usage error.

The server's flags choose what is served: --sandbox (or ADA_API_KEY with
ADA_BOT_HANDLE or ADA_BASE_URL), --toolsets, --read-only, ... A --sandbox
starts empty on every call: to keep state between calls, run
"ada-mcp sandbox" and point ADA_BASE_URL and ADA_API_KEY at it.

Flags:
`

// verbUsage is a command's usage without its verb: the flags are the
// verb's, so the "Flags:" heading points to the verb's own --help.
func verbUsage(usage, verbHelp string) string {
	return strings.TrimSuffix(usage, "Flags:\n") + "Flags: see " + verbHelp + "\n"
}

// toolsConfig is the tools command's configuration.
type toolsConfig struct {
	Config
	JSON     bool
	Args     string
	ArgsFile string
}

func runTools(ctx context.Context, args []string, std stdio) (code int) {
	if len(args) == 0 || (args[0] != "list" && args[0] != "call") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			// The flags are the verb's: its own --help lists them.
			fmt.Fprint(std.stdout, verbUsage(toolsUsage, "ada-mcp tools list --help"))
			return exitOK
		}
		fmt.Fprint(std.stderr, "ada-mcp tools: say list or call\n\n"+verbUsage(toolsUsage, "ada-mcp tools list --help"))
		return exitUsage
	}
	verb := args[0]
	cfg, positional, err := loadToolsConfig(verb, args[1:], std)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp tools:", err)
		return exitUsage
	}
	var callArgs json.RawMessage
	if verb == "call" {
		if callArgs, err = cfg.arguments(std.stdin); err != nil {
			fmt.Fprintln(std.stderr, "ada-mcp tools call:", err)
			return exitUsage
		}
	}

	a, err := assemble(cfg.Config, std.stderr)
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp tools:", err)
		return exitUsage
	}
	defer func() {
		if err := a.close(&cfg.Config); err != nil && code == exitOK {
			fmt.Fprintln(std.stderr, "ada-mcp tools:", err)
			code = exitFail
		}
	}()
	sess, err := localclient.Connect(ctx, a.MCP, "ada-mcp-tools-cli", buildVersion())
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp tools:", err)
		return exitFail
	}
	defer sess.Close()
	if verb == "list" {
		return listTools(ctx, sess, a.Tools, cfg.JSON, std)
	}
	return callTool(ctx, sess, a.Tools, &cfg.Ada, a.Redactor, positional[0], callArgs, std)
}

func loadToolsConfig(verb string, args []string, std stdio) (toolsConfig, []string, error) {
	var c toolsConfig
	e := &env{getenv: std.getenv}
	fs := flag.NewFlagSet("ada-mcp tools "+verb, flag.ContinueOnError)
	fs.SetOutput(std.stderr)
	fs.Usage = func() {
		fmt.Fprint(std.stderr, toolsUsage)
		fs.PrintDefaults()
	}
	c.Ada.addFlags(fs, e)
	c.Sandbox.addFlags(fs)
	c.Log.addFlags(fs, e, "warn")
	fs.StringVar(&c.Transcript, "transcript", "", "also record the call to this file (JSON Lines), after the lines already there")
	c.TranscriptAppend = true // one call per process: a script's calls make one transcript
	if verb == "list" {
		fs.BoolVar(&c.JSON, "json", false, "print the tool definitions as JSON, as tools/list returns them")
	} else {
		fs.StringVar(&c.Args, "args", "", "the arguments as a JSON object")
		fs.StringVar(&c.ArgsFile, "args-file", "", "a file holding the arguments as a JSON object (- for stdin)")
		fs.StringVar(&c.Webhooks.SecretFile, "webhook-secret-file", e.getenv("ADA_WEBHOOK_SECRET_FILE"),
			"where rotate_webhook_secret writes the new signing secret, mode 0600, as the server does (env ADA_WEBHOOK_SECRET_FILE)")
	}
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return c, nil, err
	}
	c.Ada.flagsWin(fs)
	switch { // what was asked for, before what it needs
	case verb == "list" && len(positional) > 0:
		return c, nil, fmt.Errorf("list: unexpected argument %q", positional[0])
	case verb == "call" && len(positional) != 1:
		return c, nil, errors.New("call: name one tool, e.g. ada-mcp tools call list_channels --args '{}'")
	}
	if err := errors.Join(e.errs...); err != nil {
		return c, nil, err
	}
	c.Transport = TransportStdio
	if err := c.Ada.finish(); err != nil {
		return c, nil, err
	}
	if err := c.Log.finish(); err != nil {
		return c, nil, err
	}
	if err := c.Sandbox.validate(); err != nil {
		return c, nil, err
	}
	if !c.Sandbox.Enabled {
		// Listing needs no Ada: without credentials it lists the definitions.
		if err := c.Ada.validate(verb == "list"); err != nil {
			return c, nil, err
		}
	}
	return c, positional, nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments (the flag package stops at the first positional one).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// arguments reads --args or --args-file: one JSON object, kept as sent so
// the server sees exactly those bytes.
func (c *toolsConfig) arguments(stdin io.Reader) (json.RawMessage, error) {
	var raw []byte
	switch {
	case c.Args != "" && c.ArgsFile != "":
		return nil, errors.New("give --args or --args-file, not both")
	case c.ArgsFile == "-":
		b, err := io.ReadAll(io.LimitReader(stdin, 64<<20))
		if err != nil {
			return nil, err
		}
		raw = b
	case c.ArgsFile != "":
		b, err := os.ReadFile(c.ArgsFile)
		if err != nil {
			return nil, fmt.Errorf("--args-file: %w", err)
		}
		raw = b
	case c.Args != "":
		raw = []byte(c.Args)
	default:
		return nil, errors.New(`give the arguments with --args '{"key": "value"}' or --args-file FILE ('{}' for none)`)
	}
	raw = bytes.TrimSpace(raw)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("the arguments must be one JSON object, such as {\"external_id\": \"cust-42\"}: %v", describeJSONError(err))
	}
	return raw, nil
}

func describeJSONError(err error) string {
	if err == nil {
		return "got null"
	}
	return err.Error()
}

func listTools(ctx context.Context, sess *localclient.Session, served []tools.Tool, asJSON bool, std stdio) int {
	list, err := sess.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp tools list:", err)
		return exitFail
	}
	byName := map[string]tools.Tool{}
	for _, t := range served {
		byName[t.Name()] = t
	}
	if asJSON {
		// The definitions as tools/list sends them: the client's decoded
		// copy drops schema keywords it does not model.
		defs := make([]any, 0, len(list.Tools))
		for _, lt := range list.Tools {
			defs = append(defs, byName[lt.Name].Definition)
		}
		out, err := json.MarshalIndent(map[string]any{"tools": defs}, "", "  ")
		if err != nil {
			fmt.Fprintln(std.stderr, "ada-mcp tools list:", err)
			return exitFail
		}
		fmt.Fprintln(std.stdout, string(out))
		return exitOK
	}
	tw := tabwriter.NewWriter(std.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOOL\tTOOLSET\tKIND\tTITLE")
	for _, lt := range list.Tools {
		t := byName[lt.Name]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", lt.Name, t.Toolset, kind(t), lt.Title)
	}
	tw.Flush()
	return exitOK
}

// kind is a tool's annotations in a word.
func kind(t tools.Tool) string {
	a := t.Definition.Annotations
	switch {
	case t.ReadOnly():
		return "read"
	case a.DestructiveHint != nil && *a.DestructiveHint:
		return "destructive"
	case a.IdempotentHint != nil && *a.IdempotentHint:
		return "write (idempotent)"
	}
	return "write"
}

func callTool(ctx context.Context, sess *localclient.Session, served []tools.Tool, ada *AdaConfig, red *redact.Redactor, name string, args json.RawMessage, std stdio) int {
	if !slices.ContainsFunc(served, func(t tools.Tool) bool { return t.Name() == name }) {
		names := make([]string, len(served))
		for i, t := range served {
			names[i] = t.Name()
		}
		// The name is quoted redacted: it can be anything, the API key pasted
		// in the wrong place too.
		why := tools.WhyNotServed(name, ada.Toolsets, ada.ReadOnly)
		if why != "" {
			why = " (" + why + ")"
		}
		fmt.Fprintf(std.stderr, "ada-mcp tools call: no tool %q in this configuration%s; the tools are: %s\n", red.String(name), why, strings.Join(names, ", "))
		return exitUsage
	}
	res, err := sess.Call(ctx, name, args)
	if err != nil {
		fmt.Fprintf(std.stderr, "ada-mcp tools call %s: %v\n", name, err)
		return exitFail
	}
	if res.IsError {
		fmt.Fprintln(std.stderr, localclient.Text(res))
		return exitFail
	}
	// The text is the structured content's JSON (unfenced): indented as it
	// is, numbers keep their digits (decoded, an integer over 2^53 would not).
	out := []byte(localclient.Text(res))
	var indented bytes.Buffer
	if json.Indent(&indented, out, "", "  ") == nil {
		out = indented.Bytes()
	}
	fmt.Fprintln(std.stdout, string(out))
	return exitOK
}
