package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// runSuite runs the files of dir and returns what was printed.
func runSuite(t *testing.T, cfg Config) (*Report, string) {
	t.Helper()
	var out bytes.Buffer
	cfg.Out = &out
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	return rep, out.String()
}

func TestAWrongAssertionFailsNamingStepAndPath(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": `name: wrong email
steps:
  - tool: upsert_end_user
    args: {external_id: cust-42, profile: {email: b@x.example}}
    save: {uid: $.end_user.end_user_id}
  - tool: lookup_end_user
    args: {end_user_id: "${uid}"}
    expect:
      result:
        - {path: $.end_user.profile.email, matches: "^a@"}
`})
	rep, out := runSuite(t, Config{Paths: []string{dir}})
	want := `FAIL wrong email -- step 2 lookup_end_user (` + filepath.Join(dir, "s.yaml") + `:6): $.end_user.profile.email: want match "^a@", got "b@x.example"`
	if !strings.Contains(out, want+"\n") {
		t.Fatalf("output:\n%s\nwant the line:\n%s", out, want)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "") || !regexp.MustCompile(`(?m)^0 passed, 1 failed in `).MatchString(out) {
		t.Fatalf("closing line missing:\n%s", out)
	}
	if rep.Failed != 1 || rep.Passed != 0 {
		t.Fatalf("report %+v", rep)
	}
}

func TestStepFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		steps string
		want  string
	}{
		"unexpected error": {"  - tool: lookup_end_user\n    args: {}\n",
			"step 1 lookup_end_user: failed: Invalid argument"},
		"expected error did not come": {"  - tool: list_channels\n    expect: {is_error: true}\n",
			"step 1 list_channels: want an error, got a result: {"},
		"error text differs": {"  - tool: lookup_end_user\n    args: {}\n    expect: {is_error: true, error_matches: nothing-like-this}\n",
			`step 1 lookup_end_user: error: want match "nothing-like-this", got "Invalid argument`},
		"a tool of another toolset lists the served ones": {"  - tool: get_persona\n",
			"step 1 get_persona: no such tool on this server (default toolsets); its tools are: ask_ai_agent, create_channel, end_conversation,"},
		"save selects nothing": {"  - tool: list_channels\n    save: {x: $.nope}\n",
			"step 1 list_channels: save x: $.nope selects nothing"},
		"save selects several": {"  - tool: list_channels\n    save: {x: \"$.channels[0].*\"}\n",
			"step 1 list_channels: save x: $.channels[0].* selects 6 values; save needs exactly one"},
		"unknown argument is the server's isError": {"  - tool: lookup_end_user\n    args: {externalId: x}\n",
			"step 1 lookup_end_user: failed: "},
	} {
		t.Run(name, func(t *testing.T) {
			dir := write(t, map[string]string{"s.yaml": "name: s\nsteps:\n" + tc.steps})
			_, out := runSuite(t, Config{Paths: []string{dir}})
			// The step's label names its file and line: step 1 NAME (FILE:3).
			want := strings.Replace(tc.want, ":", " ("+filepath.Join(dir, "s.yaml")+":3):", 1)
			if !strings.Contains(out, "FAIL s -- "+want) {
				t.Fatalf("output:\n%s\nwant: FAIL s -- %s", out, want)
			}
		})
	}
}

