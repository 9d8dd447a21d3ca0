package eval

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// run.jsonl: lookup, upsert, start, a failed send_message (as a human
// agent), a good send_message, end.
const recorded = `{"time":"2026-01-01T00:00:00Z","session":"0708da13","tool":"lookup_end_user","arguments":{"external_id":"c-1"},"result":{"found":false},"is_error":false,"duration_ms":1}
{"time":"2026-01-01T00:00:01Z","session":"0708da13","tool":"upsert_end_user","arguments":{"external_id":"c-1","sensitive_metadata":{"pin":"[REDACTED]"}},"result":{"created":true,"end_user":{"end_user_id":"u1"}},"is_error":false,"duration_ms":1}
{"time":"2026-01-01T00:00:02Z","session":"0708da13","tool":"start_conversation","arguments":{"end_user_id":"u1"},"result":{"conversation_id":"cv1"},"is_error":false,"duration_ms":1}
{"time":"2026-01-01T00:00:03Z","session":"0708da13","tool":"send_message","arguments":{"conversation_id":"cv1","body":"We refund you now","role":"human_agent"},"is_error":true,"error":"Invalid argument display_name: is required when role is human_agent.","duration_ms":1}
{"time":"2026-01-01T00:00:04Z","session":"0708da13","tool":"send_message","arguments":{"conversation_id":"cv1","body":"Where is my order?"},"result":{"message":{"role":"end_user"},"replies":[{"role":"ai_agent","body":"On its way"}]},"is_error":false,"duration_ms":1}
{"time":"2026-01-01T00:00:05Z","session":"0708da13","tool":"end_conversation","arguments":{"conversation_id":"cv1"},"result":{"conversation_id":"cv1","status":"ended"},"is_error":false,"duration_ms":1}
`

const recordedState = `{"end_users": [{"end_user_id": "u1", "external_id": "c-1", "sensitive_metadata_keys": ["pin"]}],
 "conversations": [{"id": "cv1", "status": "ended", "metadata": {}}]}`

