//go:build race

package server

// raceEnabled: the race detector makes sync.Pool drop a share of what is
// put back, so pooled scanners are allocated again now and then.
const raceEnabled = true
