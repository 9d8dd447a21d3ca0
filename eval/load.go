package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
	"github.com/ada-mcp/ada-mcp/internal/suggest"
	"github.com/ada-mcp/ada-mcp/tools"
)

// Suite is what a set of files holds.
type Suite struct {
	Scenarios []*Scenario
	Checks    []*Checks
}

// LoadError is a mistake in a scenario or checks file, at a line.
type LoadError struct {
	File string
	Line int
	Msg  string
	// neither: the file is not a scenario or checks at all (a scenario's
	// agent script, found in a directory, say).
	neither bool
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Load reads scenario and checks files; a directory is searched
// recursively for .yaml, .yml and .json files, except state files
// (*.state.json), which scenarios and checks refer to.
func Load(paths []string) (*Suite, error) {
	var files []string
	walked := map[string]bool{} // found in a directory, not named
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if isSuiteFile(d.Name()) {
				files = append(files, path)
				walked[path] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	suite := &Suite{}
	// A file found in a directory that is neither a scenario nor checks
	// is an error, unless a scenario uses it as its sandbox's agent script
	// or state (an agent.json beside the scenarios, say).
	neither := map[string]error{}
	for _, f := range files {
		if err := suite.loadFile(f); err != nil {
			var le *LoadError
			if walked[f] && errors.As(err, &le) && le.neither {
				neither[f] = err
				continue
			}
			return nil, err
		}
	}
	for _, sc := range suite.Scenarios {
		delete(neither, filepath.Clean(sc.Sandbox.AgentFile))
		delete(neither, filepath.Clean(sc.Sandbox.State))
	}
	for _, f := range files { // in file order, the first left
		if err := neither[f]; err != nil {
			return nil, err
		}
	}
	if err := suite.checkNames(); err != nil {
		return nil, err
	}
	return suite, nil
}

func isSuiteFile(name string) bool {
	name = strings.ToLower(name) // FILE.YAML is a scenario as file.yaml is
	if strings.HasSuffix(name, ".state.json") {
		return false
	}
	switch filepath.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func (s *Suite) loadFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		// Read by the YAML parser below (JSON is YAML), which would also
		// take what JSON is not: a trailing comma, a comment.
		if err := strictJSON(path, b); err != nil {
			return err
		}
		b = surrogatesAsUTF8(b)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	p := &parser{file: path}
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	loaded := 0
	for doc := 1; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			if loaded == 0 {
				return &LoadError{File: path, Msg: "empty: no scenario or checks"}
			}
			return nil
		}
		if err != nil {
			return yamlError(path, b, err)
		}
		root := &n
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		if isEmptyDoc(root) { // a trailing ---, or one with comments only
			continue
		}
		loaded++
		defaultName := stem
		if doc > 1 {
			defaultName = fmt.Sprintf("%s #%d", stem, doc)
		}
		if err := s.loadDoc(p, root, defaultName); err != nil {
			return err
		}
	}
}

// strictJSON refuses a .json file that is not JSON, at the line of the
// mistake.
func strictJSON(path string, b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *json.SyntaxError
			off := dec.InputOffset()
			switch {
			case errors.As(err, &se):
				off = se.Offset
			case errors.Is(err, io.ErrUnexpectedEOF):
				off = int64(len(b)) // the file ends inside a value
			}
			return &LoadError{File: path, Line: 1 + bytes.Count(b[:min(int(off), len(b))], []byte("\n")), Msg: "JSON: " + err.Error()}
		}
	}
}

// surrogatesAsUTF8 writes a JSON document's UTF-16 surrogate escapes
// (\ud83d\ude00, as many JSON encoders write characters beyond the BMP) as
// the characters themselves, which the YAML parser then reads as JSON
// does: it refuses the escapes. A lone surrogate becomes U+FFFD, as
// encoding/json decodes it. Nothing else changes, lines included.
func surrogatesAsUTF8(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(b):
			if r, n := surrogateEscape(b[i:]); n > 0 {
				out = utf8.AppendRune(out, r)
				i += n - 1
				continue
			}
			out = append(out, c, b[i+1])
			i++
			continue
		}
		out = append(out, c)
	}
	return out
}

