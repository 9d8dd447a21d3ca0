package bench

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestChildProcess measures ada-mcp as an outside client sees it, next to
// a bare mcp-go server (bench/minimal), both as child processes calling a
// fake Ada in a third (bench/fakeada). Run by scripts/bench-child.sh, which
// describes the method; skipped unless BENCH_CHILD=1. With tiny counts it
// is the smoke test .ci/run keeps from rotting: every row present, every
// figure positive.
func TestChildProcess(t *testing.T) {
	if os.Getenv("BENCH_CHILD") != "1" {
		t.Skip("BENCH_CHILD=1 runs it; see scripts/bench-child.sh")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the children's CPU time and memory from /proc: Linux only")
	}
	cfg := childConfigFromEnv(t)
	dir := t.TempDir()
	bins := buildChildren(t, dir)
	b := &childBench{
		cfg: cfg, dir: dir, ada: startFakeAda(t, bins.fakeAda, dir),
		http:    newHTTPClient(cfg.clients),
		servers: []serverSpec{adaMCPSpec(bins.adaMCP, cfg.clients), minimalSpec(bins.minimal)},
	}
	rep := &childReport{cfg: cfg, tools: map[string]int{}, perCall: map[string][]float64{}, loadBefore: loadAvg()}
	for p := 1; p <= cfg.pairs; p++ {
		pair := pairFigures{{}, {}}
		for _, tr := range childTransports {
			for _, i := range turnOrder(p, len(b.servers)) {
				s := b.servers[i]
				progress("pair %d of %d: %s over %s", p, cfg.pairs, s.name, tr)
				figs, perCall, err := b.measure(s, tr, p)
				if err != nil {
					t.Fatalf("%s over %s: %v", s.name, tr, err)
				}
				for f, v := range figs {
					pair[i][f] = v
				}
				rep.perCall[s.name] = append(rep.perCall[s.name], perCall)
			}
		}
		progress("pair %d of %d: cold starts", p, cfg.pairs)
		if err := b.coldStarts(pair, rep.tools); err != nil {
			t.Fatal(err)
		}
		rep.pairs = append(rep.pairs, pair)
	}
	rep.cpuSource, rep.loadAfter = b.cpuSource, loadAvg()
	out := rep.render()
	fmt.Print(out)
	for _, problem := range rep.problems(out) {
		t.Error(problem)
	}
	if cfg.profileDir != "" {
		files, _ := filepath.Glob(filepath.Join(cfg.profileDir, "*.pprof"))
		if len(files) != 2*len(childTransports)*cfg.pairs {
			t.Errorf("%d profiles in %s, want %d", len(files), cfg.profileDir, 2*len(childTransports)*cfg.pairs)
		}
	}
}

// The transports, as the report names them.
const (
	tStdio     = "stdio"
	tSession   = "http-2025" // Streamable HTTP, 2025-11-25: initialize + Mcp-Session-Id
	tStateless = "http-2026" // Streamable HTTP, 2026-07-28: stateless
)

var childTransports = []string{tStdio, tSession, tStateless}

type childConfig struct {
	calls       int // one client, sequential
	clients     int // then this many at once
	clientCalls int // calls per client
	pairs       int
	cold        int // cold starts per server and pair
	profileDir  string
	profileSecs int
	profileMany bool // profile the many-clients phase instead of the one-client one
}

