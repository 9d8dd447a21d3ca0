package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/transcript"
)

// gradeChecks grades a recorded transcript (and the state saved with it)
// against c. transcriptPath and statePath, from the command line, win
// over the files c names; a transcriptPath also sets aside c's state,
// which was saved with c's transcript. Every check is evaluated; the failure lists
// them all.
func gradeChecks(c *Checks, transcriptPath, statePath string) *Result {
	start := time.Now()
	res := &Result{Name: c.Name, File: c.File, Kind: KindChecks, Runs: 1}
	defer func() {
		res.DurationMS = ms(time.Since(start))
		if res.Passed {
			res.PassedRuns = 1
		}
	}()
	from := "--transcript" // where the transcript's path came from, for its errors
	if transcriptPath == "" {
		from = c.File + ": transcript"
		transcriptPath = c.Transcript
		if statePath == "" {
			statePath = c.State
		}
	} // else the state c names is its transcript's, not this one's
	// (stateFor finds the one saved beside it)
	res.Transcript = transcriptPath
	recs, err := transcript.ReadFile(transcriptPath)
	if err != nil {
		res.Failure = from + ": " + err.Error()
		return res
	}
	res.Calls = len(recs)
	g := &grader{recs: recs, file: c.File, lines: c.KeyLines}
	g.toolsUsed(c.ToolsUsed)
	g.toolsNotUsed(c.ToolsNotUsed)
	g.callOrder(c.CallOrder)
	g.counts(c.MinToolCalls, c.MaxToolCalls)
	if c.NoErrors {
		g.noErrors()
	}
	for i := range c.Calls {
		g.calls(i, &c.Calls[i])
	}
	if len(c.Verify) > 0 {
		g.verify(c.Verify, stateFor(transcriptPath, statePath))
	}
	res.Passed = len(g.failures) == 0
	res.Failure = strings.Join(g.failures, "; ")
	return res
}

// stateFor is the state dump to verify against: the one given, else the
// transcript's sibling run.jsonl → run.state.json when it exists.
func stateFor(transcriptPath, statePath string) string {
	if statePath != "" {
		return statePath
	}
	guess := strings.TrimSuffix(transcriptPath, ".jsonl") + ".state.json"
	if _, err := os.Stat(guess); err == nil {
		return guess
	}
	return ""
}

type grader struct {
	recs     []transcript.Record
	failures []string
	file     string         // the checks file, for failures' file:line
	lines    map[string]int // its keys' lines
}

// at is a check's key with its file:line: "tools_used (checks.yaml:3)".
func (g *grader) at(key string) string {
	if line := g.lines[key]; line > 0 {
		return key + " (" + at(g.file, line) + ")"
	}
	return key
}

func (g *grader) failf(format string, args ...any) {
	g.failures = append(g.failures, fmt.Sprintf(format, args...))
}

