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
	if len(defaultOf(env["ADA_MCP_AUTH_TOKEN"])) < 16 {
		t.Fatal("a non-loopback replica needs a token of 16+ characters, or it refuses to start")
	}
	// The simulator signs with the secret the replicas verify, and accepts
	// the key they send.
	if defaultOf(ada.Environment["ADA_WEBHOOK_SECRET"]) != defaultOf(env["ADA_WEBHOOK_SECRET"]) ||
		!strings.HasPrefix(defaultOf(env["ADA_WEBHOOK_SECRET"]), "whsec_") {
		t.Fatalf("webhook secrets differ: %q %q", ada.Environment["ADA_WEBHOOK_SECRET"], env["ADA_WEBHOOK_SECRET"])
	}
	if defaultOf(ada.Environment["ADA_SANDBOX_KEY"]) != defaultOf(env["ADA_API_KEY"]) {
		t.Fatal("the simulator's key is not the replicas' API key")
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