func childConfigFromEnv(t testing.TB) childConfig {
	num := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a whole number of at least 1", name, v)
		}
		return n
	}
	c := childConfig{
		calls: num("BENCH_CHILD_CALLS", 2000), clients: num("BENCH_CHILD_CLIENTS", 32),
		clientCalls: num("BENCH_CHILD_CLIENT_CALLS", 500), pairs: num("BENCH_PAIRS", 4),
		cold: num("BENCH_CHILD_COLD", 10), profileSecs: num("BENCH_CHILD_PROFILE_SECONDS", 5),
		profileDir: os.Getenv("BENCH_CHILD_CPUPROFILE"), profileMany: os.Getenv("BENCH_CHILD_PROFILE_PHASE") == "many",
	}
	if phase := os.Getenv("BENCH_CHILD_PROFILE_PHASE"); phase != "" && phase != "many" {
		t.Fatalf("BENCH_CHILD_PROFILE_PHASE=%q: want many (the %d-client phase), or unset for the 1-client one", phase, c.clients)
	}
	if c.clients < 2 {
		t.Fatal("BENCH_CHILD_CLIENTS: want at least 2 (one client is its own phase)")
	}
	if c.profileDir != "" {
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

type childBench struct {
	cfg       childConfig
	dir       string
	ada       *fakeAda
	http      *http.Client
	servers   []serverSpec
	cpuSource string // how the children's CPU time was read
}

// figure names one number of the report: transport "" and clients 0 for
// what is not per phase.
type figure struct {
	transport string
	clients   int
	metric    string // p50, p99, rate, cpu, rss, cold
}

// measure starts s over transport, warms it up, and runs the two phases
// (one client, then cfg.clients at once) in one process. It returns the
// figures and the Ada requests the fake Ada served per tool call.
func (b *childBench) measure(s serverSpec, transport string, pair int) (map[figure]float64, float64, error) {
	proto := "http"
	if transport == tStdio {
		proto = "stdio"
	}
	c, err := startChild(s, proto, b.ada, b.dir, b.cfg.profileDir != "")
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		c.stop()
		b.http.Transport.(*http.Transport).CloseIdleConnections()
	}()
	fail := func(err error) (map[figure]float64, float64, error) {
		return nil, 0, fmt.Errorf("%w\n%s's log ends:\n%s", err, s.name, c.logTail())
	}
	h := &httpMCP{client: b.http, url: c.url}
	served0, err := b.ada.served()
	if err != nil {
		return fail(err)
	}
	one, err := c.callers(h, transport, 1)
	if err != nil {
		return fail(err)
	}
	// A probe: the answer must carry the fake Ada's end user.
	r, err := one[0]()
	if err == nil {
		err = r.check()
	}
	if err == nil && !bytes.Contains(r.line, []byte(adaEndUserID)) {
		err = fmt.Errorf("the tool result lacks the end user: %.300s", r.line)
	}
	if err != nil {
		return fail(err)
	}
	calls := 1
	warm, err := b.phase(c, one, max(10, b.cfg.calls/10), nil)
	if err != nil {
		return fail(err)
	}
	calls += len(warm.lat)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// profile profiles a phase (cfg.profileMany picks which), which goes on
	// until the profile is taken, so that it covers calls only.
	profile := func(many bool) (more func() bool, wait func() error) {
		if b.cfg.profileDir == "" || many != b.cfg.profileMany {
			return nil, func() error { return nil }
		}
		var done atomic.Bool
		profiled := make(chan error, 1)
		file := filepath.Join(b.cfg.profileDir, fmt.Sprintf("%s-%s-pair%d.pprof", s.name, transport, pair))
		go func() {
			err := fetchProfile(ctx, c.pprof, b.cfg.profileSecs, file)
			done.Store(true)
			profiled <- err
		}()
		return func() bool { return !done.Load() }, func() error { return <-profiled }
	}
	more, wait := profile(false)
	seq, err := b.phase(c, one, b.cfg.calls, more)
	if err != nil {
		return fail(err)
	}
	if err := wait(); err != nil {
		return fail(err)
	}
	calls += len(seq.lat)

	many, err := c.callers(h, transport, b.cfg.clients)
	if err != nil {
		return fail(err)
	}
	// Unmeasured: a connection per client (over HTTP), as before the first phase.
	warm, err = b.phase(c, many, 2, nil)
	if err != nil {
		return fail(err)
	}
	calls += len(warm.lat)
	more, wait = profile(true)
	par, err := b.phase(c, many, b.cfg.clientCalls, more)
	if err != nil {
		return fail(err)
	}
	if err := wait(); err != nil {
		return fail(err)
	}
	calls += len(par.lat)

	rss, err := peakRSS(c.pid())
	if err != nil {
		return fail(err)
	}
	if err := cpuReadersAgree(c.pid()); err != nil {
		return fail(err)
	}
	served1, err := b.ada.served()
	if err != nil {
		return fail(err)
	}
	figs := map[figure]float64{{transport, 0, "rss"}: float64(rss) / (1 << 20)}
	seq.put(figs, transport, 1)
	par.put(figs, transport, b.cfg.clients)
	return figs, float64(served1-served0) / float64(calls), nil
}