func (g *grader) count(tool string) (n, first int) {
	first = -1
	for i, r := range g.recs {
		if r.Tool == tool {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	return n, first
}

func (g *grader) toolsUsed(names []string) {
	for _, name := range names {
		if n, _ := g.count(name); n == 0 {
			g.failf("%s: %s was never called", g.at("tools_used"), name)
		}
	}
}

func (g *grader) toolsNotUsed(names []string) {
	for _, name := range names {
		if n, first := g.count(name); n > 0 {
			g.failf("%s: %s was called %d time(s), first as call %d", g.at("tools_not_used"), name, n, first+1)
		}
	}
}

// callOrder checks that order is a subsequence of the calls' tools.
func (g *grader) callOrder(order []string) {
	if len(order) == 0 {
		return
	}
	i := 0
	last := 0
	for j, r := range g.recs {
		if i < len(order) && r.Tool == order[i] {
			i++
			last = j + 1
		}
	}
	if i == len(order) {
		return
	}
	if i == 0 {
		g.failf("%s: want %s, never called", g.at("call_order"), order[0])
		return
	}
	g.failf("%s: want %s; found %s, then no %s after call %d (calls: %s)", g.at("call_order"),
		strings.Join(order, " → "), strings.Join(order[:i], " → "), order[i], last, g.sequence())
}

// sequence is the calls' tools, shortened for a message.
func (g *grader) sequence() string {
	const most = 20
	names := make([]string, 0, min(len(g.recs), most))
	for i, r := range g.recs {
		if i == most {
			names = append(names, fmt.Sprintf("… %d more", len(g.recs)-most))
			break
		}
		names = append(names, r.Tool)
	}
	return strings.Join(names, ", ")
}

func (g *grader) counts(min, max *int) {
	if max != nil && len(g.recs) > *max {
		g.failf("%s: want at most %d, got %d", g.at("max_tool_calls"), *max, len(g.recs))
	}
	if min != nil && len(g.recs) < *min {
		g.failf("%s: want at least %d, got %d", g.at("min_tool_calls"), *min, len(g.recs))
	}
}

func (g *grader) noErrors() {
	for i, r := range g.recs {
		if r.IsError {
			g.failf("%s: call %d %s failed: %s", g.at("no_errors"), i+1, r.Tool, shorten(r.Error))
		}
	}
}

// calls checks the calls of one tool that c selects.
func (g *grader) calls(idx int, c *CallCheck) {
	var picked []int
	for i, r := range g.recs {
		if r.Tool == c.Tool {
			picked = append(picked, i)
		}
	}
	label := fmt.Sprintf("calls[%d] %s (%s)", idx, c.Tool, at(g.file, c.Line))
	if len(picked) == 0 {
		g.failf("%s: never called", label)
		return
	}
	switch c.Select {
	case "first":
		picked = picked[:1]
	case "last":
		picked = picked[len(picked)-1:]
	}
	var firstErr error
	for _, i := range picked {
		err := checkCall(g.recs[i], c)
		if err == nil && c.Select == "any" {
			return
		}
		if err != nil {
			err = fmt.Errorf("%s, call %d: %w", label, i+1, err)
			if c.Select != "any" {
				g.failures = append(g.failures, err.Error())
				return
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if firstErr != nil {
		g.failf("%s: no call satisfies the assertions; the first: %v", label, firstErr)
	}
}

func checkCall(r transcript.Record, c *CallCheck) error {
	if c.IsError != nil && r.IsError != *c.IsError {
		if r.IsError {
			return fmt.Errorf("want success, it failed: %s", shorten(r.Error))
		}
		return errors.New("want an error, it succeeded")
	}
	if len(c.Args) > 0 {
		doc, err := decodeRaw(r.Arguments)
		if err != nil {
			return fmt.Errorf("arguments: %w", err)
		}
		for _, a := range c.Args {
			if err := a.check(doc, vars{}); err != nil {
				return fmt.Errorf("args %w", err)
			}
		}
	}
	if len(c.Result) > 0 {
		if r.IsError {
			return fmt.Errorf("it failed, so there is no result: %s", shorten(r.Error))
		}
		doc, err := decodeRaw(r.Result)
		if err != nil {
			return fmt.Errorf("result: %w", err)
		}
		for _, a := range c.Result {
			if err := a.check(doc, vars{}); err != nil {
				return fmt.Errorf("result %w", err)
			}
		}
	}
	return nil
}

func (g *grader) verify(asserts []*Assertion, statePath string) {
	if statePath == "" {
		g.failf("%s: no state dump: save one with the run (--sandbox-state-out), then give --state FILE or state: in the checks", g.at("verify"))
		return
	}
	b, err := os.ReadFile(statePath)
	if err != nil {
		g.failf("%s: %v", g.at("verify"), err)
		return
	}
	doc, err := decodeRaw(b)
	if err != nil {
		g.failf("%s: %s: %v", g.at("verify"), statePath, err)
		return
	}
	for _, a := range asserts {
		if err := a.check(doc, vars{}); err != nil {
			g.failf("verify (%s): %v", at(g.file, a.Line), err)
		}
	}
}

// decodeRaw decodes JSON with numbers as json.Number, so that an integer
// above 2^53 keeps every digit (checks compare numbers exactly: sameJSON).
func decodeRaw(b []byte) (any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

func shorten(s string) string {
	if r := []rune(s); len(r) > maxShown {
		return string(r[:maxShown-1]) + "…"
	}
	return s
}
