package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ada-mcp/ada-mcp/transcript"
)

// Config is the runner's configuration; main fills it from flags. Zero
// values are defaults.
type Config struct {
	// Paths are scenario and checks files, or directories of them.
	Paths []string
	// Transcript, if set, is graded by the checks files in Paths (which
	// then hold no scenarios); State is the state dump saved with it.
	Transcript, State string
	// Run keeps only scenarios and checks whose name it matches.
	Run *regexp.Regexp
	// Parallel is how many runs go at once; 0 means the number of CPUs.
	Parallel int
	// BaseSeed is the seed of run 1 of a scenario without a seed of its
	// own (run i gets BaseSeed+i-1); 0 means 1.
	BaseSeed int64
	// JUnit and JSON are report files to write; Baseline is an earlier
	// JSON report to compare with.
	JUnit, JSON, Baseline string
	// Record is a directory that gets each run's transcript and state.
	Record string
	// Version is the server version the runs report.
	Version string
	// Logs gets the servers' logs; nil discards them.
	Logs slog.Handler
	// Out gets one line per scenario and the closing line.
	Out io.Writer
}

// UsageError is a mistake in the command line or in the files: nothing ran.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Run loads the files, runs every scenario (or grades the transcript),
// prints the results to cfg.Out and writes the reports. The error is a
// UsageError when nothing could run, or a failure to write a report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	suite, err := Load(cfg.Paths)
	if err != nil {
		if cfg.JUnit != "" {
			err = errors.Join(err, writeJUnitLoadError(cfg.JUnit, err))
		}
		return nil, &UsageError{err}
	}
	if err := cfg.filter(suite); err != nil {
		return nil, &UsageError{err}
	}
	if err := cfg.checkOutputs(); err != nil {
		return nil, &UsageError{err}
	}
	if err := clearRecordings(cfg.Record, suite.Scenarios); err != nil {
		return nil, &UsageError{fmt.Errorf("--record: %w", err)}
	}
	var baseline *Report
	if cfg.Baseline != "" {
		if baseline, err = ReadReport(cfg.Baseline); err != nil {
			return nil, &UsageError{fmt.Errorf("--baseline: %w", err)}
		}
	}
	start := time.Now()
	rep := &Report{Version: cfg.Version, Started: start.UTC()}
	print := func(r *Result) {
		rep.add(r)
		fmt.Fprintln(cfg.Out, printable(r.line()))
	}
	if cfg.Transcript != "" || len(suite.Checks) > 0 {
		for _, c := range suite.Checks {
			print(gradeChecks(c, cfg.Transcript, cfg.State))
		}
	}
	if len(suite.Scenarios) > 0 {
		r := &runner{cfg: cfg}
		r.runAll(ctx, suite.Scenarios, print)
	}
	rep.DurationMS = ms(time.Since(start))
	if baseline != nil {
		writeComparison(cfg.Out, cfg.Baseline, compare(baseline, rep, cfg.Run))
	}
	fmt.Fprintln(cfg.Out, rep.closingLine(time.Since(start)))
	var errs []error
	if cfg.JSON != "" {
		errs = append(errs, rep.writeJSON(cfg.JSON))
	}
	if cfg.JUnit != "" {
		errs = append(errs, rep.writeJUnit(cfg.JUnit))
	}
	return rep, errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Parallel <= 0 {
		c.Parallel = runtime.NumCPU()
	}
	if c.BaseSeed == 0 {
		c.BaseSeed = 1
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Logs == nil {
		c.Logs = slog.DiscardHandler
	}
	return c
}

