package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
