package server

import (
	"strings"
	"testing"
)

func TestIsLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true,
		"127.0.0.2:8080": true,
		"localhost:8080": true,
		"[::1]:8080":     true,
		"0.0.0.0:8080":   false,
		":8080":          false,
		"[::]:8080":      false,
		"10.0.0.5:8080":  false,
		"myhost:8080":    false,
	} {
		if got := IsLoopbackAddr(addr); got != want {
			t.Errorf("IsLoopbackAddr(%q) = %v", addr, got)
		}
	}
}

func TestCheckExposure(t *testing.T) {
	if err := CheckExposure("127.0.0.1:8080", ""); err != nil {
		t.Fatalf("loopback without a token: %v", err)
	}
	err := CheckExposure("0.0.0.0:8080", "")
	if err == nil || !strings.Contains(err.Error(), "ADA_MCP_AUTH_TOKEN") {
		t.Fatalf("public address without a token: %v", err)
	}
	if err := CheckExposure("0.0.0.0:8080", testToken); err != nil {
		t.Fatalf("public address with a token: %v", err)
	}
	if err := CheckExposure("127.0.0.1:8080", "short"); err == nil {
		t.Fatal("a 5-character token was accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Transport: TransportHTTP}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{
		"transport":   {Transport: "stdio"},
		"exposure":    {Transport: TransportSSE, Addr: ":8080"},
		"origin":      {Transport: TransportHTTP, AllowedOrigins: []string{"example.com"}},
		"tenant urls": {Transport: TransportHTTP, TenantBaseURLs: []string{"https://*.com/api"}},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
}
