package eval

import (
	"fmt"
	"regexp"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// Scenario is a scripted evaluation: tool calls with expectations, run k
// times against a fresh sandbox, then assertions on the sandbox's state.
type Scenario struct {
	Name        string
	Description string
	// Runs is k of pass^k: the scenario passes only if every run passes.
	Runs    int
	Sandbox SandboxSpec
	Server  ServerSpec
	Steps   []Step
	// Verify asserts on the sandbox's state dump after the last step.
	Verify []*Assertion

	File string // where it was read, for messages
	Line int
}

// SandboxSpec is the simulator a run starts with.
type SandboxSpec struct {
	// Seed: 0 means run i (1-based) gets seed BaseSeed+i-1; any other
	// value is the seed of every run.
	Seed int64
	// State is a state file (the JSON of GET /_sandbox/state), resolved
	// against the scenario file's directory.
	State      string
	ReplyDelay time.Duration
	RateLimits bool
	// Agent scripts the AI Agent's answers (pattern → replies, handoff);
	// AgentFile is the file it was read from, if any.
	Agent     *adasim.AgentScript
	AgentFile string
}

// ServerSpec is how the MCP server of a run is configured.
type ServerSpec struct {
	Toolsets    []string
	ReadOnly    bool
	CallTimeout time.Duration
	// The operator's gates, as --allow-customer-messages and
	// --allow-destructive set them (the eval client cannot confirm).
	AllowCustomerMessages, AllowDestructive bool
}

// Step is one tool call (or a tools/list) and what must come of it.
type Step struct {
	Tool string
	// ListTools makes the step a tools/list; its result is
	// {"tools": [names in order]}.
	ListTools bool
	// Args are the call's arguments; ${name} is replaced by a saved value.
	Args map[string]any
	// Save maps a variable name to a JSONPath into the structured result.
	Save   []Save
	Expect Expect
	Line   int
}

// Save stores the single value a JSONPath selects under a name.
type Save struct {
	Name string
	Path string
	Line int
}

// Expect is a step's expectation. Without is_error: true the call must
// succeed.
type Expect struct {
	IsError bool
	// ErrorMatches is error_matches compiled; with ${name} references it
	// is compiled at run time from ErrorPattern, as matches: is.
	ErrorMatches *regexp.Regexp
	ErrorPattern string
	Result       []*Assertion
}

// errorPattern is error_matches with the run's variables in it; nil when
// the step has none.
func (e *Expect) errorPattern(v vars) (*regexp.Regexp, error) {
	if e.ErrorMatches != nil || e.ErrorPattern == "" {
		return e.ErrorMatches, nil
	}
	s, err := v.expandPattern(e.ErrorPattern)
	if err != nil {
		return nil, fmt.Errorf("error_matches: %w", err)
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("error_matches: %w", err)
	}
	return re, nil
}

// label is how messages name the step: "step 2 lookup_end_user".
func (s *Step) label(i int) string {
	if s.ListTools {
		return "step " + itoa(i+1) + " tools/list"
	}
	return "step " + itoa(i+1) + " " + s.Tool
}

// seedFor is the seed of run (1-based).
func (sc *Scenario) seedFor(run int, base int64) int64 {
	if sc.Sandbox.Seed != 0 {
		return sc.Sandbox.Seed
	}
	return base + int64(run) - 1
}

// Checks grade a recorded transcript (and the state dump saved with it).
type Checks struct {
	Name        string
	Description string
	// Transcript and State are files resolved against the checks file's
	// directory; the command line's --transcript and --state win.
	Transcript string
	State      string

	ToolsUsed    []string
	ToolsNotUsed []string
	// CallOrder must appear as a subsequence of the calls' tools.
	CallOrder    []string
	MaxToolCalls *int
	MinToolCalls *int
	NoErrors     bool
	Calls        []CallCheck
	Verify       []*Assertion

	File string
	Line int
	// KeyLines is the line of each key given, so that a failed check is
	// named with its file:line, as a failed step is.
	KeyLines map[string]int
}

// CallCheck asserts on the calls of one tool.
type CallCheck struct {
	Tool string
	// Select is which calls must satisfy the assertions: all (default),
	// any, first or last. There must be at least one call.
	Select  string
	IsError *bool
	Args    []*Assertion
	Result  []*Assertion
	Line    int
}
