package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ada-mcp/ada-mcp/redact"
)

// Feed returns a function that keeps an event announced in process (by a
// sandbox's simulator, which has no public endpoint to deliver to) in log,
// as the receiver keeps a delivery: same parsing, redaction by red (asked
// per event: a server builds its redactor after its sandbox starts), and
// an id of its own.
func Feed(log Log, red func() *redact.Redactor) func(eventType string, at time.Time, data any) {
	var n atomic.Int64
	return func(eventType string, at time.Time, data any) {
		body, err := json.Marshal(map[string]any{"type": eventType, "timestamp": at.UTC().Format(time.RFC3339Nano), "data": data})
		if err != nil {
			return
		}
		r := red()
		if r == nil {
			r = redact.New()
		}
		e, err := Parse(fmt.Sprintf("local_%d", n.Add(1)), body, r)
		if err == nil && e != nil {
			_, _ = log.Append(context.Background(), *e)
		}
	}
}
