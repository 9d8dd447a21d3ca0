package eval

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// write puts files in a temporary directory and returns it.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMalformedFilesNameFileLineAndKey(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"unknown top key":  {"name: x\nsteps:\n  - tool: list_channels\nrun: 3\n", []string{":4:", `unknown key "run"`, "runs"}},
		"unknown step key": {"name: x\nsteps:\n  - tool: list_channels\n    expct: {}\n", []string{":4:", `"expct"`, "expect"}},
		"case variant key": {"name: x\nsteps:\n  - Tool: a\n", []string{":3:", `"Tool"`}},
		"unknown assertion key": {"name: x\nsteps:\n  - tool: list_channels\n    expect:\n      result:\n        - {path: $.a, equal: 1}\n",
			[]string{":6:", `"equal"`, "equals"}},
		"bad path":               {"name: x\nsteps:\n  - tool: list_channels\n    expect:\n      result:\n        - {path: \"$.a[\", equals: 1}\n", []string{":6:", "JSONPath"}},
		"assertion says nothing": {"name: x\nverify:\n  - {path: $.a}\n", []string{":3:", "says nothing"}},
		"bad regexp":             {"name: x\nsteps:\n  - tool: list_channels\n    expect: {is_error: true, error_matches: \"(\"}\n", []string{":4:", "error_matches"}},
		"runs not a number":      {"name: x\nruns: three\nsteps:\n  - tool: list_channels\n", []string{":2:", "runs", `"three"`}},
		"runs zero":              {"name: x\nruns: 0\nsteps:\n  - tool: list_channels\n", []string{":2:", "between 1"}},
		"step without tool":      {"name: x\nsteps:\n  - args: {a: 1}\n", []string{":3:", "tool: NAME"}},
		"bad duration":           {"name: x\nsandbox: {reply_delay: 5}\nsteps:\n  - tool: list_channels\n", []string{":2:", "reply_delay", "50ms"}},
		"missing state":          {"name: x\nsandbox: {state: nope.state.json}\nsteps:\n  - tool: list_channels\n", []string{":2:", "sandbox.state"}},
		"result with error":      {"name: x\nsteps:\n  - tool: list_channels\n    expect:\n      is_error: true\n      result: [{path: $.a, exists: true}]\n", []string{":6:", "error_matches"}},
		"yaml syntax":            {"name: x\nsteps: [\n", []string{"x.yaml"}},
		"neither":                {"name: x\ndescription: nothing\n", []string{":1:", "neither a scenario"}},
		"misspelt steps":         {"name: x\nstepz:\n  - tool: list_channels\n", []string{":2:", `unknown key "stepz"`, "steps"}},
		"unknown toolset":        {"name: x\nserver: {toolsets: [end_users, bogus]}\nsteps:\n  - tool: list_channels\n", []string{":2:", `"bogus"`, "valid toolsets"}},
		"duplicate top key":      {"name: x\nname: y\nsteps:\n  - tool: list_channels\n", []string{":2:", `"name" appears twice`}},
		"duplicate arg":          {"name: x\nsteps:\n  - tool: list_channels\n    args: {external_id: first, external_id: second}\n", []string{":4:", `"external_id" appears twice`}},
		"explicit null document": {"name: x\nsteps:\n  - tool: list_channels\n--- null\n", []string{":4:", "got null"}},
		"save not a var name":    {"name: x\nsteps:\n  - tool: list_channels\n    save: {1x: $.a}\n", []string{":4:", "variable name"}},
		"checks unknown key":     {"name: x\ntranscript: t.jsonl\ntools_use: [a]\n", []string{":3:", `"tools_use"`, "tools_used"}},
		// A typo must not pass a step that expects an error (the server
		// refuses a tool it does not have, too).
		"unknown tool": {"name: x\nsteps:\n  - tool: list_channels\n  - tool: upsert_enduser\n    expect: {is_error: true}\n",
			[]string{":4:", `no tool "upsert_enduser"`, "did you mean upsert_end_user?", "toolset"}},
		// A misspelt or not yet saved variable is known before anything runs.
		"unknown variable in args": {"name: x\nsteps:\n  - tool: upsert_end_user\n    args: {external_id: a}\n    save: {uid: $.end_user.end_user_id}\n  - tool: lookup_end_user\n    args: {end_user_id: \"${userid}\"}\n",
			[]string{":6:", "step 2", "${userid}", "saved before it: run, seed, uid"}},
		"variable saved later": {"name: x\nsteps:\n  - tool: lookup_end_user\n    args: {external_id: \"cust-${uid}\"}\n  - tool: upsert_end_user\n    args: {external_id: a}\n    save: {uid: $.end_user.end_user_id}\n",
			[]string{":3:", "step 1", "${uid}"}},
		"own save in an assertion": {"name: x\nsteps:\n  - tool: upsert_end_user\n    args: {external_id: a}\n    save: {uid: $.end_user.end_user_id}\n    expect:\n      result: [{path: $.end_user.end_user_id, equals: \"${uid}\"}]\n",
			[]string{":7:", "${uid}"}},
		"unknown variable in verify": {"name: x\nsteps:\n  - tool: list_channels\nverify:\n  - {path: \"$.end_users[?@.id == '${uid}']\", exists: true}\n",
			[]string{":5:", "verify", "${uid}"}},
		"unknown variable in error_matches": {"name: x\nsteps:\n  - tool: lookup_end_user\n    expect: {is_error: true, error_matches: \"${nope}\"}\n",
			[]string{":3:", "${nope}"}},
		"variable in checks": {"name: x\ntranscript: t.jsonl\ncalls:\n  - {tool: list_channels, args: [{path: $.a, equals: \"${x}\"}]}\n",
			[]string{":4:", "${x}"}},
		// The YAML parser's own line numbers are one short for these: the
		// line is where the broken mapping or list starts.
		"flow mapping not closed":  {"name: x\nsteps:\n  - tool: list_channels\n    args: {a: 1\n", []string{":4:", "did not find expected ',' or '}'"}},
		"step indented too little": {"name: x\nsteps:\n  - tool: list_channels\n  args: {}\n   bad: 1\n", []string{":3:", "expected '-'"}},
		"flow sequence not closed": {"name: x\nsteps:\n  - tool: list_channels\n    args: {ids: [1, 2}\n", []string{":4:", "did not find expected ',' or ']'"}},
		"key expected":             {"name: x\nsteps:\n  - tool: list_channels\n    args: {}\n -x\n", []string{":5:", "did not find expected key"}},
		"node content expected":    {"name: x\nsteps: [a, {b: ]\n", []string{":2:", "did not find expected node content"}},
		// {path: $.a[0]} in the README's flow style breaks on the brackets.
		"unquoted path in a flow": {"name: x\nsteps:\n  - tool: list_channels\n    save: {first: $.channels[0].channel_id}\n",
			[]string{":4:", "did not find expected ',' or '}'", `quote a JSONPath that has [ ]`}},
		"two %YAML directives":   {"%YAML 1.1\n%YAML 1.1\n---\nname: x\n", []string{":2:", "found duplicate %YAML directive"}},
		"two %TAG directives":    {"%TAG ! tag:a,2000:\n%TAG ! tag:a,2000:\n---\nname: x\n", []string{":2:", "found duplicate %TAG directive"}},
		"scanner error line":     {"name: x\nsteps:\n  - tool: list_channels\n    args: \"open\n", []string{":4:", "end of stream"}},
		"min not a number":       {"name: x\nverify:\n  - {path: $.a, min: \"3\"}\n", []string{":3:", "min must be a number", `"3"`}},
		"min an escaped literal": {"name: x\nverify:\n  - {path: $.a, min: \"$${x}\"}\n", []string{":3:", "min must be a number"}},
		"max a list":             {"name: x\nverify:\n  - {path: $.a, max: [1]}\n", []string{":3:", "max must be a number"}},
		"min above max":          {"name: x\nverify:\n  - {path: $.a, min: 3, max: 2.5}\n", []string{":3:", "min 3 is above max 5/2"}},
		"min_length above":       {"name: x\nverify:\n  - {path: $.a, min_length: 3, max_length: 2}\n", []string{":3:", "min_length 3 is above max_length 2"}},
		"min_length float":       {"name: x\nverify:\n  - {path: $.a, min_length: 1.5}\n", []string{":3:", "min_length must be a whole number"}},
		"unknown var in min":     {"name: x\nsteps:\n  - tool: list_channels\nverify:\n  - {path: $.a, min: \"${n}\"}\n", []string{":5:", "${n}"}},
		// A syntax error does not wait for the run to fill the variables in.
		"bad path with a variable": {"name: x\nsteps:\n  - tool: start_conversation\n    save: {cid: $.conversation_id}\nverify:\n  - {path: \"$.conversations[?(@.id == '${cid}'].status\", exists: true}\n",
			[]string{":6:", "not a JSONPath"}},
		"bad regexp with a variable": {"name: x\nsteps:\n  - tool: start_conversation\n    save: {cid: $.conversation_id}\n  - tool: end_handoff\n    expect: {is_error: true, error_matches: \"(${cid}\"}\n",
			[]string{":6:", "error_matches", "missing closing )"}},
		"list_tools expecting an error": {"name: x\nsteps:\n  - list_tools: true\n    expect: {is_error: true}\n", []string{":4:", "list_tools", "cannot expect an error"}},
		"bad select":                    {"name: x\ntranscript: t.jsonl\ncalls:\n  - {tool: list_channels, select: some}\n", []string{":4:", "select"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := write(t, map[string]string{"x.yaml": tc.body})
			_, err := Load([]string{filepath.Join(dir, "x.yaml")})
			if err == nil {
				t.Fatal("loaded a malformed file")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "x.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadWalksDirectoriesAndSkipsStateFiles(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml":                   "name: a\nsteps:\n  - tool: list_channels\n",
		"sub/b.yml":                "name: b\nsteps:\n  - tool: list_channels\n",
		"sub/c.json":               `{"name": "c", "steps": [{"tool": "list_channels", "args": {"type": "custom"}}]}`,
		"fixtures/shop.state.json": `{"end_users": []}`,
		"run.jsonl":                "{}",
		"notes.md":                 "# not a scenario",
		".hidden/d.yaml":           "this: is ignored",
		"multi.yaml":               "steps:\n  - tool: list_channels\n---\nsteps:\n  - tool: get_capabilities\n",
		"checks.yaml":              "name: graded\ntranscript: run.jsonl\ntools_used: [lookup_end_user]\n",
	})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sc := range suite.Scenarios {
		names = append(names, sc.Name)
	}
	if got := strings.Join(names, ","); got != "a,multi,multi #2,b,c" {
		t.Fatalf("scenarios %s", got)
	}
	if len(suite.Checks) != 1 || suite.Checks[0].Transcript != filepath.Join(dir, "run.jsonl") {
		t.Fatalf("checks %+v", suite.Checks)
	}
	c := suite.Scenarios[4]
	if c.Steps[0].Args["type"] != "custom" {
		t.Fatalf("JSON scenario args %v", c.Steps[0].Args)
	}
}

