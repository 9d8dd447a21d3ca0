package tools_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

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
			if d.Title == "" || d.Annotations.Title == "" {
				t.Error("no title")
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
				checkPortable(t, which, s)
			}
		})
	}
}

// checkPortable walks a schema: no boolean subschemas, no $ref/$defs, no
// type arrays, every object closed or typed.
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
		if n["type"] == "object" {
			if _, ok := n["additionalProperties"]; !ok {
				t.Errorf("%s: object without additionalProperties", path)
			}
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

// TestToolListTokenBudget measures what tools/list costs every client's
// context (approximated as 4 bytes a token) against a recorded baseline:
// growth over 5% needs a deliberate baseline update.
func TestToolListTokenBudget(t *testing.T) {
	var defs []any
	for _, tool := range allTools(t) {
		defs = append(defs, tool.Definition)
	}
	b, err := json.Marshal(map[string]any{"tools": defs})
	if err != nil {
		t.Fatal(err)
	}
	tokens := (len(b) + 3) / 4
	perTool := map[string]int{}
	var names []string
	for _, tool := range allTools(t) {
		tb, _ := json.Marshal(tool.Definition)
		perTool[tool.Name()] = (len(tb) + 3) / 4
		names = append(names, tool.Name())
	}
	sort.Strings(names)
	var report strings.Builder
	fmt.Fprintf(&report, "tools/list ≈ %d tokens for %d tools\n", tokens, len(names))
	for _, n := range names {
		fmt.Fprintf(&report, "  %-30s %5d\n", n, perTool[n])
	}
	t.Log(report.String())
	path := filepath.Join(snapDir, "_tokens.txt")
	if update {
		if err := os.WriteFile(path, []byte(strconv.Itoa(tokens)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no baseline %s (UPDATE_SNAPSHOTS=1): %v", path, err)
	}
	baseline, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if tokens > baseline*105/100 {
		t.Fatalf("tools/list grew to ≈%d tokens from a baseline of %d (>5%%): trim descriptions and schemas, or update the baseline deliberately\n%s", tokens, baseline, report.String())
	}
}
