package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runWith runs the program with args, no environment and stdin.
func runWith(t *testing.T, stdin io.Reader, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, func(string) string { return "" }, stdin, &stdout, &stderr)
	return code, stderr.String()
}

// Mistakes in the command line or the files it names exit 2 and name the
// flag, whether the flag parser or the server's assembly finds them.
func TestUsageMistakesExitTwoNamingTheFlag(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"nope": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sandbox", "--toolsets", "bogus"}, `unknown toolset "bogus"`},
		{[]string{"--sandbox", "--sandbox-state", filepath.Join(dir, "missing.json")}, "--sandbox-state"},
		{[]string{"--sandbox", "--sandbox-state", bad}, "--sandbox-state"},
		{[]string{"--sandbox", "--sandbox-agent", bad}, "--sandbox-agent"},
		{[]string{"--sandbox", "--sandbox-state-out", filepath.Join(dir, "no", "such", "dir.json")}, "--sandbox-state-out"},
		{[]string{"--sandbox", "--max-concurrent-per-client", "0"}, "--max-concurrent-per-client"},
		{[]string{"--sandbox", "--shutdown-timeout", "-1s"}, "--shutdown-timeout"},
		{[]string{"tools", "call", "lookup_end_user", "--sandbox", "--sandbox-state-out", filepath.Join(dir, "no", "x.json"), "--args", `{"external_id":"a"}`}, "--sandbox-state-out"},
		{[]string{"sandbox", "--webhook-url", "not a url"}, "--webhook-url"},
		{[]string{"sandbox", "--webhook-secret-file", bad}, "--webhook-secret-file needs --webhook-url"},
		{[]string{"sandbox", "--addr", "nonsense"}, "--addr"},
		{[]string{"sandbox", "--addr", "127.0.0.1:99999"}, "--addr"},
		{[]string{"webhooks", "setup", "--api-key", "k", "--base-url", "http://127.0.0.1:1/api", "--url", "https://mcp.example.com/other"}, "must end in /webhooks/ada"},
		{[]string{"webhooks", "setup", "--api-key", "k", "--base-url", "http://127.0.0.1:1/api", "--url", "https://mcp.example.com/webhooks/ada",
			"--secret-file", filepath.Join(dir, "no", "such", "secret")}, "does not exist"},
		{[]string{"tools", "call"}, "name one tool"},
		{[]string{"--api-key", "k", "--bot-handle", "https://acme.ada.support"}, `--bot-handle (ADA_BOT_HANDLE): invalid Ada bot handle "https://acme.ada.support": give the handle alone, "acme"`},
		{[]string{"--api-key", "k", "--bot-handle", "https://u:s3cretpw@acme.eu.ada.support/api"}, `give the handle alone, "acme.eu"`},
		{[]string{"--api-key", "k", "--bot-handle", "u:s3cretpw@acme"}, "--bot-handle (ADA_BOT_HANDLE): invalid Ada bot handle"},
		{[]string{"--api-key", "k", "--base-url", "https://acme.ada.support/api/v2"}, "--base-url (ADA_BASE_URL): ada base URL https://acme.ada.support/api/v2 ends in the API version"},
		{[]string{"tools", "call", "list_channels", "--args", "{}", "--api-key", "k", "--base-url", "https://acme.ada.support"}, "--base-url (ADA_BASE_URL): "},
		{[]string{"--transport", "http", "--addr", "nonsense"}, `--addr "nonsense": want host:port`},
		{[]string{"eval", "--transcript", bad}, "name the checks files"},
		{[]string{"eval", "--state", bad, "testdata/evals"}, "--state goes with --transcript"},
		{[]string{"eval", "--transcript", bad, "--state", filepath.Join(dir, "missing.json"), "testdata/evals"}, "--state: "},
		{[]string{"eval", "--baseline", bad, "testdata/evals/read-only.yaml"}, "is not a report written by --json"},
		{[]string{"eval", "--seed", "0", "testdata/evals/read-only.yaml"}, "--seed must not be 0"},
		{[]string{"--transport", "http", "--redis-url", "redis://:s3cretpass@127.0.0.1:notaport"}, "--redis-url: invalid port ("},
		{[]string{"--transport", "http", "--redis-url", "redis://:s3cret pass@127.0.0.1:6379"}, "--redis-url: invalid user or password"},
	} {
		code, stderr := runWith(t, strings.NewReader(""), c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
		if strings.Contains(stderr, "s3cret") {
			t.Errorf("%v: the password is in %q", c.args, stderr)
		}
	}
}

