package bench

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
)

// The child-process benchmark's report: raw medians over pairs, the
// per-pair ratios ada-mcp / minimal, and the targets of issue #18.

// pairFigures are one pair's figures: ada-mcp's, then the minimal server's.
type pairFigures [2]map[figure]float64

type childReport struct {
	cfg                   childConfig
	pairs                 []pairFigures
	tools                 map[string]int       // tools listed, by server
	perCall               map[string][]float64 // Ada requests per tool call, by server
	cpuSource             string
	loadBefore, loadAfter string
}

// rows are the report's figures, in order.
func (r *childReport) rows() []figure {
	var rows []figure
	for _, t := range childTransports {
		for _, c := range []int{1, r.cfg.clients} {
			for _, m := range []string{"p50", "p99", "rate", "cpu"} {
				rows = append(rows, figure{t, c, m})
			}
		}
		rows = append(rows, figure{t, 0, "rss"})
	}
	return append(rows, figure{tStdio, 0, "cold"})
}

var metricLabels = map[string]string{
	"p50": "p50 (µs)", "p99": "p99 (µs)", "rate": "calls/s", "cpu": "CPU/call (µs)",
	"rss": "peak RSS (MB)", "cold": "cold start (ms)",
}

// target is a row's goal for the ratio ada-mcp / minimal, if it has one.
func (r *childReport) target(f figure) (op string, limit float64, ok bool) {
	switch {
	case f.metric == "cpu":
		return "<=", 1.3, true
	case f.metric == "rate" && f.clients == r.cfg.clients:
		return ">=", 0.8, true
	case f.metric == "cold":
		return "<=", 1.3, true
	case f.metric == "rss":
		return "<=", 1.15, true
	}
	return "", 0, false
}

// rowLabel is how a row starts: transport, clients, figure.
func rowLabel(f figure) string {
	c := "-"
	if f.clients > 0 {
		c = fmt.Sprint(f.clients)
	}
	return fmt.Sprintf("%-10s %7s  %-16s", f.transport, c, metricLabels[f.metric])
}

// stats are a row's medians over pairs and its per-pair ratios.
func (r *childReport) stats(f figure) (ada, minimal float64, ratios []float64) {
	var as, ms []float64
	for _, p := range r.pairs {
		as, ms = append(as, p[0][f]), append(ms, p[1][f])
		ratios = append(ratios, p[0][f]/p[1][f])
	}
	return median(as), median(ms), ratios
}

