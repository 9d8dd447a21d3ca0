package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/eval"
)

// readmeBlock is the first ```lang block after the heading in README.md.
func readmeBlock(t *testing.T, heading, lang string) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no heading %q", heading)
	}
	_, block, ok := strings.Cut(after, "```"+lang+"\n")
	if !ok {
		t.Fatalf("no ```%s block after %q", lang, heading)
	}
	block, _, _ = strings.Cut(block, "```")
	return block
}

// Someone who reads only the README can write a scenario and a checks
// file that run: the README's own examples pass.
func TestREADMEEvaluationExamplesRun(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(scenario, []byte(readmeBlock(t, "### Writing a scenario", "yaml")), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := eval.Run(context.Background(), eval.Config{Paths: []string{scenario}, Out: &out})
	if err != nil || rep.Failed != 0 {
		t.Fatalf("the README's scenario: %v\n%s", err, out.String())
	}

	// Record a run the way the README says, with an agent that does what
	// the README's checks ask for, and grade it with those checks.
	run, state := filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "run.state.json")
	s, stop := serveStdioInProcess(t, nil, io.Discard, "--sandbox", "--sandbox-seed", "7", "--transcript", run, "--sandbox-state-out", state)
	if got := s.OK("lookup_end_user", map[string]any{"external_id": "cust-9"}); got["found"] != false {
		t.Fatal(got)
	}
	up := s.OK("upsert_end_user", map[string]any{"external_id": "cust-9"})
	conv := s.OK("start_conversation", map[string]any{"end_user_id": up["end_user"].(map[string]any)["end_user_id"]})
	cid := conv["conversation_id"]
	s.OK("send_message", map[string]any{"conversation_id": cid, "body": "Can I get a refund?", "wait_for_reply_seconds": 5})
	s.OK("end_conversation", map[string]any{"conversation_id": cid})
	stop()
	checks := filepath.Join(dir, "checks.yaml")
	if err := os.WriteFile(checks, []byte(readmeBlock(t, "### Grading a recorded run", "yaml")), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	rep, err = eval.Run(context.Background(), eval.Config{Paths: []string{checks}, Out: &out})
	if err != nil || rep.Failed != 0 || rep.Passed != 1 {
		t.Fatalf("the README's checks: %v\n%s", err, out.String())
	}
}

// Every flag each command has, and every environment variable its help
// names, is in the README: a flag added without a line there fails here.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	flagRE := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`)
	envRE := regexp.MustCompile(`\b(ADA_[A-Z0-9_]+)`)
	for _, args := range [][]string{
		{"--help"}, {"sandbox", "--help"}, {"tools", "list", "--help"}, {"tools", "call", "--help"},
		{"webhooks", "setup", "--help"}, {"eval", "--help"},
	} {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
		cancel()
		help := stdout.String() + stderr.String()
		flags := flagRE.FindAllStringSubmatch(help, -1)
		if len(flags) == 0 {
			t.Fatalf("%v: no flags in its help:\n%s", args, help)
		}
		for _, f := range flags {
			named := regexp.MustCompile("(?m)(^|[\\s`])--" + f[1] + "([\\s=`]|$)")
			if !named.MatchString(readme) {
				t.Errorf("%v: flag --%s is not in the README", args, f[1])
			}
		}
		for _, v := range envRE.FindAllString(help, -1) {
			if !strings.Contains(readme, v) {
				t.Errorf("%v: environment variable %s is not in the README", args, v)
			}
		}
	}
}

// Every environment variable the README's tables list is one the program
// reads: a renamed or dropped one does not linger there.
func TestREADMEListsOnlyRealEnvironmentVariables(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			f, err := os.ReadFile(path)
			src.Write(f)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `(ADA_[A-Z0-9_]+)`").FindAllStringSubmatch(string(b), -1)
	if len(rows) < 10 {
		t.Fatalf("found %d environment variables in the README's tables; the pattern no longer finds them", len(rows))
	}
	for _, r := range rows {
		if !strings.Contains(src.String(), `"`+r[1]+`"`) {
			t.Errorf("README lists %s, which no Go source reads", r[1])
		}
	}
}

// The --json report CI reads is documented: the README's example is a
// report (no field it names is unknown) and names every field there is.
func TestREADMEDocumentsTheJSONReport(t *testing.T) {
	block := readmeBlock(t, "### The `--json` report", "json")
	dec := json.NewDecoder(strings.NewReader(block))
	dec.DisallowUnknownFields()
	var rep eval.Report
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the README's report is no --json report: %v", err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[eval.Report](), reflect.TypeFor[eval.Result](),
		reflect.TypeFor[eval.RunResult](), reflect.TypeFor[eval.StepResult]()} {
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" && !strings.Contains(block, `"`+name+`":`) {
				t.Errorf("the README's --json report has no %q (%s.%s)", name, typ.Name(), f.Name)
			}
		}
	}
}