// A sandbox state that cannot be written when the server stops makes the
// run fail: the record a grader needs is lost.
func TestLostStateFailsTheRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	stdinR, stdinW := io.Pipe()
	done := make(chan int, 1)
	var stderr string
	go func() {
		code, e := runWith(t, stdinR, "--sandbox", "--sandbox-state-out", filepath.Join(dir, "run.state.json"))
		stderr = e
		done <- code
	}()
	// The file is made at start: wait for it, then take its directory away.
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "run.state.json")); err == nil {
			break
		}
		if i == 500 {
			t.Fatal("the state file was not created at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	stdinW.Close()
	select {
	case code := <-done:
		if code != exitFail || !strings.Contains(stderr, "--sandbox-state-out") {
			t.Fatalf("exit %d, stderr %q; want 1 naming --sandbox-state-out", code, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop when stdin closed")
	}
}

// Listing the tools needs no Ada: without credentials it lists them.
func TestToolsListNeedsNoCredentials(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"tools", "list", "--toolsets", "end_users"}, func(string) string { return "" },
		strings.NewReader(""), &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "lookup_end_user") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}

// tools call prints the result's JSON as the server wrote it: an integer
// over 2^53 keeps its digits (decoded to print, it lost the last).
func TestToolsCallKeepsLargeIntegers(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"tools", "call", "start_conversation", "--sandbox", "--args", `{"external_id":"big","metadata":{"big":9007199254740993}}`},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "9007199254740993") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}

// tools call takes the server's --webhook-secret-file (or its variable),
// where rotate_webhook_secret writes the new secret, as a served call does.
func TestToolsCallTakesTheWebhookSecretFile(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"ADA_WEBHOOK_SECRET_FILE": "/run/secret"}, nil},
		{nil, []string{"--webhook-secret-file", "/run/secret"}},
	} {
		std := stdio{getenv: func(k string) string { return c.env[k] }, stderr: io.Discard}
		cfg, _, err := loadToolsConfig("call", append([]string{"rotate_webhook_secret", "--sandbox", "--args", "{}"}, c.args...), std)
		if err != nil || cfg.Webhooks.SecretFile != "/run/secret" {
			t.Errorf("%v %v: secret file %q, %v", c.env, c.args, cfg.Webhooks.SecretFile, err)
		}
	}
}

