// Package bench measures what MCP adds to an Ada call: get_conversation
// over Streamable HTTP and over stdio, against the same Ada call made
// directly over HTTP, all against the Ada simulator on loopback. Run
// scripts/bench.sh for a summary with p50/p99 latency, throughput and the
// MCP/direct ratio.
package bench
