// Package redistest starts a real redis-server (the Debian package) on a
// free loopback port for a test, and stops it at cleanup. Without the
// binary the test is skipped with a clear message, unless
// ADA_MCP_REQUIRE_REDIS is set (CI sets it): then it fails.
package redistest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server.
type Server struct {
	Addr string // 127.0.0.1:PORT
	URL  string // redis://127.0.0.1:PORT/0
}

// Start runs redis-server without persistence and waits until it answers.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("ADA_MCP_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server is not installed and ADA_MCP_REQUIRE_REDIS is set (apt-get install redis-server)")
		}
		t.Skip("redis-server is not installed: apt-get install redis-server to run the Redis tests")
	}
	port := freePort(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", fmt.Sprint(port), "--save", "", "--appendonly", "no",
		"--protected-mode", "yes", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Error("redis-server did not stop")
		}
	})
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	s.URL = "redis://" + s.Addr + "/0"
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	for range 500 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return s
		}
		select {
		case <-exited:
			t.Fatalf("redis-server exited: %s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("redis-server did not answer within 5s: %s", out.String())
	return nil
}

// Client is a client of s, closed at cleanup.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