func TestVerifyRunsOnTheStateDump(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": `name: verify
steps:
  - tool: upsert_end_user
    args: {external_id: v-1, profile: {email: v@x.example}, sensitive_metadata: {pin: "9911"}}
verify:
  - {path: "$.end_users[?(@.external_id == 'v-1')].profile.email", equals: v@x.example}
  - {path: "$.end_users[0].sensitive_metadata_keys", equals: [pin]}
  - {path: "$.end_users[?(@.external_id == 'v-1')].profile.first_name", equals: Vera}
`})
	_, out := runSuite(t, Config{Paths: []string{dir}})
	want := `FAIL verify -- verify (` + filepath.Join(dir, "s.yaml") + `:8): $.end_users[?(@.external_id == 'v-1')].profile.first_name: want "Vera", got null`
	if !strings.Contains(out, want) {
		t.Fatalf("output:\n%s\nwant %s", out, want)
	}
}

// passesWithSeed reports whether the scenario body passes with one seed.
func passesWithSeed(t *testing.T, body string, seed int64) bool {
	t.Helper()
	dir := write(t, map[string]string{"s.yaml": fmt.Sprintf("name: s\nsandbox: {seed: %d}\n%s", seed, body)})
	rep, _ := runSuite(t, Config{Paths: []string{dir}})
	return rep.Passed == 1
}

// pass^k counts runs: a scenario whose outcome depends on the seed passes
// in exactly the runs whose seed passes alone, and passes only if all do.
func TestPassKCountsRuns(t *testing.T) {
	// Passes when the new end user's id starts with 0-7: about half the seeds.
	body := `steps:
  - tool: upsert_end_user
    args: {external_id: k-1}
    expect:
      result:
        - {path: $.end_user.end_user_id, matches: "^[0-7]"}
`
	const k = 6
	wantPassed := 0
	var failedSeeds []int64
	for seed := int64(1); seed <= k; seed++ {
		if passesWithSeed(t, body, seed) {
			wantPassed++
		} else {
			failedSeeds = append(failedSeeds, seed)
		}
	}
	if wantPassed == 0 || wantPassed == k {
		t.Fatalf("seeds 1..%d all give the same outcome (%d passed): pick another predicate", k, wantPassed)
	}
	dir := write(t, map[string]string{"s.yaml": fmt.Sprintf("name: s\nruns: %d\n%s", k, body)})
	rep, out := runSuite(t, Config{Paths: []string{dir}, Parallel: 3})
	res := rep.Results[0]
	if res.Runs != k || res.PassedRuns != wantPassed || res.Passed {
		t.Fatalf("got %d/%d runs passed (passed=%v), want %d/%d and a failure:\n%s", res.PassedRuns, res.Runs, res.Passed, wantPassed, k, out)
	}
	wantLine := fmt.Sprintf("FAIL s (%d/%d runs, ", wantPassed, k)
	if !strings.Contains(out, wantLine) || !strings.Contains(out, fmt.Sprintf("run %d (seed %d): step 1 upsert_end_user (%s:4):", failedSeeds[0], failedSeeds[0], filepath.Join(dir, "s.yaml"))) {
		t.Fatalf("output:\n%s\nwant %q and the first failing run", out, wantLine)
	}
	for i, rr := range res.RunResults {
		if rr.Run != i+1 || rr.Seed != int64(i+1) {
			t.Fatalf("run %d has seed %d", rr.Run, rr.Seed)
		}
	}
	// --seed moves every run's seed.
	rep, _ = runSuite(t, Config{Paths: []string{dir}, BaseSeed: 101})
	if s := rep.Results[0].RunResults[0].Seed; s != 101 {
		t.Fatalf("with --seed 101 run 1 has seed %d", s)
	}
	// A scenario's own seed is every run's seed: all runs agree.
	dir = write(t, map[string]string{"s.yaml": fmt.Sprintf("name: s\nruns: 4\nsandbox: {seed: %d}\n%s", failedSeeds[0], body)})
	rep, _ = runSuite(t, Config{Paths: []string{dir}})
	if r := rep.Results[0]; r.PassedRuns != 0 || r.Runs != 4 {
		t.Fatalf("fixed seed: %d/%d", r.PassedRuns, r.Runs)
	}
}

func TestPassingScenarioLine(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": "name: ok\nruns: 3\nsteps:\n  - tool: list_channels\n"})
	_, out := runSuite(t, Config{Paths: []string{dir}})
	if !regexp.MustCompile(`(?m)^PASS ok \(3/3 runs, [0-9.]+s\)$`).MatchString(out) || !strings.Contains(out, "1 passed, 0 failed in ") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestReportsBaselineAndRunFilter(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml": "name: alpha\nsteps:\n  - tool: list_channels\n",
		"b.yaml": "name: beta\nsteps:\n  - tool: lookup_end_user\n    args: {external_id: x}\n    expect:\n      result: [{path: $.found, equals: true}]\n",
	})
	out := t.TempDir()
	report, junit := filepath.Join(out, "r.json"), filepath.Join(out, "j.xml")
	rep, _ := runSuite(t, Config{Paths: []string{dir}, JSON: report, JUnit: junit})
	if rep.Passed != 1 || rep.Failed != 1 {
		t.Fatalf("%+v", rep)
	}
	saved, err := ReadReport(report)
	if err != nil || len(saved.Results) != 2 || saved.Results[1].RunResults[0].Steps[0].Tool != "lookup_end_user" {
		t.Fatalf("JSON report %+v %v", saved, err)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(b, &suites); err != nil || suites.Tests != 2 || suites.Failures != 1 {
		t.Fatalf("JUnit %s: %v", b, err)
	}
	// Readers that follow Ant's schema read errors and skipped too.
	if !regexp.MustCompile(`<testsuite name="[^"]*" tests="1" failures="[01]" errors="0" skipped="0" time="`).Match(b) {
		t.Errorf("JUnit suites lack errors or skipped:\n%s", b)
	}
	for _, s := range suites.Suites {
		if _, err := strconv.ParseFloat(s.Time, 64); err != nil {
			t.Errorf("suite %s: time %q is not a number of seconds (JUnit readers refuse it)", s.Name, s.Time)
		}
	}

	// The baseline says beta passed and alpha failed: now beta regresses
	// and alpha is a new pass.
	saved.Results[0].Passed, saved.Results[1].Passed = false, true
	saved.Results = append(saved.Results, &Result{Name: "gamma", Passed: true})
	base := filepath.Join(out, "base.json")
	bb, _ := json.Marshal(saved)
	if err := os.WriteFile(base, bb, 0o600); err != nil {
		t.Fatal(err)
	}
	_, text := runSuite(t, Config{Paths: []string{dir}, Baseline: base})
	for _, want := range []string{"1 regression(s), 1 new pass(es)", "REGRESSION beta", "NEW PASS alpha", "GONE gamma"} {
		if !strings.Contains(text, want) {
			t.Errorf("comparison lacks %q:\n%s", want, text)
		}
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "1 passed, 1 failed") {
		t.Errorf("the closing line must come last:\n%s", text)
	}

	rep, text = runSuite(t, Config{Paths: []string{dir}, Run: regexp.MustCompile("^al")})
	if len(rep.Results) != 1 || strings.Contains(text, "beta") {
		t.Fatalf("--run: %s", text)
	}
	_, err = Run(context.Background(), Config{Paths: []string{dir}, Run: regexp.MustCompile("zzz")})
	var usage *UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("--run matching nothing: %v", err)
	}
}

// Parallel runs print in file order, whatever order they finish in.
func TestParallelKeepsFileOrder(t *testing.T) {
	files := map[string]string{}
	for i := range 8 {
		delay := "0ms"
		if i%2 == 0 {
			delay = "120ms"
		}
		files[fmt.Sprintf("%02d.yaml", i)] = fmt.Sprintf(`name: s%02d
