package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
	"github.com/ada-mcp/ada-mcp/tools"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	return loadConfig(args, func(k string) string { return env[k] }, io.Discard)
}

func TestHTTPConfiguration(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("  file_token_0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(t, map[string]string{
		"ADA_MCP_AUTH_TOKEN_FILE":           tokenFile,
		"ADA_MCP_ALLOWED_ORIGINS":           "https://app.example.com, http://localhost:6274",
		"ADA_MCP_MAX_BODY_BYTES":            "2048",
		"ADA_MCP_MAX_CONCURRENT_PER_CLIENT": "4",
		"ADA_MCP_SHUTDOWN_TIMEOUT":          "5s",
		"ADA_MCP_MULTI_TENANT":              "true",
		"ADA_MCP_TENANT_BASE_URLS":          "http://127.0.0.1:8081/api",
	}, "--transport", "http", "--addr", "0.0.0.0:8080")
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.AuthToken != "file_token_0123456789abcdef" || len(c.HTTP.AllowedOrigins) != 2 || c.HTTP.MaxBodyBytes != 2048 ||
		c.HTTP.MaxConcurrentPerClient != 4 || c.HTTP.ShutdownTimeout != 5*time.Second || !c.HTTP.MultiTenant || len(c.HTTP.TenantBaseURLs) != 1 {
		t.Fatalf("config = %+v", c)
	}
	// Flags win over the environment.
	c, err = load(t, map[string]string{"ADA_MCP_MAX_BODY_BYTES": "2048"}, "--sandbox", "--transport", "sse", "--max-body-bytes", "100")
	if err != nil || c.HTTP.MaxBodyBytes != 100 {
		t.Fatalf("%v %+v", err, c)
	}
}

func TestHTTPConfigurationMistakes(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"public without token":     {nil, []string{"--sandbox", "--transport", "http", "--addr", "0.0.0.0:8080"}, "ADA_MCP_AUTH_TOKEN"},
		"short token":              {map[string]string{"ADA_MCP_AUTH_TOKEN": "abc"}, []string{"--sandbox", "--transport", "http"}, "at least"},
		"token twice":              {map[string]string{"ADA_MCP_AUTH_TOKEN": "x", "ADA_MCP_AUTH_TOKEN_FILE": "/nonexistent"}, []string{"--sandbox"}, "not both"},
		"missing token file":       {nil, []string{"--sandbox", "--auth-token-file", "/nonexistent/token"}, "auth-token-file"},
		"multi-tenant on stdio":    {nil, []string{"--multi-tenant"}, "--transport http"},
		"bad number in env":        {map[string]string{"ADA_MCP_MAX_BODY_BYTES": "1MB"}, []string{"--sandbox"}, "ADA_MCP_MAX_BODY_BYTES"},
		"bad duration in env":      {map[string]string{"ADA_MCP_SHUTDOWN_TIMEOUT": "20"}, []string{"--sandbox"}, "ADA_MCP_SHUTDOWN_TIMEOUT"},
		"zero limit":               {nil, []string{"--sandbox", "--transport", "http", "--max-concurrent-per-client", "0"}, "positive"},
		"zero stdio message limit": {nil, []string{"--sandbox", "--max-body-bytes", "0"}, "--max-body-bytes must be positive"},
		"bad origin":               {nil, []string{"--sandbox", "--transport", "http", "--allowed-origins", "example.com"}, "not an origin"},
		"bad tenant pattern":       {nil, []string{"--transport", "http", "--multi-tenant", "--tenant-base-urls", "https://*.com/api"}, "tenant-base-urls"},
		"no key, not multi-tenant": {nil, []string{"--transport", "http"}, "ADA_API_KEY"},
	} {
		if _, err := load(t, tc.env, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", name, err, tc.want)
		}
	}
}

func TestMultiTenantNeedsNoDefaultKey(t *testing.T) {
	if _, err := load(t, nil, "--transport", "http", "--multi-tenant"); err != nil {
		t.Fatal(err)
	}
}

func TestVersionNeedsNoConfiguration(t *testing.T) {
	if c, err := load(t, nil, "--version"); err != nil || !c.Version {
		t.Fatalf("%v %+v", err, c)
	}
}

