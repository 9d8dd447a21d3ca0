package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// A 429 keeps Ada's own message: it says which limit was reached (a
// daily cap waits hours, a per-second one does not).
func TestRateLimitErrorKeepsAdasMessage(t *testing.T) {
	for _, retry := range []time.Duration{0, 3 * time.Second} {
		e := &adaclient.ErrorResponse{StatusCode: 429, RetryAfter: retry,
			Errors: []adaclient.APIError{{Type: "rate_limit_exceeded", Message: "Daily request limit reached"}}}
		msg := describeAdaError(e)
		if !strings.Contains(msg, "(429)") || !strings.Contains(msg, "Daily request limit reached") {
			t.Errorf("retry after %v: %s", retry, msg)
		}
	}
}