sandbox: {reply_delay: %s}
steps:
  - tool: start_conversation
    args: {external_id: p-%d}
    save: {cid: $.conversation_id}
  - tool: send_message
    args: {conversation_id: "${cid}", body: hi, wait_for_reply_seconds: 5}
    expect:
      result: [{path: "$.replies[0].role", equals: ai_agent}]
`, i, delay, i)
	}
	dir := write(t, files)
	rep, out := runSuite(t, Config{Paths: []string{dir}, Parallel: 4})
	if rep.Failed != 0 {
		t.Fatalf("%s", out)
	}
	for i, r := range rep.Results {
		if r.Name != fmt.Sprintf("s%02d", i) {
			t.Fatalf("result %d is %s:\n%s", i, r.Name, out)
		}
	}
}

// Two runs with the same seed record the same transcript and state, apart
// from durations: a record's time is the sandbox's logical clock when the
// call began (the real clock's would differ).
func TestSameSeedSameTranscript(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": `name: flow
sandbox: {seed: 42}
steps:
  - tool: upsert_end_user
    args: {external_id: d-1, profile: {first_name: Dee}}
    save: {uid: $.end_user.end_user_id}
  - tool: start_conversation
    args: {end_user_id: "${uid}", metadata: {source: eval}}
    save: {cid: $.conversation_id}
  - tool: send_message
    args: {conversation_id: "${cid}", body: "Where is my parcel?", wait_for_reply_seconds: 5}
  - tool: end_conversation
    args: {conversation_id: "${cid}"}
