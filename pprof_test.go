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
	addr := pprofServer(t)
	for path, want := range map[string]int{"/debug/pprof/heap": 200, "/debug/pprof/cmdline": 404} {
		if got := pprofGet(t, addr, path, ""); got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
}

// A request whose Host is not a loopback name is refused (DNS rebinding:
// a web page's own name pointed at 127.0.0.1).
func TestPprofRefusesOtherHosts(t *testing.T) {
	addr := pprofServer(t)
	_, port, _ := net.SplitHostPort(addr)
	for host, want := range map[string]int{"evil.example": 403, "evil.example:" + port: 403, "localhost:" + port: 200, "127.0.0.1:" + port: 200, "[::1]:" + port: 200} {
		if got := pprofGet(t, addr, "/debug/pprof/heap", host); got != want {
			t.Errorf("Host %s: %d, want %d", host, got, want)
		}
	}
}

// pprofServer starts the pprof listener on a loopback port for the test.
func pprofServer(t *testing.T) string {
	t.Helper()
	addr, stop, err := startPprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

// pprofGet is the status of GET path at addr, with the Host header host
// ("" for the address).
func pprofGet(t *testing.T, addr, path, host string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
