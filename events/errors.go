package events

import (
	"errors"
	"fmt"
)

// RejectError is why the receiver refused a delivery: what the log line
// says and what the sender is answered (a 4xx, so Svix records it).
// It never holds the secret, the signature or the body.
type RejectError struct {
	Status int
	Reason string
}

func (e *RejectError) Error() string {
	return fmt.Sprintf("webhook rejected (%d): %s", e.Status, e.Reason)
}

// ErrNoSecret is returned when a receiver is made without a signing secret.
var ErrNoSecret = errors.New("events: no webhook signing secret (whsec_...)")

type errBadCursor Cursor

func (e errBadCursor) Error() string {
	return fmt.Sprintf("events: %q is not a cursor of this log", string(e))
}

// ErrUnavailable is returned by a Log that knows its store is not
// answering (Redis, during an outage it has already reported): callers
// fall back (waits poll) without reporting it again.
var ErrUnavailable = errors.New("events: the event log is unavailable")