// surrogateEscape reads a \uXXXX escape of a surrogate at the start of b
// (with its low half, if one follows) and returns the character and the
// bytes read; n is 0 for any other escape.
func surrogateEscape(b []byte) (r rune, n int) {
	hi, ok := hex4(b)
	if !ok || !utf16.IsSurrogate(hi) {
		return 0, 0
	}
	if lo, ok := hex4(b[6:]); ok && hi < 0xdc00 && lo >= 0xdc00 && lo <= 0xdfff {
		return utf16.DecodeRune(hi, lo), 12
	}
	return utf8.RuneError, 6
}

// hex4 reads \uXXXX at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(v), err == nil
}

// isEmptyDoc: a YAML document with nothing in it (a trailing ---, or one
// followed by comments only). An explicit null is not empty: it is refused.
func isEmptyDoc(n *yaml.Node) bool {
	return n.Kind == yaml.DocumentNode && len(n.Content) == 0 ||
		n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == "" && n.Style&yaml.TaggedStyle == 0
}

// yamlParserProblems are the messages of the YAML parser's errors (the
// scanner's are others), whose line go.yaml.in/yaml/v3 reports 0-based.
var yamlParserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"found undefined tag handle", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found incompatible YAML document", "found duplicate %TAG directive",
}

var yamlLine = lazyregexp.New(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError is a syntax error as file:line: message, named for the file's
// format (a .json file is read by the YAML parser, JSON being YAML).
func yamlError(path string, data []byte, err error) error {
	format := "YAML: "
	if strings.EqualFold(filepath.Ext(path), ".json") {
		format = "JSON: "
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(yamlParserProblems, m[2]) {
			// The parser (not the scanner) reports a 0-based line: that of
			// the mapping or list it was in, or of the problem.
			line++
		}
		return &LoadError{File: path, Line: line, Msg: format + m[2] + flowPathHint(format, m[2], data, line)}
	}
	return &LoadError{File: path, Msg: format + msg}
}

// unquotedFlowPath is a JSONPath with brackets, unquoted after a key or
// comma: inside { } or [ ] YAML reads its [ and ] as the flow's own.
var unquotedFlowPath = lazyregexp.New(`[{,:]\s*\$[^\s"',{}]*[\[\]]`)

// flowPathHint says why, when a flow mapping or list breaks on a line with
// an unquoted JSONPath such as {path: $.list[0]}, the README's own style
// with a path that has an index or a filter.
func flowPathHint(format, problem string, data []byte, line int) string {
	if format != "YAML: " || !strings.HasPrefix(problem, "did not find expected ',' or ") {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) || !unquotedFlowPath().MatchString(lines[line-1]) {
		return ""
	}
	return ` (inside { } or [ ], quote a JSONPath that has [ ]: {path: "$.list[0].id"})`
}

// scenarioKeys are a scenario's keys.
var scenarioKeys = []string{"name", "description", "runs", "sandbox", "server", "steps", "verify"}

// checkKeys are the keys only transcript checks have.
var checkKeys = []string{"transcript", "state", "tools_used", "tools_not_used", "call_order", "max_tool_calls", "min_tool_calls", "no_errors", "calls"}

func (s *Suite) loadDoc(p *parser, root *yaml.Node, defaultName string) error {
	if root.Kind != yaml.MappingNode {
		return p.errf(root, "a scenario or checks file holds a mapping (name: ..., steps: ...), got %s", kindName(root))
	}
	isChecks := slices.ContainsFunc(checkKeys, func(k string) bool { return hasKey(root, k) })
	switch {
	// A scenario may have only verify: assertions on a state file.
	case hasKey(root, "steps") || !isChecks && hasKey(root, "verify"):
		sc, err := p.scenario(root, defaultName)
		if err != nil {
			return err
		}
		s.Scenarios = append(s.Scenarios, sc)
	case isChecks:
		c, err := p.checks(root, defaultName)
		if err != nil {
			return err
		}
		s.Checks = append(s.Checks, c)
	default:
		// A misspelt steps: (stepz:) is why, more often than not: name it.
		valid := append(slices.Clone(scenarioKeys), checkKeys...)
		err := p.errf(root, "neither a scenario (it has no steps) nor transcript checks (it has none of %s)", strings.Join(checkKeys, ", "))
		for i := 0; i < len(root.Content); i += 2 {
			if k := root.Content[i]; !slices.Contains(valid, k.Value) {
				err = p.errf(k, "unknown key %q: neither a scenario (it has no steps) nor transcript checks (valid keys: %s)", k.Value, strings.Join(valid, ", "))
				break
			}
		}
		err.(*LoadError).neither = true
		return err
	}
	return nil
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (s *Suite) checkNames() error {
	seen := map[string]string{}
	add := func(name, file string, line int) error {
		where := fmt.Sprintf("%s:%d", file, line)
		if prev, ok := seen[name]; ok {
			return &LoadError{File: file, Line: line, Msg: fmt.Sprintf("the name %q is also used at %s: names identify results (--json, --baseline), so they must differ", name, prev)}
		}
		seen[name] = where
		return nil
	}
	for _, sc := range s.Scenarios {
		if err := add(sc.Name, sc.File, sc.Line); err != nil {
			return err
		}
	}
	for _, c := range s.Checks {
		if err := add(c.Name, c.File, c.Line); err != nil {
			return err
		}
	}
	return nil
}

// parser turns YAML nodes into scenarios strictly: an unknown key, a wrong
// type or a missing field is an error with the file and line.
type parser struct{ file string }

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	return &LoadError{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// mapping returns a mapping's values by key, refusing keys not in valid.
func (p *parser) mapping(n *yaml.Node, what string, valid ...string) (map[string]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "%s must be a mapping (key: value), got %s", what, kindName(n))
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(valid, k.Value) {
			return nil, p.errf(k, "unknown key %q in %s (valid keys: %s)", k.Value, what, strings.Join(valid, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.errf(k, "key %q appears twice in %s", k.Value, what)
		}
		out[k.Value] = v
	}
	return out, nil
}

// keyLines is the line of each key of a mapping.
func keyLines(n *yaml.Node) map[string]int {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	out := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i].Line
	}
	return out
}

func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", p.errf(n, "%s must be a string, got %s", what, kindName(n))
	}
	return n.Value, nil
}

