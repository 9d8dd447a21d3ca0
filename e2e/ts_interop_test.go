package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

// requireNode is the environment variable that turns a missing Node.js or
// missing npm dependencies into a failure instead of a skip (CI sets it).
const requireNode = "ADA_MCP_REQUIRE_NODE"

// TestTypeScriptSDKClient drives the built binary with the official
// TypeScript MCP SDK client (interop/ts/check.mjs), which most MCP hosts are
// built on, over each transport: stdio as Claude Desktop starts it, and
// Streamable HTTP and SSE as VS Code's "http" type and mcp-remote reach a
// remote server, with the bearer token (and refused without it). It
// catches what the Go client cannot: the SDK's zod check of tools/list (one
// bad schema shape drops every tool in the host) and its validation of each
// structuredContent against the tool's outputSchema.
func TestTypeScriptSDKClient(t *testing.T) {
	node, dir := interopPackages(t)
	bin := adaMCP(t)

	t.Run("stdio", func(t *testing.T) {
		t.Parallel()
		// The check sends a human agent's message (a branch of
		// send_message's output schema), which the gate allows with the flag.
		runCheck(t, node, dir, nil, bin, "--sandbox", "--allow-customer-messages")
	})
	t.Run("stdio all toolsets", func(t *testing.T) {
		t.Parallel()
		// Every opt-in tool's schemas through the SDK's zod check and the
		// strict portability pass: one bad schema drops every tool in a host.
		runCheck(t, node, dir, nil, bin, "--sandbox", "--allow-customer-messages", "--toolsets", "all")
	})
	for _, tr := range []struct{ transport, path string }{{"http", "/mcp"}, {"sse", "/sse"}} {
		t.Run(tr.transport, func(t *testing.T) {
			skipOnWindows(t)
			t.Parallel()
			s := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--transport", tr.transport, "--sandbox", "--allow-customer-messages")
			runCheck(t, node, dir, []string{"ADA_MCP_INTEROP_TOKEN=" + token}, s.url+tr.path)
		})
	}
}

// TestClaudeDesktopThroughMCPRemote runs the README's Claude Desktop config
// for a remote server: mcp-remote bridging stdio to Streamable HTTP, the
// token given as --header "Authorization:${ADA_MCP_AUTH_HEADER}" with the
// value in the environment. The go-sdk client plays Claude Desktop.
func TestClaudeDesktopThroughMCPRemote(t *testing.T) {
	skipOnWindows(t)
	node, dir := interopPackages(t)
	s := startHTTP(t, []string{"ADA_MCP_AUTH_TOKEN=" + token}, "--transport", "http", "--sandbox")

	cmd := exec.Command(node, filepath.Join(dir, "node_modules", "mcp-remote", "dist", "proxy.js"),
		s.url+"/mcp", "--header", "Authorization:${ADA_MCP_AUTH_HEADER}")
	// mcp-remote keeps OAuth state under MCP_REMOTE_CONFIG_DIR; it needs
	// none here, as the header authenticates.
	cmd.Env = append(os.Environ(), "ADA_MCP_AUTH_HEADER=Bearer "+token, "MCP_REMOTE_CONFIG_DIR="+t.TempDir())
	var stderr testlog.Buffer
	cmd.Stderr = &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "claude-desktop-stand-in", Version: "1"}, nil).
		Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect through mcp-remote: %v\nmcp-remote stderr:\n%s\nserver logs:\n%s", err, stderr.String(), s.logs)
	}
	defer cs.Close()
	session := testclient.Wrap(t, cs)

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list through mcp-remote: %v", err)
	}
	if len(tools.Tools) != 18 {
		t.Fatalf("tools/list through mcp-remote: %d tools, want the 18 defaults", len(tools.Tools))
	}
	_, cid, msgs := endUserFlow(t, session, "mcp-remote-1", "Ada", "Where is my order?", nil)
	if len(msgs) < 2 {
		t.Errorf("conversation %s: %d messages, want ours and a reply", cid, len(msgs))
	}
	// A session the bridge had to re-open would mean a 404 from us.
	if out := stderr.String(); strings.Contains(out, "re-initializing") || strings.Contains(out, "Error from remote server") {
		t.Errorf("mcp-remote reported trouble with the server:\n%s", out)
	}
}

// interopPackages returns node and interop/ts, whose node_modules hold the
// pinned TypeScript SDK and mcp-remote, or skips (see unavailable).
func interopPackages(t *testing.T) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "interop", "ts"))
	if err != nil {
		t.Fatal(err)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		unavailable(t, "node is not on PATH: install Node.js 20 or newer, then npm ci --prefix interop/ts")
	}
	for _, pkg := range []string{"@modelcontextprotocol/sdk", "mcp-remote"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			unavailable(t, "interop/ts/node_modules lacks "+pkg+": run npm ci --prefix interop/ts (from the repository root)")
		}
	}
	return node, dir
}

// runCheck runs check.mjs with args and extra environment, and fails the
// test unless it ends with its PASS line.
func runCheck(t *testing.T, node, dir string, env []string, args ...string) {
	t.Helper()
	// check.mjs bounds itself at 60 s; this is the backstop if node hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(dir, "check.mjs")}, args...)...)
	cmd.Dir = dir
	// The SDK starts a stdio server with a minimal environment of its own;
	// keep the script's own environment free of Ada credentials all the same.
	cmd.Env = append(os.Environ(), "ADA_API_KEY=", "ADA_BOT_HANDLE=", "ADA_BASE_URL=", "ADA_MCP_INTEROP_TOKEN=")
	cmd.Env = append(cmd.Env, env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node interop/ts/check.mjs did not finish in 90 s:\n%s", out.String())
	}
	if err != nil {
		t.Fatalf("node interop/ts/check.mjs %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "PASS ") {
		t.Fatalf("check.mjs exited 0 without its PASS line:\n%s", out.String())
	}
	t.Log(last)
}

// unavailable skips the test, or fails it when ADA_MCP_REQUIRE_NODE=1.
func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(requireNode) == "1" {
		t.Fatalf("%s (%s=1, so this is a failure, not a skip)", why, requireNode)
	}
	t.Skipf("%s; set %s=1 to make this a failure", why, requireNode)
}
