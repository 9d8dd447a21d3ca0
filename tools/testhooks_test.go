package tools

import (
	"encoding/json"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/time/rate"
)

// Hooks for the external tests (tools_test). The usual name, export_test.go,
// is taken by the export toolset's tests.

// ParseArgs runs the first step of the tool's handler alone: the arguments
// decoded strictly into the tool's argument struct (a pointer to it is
// returned) and validated, or the error the call would report. Nothing is
// sent to Ada.
func (t Tool) ParseArgs(p mcp.CallToolParams) (any, error) { return t.parse(p) }

// ErrorText is the message an isError result carries for err, before
// redaction.
func ErrorText(err error) string { return describe(err) }

// ArgsSchema is the schema the tool's arguments are checked against
// (schemas.Bounded of its argument struct), compiled first.
func (t Tool) ArgsSchema() (json.RawMessage, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	c, _ := decoders.Load(t.Name())
	return c.(*cachedDecoder).schema, nil
}

// SetWatchPolling makes the polls of watched conversations quicker, for a
// test; it returns the undo.
func SetWatchPolling(interval time.Duration, perSecond float64) (restore func()) {
	oldInterval, oldRate := watchPollInterval, watchPollRate
	watchPollInterval, watchPollRate = interval, rate.Limit(perSecond)
	return func() { watchPollInterval, watchPollRate = oldInterval, oldRate }
}

// SetWatchLogRetry sets how long a subscription polls after the event log
// failed, for servers built after it; restore puts the default back.
func SetWatchLogRetry(d time.Duration) (restore func()) {
	old := watchLogRetry
	watchLogRetry = d
	return func() { watchLogRetry = old }
}
