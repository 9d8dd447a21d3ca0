#!/usr/bin/env bash
# Tool-call latency and throughput of ada-mcp against the Ada simulator:
# get_conversation over Streamable HTTP and over stdio, next to the same
# Ada request (GET /v2/conversations/{id}/) made directly over HTTP, at 1
# and 32 concurrent clients. Prints p50/p99, calls/s and the MCP/direct
# ratio, with the official go-sdk client and with a minimal client (which
# leaves the server's own cost).
#
# Every case runs in BENCH_ROUNDS separate processes (3 by default) and the
# table shows medians: on a shared 2-CPU machine one run can be 15% off.
# Each round's ratio compares cases measured in the same process, minutes
# apart at most; the range column shows how far the rounds spread.
# BENCH_CALLS sets the calls per case and round (3000 by default). Takes a
# few minutes. BENCH_ADA_LATENCY (a Go duration such as 20ms) delays each of
# the simulator's answers, to see MCP's cost next to a realistic Ada; lower
# BENCH_CALLS with it.
#
# `bash scripts/bench.sh child` runs the other benchmark instead: ada-mcp
# next to a bare mcp-go server, each a child process (scripts/bench-child.sh,
# whose BENCH_CHILD_* settings it takes); `all` runs both, this one first.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "") ;;
  child) exec bash scripts/bench-child.sh ;;
  all) bash scripts/bench.sh; echo; exec bash scripts/bench-child.sh ;;
  *) echo "usage: scripts/bench.sh [child|all]" >&2; exit 2 ;;
esac

calls=${BENCH_CALLS:-3000}
rounds=${BENCH_ROUNDS:-3}
target=2.5 # MCP p50 / direct p50, one client at a time

cpu_model() {
  if [ -r /proc/cpuinfo ]; then
    grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'
  else
    sysctl -n machdep.cpu.brand_string 2>/dev/null || echo unknown
  fi
}
cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)

echo "machine: ${cpus} CPUs, $(cpu_model), $(go version | cut -d' ' -f3-)"
echo "calls per case and round: ${calls}; rounds: ${rounds}; simulated Ada latency: ${BENCH_ADA_LATENCY:-none}"
echo

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" ./bench/

for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds" >&2
  # go test runs a package's tests in its directory; so does this.
  (cd bench && "$tmp/bench.test" -test.run '^$' -test.bench '^BenchmarkGetConversation$' \
    -test.benchtime "${calls}x" -test.count 1 -test.timeout 10m) | sed "s/^/round=$r /" >>"$tmp/out"
done