func TestDuplicateNamesAreRefused(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml": "name: same\nsteps:\n  - tool: list_channels\n",
		"b.yaml": "name: same\nsteps:\n  - tool: get_capabilities\n",
	})
	_, err := Load([]string{dir})
	if err == nil || !strings.Contains(err.Error(), `"same"`) || !strings.Contains(err.Error(), "a.yaml:1") {
		t.Fatalf("err = %v", err)
	}
}

func TestYAMLValuesBecomeJSON(t *testing.T) {
	dir := write(t, map[string]string{"x.yaml": `name: x
steps:
  - tool: list_channels
    args:
      big: 12345678901234567890123
      n: 42
      f: 1.5
      when: 2026-01-01
      ok: true
      none: null
      list: [1, two]
`})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	args := suite.Scenarios[0].Steps[0].Args
	if show(args["n"]) != "42" || show(args["f"]) != "1.5" || args["when"] != "2026-01-01" || args["ok"] != true || args["none"] != nil {
		t.Fatalf("args %#v", args)
	}
	if show(args["list"]) != `[42,"two"]` && show(args["list"]) != `[1,"two"]` {
		t.Fatalf("list %s", show(args["list"]))
	}
}

// A .json file must be JSON: a syntax error is called a JSON one, at its
// line, and what only YAML allows (a trailing comma) is refused.
func TestJSONFilesAreStrictJSON(t *testing.T) {
	for body, line := range map[string]string{
		"{\"name\": \"x\",\n \"steps\": [":                                      "s.json:2:",
		"{\"name\": \"x\",\n \"steps\": [{\"tool\": \"a\"},\n ]}":               "s.json:3:",
		"{\"name\": \"x\",\n \"steps\": [{\"tool\": \"a\"}],\n \"runs\": 1,\n}": "s.json:4:",
	} {
		dir := write(t, map[string]string{"s.json": body})
		_, err := Load([]string{filepath.Join(dir, "s.json")})
		if err == nil || !strings.Contains(err.Error(), line) || !strings.Contains(err.Error(), "JSON: ") {
			t.Errorf("%q: err = %v, want %s and JSON", body, err, line)
		}
	}
}

