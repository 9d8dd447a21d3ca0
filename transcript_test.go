package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/internal/testlog"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// serveStdioInProcess runs `ada-mcp args...` (the run function, not a
// process) on pipes and connects the go-sdk client to it. stop closes the
// client and waits for run to return, so files written at shutdown exist.
func serveStdioInProcess(t *testing.T, env map[string]string, stderr io.Writer, args ...string) (s *testclient.Session, stop func() int) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	code := make(chan int, 1)
	go func() {
		c := run(context.Background(), args, func(k string) string { return env[k] }, inR, outW, stderr)
		outW.Close()
		code <- c
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "scripted-agent", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	stopped := false
	var exit int
	stop = func() int {
		if stopped {
			return exit
		}
		stopped = true
		cs.Close()
		inW.Close()
		select {
		case exit = <-code:
		case <-time.After(20 * time.Second):
			t.Fatal("the server did not stop when its stdin closed")
		}
		return exit
	}
	t.Cleanup(func() { stop() })
	return testclient.Wrap(t, cs), stop
}

// orderStatusAgent is a scripted stand-in for an LLM agent handling "where
// is my order?": what the shipped transcript in testdata/evals/transcripts
// records. secrets are planted in what it sends.
func orderStatusAgent(t *testing.T, s *testclient.Session, externalID string, secrets map[string]string) {
	t.Helper()
	if got := s.OK("lookup_end_user", map[string]any{"external_id": externalID}); got["found"] != false {
		t.Fatalf("lookup: %v", got)
	}
	up := s.OK("upsert_end_user", map[string]any{
		"external_id": externalID,
		"profile": map[string]any{"first_name": "Rosa", "language": "en", "metadata": map[string]any{
			"plan": "pro", "session_token": secrets["metadata"]}},
		"sensitive_metadata": map[string]any{"auth_token": secrets["sensitive"]},
	})
	uid := up["end_user"].(map[string]any)["end_user_id"].(string)
	conv := s.OK("start_conversation", map[string]any{"end_user_id": uid})
	cid := conv["conversation_id"].(string)
	sent := s.OK("send_message", map[string]any{"conversation_id": cid, "wait_for_reply_seconds": 10,
		"body": "Where is my order A-1001? I would like a refund if it is lost." + secrets["body"]})
	if r, _ := sent["replies"].([]any); len(r) == 0 {
		t.Fatalf("no reply: %v", sent)
	}
	// A mistake the agent makes and recovers from: the error is recorded too.
	s.Err("update_end_user", map[string]any{"end_user_id": uid, "sensitive_metadata": map[string]any{"bad key!": secrets["sensitive"]}})
	s.OK("update_conversation_metadata", map[string]any{"conversation_id": cid, "metadata": map[string]any{"topic": "order-status"}})
	s.OK("end_conversation", map[string]any{"conversation_id": cid})
}

// noSecrets are the secrets of the shipped transcript: recognisable
// fakes, since the file is public.
var noSecrets = map[string]string{"sensitive": "tok_demo_not_a_real_token", "metadata": "sess_demo_not_a_real_session", "body": ""}

