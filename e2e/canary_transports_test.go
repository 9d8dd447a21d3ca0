package e2e

import (
	"context"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

// canaryServer is ada-mcp under the canary audit over one transport: a
// client session on it, and what it wrote that the client did not read as
// answers.
type canaryServer struct {
	s *testclient.Session
	// url is the server over sse and http, for webhook deliveries; ""
	// over stdio.
	url string
	// stop ends the process and returns its exit status; logs and stdout
	// are complete after it.
	stop func(t *testing.T) error
	// logs is the process's stderr. stdout is, over stdio, all it wrote
	// there: the protocol channel, notifications and all; nil over HTTP.
	logs, stdout func() string
}

// output is what the process wrote, for the search.
func (c *canaryServer) output() []evidence {
	out := []evidence{{"logs (stderr)", c.logs()}}
	if c.stdout != nil {
		out = append(out, evidence{"stdout (the protocol channel)", c.stdout()})
	}
	return out
}

// startCanary runs ada-mcp with env and args over transport (http, sse or
// stdio) and connects a go-sdk client (with opts, at version: "" is the
// newest) that sends the canary bearer token over HTTP.
func startCanary(t *testing.T, transport, version string, opts *mcp.ClientOptions, env []string, args ...string) *canaryServer {
	t.Helper()
	if transport == "stdio" {
		return startStdioCanary(t, version, opts, env, args...)
	}
	srv := startHTTP(t, env, append([]string{"--transport", transport}, args...)...)
	cs, err := srv.dialWith(transport, version, headers{"Authorization": "Bearer " + canary.token}, opts)
	if err != nil {
		t.Fatalf("connect over %s: %v\nlogs:\n%s", transport, err, srv.logs)
	}
	t.Cleanup(func() { cs.Close() })
	return &canaryServer{s: testclient.Wrap(t, cs), url: srv.url, stop: srv.stop, logs: srv.logs.String}
}

// startStdioCanary runs ada-mcp over stdio and keeps a copy of all it
// writes to stdout while the client reads it.
func startStdioCanary(t *testing.T, version string, opts *mcp.ClientOptions, env []string, args ...string) *canaryServer {
	t.Helper()
	cmd := exec.Command(adaMCP(t), append([]string{"--transport", "stdio"}, args...)...)
	cmd.Env = append(os.Environ(), "ADA_API_KEY=", "ADA_BOT_HANDLE=", "ADA_BASE_URL=", "ADA_CHANNEL_ID=",
		"ADA_MCP_AUTH_TOKEN=", "ADA_MCP_AUTH_TOKEN_FILE=", "ADA_WEBHOOK_SECRET=", "ADA_WEBHOOK_SECRET_FILE=")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr testlog.Buffer
	toClient, fromServer := io.Pipe()
	cmd.Stdout = tee{&stdout, fromServer}
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait() // returns once stdout and stderr are copied
		fromServer.Close()
		exited <- err
	}()
	var exitErr error
	stopped := false
	stop := func(t *testing.T) error {
		if stopped {
			return exitErr
		}
		stopped = true
		stdin.Close() // end of input: the server exits
		select {
		case exitErr = <-exited:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("ada-mcp did not exit at the end of its input; stderr:\n%s", stderr.String())
			exitErr = <-exited
		}
		return exitErr
	}
	t.Cleanup(func() { stop(t) })

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e-stdio", Version: "1"}, opts).
		Connect(ctx, &mcp.IOTransport{Reader: toClient, Writer: stdin}, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatalf("connect over stdio: %v\nstderr:\n%s", err, stderr.String())
	}
	return &canaryServer{s: testclient.Wrap(t, cs),
		stop: func(t *testing.T) error {
			cs.Close()
			return stop(t)
		},
		logs: stderr.String, stdout: stdout.String}
}

// tee keeps everything written to w in a copy, whether or not w still
// takes it (the client stops reading when it closes).
type tee struct {
	copy *testlog.Buffer
	w    io.Writer
}

func (t tee) Write(p []byte) (int, error) {
	t.copy.Write(p)
	_, _ = t.w.Write(p)
	return len(p), nil
}
