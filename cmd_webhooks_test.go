package main

import (
	"strings"
	"testing"
)

// The receiver answers at exactly /webhooks/ada (http.ServeMux matches a
// pattern without a trailing slash exactly): a URL that ends in
// /webhooks/ada/ would register an endpoint every delivery to fails.
func TestCheckHookURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://mcp.example.com/webhooks/ada":        "",
		"https://mcp.example.com/prefix/webhooks/ada": "",
		"http://127.0.0.1:8080/webhooks/ada":          "",
		"https://mcp.example.com/webhooks/ada/":       "must end in /webhooks/ada",
		"https://mcp.example.com/webhooks/ada//":      "must end in /webhooks/ada",
		"https://mcp.example.com/webhooks/adax":       "must end in /webhooks/ada",
		"https://mcp.example.com/webhooks/ada?x=1":    "must end in /webhooks/ada",
		"http://example.com/webhooks/ada":             "use https",
		"":                                            "required",
	} {
		err := checkHookURL(raw)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: got %v, want an error saying %q", raw, err, want)
		}
	}
}
