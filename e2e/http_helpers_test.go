package e2e

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/testclient"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

const token = "e2e_token_5f0c8a1b2d3e4f60718293a4"

// logs collects the server's stderr, one JSON line per record.
type logs struct{ testlog.Buffer }

// waitFor polls the logs a bounded number of times for a record.
func (l *logs) waitFor(t *testing.T, msg string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	for range 3000 {
		for _, rec := range l.Records(msg) {
			if match == nil || match(rec) {
				return rec
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q log record; logs:\n%s", msg, l)
	return nil
}

// textListening is the "listening" line of --log-format text.
var textListening = regexp.MustCompile(`msg=listening .*\baddr=(\S+)`)

// listening is the address of the server's "listening" record, in either
// log format; "" before it is written.
func (l *logs) listening() string {
	if recs := l.Records("listening"); len(recs) > 0 {
		return recs[0]["addr"].(string)
	}
	if m := textListening.FindStringSubmatch(l.String()); m != nil {
		return m[1]
	}
	return ""
}

// httpServer is the built binary serving an HTTP transport on a free
// loopback port.
type httpServer struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:port
	logs   *logs
	exited chan error

	stopOnce sync.Once
	exitErr  error
}

// remoteClients are the go-sdk clients the HTTP tests run: each transport
// and protocol era (version "" asks for the client's newest).
var remoteClients = []struct{ name, transport, version string }{
	{"streamable http, 2026-07-28 stateless", "http", ""},
	{"streamable http, 2025-11-25 initialize and session", "http", "2025-11-25"},
	{"legacy sse, 2024-11-05", "sse", "2024-11-05"},
	{"legacy sse, newest version", "sse", ""},
}

// startHTTP runs ada-mcp with args (plus --addr 127.0.0.1:0 and JSON logs,
// unless args ask for text) and env, and waits for its "listening" log line.
func startHTTP(t *testing.T, env []string, args ...string) *httpServer {
	t.Helper()
	args = append([]string{"--addr", "127.0.0.1:0", "--log-format", "json"}, args...)
	cmd := exec.Command(adaMCP(t), args...)
	cmd.Env = append(os.Environ(), "ADA_API_KEY=", "ADA_BOT_HANDLE=", "ADA_BASE_URL=", "ADA_CHANNEL_ID=",
		"ADA_MCP_AUTH_TOKEN=", "ADA_MCP_AUTH_TOKEN_FILE=", "ADA_MCP_MULTI_TENANT=", "ADA_MCP_ALLOWED_ORIGINS=")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &httpServer{cmd: cmd, logs: &logs{}, exited: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.logs.Write(append(sc.Bytes(), '\n'))
		}
	}()
	go func() {
		<-copied // Wait must not close the pipe before the log is read
		s.exited <- cmd.Wait()
	}()
	t.Cleanup(func() { s.stop(t) })

	for range 6000 {
		if addr := s.logs.listening(); addr != "" {
			s.url = "http://" + addr
			return s
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			t.Fatalf("ada-mcp exited before listening: %v\n%s", err, s.logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("ada-mcp did not listen; logs:\n%s", s.logs)
	return nil
}

// stop sends SIGTERM and waits for the process, killing it if it hangs.
// It returns the exit status; calling it again returns the same.
func (s *httpServer) stop(t *testing.T) error {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case s.exitErr = <-s.exited:
		case <-time.After(60 * time.Second):
			_ = s.cmd.Process.Kill()
			t.Errorf("ada-mcp did not stop on SIGTERM; logs:\n%s", s.logs)
			s.exitErr = <-s.exited
		}
	})
	return s.exitErr
}

// headers is an http.RoundTripper adding fixed headers, as mcp-remote's
// --header and VS Code's "headers" do.
type headers map[string]string

func (h headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func auth() headers { return headers{"Authorization": "Bearer " + token} }

// connect opens a go-sdk session over the server's transport (http or
// sse) at the given protocol version ("" = the newest, 2026-07-28).
func (s *httpServer) connect(t *testing.T, transport, version string, h headers) *testclient.Session {
	t.Helper()
	cs, err := s.dial(transport, version, h)
	if err != nil {
		t.Fatalf("connect over %s: %v\nlogs:\n%s", transport, err, s.logs)
	}
	t.Cleanup(func() { cs.Close() })
	return testclient.Wrap(t, cs)
}

func (s *httpServer) dial(transport, version string, h headers) (*mcp.ClientSession, error) {
	return s.dialWith(transport, version, h, nil)
}

// dialWith is dial with client options (an elicitation handler, say).
func (s *httpServer) dialWith(transport, version string, h headers, opts *mcp.ClientOptions) (*mcp.ClientSession, error) {
	hc := &http.Client{Transport: h}
	var tr mcp.Transport = &mcp.StreamableClientTransport{Endpoint: s.url + "/mcp", HTTPClient: hc}
	if transport == "sse" {
		tr = &mcp.SSEClientTransport{Endpoint: s.url + "/sse", HTTPClient: hc}
	}
	// go-sdk's SSE transport ties its stream to this context: no deadline.
	return mcp.NewClient(&mcp.Implementation{Name: "e2e-http", Version: "1"}, opts).
		Connect(context.Background(), tr, &mcp.ClientSessionOptions{ProtocolVersion: version})
}

// rawPost sends one HTTP request to the server and returns the response
// with its body read.
func (s *httpServer) rawPost(t *testing.T, path, body string, h map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// endUserFlow is what every client of the concurrency test does, as an
// assistant would for one customer: upsert by its own external_id, start a
// conversation, send a message and wait for the reply, list the messages.
// It returns the end user, the conversation and the listed messages.
func endUserFlow(t *testing.T, s *testclient.Session, externalID, firstName, body string, extra map[string]any) (string, string, []map[string]any) {
	t.Helper()
	up := s.OK("upsert_end_user", map[string]any{"external_id": externalID, "profile": map[string]any{"first_name": firstName, "language": "en-US"}})
	user := up["end_user"].(map[string]any)["end_user_id"].(string)
	startArgs := map[string]any{"end_user_id": user}
	for k, v := range extra {
		startArgs[k] = v
	}
	conv := s.OK("start_conversation", startArgs)
	cid := conv["conversation_id"].(string)
	if conv["end_user_id"] != user {
		t.Errorf("%s: conversation %s belongs to %v, want %s", externalID, cid, conv["end_user_id"], user)
	}
	sent := s.OK("send_message", map[string]any{"conversation_id": cid, "body": body, "wait_for_reply_seconds": 20})
	if replies, _ := sent["replies"].([]any); len(replies) == 0 {
		t.Errorf("%s: no reply within the wait: %v", externalID, sent)
	}
	list := s.OK("list_messages", map[string]any{"conversation_id": cid})
	var msgs []map[string]any
	for _, m := range list["messages"].([]any) {
		msgs = append(msgs, m.(map[string]any))
	}
	return user, cid, msgs
}

// command is ada-mcp with args and an environment without Ada or server
// settings.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(adaMCP(t), args...)
	cmd.Env = append(os.Environ(), "ADA_API_KEY=", "ADA_BOT_HANDLE=", "ADA_BASE_URL=", "ADA_MCP_AUTH_TOKEN=", "ADA_MCP_AUTH_TOKEN_FILE=")
	return cmd
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