// The fence is on unless turned off, by flag or env; a typo in the env is
// an error, not a silent off.
func TestFenceUntrustedFlag(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want bool
	}{
		{"", nil, true},
		{"false", nil, false},
		{"0", nil, false},
		{"", []string{"--fence-untrusted=false"}, false},
		{"false", []string{"--fence-untrusted"}, true},
	} {
		c, err := load(t, map[string]string{"ADA_MCP_FENCE_UNTRUSTED": tc.env}, append([]string{"--sandbox"}, tc.args...)...)
		if err != nil || c.Ada.FenceUntrusted != tc.want {
			t.Errorf("env %q, args %v: fence %v, %v; want %v", tc.env, tc.args, c.Ada.FenceUntrusted, err, tc.want)
		}
	}
	if _, err := load(t, map[string]string{"ADA_MCP_FENCE_UNTRUSTED": "off"}, "--sandbox"); err == nil || !strings.Contains(err.Error(), "ADA_MCP_FENCE_UNTRUSTED") {
		t.Fatalf("malformed env: %v", err)
	}
}

// Every boolean variable refuses what it cannot read: ADA_MCP_READ_ONLY=yes
// once meant "not read-only", every write tool served without a word.
func TestBooleanEnvRefusesMalformedValues(t *testing.T) {
	for _, name := range []string{"ADA_MCP_READ_ONLY", "ADA_MCP_ALLOW_CUSTOMER_MESSAGES", "ADA_MCP_ALLOW_DESTRUCTIVE", "ADA_MCP_MULTI_TENANT"} {
		for _, v := range []string{"yes", "on", "true "} {
			if _, err := load(t, map[string]string{name: v}, "--sandbox"); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: err = %v, want one naming the variable", name, v, err)
			}
		}
	}
	c, err := load(t, map[string]string{"ADA_MCP_READ_ONLY": "1"}, "--sandbox")
	if err != nil || !c.Ada.ReadOnly {
		t.Errorf("ADA_MCP_READ_ONLY=1: read-only %v, %v", c.Ada.ReadOnly, err)
	}
}

// The flag reaches the served tools: fenced text by default, plain JSON
// with --fence-untrusted=false.
func TestFenceUntrustedReachesTheServer(t *testing.T) {
	for _, fenced := range []bool{true, false} {
		s, stop := serveStdioInProcess(t, nil, io.Discard, "--sandbox", "--fence-untrusted="+strconv.FormatBool(fenced))
		res := s.Call("list_end_users", map[string]any{})
		text := testclient.Text(res)
		if _, _, _, ok := testclient.Unfence(text); ok != fenced || (!fenced && !json.Valid([]byte(text))) {
			t.Fatalf("--fence-untrusted=%v: text %s", fenced, text)
		}
		stop()
	}
}

// --toolsets' help names every toolset, the opt-in ones too.
func TestToolsetsHelpNamesEveryToolset(t *testing.T) {
	help := toolsetHelp()
	for _, ts := range tools.Toolsets(nil) {
		if !ts.Always && !strings.Contains(help, ts.Name) {
			t.Errorf("--toolsets help lacks %s: %s", ts.Name, help)
		}
	}
}

// A rate-limit spec sets the groups it names; the others keep Ada's limits
// (a group left out once went unpaced), and a name that is no group is an
// error naming the groups.
func TestRateLimitSpecs(t *testing.T) {
	c, err := load(t, nil, "--sandbox", "--rate-limits", "conversations=1/s+20/m")
	if err != nil {
		t.Fatal(err)
	}
	def := adaclient.DefaultLimits()
	if got := c.RateLimits[adaclient.GroupConversations]; len(got) != 2 || got[0] != (adaclient.Limit{Requests: 1, Per: time.Second}) || got[1] != (adaclient.Limit{Requests: 20, Per: time.Minute}) {
		t.Errorf("conversations: %v", got)
	}
	for _, g := range []string{adaclient.GroupEndUsers, adaclient.GroupAuditLog, adaclient.GroupOther} {
		if !slices.Equal(c.RateLimits[g], def[g]) {
			t.Errorf("%s: %v, want Ada's %v", g, c.RateLimits[g], def[g])
		}
	}
	for _, spec := range []string{"conversation=1/s", "foo=1/s,other=2/s"} {
		if _, err := load(t, nil, "--sandbox", "--rate-limits", spec); err == nil || !strings.Contains(err.Error(), "the groups are audit_log, conversations, end_users, other") {
			t.Errorf("%s: err = %v", spec, err)
		}
	}
	if c, err := load(t, nil, "--sandbox", "--rate-limits", "off"); err != nil || c.RateLimits != nil {
		t.Errorf("off: %v %v", c.RateLimits, err)
	}
}