awk -v target="$target" '
  # Two kinds of rows, each prefixed with round=R:
  #   BenchmarkGetConversation/clients=1/<group>-P  n ns/op  v <mode>:<metric> ...
  #     (one client: a group of modes, interleaved call by call)
  #   BenchmarkGetConversation/<mode>/clients=32-P  n ns/op  v <metric> ...
  $2 ~ /^BenchmarkGetConversation\// {
    r = $1; sub(/^round=/, "", r)
    if (!(r in rseen)) { rseen[r] = 1; rlist[++nr] = r }
    split($2, parts, "/")
    if (parts[2] == "clients=1") {
      c = 1; g = parts[3]; sub(/-[0-9]+$/, "", g)
      for (i = 4; i < NF; i += 2) {
        split($(i + 1), u, ":")
        put(u[1], c, g, r, u[2], $i)
      }
    } else {
      c = parts[3]; sub(/^clients=/, "", c); sub(/-[0-9]+$/, "", c); g = "all"
      for (i = 4; i < NF; i += 2) put(parts[2], c, g, r, $(i + 1), $i)
    }
  }
  function put(mode, c, g, r, metric, x,    k) {
    k = mode SUBSEP c SUBSEP g SUBSEP r
    if (metric == "p50-us") p50[k] = x
    else if (metric == "p99-us") p99[k] = x
    else if (metric == "calls/s") rate[k] = x
  }

  # median of the values a[1..k] (sorted in place)
  function median(a, k,    i, j, t) {
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  # stat(what, mode, c, g, base): the median over rounds of p50, p99, rate,
  # "ratio" (that round p50 over that round p50 of base) or "minus" (that
  # round p50 minus base); with one client, base is from the minimal group,
  # where direct runs. lo and hi get the range.
  function stat(what, mode, c, g, base,    i, k, x, a, rk, bk) {
    k = 0; lo = ""; hi = ""
    for (i = 1; i <= nr; i++) {
      rk = mode SUBSEP c SUBSEP g SUBSEP rlist[i]
      bk = base SUBSEP c SUBSEP (c == 1 ? "minimal" : g) SUBSEP rlist[i]
      if (!(rk in p50)) continue
      if (what == "p50") x = p50[rk]
      else if (what == "p99") x = p99[rk]
      else if (what == "rate") x = rate[rk]
      else if (what == "ratio") x = p50[rk] / p50[bk]
      else if (what == "minus") x = p50[rk] - p50[bk]
      a[++k] = x
      if (lo == "" || x < lo) lo = x
      if (hi == "" || x > hi) hi = x
    }
    return k ? median(a, k) : ""
  }
  function need(mode, c, g,    i, k) {
    for (i = 1; i <= nr; i++) {
      k = mode SUBSEP c SUBSEP g SUBSEP rlist[i]
      if (!(k in p50) || !(k in p99) || !(k in rate)) {
        printf "missing result: %s with %d clients in round %s\n", mode, c, rlist[i]
        missing = 1
      }
    }
  }
  function row(mode, client, c, g,    med, q99, cps, rt) {
    med = stat("p50", mode, c, g)
    if (med == "") return
    q99 = stat("p99", mode, c, g); cps = stat("rate", mode, c, g)
    rt = stat("ratio", mode, c, g, "direct")
    printf "%-16s %-8s %7s %10.0f %10.0f %10.0f %11.2fx %5.2f-%.2fx\n", mode, client, c, med, q99, cps, rt, lo, hi
  }
  function seq(mode) { return stat("ratio", mode, 1, mode ~ /-(raw|floor)/ ? "minimal" : "go-sdk", "direct") }
  function minus(mode, base) { return stat("minus", mode, 1, "minimal", base) }

  END {
    if (nr == 0) { print "no benchmark results"; exit 1 }
    # Every case in every round, or the medians and ratios would be wrong.
    n = split("direct http-raw http-raw-2025 stdio-raw http-floor http-floor-2025 stdio-floor", want, " ")
    for (m = 1; m <= n; m++) need(want[m], 1, "minimal")
    n = split("http http-2025 stdio", want, " ")
    for (m = 1; m <= n; m++) need(want[m], 1, "go-sdk")
    n = split("direct http http-2025 stdio http-raw http-raw-2025 stdio-raw http-floor http-floor-2025 stdio-floor", want, " ")
    for (m = 1; m <= n; m++) need(want[m], 32, "all")
    if (missing) exit 1
    printf "%-16s %-8s %7s %10s %10s %10s %12s %12s\n", "transport", "client", "clients", "p50 (µs)", "p99 (µs)", "calls/s", "p50 / direct", "range"
    n = split("direct http-raw http-raw-2025 stdio-raw http-floor http-floor-2025 stdio-floor", minimal, " ")
    for (m = 1; m <= n; m++) row(minimal[m], m == 1 ? "net/http" : "minimal", 1, "minimal")
    n = split("http http-2025 stdio", sdk, " ")
    for (m = 1; m <= n; m++) row(sdk[m], "go-sdk", 1, "go-sdk")
    n = split("direct http http-2025 stdio http-raw http-raw-2025 stdio-raw http-floor http-floor-2025 stdio-floor", all, " ")
    for (m = 1; m <= n; m++) row(all[m], all[m] == "direct" ? "net/http" : (all[m] ~ /-(raw|floor)/ ? "minimal" : "go-sdk"), 32, "all")

    printf "\nsequential p50, MCP / direct, median of %d rounds (target <= %sx):\n", nr, target
    printf "  go-sdk client:  http %.2fx, http-2025 %.2fx, stdio %.2fx\n", seq("http"), seq("http-2025"), seq("stdio")
    printf "  minimal client: http %.2fx, http-2025 %.2fx, stdio %.2fx\n", seq("http-raw"), seq("http-raw-2025"), seq("stdio-raw")
    printf "  mcp-go floor:   http %.2fx, http-2025 %.2fx, stdio %.2fx (mcp-go alone, a tool that only makes the direct call)\n", seq("http-floor"), seq("http-floor-2025"), seq("stdio-floor")
    met = ""
    split("http http-2025 stdio http-raw http-raw-2025 stdio-raw", mcp, " ")
    for (m = 1; m <= 6; m++) if (seq(mcp[m]) <= target) met = met " " mcp[m]
    print "  within target:" (met == "" ? " none" : met)
    printf "MCP adds per call at p50 (minimal client, minus direct): http %.0f µs, http-2025 %.0f µs, stdio %.0f µs\n",
      minus("http-raw", "direct"), minus("http-raw-2025", "direct"), minus("stdio-raw", "direct")
    printf "ada-mcp adds over the mcp-go floor at p50 (minimal client): http %.0f µs, http-2025 %.0f µs, stdio %.0f µs\n",
      minus("http-raw", "http-floor"), minus("http-raw-2025", "http-floor-2025"), minus("stdio-raw", "stdio-floor")
    print "http: protocol 2026-07-28 (stateless); http-2025: 2025-11-25 (initialize + session); stdio: 2025-11-25."
    print "minimal: the same tools/call from a few lines of net/http or pipe I/O, like the direct call (server cost alone)."
    print "floor: mcp-go and the transport with none of our code (no auth, origin, limits, tool layer); the rest of a minimal-client row is ours."
    print "One client: direct, minimal and floor calls are made in turn, call by call; the go-sdk calls likewise, apart."
    print "Columns are medians over rounds; each ratio is taken within a round; range: the lowest and highest round."
  }' "$tmp/out"
