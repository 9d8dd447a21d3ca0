package tools_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tiktoken-go/tokenizer"

	"github.com/ada-mcp/ada-mcp/tools"
)

// Tool definitions are public surface: every change to a name, description,
// schema or annotation must show up in review as a snapshot diff.
// UPDATE_SNAPSHOTS=1 go test ./tools rewrites them.
const snapDir = "../testdata/toolsnaps"

var update = os.Getenv("UPDATE_SNAPSHOTS") != ""

func allTools(t *testing.T) []tools.Tool {
	t.Helper()
	ts, err := tools.Select(tools.Toolsets(&tools.Deps{}), []string{"all"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestToolSnapshots(t *testing.T) {
	seen := map[string]bool{}
	for _, tool := range allTools(t) {
		name := tool.Name()
		seen[name+".json"] = true
		got, err := json.MarshalIndent(tool.Definition, "", "  ")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got = append(got, '\n')
		path := filepath.Join(snapDir, name+".json")
		if update {
			if err := os.MkdirAll(snapDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no snapshot (run UPDATE_SNAPSHOTS=1 go test ./tools): %v", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: definition differs from %s; if intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff.\ngot:\n%s", name, path, got)
		}
	}
	entries, _ := os.ReadDir(snapDir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !seen[e.Name()] {
			t.Errorf("snapshot %s has no tool: delete it", e.Name())
		}
	}
}

// TestToolDefinitionsArePortable checks what Go-only clients do not: the
// shapes TypeScript hosts and LLM providers reject.
func TestToolDefinitionsArePortable(t *testing.T) {
	for _, tool := range allTools(t) {
		d := tool.Definition
		t.Run(d.Name, func(t *testing.T) {
			if d.Title == "" {
				t.Error("no title")
			}
			if d.Annotations.Title != "" {
				t.Error("the title repeated in the annotations costs tokens in every tools/list")
			}
			a := d.Annotations
			if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
				t.Errorf("annotations not all explicit: %+v", a)
			}
			if *a.ReadOnlyHint && *a.DestructiveHint {
				t.Error("read-only and destructive")
			}
			if n := len(d.Description); n < 40 || n > 400 {
				t.Errorf("description is %d characters; keep it short and exact (40-400)", n)
			}
			if d.InputSchema.Type != "" {
				t.Error("InputSchema and RawInputSchema both set: tools/list would fail to marshal")
			}
			if _, err := json.Marshal(d); err != nil {
				t.Fatalf("definition does not marshal: %v", err)
			}
			for which, raw := range map[string]json.RawMessage{"input": d.RawInputSchema, "output": d.RawOutputSchema} {
				var s map[string]any
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatalf("%s schema: %v", which, err)
				}
				if s["type"] != "object" {
					t.Errorf("%s schema root type = %v, want object", which, s["type"])
				}
				// The input's root is closed: clients learn that unknown
				// arguments are refused (nested objects are refused just
				// the same when checked, see schemas.Input).
				if which == "input" && s["additionalProperties"] != false {
					t.Error("input schema root without additionalProperties: false")
				}
				checkPortable(t, which, s)
			}
		})
	}
}

// checkPortable walks a schema: no boolean subschemas, no $ref/$defs, no
// type arrays.
func checkPortable(t *testing.T, path string, node any) {
	t.Helper()
	switch n := node.(type) {
	case bool:
		t.Errorf("%s: boolean schema %v (TypeScript hosts drop every tool)", path, n)
	case map[string]any:
		for _, k := range []string{"$ref", "$defs", "definitions", "$schema"} {
			if _, ok := n[k]; ok {
				t.Errorf("%s: has %s", path, k)
			}
		}
		if _, isArray := n["type"].([]any); isArray {
			t.Errorf("%s: type array (use anyOf)", path)
		}
		for _, k := range []string{"additionalProperties", "items"} {
			if v, ok := n[k]; ok {
				if b, isBool := v.(bool); isBool && k == "additionalProperties" && !b {
					continue // additionalProperties:false is a keyword value, not a subschema to drop tools over
				}
				checkPortable(t, path+"."+k, v)
			}
		}
		if props, ok := n["properties"].(map[string]any); ok {
			for k, v := range props {
				checkPortable(t, path+"."+k, v)
			}
		}
		if anyOf, ok := n["anyOf"].([]any); ok {
			for i, v := range anyOf {
				checkPortable(t, fmt.Sprintf("%s.anyOf[%d]", path, i), v)
			}
		}
	default:
		t.Errorf("%s: schema is %T", path, node)
	}
}

// MaxTokensPerTool is what one tool's definition may cost every client's
// context on average (o200k tokens of its compact JSON, schemas included),
// on the default surface and with every toolset on.
const MaxTokensPerTool = 300

// tokensOf counts o200k tokens (the tokenizer of current OpenAI models; an
// honest proxy for any host's).
func tokensOf(t *testing.T, v any) int {
	t.Helper()
	enc, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ids, _, err := enc.Encode(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

// TestToolListTokenBudget holds what tools/list costs: at most
// MaxTokensPerTool per tool on average, on the default surface and with
// every toolset, and no more than 5% above the recorded figures
// (_tokens.txt: growth needs a deliberate update, UPDATE_SNAPSHOTS=1).
func TestToolListTokenBudget(t *testing.T) {
	surfaces := []struct {
		name     string
		toolsets []string
	}{{"default", nil}, {"all", []string{"all"}}}
	var report strings.Builder
	got := map[string]int{}
	for _, sf := range surfaces {
		ts, err := tools.Select(tools.Toolsets(&tools.Deps{}), sf.toolsets, false)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		fmt.Fprintf(&report, "%s surface:\n", sf.name)
		for _, tool := range ts {
			n := tokensOf(t, tool.Definition)
			total += n
			fmt.Fprintf(&report, "  %-30s %5d\n", tool.Name(), n)
		}
		per := total / len(ts)
		fmt.Fprintf(&report, "  %d tools, %d tokens, %d per tool\n", len(ts), total, per)
		got[sf.name] = total
		if per > MaxTokensPerTool {
			t.Errorf("the %s surface costs %d tokens per tool, over %d: trim descriptions and schemas", sf.name, per, MaxTokensPerTool)
		}
	}
	t.Log(report.String())
	path := filepath.Join(snapDir, "_tokens.txt")
	if update {
		out := fmt.Sprintf("default %d\nall %d\n", got["default"], got["all"])
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no baseline %s (UPDATE_SNAPSHOTS=1): %v", path, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		name, num, _ := strings.Cut(line, " ")
		baseline, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("%s: %q", path, line)
		}
		if got[name] > baseline*105/100 {
			t.Errorf("the %s tools/list grew to %d tokens from %d (>5%%): trim, or update the baseline deliberately\n%s", name, got[name], baseline, report.String())
		}
	}
}

// Argument validators compile at a tool's first call; every one must.
func TestEveryToolCompiles(t *testing.T) {
	all, err := tools.Select(tools.Toolsets(&tools.Deps{}), []string{"all"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range all {
		if err := tl.Check(); err != nil {
			t.Errorf("%s: %v", tl.Name(), err)
		}
	}
}
