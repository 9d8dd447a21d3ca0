package main

import (
	"io"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testlog"
)

// What a seed means for a sandbox: 0 (the default) picks a new random seed
// each start, with the real clock, so ids differ from run to run as a real
// Ada's would; any other seed gives the same ids and logical timestamps.
func TestSandboxSeeds(t *testing.T) {
	ids := func(seed int64) (string, int64, bool) {
		t.Helper()
		sb, err := startSandbox(SandboxConfig{Enabled: true, Seed: seed}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
		return sb.ChannelID, sb.Seed, sb.Deterministic
	}
	a, seedA, detA := ids(0)
	b, seedB, _ := ids(0)
	if a == b || seedA == seedB || seedA == 0 || detA {
		t.Fatalf("seed 0 twice: channels %s %s, seeds %d %d, deterministic %v", a, b, seedA, seedB, detA)
	}
	// The seed a seed-0 start picked gives its ids back.
	if again, _, det := ids(seedA); again != a || !det {
		t.Fatalf("replaying seed %d: channel %s, want %s", seedA, again, a)
	}
	x, seedX, detX := ids(7)
	y, _, _ := ids(7)
	if x != y || seedX != 7 || !detX {
		t.Fatalf("seed 7 twice: %s %s", x, y)
	}
}

// The seed in use is logged at start, so any run can be replayed.
func TestSandboxSeedIsLogged(t *testing.T) {
	var logs testlog.Buffer
	_, stop := serveStdioInProcess(t, nil, &logs, "--sandbox", "--log-format", "json")
	stop()
	recs := logs.Records("sandbox")
	if len(recs) != 1 || recs[0]["seed"] == nil || !strings.Contains(recs[0]["replay"].(string), "--sandbox-seed") {
		t.Fatalf("records %v\n%s", recs, logs.String())
	}
}

func TestSandboxFlagsNeedSandbox(t *testing.T) {
	for _, args := range [][]string{{"--sandbox-seed", "3"}, {"--sandbox-state", "x.json"}, {"--sandbox-state-out", "y.json"}} {
		if _, err := loadConfig(args, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "need --sandbox") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

func TestSandboxStateFileIsLoaded(t *testing.T) {
	sb, err := startSandbox(SandboxConfig{Enabled: true, Seed: 1, State: "testdata/evals/fixtures/shop-120.state.json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if n := len(sb.srv.Sim.State().EndUsers); n != 120 {
		t.Fatalf("%d end users", n)
	}
	if _, err := startSandbox(SandboxConfig{Enabled: true, State: "testdata/evals/handoff.yaml"}, nil); err == nil || !strings.Contains(err.Error(), "handoff.yaml") {
		t.Fatalf("a file that is not a state: %v", err)
	}
}