func (p *parser) nonEmpty(n *yaml.Node, what string) (string, error) {
	s, err := p.str(n, what)
	if err == nil && strings.TrimSpace(s) == "" {
		err = p.errf(n, "%s must not be empty", what)
	}
	return s, err
}

func (p *parser) integer(n *yaml.Node, what string, min, max int64) (int64, error) {
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		return 0, p.errf(n, "%s must be a whole number, got %s", what, describe(n))
	}
	if v < min || v > max {
		return 0, p.errf(n, "%s must be between %d and %d, got %d", what, min, max, v)
	}
	return v, nil
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, error) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		return false, p.errf(n, "%s must be true or false, got %s", what, describe(n))
	}
	return v, nil
}

func (p *parser) duration(n *yaml.Node, what string) (time.Duration, error) {
	s, err := p.str(n, what)
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, p.errf(n, "%s must be a duration such as 50ms or 2s, got %q", what, s)
	}
	return d, nil
}

// strings is a list of strings; a single string is a list of one.
func (p *parser) strings(n *yaml.Node, what string) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		s, err := p.nonEmpty(n, what)
		return []string{s}, err
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, "%s must be a list of strings, got %s", what, kindName(n))
	}
	out := make([]string, 0, len(n.Content))
	for _, e := range n.Content {
		s, err := p.nonEmpty(e, what+" item")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// value is a node as a JSON-like value: strings, json.Number for
// integers (every digit kept), float64, bool, nil, []any, map[string]any.
// A timestamp-looking scalar stays the text it was written as.
func (p *parser) value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return p.value(n.Content[0])
	case yaml.AliasNode:
		return p.value(n.Alias)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, p.errf(n, "%v", err)
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
			fallthrough
		case "!!float":
			// Written as JSON writes numbers, a number keeps every digit
			// (beyond int64, or beyond float64's precision).
			if d := strings.TrimPrefix(n.Value, "+"); jsonNumber(d) {
				return json.Number(d), nil
			}
			var f float64
			if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, p.errf(n, "%s is not a JSON number", n.Value)
			}
			return f, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := p.value(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, p.errf(k, "object keys must be strings")
			}
			if _, dup := out[k.Value]; dup {
				return nil, p.errf(k, "key %q appears twice (the server refuses that in a tool call too)", k.Value)
			}
			v, err := p.value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	}
	return nil, p.errf(n, "unsupported YAML node")
}

