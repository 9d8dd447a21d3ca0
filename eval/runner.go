package eval

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/internal/localclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/tools"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// runner runs scenarios: each run against a fresh sandbox, through an MCP
// client session on the server main serves.
type runner struct {
	cfg Config
}

// maxWait is the longest send_message wait; a step may take that long
// beyond its call timeout.
const maxWait = 60 * time.Second

// stepLimit is how long a step's call may take before it is deemed to
// hang: its call timeout, the longest wait, and some slack.
var stepLimit = func(callTimeout time.Duration) time.Duration {
	return callTimeout + maxWait + 5*time.Second
}

type task struct {
	scenario int
	run      int // 1-based
}

// runAll runs every run of every scenario, cfg.Parallel at a time, and
// reports each scenario once all its runs are done, in file order.
func (r *runner) runAll(ctx context.Context, scenarios []*Scenario, report func(*Result)) {
	tasks := make(chan task)
	type done struct {
		task
		res RunResult
	}
	results := make(chan done)
	var wg sync.WaitGroup
	for range min(r.cfg.Parallel, countRuns(scenarios)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				results <- done{t, r.runOnce(ctx, scenarios[t.scenario], t.run)}
			}
		}()
	}
	go func() {
		for i, sc := range scenarios {
			for run := 1; run <= sc.Runs; run++ {
				tasks <- task{i, run}
			}
		}
		close(tasks)
		wg.Wait()
		close(results)
	}()

	runs := make([][]RunResult, len(scenarios))
	next := 0
	for d := range results {
		runs[d.scenario] = append(runs[d.scenario], d.res)
		for next < len(scenarios) && len(runs[next]) == scenarios[next].Runs {
			report(scenarioResult(scenarios[next], runs[next]))
			next++
		}
	}
}

func countRuns(scenarios []*Scenario) int {
	n := 0
	for _, sc := range scenarios {
		n += sc.Runs
	}
	return max(n, 1)
}

// scenarioResult folds the runs of a scenario: pass^k.
func scenarioResult(sc *Scenario, runs []RunResult) *Result {
	slices.SortFunc(runs, func(a, b RunResult) int { return a.Run - b.Run })
	res := &Result{Name: sc.Name, File: sc.File, Kind: KindScenario, Runs: len(runs), RunResults: runs}
	var first, last time.Time
	interrupted := false
	for _, rr := range runs {
		end := rr.start.Add(time.Duration(rr.DurationMS * float64(time.Millisecond)))
		if first.IsZero() || rr.start.Before(first) {
			first = rr.start
		}
		if end.After(last) {
			last = end
		}
		switch {
		case rr.Passed:
			res.PassedRuns++
		case rr.Interrupted:
			interrupted = true
		case res.Failure == "":
			res.Failure = rr.Failure
			if sc.Runs > 1 {
				res.Failure = fmt.Sprintf("run %d (seed %d): %s", rr.Run, rr.Seed, rr.Failure)
			}
		}
	}
	res.Passed = res.PassedRuns == res.Runs
	// A run that failed on its own is a verdict; one an interrupt cut
	// short is none.
	res.Interrupted = interrupted && res.Failure == ""
	res.DurationMS = ms(last.Sub(first))
	return res
}

// runOnce runs a scenario once against a fresh sandbox.
func (r *runner) runOnce(ctx context.Context, sc *Scenario, run int) RunResult {
	start := time.Now()
	rr := RunResult{Run: run, Seed: sc.seedFor(run, r.cfg.BaseSeed), start: start}
	if ctx.Err() != nil {
		rr.Interrupted, rr.Failure = true, "interrupted before it started"
		return rr
	}
	fail := func(format string, args ...any) RunResult {
		rr.Failure = fmt.Sprintf(format, args...)
		rr.DurationMS = ms(time.Since(start))
		// Whatever failed once the context was cancelled failed because
		// of it (a call cut short, a session closed).
		rr.Interrupted = ctx.Err() != nil
		return rr
	}
	e, err := r.start(ctx, sc, run, rr.Seed)
	if err != nil {
		return fail("starting the sandbox: %v", err)
	}
	defer e.close(r.cfg.Record, sc, run)

	v := vars{"run": float64(run), "seed": float64(rr.Seed)}
	for i := range sc.Steps {
		st := &sc.Steps[i]
		sr, err := e.step(ctx, st, v)
		sr.Step = i + 1
		rr.Steps = append(rr.Steps, sr)
		if err != nil {
			return fail("%s (%s): %v", st.label(i), at(sc.File, st.Line), err)
		}
	}
	if len(sc.Verify) > 0 {
		doc, err := e.stateDoc()
		if err != nil {
			return fail("verify: reading the sandbox state: %v", err)
		}
		for _, a := range sc.Verify {
			if err := a.check(doc, v); err != nil {
				return fail("verify (%s): %v", at(sc.File, a.Line), err)
			}
		}
	}
	rr.Passed = true
	rr.DurationMS = ms(time.Since(start))
	return rr
}

