package eval

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/tools"
)

const shipped = "../testdata/evals"

// The scenarios and checks in testdata/evals pass: what the README shows
// and CI runs as `go run . eval testdata/evals`.
func TestShippedScenariosPass(t *testing.T) {
	var out strings.Builder
	rep, err := Run(context.Background(), Config{Paths: []string{shipped}, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 || rep.Passed < 11 {
		t.Fatalf("%d passed, %d failed:\n%s", rep.Passed, rep.Failed, out.String())
	}
}

// BenchmarkShippedScenarios times the whole shipped suite, as
// `ada-mcp eval testdata/evals` runs it (the target: under 5 s on 2 cores).
func BenchmarkShippedScenarios(b *testing.B) {
	for b.Loop() {
		rep, err := Run(context.Background(), Config{Paths: []string{shipped}, Out: io.Discard})
		if err != nil || rep.Failed != 0 {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

// BenchmarkRunStart times what every run starts with and ends with: a
// fresh sandbox on a loopback port, the server built over it, an MCP
// session initialized, then all of it closed (the target: under 5 ms).
func BenchmarkRunStart(b *testing.B) {
	r := &runner{cfg: Config{}.withDefaults()}
	sc := &Scenario{Name: "bench", Runs: 1}
	ctx := context.Background()
	want := len(mustTools(b))
	for b.Loop() {
		e, err := r.start(ctx, sc, 1, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(e.served) != want {
			b.Fatalf("%d tools", len(e.served))
		}
		e.close("", sc, 1)
	}
}

func mustTools(b *testing.B) []tools.Tool {
	built, err := tools.Build(tools.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return built.Tools
}