func (p *parser) scenario(root *yaml.Node, defaultName string) (*Scenario, error) {
	m, err := p.mapping(root, "a scenario", scenarioKeys...)
	if err != nil {
		return nil, err
	}
	sc := &Scenario{Name: defaultName, Runs: 1, File: p.file, Line: root.Line}
	if n := m["name"]; n != nil {
		if sc.Name, err = p.nonEmpty(n, "name"); err != nil {
			return nil, err
		}
	}
	if n := m["description"]; n != nil {
		if sc.Description, err = p.str(n, "description"); err != nil {
			return nil, err
		}
	}
	if n := m["runs"]; n != nil {
		runs, err := p.integer(n, "runs", 1, 1000)
		if err != nil {
			return nil, err
		}
		sc.Runs = int(runs)
	}
	if n := m["sandbox"]; n != nil {
		if sc.Sandbox, err = p.sandbox(n); err != nil {
			return nil, err
		}
	}
	if n := m["server"]; n != nil {
		if sc.Server, err = p.server(n); err != nil {
			return nil, err
		}
	}
	if n := m["steps"]; n != nil {
		if n.Kind != yaml.SequenceNode {
			return nil, p.errf(n, "steps must be a list, got %s", kindName(n))
		}
		for _, sn := range n.Content {
			st, err := p.step(sn)
			if err != nil {
				return nil, err
			}
			sc.Steps = append(sc.Steps, st)
		}
	}
	if n := m["verify"]; n != nil {
		if sc.Verify, err = p.assertions(n, "verify"); err != nil {
			return nil, err
		}
	}
	if len(sc.Steps) == 0 && len(sc.Verify) == 0 {
		return nil, p.errf(root, "scenario %q has no steps and nothing to verify", sc.Name)
	}
	if err := p.checkVars(sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// checkVars refuses a variable that no earlier step saves (a typo, or a
// save that comes later): found now, it fails before anything runs, not
// after the steps before it. A step's own saves come after its checks.
func (p *parser) checkVars(sc *Scenario) error {
	saved := []string{"run", "seed"}
	check := func(names []string, line int, where string) error {
		for _, name := range names {
			if !slices.Contains(saved, name) {
				return &LoadError{File: p.file, Line: line, Msg: fmt.Sprintf("%s: unknown variable ${%s} (saved before it: %s)", where, name, strings.Join(saved, ", "))}
			}
		}
		return nil
	}
	for i := range sc.Steps {
		st := &sc.Steps[i]
		where := st.label(i)
		if err := check(refs([]any{st.Args, st.Expect.ErrorPattern}), st.Line, where); err != nil {
			return err
		}
		for _, s := range st.Save {
			if err := check(refs(s.Path), s.Line, where+" save."+s.Name); err != nil {
				return err
			}
		}
		for _, a := range st.Expect.Result {
			if err := check(a.refs(), a.Line, where); err != nil {
				return err
			}
		}
		for _, s := range st.Save {
			saved = append(saved, s.Name)
		}
	}
	for _, a := range sc.Verify {
		if err := check(a.refs(), a.Line, "verify"); err != nil {
			return err
		}
	}
	return nil
}

// noVars refuses variables in transcript checks: they have none to refer to.
func (p *parser) noVars(asserts []*Assertion, where string) error {
	for _, a := range asserts {
		if names := a.refs(); len(names) > 0 {
			return &LoadError{File: p.file, Line: a.Line, Msg: fmt.Sprintf("%s: unknown variable ${%s}: transcript checks have no variables (write $${ for a literal ${)", where, names[0])}
		}
	}
	return nil
}

func (p *parser) sandbox(n *yaml.Node) (SandboxSpec, error) {
	var s SandboxSpec
	m, err := p.mapping(n, "sandbox", "seed", "state", "reply_delay", "rate_limits", "agent")
	if err != nil {
		return s, err
	}
	if v := m["seed"]; v != nil {
		if s.Seed, err = p.integer(v, "sandbox.seed", math.MinInt64, math.MaxInt64); err != nil {
			return s, err
		}
	}
	if v := m["state"]; v != nil {
		state, err := p.nonEmpty(v, "sandbox.state")
		if err != nil {
			return s, err
		}
		s.State = p.relative(state)
		// Read now, so that a broken file is a load error (exit 2) at
		// its line, not a failure of every run.
		st, err := adasim.ReadStateFile(s.State)
		if err != nil {
			return s, p.errf(v, "sandbox.state: %v", err)
		}
		sim, err := adasim.Open(adasim.Options{APIKey: "eval-load-check", Deterministic: true, State: &st})
		if err != nil {
			return s, p.errf(v, "sandbox.state: %v", err)
		}
		sim.Close()
	}
	if v := m["reply_delay"]; v != nil {
		if s.ReplyDelay, err = p.duration(v, "sandbox.reply_delay"); err != nil {
			return s, err
		}
	}
	if v := m["rate_limits"]; v != nil {
		if s.RateLimits, err = p.boolean(v, "sandbox.rate_limits"); err != nil {
			return s, err
		}
	}
	if v := m["agent"]; v != nil {
		if s.Agent, err = p.agent(v); err != nil {
			return s, err
		}
		if v.Kind == yaml.ScalarNode {
			s.AgentFile = p.relative(v.Value)
		}
	}
	return s, nil
}

// agent is a scripted AI Agent: a JSON file (relative to the scenario) or
// the script inline, {rules: [{match, replies, handoff}]}.
func (p *parser) agent(n *yaml.Node) (*adasim.AgentScript, error) {
	if n.Kind == yaml.ScalarNode {
		path, err := p.nonEmpty(n, "sandbox.agent")
		if err != nil {
			return nil, err
		}
		script, err := adasim.ReadAgentScript(p.relative(path))
		if err != nil {
			return nil, p.errf(n, "sandbox.agent: %v", err)
		}
		return script, nil
	}
	v, err := p.value(n)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, p.errf(n, "sandbox.agent: %v", err)
	}
	script, err := adasim.ParseAgentScript(b)
	if err != nil {
		return nil, p.errf(n, "sandbox.agent: %v", err)
	}
	return script, nil
}

// relative resolves a path written in a file against the file's directory.
func (p *parser) relative(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(p.file), path)
}