// A toolset typo stops the start before the transcript is opened: the last
// run's transcript is still there.
func TestToolsetTypoLeavesTheTranscript(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(path, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runWith(t, strings.NewReader(""), "--sandbox", "--transcript", path, "--toolsets", "bogus"); code != exitUsage || !strings.Contains(stderr, "--toolsets") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != "{}\n" {
		t.Fatalf("the transcript was emptied: %q", b)
	}
}

// --help and usage errors list the flags with their defaults, which come
// from the environment: the secret ones (the Ada key, the sandbox's key, a
// Redis URL with its password, a base URL) are never printed.
func TestHelpNeverPrintsSecrets(t *testing.T) {
	env := map[string]string{
		"ADA_API_KEY":       "ada_key_Help7Canary9",
		"ADA_SANDBOX_KEY":   "sandbox_key_Help7Canary9",
		"ADA_MCP_REDIS_URL": "redis://:redis_pw_Help7Canary9@127.0.0.1:6379/0",
		"ADA_BASE_URL":      "https://u:base_pw_Help7Canary9@acme.ada.support/api",
	}
	for _, args := range [][]string{
		{"--help"}, {"--sandox"},
		{"sandbox", "--help"}, {"sandbox", "--bogus"},
		{"tools", "list", "--help"}, {"tools", "call", "--bogus"},
		{"webhooks", "setup", "--help"}, {"webhooks", "setup", "--bogus"},
		{"eval", "--help"},
	} {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
		cancel()
		out := stdout.String() + stderr.String()
		if !strings.Contains(out, "-") {
			t.Errorf("%v: no usage printed: %q", args, out)
		}
		if strings.Contains(out, "Help7Canary9") {
			t.Errorf("%v prints a secret:\n%s", args, out)
		}
	}
}

// An address another process holds is a mistake in the flag that gave it:
// exit 2, naming the flag and what to do, for every listening flag.
func TestAddressInUseNamesTheFlag(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--sandbox", "--transport", "http", "--addr", addr}, "--addr"},
		{[]string{"--sandbox", "--transport", "http", "--addr", "127.0.0.1:0", "--webhook-addr", addr}, "--webhook-addr"},
		{[]string{"--sandbox", "--pprof", addr}, "--pprof"},
		{[]string{"sandbox", "--addr", addr}, "--addr"},
	} {
		code, stderr := runWith(t, strings.NewReader(""), c.args...)
		want := c.flag + " " + addr + ": another process is already listening there: stop it, or give " + c.flag + " another port"
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, want)
		}
	}
}

// A mistyped flag gets one line naming it, and the flag it is likely a
// typo of, not the whole usage (where a host's log would bury it).
func TestFlagMistakeIsOneLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sandbx"}, "ada-mcp: unknown flag --sandbx: did you mean --sandbox? (see --help)\n"},
		{[]string{"--sandbox", "--call-timeout", "5"}, "ada-mcp: --call-timeout: \"5\" is not a duration such as 30s or 500ms\n"},
		{[]string{"--sandbox", "--nothing-like-it"}, "ada-mcp: unknown flag --nothing-like-it (see --help)\n"},
		{[]string{"tools", "list", "--toolset", "all"}, "ada-mcp tools: unknown flag --toolset: did you mean --toolsets? (see --help)\n"},
		{[]string{"sandbox", "--sed", "3"}, "ada-mcp sandbox: unknown flag --sed: did you mean --seed? (see --help)\n"},
		{[]string{"eval", "--paralel", "2", "testdata/evals"}, "ada-mcp eval: unknown flag --paralel: did you mean --parallel? (see --help)\n"},
		{[]string{"webhooks", "setup", "--urll", "x"}, "ada-mcp webhooks setup: unknown flag --urll: did you mean --url? (see --help)\n"},
	} {
		code, stderr := runWith(t, strings.NewReader(""), c.args...)
		if code != exitUsage || stderr != c.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// The start line names the Ada it talks to, and a server that would start
// conversations with no channel to start them on says so at once, not at
// the first ask_ai_agent.
func TestStartSaysWhichAdaAndWhetherAChannelIsSet(t *testing.T) {
	start := func(channel string) string {
		env := map[string]string{"ADA_API_KEY": "k", "ADA_BOT_HANDLE": "acme", "ADA_CHANNEL_ID": channel}
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if code := run(ctx, nil, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d:\n%s", code, stderr.String())
		}
		return stderr.String()
	}
	logs := start("")
	if !strings.Contains(logs, "ada_host=acme.ada.support") || !strings.Contains(logs, "no default channel: start_conversation needs a channel_id") {
		t.Errorf("without ADA_CHANNEL_ID:\n%s", logs)
	}
	if logs := start("chan-1"); strings.Contains(logs, "no default channel") {
		t.Errorf("with ADA_CHANNEL_ID, still warned:\n%s", logs)
	}
}

// A flag whose value has no Get (flag.Func's) that refuses its value is
// reported as one line too, not a panic.
func TestFlagMistakeOfAFuncFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Func("mode", "a mode", func(string) error { return errors.New("not a mode") })
	err := parseFlags(fs, []string{"--mode", "q"})
	if err == nil || !strings.Contains(err.Error(), "--mode") {
		t.Fatalf("parseFlags: %v", err)
	}
}
