// Package e2e drives the built ada-mcp binary with the official MCP Go SDK
// client, as an MCP host would.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// adaMCP builds the server once per test run.
func adaMCP(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ada-mcp-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "ada-mcp")
		if runtime.GOOS == "windows" {
			binary += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", binary, "..").CombinedOutput()
		if err != nil {
			buildErr = err
			binary = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, binary)
	}
	return binary
}

// startStdio runs `ada-mcp args...` as a subprocess speaking MCP on stdio.
func startStdio(t *testing.T, stderr *bytes.Buffer, args ...string) *testclient.Session {
	t.Helper()
	cmd := exec.Command(adaMCP(t), args...)
	cmd.Env = append(os.Environ(), "ADA_API_KEY=", "ADA_BOT_HANDLE=", "ADA_BASE_URL=")
	cmd.Stderr = stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil)
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nstderr: %s", err, stderr)
	}
	t.Cleanup(func() { cs.Close() })
	return testclient.Wrap(t, cs)
}

func TestStdioSandboxFlow(t *testing.T) {
	var stderr bytes.Buffer
	s := startStdio(t, &stderr, "--sandbox", "--log-level", "debug")
	if got := s.InitializeResult(); got != nil && !strings.Contains(got.Instructions, "lookup_end_user") {
		t.Errorf("instructions = %q", got.Instructions)
	}

	if found := s.OK("lookup_end_user", map[string]any{"external_id": "crm-1001"}); found["found"] != false {
		t.Fatalf("lookup = %v", found)
	}
	up := s.OK("upsert_end_user", map[string]any{"external_id": "crm-1001", "profile": map[string]any{"first_name": "Grace", "language": "en-US"},
		"sensitive_metadata": map[string]any{"auth_token": "tok_e2e_5d41402abc4b2a76"}})
	user := up["end_user"].(map[string]any)["end_user_id"].(string)
	if up["created"] != true {
		t.Fatalf("first upsert = %v", up)
	}
	if again := s.OK("upsert_end_user", map[string]any{"external_id": "crm-1001"}); again["created"] != false || again["end_user"].(map[string]any)["end_user_id"] != user {
		t.Fatalf("second upsert = %v", again)
	}
	conv := s.OK("start_conversation", map[string]any{"end_user_id": user, "metadata": map[string]any{"channel": "e2e", "attempt": 1}})
	cid := conv["conversation_id"].(string)
	sent := s.OK("send_message", map[string]any{"conversation_id": cid, "body": "Where is my order?"})
	msgs := s.OK("list_messages", map[string]any{"conversation_id": cid})
	var afterOurs []string
	seen := false
	for _, m := range msgs["messages"].([]any) {
		mm := m.(map[string]any)
		if seen {
			afterOurs = append(afterOurs, mm["role"].(string))
		}
		if mm["message_id"] == sent["message"].(map[string]any)["message_id"] {
			seen = true
		}
	}
	if !seen || len(afterOurs) == 0 || afterOurs[0] != "ai_agent" {
		t.Fatalf("want our message followed by the AI Agent's reply, got %v", msgs)
	}
	upd := s.OK("update_conversation_metadata", map[string]any{"conversation_id": cid, "metadata": map[string]any{"channel": nil}})
	if _, still := upd["conversation"].(map[string]any)["metadata"].(map[string]any)["channel"]; still {
		t.Fatalf("null did not remove the key: %v", upd)
	}
	if end := s.OK("end_conversation", map[string]any{"conversation_id": cid}); end["status"] != "ended" {
		t.Fatalf("end = %v", end)
	}

	s.Close()
	if strings.Contains(stderr.String(), "tok_e2e_5d41402abc4b2a76") {
		t.Fatal("the sensitive value reached the logs")
	}
	if !strings.Contains(stderr.String(), "tool call") {
		t.Fatalf("no structured log lines on stderr: %s", stderr.String())
	}
}

func TestMissingConfigurationIsExplained(t *testing.T) {
	cmd := exec.Command(adaMCP(t))
	cmd.Env = append(os.Environ(), "ADA_API_KEY=", "ADA_BOT_HANDLE=", "ADA_BASE_URL=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2", err)
	}
	if stdout.Len() != 0 {
		t.Fatalf("stdout must stay empty (it is the protocol channel): %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "ADA_API_KEY") || !strings.Contains(stderr.String(), "--sandbox") {
		t.Fatalf("stderr = %q", stderr.String())
	}
}