// filter applies --run and checks that what is left can run.
func (c Config) filter(s *Suite) error {
	if len(s.Scenarios)+len(s.Checks) == 0 {
		// An empty directory (or a path mistyped into one) must not pass CI.
		return fmt.Errorf("no scenario or checks files (.yaml, .yml, .json) in %s", strings.Join(c.Paths, ", "))
	}
	if c.Transcript != "" && len(s.Scenarios) > 0 {
		sc := s.Scenarios[0]
		return fmt.Errorf("%s:%d: --transcript grades checks files, and %q is a scenario (run scenarios without --transcript)", sc.File, sc.Line, sc.Name)
	}
	if c.Transcript != "" {
		// The run to grade is the command line's: a missing file is a
		// usage error, as a missing scenario file is.
		if _, err := transcript.ReadFile(c.Transcript); err != nil {
			return fmt.Errorf("--transcript: %w", err)
		}
	}
	for _, ch := range s.Checks {
		if c.Transcript == "" && ch.Transcript == "" {
			return fmt.Errorf("%s:%d: checks %q name no transcript: add transcript: FILE, or give --transcript FILE", ch.File, ch.Line, ch.Name)
		}
	}
	if c.Run != nil {
		total := len(s.Scenarios) + len(s.Checks)
		s.Scenarios = keep(s.Scenarios, func(sc *Scenario) string { return sc.Name }, c.Run)
		s.Checks = keep(s.Checks, func(ch *Checks) string { return ch.Name }, c.Run)
		if len(s.Scenarios)+len(s.Checks) == 0 {
			return fmt.Errorf("--run %q matches none of the %d scenarios and checks", c.Run, total)
		}
	}
	if c.Record != "" {
		// Each scenario records under its own directory: two names that
		// make the same one would overwrite (or interleave) each other.
		dirs := map[string]*Scenario{}
		for _, sc := range s.Scenarios {
			d := slug(sc.Name)
			if other, ok := dirs[d]; ok {
				return fmt.Errorf("%s:%d: scenarios %q and %q (%s:%d) would both record to %s: rename one",
					sc.File, sc.Line, sc.Name, other.Name, other.File, other.Line, filepath.Join(c.Record, d))
			}
			dirs[d] = sc
		}
	}
	return nil
}

// checkOutputs makes the --record directory and checks that the reports'
// directories are there, so that a mistyped path is refused before the
// runs rather than failing every one of them, or all their work after.
func (c Config) checkOutputs() error {
	if c.Record != "" {
		if err := os.MkdirAll(c.Record, 0o700); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	}
	for _, out := range []struct{ flag, path string }{{"--json", c.JSON}, {"--junit", c.JUnit}} {
		if out.path == "" {
			continue
		}
		if st, err := os.Stat(out.path); err == nil && st.IsDir() {
			return fmt.Errorf("%s: %s is a directory: name the report file", out.flag, out.path)
		}
		dir := filepath.Dir(out.path)
		st, err := os.Stat(dir)
		if err == nil && !st.IsDir() {
			err = fmt.Errorf("%s is not a directory", dir)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", out.flag, err)
		}
	}
	return nil
}

// recordedRun is a file the runner records: run-N.jsonl, run-N.state.json.
var recordedRun = regexp.MustCompile(`^run-[0-9]+\.(jsonl|state\.json)$`)

// clearRecordings removes the run files an earlier --record left in the
// directories of the scenarios about to run, so that a scenario now with
// fewer runs leaves no stale run-N beside the new ones. Other files stay.
func clearRecordings(record string, scenarios []*Scenario) error {
	if record == "" {
		return nil
	}
	for _, sc := range scenarios {
		dir := filepath.Join(record, slug(sc.Name))
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Type().IsRegular() && recordedRun.MatchString(e.Name()) {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func keep[T any](items []T, name func(T) string, re *regexp.Regexp) []T {
	var out []T
	for _, it := range items {
		if re.MatchString(name(it)) {
			out = append(out, it)
		}
	}
	return out
}

// line is a result as the one line the runner prints.
func (r *Result) line() string {
	var b strings.Builder
	switch {
	case r.Passed:
		b.WriteString("PASS ")
	case r.Interrupted:
		b.WriteString("INTERRUPTED ")
	default:
		b.WriteString("FAIL ")
	}
	b.WriteString(r.Name)
	switch {
	case r.Interrupted:
		if r.Runs > 1 {
			fmt.Fprintf(&b, " (%d/%d runs passed before the interrupt)", r.PassedRuns, r.Runs)
		}
		return b.String()
	case r.Kind == KindChecks && r.Passed:
		fmt.Fprintf(&b, " (%d calls)", r.Calls)
	case r.Kind == KindScenario && (r.Passed || r.Runs > 1):
		fmt.Fprintf(&b, " (%d/%d runs, %.1fs)", r.PassedRuns, r.Runs, r.DurationMS/1000)
	}
	if !r.Passed {
		b.WriteString(" -- ")
		b.WriteString(r.Failure)
	}
	return b.String()
}

// closingLine is the last line printed: the counts and the time taken.
func (r *Report) closingLine(took time.Duration) string {
	if r.Interrupted > 0 {
		return fmt.Sprintf("%d passed, %d failed, %d interrupted in %.2fs", r.Passed, r.Failed, r.Interrupted, took.Seconds())
	}
	return fmt.Sprintf("%d passed, %d failed in %.2fs", r.Passed, r.Failed, took.Seconds())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// printable is s for a terminal: control characters (an escape sequence
// in a scenario's name, say) are shown escaped, not sent raw.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
