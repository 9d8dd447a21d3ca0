package server

import "testing"

func TestAllowlist(t *testing.T) {
	a, err := newAllowlist([]string{"http://127.0.0.1:8081/api", "https://*.ada.example.com/api/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://acme.ada.support/api", true},
		{"https://acme.ada.support/api/", true},
		{"https://acme.eu.ada.support/api", true},
		{"https://ACME.ada.support:443/api", true},
		{"https://ada.support/api", false},
		{"https://acme.ada.support.evil.com/api", false},
		{"https://evilada.support/api", false},
		{"http://acme.ada.support/api", false},
		{"https://acme.ada.support:8443/api", false},
		{"https://acme.ada.support/api/../admin", false},
		{"https://acme.ada.support/other", false},
		{"https://user:pw@acme.ada.support/api", false},
		{"https://acme.ada.support/api?x=1", false},
		{"https://acme.ada.support/api#frag", false},
		{"http://127.0.0.1:8081/api", true},
		{"http://127.0.0.1:8082/api", false},
		{"http://localhost:8081/api", false},
		{"http://169.254.169.254/latest/meta-data", false},
		{"https://x.ada.example.com/api", true},
		{"file:///etc/passwd", false},
		{"acme.ada.support/api", false},
	} {
		if got := a.allows(tc.url); got != tc.want {
			t.Errorf("allows(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

func TestAllowlistRejectsBadPatterns(t *testing.T) {
	for _, p := range []string{"*.ada.support/api", "https://*.com/api", "ftp://x.example.com/api", "https://u@x.example.com/api", "https://x.example.com/api?q"} {
		if _, err := newAllowlist([]string{p}); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
}