`})
	read := func() ([]transcript.Record, []byte) {
		rec := t.TempDir()
		rep, out := runSuite(t, Config{Paths: []string{dir}, Record: rec})
		if rep.Failed != 0 {
			t.Fatal(out)
		}
		recs, err := transcript.ReadFile(filepath.Join(rec, "flow", "run-1.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		state, err := os.ReadFile(filepath.Join(rec, "flow", "run-1.state.json"))
		if err != nil {
			t.Fatal(err)
		}
		return recs, state
	}
	a, stateA := read()
	b, stateB := read()
	if len(a) != 4 || len(b) != 4 {
		t.Fatalf("%d and %d records", len(a), len(b))
	}
	for i := range a {
		if a[i].Time.IsZero() || a[i].Session == "" {
			t.Fatalf("record %d has no time or session: %+v", i, a[i])
		}
		a[i].DurationMS, b[i].DurationMS = 0, 0
		ja, _ := json.Marshal(a[i])
		jb, _ := json.Marshal(b[i])
		if !bytes.Equal(ja, jb) {
			t.Fatalf("record %d differs:\n%s\n%s", i, ja, jb)
		}
	}
	if !bytes.Equal(stateA, stateB) {
		t.Fatalf("states differ:\n%s\n%s", stateA, stateB)
	}
	var st adasim.State
	if err := json.Unmarshal(stateA, &st); err != nil || len(st.Conversations) != 1 {
		t.Fatalf("state %s: %v", stateA, err)
	}
	// The upsert's record is stamped with the time the end user it
	// created got: both are the logical clock's.
	var raw struct {
		EndUsers []struct {
			CreatedAt string `json:"created_at"`
		} `json:"end_users"`
	}
	if err := json.Unmarshal(stateA, &raw); err != nil || len(raw.EndUsers) != 1 {
		t.Fatalf("state %s: %v", stateA, err)
	}
	created, err := time.Parse("2006-01-02T15:04:05.000000-07:00", raw.EndUsers[0].CreatedAt)
	if err != nil || !a[0].Time.Equal(created) {
		t.Fatalf("the upsert is recorded at %s, the end user was created at %s (%v)", a[0].Time, raw.EndUsers[0].CreatedAt, err)
	}
}

// Integers above 2^53 keep every digit from a result to a saved variable,
// to the next call's arguments, to the state verify reads: a check that
// the rounding would have passed fails.
func TestLargeIntegersKeepEveryDigit(t *testing.T) {
	scenario := func(want string) string {
		return `name: big
steps:
  - tool: upsert_end_user
    args: {external_id: b-1, profile: {metadata: {big: 9007199254740993}}}
    save: {big: $.end_user.profile.metadata.big, uid: $.end_user.end_user_id}
    expect:
      result:
        - {path: $.end_user.profile.metadata.big, equals: ` + want + `}
        - {path: $.end_user.profile.metadata.big, matches: "^` + want + `$"}
  - tool: update_end_user
    args: {end_user_id: "${uid}", profile: {metadata: {copy: "${big}"}}}
verify:
  - {path: "$.end_users[0].profile.metadata.copy", equals: ` + want + `}
  - {path: "$.end_users[0].profile.metadata.copy", equals: ` + want + `.0}
`
	}
	if rep, out := runSuite(t, Config{Paths: []string{write(t, map[string]string{"s.yaml": scenario("9007199254740993")})}}); rep.Failed != 0 {
		t.Fatalf("exact digits failed:\n%s", out)
	}
	if rep, out := runSuite(t, Config{Paths: []string{write(t, map[string]string{"s.yaml": scenario("9007199254740992")})}}); rep.Failed != 1 ||
		!strings.Contains(out, "got 9007199254740993") {
		t.Fatalf("a rounded value passed:\n%s", out)
	}
}

// A scenario's verify reads the sandbox's state redacted, as the state file
// is written: a failure's message cannot quote a secret-keyed value, and a
// check means the same in both places.
func TestVerifyReadsTheStateRedacted(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": `name: leak
steps:
  - tool: upsert_end_user
    args: {external_id: lk-1, profile: {metadata: {password: hunter2-PLAIN, note: "Bearer abcdefghijklmnop123456"}}, sensitive_metadata: {auth_token: SENSITIVE-42}}
verify:
  - {path: "$.end_users[0].profile.metadata.password", equals: "[REDACTED]"}
  - {path: "$.end_users[0].profile.metadata", length: 5}
`})
	rep, out := runSuite(t, Config{Paths: []string{dir}})
	if rep.Failed != 1 || !strings.Contains(out, "want length 5, got 2") {
		t.Fatalf("output:\n%s", out)
	}
	for _, secret := range []string{"hunter2-PLAIN", "abcdefghijklmnop123456", "SENSITIVE-42"} {
		if strings.Contains(out, secret) {
			t.Errorf("the output quotes %q:\n%s", secret, out)
		}
	}
}

// A scenario meets the server `ada-mcp --sandbox` serves over stdio: it
// says it is the sandbox, and upload_attachment reads a file_path.
func TestScenariosMeetTheStdioSandboxServer(t *testing.T) {
	file := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(file, []byte("a note"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := write(t, map[string]string{"s.yaml": `name: as served
