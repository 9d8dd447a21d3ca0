package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// `ada-mcp tools call` with a name it does not serve lists the tools and
// quotes the name redacted: the API key typed in the wrong place stays
// off the screen (and out of terminal logs).
func TestToolsCallUnknownNameIsRedacted(t *testing.T) {
	const key = "ada_live_Wm4Kd8Rt2Xq7Lz5"
	env := map[string]string{"ADA_API_KEY": key, "ADA_BASE_URL": "http://127.0.0.1:1/api"}
	for name, want := range map[string]string{key: `"[REDACTED]"`, "lookup_user": `"lookup_user"`} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"tools", "call", name, "--args", "{}"}, func(k string) string { return env[k] },
			strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "no tool "+want) || !strings.Contains(stderr.String(), "lookup_end_user") {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), key) {
			t.Errorf("%s: the output carries the API key: %q %q", name, stdout.String(), stderr.String())
		}
	}
}
