package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/events"
)

// sandboxProc is `ada-mcp sandbox` running on a free loopback port.
type sandboxProc struct {
	cmd     *exec.Cmd
	baseURL string // http://127.0.0.1:PORT/api
	root    string // http://127.0.0.1:PORT
	stderr  *bytes.Buffer
	exited  chan error
}

var baseURLLine = regexp.MustCompile(`Ada API at (http://[0-9.:]+)/api`)

func startSandboxCmd(t *testing.T, args ...string) *sandboxProc {
	t.Helper()
	return startSandboxProc(t, command(t, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...))
}

// startSandboxProc starts a prepared `ada-mcp sandbox` command and waits
// for its base URL.
func startSandboxProc(t *testing.T, cmd *exec.Cmd) *sandboxProc {
	t.Helper()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &sandboxProc{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("ada-mcp sandbox did not stop on SIGTERM")
		}
	})
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("ada-mcp sandbox exited early:\n%s", p.stderr)
			}
			p.stderr.WriteString(line + "\n")
			if m := baseURLLine.FindStringSubmatch(line); m != nil {
				p.root, p.baseURL = m[1], m[1]+"/api"
				// Keep reading stderr so the process never blocks on it.
				go func() {
					for l := range lines {
						_ = l
					}
				}()
				return p
			}
		case <-deadline:
			t.Fatalf("ada-mcp sandbox printed no base URL:\n%s", p.stderr)
		}
	}
}

func (p *sandboxProc) request(t *testing.T, method, url, key string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestSandboxCommandAnswersAsAda(t *testing.T) {
	skipOnWindows(t)
	const key = "sandbox_key_given_9c1e77"
	p := startSandboxCmd(t, "--key", key, "--seed", "3")
	if strings.Contains(p.stderr.String(), key) {
		t.Fatalf("the key it was given reached stderr:\n%s", p.stderr)
	}

	resp, body := p.request(t, http.MethodGet, p.baseURL+"/v2/channels/?type=custom", key, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit") == "" {
		t.Fatalf("GET channels: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	var page struct {
		Data []map[string]any `json:"data"`
		Meta map[string]any   `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); err != nil || len(page.Data) == 0 {
		t.Fatalf("channels body %s: %v", body, err)
	}
	resp, body = p.request(t, http.MethodGet, p.baseURL+"/v2/channels/?type=custom", "wrong", nil)
	if resp.StatusCode != http.StatusUnauthorized || !bytes.Contains(body, []byte(`"errors"`)) {
		t.Fatalf("a wrong key: %d %s", resp.StatusCode, body)
	}

	// The state endpoints, and the tools CLI against this sandbox: state
	// survives from one CLI call to the next.
	env := []string{"ADA_BASE_URL=" + p.baseURL, "ADA_API_KEY=" + key}
	out, errOut, code := runCLI(t, env, "tools", "call", "upsert_end_user", "--args", `{"external_id": "cli-1", "profile": {"first_name": "Ada"}, "sensitive_metadata": {"pin": "cli-secret-4471"}}`)
	if code != 0 || !strings.Contains(out, `"created": true`) {
		t.Fatalf("tools call upsert: exit %d\n%s\n%s", code, out, errOut)
	}
	out, _, code = runCLI(t, env, "tools", "call", "lookup_end_user", "--args", `{"external_id": "CLI-1"}`)
	// The structured result, not the fenced text a model reads.
	if code != 0 || !strings.Contains(out, `"found": true`) || strings.Contains(out, "cli-secret-4471") || strings.Contains(out, "untrusted-data") {
		t.Fatalf("tools call lookup: exit %d\n%s", code, out)
	}
	resp, body = p.request(t, http.MethodGet, p.root+"/_sandbox/state", key, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"cli-1"`)) || !bytes.Contains(body, []byte(`"pin"`)) ||
		bytes.Contains(body, []byte("cli-secret-4471")) {
		t.Fatalf("GET /_sandbox/state: %d %s", resp.StatusCode, body)
	}
	resp, body = p.request(t, http.MethodPost, p.root+"/_sandbox/reset", key, nil)
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"cli-1"`)) {
		t.Fatalf("POST /_sandbox/reset: %d %s", resp.StatusCode, body)
	}
	resp, body = p.request(t, http.MethodPut, p.root+"/_sandbox/state", key, strings.NewReader(`{"end_users": [{"external_id": "loaded-1"}]}`))
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"loaded-1"`)) {
		t.Fatalf("PUT /_sandbox/state: %d %s", resp.StatusCode, body)
	}
	out, _, code = runCLI(t, env, "tools", "call", "lookup_end_user", "--args", `{"external_id": "loaded-1"}`)
	if code != 0 || !strings.Contains(out, `"found": true`) {
		t.Fatalf("after PUT, lookup: exit %d\n%s", code, out)
	}
}

// runCLI runs ada-mcp with args and env, returning stdout, stderr and the
// exit status.
func runCLI(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := command(t, args...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return stdout.String(), stderr.String(), exitCode(err)
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("ada-mcp %v did not finish", args)
	}
	return "", "", -1
}