func grade(t *testing.T, checks string) *Result {
	t.Helper()
	dir := write(t, map[string]string{"run.jsonl": recorded, "run.state.json": recordedState, "c.yaml": "name: c\ntranscript: run.jsonl\n" + checks})
	suite, err := Load([]string{filepath.Join(dir, "c.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	return gradeChecks(suite.Checks[0], "", "")
}

func TestTranscriptChecksPass(t *testing.T) {
	res := grade(t, `tools_used: [lookup_end_user, send_message]
tools_not_used: [update_end_user]
call_order: [lookup_end_user, upsert_end_user, send_message, end_conversation]
max_tool_calls: 6
min_tool_calls: 6
calls:
  - tool: send_message
    select: last
    args: [{path: $.body, matches: "(?i)order"}, {path: $.role, exists: false}]
    result: [{path: "$.replies[0].body", equals: On its way}]
  - tool: send_message
    select: any
    args: [{path: $.body, matches: "(?i)refund"}]
  - tool: upsert_end_user
    args: [{path: $.sensitive_metadata.pin, equals: "[REDACTED]"}]
verify:
  - {path: "$.conversations[0].status", equals: ended}
`)
	if !res.Passed || res.Calls != 6 {
		t.Fatalf("%+v", res)
	}
	if line := res.line(); line != "PASS c (6 calls)" {
		t.Fatalf("line %q", line)
	}
}

func TestTranscriptChecksFail(t *testing.T) {
	for name, tc := range map[string]struct{ checks, want string }{
		"tools_used":     {"tools_used: [update_end_user]\n", "tools_used (c.yaml:3): update_end_user was never called"},
		"tools_not_used": {"tools_not_used: [send_message]\n", "tools_not_used (c.yaml:3): send_message was called 2 time(s), first as call 4"},
		"call_order": {"call_order: [lookup_end_user, end_conversation, send_message]\n",
			"call_order (c.yaml:3): want lookup_end_user → end_conversation → send_message; found lookup_end_user → end_conversation, then no send_message after call 6"},
		"call_order first missing": {"call_order: [list_channels]\n", "call_order (c.yaml:3): want list_channels, never called"},
		"max_tool_calls":           {"max_tool_calls: 3\n", "max_tool_calls (c.yaml:3): want at most 3, got 6"},
		"min_tool_calls":           {"min_tool_calls: 9\n", "min_tool_calls (c.yaml:3): want at least 9, got 6"},
		"no_errors":                {"no_errors: true\n", "no_errors (c.yaml:3): call 4 send_message failed: Invalid argument display_name"},
		"calls all":                {"calls:\n  - tool: send_message\n    args: [{path: $.body, matches: refund}]\n", `calls[0] send_message (c.yaml:4), call 5: args $.body: want match "refund", got "Where is my order?"`},
		"calls any":                {"calls:\n  - tool: send_message\n    select: any\n    args: [{path: $.body, matches: parcel}]\n", "calls[0] send_message (c.yaml:4): no call satisfies the assertions; the first: calls[0] send_message (c.yaml:4), call 4"},
		"calls never":              {"calls:\n  - tool: update_end_user\n    args: [{path: $.x, exists: true}]\n", "calls[0] update_end_user (c.yaml:4): never called"},
		"calls is_error":           {"calls:\n  - tool: send_message\n    select: first\n    is_error: false\n", "calls[0] send_message (c.yaml:4), call 4: want success, it failed"},
		"calls result of error":    {"calls:\n  - tool: send_message\n    select: first\n    result: [{path: $.message, exists: true}]\n", "it failed, so there is no result"},
		"verify":                   {"verify:\n  - {path: \"$.conversations[0].status\", equals: active}\n", `verify (c.yaml:4): $.conversations[0].status: want "active", got "ended"`},
	} {
		t.Run(name, func(t *testing.T) {
			res := grade(t, tc.checks)
			// Each failed check names its file:line, as a failed step does.
			failure := strings.ReplaceAll(res.Failure, filepath.Dir(res.File)+string(filepath.Separator), "")
			if res.Passed || !strings.Contains(failure, tc.want) {
				t.Fatalf("failure %q, want it to contain %q", failure, tc.want)
			}
			if !strings.HasPrefix(res.line(), "FAIL c -- ") {
				t.Fatalf("line %q", res.line())
			}
		})
	}
}

func TestEveryFailedCheckIsReported(t *testing.T) {
	res := grade(t, "tools_used: [update_end_user]\nmax_tool_calls: 1\n")
	if !strings.Contains(res.Failure, "tools_used") || !strings.Contains(res.Failure, "; max_tool_calls") {
		t.Fatalf("%q", res.Failure)
	}
}

func TestVerifyNeedsAState(t *testing.T) {
	dir := write(t, map[string]string{"other.jsonl": recorded, "c.yaml": "name: c\ntranscript: other.jsonl\nverify:\n  - {path: $.a, exists: true}\n"})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	res := gradeChecks(suite.Checks[0], "", "")
	if res.Passed || !strings.Contains(res.Failure, "--sandbox-state-out") {
		t.Fatalf("%q", res.Failure)
	}
}

func TestCommandLineTranscriptWins(t *testing.T) {
	dir := write(t, map[string]string{"good.jsonl": recorded, "c.yaml": "name: c\ntranscript: missing.jsonl\ntools_used: [lookup_end_user]\n"})
	var out strings.Builder
	rep, err := Run(t.Context(), Config{Paths: []string{filepath.Join(dir, "c.yaml")}, Transcript: filepath.Join(dir, "good.jsonl"), Out: &out})
	if err != nil || rep.Passed != 1 {
		t.Fatalf("%v %s", err, out.String())
	}
	// Without it, the missing file is the failure.
	rep, _ = Run(t.Context(), Config{Paths: []string{filepath.Join(dir, "c.yaml")}, Out: &out})
	// named with the checks file that names it.
	if f := rep.Results[0].Failure; rep.Failed != 1 || !strings.Contains(f, "missing.jsonl") || !strings.Contains(f, "c.yaml: transcript: ") {
		t.Fatalf("%+v", rep.Results[0])
	}
	// A checks file without a transcript, and no --transcript: a usage error.
	dir = write(t, map[string]string{"c.yaml": "name: c\ntools_used: [lookup_end_user]\n"})
	if _, err := Run(t.Context(), Config{Paths: []string{dir}}); err == nil || !strings.Contains(err.Error(), "no transcript") {
		t.Fatalf("err = %v", err)
	}
	// A --transcript that is not there: a usage error, before anything runs.
	dir = write(t, map[string]string{"c.yaml": "name: c\ntools_used: [lookup_end_user]\n"})
	var ue *UsageError
	if _, err := Run(t.Context(), Config{Paths: []string{dir}, Transcript: filepath.Join(dir, "nope.jsonl")}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Fatalf("missing --transcript: err = %v", err)
	}
	// No file at all (an empty directory): a usage error, not "0 passed".
	if _, err := Run(t.Context(), Config{Paths: []string{t.TempDir()}}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "no scenario or checks files") {
		t.Fatalf("empty directory: err = %v", err)
	}
	// --transcript with a scenario: a usage error.
	dir = write(t, map[string]string{"s.yaml": "name: s\nsteps:\n  - tool: list_channels\n"})
	if _, err := Run(t.Context(), Config{Paths: []string{dir}, Transcript: "x.jsonl"}); err == nil || !strings.Contains(err.Error(), "is a scenario") {
		t.Fatalf("err = %v", err)
	}
}

// The state a checks file names was saved with its transcript: grading
// another transcript (--transcript) verifies against the state saved
// beside that one, or --state, never the old run's. It once passed a new
// run against the old run's state.
func TestCommandLineTranscriptTakesItsOwnState(t *testing.T) {
	active := strings.Replace(recordedState, `"ended"`, `"active"`, 1)
	dir := write(t, map[string]string{
		"run.jsonl": recorded, "run.state.json": recordedState,
		"new.jsonl": recorded, "new.state.json": active,
		"c.yaml": "name: c\ntranscript: run.jsonl\nstate: run.state.json\nverify:\n  - {path: \"$.conversations[0].status\", equals: ended}\n",
	})
	suite, err := Load([]string{filepath.Join(dir, "c.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	c := suite.Checks[0]
	if res := gradeChecks(c, "", ""); !res.Passed {
		t.Fatalf("the checks' own run: %s", res.Failure)
	}
	if res := gradeChecks(c, filepath.Join(dir, "new.jsonl"), ""); res.Passed || !strings.Contains(res.Failure, "active") {
		t.Fatalf("the new run was verified against the old state: passed %v, %q", res.Passed, res.Failure)
	}
	if res := gradeChecks(c, filepath.Join(dir, "new.jsonl"), filepath.Join(dir, "run.state.json")); !res.Passed {
		t.Fatalf("--state given: %s", res.Failure)
	}
}

// A checks file that would pass whatever was called, or names a tool no
// toolset has, is refused at load; a --transcript that is not a transcript
// is a usage error.
func TestChecksThatCannotFailAreRefused(t *testing.T) {
	for body, want := range map[string]string{
		"name: c\ntranscript: run.jsonl\n":                                                      "check nothing",
		"name: c\ntranscript: run.jsonl\nno_errors: false\n":                                    "check nothing",
		"name: c\ntranscript: run.jsonl\ntools_not_used: [delete_end_user]\n":                   `no tool "delete_end_user"`,
		"name: c\ntranscript: run.jsonl\ncalls:\n  - {tool: lookup_enduser, is_error: false}\n": `c.yaml:4: calls: no tool "lookup_enduser"`,
	} {
		dir := write(t, map[string]string{"c.yaml": body, "run.jsonl": ""})
		if _, err := Load([]string{filepath.Join(dir, "c.yaml")}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
	dir := write(t, map[string]string{"c.yaml": "name: c\ntools_used: [lookup_end_user]\n", "bad.jsonl": "not json\n"})
	for _, tr := range []string{filepath.Join(dir, "bad.jsonl"), dir} {
		var usage *UsageError
		if _, err := Run(t.Context(), Config{Paths: []string{filepath.Join(dir, "c.yaml")}, Transcript: tr}); !errors.As(err, &usage) {
			t.Errorf("--transcript %s: %v, want a usage error", tr, err)
		}
	}
}
