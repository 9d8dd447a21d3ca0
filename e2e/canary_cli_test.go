package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// canaryToolsCommand runs `ada-mcp tools` with logs at debug: list, and
// calls on the sandbox and on the canary Ada (the API key in ADA_API_KEY)
// that carry canaries in valid and bad arguments, name no tool but the
// API key, or meet each hostility. Neither stdout nor stderr nor the
// transcript may carry a canary. The command serves no HTTP and receives
// no webhooks: its secrets are the API key and the call's own.
func canaryToolsCommand(t *testing.T) {
	ada := newCanaryAda(t, canary.apiKey, quickly())
	transcriptFile := filepath.Join(t.TempDir(), "calls.jsonl")
	secrets := canary.named()
	delete(secrets, "bearer token")
	delete(secrets, "webhook secret")
	saw := newSeen()

	sensitive := fmt.Sprintf(`{"external_id": "canary-cli", "profile": {"first_name": "Ana", "metadata": {"password": %q, "plan": "gold"}},
		"sensitive_metadata": {"auth_token": %q, "session_id": %q, "account_no": %s}}`, canary.metadata, canary.sensitive, canary.session, canary.number)
	// Wrong types, an unknown key and an over-long enum value, canaries in
	// each (error messages quote values).
	bad := fmt.Sprintf(`{"external_id": [%q], %q: 1, "sensitive_metadata": {"auth_token": {"deep": %q}, "session_id": [%q]}}`,
		canary.apiKey, canary.apiKey, canary.sensitive, canary.session)
	badEnum := fmt.Sprintf(`{"conversation_id": "c1", "body": "hi", "role": "%s%s"}`, strings.Repeat("x", 40), canary.apiKey)

	for _, c := range []struct {
		name  string
		ada   bool // on the canary Ada, else --sandbox
		args  []string
		code  int
		wants string // in stdout or stderr: the run did what it says
	}{
		{"list", true, []string{"list", "--toolsets", "all"}, 0, "delete_end_user_data"},
		{"list --json", false, []string{"list", "--json", "--toolsets", "all"}, 0, `"inputSchema"`},
		{"sensitive metadata, sandbox", false, []string{"call", "upsert_end_user", "--args", sensitive}, 0, `"sensitive_metadata_keys_set"`},
		{"sensitive metadata, Ada", true, []string{"call", "upsert_end_user", "--args", sensitive, "--transcript", transcriptFile}, 0, `"sensitive_metadata_keys_set"`},
		{"bad arguments, sandbox", false, []string{"call", "upsert_end_user", "--args", strings.ReplaceAll(bad, canary.apiKey, "ignored")}, 1, "Invalid argument"},
		{"bad arguments, Ada", true, []string{"call", "upsert_end_user", "--args", bad}, 1, "Invalid argument"},
		{"bad enum, Ada", true, []string{"call", "send_message", "--args", badEnum}, 1, "Invalid argument"},
		{"unknown tool, Ada", true, []string{"call", canary.apiKey, "--args", "{}"}, 2, "lookup_end_user"},
	} {
		stdout, stderr, code := canaryCommand(t, ada, c.ada, c.args...)
		saw.add("ada-mcp tools "+c.name+" stdout", stdout)
		saw.add("ada-mcp tools "+c.name+" stderr", stderr)
		if code != c.code || !strings.Contains(stdout+stderr, c.wants) {
			t.Errorf("ada-mcp tools %s: exit %d, want %d with %q\nstdout: %.1000s\nstderr: %.2000s", c.name, code, c.code, c.wants, stdout, stderr)
		}
		if c.args[0] == "call" && c.code == 0 && !strings.Contains(stderr, "DEBUG") {
			t.Errorf("ada-mcp tools %s logs no debug lines: %.2000s", c.name, stderr)
		}
	}
	for i, h := range ada.list {
		ada.turn(i)
		stdout, stderr, code := canaryCommand(t, ada, true, "call", "get_conversation", "--args", `{"conversation_id": "c1"}`)
		where := fmt.Sprintf("ada-mcp tools call on Ada %d (%s)", h.status, h.form)
		saw.add(where+" stdout", stdout)
		saw.add(where+" stderr", stderr)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\nstderr: %.2000s", where, code, stderr)
		}
	}
	ada.calm()
	checkCanaries(t, secrets, saw, evidence{"transcript", readFile(t, transcriptFile)})
}

// canaryCommand runs `ada-mcp tools args...` with logs at debug, on the
// canary Ada (onAda) or its own sandbox.
func canaryCommand(t *testing.T, ada *canaryAda, onAda bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	args = append(append([]string{"tools"}, args...), "--log-level", "debug")
	if !onAda {
		args = append(args, "--sandbox")
	}
	cmd := command(t, args...)
	if onAda {
		cmd.Env = append(cmd.Env, ada.env()...)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), exitCode(err)
}