steps:
  - tool: get_capabilities
    expect:
      result:
        - {path: $.sandbox, equals: true}
  - tool: start_conversation
    args: {external_id: up-1}
    save: {cid: $.conversation_id}
  - tool: upload_attachment
    args: {conversation_id: "${cid}", file_path: ` + strconv.Quote(file) + `}
    expect: {is_error: true, error_matches: "handoff"}
`})
	if rep, out := runSuite(t, Config{Paths: []string{dir}}); rep.Failed != 0 {
		t.Fatalf("output:\n%s", out)
	}
}

// With --record, two scenarios whose names make one directory are refused
// before anything runs; a name without ASCII letters gets a directory of
// its own.
func TestRecordDirectories(t *testing.T) {
	dir := write(t, map[string]string{"a.yaml": "name: Order Status\nsteps:\n  - tool: get_capabilities\n",
		"b.yaml": "name: order-status\nsteps:\n  - tool: get_capabilities\n"})
	_, err := Run(context.Background(), Config{Paths: []string{dir}, Record: t.TempDir()})
	var usage *UsageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "would both record to") {
		t.Fatalf("colliding names: %v", err)
	}
	if rep, _ := runSuite(t, Config{Paths: []string{dir}}); rep.Passed != 2 {
		t.Fatal("without --record the names are fine")
	}
	rec := t.TempDir()
	dir = write(t, map[string]string{"a.yaml": "name: 日本語\nsteps:\n  - tool: get_capabilities\n", "b.yaml": "name: 中文\nsteps:\n  - tool: get_capabilities\n"})
	runSuite(t, Config{Paths: []string{dir}, Record: rec})
	entries, _ := os.ReadDir(rec)
	if len(entries) != 2 || !entries[0].IsDir() || !strings.HasPrefix(entries[0].Name(), "scenario-") {
		t.Fatalf("recorded under %v", entries)
	}
}

// --record replaces a scenario's earlier run files: a scenario now with
// fewer runs leaves no stale run-N; files the runner does not name stay.
func TestRecordRemovesStaleRuns(t *testing.T) {
	rec := t.TempDir()
	dir := write(t, map[string]string{"s.yaml": "name: s\nruns: 3\nsteps:\n  - tool: get_capabilities\n"})
	runSuite(t, Config{Paths: []string{dir}, Record: rec})
	keepers := []string{"notes.txt", "run-x.jsonl", "run-3.jsonl.bak"}
	for _, name := range keepers {
		if err := os.WriteFile(filepath.Join(rec, "s", name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir = write(t, map[string]string{"s.yaml": "name: s\nruns: 1\nsteps:\n  - tool: get_capabilities\n"})
	runSuite(t, Config{Paths: []string{dir}, Record: rec})
	entries, err := os.ReadDir(filepath.Join(rec, "s"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"notes.txt", "run-1.jsonl", "run-1.state.json", "run-3.jsonl.bak", "run-x.jsonl"}
	if !slices.Equal(names, want) {
		t.Fatalf("recorded %v, want %v", names, want)
	}
}

// error_matches takes the run's variables, as matches does.
func TestErrorMatchesTakesVariables(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": `name: vars in error_matches
steps:
  - tool: start_conversation
    args: {external_id: em-1}
    save: {cid: $.conversation_id}
  - tool: end_conversation
    args: {conversation_id: "${cid}"}
  - tool: end_handoff
    args: {conversation_id: "${cid}"}
    expect: {is_error: true, error_matches: "${cid}"}
