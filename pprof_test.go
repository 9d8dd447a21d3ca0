package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestPprofOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "[::]:6060", "10.1.2.3:6060", "example.com:6060", "127.0.0.1"} {
		if _, err := load(t, nil, "--sandbox", "--pprof", addr); err == nil || !strings.Contains(err.Error(), "--pprof") {
			t.Errorf("--pprof %s: err = %v, want a refusal", addr, err)
		}
	}
	if _, err := load(t, map[string]string{"ADA_MCP_PPROF": "0.0.0.0:6060"}, "--sandbox"); err == nil {
		t.Error("ADA_MCP_PPROF=0.0.0.0:6060 was accepted")
	}
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060"} {
		if c, err := load(t, nil, "--sandbox", "--pprof", addr); err != nil || c.Pprof != addr {
			t.Errorf("--pprof %s: %v %q", addr, err, c.Pprof)
		}
	}
	if c, err := load(t, nil, "--sandbox"); err != nil || c.Pprof != "" {
		t.Errorf("pprof should be off by default: %v %q", err, c.Pprof)
	}
}

func TestPprofServesProfilesNotTheCommandLine(t *testing.T) {
	addr, stop, err := startPprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for path, want := range map[string]int{"/debug/pprof/heap": 200, "/debug/pprof/cmdline": 404} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// A request whose Host is not a loopback name is refused (DNS rebinding:
// a web page's own name pointed at 127.0.0.1).
func TestPprofRefusesOtherHosts(t *testing.T) {
	addr, stop, err := startPprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	_, port, _ := net.SplitHostPort(addr)
	for host, want := range map[string]int{"evil.example": 403, "evil.example:" + port: 403, "localhost:" + port: 200, "127.0.0.1:" + port: 200, "[::1]:" + port: 200} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/debug/pprof/heap", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}
