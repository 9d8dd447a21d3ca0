package transcript

import (
	"strings"
	"testing"
)

// A line too long is reported at its own line number, blank lines
// counted, as every other error of Read is.
func TestReadTooLongNamesItsLine(t *testing.T) {
	defer func(n int) { maxLine = n }(maxLine)
	maxLine = 200
	rec := `{"time":"2026-01-01T00:00:00Z","tool":"list_channels","arguments":{},"is_error":false,"duration_ms":1}`
	if len(rec) > maxLine {
		t.Fatalf("the record (%d bytes) must fit in %d", len(rec), maxLine)
	}
	in := rec + "\n\n\n" + rec + "\n" + strings.Repeat("x", maxLine+1) + "\n"
	_, err := Read(strings.NewReader(in))
	if err == nil || err.Error() != "line 5: longer than 200 bytes" {
		t.Fatalf("got %v, want line 5: longer than 200 bytes", err)
	}
}