func (r *childReport) render() string {
	var b strings.Builder
	c := r.cfg
	fmt.Fprintln(&b, "ada-mcp next to a bare mcp-go server, each a child process, lookup_end_user against a fake Ada (a third process)")
	fmt.Fprintf(&b, "machine: %d CPUs, %s, %s %s/%s; load average before %s, after %s\n",
		runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH, r.loadBefore, r.loadAfter)
	fmt.Fprintf(&b, "pairs: %d; per server, transport and pair: 1 client x %d calls, then %d clients x %d calls; cold starts: %d per server and pair\n",
		c.pairs, c.calls, c.clients, c.clientCalls, c.cold)
	fmt.Fprintf(&b, "tools listed: ada-mcp %d, minimal %d; Ada requests per tool call: ada-mcp %s, minimal %s\n",
		r.tools["ada-mcp"], r.tools["minimal"], spread(r.perCall["ada-mcp"]), spread(r.perCall["minimal"]))
	fmt.Fprintf(&b, "server CPU from %s\n", r.cpuSource)
	if c.profileDir != "" {
		phase := "1-client"
		if c.profileMany {
			phase = fmt.Sprintf("%d-client", c.clients)
		}
		fmt.Fprintf(&b, "profiled (%ds in each %s phase, both servers): %s\n", c.profileSecs, phase, c.profileDir)
	}
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "%-10s %7s  %-16s %10s %10s %7s %12s  %-8s %-8s %s\n", "transport", "clients", "figure",
		"ada-mcp", "minimal", "ratio", "range", "target", "", "per pair")
	met, total := 0, 0
	var missed []string
	for _, f := range r.rows() {
		ada, minimal, ratios := r.stats(f)
		ratio := median(ratios)
		goal, verdict := "", ""
		if op, limit, ok := r.target(f); ok {
			total++
			goal = fmt.Sprintf("%s%.2fx", op, limit)
			if (op == "<=" && ratio <= limit) || (op == ">=" && ratio >= limit) {
				met++
				verdict = "met"
			} else {
				verdict = "not met"
				missed = append(missed, strings.Join(strings.Fields(rowLabel(f)), " "))
			}
		}
		per := make([]string, len(ratios))
		for i, x := range ratios {
			per[i] = fmt.Sprintf("%.2f", x)
		}
		fmt.Fprintf(&b, "%s %10s %10s %6.2fx %5.2f-%.2fx  %-8s %-8s %s\n", rowLabel(f), num(ada), num(minimal),
			ratio, slices.Min(ratios), slices.Max(ratios), goal, verdict, strings.Join(per, " "))
	}
	fmt.Fprintf(&b, "\ntargets met: %d of %d\n", met, total)
	if len(missed) > 0 {
		fmt.Fprintf(&b, "not met: %s\n", strings.Join(missed, "; "))
	}
	fmt.Fprint(&b, `
ada-mcp, minimal: medians over pairs. ratio: ada-mcp / minimal within each pair, the median of
those; range: the lowest and highest pair; per pair: each pair's ratio. A pair is both servers,
transport by transport, each a new process, ada-mcp first in odd pairs and the minimal server
in even ones; cold starts take turns the same way.
stdio: the clients share one pipe, requests matched by id. http-2025: Streamable HTTP, protocol
2025-11-25, initialize and Mcp-Session-Id, a session per client. http-2026: protocol 2026-07-28,
stateless: each POST carries _meta (version, client info, capabilities) and Mcp-Protocol-Version,
Mcp-Method, Mcp-Name.
CPU/call: the server process's user+sys over the phase / its calls. peak RSS: VmHWM after both
phases. cold start: exec over stdio until tools/list is answered (initialize first), median.
ada-mcp runs with its defaults (log level info, to a file; auth token over HTTP) except
--rate-limits off and, over HTTP, a per-client limit above the clients; minimal checks the
bearer token and nothing else.
`)
	return b.String()
}

// problems are what make the report incomplete: a row missing from out,
// or a figure that is not a positive number.
func (r *childReport) problems(out string) []string {
	var p []string
	if len(r.pairs) != r.cfg.pairs {
		p = append(p, fmt.Sprintf("%d pairs measured, want %d", len(r.pairs), r.cfg.pairs))
	}
	for _, f := range r.rows() {
		if !strings.Contains(out, "\n"+rowLabel(f)+" ") {
			p = append(p, fmt.Sprintf("row %q missing", rowLabel(f)))
		}
		for i, pair := range r.pairs {
			for s, figs := range pair {
				if v, ok := figs[f]; !ok || !(v > 0) || math.IsInf(v, 0) {
					p = append(p, fmt.Sprintf("pair %d, %s: %s = %v", i+1, []string{"ada-mcp", "minimal"}[s], rowLabel(f), v))
				}
			}
		}
	}
	for name, per := range r.perCall {
		for _, x := range per {
			if x != 1 {
				p = append(p, fmt.Sprintf("%s made %.3f Ada requests per tool call, want 1", name, x))
			}
		}
	}
	if !strings.Contains(out, "\ntargets met: ") {
		p = append(p, "no targets line")
	}
	return p
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// num prints a figure with three or so significant digits.
func num(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func spread(xs []float64) string {
	if len(xs) == 0 {
		return "?"
	}
	if lo, hi := slices.Min(xs), slices.Max(xs); lo != hi {
		return fmt.Sprintf("%.2f-%.2f", lo, hi)
	}
	return fmt.Sprintf("%.2f", xs[0])
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAvg is the 1-minute load average: the machine is shared.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
