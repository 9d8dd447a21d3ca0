package adaclient_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// A daily cap is a 429 asking to wait longer than any per-second or
// per-minute limit would; wrapped, it is still one.
func TestIsDailyCap(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&adaclient.ErrorResponse{StatusCode: 429, RetryAfter: 20 * time.Hour}, true},
		{fmt.Errorf("creating: %w", &adaclient.ErrorResponse{StatusCode: 429, RetryAfter: 2 * time.Minute}), true},
		{&adaclient.ErrorResponse{StatusCode: 429, RetryAfter: 30 * time.Second}, false},
		{&adaclient.ErrorResponse{StatusCode: 503, RetryAfter: time.Hour}, false},
		{nil, false},
	} {
		if got := adaclient.IsDailyCap(c.err); got != c.want {
			t.Errorf("IsDailyCap(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