// at is file:line, as failure lines name a step or an assertion.
func at(file string, line int) string { return file + ":" + itoa(line) }

// env is one run's sandbox, server and client session.
type env struct {
	srv        *adasim.Server
	sess       *localclient.Session
	transcript *transcript.Writer
	red        *redact.Redactor
	served     []string // the registered tools: what tools/list lists
	sc         *Scenario
	callTime   time.Duration
}

func (r *runner) start(ctx context.Context, sc *Scenario, run int, seed int64) (_ *env, err error) {
	e := &env{sc: sc, callTime: sc.Server.CallTimeout}
	if e.callTime <= 0 {
		e.callTime = tools.DefaultCallTimeout
	}
	defer func() {
		if err != nil {
			e.close("", sc, run)
		}
	}()
	// As `ada-mcp --sandbox` over stdio: the simulator's events feed the
	// log the waits follow.
	log := events.NewMemory(events.Limits{})
	feed := events.Feed(log, func() *redact.Redactor { return e.red })
	opts := adasim.Options{APIKey: newKey(), Seed: seed, Deterministic: true,
		ReplyDelay: sc.Sandbox.ReplyDelay, RateLimits: sc.Sandbox.RateLimits, Agent: sc.Sandbox.Agent,
		OnEvent: func(ev adasim.Event) { feed(ev.Type, ev.Timestamp, ev.Data) }}
	if sc.Sandbox.State != "" {
		st, err := adasim.ReadStateFile(sc.Sandbox.State)
		if err != nil {
			return nil, err
		}
		opts.State = &st
	}
	sim, err := adasim.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.Sandbox.State, err)
	}
	if e.srv, err = adasim.Listen("127.0.0.1:0", sim); err != nil {
		sim.Close()
		return nil, err
	}
	if r.cfg.Record != "" {
		dir := filepath.Join(r.cfg.Record, slug(sc.Name))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if e.transcript, err = transcript.Create(filepath.Join(dir, fmt.Sprintf("run-%d.jsonl", run))); err != nil {
			return nil, err
		}
	}
	built, err := tools.Build(tools.Config{
		APIKey: opts.APIKey, BaseURL: e.srv.BaseURL, ChannelID: sim.DefaultChannelID(), Now: sim.Now,
		Toolsets: sc.Server.Toolsets, ReadOnly: sc.Server.ReadOnly,
		AllowCustomerMessages: sc.Server.AllowCustomerMessages, AllowDestructive: sc.Server.AllowDestructive,
		CallTimeout: e.callTime, PollInterval: tools.LocalPollInterval,
		Version: r.cfg.Version, LogHandler: r.cfg.Logs, Transcript: e.transcript, Events: log,
		// As `ada-mcp --sandbox` over stdio: the simulator (so
		// get_capabilities says sandbox), and upload_attachment may read a
		// file_path on this machine.
		Sandbox: true, LocalFiles: true,
	})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	e.red = built.Redactor
	for _, t := range built.Tools {
		e.served = append(e.served, t.Name())
	}
	if e.sess, err = localclient.Connect(ctx, built.MCP, "ada-mcp-eval", r.cfg.Version); err != nil {
		return nil, err
	}
	return e, nil
}

// listTools is tools/list through the session, as a client sees it.
func (e *env) listTools(ctx context.Context) ([]string, error) {
	list, err := e.sess.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return nil, fmt.Errorf("tools/list: %w", err)
	}
	names := make([]string, len(list.Tools))
	for i, t := range list.Tools {
		names[i] = t.Name
	}
	return names, nil
}

// close ends the session and the sandbox; with record, it first saves
// the run's state next to its transcript.
func (e *env) close(record string, sc *Scenario, run int) {
	if e.sess != nil {
		e.sess.Close()
	}
	if e.transcript != nil {
		e.transcript.Close()
	}
	if e.srv != nil {
		if record != "" {
			// Redacted like the transcript beside it.
			_ = transcript.WriteState(filepath.Join(record, slug(sc.Name), fmt.Sprintf("run-%d.state.json", run)), e.srv.Sim.State(), e.red)
		}
		e.srv.Close()
	}
}

