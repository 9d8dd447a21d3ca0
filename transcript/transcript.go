// Package transcript records tool calls as JSON Lines, one object per call,
// and reads them back, so that an agent's run can be graded offline. The
// server writes what it has already redacted: a transcript holds nothing a
// tool result would not show.
package transcript

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/privfile"
	"github.com/ada-mcp/ada-mcp/redact"
)

// Record is one tool call.
type Record struct {
	Time time.Time `json:"time"`
	// Session is a short hash of the MCP session id (SessionTag), so calls
	// of one client group together without the id itself being kept.
	// Empty for stateless requests, which have no session.
	Session string `json:"session,omitempty"`
	Tool    string `json:"tool"`
	// Arguments are the arguments as the tool received them, redacted like
	// a result (sensitive_metadata values replaced).
	Arguments json.RawMessage `json:"arguments"`
	// Result is the structured result of a successful call.
	Result  json.RawMessage `json:"result,omitempty"`
	IsError bool            `json:"is_error"`
	// Error is the message of an isError result (or of a protocol error).
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// SessionTag is the first 8 hex digits of the SHA-256 of a session id: it
// tells sessions apart without revealing an id a client could reuse.
func SessionTag(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(sessionID))
	return hex.EncodeToString(sum[:4])
}

// Writer appends records to a stream, one line per record, safe for
// concurrent use. Each record is written with one Write call, unbuffered,
// so a crash loses at most the call in progress.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	err    error // the first write error; later writes are dropped
}

// Create creates (or truncates) the file at path, readable by its owner
// only: transcripts hold customer data.
func Create(path string) (*Writer, error) {
	f, err := privfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("transcript: %w", err)
	}
	return &Writer{w: f, closer: f}, nil
}

// Append opens the file at path to add records to it (creating it if
// need be), readable by its owner only: each `ada-mcp tools call` adds its
// call, so that a script of calls records one transcript.
func Append(path string) (*Writer, error) {
	f, err := privfile.Append(path)
	if err != nil {
		return nil, fmt.Errorf("transcript: %w", err)
	}
	return &Writer{w: f, closer: f}, nil
}

// NewWriter writes records to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write appends r. It returns the first write error, once; after it the
// writer drops records (a transcript must never fail a tool call).
func (w *Writer) Write(r Record) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("transcript: encoding a record of %s: %w", r.Tool, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return nil
	}
	if _, err := w.w.Write(buf.Bytes()); err != nil {
		w.err = fmt.Errorf("transcript: %w", err)
		return w.err
	}
	return nil
}

// Close closes the file Create opened.
func (w *Writer) Close() error {
	if w == nil || w.closer == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closer.Close()
}

// maxLine bounds one record when reading: a result is bounded by the
// server's own limits, far below this. A variable for tests.
var maxLine = 64 << 20

// Read parses a transcript. Blank lines are skipped; anything else that
// is not a record is an error naming its line.
func Read(r io.Reader) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(64<<10, maxLine)), maxLine)
	var out []Record
	line := 0 // outside the loop: a line too long is the one after the last scanned
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("line %d: not a transcript record: %w", line, err)
		}
		if rec.Tool == "" {
			return nil, fmt.Errorf("line %d: a record without a tool", line)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, maxLine)
		}
		return nil, err
	}
	return out, nil
}

// ReadFile parses the transcript at path; errors start with the path.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// WriteState writes the state dump saved with a run (a sandbox's state) as
// indented JSON, readable by its owner only, redacted by red like the
// transcript beside it (nil: as it is, for the simulator's own dumps).
func WriteState(path string, state any, red *redact.Redactor) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(state); err != nil {
		return err
	}
	clean := bytes.TrimSpace(buf.Bytes())
	if red != nil {
		var err error
		if clean, err = red.Bytes(clean); err != nil {
			return err
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, clean, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	return privfile.Write(path, out.Bytes())
}
