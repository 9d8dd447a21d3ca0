package eval

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Result kinds.
const (
	KindScenario = "scenario"
	KindChecks   = "checks"
)

// Report is what a run of the runner found; --json writes it and
// --baseline reads an earlier one.
type Report struct {
	Version    string    `json:"version,omitempty"`
	Started    time.Time `json:"started"`
	DurationMS float64   `json:"duration_ms"`
	Passed     int       `json:"passed"`
	Failed     int       `json:"failed"`
	// Interrupted counts results an interrupt (ctrl-C) cut short: neither
	// passed nor failed.
	Interrupted int       `json:"interrupted,omitempty"`
	Results     []*Result `json:"results"`
}

// Result is one scenario (all its runs) or one set of transcript checks.
type Result struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Kind   string `json:"kind"`
	Passed bool   `json:"passed"`
	// Interrupted: an interrupt cut a run short (or kept it from
	// starting) before any run failed; Passed is false.
	Interrupted bool `json:"interrupted,omitempty"`
	Runs        int  `json:"runs"`
	PassedRuns  int  `json:"passed_runs"`
	// DurationMS is wall time: from the first run's start to the last
	// run's end (runs go in parallel; each run's own is in RunResults).
	DurationMS float64 `json:"duration_ms"`
	// Failure is the first failing run's reason (checks: every failed
	// check, joined by "; ").
	Failure    string      `json:"failure,omitempty"`
	RunResults []RunResult `json:"run_results,omitempty"`
	// Transcript and Calls: for checks, the graded transcript and its
	// number of tool calls.
	Transcript string `json:"transcript,omitempty"`
	Calls      int    `json:"calls,omitempty"`
}

// RunResult is one run of a scenario.
type RunResult struct {
	Run     int    `json:"run"`
	Seed    int64  `json:"seed"`
	Passed  bool   `json:"passed"`
	Failure string `json:"failure,omitempty"`
	// Interrupted: the run was cut short, or never started, by an
	// interrupt; its Failure is the interrupt's doing, not the scenario's.
	Interrupted bool         `json:"interrupted,omitempty"`
	DurationMS  float64      `json:"duration_ms"`
	Steps       []StepResult `json:"steps"`

	start time.Time // for the scenario's wall time: runs overlap
}

// StepResult is one step of a run, as far as it went.
type StepResult struct {
	Step       int     `json:"step"`
	Tool       string  `json:"tool"`
	IsError    bool    `json:"is_error"`
	DurationMS float64 `json:"duration_ms"`
}

func (r *Report) add(res *Result) {
	r.Results = append(r.Results, res)
	switch {
	case res.Passed:
		r.Passed++
	case res.Interrupted:
		r.Interrupted++
	default:
		r.Failed++
	}
}

func (r *Report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append(b, '\n'), "--json")
}

// ReadReport reads a report that --json wrote.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s is not a report written by --json: %w", path, err)
	}
	if r.Started.IsZero() || r.Results == nil {
		// Some other JSON: compared with it, every result would be "new".
		return nil, fmt.Errorf("%s is not a report written by --json: it has no started time or results", path)
	}
	return &r, nil
}

// JUnit XML, as CI systems read it: one suite per file.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"` // files that could not load (writeJUnitLoadError)
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"` // its cases' total: JUnit readers refuse an empty one
	Cases    []junitCase `xml:"testcase"`
	ms       float64
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

// junitSkipped marks a result an interrupt cut short.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

func (r *Report) writeJUnit(path string) error {
	out := junitSuites{Name: "ada-mcp eval", Tests: len(r.Results), Failures: r.Failed, Skipped: r.Interrupted, Time: seconds(r.DurationMS)}
	index := map[string]int{}
	for _, res := range r.Results {
		i, ok := index[res.File]
		if !ok {
			i = len(out.Suites)
			index[res.File] = i
			out.Suites = append(out.Suites, junitSuite{Name: res.File})
		}
		s := &out.Suites[i]
		s.ms += res.DurationMS
		s.Time = seconds(s.ms)
		c := junitCase{Name: res.Name, Classname: junitClass(res.File), Time: seconds(res.DurationMS)}
		switch {
		case res.Interrupted:
			c.Skipped = &junitSkipped{Message: fmt.Sprintf("interrupted: %d/%d runs passed before it", res.PassedRuns, res.Runs)}
			s.Skipped++
		case !res.Passed:
			c.Failure = &junitFailure{Message: res.Failure, Type: res.Kind, Text: res.Failure}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append([]byte(xml.Header), append(b, '\n')...), "--junit")
}

// writeJUnitLoadError writes a report of one error when the files did not
// load (exit 2), so that CI shows why rather than a missing report.
func writeJUnitLoadError(path string, loadErr error) error {
	msg := loadErr.Error()
	out := junitSuites{Name: "ada-mcp eval", Tests: 1, Errors: 1, Time: seconds(0), Suites: []junitSuite{{
		Name: "load", Tests: 1, Errors: 1, Time: seconds(0),
		Cases: []junitCase{{Name: "load", Classname: "ada-mcp eval", Time: seconds(0), Error: &junitFailure{Message: msg, Type: "load", Text: msg}}},
	}}}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append([]byte(xml.Header), append(b, '\n')...), "--junit")
}

func writeFile(path string, b []byte, flag string) error {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	return nil
}

// comparison is a report against a baseline, by name.
type comparison struct {
	Regressions, NewPasses, Added, Missing []string
}

// compare compares now with base; run is --run (nil for all): a result
// of base it leaves out was not run on purpose, and is not gone.
func compare(base, now *Report, run *regexp.Regexp) comparison {
	var c comparison
	// An interrupted result is no verdict, in the baseline or now.
	before := map[string]bool{}
	for _, r := range base.Results {
		if !r.Interrupted {
			before[r.Name] = r.Passed
		}
	}
	seen := map[string]bool{}
	for _, r := range now.Results {
		seen[r.Name] = true
		if r.Interrupted {
			continue
		}
		passed, ok := before[r.Name]
		switch {
		case !ok:
			c.Added = append(c.Added, r.Name)
		case passed && !r.Passed:
			c.Regressions = append(c.Regressions, r.Name)
		case !passed && r.Passed:
			c.NewPasses = append(c.NewPasses, r.Name)
		}
	}
	for name := range before {
		if !seen[name] && (run == nil || run.MatchString(name)) {
			c.Missing = append(c.Missing, name)
		}
	}
	sort.Strings(c.Missing)
	return c
}

func writeComparison(w io.Writer, path string, c comparison) {
	fmt.Fprintf(w, "against %s: %d regression(s), %d new pass(es)\n", path, len(c.Regressions), len(c.NewPasses))
	for _, n := range c.Regressions {
		fmt.Fprintf(w, "  REGRESSION %s (passed in the baseline)\n", n)
	}
	for _, n := range c.NewPasses {
		fmt.Fprintf(w, "  NEW PASS %s (failed in the baseline)\n", n)
	}
	for _, n := range c.Added {
		fmt.Fprintf(w, "  NEW %s (not in the baseline)\n", n)
	}
	for _, n := range c.Missing {
		fmt.Fprintf(w, "  GONE %s (in the baseline, not run now)\n", n)
	}
}

// junitClass is a scenario file as a JUnit classname: CI viewers read the
// dots of a classname as packages, so the extension goes and other dots
// become underscores ("evals/v1.2/a.yaml" is "evals/v1_2/a").
func junitClass(file string) string {
	if ext := filepath.Ext(file); strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml") {
		file = strings.TrimSuffix(file, ext)
	}
	return strings.ReplaceAll(file, ".", "_")
}
