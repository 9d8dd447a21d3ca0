package events

import (
	"bytes"
	"log/slog"
	"sync"
)

// slogBuffer collects log lines from any goroutine.
type slogBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *slogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *slogBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(s, nil)) }
