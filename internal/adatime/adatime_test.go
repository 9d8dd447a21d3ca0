package adatime

import (
	"encoding/json"
	"testing"
	"time"
)

// Ada's zoneless times are UTC; zoned ones keep their instant.
func TestParse(t *testing.T) {
	want := time.Date(2024, 1, 17, 22, 23, 35, 835000000, time.UTC)
	for _, s := range []string{"2024-01-17T22:23:35.835", "2024-01-17T22:23:35.835000", "2024-01-17 22:23:35.835",
		"2024-01-17T22:23:35.835Z", "2024-01-17T23:23:35.835+01:00", "2024-01-17T23:23:35.835+0100", " 2024-01-17T22:23:35.835 "} {
		if got, err := Parse(s); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Parse(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "yesterday", "2024-01-17", "17/01/2024 22:23"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
	var v struct{ A, B, C Time }
	if err := json.Unmarshal([]byte(`{"A":"2024-01-17T22:23:35.835","B":null,"C":""}`), &v); err != nil || !v.A.Equal(want) || !v.B.IsZero() || !v.C.IsZero() {
		t.Errorf("JSON: %+v %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"soon"}`), &v); err == nil {
		t.Error("JSON: a malformed time decoded")
	}
}
