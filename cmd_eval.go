package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"

	"github.com/ada-mcp/ada-mcp/eval"
)

const evalUsage = `Usage:
  ada-mcp eval [flags] PATH...                          run scenarios
  ada-mcp eval --transcript run.jsonl [flags] CHECKS...  grade a recorded run

PATH is a scenario or checks file (.yaml, .yml, .json) or a directory searched
for them (state files, *.state.json, are skipped). Each scenario runs against
a fresh sandbox through an MCP client session on the server ada-mcp serves.
Prints one line per scenario, then "N passed, N failed". Exit status: 0 all
passed, 1 something failed or was interrupted, 2 a usage error or a malformed
file (file:line).

Flags:
`

func runEval(ctx context.Context, args []string, std stdio) int {
	var cfg eval.Config
	var run string
	var logs LogConfig
	e := &env{getenv: std.getenv}
	fs := flag.NewFlagSet("ada-mcp eval", flag.ContinueOnError)
	fs.SetOutput(std.stderr)
	fs.Usage = func() {
		fmt.Fprint(std.stderr, evalUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Transcript, "transcript", "", "grade this recorded transcript (JSON Lines from the server's --transcript) with the checks files given")
	fs.StringVar(&cfg.State, "state", "", "with --transcript: the state dump saved with the run (--sandbox-state-out); default: the transcript's NAME.state.json beside it")
	fs.StringVar(&run, "run", "", "run only the scenarios and checks whose name matches this regular expression")
	fs.IntVar(&cfg.Parallel, "parallel", 0, "runs at once (default: the number of CPUs)")
	fs.Int64Var(&cfg.BaseSeed, "seed", 1, "seed of run 1 of scenarios that set none (run i gets seed+i-1)")
	fs.StringVar(&cfg.JUnit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&cfg.JSON, "json", "", "write a JSON report to this file")
	fs.StringVar(&cfg.Baseline, "baseline", "", "a report from an earlier --json: print regressions and new passes against it")
	fs.StringVar(&cfg.Record, "record", "", "a directory: each run's transcript and sandbox state are written under it")
	logs.addFlags(fs, e, "error")
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		err = errors.Join(e.errs...)
	}
	if err == nil {
		err = logs.finish()
	}
	if err == nil && len(positional) == 0 && cfg.Transcript != "" {
		err = errors.New("name the checks files to grade the transcript with, e.g. ada-mcp eval --transcript run.jsonl checks.yaml")
	}
	if err == nil && len(positional) == 0 {
		err = errors.New("name scenario files or directories, e.g. ada-mcp eval testdata/evals")
	}
	if err == nil && cfg.State != "" && cfg.Transcript == "" {
		err = errors.New("--state goes with --transcript (the state saved with that run); a checks file names its own with state:")
	}
	if err == nil && cfg.State != "" {
		if _, serr := os.Stat(cfg.State); serr != nil {
			err = fmt.Errorf("--state: %w", serr)
		}
	}
	if err == nil && cfg.BaseSeed == 0 {
		// eval.Config reads 0 as "the default", which is 1: refused rather
		// than run with another seed than asked (a scenario's own
		// sandbox.seed can be 0).
		err = errors.New("--seed must not be 0: give another seed (the default is 1)")
	}
	if err == nil && cfg.Parallel < 0 {
		err = errors.New("--parallel must not be negative")
	}
	if err == nil && run != "" {
		if cfg.Run, err = regexp.Compile(run); err != nil {
			err = fmt.Errorf("--run: %w", err)
		}
	}
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp eval:", err)
		return exitUsage
	}
	cfg.Paths = positional
	cfg.Version = buildVersion()
	cfg.Logs = logs.handler(std.stderr)
	cfg.Out = std.stdout
	rep, err := eval.Run(ctx, cfg)
	var usage *eval.UsageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(std.stderr, "ada-mcp eval:", err)
		return exitUsage
	case err != nil:
		fmt.Fprintln(std.stderr, "ada-mcp eval:", err)
		return exitFail
	case rep.Failed > 0 || rep.Interrupted > 0:
		return exitFail
	}
	return exitOK
}
