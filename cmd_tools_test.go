package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/transcript"
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

// A tool this configuration does not serve, but that an opt-in toolset
// has or --read-only leaves out, is named with the flag that serves it.
func TestToolsCallUnservedToolNamesTheFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tools", "call", "delete_webhook", "--sandbox"}, "--toolsets webhooks"},
		{[]string{"tools", "call", "delete_webhook", "--sandbox", "--toolsets", "webhooks", "--read-only"}, "--read-only"},
		{[]string{"tools", "call", "upsert_end_user", "--sandbox", "--read-only"}, "--read-only"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(c.args, "--args", "{}"), func(string) string { return "" },
			strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to name %s", c.args, code, stderr.String(), c.want)
		}
	}
}

// Without --read-only, a write tool of a toolset not asked for is only
// that toolset's (a read-only toolset chosen is not --read-only).
func TestToolsCallUnservedToolWithoutReadOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"tools", "call", "upsert_end_user", "--sandbox", "--toolsets", "audit", "--args", "{}"},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--toolsets end_users") || strings.Contains(stderr.String(), "--read-only") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// Without a verb, the usage ends with where the flags are listed, not
// with a "Flags:" heading over nothing.
func TestCommandsWithoutAVerbPointToTheFlags(t *testing.T) {
	for _, cmd := range []string{"tools", "webhooks"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{cmd}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage || strings.HasSuffix(stderr.String(), "Flags:\n") || !strings.Contains(stderr.String(), "--help") {
			t.Errorf("ada-mcp %s: exit %d, stderr %q", cmd, code, stderr.String())

		}
	}
}

// A toolset given whose every tool --read-only drops is still given: the
// reason is --read-only alone, not "add --toolsets" for what was added.
func TestToolsCallUnservedToolOfAGivenToolset(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"tools", "call", "create_channel", "--sandbox", "--toolsets", "channels", "--read-only", "--args", "{}"},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--read-only") || strings.Contains(stderr.String(), "add --toolsets channels") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// `ada-mcp tools call --transcript` adds its call to the file: a script of
// calls (against `ada-mcp sandbox`, say) records one transcript to grade,
// not only its last call.
func TestToolsCallAppendsToTheTranscript(t *testing.T) {
	file := filepath.Join(t.TempDir(), "run.jsonl")
	for _, call := range [][]string{{"lookup_end_user", `{"external_id": "a"}`}, {"list_channels", `{}`}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"tools", "call", call[0], "--sandbox", "--transcript", file, "--args", call[1]},
			func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
		if code != exitOK {
			t.Fatalf("%s: exit %d, stderr %q", call[0], code, stderr.String())
		}
	}
	recs, err := transcript.ReadFile(file)
	if err != nil || len(recs) != 2 || recs[0].Tool != "lookup_end_user" || recs[1].Tool != "list_channels" {
		t.Fatalf("transcript of two calls: %+v, %v", recs, err)
	}
}