// A flag beats a variable across the handle and the base URL too: a
// --bot-handle flag wins over ADA_BASE_URL, a --base-url flag over both.
func TestBotHandleFlagBeatsBaseURLFromEnv(t *testing.T) {
	env := map[string]string{"ADA_API_KEY": "k", "ADA_BASE_URL": "http://127.0.0.1:1/api"}
	c, err := load(t, env, "--bot-handle", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := c.Ada.baseURL(); err != nil || u != "https://acme.ada.support/api" {
		t.Errorf("--bot-handle with ADA_BASE_URL: %q %v", u, err)
	}
	c, err = load(t, env, "--bot-handle", "acme", "--base-url", "http://127.0.0.1:2/api")
	if u, _ := c.Ada.baseURL(); err != nil || u != "http://127.0.0.1:2/api" {
		t.Errorf("both flags: %q %v", u, err)
	}
	c, err = load(t, env)
	if u, _ := c.Ada.baseURL(); err != nil || u != "http://127.0.0.1:1/api" {
		t.Errorf("env alone: %q %v", u, err)
	}
	// The same for ada-mcp tools (and webhooks setup, through flagsWin).
	std := stdio{getenv: func(k string) string { return env[k] }, stderr: io.Discard}
	tc, _, err := loadToolsConfig("call", []string{"list_channels", "--args", "{}", "--bot-handle", "acme"}, std)
	if u, _ := tc.Ada.baseURL(); err != nil || u != "https://acme.ada.support/api" {
		t.Errorf("tools call --bot-handle with ADA_BASE_URL: %q %v", u, err)
	}
}

// Replicas of one AI Agent share its rate budget however each spells the
// base URL.
func TestSameAda(t *testing.T) {
	want := sameAda("https://acme.ada.support/api")
	for _, u := range []string{"https://acme.ada.support/api/", "HTTPS://ACME.ada.support/api", "https://acme.ada.support/api//"} {
		if got := sameAda(u); got != want {
			t.Errorf("sameAda(%q) = %q, want %q", u, got, want)
		}
	}
	if sameAda("https://other.ada.support/api") == want {
		t.Error("two AI Agents share a budget")
	}
}

// A bad --redis-url is named by what is wrong, never by quoting the URL:
// any part of it (the scheme, the path, an option) may be the password
// typed in the wrong place.
func TestRedisURLErrorsQuoteNothing(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"redis://:pwCanary@127.0.0.1:portCanary", "port"},
		{"redis://:pw%zzCanary@127.0.0.1:6379", "escape"},
		{"redis://:pwCanary@ho st:6379", "host"},
		{"redis://:pw Canary@127.0.0.1:6379", "user or password"},
		{"schemeCanary://:pwCanary@127.0.0.1:6379", "scheme"},
		{"pwCanary@127.0.0.1:6379", "scheme"},
		{"redis://:pwCanary@127.0.0.1:6379/dbCanary", "database number"},
		{"redis://:pwCanary@127.0.0.1:6379/0?db=dbCanary", "database number"},
		{"redis://:pwCanary@127.0.0.1:6379/0/pathCanary", "path"},
		{"unix://:pwCanary@", "socket path"},
		{"redis://:pwCanary@127.0.0.1:6379/0?dial_timeout=durCanary", "query option"},
		{"redis://:pwCanary@127.0.0.1:6379/0?pool_size=numCanary", "query option"},
		{"redis://:pwCanary@127.0.0.1:6379/0?pool_fifo=boolCanary", "query option"},
		{"redis://:pwCanary@127.0.0.1:6379/0?optCanary=1", "query option"},
	} {
		_, err := parseRedisURL(c.url)
		if err == nil {
			t.Errorf("%s: no error", c.url)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "--redis-url: ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q does not name the %s", c.url, msg, c.want)
		}
		if strings.Contains(strings.ToLower(msg), "canary") || strings.Contains(msg, "%zz") {
			t.Errorf("%s: error %q quotes the URL", c.url, msg)
		}
	}
	if _, err := parseRedisURL("rediss://user:pw@127.0.0.1:6380/2?dial_timeout=3s"); err != nil {
		t.Errorf("a good URL: %v", err)
	}
}

// A key pasted with white space around it works; one with a line break
// inside is refused at start, without quoting it.
func TestAPIKeyIsTrimmedAndChecked(t *testing.T) {
	c, err := load(t, map[string]string{"ADA_API_KEY": " key_0123456789\n", "ADA_BOT_HANDLE": "acme"})
	if err != nil || c.Ada.APIKey != "key_0123456789" {
		t.Errorf("key %q, %v; want it trimmed", c.Ada.APIKey, err)
	}
	_, err = load(t, map[string]string{"ADA_API_KEY": "key_0123\n456789", "ADA_BOT_HANDLE": "acme"})
	if err == nil || !strings.Contains(err.Error(), "--api-key (ADA_API_KEY) holds a control character") || strings.Contains(err.Error(), "0123") {
		t.Errorf("a key with a line break inside: %v", err)
	}
}
