package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the command writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A server pointed at `ada-mcp sandbox` needs its custom channel as
// ADA_CHANNEL_ID (ask_ai_agent has no other way to start a conversation):
// the sandbox prints it with the base URL.
func TestSandboxCommandPrintsItsChannel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--seed", "7", "--key", "k"}, func(string) string { return "" },
			strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	for i := 0; !strings.Contains(stderr.String(), "Ctrl-C stops it"); i++ {
		if i == 500 {
			t.Fatalf("the sandbox did not start:\n%s", stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("the sandbox exited %d:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	<-done
	const want = "ada-mcp sandbox: custom channel 3bde2dd1079b6e4855ff575e (ADA_CHANNEL_ID for a server pointed here)"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
}
