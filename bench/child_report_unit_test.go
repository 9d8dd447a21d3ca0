package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The report's own check finds a figure that is missing or not positive,
// and a server that did not make one Ada request per call.
func TestChildReportProblems(t *testing.T) {
	r := completeReport(childConfig{clients: 4, pairs: 1})
	pair := r.pairs[0]
	out := r.render()
	if p := r.problems(out); len(p) != 0 {
		t.Fatalf("a complete report has problems: %v\n%s", p, out)
	}
	// Every ratio is 2x: only the calls/s targets (at least 0.8x) are met.
	if !strings.Contains(out, "targets met: 3 of 13") {
		t.Errorf("want 3 of 13 targets met:\n%s", out)
	}
	cpu := figure{tSession, 4, "cpu"}
	pair[1][cpu] = 0
	delete(pair[0], figure{tStdio, 0, "cold"})
	r.perCall["minimal"] = []float64{2}
	if p := r.problems(out); len(p) != 3 {
		t.Errorf("problems = %q, want the zero, the missing figure and the Ada requests", p)
	}
	if p := r.problems(strings.Replace(out, rowLabel(cpu), "", 1)); len(p) != 4 {
		t.Errorf("a row missing from the output: problems = %q", p)
	}
}

func TestQuantile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if q := quantile(d, 0.5); q != 5 {
		t.Errorf("p50 = %v", q)
	}
	if q := quantile(d, 0.99); q != 10 {
		t.Errorf("p99 = %v", q)
	}
	if q := quantile(d[:1], 0.99); q != 1 {
		t.Errorf("p99 of one = %v", q)
	}
}

// The header names the phase that was profiled.
func TestChildReportNamesProfiledPhase(t *testing.T) {
	r := completeReport(childConfig{clients: 32, pairs: 1, profileDir: "/p", profileSecs: 5})
	if out := r.render(); !strings.Contains(out, "profiled (5s in each 1-client phase") {
		t.Errorf("one-client profile not named:\n%s", out)
	}
	r.cfg.profileMany = true
	if out := r.render(); !strings.Contains(out, "profiled (5s in each 32-client phase") {
		t.Errorf("many-clients profile not named:\n%s", out)
	}
}

// completeReport has every figure of one pair, ada-mcp's twice the minimal
// server's.
func completeReport(cfg childConfig) *childReport {
	r := &childReport{cfg: cfg, tools: map[string]int{"ada-mcp": 18, "minimal": 1},
		perCall: map[string][]float64{"ada-mcp": {1}, "minimal": {1}}}
	pair := pairFigures{{}, {}}
	for _, f := range r.rows() {
		pair[0][f], pair[1][f] = 2, 1
	}
	r.pairs = []pairFigures{pair}
	return r
}

// The servers take turns going first: each goes first in half the rounds.
func TestTurnOrder(t *testing.T) {
	for r, want := range map[int][]int{1: {0, 1}, 2: {1, 0}, 3: {0, 1}, 4: {1, 0}} {
		if got := turnOrder(r, 2); !slices.Equal(got, want) {
			t.Errorf("round %d: order %v, want %v", r, got, want)
		}
	}
}
