#!/usr/bin/env bash
# Tool-call latency and throughput of ada-mcp against the Ada simulator:
# get_conversation over Streamable HTTP and over stdio, next to the same
# Ada request (GET /v2/conversations/{id}/) made directly over HTTP, at 1
# and 32 concurrent clients. Prints p50/p99, calls/s and the MCP/direct
# ratio. Takes under a minute; BENCH_CALLS sets the calls per case.
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${BENCH_CALLS:-3000}
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
echo "calls per case: ${calls}"
echo

out=$(go test -run '^$' -bench '^BenchmarkGetConversation$' -benchtime "${calls}x" -count 1 -timeout 10m ./bench/)

echo "$out" | awk -v target="$target" '
  /^BenchmarkGetConversation\// {
    split($1, parts, "/")                 # BenchmarkGetConversation, mode, clients=N-P
    mode = parts[2]
    clients = parts[3]; sub(/^clients=/, "", clients); sub(/-[0-9]+$/, "", clients)
    for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
    key = mode SUBSEP clients
    p50[key] = v["p50-us"]; p99[key] = v["p99-us"]; rate[key] = v["calls/s"]
    if (!(clients in seen)) { seen[clients] = 1; order[++n] = clients }
  }
  END {
    if (n == 0) { print "no benchmark results"; exit 1 }
    printf "%-10s %7s %10s %10s %10s %12s\n", "transport", "clients", "p50 (µs)", "p99 (µs)", "calls/s", "p50 / direct"
    split("direct http http-2025 http-raw stdio", modes, " ")
    for (c = 1; c <= n; c++) {
      for (m = 1; m <= 5; m++) {
        key = modes[m] SUBSEP order[c]
        if (!(key in p50)) continue
        ratio = p50[key] / p50["direct" SUBSEP order[c]]
        printf "%-10s %7s %10.0f %10.0f %10.0f %11.1fx\n", modes[m], order[c], p50[key], p99[key], rate[key], ratio
      }
    }
    r = p50["http" SUBSEP 1] / p50["direct" SUBSEP 1]
    s = p50["stdio" SUBSEP 1] / p50["direct" SUBSEP 1]
    printf "\nsequential p50, MCP/direct: http %.1fx, stdio %.1fx (target <= %sx): %s\n", r, s, target,
      (r <= target && s <= target) ? "met" : "missed"
    printf "MCP adds %.0f µs (http) and %.0f µs (stdio) per call at p50\n",
      p50["http" SUBSEP 1] - p50["direct" SUBSEP 1], p50["stdio" SUBSEP 1] - p50["direct" SUBSEP 1]
    print "http: go-sdk client, protocol 2026-07-28; http-2025: go-sdk client, 2025-11-25 session;"
    print "http-raw: the 2026-07-28 call from a minimal JSON-RPC client (tells client cost from server cost)"
  }'
