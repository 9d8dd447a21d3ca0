// Package adatime reads Ada's date-times: RFC 3339, or UTC without a zone
// suffix, as Ada writes many of them (end users' created_at,
// "2023-12-08T19:06:04.890000"; webhook envelopes' timestamp,
// "2024-01-17T22:23:35.835"; Data Export records). One reader for all, so
// that no part of the server takes a zoneless time for a malformed one.
package adatime

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",      // UTC without a zone
	"2006-01-02 15:04:05.999999999",      // the same with a space
	"2006-01-02T15:04:05.999999999Z0700", // a zone without its colon
}

// Parse reads an Ada date-time, in UTC.
func Parse(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not an ISO 8601 date and time")
}

// Time is a time.Time that decodes from JSON as Parse reads it; null and
// "" are the zero time.
type Time struct{ time.Time }

func (t *Time) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil || *s == "" {
		t.Time = time.Time{}
		return nil
	}
	p, err := Parse(*s)
	if err != nil {
		return err
	}
	t.Time = p
	return nil
}
