package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// An interrupted eval (ctrl-C before or during the runs) has no failures
// but did not pass: it must not exit 0.
func TestInterruptedEvalDoesNotExitZero(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"eval", "testdata/evals/read-only.yaml"}, func(string) string { return "" }, nil, &stdout, &stderr)
	if code != exitFail || !strings.Contains(stdout.String(), "0 passed, 0 failed, 1 interrupted") {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFail, stdout.String(), stderr.String())
	}
}
