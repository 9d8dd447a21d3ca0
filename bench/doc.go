// Package bench measures what MCP adds to an Ada call: get_conversation
// over Streamable HTTP and over stdio, against the same Ada call made
// directly over HTTP, all against the Ada simulator on loopback. Run
// scripts/bench.sh for a summary with p50/p99 latency, throughput and the
// MCP/direct ratio.
//
// TestChildProcess (scripts/bench-child.sh) measures ada-mcp from outside
// instead: as a child process next to a bare mcp-go server (minimal/), both
// calling a fake Ada (fakeada/) in a third process.
package bench