func TestToolsCLIExitCodes(t *testing.T) {
	for name, tc := range map[string]struct {
		args       []string
		code       int
		stdout     string
		stderr     string
		noStdout   bool
		notStdout  string
		jsonStdout bool
	}{
		"list":               {args: []string{"tools", "list", "--sandbox"}, code: 0, stdout: "lookup_end_user"},
		"list json":          {args: []string{"tools", "list", "--sandbox", "--json"}, code: 0, stdout: `"inputSchema"`, jsonStdout: true},
		"list read-only":     {args: []string{"tools", "list", "--sandbox", "--read-only"}, code: 0, stdout: "list_messages", notStdout: "upsert_end_user"},
		"list toolset":       {args: []string{"tools", "list", "--sandbox", "--toolsets", "channels"}, code: 0, stdout: "list_channels", notStdout: "lookup_end_user"},
		"call ok":            {args: []string{"tools", "call", "list_channels", "--sandbox", "--args", "{}"}, code: 0, stdout: `"channels"`, jsonStdout: true},
		"flags before name":  {args: []string{"tools", "call", "--sandbox", "--args", `{"external_id":"x"}`, "lookup_end_user"}, code: 0, stdout: `"found": false`},
		"error result":       {args: []string{"tools", "call", "lookup_end_user", "--sandbox", "--args", `{}`}, code: 1, stderr: "external_id", noStdout: true},
		"unknown argument":   {args: []string{"tools", "call", "lookup_end_user", "--sandbox", "--args", `{"externalId":"x"}`}, code: 1, stderr: "externalId", noStdout: true},
		"duplicate key":      {args: []string{"tools", "call", "lookup_end_user", "--sandbox", "--args", `{"external_id":"x","external_id":"y"}`}, code: 1, stderr: "external_id: appears twice", noStdout: true},
		"unknown tool":       {args: []string{"tools", "call", "lookup_user", "--sandbox", "--args", "{}"}, code: 2, stderr: "lookup_end_user", noStdout: true},
		"read-only write":    {args: []string{"tools", "call", "upsert_end_user", "--sandbox", "--read-only", "--args", `{"external_id":"x"}`}, code: 2, stderr: "no tool", noStdout: true},
		"args not json":      {args: []string{"tools", "call", "list_channels", "--sandbox", "--args", "type=custom"}, code: 2, stderr: "JSON object", noStdout: true},
		"args an array":      {args: []string{"tools", "call", "list_channels", "--sandbox", "--args", "[1]"}, code: 2, stderr: "JSON object", noStdout: true},
		"no args":            {args: []string{"tools", "call", "list_channels", "--sandbox"}, code: 2, stderr: "--args"},
		"no name":            {args: []string{"tools", "call", "--sandbox", "--args", "{}"}, code: 2, stderr: "name one tool"},
		"no verb":            {args: []string{"tools"}, code: 2, stderr: "list or call"},
		"no credentials":     {args: []string{"tools", "call", "list_channels", "--args", "{}"}, code: 2, stderr: "--sandbox"},
		"list, no Ada":       {args: []string{"tools", "list"}, code: 0, stdout: "lookup_end_user"},
		"unknown flag":       {args: []string{"tools", "list", "--sandbox", "--bogus"}, code: 2, stderr: "bogus"},
		"unknown toolset":    {args: []string{"tools", "list", "--sandbox", "--toolsets", "nope"}, code: 2, stderr: "unknown toolset"},
		"args file and args": {args: []string{"tools", "call", "list_channels", "--sandbox", "--args", "{}", "--args-file", "x"}, code: 2, stderr: "not both"},
	} {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if tc.stdout != "" && !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if tc.notStdout != "" && strings.Contains(out, tc.notStdout) {
				t.Errorf("stdout has %q:\n%s", tc.notStdout, out)
			}
			if tc.stderr != "" && !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errOut)
			}
			if tc.noStdout && out != "" {
				t.Errorf("stdout must stay empty on failure: %s", out)
			}
			if tc.jsonStdout && !json.Valid([]byte(out)) {
				t.Errorf("stdout is not JSON: %s", out)
			}
		})
	}
}

func TestToolsCLIArgsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "args.json")
	if err := os.WriteFile(path, []byte(`{"external_id": "f-1", "profile": {"email": "f@example.com"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, nil, "tools", "call", "upsert_end_user", "--sandbox", "--args-file", path)
	if code != 0 || !strings.Contains(out, "f@example.com") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// The shipped scenarios pass through the built binary, as CI and the
// README run them, and a report is written.
func TestEvalCommand(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report.json")
	junit := filepath.Join(dir, "junit.xml")
	out, errOut, code := runCLI(t, nil, "eval", "--json", report, "--junit", junit, "../testdata/evals")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !regexp.MustCompile(`^\d+ passed, 0 failed in [0-9.]+s$`).MatchString(lines[len(lines)-1]) {
		t.Fatalf("closing line %q", lines[len(lines)-1])
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "PASS ") {
			t.Errorf("line %q", l)
		}
	}
	for _, f := range []string{report, junit} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	_, errOut, code = runCLI(t, nil, "eval", "--run", "no-such-scenario", "../testdata/evals")
	if code != 2 || !strings.Contains(errOut, "matches none") {
		t.Fatalf("--run matching nothing: exit %d, %s", code, errOut)
	}
}

// The operator's path, end to end: `ada-mcp webhooks setup` registers the
// server's receiver with "Ada" (here the sandbox command) and saves the
// secret; the server started with that file receives Ada's signed
// deliveries and answers a wait from them.
func TestWebhooksSetupThenReceive(t *testing.T) {
	skipOnWindows(t)
	const key = "setup_key_0123456789abcdef"
	ada := startSandboxCmd(t, "--key", key, "--reply-delay", "300ms")
	port := freePort(t)
	hookURL := fmt.Sprintf("http://127.0.0.1:%d/webhooks/ada", port)
	secretFile := filepath.Join(t.TempDir(), "secret")
	env := []string{"ADA_BASE_URL=" + ada.baseURL, "ADA_API_KEY=" + key}
	out, errOut, code := runCLI(t, env, "webhooks", "setup", "--url", hookURL, "--secret-file", secretFile)
	if code != 0 || !strings.Contains(out, "created") || !strings.Contains(out, secretFile) {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, errOut)
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil || !strings.HasPrefix(string(secret), "whsec_") {
		t.Fatalf("secret file: %q %v", secret, err)
	}
	if st, _ := os.Stat(secretFile); st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v", st.Mode().Perm())
	}
	if strings.Contains(out+errOut, strings.TrimSpace(string(secret))) {
		t.Fatal("setup printed the secret")
	}
	// Running it again updates the same endpoint.
	if out, _, code := runCLI(t, env, "webhooks", "setup", "--url", hookURL, "--secret-file", secretFile); code != 0 || !strings.Contains(out, "updated") {
		t.Fatalf("second setup: %d %s", code, out)
	}
	_, body := ada.request(t, http.MethodGet, ada.baseURL+"/v2/webhooks/", key, nil)
	if n := strings.Count(string(body), hookURL); n != 1 {
		t.Fatalf("%d endpoints for the URL: %s", n, body)
	}

	srv := startHTTP(t, append(env, "ADA_CHANNEL_ID="), "--transport", "http", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--log-level", "debug",
		"--webhook-secret-file", secretFile)
	s := srv.connect(t, "http", "", nil)
	cid := s.OK("start_conversation", map[string]any{"external_id": "setup-1", "channel_id": customChannel(t, ada, key)})["conversation_id"].(string)
	for range 200 {
		if len(s.OK("list_messages", map[string]any{"conversation_id": cid})["messages"].([]any)) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	res := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "where is my order?", "wait_for_reply_seconds": 15})
	if r, _ := res["replies"].([]any); len(r) != 1 {
		t.Fatalf("%v", res)
	}
	if len(srv.logs.Records("webhook kept")) == 0 || len(srv.logs.Records("webhook rejected")) != 0 {
		t.Fatalf("the server received no signed delivery:\n%s", srv.logs)
	}
}

func customChannel(t *testing.T, p *sandboxProc, key string) string {
	t.Helper()
	_, body := p.request(t, http.MethodGet, p.baseURL+"/v2/channels/?type=custom", key, nil)
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &page); err != nil || len(page.Data) == 0 {
		t.Fatalf("%s %v", body, err)
	}
	return page.Data[0].ID
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// `ada-mcp sandbox --webhook-url` delivers Svix-signed webhooks, as Ada
// does, which the server's receiver accepts with the same secret.
func TestSandboxCommandDeliversWebhooks(t *testing.T) {
	skipOnWindows(t)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	rcv, err := events.NewReceiver(events.ReceiverConfig{Secret: secret, Log: events.NewMemory(events.Limits{})})
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(rcv)
	t.Cleanup(hook.Close)
	const key = "sandbox_key_for_webhooks_42"
	cmd := command(t, "sandbox", "--addr", "127.0.0.1:0", "--key", key, "--webhook-url", hook.URL+"/webhooks/ada")
	cmd.Env = append(cmd.Env, "ADA_WEBHOOK_SECRET="+secret)
	p := startSandboxProc(t, cmd)
	if strings.Contains(p.stderr.String(), secret) {
		t.Fatal("a secret it was given was printed")
	}
	resp, body := p.request(t, http.MethodPost, p.baseURL+"/v2/end-users/", key, strings.NewReader(`{"profile": {"first_name": "Hook"}}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for range 500 {
		if rcv.Stats().Accepted.Load() > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if rcv.Stats().Accepted.Load() == 0 || rcv.Stats().Rejected.Load() != 0 {
		t.Fatalf("accepted %d, rejected %d", rcv.Stats().Accepted.Load(), rcv.Stats().Rejected.Load())
	}
}