// An empty YAML document (a trailing ---, or one with comments only) is
// skipped; a file with nothing else is still refused as empty.
func TestEmptyDocumentsAreSkipped(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml": "name: x\nsteps:\n  - tool: list_channels\n---\n# nothing more\n",
		"b.yaml": "---\nname: y\nsteps:\n  - tool: list_channels\n---\n",
	})
	suite, err := Load([]string{dir})
	if err != nil || len(suite.Scenarios) != 2 {
		t.Fatalf("%v, %+v", err, suite)
	}
	dir = write(t, map[string]string{"e.yaml": "---\n# nothing\n---\n"})
	if _, err := Load([]string{dir}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("err = %v", err)
	}
}

// What a directory holds: a scenario's agent script beside it is not a
// suite file, an upper-case extension is, a file nobody refers to that is
// no scenario is an error, and a broken state file is found at load.
func TestDirectoryContents(t *testing.T) {
	scenario := "name: scripted\nsandbox: {agent: agent.json}\nsteps:\n  - tool: get_capabilities\n"
	agent := `{"rules": [{"match": "refund", "replies": ["Refunds take 5 days."]}]}`
	dir := write(t, map[string]string{"s.yaml": scenario, "agent.json": agent, "UPPER.YAML": "name: upper\nsteps:\n  - tool: get_capabilities\n"})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(suite.Scenarios) != 2 || suite.Scenarios[0].Name != "upper" && suite.Scenarios[1].Name != "upper" {
		t.Fatalf("scenarios %v", suite.Scenarios)
	}
	dir = write(t, map[string]string{"s.yaml": scenario, "agent.json": agent, "stray.json": agent})
	if _, err := Load([]string{dir}); err == nil || !strings.Contains(err.Error(), "stray.json") {
		t.Fatalf("an unreferenced non-scenario: %v", err)
	}
	dir = write(t, map[string]string{"s.yaml": "name: broken\nsandbox: {state: broken.state.json}\nsteps:\n  - tool: get_capabilities\n",
		"broken.state.json": `{"end_users": [`})
	if _, err := Load([]string{dir}); err == nil || !strings.Contains(err.Error(), "s.yaml:2:") || !strings.Contains(err.Error(), "sandbox.state") {
		t.Fatalf("a broken state file: %v", err)
	}
}