// phase is one measured stretch of calls.
type phase struct {
	lat  []time.Duration // each call's, client side
	wall time.Duration
	cpu  time.Duration // the server's user+sys meanwhile
}

// phase runs each of clients (at once) for n calls, or on while more
// says so, and reads the child's CPU time before and after.
func (b *childBench) phase(c *child, clients []childCaller, n int, more func() bool) (phase, error) {
	cpu0, err := b.childCPU(c.pid())
	if err != nil {
		return phase{}, err
	}
	lats := make([][]time.Duration, len(clients))
	var failed atomic.Bool
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for i, call := range clients {
		wg.Go(func() {
			l := make([]time.Duration, 0, n)
			for k := 0; (k < n || (more != nil && more())) && !failed.Load(); k++ {
				t0 := time.Now()
				r, err := call()
				if err == nil {
					err = r.check()
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
				l = append(l, time.Since(t0))
			}
			lats[i] = l
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		return phase{}, firstErr
	}
	cpu1, err := b.childCPU(c.pid())
	if err != nil {
		return phase{}, err
	}
	return phase{lat: slices.Concat(lats...), wall: wall, cpu: cpu1 - cpu0}, nil
}

// put adds the phase's figures for clients.
func (p phase) put(figs map[figure]float64, transport string, clients int) {
	slices.Sort(p.lat)
	n := float64(len(p.lat))
	figs[figure{transport, clients, "p50"}] = micros(quantile(p.lat, 0.50))
	figs[figure{transport, clients, "p99"}] = micros(quantile(p.lat, 0.99))
	figs[figure{transport, clients, "rate"}] = n / p.wall.Seconds()
	figs[figure{transport, clients, "cpu"}] = micros(p.cpu) / n
}

// quantile of sorted durations, by nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// childCPU is a child's user+sys so far: from its CPU-time clock (ns),
// else from /proc/PID/stat (10 ms ticks, too coarse for short phases).
func (b *childBench) childCPU(pid int) (time.Duration, error) {
	if d, err := processCPUClock(pid); err == nil {
		b.cpuSource = "the child's CPU-time clock (user+sys, all threads, ns)"
		return d, nil
	}
	b.cpuSource = "/proc/PID/stat utime+stime (10 ms ticks)"
	return procCPU(pid)
}

// cpuReadersAgree checks the CPU clock against /proc/PID/stat on an idle
// child: a wrong clock id would read nonsense or another process.
func cpuReadersAgree(pid int) error {
	byClock, err := processCPUClock(pid)
	if err != nil {
		return nil // the fallback is in use
	}
	byStat, err := procCPU(pid)
	if err != nil {
		return err
	}
	// The stat truncates utime and stime to ticks each.
	if byClock+clockTick < byStat || byClock > byStat+3*clockTick {
		return fmt.Errorf("CPU clock says %v, /proc/%d/stat %v", byClock, pid, byStat)
	}
	return nil
}

// coldStarts times cfg.cold cold starts of each server, taking turns, and
// puts the medians in pair.
func (b *childBench) coldStarts(pair pairFigures, tools map[string]int) error {
	took := make([][]time.Duration, len(b.servers))
	for round := range b.cfg.cold {
		for _, i := range turnOrder(round+1, len(b.servers)) {
			s := b.servers[i]
			d, n, err := coldStart(s, b.ada)
			if err != nil {
				return fmt.Errorf("cold start of %s: %w", s.name, err)
			}
			took[i] = append(took[i], d)
			tools[s.name] = n
		}
	}
	for i := range b.servers {
		slices.Sort(took[i])
		pair[i][figure{tStdio, 0, "cold"}] = float64(quantile(took[i], 0.5)) / float64(time.Millisecond)
	}
	return nil
}

// turnOrder is the order n servers are measured in, round r (from 1):
// ada-mcp first in odd rounds, the minimal server first in even ones, so
// that going first or second (a client and a fake Ada just warmed up, or
// not) weighs on both alike.
func turnOrder(r, n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if r%2 == 0 {
		slices.Reverse(order)
	}
	return order
}

var started = time.Now()

// progress goes to stderr: stdout is the report.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%5.1fs] "+format+"\n", append([]any{time.Since(started).Seconds()}, args...)...)
}