// normalized drops what legitimately differs between two runs: times and
// durations.
func normalized(t *testing.T, recs []transcript.Record) string {
	t.Helper()
	var b strings.Builder
	for _, r := range recs {
		r.Time, r.DurationMS = time.Time{}, 0
		j, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// recordOrderStatus runs the scripted agent on a seeded sandbox with a
// transcript and a state dump, into dir.
func recordOrderStatus(t *testing.T, dir string) (transcriptPath, statePath string) {
	t.Helper()
	transcriptPath, statePath = filepath.Join(dir, "order-status.jsonl"), filepath.Join(dir, "order-status.state.json")
	s, stop := serveStdioInProcess(t, nil, io.Discard, "--sandbox", "--sandbox-seed", "7",
		"--transcript", transcriptPath, "--sandbox-state-out", statePath)
	orderStatusAgent(t, s, "cust-1001", noSecrets)
	if code := stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	return transcriptPath, statePath
}

// The shipped transcript is what the scripted agent records today: two
// runs with the same seed give identical transcripts and states apart from
// times and durations, and they match the committed files
// (UPDATE_TRANSCRIPTS=1 rewrites them).
func TestRecordedTranscriptReplays(t *testing.T) {
	tA, sA := recordOrderStatus(t, t.TempDir())
	tB, sB := recordOrderStatus(t, t.TempDir())
	recsA, err := transcript.ReadFile(tA)
	if err != nil {
		t.Fatal(err)
	}
	recsB, err := transcript.ReadFile(tB)
	if err != nil {
		t.Fatal(err)
	}
	if len(recsA) != 7 {
		t.Fatalf("%d records, want 7", len(recsA))
	}
	if a, b := normalized(t, recsA), normalized(t, recsB); a != b {
		t.Fatalf("two runs with seed 7 differ:\n%s\n%s", a, b)
	}
	stateA, _ := os.ReadFile(sA)
	stateB, _ := os.ReadFile(sB)
	if len(stateA) == 0 || !bytes.Equal(stateA, stateB) {
		t.Fatalf("states differ or are empty:\n%s\n%s", stateA, stateB)
	}
	for _, r := range recsA {
		if r.Session != transcript.SessionTag("stdio") || r.Time.IsZero() {
			t.Fatalf("record %+v: want the stdio session's tag and a time", r)
		}
	}
	if !recsA[4].IsError || recsA[4].Tool != "update_end_user" || recsA[4].Error == "" || recsA[4].Result != nil {
		t.Fatalf("the failed call's record: %+v", recsA[4])
	}

	golden := filepath.Join("testdata", "evals", "transcripts")
	if os.Getenv("UPDATE_TRANSCRIPTS") != "" {
		for src, dst := range map[string]string{tA: "order-status.jsonl", sA: "order-status.state.json"} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(golden, dst), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	committed, err := transcript.ReadFile(filepath.Join(golden, "order-status.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if a, c := normalized(t, recsA), normalized(t, committed); a != c {
		t.Fatalf("the shipped transcript is out of date (UPDATE_TRANSCRIPTS=1 go test -run TestRecordedTranscriptReplays .):\nnow:\n%s\ncommitted:\n%s", a, c)
	}
	committedState, err := os.ReadFile(filepath.Join(golden, "order-status.state.json"))
	if err != nil || !bytes.Equal(committedState, stateA) {
		t.Fatalf("the shipped state is out of date: %v", err)
	}
}

// canaries are unique values planted where secrets go; none may reach a
// transcript, a state dump or a log line.
var canaries = map[string]string{
	"sensitive": "canary-sensitive-e1d2c3b4",
	"metadata":  "canary-metadata-session-9a8b7c",
	// A JWT-shaped value in a message body is a credential wherever it is.
	"body": " eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnktand0In0.c2lnbmF0dXJlLWNhbmFyeQ",
}

const (
	canaryAPIKey = "canary-ada-api-key-4f5e6d7c8b9a"
	canaryToken  = "canary-bearer-token-0a1b2c3d4e5f"
)

// canaryAda is a simulator whose API key is a canary.
func canaryAda(t *testing.T) *adasim.Server {
	t.Helper()
	sim, err := adasim.Open(adasim.Options{APIKey: canaryAPIKey, Seed: 3, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := adasim.Listen("", sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func assertNoCanary(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, c := range append([]string{canaryAPIKey, canaryToken, "eyJhbGciOiJIUzI1NiJ9"},
		canaries["sensitive"], canaries["metadata"]) {
		if bytes.Contains(b, []byte(c)) {
			t.Errorf("%s holds the canary %q", what, c)
		}
	}
}

func TestTranscriptOverStdioHoldsNoSecret(t *testing.T) {
	ada := canaryAda(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	var logs testlog.Buffer
	s, stop := serveStdioInProcess(t, map[string]string{"ADA_API_KEY": canaryAPIKey, "ADA_BASE_URL": ada.BaseURL, "ADA_CHANNEL_ID": ada.Sim.DefaultChannelID()},
		&logs, "--transcript", path, "--log-level", "debug")
	orderStatusAgent(t, s, "cust-1001", canaries)
	stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := transcript.Read(bytes.NewReader(b))
	if err != nil || len(recs) != 7 {
		t.Fatalf("%d records: %v", len(recs), err)
	}
	assertNoCanary(t, "the transcript", b)
	assertNoCanary(t, "the debug log", []byte(logs.String()))
	// Redacted, not dropped: the record still says a value was there.
	if !strings.Contains(string(recs[1].Arguments), `"auth_token":"[REDACTED]"`) {
		t.Errorf("upsert's arguments: %s", recs[1].Arguments)
	}
}

func TestSandboxStateOutHoldsNoSecret(t *testing.T) {
	dir := t.TempDir()
	path, state := filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "run.state.json")
	s, stop := serveStdioInProcess(t, nil, io.Discard, "--sandbox", "--transcript", path, "--sandbox-state-out", state)
	orderStatusAgent(t, s, "cust-1001", canaries)
	stop()
	for _, f := range []string{path, state} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertNoCanary(t, f, b)
	}
	b, _ := os.ReadFile(state)
	if !bytes.Contains(b, []byte(`"sensitive_metadata_keys": [`)) || !bytes.Contains(b, []byte("auth_token")) {
		t.Errorf("the state should say which sensitive keys are set:\n%s", b)
	}
}

// Over the HTTP transports the transcript gets the same records, each
// tagged with its session when the client has one (2025-11-25, legacy SSE)
// and without one in the stateless 2026-07-28 era; the bearer token is in
// none of them.
func TestTranscriptOverHTTPHoldsNoSecret(t *testing.T) {
	for _, tc := range []struct {
		transport string
		versions  []string
		stateless int // records without a session
	}{
		{"http", []string{"", "2025-11-25"}, 7},
		{"sse", []string{"2024-11-05"}, 0},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			ada := canaryAda(t)
			path := filepath.Join(t.TempDir(), "run.jsonl")
			var logs testlog.Buffer
			env := map[string]string{"ADA_API_KEY": canaryAPIKey, "ADA_BASE_URL": ada.BaseURL, "ADA_CHANNEL_ID": ada.Sim.DefaultChannelID(),
				"ADA_MCP_AUTH_TOKEN": canaryToken}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"--transport", tc.transport, "--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug", "--transcript", path},
					func(k string) string { return env[k] }, nil, io.Discard, &logs)
			}()
			var addr string
			for range 3000 {
				if recs := logs.Records("listening"); len(recs) > 0 {
					addr = recs[0]["addr"].(string)
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if addr == "" {
				t.Fatalf("no listening line:\n%s", logs.String())
			}
			for _, version := range tc.versions {
				hc := &http.Client{Transport: bearer{canaryToken}}
				var transport mcp.Transport = &mcp.StreamableClientTransport{Endpoint: "http://" + addr + "/mcp", HTTPClient: hc}
				if tc.transport == "sse" {
					transport = &mcp.SSEClientTransport{Endpoint: "http://" + addr + "/sse", HTTPClient: hc}
				}
				client := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1"}, nil)
				cs, err := client.Connect(context.Background(), transport, &mcp.ClientSessionOptions{ProtocolVersion: version})
				if err != nil {
					t.Fatalf("connect %q: %v", version, err)
				}
				orderStatusAgent(t, testclient.Wrap(t, cs), "cust-"+tc.transport+version, canaries)
				cs.Close()
			}
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the server did not stop")
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := transcript.Read(bytes.NewReader(b))
			if want := 7 * len(tc.versions); err != nil || len(recs) != want {
				t.Fatalf("%d records, want %d: %v", len(recs), want, err)
			}
			sessions := map[string]int{}
			for _, r := range recs {
				sessions[r.Session]++
			}
			if sessions[""] != tc.stateless || len(sessions) != len(tc.versions) {
				t.Errorf("want %d stateless records and 7 per session, got %v", tc.stateless, sessions)
			}
			assertNoCanary(t, "the transcript", b)
			assertNoCanary(t, "the debug log", []byte(logs.String()))
		})
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", fmt.Sprintf("Bearer %s", b.token))
	return http.DefaultTransport.RoundTrip(r)
}