`})
	if rep, out := runSuite(t, Config{Paths: []string{dir}}); rep.Failed != 0 {
		t.Fatalf("output:\n%s", out)
	}
}

// A scenario's time is the wall time its runs spanned, not their sum: runs
// go in parallel, and a summed time would exceed the whole eval's.
func TestScenarioTimeIsWallTime(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	runs := []RunResult{
		{Run: 2, Passed: true, DurationMS: 1000, start: t0.Add(100 * time.Millisecond)},
		{Run: 1, Passed: true, DurationMS: 1000, start: t0},
		{Run: 3, Passed: true, DurationMS: 200, start: t0.Add(300 * time.Millisecond)},
	}
	res := scenarioResult(&Scenario{Name: "s", Runs: 3}, runs)
	if res.DurationMS != 1100 {
		t.Fatalf("duration_ms = %v, want 1100 (first start to last end)", res.DurationMS)
	}
}

// Report and record paths that cannot be written are usage errors before
// anything runs, not a failure of every run (--record) or an error after
// all of them (--json, --junit).
func TestUnwritableOutputsAreRefusedBeforeRunning(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": "name: s\nsteps:\n  - tool: list_channels\n", "file": "x"})
	scenario := filepath.Join(dir, "s.yaml")
	for name, cfg := range map[string]Config{
		"record under a file": {Record: filepath.Join(dir, "file", "rec")},
		"record is a file":    {Record: filepath.Join(dir, "file")},
		"json in no dir":      {JSON: filepath.Join(dir, "missing", "r.json")},
		"junit is a dir":      {JUnit: dir},
		"json under a file":   {JSON: filepath.Join(dir, "file", "r.json")},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			cfg.Paths, cfg.Out = []string{scenario}, &out
			_, err := Run(t.Context(), cfg)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if out.Len() > 0 {
				t.Fatalf("ran anyway:\n%s", out.String())
			}
			if flag := map[bool]string{cfg.Record != "": "--record", cfg.JSON != "": "--json", cfg.JUnit != "": "--junit"}[true]; !strings.HasPrefix(err.Error(), flag+": ") {
				t.Fatalf("err = %v, want it to start with %s", err, flag)
			}
		})
	}
}

// cancelOnLine cancels a context once a line holding want is printed.
type cancelOnLine struct {
	bytes.Buffer
	want   string
	cancel context.CancelFunc
}

func (w *cancelOnLine) Write(b []byte) (int, error) {
	if strings.Contains(string(b), w.want) {
		w.cancel()
	}
	return w.Buffer.Write(b)
}

// Ctrl-C mid-run: the runs it cuts short, and those it keeps from
// starting, are INTERRUPTED (skipped in JUnit), not failures of the agent
// or regressions against a baseline.
func TestInterruptedRunsAreNotFailures(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": `name: first
steps:
  - tool: list_channels
---
name: waiting
runs: 2
sandbox: {reply_delay: 10m}
steps:
  - tool: start_conversation
    args: {external_id: cust-i}
    save: {cid: $.conversation_id}
  - tool: send_message
    args: {conversation_id: "${cid}", body: "hello?", wait_for_reply_seconds: 30}
---
name: never started
steps:
  - tool: list_channels
`})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := t.TempDir()
	report, junit := filepath.Join(out, "r.json"), filepath.Join(out, "j.xml")
	w := &cancelOnLine{want: "PASS first", cancel: cancel}
	rep, err := Run(ctx, Config{Paths: []string{dir}, Parallel: 1, Out: w, JSON: report, JUnit: junit})
	if err != nil {
		t.Fatal(err)
	}
	text := w.String()
	for _, want := range []string{"PASS first", "INTERRUPTED waiting (0/2 runs passed before the interrupt)", "INTERRUPTED never started", "1 passed, 0 failed, 2 interrupted in "} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if rep.Passed != 1 || rep.Failed != 0 || rep.Interrupted != 2 {
		t.Fatalf("report: %d passed, %d failed, %d interrupted", rep.Passed, rep.Failed, rep.Interrupted)
	}
	saved, err := ReadReport(report)
	if err != nil || !saved.Results[1].Interrupted || saved.Results[1].Passed {
		t.Fatalf("JSON report: %+v %v", saved.Results[1], err)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `<skipped message="interrupted`) || strings.Contains(string(b), "<failure") {
		t.Fatalf("JUnit:\n%s", b)
	}

	// As a baseline, the interrupted ones are no verdict: passing now is
	// not a new pass.
	_, text = runSuite(t, Config{Paths: []string{dir}, Baseline: report, Run: regexp.MustCompile("never")})
	if !strings.Contains(text, "0 regression(s), 0 new pass(es)") || strings.Contains(text, "NEW PASS") {
		t.Fatalf("against an interrupted baseline:\n%s", text)
	}
}

