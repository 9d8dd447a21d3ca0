package tools

import (
	"testing"
	"time"
)

// Messages' created_at come from Ada with a zone or without one (UTC):
// both order the same, where a zoneless one once read as the zero time, and
// every earlier message as "after" the one just sent.
func TestParseTimeReadsAdasZonelessTimes(t *testing.T) {
	zoneless, zoned := parseTime("2023-12-08T19:06:04.890000"), parseTime("2023-12-08T19:06:04.890000+00:00")
	if zoneless.IsZero() || !zoneless.Equal(zoned) {
		t.Fatalf("zoneless %v, zoned %v", zoneless, zoned)
	}
	if want := time.Date(2023, 12, 8, 19, 6, 4, 890000000, time.UTC); !zoneless.Equal(want) {
		t.Fatalf("%v, want %v", zoneless, want)
	}
}
