package transcript_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/transcript"
)

func TestWriteReadRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := transcript.NewWriter(&buf)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	recs := []transcript.Record{
		{Time: at, Session: transcript.SessionTag("stdio"), Tool: "lookup_end_user", Arguments: json.RawMessage(`{"external_id":"a<b>"}`), Result: json.RawMessage(`{"found":false}`), DurationMS: 1.5},
		{Time: at, Tool: "send_message", Arguments: json.RawMessage(`{}`), IsError: true, Error: "Invalid argument conversation_id: required."},
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("want one line per record, got %d lines:\n%s", n, buf.String())
	}
	if strings.Contains(buf.String(), `\u003c`) {
		t.Errorf("HTML escaping makes transcripts harder to read: %s", buf.String())
	}
	got, err := transcript.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Tool != "lookup_end_user" || !got[1].IsError || got[1].Error == "" || !got[0].Time.Equal(at) {
		t.Fatalf("round trip: %+v", got)
	}
	if got[1].Result != nil {
		t.Errorf("an error record has no result, got %s", got[1].Result)
	}
}

func TestReadNamesTheBadLine(t *testing.T) {
	in := `{"time":"2026-01-01T00:00:00Z","tool":"a","arguments":{},"is_error":false,"duration_ms":1}

{"time":"2026-01-01T00:00:00Z","tool":"b","arguments":{},"is_error":"no","duration_ms":1}
`
	_, err := transcript.Read(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "is_error") {
		t.Fatalf("want an error naming line 3 and the field, got %v", err)
	}
	_, err = transcript.Read(strings.NewReader(`{"time":"2026-01-01T00:00:00Z","arguments":{}}`))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a record without a tool: got %v", err)
	}
}

func TestSessionTag(t *testing.T) {
	a, b := transcript.SessionTag("session-a"), transcript.SessionTag("session-b")
	if len(a) != 8 || a == b || a != transcript.SessionTag("session-a") {
		t.Fatalf("tags %q %q", a, b)
	}
	if strings.Contains(a, "session") {
		t.Fatal("the tag must not carry the id")
	}
	if transcript.SessionTag("") != "" {
		t.Fatal("no session, no tag")
	}
}

func TestCreateIsPrivateAndTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(path, []byte("old run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := transcript.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(transcript.Record{Tool: "list_channels", Arguments: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := transcript.ReadFile(path)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	// A new file gets 0600; an existing one keeps its mode, so check a new one.
	fresh := filepath.Join(t.TempDir(), "new.jsonl")
	w2, err := transcript.Create(fresh)
	if err != nil {
		t.Fatal(err)
	}
	w2.Close()
	st, err := os.Stat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
}

func TestConcurrentWritesKeepLinesWhole(t *testing.T) {
	var buf lockedBuffer
	w := transcript.NewWriter(&buf)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				_ = w.Write(transcript.Record{Tool: strings.Repeat("t", i+1), Arguments: json.RawMessage(`{"x":"` + strings.Repeat("y", 500) + `"}`)})
			}
		}()
	}
	wg.Wait()
	recs, err := transcript.Read(strings.NewReader(buf.String()))
	if err != nil || len(recs) != 16*50 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
}

func TestWriteErrorIsReportedOnceThenDropped(t *testing.T) {
	w := transcript.NewWriter(failingWriter{})
	if err := w.Write(transcript.Record{Tool: "a", Arguments: json.RawMessage(`{}`)}); err == nil {
		t.Fatal("want the write error")
	}
	if err := w.Write(transcript.Record{Tool: "a", Arguments: json.RawMessage(`{}`)}); err != nil {
		t.Fatalf("later writes are dropped quietly, got %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A transcript a newer server wrote, with fields this version does not
// know, is graded by the fields it knows: transcripts outlive versions.
func TestReadTakesFieldsOfNewerVersions(t *testing.T) {
	in := `{"time":"2026-01-01T00:00:00Z","tool":"b","arguments":{},"is_error":false,"duration_ms":1,"surprise":1}`
	recs, err := transcript.Read(strings.NewReader(in))
	if err != nil || len(recs) != 1 || recs[0].Tool != "b" {
		t.Fatalf("Read: %v, %v", recs, err)
	}
}