// step runs one step and checks what it must.
func (e *env) step(ctx context.Context, st *Step, v vars) (sr StepResult, _ error) {
	sr.Tool = st.Tool
	start := time.Now()
	defer func() { sr.DurationMS = ms(time.Since(start)) }()
	var doc any
	isError, message := false, ""
	if st.ListTools {
		sr.Tool = "tools/list"
		listed, err := e.listTools(ctx)
		if err != nil {
			return sr, err
		}
		names := make([]any, len(listed))
		for i, n := range listed {
			names[i] = n
		}
		doc = map[string]any{"tools": names}
	} else {
		args, err := v.expand(orEmpty(st.Args))
		if err != nil {
			return sr, fmt.Errorf("args: %w", err)
		}
		if !slices.Contains(e.served, st.Tool) && !st.Expect.IsError {
			listed, err := e.listTools(ctx)
			if err != nil {
				return sr, err
			}
			return sr, fmt.Errorf("no such tool on this server (%s); its tools are: %s", e.serverLabel(), strings.Join(listed, ", "))
		}
		limit := stepLimit(e.callTime)
		callCtx, cancel := context.WithTimeout(ctx, limit)
		res, err := e.sess.Call(callCtx, st.Tool, args)
		hung := errors.Is(callCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		switch {
		// Neither is the error a step may expect: the tool never answered.
		case hung:
			return sr, fmt.Errorf("no answer within %s: the call hangs (the limit is the call timeout, %s, plus the longest wait, %s, and 5s)", limit, e.callTime, maxWait)
		case err != nil && ctx.Err() != nil:
			return sr, fmt.Errorf("interrupted: %w", ctx.Err())
		case err != nil:
			// A protocol error: an unknown tool, or a bug of ours.
			isError, message = true, err.Error()
		case res.IsError:
			isError, message = true, localclient.Text(res)
		default:
			if doc, err = resultDoc(res); err != nil {
				return sr, fmt.Errorf("structured result: %w", err)
			}
		}
	}
	sr.IsError = isError
	errorRE, err := st.Expect.errorPattern(v)
	if err != nil {
		return sr, err
	}
	switch {
	case isError && !st.Expect.IsError:
		return sr, fmt.Errorf("failed: %s", message)
	case !isError && st.Expect.IsError:
		return sr, fmt.Errorf("want an error, got a result: %s", show(doc))
	case isError && errorRE != nil && !errorRE.MatchString(message):
		return sr, fmt.Errorf("error: want match %q, got %q", errorRE.String(), message)
	}
	for _, a := range st.Expect.Result {
		if err := a.check(doc, v); err != nil {
			return sr, err
		}
	}
	for _, s := range st.Save {
		val, err := saveValue(doc, s, v)
		if err != nil {
			return sr, err
		}
		v[s.Name] = val
	}
	return sr, nil
}

func (e *env) serverLabel() string {
	ts := "default toolsets"
	if len(e.sc.Server.Toolsets) > 0 {
		ts = "toolsets " + strings.Join(e.sc.Server.Toolsets, ",")
	}
	if e.sc.Server.ReadOnly {
		ts += ", read-only"
	}
	if e.sc.Server.AllowCustomerMessages {
		ts += ", customer messages allowed"
	}
	if e.sc.Server.AllowDestructive {
		ts += ", deletions allowed"
	}
	return ts
}

// saveValue is the one value a save path selects.
func saveValue(doc any, s Save, v vars) (any, error) {
	a := &Assertion{Path: s.Path}
	if err := a.compile(); err != nil {
		return nil, fmt.Errorf("save %s: %w", s.Name, err)
	}
	path, label, err := a.resolvedPath(v)
	if err != nil {
		return nil, fmt.Errorf("save %s: %w", s.Name, err)
	}
	nodes := path.Select(doc)
	switch len(nodes) {
	case 1:
		return nodes[0], nil
	case 0:
		return nil, fmt.Errorf("save %s: %s selects nothing", s.Name, label)
	}
	return nil, fmt.Errorf("save %s: %s selects %d values; save needs exactly one", s.Name, label, len(nodes))
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// jsonValue turns any value into encoding/json's generic form, numbers
// as json.Number.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeRaw(b)
}

// resultDoc is a result's JSON as checks see it: its text content (the
// same JSON as structuredContent, fenced or not), decoded with every digit
// of its numbers; decoded structured content would have rounded integers
// above 2^53 already.
func resultDoc(res *mcp.CallToolResult) (any, error) {
	text := localclient.Text(res)
	if doc, _, ok := tools.Unfence(text); ok {
		text = doc
	}
	if doc, err := decodeRaw([]byte(text)); err == nil {
		return doc, nil
	}
	return jsonValue(res.StructuredContent)
}

// stateDoc is the sandbox's state as a scenario's verify sees it:
// redacted like the state file --record and --sandbox-state-out write, so
// that a check means the same in both places and a failure's message
// cannot quote a secret.
func (e *env) stateDoc() (any, error) {
	b, err := json.Marshal(e.srv.Sim.State())
	if err != nil {
		return nil, err
	}
	if b, err = e.red.Bytes(b); err != nil {
		return nil, err
	}
	return decodeRaw(b)
}

func newKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("eval: no randomness for a sandbox key"))
	}
	return "eval_" + hex.EncodeToString(b)
}

// slug is a name as a directory name: its ASCII letters and digits, the
// rest as single dashes. A name with none (日本語, say) gets "scenario-"
// and a hash of the name, so that it still has a directory of its own.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if s := strings.TrimSuffix(b.String(), "-"); s != "" {
		return s
	}
	sum := sha256.Sum256([]byte(name))
	return "scenario-" + hex.EncodeToString(sum[:6])
}
