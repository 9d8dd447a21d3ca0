#!/usr/bin/env bash
# ada-mcp as an outside client sees it, next to a bare mcp-go server
# (bench/minimal: one tool, the same Ada request, the body as text). Both
# run as child processes; a fake Ada (bench/fakeada) answers in a third, so
# its CPU is never the servers'. Each is driven over stdio, Streamable HTTP
# with a session (2025-11-25) and stateless Streamable HTTP (2026-07-28)
# by a minimal client: p50/p99 and calls/s at 1 client and at many, the
# server's CPU per call (its user+sys over the phase), its peak RSS, and
# exec-to-first-tools/list. A pair is both servers, taking turns to go
# first (ada-mcp in odd pairs, the minimal server in even ones); the
# report gives each figure's ratio per pair, their median and range, and
# the targets of issue #18.
#
# BENCH_CHILD_CALLS: sequential calls, 1 client (2000)
# BENCH_CHILD_CLIENTS: concurrent clients (32), BENCH_CHILD_CLIENT_CALLS
#   calls each (500)
# BENCH_PAIRS: pairs (4; an even number gives each server as many turns first); BENCH_CHILD_COLD: cold starts per server and pair (10)
# BENCH_CHILD_CPUPROFILE=dir: both servers run with --pprof and each
#   1-client phase is profiled for BENCH_CHILD_PROFILE_SECONDS (5) into dir
#   (the phase runs on until the profile is taken; profiling costs CPU, so
#   keep figures from runs without it); BENCH_CHILD_PROFILE_PHASE=many
#   profiles the many-clients phase instead
# The report goes to stdout, progress to stderr. Linux only (/proc).
set -euo pipefail
if [ -n "${BENCH_CHILD_CPUPROFILE:-}" ]; then # relative to where we were called
  mkdir -p "$BENCH_CHILD_CPUPROFILE"
  BENCH_CHILD_CPUPROFILE=$(cd "$BENCH_CHILD_CPUPROFILE" && pwd)
  export BENCH_CHILD_CPUPROFILE
fi
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" ./bench/
# go test runs a package's tests in its directory; so does this. The test
# builds the three programs itself.
cd bench
BENCH_CHILD=1 "$tmp/bench.test" -test.run '^TestChildProcess$' -test.count 1 -test.timeout 60m |
  { grep -v '^PASS$' || true; }