func (p *parser) server(n *yaml.Node) (ServerSpec, error) {
	var s ServerSpec
	m, err := p.mapping(n, "server", "toolsets", "read_only", "call_timeout", "allow_customer_messages", "allow_destructive")
	if err != nil {
		return s, err
	}
	if v := m["toolsets"]; v != nil {
		if s.Toolsets, err = p.strings(v, "server.toolsets"); err != nil {
			return s, err
		}
		if err := tools.ValidateToolsets(s.Toolsets); err != nil {
			return s, p.errf(v, "server.toolsets: %v", err)
		}
	}
	if v := m["read_only"]; v != nil {
		if s.ReadOnly, err = p.boolean(v, "server.read_only"); err != nil {
			return s, err
		}
	}
	for _, f := range []struct {
		key string
		dst *bool
	}{{"allow_customer_messages", &s.AllowCustomerMessages}, {"allow_destructive", &s.AllowDestructive}} {
		if v := m[f.key]; v != nil {
			if *f.dst, err = p.boolean(v, "server."+f.key); err != nil {
				return s, err
			}
		}
	}
	if v := m["call_timeout"]; v != nil {
		if s.CallTimeout, err = p.duration(v, "server.call_timeout"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (p *parser) step(n *yaml.Node) (Step, error) {
	st := Step{Line: n.Line}
	m, err := p.mapping(n, "a step", "tool", "list_tools", "args", "save", "expect")
	if err != nil {
		return st, err
	}
	if v := m["tool"]; v != nil {
		if st.Tool, err = p.nonEmpty(v, "tool"); err != nil {
			return st, err
		}
		// A misspelt tool would pass a step that expects an error (the
		// server refuses it too); one of another toolset is checked at
		// run time, against the tools the scenario's server serves.
		if err := knownTool(st.Tool); err != nil {
			return st, p.errf(v, "%v", err)
		}
	}
	if v := m["list_tools"]; v != nil {
		if st.ListTools, err = p.boolean(v, "list_tools"); err != nil {
			return st, err
		}
	}
	switch {
	case st.Tool == "" && !st.ListTools:
		return st, p.errf(n, "a step needs tool: NAME (or list_tools: true)")
	case st.Tool != "" && st.ListTools:
		return st, p.errf(n, "a step has tool or list_tools, not both")
	}
	if v := m["args"]; v != nil {
		if st.ListTools {
			return st, p.errf(v, "list_tools takes no args")
		}
		if v.Kind != yaml.MappingNode {
			return st, p.errf(v, "args must be a mapping (key: value), got %s", kindName(v))
		}
		args, err := p.value(v)
		if err != nil {
			return st, err
		}
		st.Args = args.(map[string]any)
	}
	if v := m["save"]; v != nil {
		sm, err := p.anyMapping(v, "save")
		if err != nil {
			return st, err
		}
		for i := 0; i < len(sm.Content); i += 2 {
			k, pv := sm.Content[i], sm.Content[i+1]
			if !varName().MatchString(k.Value) {
				return st, p.errf(k, "save: %q is not a variable name (letters, digits and _)", k.Value)
			}
			path, err := p.nonEmpty(pv, "save."+k.Value)
			if err != nil {
				return st, err
			}
			a := &Assertion{Path: path, Line: pv.Line}
			if err := a.compile(); err != nil {
				return st, p.errf(pv, "save.%s: %v", k.Value, err)
			}
			st.Save = append(st.Save, Save{Name: k.Value, Path: path, Line: pv.Line})
		}
	}
	if v := m["expect"]; v != nil {
		if st.Expect, err = p.expect(v); err != nil {
			return st, err
		}
		if st.ListTools && st.Expect.IsError {
			// It would fail whatever the server serves.
			return st, p.errf(v, "tools/list does not fail: a list_tools step cannot expect an error (assert on $.tools instead)")
		}
	}
	if st.Expect.IsError && len(st.Save) > 0 {
		return st, p.errf(n, "a step that expects an error has no result to save from")
	}
	return st, nil
}

// anyMapping checks that n is a mapping without restricting its keys.
func (p *parser) anyMapping(n *yaml.Node, what string) (*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "%s must be a mapping, got %s", what, kindName(n))
	}
	return n, nil
}

func (p *parser) expect(n *yaml.Node) (Expect, error) {
	var e Expect
	m, err := p.mapping(n, "expect", "is_error", "error_matches", "result")
	if err != nil {
		return e, err
	}
	if v := m["is_error"]; v != nil {
		if e.IsError, err = p.boolean(v, "expect.is_error"); err != nil {
			return e, err
		}
	}
	if v := m["error_matches"]; v != nil {
		s, err := p.nonEmpty(v, "expect.error_matches")
		if err != nil {
			return e, err
		}
		if hasVars(s) {
			if err := checkPatternTemplate(s); err != nil {
				return e, p.errf(v, "expect.error_matches: %v", err)
			}
			e.ErrorPattern = s // compiled once the variables are known
		} else if e.ErrorMatches, err = regexp.Compile(s); err != nil {
			return e, p.errf(v, "expect.error_matches: %v", err)
		}
		if !e.IsError {
			return e, p.errf(v, "error_matches needs is_error: true")
		}
	}
	if v := m["result"]; v != nil {
		if e.IsError {
			return e, p.errf(v, "a step that expects an error has no result to assert on (use error_matches)")
		}
		if e.Result, err = p.assertions(v, "expect.result"); err != nil {
			return e, err
		}
	}
	return e, nil
}

func (p *parser) assertions(n *yaml.Node, what string) ([]*Assertion, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, "%s must be a list of assertions ({path: ..., equals: ...}), got %s", what, kindName(n))
	}
	out := make([]*Assertion, 0, len(n.Content))
	for _, an := range n.Content {
		a, err := p.assertion(an, what)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (p *parser) assertion(n *yaml.Node, what string) (*Assertion, error) {
	m, err := p.mapping(n, "an assertion of "+what, "path", "equals", "exists", "matches", "contains", "length", "min", "max", "min_length", "max_length")
	if err != nil {
		return nil, err
	}
	a := &Assertion{Line: n.Line}
	pn := m["path"]
	if pn == nil {
		return nil, p.errf(n, "an assertion needs a path (a JSONPath such as $.end_user.end_user_id)")
	}
	if a.Path, err = p.nonEmpty(pn, "path"); err != nil {
		return nil, err
	}
	ops := 0
	if v := m["equals"]; v != nil {
		if a.Equals, err = p.value(v); err != nil {
			return nil, err
		}
		a.hasEquals = true
		ops++
	}
	if v := m["exists"]; v != nil {
		b, err := p.boolean(v, "exists")
		if err != nil {
			return nil, err
		}
		a.Exists = &b
		ops++
	}
	if v := m["matches"]; v != nil {
		if a.Matches, err = p.nonEmpty(v, "matches"); err != nil {
			return nil, err
		}
		ops++
	}
	if v := m["contains"]; v != nil {
		if a.Contains, err = p.value(v); err != nil {
			return nil, err
		}
		a.hasContains = true
		ops++
	}
	if v := m["length"]; v != nil {
		l, err := p.integer(v, "length", 0, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		n := int(l)
		a.Length = &n
		ops++
	}
	for _, b := range []struct {
		key string
		dst *any
	}{{"min", &a.Min}, {"max", &a.Max}} {
		if v := m[b.key]; v != nil {
			if *b.dst, err = p.bound(v, b.key); err != nil {
				return nil, err
			}
			ops++
		}
	}
	for _, b := range []struct {
		key string
		dst **int
	}{{"min_length", &a.MinLength}, {"max_length", &a.MaxLength}} {
		if v := m[b.key]; v != nil {
			l, err := p.integer(v, b.key, 0, math.MaxInt32)
			if err != nil {
				return nil, err
			}
			n := int(l)
			*b.dst = &n
			ops++
		}
	}
	if err := p.boundsOrder(n, a); err != nil {
		return nil, err
	}
	switch {
	case ops == 0:
		return nil, p.errf(n, "assertion on %s says nothing: give equals, exists, matches, contains, length, min, max, min_length or max_length", a.Path)
	case a.Exists != nil && !*a.Exists && ops > 1:
		return nil, p.errf(n, "exists: false takes no other operator")
	}
	if err := a.compile(); err != nil {
		return nil, p.errf(pn, "%v", err)
	}
	return a, nil
}

// bound is min: or max:, a number (kept exact) or a "${name}" reference
// to a saved number.
func (p *parser) bound(n *yaml.Node, key string) (any, error) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		return p.value(n)
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && len(refs(n.Value)) > 0 {
		return n.Value, nil
	}
	return nil, p.errf(n, "%s must be a number (or a \"${name}\" holding one), got %s", key, describe(n))
}

// boundsOrder refuses a minimum above its maximum: nothing could pass.
func (p *parser) boundsOrder(n *yaml.Node, a *Assertion) error {
	lo, okLo := ratOf(a.Min)
	hi, okHi := ratOf(a.Max)
	if okLo && okHi && lo.Cmp(hi) > 0 {
		return p.errf(n, "min %s is above max %s: nothing passes", lo.RatString(), hi.RatString())
	}
	if a.MinLength != nil && a.MaxLength != nil && *a.MinLength > *a.MaxLength {
		return p.errf(n, "min_length %d is above max_length %d: nothing passes", *a.MinLength, *a.MaxLength)
	}
	return nil
}

func (p *parser) checks(root *yaml.Node, defaultName string) (*Checks, error) {
	m, err := p.mapping(root, "transcript checks", append([]string{"name", "description", "verify"}, checkKeys...)...)
	if err != nil {
		return nil, err
	}
	c := &Checks{Name: defaultName, File: p.file, Line: root.Line, KeyLines: keyLines(root)}
	if n := m["name"]; n != nil {
		if c.Name, err = p.nonEmpty(n, "name"); err != nil {
			return nil, err
		}
	}
	if n := m["description"]; n != nil {
		if c.Description, err = p.str(n, "description"); err != nil {
			return nil, err
		}
	}
	for key, dst := range map[string]*string{"transcript": &c.Transcript, "state": &c.State} {
		if n := m[key]; n != nil {
			s, err := p.nonEmpty(n, key)
			if err != nil {
				return nil, err
			}
			*dst = p.relative(s)
		}
	}
	for key, dst := range map[string]*[]string{"tools_used": &c.ToolsUsed, "tools_not_used": &c.ToolsNotUsed, "call_order": &c.CallOrder} {
		if n := m[key]; n != nil {
			if *dst, err = p.strings(n, key); err != nil {
				return nil, err
			}
		}
	}
	for key, dst := range map[string]**int{"max_tool_calls": &c.MaxToolCalls, "min_tool_calls": &c.MinToolCalls} {
		if n := m[key]; n != nil {
			v, err := p.integer(n, key, 0, math.MaxInt32)
			if err != nil {
				return nil, err
			}
			i := int(v)
			*dst = &i
		}
	}
	if n := m["no_errors"]; n != nil {
		if c.NoErrors, err = p.boolean(n, "no_errors"); err != nil {
			return nil, err
		}
	}
	if n := m["calls"]; n != nil {
		if n.Kind != yaml.SequenceNode {
			return nil, p.errf(n, "calls must be a list, got %s", kindName(n))
		}
		for _, cn := range n.Content {
			cc, err := p.callCheck(cn)
			if err != nil {
				return nil, err
			}
			c.Calls = append(c.Calls, cc)
		}
	}
	if n := m["verify"]; n != nil {
		if c.Verify, err = p.assertions(n, "verify"); err != nil {
			return nil, err
		}
	}
	if len(c.ToolsUsed)+len(c.ToolsNotUsed)+len(c.CallOrder)+len(c.Calls)+len(c.Verify) == 0 &&
		c.MaxToolCalls == nil && c.MinToolCalls == nil && !c.NoErrors {
		// It would pass whatever the transcript holds.
		return nil, p.errf(root, "checks %q check nothing: give tools_used, tools_not_used, call_order, max_tool_calls, min_tool_calls, no_errors: true, calls or verify", c.Name)
	}
	// A misspelt tool name would pass tools_not_used whatever was called,
	// and fail the others whatever was.
	for _, key := range []string{"tools_used", "tools_not_used", "call_order"} {
		names := map[string][]string{"tools_used": c.ToolsUsed, "tools_not_used": c.ToolsNotUsed, "call_order": c.CallOrder}[key]
		for _, name := range names {
			if err := knownTool(name); err != nil {
				return nil, p.errf(m[key], "%s: %v", key, err)
			}
		}
	}
	for _, cc := range c.Calls {
		if err := knownTool(cc.Tool); err != nil {
			return nil, &LoadError{File: p.file, Line: cc.Line, Msg: "calls: " + err.Error()}
		}
		if err := p.noVars(append(slices.Clone(cc.Args), cc.Result...), "calls "+cc.Tool); err != nil {
			return nil, err
		}
	}
	if err := p.noVars(c.Verify, "verify"); err != nil {
		return nil, err
	}
	return c, nil
}

// toolNames are the names of every tool of every toolset.
var toolNames = sync.OnceValue(func() []string {
	all, err := tools.Select(tools.Toolsets(&tools.Deps{}), []string{"all"}, false)
	if err != nil {
		panic(err) // "all" is always a valid selection
	}
	names := make([]string, len(all))
	for i, t := range all {
		names[i] = t.Name()
	}
	slices.Sort(names)
	return names
})

func knownTool(name string) error {
	if _, ok := slices.BinarySearch(toolNames(), name); ok {
		return nil
	}
	hint := ""
	if near := nearestTool(name); near != "" {
		hint = fmt.Sprintf("did you mean %s? ", near)
	}
	return fmt.Errorf("no tool %q in any toolset (%sada-mcp tools list --toolsets all lists them)", name, hint)
}

// nearestTool is the tool name closest to a misspelt one, if it is close.
func nearestTool(name string) string {
	return suggest.Nearest(name, toolNames(), max(2, len(name)/4)+1)
}

var varName = lazyregexp.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

var selects = []string{"all", "any", "first", "last"}

func (p *parser) callCheck(n *yaml.Node) (CallCheck, error) {
	cc := CallCheck{Select: "all", Line: n.Line}
	m, err := p.mapping(n, "a calls entry", "tool", "select", "is_error", "args", "result")
	if err != nil {
		return cc, err
	}
	tn := m["tool"]
	if tn == nil {
		return cc, p.errf(n, "a calls entry needs tool: NAME")
	}
	if cc.Tool, err = p.nonEmpty(tn, "tool"); err != nil {
		return cc, err
	}
	if v := m["select"]; v != nil {
		if cc.Select, err = p.str(v, "select"); err != nil {
			return cc, err
		}
		if !slices.Contains(selects, cc.Select) {
			return cc, p.errf(v, "select must be one of %s, got %q", strings.Join(selects, ", "), cc.Select)
		}
	}
	if v := m["is_error"]; v != nil {
		b, err := p.boolean(v, "is_error")
		if err != nil {
			return cc, err
		}
		cc.IsError = &b
	}
	if v := m["args"]; v != nil {
		if cc.Args, err = p.assertions(v, "args"); err != nil {
			return cc, err
		}
	}
	if v := m["result"]; v != nil {
		if cc.Result, err = p.assertions(v, "result"); err != nil {
			return cc, err
		}
	}
	return cc, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return describe(n)
	}
	return "something else"
}

func describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	if n.ShortTag() == "!!null" {
		return "null"
	}
	return strconv.Quote(n.Value)
}

// jsonNumber reports whether s is a number in JSON's syntax.
func jsonNumber(s string) bool {
	return s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s))
}