// A call that does not come back within its limit ends the step with a
// failure that says so, not as a tool's error.
func TestAHangingStepTimesOut(t *testing.T) {
	defer func(f func(time.Duration) time.Duration) { stepLimit = f }(stepLimit)
	stepLimit = func(time.Duration) time.Duration { return 100 * time.Millisecond }
	dir := write(t, map[string]string{"s.yaml": `name: hangs
sandbox: {reply_delay: 10m}
steps:
  - tool: start_conversation
    args: {external_id: cust-h}
    save: {cid: $.conversation_id}
  - tool: send_message
    args: {conversation_id: "${cid}", body: "hello?", wait_for_reply_seconds: 20}
---
name: hangs where an error is expected
sandbox: {reply_delay: 10m}
steps:
  - tool: start_conversation
    args: {external_id: cust-h}
    save: {cid: $.conversation_id}
  - tool: send_message
    args: {conversation_id: "${cid}", body: "hello?", wait_for_reply_seconds: 20}
    expect: {is_error: true}
`})
	_, out := runSuite(t, Config{Paths: []string{dir}})
	for _, want := range []string{
		"FAIL hangs -- step 2 send_message (" + filepath.Join(dir, "s.yaml") + ":7): no answer within 100ms: the call hangs",
		// A hang is not the error a step expects.
		"FAIL hangs where an error is expected -- step 2 send_message (" + filepath.Join(dir, "s.yaml") + ":16): no answer within 100ms",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output:\n%s\nwant: %s", out, want)
		}
	}
}

// A result line reaches the terminal with its control characters escaped
// (a scenario named with an escape sequence cannot drive the terminal),
// and a JUnit classname has no dots but the ones CI viewers split on.
func TestPrintableLinesAndJUnitClassnames(t *testing.T) {
	if got := printable("FAIL a\x1b[2Jb -- x\ny"); got != `FAIL a\x1b[2Jb -- x\ny` {
		t.Errorf("printable = %q", got)
	}
	if got := printable("PASS café ✓"); got != "PASS café ✓" {
		t.Errorf("printable changed printable text: %q", got)
	}
	for in, want := range map[string]string{
		"testdata/evals/a.yaml": "testdata/evals/a",
		"evals/v1.2/b.YML":      "evals/v1_2/b",
		"c.json":                "c_json",
	} {
		if got := junitClass(in); got != want {
			t.Errorf("junitClass(%q) = %q, want %q", in, got, want)
		}
	}
}

// --run leaves scenarios out on purpose: a baseline's results it does not
// match are not GONE; one it matches that no file has any more is.
func TestBaselineWithRunFilter(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml": "name: alpha\nsteps:\n  - tool: list_channels\n",
		"b.yaml": "name: beta\nsteps:\n  - tool: list_channels\n",
	})
	base := filepath.Join(t.TempDir(), "base.json")
	runSuite(t, Config{Paths: []string{dir}, JSON: base})
	saved, err := ReadReport(base)
	if err != nil {
		t.Fatal(err)
	}
	saved.Results = append(saved.Results, &Result{Name: "alpha two", Passed: true})
	b, _ := json.Marshal(saved)
	if err := os.WriteFile(base, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, text := runSuite(t, Config{Paths: []string{dir}, Baseline: base, Run: regexp.MustCompile("^al")})
	if strings.Contains(text, "GONE beta") || !strings.Contains(text, "GONE alpha two") {
		t.Fatalf("--run ^al against a baseline with alpha, beta and alpha two:\n%s", text)
	}
}

// Files that do not load (exit 2) still leave a JUnit report, of one
// error saying why at file:line, so that CI shows the mistake rather
// than a missing report.
func TestJUnitReportsALoadError(t *testing.T) {
	dir := write(t, map[string]string{"a.yaml": "name: alpha\nsteps:\n  - tool: list_chanels\n"})
	junit := filepath.Join(t.TempDir(), "j.xml")
	_, err := Run(context.Background(), Config{Paths: []string{dir}, JUnit: junit})
	var usage *UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("Run: %v, want a usage error", err)
	}
	b, rerr := os.ReadFile(junit)
	if rerr != nil {
		t.Fatalf("no JUnit report: %v", rerr)
	}
	var suites junitSuites
	if err := xml.Unmarshal(b, &suites); err != nil || suites.Tests != 1 || suites.Errors != 1 ||
		!strings.Contains(string(b), "<error ") || !strings.Contains(string(b), "a.yaml:3") {
		t.Fatalf("JUnit %s: %v", b, err)
	}
}
