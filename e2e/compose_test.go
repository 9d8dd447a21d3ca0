package e2e

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// No Docker engine runs in CI: docker-compose.yml is checked by parts. The
// topology itself (three replicas on one Redis behind a round-robin
// balancer, webhooks to any replica) runs for real in fleet_test.go.

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       string            `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Deploy      struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
		Volumes []string `yaml:"volumes"`
		Ports   []string `yaml:"ports"`
	} `yaml:"services"`
}

// defaultOf is the default of a ${VAR:-default} value.
func defaultOf(v string) string {
	if m := regexp.MustCompile(`^\$\{[A-Z_]+:-(.*)\}$`).FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return v
}

// required is the variable a ${VAR:?message} value names, or "": a secret
// must come from the operator, never from a default every copy shares.
func required(v string) string {
	if m := regexp.MustCompile(`^\$\{([A-Z_]+):\?[^}]+\}$`).FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

func TestDockerCompose(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	mcp, ada, bal := c.Services["ada-mcp"], c.Services["ada"], c.Services["balancer"]
	if mcp.Deploy.Replicas != 3 || mcp.Build != "." {
		t.Fatalf("ada-mcp: %+v", mcp)
	}
	if !slices.Equal(mcp.Command[:4], []string{"--transport", "http", "--addr", "0.0.0.0:8080"}) {
		t.Fatalf("replicas must serve Streamable HTTP beyond loopback: %v", mcp.Command)
	}
	env := mcp.Environment
	if env["ADA_MCP_REDIS_URL"] != "redis://redis:6379/0" || c.Services["redis"].Image == "" {
		t.Fatalf("replicas must share the redis service: %v", env)
	}
	// Secrets have no defaults; the simulator signs with the secret the
	// replicas verify, and accepts the key they send.
	for _, c := range []struct{ got, want string }{
		{env["ADA_MCP_AUTH_TOKEN"], "ADA_MCP_AUTH_TOKEN"},
		{env["ADA_API_KEY"], "ADA_API_KEY"},
		{env["ADA_WEBHOOK_SECRET"], "ADA_WEBHOOK_SECRET"},
		{ada.Environment["ADA_WEBHOOK_SECRET"], "ADA_WEBHOOK_SECRET"},
		{ada.Environment["ADA_SANDBOX_KEY"], "ADA_API_KEY"},
	} {
		if required(c.got) != c.want {
			t.Errorf("%q: want the operator's ${%s:?...}, without a default", c.got, c.want)
		}
	}
	// The README's command makes each of them, the token long enough for a
	// non-loopback replica (16+ characters) and the secret in Ada's form.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ADA_MCP_AUTH_TOKEN=$(openssl rand -hex 32)", "ADA_API_KEY=sandbox_$(openssl rand -hex 16)", "ADA_WEBHOOK_SECRET=whsec_$(openssl rand -base64 24)"} {
		if !strings.Contains(string(readme), want) || !strings.Contains(string(b), want) {
			t.Errorf("README.md and docker-compose.yml should both say how to make the secrets: %s", want)
		}
	}
	cmd := strings.Join(ada.Command, " ")
	if !strings.Contains(cmd, "--webhook-url http://balancer:8080/webhooks/ada") || !strings.Contains(cmd, "--seed 1") {
		t.Fatalf("ada: %s", cmd)
	}
	// The default channel named is the seed-1 simulator's.
	sim, err := adasim.Open(adasim.Options{APIKey: "k", Seed: 1, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if got := defaultOf(env["ADA_CHANNEL_ID"]); got != sim.DefaultChannelID() {
		t.Fatalf("ADA_CHANNEL_ID %s, the seed-1 simulator's channel is %s", got, sim.DefaultChannelID())
	}
	if !slices.Contains(bal.Volumes, "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro") || !slices.Contains(bal.Ports, "8080:8080") {
		t.Fatalf("balancer: %+v", bal)
	}

	conf, err := os.ReadFile("../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"server ada-mcp:8080", "location /mcp", "proxy_buffering off", "location = /webhooks/ada", "proxy_pass http://ada_mcp"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
}