// A .json scenario may write characters beyond the BMP as surrogate pair
// escapes, as Python's json.dumps does; they read as the characters, as
// encoding/json reads them (a lone surrogate as U+FFFD, an escaped
// backslash before "u" as itself).
func TestJSONSurrogateEscapes(t *testing.T) {
	const value = `"a\\ud83d\ude00 \udc00 \ud83d\ude00"`
	dir := write(t, map[string]string{"s.json": `{"name": "emoji \ud83d\ude00",
 "steps": [{"tool": "lookup_end_user", "args": {"external_id": ` + value + `}}]}`})
	suite, err := Load([]string{filepath.Join(dir, "s.json")})
	if err != nil {
		t.Fatal(err)
	}
	var want string
	if err := json.Unmarshal([]byte(value), &want); err != nil {
		t.Fatal(err)
	}
	sc := suite.Scenarios[0]
	if got := sc.Steps[0].Args["external_id"]; sc.Name != "emoji \U0001F600" || got != want {
		t.Fatalf("name %q, external_id %q, want %q", sc.Name, got, want)
	}
}

// yamlError corrects the line of the parser's messages it lists; each one
// the parser reports with a line is checked above at the line it means,
// so a YAML upgrade that rewords one fails here rather than shifting
// lines silently. The rest come without a line, or not from a file.
func TestYAMLParserProblemsAreTested(t *testing.T) {
	tested := []string{"did not find expected '-' indicator", "did not find expected ',' or '}'", "did not find expected ',' or ']'",
		"did not find expected key", "did not find expected node content", "found duplicate %YAML directive", "found duplicate %TAG directive"}
	lineless := []string{"found undefined tag handle", "found incompatible YAML document", // reported without a line
		"did not find expected <stream-start>", "did not find expected <document start>"} // not produced by a file's bytes
	for _, p := range yamlParserProblems {
		if !slices.Contains(tested, p) && !slices.Contains(lineless, p) {
			t.Errorf("%q: no test of its line", p)
		}
	}
}
